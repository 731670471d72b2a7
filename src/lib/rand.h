/* Random identifiers and secrets, and their stored hashes. */
#ifndef POCD_LIB_RAND_H
#define POCD_LIB_RAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ID_LEN         26 /* 128 random bits in lowercase base32 */
#define ID_SIZE        (ID_LEN + 1)
#define TOKEN_LEN      43 /* 256 random bits in base64url without padding */
#define TOKEN_SIZE     (TOKEN_LEN + 1)
#define TOKEN_HASH_LEN 32 /* SHA-256 of the token text */
/* An API key: a token behind a prefix that says what it is (to people and secret scanners). */
#define APIKEY_PREFIX     "pocd_"
#define APIKEY_PREFIX_LEN 5
#define APIKEY_LEN        (APIKEY_PREFIX_LEN + TOKEN_LEN)
#define APIKEY_SIZE       (APIKEY_LEN + 1)

/* Fills out with a fresh opaque id. */
void rand_id(char out[ID_SIZE]);
/* True when s has the shape of an id (so it can be looked up without further checks). */
bool id_valid(const char *s);
/* Fills out with a fresh 256-bit secret. */
void rand_token(char out[TOKEN_SIZE]);
/* True when s has the shape of a token. */
bool token_valid(const char *s);
/* SHA-256 of the token text: what the database keeps instead of the token. */
void token_hash(const char *token, uint8_t out[TOKEN_HASH_LEN]);
/* Lowercase hex of n bytes into out (2n+1 bytes). */
void hex_encode(const uint8_t *in, size_t n, char *out);

#endif
