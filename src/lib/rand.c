#include "lib/rand.h"

#include <sodium.h>
#include <string.h>

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

void
rand_id(char out[ID_SIZE])
{
	uint8_t r[ID_LEN];

	/* 26 symbols of 5 bits = 130 bits; the top two bits of the first symbol are zero
	 * so every id is exactly 128 random bits. */
	randombytes_buf(r, sizeof(r));
	for (size_t i = 0; i < ID_LEN; i++)
		out[i] = b32[r[i] & (i == 0 ? 7 : 31)];
	out[ID_LEN] = '\0';
	sodium_memzero(r, sizeof(r));
}

bool
id_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < ID_LEN; i++)
		if (s[i] == '\0' || strchr(b32, s[i]) == NULL)
			return false;
	return s[ID_LEN] == '\0';
}

void
rand_token(char out[TOKEN_SIZE])
{
	uint8_t r[32];

	randombytes_buf(r, sizeof(r));
	sodium_bin2base64(out, TOKEN_SIZE, r, sizeof(r), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(r, sizeof(r));
}

bool
token_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < TOKEN_LEN; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return s[TOKEN_LEN] == '\0';
}

void
token_hash(const char *token, uint8_t out[TOKEN_HASH_LEN])
{
	crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

void
hex_encode(const uint8_t *in, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, in, n);
}
