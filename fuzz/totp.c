/*
 * Fuzzes the second factor's code check and key encoding (src/core/totp.h): the input is a
 * 20-byte key, then the code text a login carries. A code totp_check accepts is six ASCII
 * digits, the key's code for a step within TOTP_WINDOW of now's and later than the last one
 * spent, and is good once: with that step spent it is refused. The key's own code for now is
 * always accepted. The key's base32 form has only RFC 4648 letters, no padding, and decodes
 * back to the key.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/totp.h"

#define INPUT_MAX 256
#define NOW       INT64_C(1795662000) /* 2026-11-26T03:00:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 4648 base32 without padding back into out; its length, or -1 on a bad letter. */
static long
unbase32(const char *s, uint8_t *out, size_t outlen)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned acc = 0, bits = 0;
	size_t o = 0;

	for (; *s != '\0'; s++) {
		const char *p = strchr(alphabet, *s);
		if (p == NULL)
			return -1;
		acc = (acc << 5 | (unsigned)(p - alphabet)) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			if (o == outlen)
				return -1;
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return (long)o;
}

static void
check_code(const uint8_t key[TOTP_KEY_SIZE], const char *code, int64_t last)
{
	char want[TOTP_DIGITS + 1];
	int64_t step = INT64_MIN, again;

	if (!totp_check(key, code, NOW, last, &step))
		return;
	if (strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
		abort();
	if (step < NOW / TOTP_STEP - TOTP_WINDOW || step > NOW / TOTP_STEP + TOTP_WINDOW ||
	    step <= last)
		abort();
	snprintf(want, sizeof(want), "%06u",
	         totp_code(TOTP_SHA1, key, TOTP_KEY_SIZE, step * TOTP_STEP, TOTP_DIGITS));
	if (strcmp(want, code) != 0)
		abort();
	/* Good once: the same code with its step spent matches no later step but by chance. */
	if (totp_check(key, code, NOW, step, &again) && again <= step)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t key[TOTP_KEY_SIZE], back[TOTP_KEY_SIZE + 8];
	char code[INPUT_MAX + 1], now[TOTP_DIGITS + 1], b32[TOTP_BASE32_MAX];
	int64_t step;
	long n;

	if (size < TOTP_KEY_SIZE + 1 || size > TOTP_KEY_SIZE + 1 + INPUT_MAX)
		return 0;
	memcpy(key, data, TOTP_KEY_SIZE);
	/* One byte says which step was spent last, from well before the window to its end. */
	int64_t last = NOW / TOTP_STEP - 4 + (int64_t)(data[TOTP_KEY_SIZE] % 6);
	size -= TOTP_KEY_SIZE + 1;
	memcpy(code, data + TOTP_KEY_SIZE + 1, size);
	code[size] = '\0';
	check_code(key, code, last);

	snprintf(now, sizeof(now), "%06u",
	         totp_code(TOTP_SHA1, key, TOTP_KEY_SIZE, NOW, TOTP_DIGITS));
	if (!totp_check(key, now, NOW, NOW / TOTP_STEP - 2, &step))
		abort();

	totp_base32(key, TOTP_KEY_SIZE, b32, sizeof(b32));
	if (strlen(b32) != (TOTP_KEY_SIZE * 8 + 4) / 5 || strchr(b32, '=') != NULL)
		abort();
	n = unbase32(b32, back, sizeof(back));
	if (n != TOTP_KEY_SIZE || memcmp(back, key, TOTP_KEY_SIZE) != 0)
		abort();
	return 0;
}
