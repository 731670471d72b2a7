/*
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): the second factor of the
 * Secretariat's and states' accounts. 30-second steps, 6 digits, HMAC-SHA-1 by default (what
 * authenticator apps implement); SHA-256 and SHA-512 for the RFC's other vectors.
 */
#ifndef POCD_CORE_TOTP_H
#define POCD_CORE_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_STEP       30
#define TOTP_DIGITS     6
#define TOTP_KEY_SIZE   20 /* 160 bits, as RFC 4226 recommends */
#define TOTP_WINDOW     1  /* steps accepted on each side of now, for clocks that drift */
#define TOTP_BASE32_MAX 64 /* a key's base32 text, with its NUL */

enum totp_alg { TOTP_SHA1, TOTP_SHA256, TOTP_SHA512 };

/* The code of key for the 30-second step holding unix time t, with digits digits (6 to 8). */
uint32_t totp_code(enum totp_alg alg, const uint8_t *key, size_t keylen, int64_t t,
                   unsigned digits);

/* Whether code (TOTP_DIGITS decimal digits) is key's (HMAC-SHA-1) for a step within
 * TOTP_WINDOW of now's and later than last_step, so that a code is good once. The step
 * matched goes to *step. Compares in constant time. */
bool totp_check(const uint8_t key[TOTP_KEY_SIZE], const char *code, int64_t now, int64_t last_step,
                int64_t *step);

/* RFC 4648 base32 without padding, as otpauth:// URIs carry the key. */
void totp_base32(const uint8_t *key, size_t len, char *out, size_t outlen);

#endif
