#include "core/directory.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/poc.h"
#include "lib/timeutil.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static const char *const op_names[] = {"created", "changed", "removed"};

/* Each linked account must be an enabled account of the PoC's own state. */
static enum pocd_err
check_accounts(struct store_conn *w, struct poc_op *op)
{
	struct account a;
	char field[VERR_FIELD];
	enum pocd_err err;

	for (size_t i = 0; i < op->poc.naccounts; i++) {
		err = store_account_get(w, op->poc.accounts[i], &a);
		if (err != POCD_OK && err != POCD_ENOTFOUND)
			return err;
		snprintf(field, sizeof(field), "accounts[%zu]", i);
		if (err == POCD_ENOTFOUND || strcmp(a.state, op->poc.state) != 0)
			verr_add(&op->errs, field, "is not an account of %s", op->poc.state);
		else if (a.disabled)
			verr_add(&op->errs, field, "is a disabled account");
	}
	return op->errs.n == 0 ? POCD_OK : POCD_EINVAL;
}

/* Appends the revision snapshot and the event of a change to p. */
static enum pocd_err
record(struct store_conn *w, struct poc_op *op, int64_t now)
{
	json_t *doc = poc_encode(&op->poc, true);
	char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	char type[32], details[64];
	struct event ev = {.type = type,
	                   .actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .states = op->poc.state,
	                   .object_id = op->poc.id,
	                   .details = details};
	enum pocd_err err = POCD_ENOMEM;

	json_decref(doc);
	if (text == NULL)
		return err;
	err = store_poc_revision_insert(
	    w, op->poc.id, op->kind == POC_DELETE ? op->poc.revision + 1 : op->poc.revision,
	    op_names[op->kind], op->actor.account_id, now, text);
	free(text);
	if (err != POCD_OK)
		return err;
	snprintf(type, sizeof(type), "poc.%s", op_names[op->kind]);
	snprintf(details, sizeof(details), "{\"revision\":%lld}", (long long)op->poc.revision);
	return store_event_append(w, &ev, now);
}

static enum pocd_err
poc_run(struct store_conn *w, struct store_job *j)
{
	struct poc_op *op = container_of(j, struct poc_op, job);
	int64_t now = now_s();
	struct poc cur;
	enum pocd_err err;

	op->errs.n = 0;
	if (op->kind == POC_CREATE) {
		rand_id(op->poc.id);
		op->poc.revision = 1;
		op->poc.created_at = op->poc.updated_at = now;
		err = check_accounts(w, op);
		if (err == POCD_OK)
			err = store_poc_insert(w, &op->poc);
	} else {
		err = store_poc_get(w, op->poc.id, &cur);
		if (err != POCD_OK)
			return err;
		if (strcmp(cur.state, op->actor.state) != 0)
			return POCD_EFORBIDDEN;
		if (cur.revision != op->if_match)
			return POCD_EPRECOND;
		if (op->kind == POC_DELETE) {
			op->poc = cur;
			err = store_poc_delete(w, cur.id);
		} else {
			memcpy(op->poc.state, cur.state, sizeof(cur.state));
			op->poc.created_at = cur.created_at;
			op->poc.updated_at = now;
			op->poc.revision = cur.revision + 1;
			err = check_accounts(w, op);
			if (err == POCD_OK)
				err = store_poc_update(w, &op->poc);
		}
	}
	if (err != POCD_OK)
		return err;
	j->directory_changed = true;
	return record(w, op, now);
}

static void
poc_committed(struct store_job *j, enum pocd_err st)
{
	struct poc_op *op = container_of(j, struct poc_op, job);

	op->status = st;
	op->done(op->arg);
}

enum pocd_err
directory_submit(struct core *c, struct poc_op *op)
{
	op->core = c;
	op->job.run = poc_run;
	op->job.done = poc_committed;
	return store_submit(c->store, &op->job);
}

enum pocd_err
directory_apply_sync(struct core *c, struct poc_op *op)
{
	op->core = c;
	op->job.run = poc_run;
	op->job.done = NULL;
	op->status = store_run_sync(c->store, &op->job);
	return op->status;
}
