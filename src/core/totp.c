#include "core/totp.h"

#include <nettle/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

uint32_t
totp_code(enum totp_alg alg, const uint8_t *key, size_t keylen, int64_t t, unsigned digits)
{
	uint8_t msg[8], mac[SHA512_DIGEST_SIZE];
	uint64_t counter = (uint64_t)(t / TOTP_STEP);
	size_t maclen;
	uint32_t bin, mod = 1;
	unsigned off;

	for (int i = 7; i >= 0; i--, counter >>= 8)
		msg[i] = (uint8_t)(counter & 0xff);
	if (alg == TOTP_SHA256) {
		struct hmac_sha256_ctx c;
		hmac_sha256_set_key(&c, keylen, key);
		hmac_sha256_update(&c, sizeof(msg), msg);
		hmac_sha256_digest(&c, SHA256_DIGEST_SIZE, mac);
		maclen = SHA256_DIGEST_SIZE;
	} else if (alg == TOTP_SHA512) {
		struct hmac_sha512_ctx c;
		hmac_sha512_set_key(&c, keylen, key);
		hmac_sha512_update(&c, sizeof(msg), msg);
		hmac_sha512_digest(&c, SHA512_DIGEST_SIZE, mac);
		maclen = SHA512_DIGEST_SIZE;
	} else {
		struct hmac_sha1_ctx c;
		hmac_sha1_set_key(&c, keylen, key);
		hmac_sha1_update(&c, sizeof(msg), msg);
		hmac_sha1_digest(&c, SHA1_DIGEST_SIZE, mac);
		maclen = SHA1_DIGEST_SIZE;
	}
	/* RFC 4226 5.3: dynamic truncation. */
	off = mac[maclen - 1] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	      (uint32_t)mac[off + 2] << 8 | mac[off + 3];
	for (unsigned i = 0; i < digits; i++)
		mod *= 10;
	sodium_memzero(mac, sizeof(mac));
	return bin % mod;
}

bool
totp_check(const uint8_t key[TOTP_KEY_SIZE], const char *code, int64_t now, int64_t last_step,
           int64_t *step)
{
	char want[TOTP_DIGITS + 1], got[TOTP_DIGITS + 1];
	bool found = false;

	if (code == NULL || strlen(code) != TOTP_DIGITS ||
	    strspn(code, "0123456789") != TOTP_DIGITS)
		return false;
	memcpy(got, code, sizeof(got));
	/* Every step of the window is computed and compared, found or not: the time taken says
	 * nothing of which matched. */
	for (int64_t d = -TOTP_WINDOW; d <= TOTP_WINDOW; d++) {
		int64_t s = now / TOTP_STEP + d;
		snprintf(want, sizeof(want), "%0*u", TOTP_DIGITS,
		         totp_code(TOTP_SHA1, key, TOTP_KEY_SIZE, s * TOTP_STEP, TOTP_DIGITS));
		if (sodium_memcmp(want, got, TOTP_DIGITS) == 0 && s > last_step && !found) {
			*step = s;
			found = true;
		}
	}
	sodium_memzero(want, sizeof(want));
	return found;
}

void
totp_base32(const uint8_t *key, size_t len, char *out, size_t outlen)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t o = 0;
	unsigned bits = 0, acc = 0;

	for (size_t i = 0; i < len && o + 1 < outlen; i++) {
		acc = (acc << 8 | key[i]) & 0xffff;
		bits += 8;
		while (bits >= 5 && o + 1 < outlen) {
			out[o++] = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0 && o + 1 < outlen)
		out[o++] = alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}
