/*
 * Just enough of OpenPGP (RFC 4880) to accept a PoC's public key: the ASCII armor, its
 * checksum, and the primary key packet whose v4 fingerprint must match the entry's. The key
 * itself is used by the mail sender through GPGME; the serving process never runs gpg.
 */
#ifndef POCD_CORE_OPENPGP_H
#define POCD_CORE_OPENPGP_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/model.h"

#define OPENPGP_ARMOR_MAX 65536 /* bytes of an armored key */

/*
 * Reads an ASCII-armored public key block of len bytes: fpr gets the v4 fingerprint of its
 * primary key, as 40 uppercase hex digits. POCD_EINVAL with a reason a person can act on in
 * why (a static string) when it is not one; never reads past len.
 */
enum pocd_err openpgp_key_fingerprint(const char *armored, size_t len, char fpr[FPR_SIZE],
                                      const char **why);

#endif
