/*
 * OpenPGP for mail, through GPGME with a keyring of pocd's own (a GNUPGHOME beside the
 * database, mode 0700): the service's signing key, made on first use, and PoCs' public
 * keys, imported from the database as mail to them goes out.
 *
 * The service's key rotates as the log's does: pgp_rotate makes a new key, and for a
 * transition period mail carries signatures by both the new and the previous key. Which key
 * is current, and the previous one with the end of its transition, are in HOME/pocd-signers
 * ("current FPR" and "previous FPR UNTIL" lines); without that file the keyring's first
 * secret key is the service's.
 */
#ifndef POCD_MAIL_PGP_H
#define POCD_MAIL_PGP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/model.h"

struct pgp;

/* How long the previous key goes on signing beside a new one, by default. */
#define PGP_TRANSITION_S (30 * 86400)

struct pgp_keys {
	char current[FPR_SIZE];
	char previous[FPR_SIZE]; /* "" when the key was never rotated */
	int64_t previous_until;  /* when the previous key stopped or stops signing */
};

/* Opens the keyring in home (made with mode 0700 if absent) and finds the service's secret
 * key, making one for uid ("pocd <pocd@example.org>", Ed25519, no passphrase, no expiry)
 * when there is none. fpr gets its fingerprint. NULL with a reason in msg on failure. */
struct pgp *pgp_open(const char *home, const char *uid, char fpr[FPR_SIZE], char *msg,
                     size_t msglen);
void pgp_close(struct pgp *p);
/* The keys p signs with: the current one, and the previous one (signing too until
 * previous_until). */
void pgp_keys(const struct pgp *p, struct pgp_keys *out);

/* Makes a new service key in home with the current key's user id; the current key becomes
 * the previous one, which signs beside the new one for transition seconds. Takes effect when
 * pocd next starts. keys gets the outcome. POCD_ECONFLICT while an earlier transition runs,
 * POCD_ENOTFOUND when home holds no service key yet; a reason in msg. */
enum pocd_err pgp_rotate(const char *home, int64_t transition, struct pgp_keys *keys, char *msg,
                         size_t msglen);

/* Imports armored (the PoC's key, whose fingerprint is fpr) and encrypts plain (len bytes) to
 * it, signed with the service's key, as ASCII armor: *out is malloc'd (the caller frees it),
 * *outlen its length. POCD_EINVAL with why when the key cannot be used (expired, revoked,
 * no encryption subkey); POCD_EUNAVAILABLE when gpg fails otherwise. */
enum pocd_err pgp_encrypt(struct pgp *p, const char *armored, const char *fpr, const char *plain,
                          size_t len, char **out, size_t *outlen, char *why, size_t whylen);

#endif
