/* PoCs' OpenPGP keys: a state's administrator attaches the public key whose fingerprint the
 * entry names; the mail sender encrypts to it. */
#ifndef POCD_CORE_KEYS_H
#define POCD_CORE_KEYS_H

#include "core/core.h"

struct key_op {
	struct principal actor;
	char poc_id[ID_SIZE];
	const char *armored;        /* the key as sent; owned by the op's owner */
	char fingerprint[FPR_SIZE]; /* its fingerprint and expiry, 0 for never (openpgp_key_read) */
	int64_t expires;
	int64_t now;
	enum pocd_err status; /* POCD_EINVAL: the key cannot be read */
	struct verrs errs;
	/* out: a key of another fingerprint than the entry's waits as a pending change (its id
	 * "" when the key was attached at once) */
	struct poc_change proposed;
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

/* Authorization (authz_write_pocs on the PoC's state) is the caller's and is checked again in
 * the transaction. A key of the fingerprint the entry names attaches at once; another key is
 * a change of the entry's key, which waits for a second administrator (poc_changes.h).
 * Queues op; op->done follows. */
enum pocd_err keys_attach(struct core *c, struct key_op *op);

/* Records the fingerprints of the service's own mail-signing keys (meta "mail_key", and
 * "mail_key_previous" with "mail_key_previous_until" after a rotation, "" and 0 before), for
 * GET /api/v1/service. Blocking; for start-up. */
enum pocd_err keys_set_service(struct core *c, const char *current, const char *previous,
                               int64_t previous_until);

#endif
