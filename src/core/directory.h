/*
 * Changes to the directory: creating, changing and removing a state's PoCs. Each runs as a
 * write job: the checks that need the current row (revision, linked accounts) happen inside
 * the transaction, and each change appends its revision and its event there too.
 */
#ifndef POCD_CORE_DIRECTORY_H
#define POCD_CORE_DIRECTORY_H

#include "core/core.h"

/* POC_APPLY_CHANGE: a pending change of the e-mail or key (poc_changes.h) takes effect. */
enum poc_op_kind { POC_CREATE, POC_UPDATE, POC_DELETE, POC_CONFIRM, POC_APPLY_CHANGE };

struct poc_op {
	enum poc_op_kind kind;
	struct principal actor;
	/* in: the decoded client fields; poc.state for create, poc.id for update and delete.
	 * out (POCD_OK): the PoC as stored (as it was, for delete). */
	struct poc poc;
	int64_t if_match; /* update and delete: the revision the client saw; -1 for any */
	int64_t now;      /* the service's clock (core_now) */
	/* apply: the pending change, and who decided it ("" when it applied by itself) */
	const struct poc_change *change;
	const char *decider;
	/* out, update: the e-mail or key change it left pending (its id "" when none) */
	struct poc_change proposed;
	enum pocd_err status;
	struct verrs errs;    /* with POCD_EINVAL: accounts that cannot act for this PoC */
	struct leaf_ref mine; /* out: the caller's leaf in the log */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

/* Authorization (authz_write_pocs) is the caller's. Queues op; op->done follows. */
enum pocd_err directory_submit(struct core *c, struct poc_op *op);
/* The same, waiting for the commit (for pocd init and the demo data; op->done unused). */
enum pocd_err directory_apply_sync(struct core *c, struct poc_op *op);
/* Runs op inside the caller's write transaction (op->core set by the caller): for the
 * changes that other write jobs make to an entry. */
enum pocd_err directory_run(struct store_conn *w, struct poc_op *op);

#endif
