/*
 * Just enough of OpenPGP (RFC 4880) to accept a PoC's public key: the ASCII armor, its
 * checksum, and the primary key packet whose v4 fingerprint must match the entry's. The key
 * itself is used by the mail sender through GPGME; the serving process never runs gpg.
 */
#ifndef POCD_CORE_OPENPGP_H
#define POCD_CORE_OPENPGP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/model.h"

#define OPENPGP_ARMOR_MAX 65536 /* bytes of an armored key */

struct openpgp_key {
	char fpr[FPR_SIZE]; /* the primary key's v4 fingerprint, 40 uppercase hex digits */
	int64_t created;    /* when the primary key was made */
	/* When the newest self-signature says it expires; 0 for never. Read, not verified (the
	 * signature's mathematics is gpg's): good for a warning, not for a decision. */
	int64_t expires;
};

/*
 * Reads an ASCII-armored public key block of len bytes into out. POCD_EINVAL with a reason a
 * person can act on in why (a static string) when it is not one; never reads past len.
 */
enum pocd_err openpgp_key_read(const char *armored, size_t len, struct openpgp_key *out,
                               const char **why);

#endif
