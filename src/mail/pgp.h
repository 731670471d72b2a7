/*
 * OpenPGP for mail, through GPGME with a keyring of pocd's own (a GNUPGHOME beside the
 * database, mode 0700): the service's signing key, made on first use, and PoCs' public
 * keys, imported from the database as mail to them goes out.
 */
#ifndef POCD_MAIL_PGP_H
#define POCD_MAIL_PGP_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/model.h"

struct pgp;

/* Opens the keyring in home (made with mode 0700 if absent) and finds the service's secret
 * key, making one for uid ("pocd <pocd@example.org>", Ed25519, no passphrase, no expiry)
 * when there is none. fpr gets its fingerprint. NULL with a reason in msg on failure. */
struct pgp *pgp_open(const char *home, const char *uid, char fpr[FPR_SIZE], char *msg,
                     size_t msglen);
void pgp_close(struct pgp *p);

/* Imports armored (the PoC's key, whose fingerprint is fpr) and encrypts plain (len bytes) to
 * it, signed with the service's key, as ASCII armor: *out is malloc'd (the caller frees it),
 * *outlen its length. POCD_EINVAL with why when the key cannot be used (expired, revoked,
 * no encryption subkey); POCD_EUNAVAILABLE when gpg fails otherwise. */
enum pocd_err pgp_encrypt(struct pgp *p, const char *armored, const char *fpr, const char *plain,
                          size_t len, char **out, size_t *outlen, char *why, size_t whylen);

#endif
