/*
 * Witnesses of the log: states' Ed25519 keys that cosign checkpoints (C2SP tlog-cosignature
 * v1) after checking them consistent with the last one they cosigned. A host that showed two
 * states different histories is caught by the first witness that sees both.
 */
#ifndef POCD_CORE_WITNESS_H
#define POCD_CORE_WITNESS_H

#include "core/core.h"
#include "core/note.h"

/* How far in the future a cosignature's time may be (clocks differ a little). */
#define WITNESS_CLOCK_SKEW 300
/* How old a cosignature may be when it is posted. */
#define WITNESS_MAX_AGE 86400

struct witness_op {
	struct principal actor;
	char key[NOTE_KEY_TEXT]; /* in: the vkey NAME+ID+BASE64 of a cosignature key */
	int64_t now;
	enum pocd_err status; /* POCD_ECONFLICT: the name or key is registered already */
	struct verrs errs;    /* with POCD_EINVAL */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

/* Registers op->key for the actor's state (authorization is the caller's: authz_register_witness).
 * Checks the key before queueing: POCD_EINVAL with op->errs when it is not a cosignature key. */
enum pocd_err witness_register(struct core *c, struct witness_op *op);

struct cosign_op {
	struct principal actor;
	uint64_t size;
	char line[NOTE_SIG_LINE]; /* in: "— NAME BASE64" */
	char witness[NOTE_NAME_MAX];
	uint64_t signed_at; /* out: the cosignature's time */
	enum pocd_err status;
	struct verrs errs;
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

/* Checks a cosignature of the checkpoint of op->size by a witness of the actor's state (on the
 * reader rd: the witness, its key, the checkpoint and the signature) and queues it to be kept.
 * POCD_EINVAL with op->errs when it does not verify; POCD_EFORBIDDEN when the witness belongs to
 * another state. */
enum pocd_err witness_cosign(struct core *c, struct store_conn *rd, struct cosign_op *op);

#endif
