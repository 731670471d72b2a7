#include "core/directory.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/poc.h"
#include "core/poc_changes.h"
#include "core/record.h"
#include "core/scheduler.h"
#include "lib/timeutil.h"

static const char *const op_names[] = {"created", "changed", "removed", "confirmed",
                                       "change_applied"};
/* Why an open correction task of the PoC closes, by op. */
static const char *const task_reasons[] = {"created", "changed", "removed", "confirmed", "changed"};

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
	json_t *doc = poc_encode(&op->poc, true, NULL);
	char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	char type[32], details[128];
	struct event ev = {.type = type,
	                   .actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .states = op->poc.state,
	                   .object_id = op->poc.id,
	                   .details = details,
	                   .actor_role = actor_role_name(&op->actor),
	                   .content = text};
	enum pocd_err err = POCD_ENOMEM;

	json_decref(doc);
	if (text == NULL)
		return err;
	err = store_poc_revision_insert(
	    w, op->poc.id, op->kind == POC_DELETE ? op->poc.revision + 1 : op->poc.revision,
	    op_names[op->kind], op->actor.account_id, now, text);
	snprintf(type, sizeof(type), "poc.%s", op_names[op->kind]);
	if (op->kind == POC_APPLY_CHANGE)
		snprintf(details, sizeof(details), "{\"revision\":%lld,\"change\":\"%s\"}",
		         (long long)op->poc.revision, op->change->id);
	else
		snprintf(details, sizeof(details), "{\"revision\":%lld}",
		         (long long)op->poc.revision);
	/* The log commits to the entry as this revision left it. */
	if (err == POCD_OK)
		err = record_event(w, op->core, &ev, now, &op->mine);
	free(text);
	return err;
}

/* Without a review-by date of its own, an entry is due for review 12 months after its state
 * last confirmed (or changed) it. */
static void
default_review(struct poc *p)
{
	if (p->review_by[0] == '\0')
		date_plus_months(p->confirmed_at, 12, p->review_by);
}

/* The pending change takes effect on op->poc (the entry as stored): its fields, when they
 * changed, the key it brings, and its status. */
static enum pocd_err
apply_change(struct store_conn *w, struct poc_op *op, int64_t now)
{
	const struct poc_change *ch = op->change;
	char *armored = NULL;
	enum pocd_err err;

	if (ch->email[0] != '\0') {
		strlcpy(op->poc.email, ch->email, sizeof(op->poc.email));
		op->poc.email_changed_at = now;
	}
	if (ch->key_change) {
		strlcpy(op->poc.pgp_fingerprint, ch->fingerprint, sizeof(op->poc.pgp_fingerprint));
		op->poc.key_changed_at = now;
	}
	err = store_poc_update(w, &op->poc);
	if (err == POCD_OK)
		err = store_poc_contact_changed(w, op->poc.id, ch->email[0] != '\0', ch->key_change,
		                                now);
	if (err == POCD_OK && ch->has_armored) {
		err = store_poc_change_armored(w, ch->id, &armored);
		if (err == POCD_OK)
			err = store_poc_key_put(w, op->poc.id, ch->fingerprint, armored,
			                        ch->key_expires, now);
		free(armored);
	}
	if (err == POCD_OK)
		err = store_poc_change_decide(w, ch->id, POC_CHANGE_APPLIED, op->decider, now);
	return err;
}

enum pocd_err
directory_run(struct store_conn *w, struct poc_op *op)
{
	int64_t now = op->now;
	struct poc cur;
	enum pocd_err err;

	op->errs.n = 0;
	op->proposed.id[0] = '\0';
	leaf_ref_clear(&op->mine);
	if (op->kind == POC_CREATE) {
		rand_id(op->poc.id);
		op->poc.revision = 1;
		op->poc.created_at = op->poc.updated_at = op->poc.confirmed_at = now;
		op->poc.email_changed_at = op->poc.key_changed_at = 0;
		default_review(&op->poc);
		err = check_accounts(w, op);
		if (err == POCD_OK)
			err = store_poc_insert(w, &op->poc);
		goto out;
	}
	err = store_poc_get(w, op->poc.id, &cur);
	if (err != POCD_OK)
		return err;
	if (strcmp(cur.state, op->actor.state) != 0)
		return POCD_EFORBIDDEN;
	if (op->if_match >= 0 && cur.revision != op->if_match)
		return POCD_EPRECOND;
	switch (op->kind) {
	case POC_DELETE:
		op->poc = cur;
		err = store_poc_delete(w, cur.id);
		if (err == POCD_OK)
			err = store_pings_stop_poc(w, cur.id);
		/* What waited for the entry goes with it. */
		if (err == POCD_OK)
			err = store_poc_changes_supersede(
			    w, cur.id, true, true, POC_CHANGE_CANCELLED, op->actor.account_id, now);
		break;
	case POC_CONFIRM:
	case POC_APPLY_CHANGE:
		op->poc = cur;
		/* A confirmation is a change of the review date alone. */
		if (op->kind == POC_CONFIRM)
			op->poc.review_by[0] = '\0';
		__attribute__((fallthrough));
	case POC_UPDATE:
		memcpy(op->poc.state, cur.state, sizeof(cur.state));
		op->poc.created_at = cur.created_at;
		op->poc.email_changed_at = cur.email_changed_at;
		op->poc.key_changed_at = cur.key_changed_at;
		op->poc.updated_at = op->poc.confirmed_at = now;
		op->poc.revision = cur.revision + 1;
		default_review(&op->poc);
		/* A confirmation keeps the links as they are, disabled accounts included. */
		err = op->kind == POC_UPDATE ? check_accounts(w, op) : POCD_OK;
		/* The e-mail and the key wait for a second administrator. */
		if (err == POCD_OK && op->kind == POC_UPDATE)
			err = poc_changes_hold(w, op->core, &op->actor, &cur, &op->poc, now,
			                       &op->proposed);
		if (err == POCD_OK)
			err = op->kind == POC_APPLY_CHANGE ? apply_change(w, op, now)
			                                   : store_poc_update(w, &op->poc);
		break;
	case POC_CREATE:
		break;
	}
	if (err == POCD_OK)
		err = store_tasks_close_poc(w, op->poc.id, task_reasons[op->kind], now);
out:
	if (err != POCD_OK)
		return err;
	return record(w, op, now);
}

static enum pocd_err
poc_run(struct store_conn *w, struct store_job *j)
{
	struct poc_op *op = container_of(j, struct poc_op, job);
	enum pocd_err err = directory_run(w, op);

	if (err == POCD_OK)
		j->directory_changed = true;
	return err;
}

static void
poc_committed(struct store_job *j, enum pocd_err st)
{
	struct poc_op *op = container_of(j, struct poc_op, job);

	/* A review-by date may now come before the one the scheduler sleeps towards. */
	if (st == POCD_OK && op->core->scheduler != NULL)
		scheduler_kick(op->core->scheduler);
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
