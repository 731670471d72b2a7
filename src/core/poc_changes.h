/*
 * Two-person changes of a PoC's e-mail address and OpenPGP key, the fields whose quiet change
 * would hijack a state's entry. A change waits, pending, until a second state_admin of the
 * same state confirms it; in a state with a single state_admin it applies by itself
 * POC_CHANGE_DELAY seconds after it was proposed, and meanwhile the state's other accounts
 * (and the PoC at its current address) are told. A newer proposal replaces the pending ones
 * that change the same field (status "replaced"). Applying writes a new revision of the
 * entry, logged as the change, and marks when the e-mail or key changed for every reader.
 */
#ifndef POCD_CORE_POC_CHANGES_H
#define POCD_CORE_POC_CHANGES_H

#include <jansson.h>

#include "core/core.h"

#define POC_CHANGE_DELAY (24 * 3600)
/* The most changes a list shows, newest first; a longer list says it was cut. */
#define POC_CHANGES_SHOWN 500

/*
 * Inside the transaction of a PoC update (cur as stored, next as the client sent it): when
 * next changes the e-mail or the pgp_fingerprint, records a pending change of those fields
 * by actor, puts cur's values back into next (the rest of the update applies at once), and
 * tells the state. out->id is "" when nothing waits.
 */
enum pocd_err poc_changes_hold(struct store_conn *w, struct core *c, const struct principal *actor,
                               const struct poc *cur, struct poc *next, int64_t now,
                               struct poc_change *out);

/*
 * Inside a transaction: proposes ch (poc_id, state, email and key fields filled in) by actor,
 * with the armored key to attach on apply (NULL for none). Fills ch's id, times and status.
 */
enum pocd_err poc_changes_propose(struct store_conn *w, struct core *c,
                                  const struct principal *actor, struct poc_change *ch,
                                  const char *armored, int64_t now);

enum change_action { CHANGE_CONFIRM, CHANGE_CANCEL };

struct change_op {
	enum change_action action;
	struct principal actor;
	char poc_id[ID_SIZE];
	char change_id[ID_SIZE];
	int64_t now;
	/* POCD_ENOTFOUND: no such change of this PoC in the caller's state; POCD_EFORBIDDEN: the
	 * caller may not decide it; POCD_ECONFLICT: it is no longer pending. */
	enum pocd_err status;
	const char *why;          /* with an error: a reason to show, or NULL */
	struct poc_change change; /* out: the change as decided */
	struct poc poc;           /* out, confirm: the entry as the change left it */
	struct leaf_ref mine;     /* out: the caller's leaf in the log */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

/* Authorization is checked inside the transaction (authz_decide_poc_change). Queues op;
 * op->done follows. */
enum pocd_err poc_changes_decide(struct core *c, struct change_op *op);

/* The change as the API shows it (new reference; NULL on OOM). */
json_t *poc_change_encode(const struct poc_change *ch);

/* The scheduler's part: applies the changes whose delay has passed by now. Blocking. */
enum pocd_err poc_changes_process_due(struct core *c, int64_t now);
/* The earliest time a pending change applies by itself, 0 for none. */
enum pocd_err poc_changes_next_due(struct store_conn *rd, int64_t *out);

#endif
