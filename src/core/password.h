/* Password hashing: argon2id at 19 MiB and 2 passes (slow on purpose; run off request threads). */
#ifndef POCD_CORE_PASSWORD_H
#define POCD_CORE_PASSWORD_H

#include <stdbool.h>
#include <sodium.h>

#include "lib/err.h"

#define PWHASH_SIZE  crypto_pwhash_STRBYTES
#define PASSWORD_MIN 12
#define PASSWORD_MAX 256

/* Hashes pw into out. POCD_ENOMEM if the memory cannot be had. */
enum pocd_err password_hash(const char *pw, char out[PWHASH_SIZE]);
/* True if pw matches hash. With hash NULL it spends the same time and returns false, so an
 * unknown username costs what a wrong password costs. */
bool password_verify(const char *hash, const char *pw);
/* Length and content rules for a new password; NULL if fine, else the reason. */
const char *password_weakness(const char *pw);

#endif
