#include "core/poc_changes.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/authz.h"
#include "core/directory.h"
#include "core/notify.h"
#include "core/record.h"
#include "lib/log.h"
#include "lib/timeutil.h"

#define DUE_BATCH 64

/* Logs a step of a change that writes no revision: proposed, cancelled. */
static enum pocd_err
log_step(struct store_conn *w, struct core *c, const struct principal *actor, const char *type,
         const struct poc_change *ch, int64_t now, struct leaf_ref *mine)
{
	char details[160];
	struct event ev = {.type = type,
	                   .actor_account = actor->account_id[0] ? actor->account_id : NULL,
	                   .actor_state = ch->state,
	                   .actor_role = actor->account_id[0] ? actor_role_name(actor) : NULL,
	                   .states = ch->state,
	                   .object_id = ch->poc_id,
	                   .details = details};

	snprintf(details, sizeof(details), "{\"change\":\"%s\",\"email\":%s,\"key\":%s}", ch->id,
	         ch->email[0] != '\0' ? "true" : "false", ch->key_change ? "true" : "false");
	return record_event(w, c, &ev, now, mine);
}

enum pocd_err
poc_changes_propose(struct store_conn *w, struct core *c, const struct principal *actor,
                    struct poc_change *ch, const char *armored, int64_t now)
{
	int64_t admins = 0;
	enum pocd_err err;

	rand_id(ch->id);
	strlcpy(ch->proposed_by, actor->account_id, sizeof(ch->proposed_by));
	ch->created_at = now;
	ch->status = POC_CHANGE_PENDING;
	ch->decided_by[0] = '\0';
	ch->decided_at = 0;
	ch->has_armored = armored != NULL;
	/* An administrator disabled within the delay still counts: disabling the others first
	 * must not turn a confirmation into a wait. A state whose second administrator left
	 * waits that long before its changes take the delayed path. */
	err = store_accounts_count_since(w, ch->state, ROLE_STATE_ADMIN, now - POC_CHANGE_DELAY,
	                                 &admins);
	if (err != POCD_OK)
		return err;
	/* Nobody can confirm in a state with one administrator: time stands in for the second
	 * person, and the state's other accounts are told in the meantime. */
	ch->effective_at = admins <= 1 ? now + POC_CHANGE_DELAY : 0;
	err = store_poc_changes_supersede(w, ch->poc_id, ch->email[0] != '\0', ch->key_change,
	                                  POC_CHANGE_REPLACED, actor->account_id, now);
	if (err == POCD_OK)
		err = store_poc_change_insert(w, ch, armored);
	if (err == POCD_OK)
		err = log_step(w, c, actor, "poc.change_proposed", ch, now, NULL);
	/* The job's commit kicks the scheduler, whose next wake-up may now be this delay's end. */
	if (err == POCD_OK)
		err = notify_poc_change(w, ch, now);
	return err;
}

enum pocd_err
poc_changes_hold(struct store_conn *w, struct core *c, const struct principal *actor,
                 const struct poc *cur, struct poc *next, int64_t now, struct poc_change *out)
{
	bool email = strcmp(cur->email, next->email) != 0;
	bool key = strcmp(cur->pgp_fingerprint, next->pgp_fingerprint) != 0;

	memset(out, 0, sizeof(*out));
	if (!email && !key)
		return POCD_OK;
	memcpy(out->poc_id, cur->id, ID_SIZE);
	memcpy(out->state, cur->state, STATE_SIZE);
	if (email)
		strlcpy(out->email, next->email, sizeof(out->email));
	out->key_change = key;
	if (key)
		strlcpy(out->fingerprint, next->pgp_fingerprint, sizeof(out->fingerprint));
	/* Until it is confirmed, the entry keeps the address and key it has. */
	strlcpy(next->email, cur->email, sizeof(next->email));
	strlcpy(next->pgp_fingerprint, cur->pgp_fingerprint, sizeof(next->pgp_fingerprint));
	return poc_changes_propose(w, c, actor, out, NULL, now);
}

/* Applies ch in the caller's transaction by actor (who acts for the revision), decided by
 * decider ("" when by itself). Fills poc and mine when given. */
static enum pocd_err
apply(struct store_conn *w, struct core *c, const struct principal *actor,
      const struct poc_change *ch, const char *decider, int64_t now, struct poc *poc,
      struct leaf_ref *mine)
{
	struct poc_op *op = calloc(1, sizeof(*op));
	enum pocd_err err;

	if (op == NULL)
		return POCD_ENOMEM;
	op->kind = POC_APPLY_CHANGE;
	op->actor = *actor;
	memcpy(op->poc.id, ch->poc_id, ID_SIZE);
	op->if_match = -1;
	op->now = now;
	op->change = ch;
	op->decider = decider;
	op->core = c;
	err = directory_run(w, op);
	if (err == POCD_OK && poc != NULL)
		*poc = op->poc;
	if (err == POCD_OK && mine != NULL)
		*mine = op->mine;
	free(op);
	return err;
}

/* Whether the confirmer was a person of the state when the change was proposed: an account
 * made later, or one whose password a recovery link set since, is (or may be) the proposer
 * again. POCD_EFORBIDDEN if not. */
static enum pocd_err
confirmer_predates(struct store_conn *w, const struct principal *p, const struct poc_change *ch)
{
	struct account a;
	bool recovered = false;
	enum pocd_err err = store_account_get(w, p->account_id, &a);

	if (err == POCD_OK && a.created_at >= ch->created_at)
		return POCD_EFORBIDDEN;
	if (err == POCD_OK)
		err = store_enrolment_reset_used_since(w, a.id, ch->created_at, &recovered);
	return err == POCD_OK && recovered ? POCD_EFORBIDDEN : err;
}

static enum pocd_err
decide_run(struct store_conn *w, struct store_job *j)
{
	struct change_op *op = container_of(j, struct change_op, job);
	bool confirm = op->action == CHANGE_CONFIRM;
	enum pocd_err err;

	op->why = NULL;
	leaf_ref_clear(&op->mine);
	err = store_poc_change_get(w, op->change_id, &op->change);
	if (err == POCD_OK && strcmp(op->change.poc_id, op->poc_id) != 0)
		err = POCD_ENOTFOUND;
	/* A removed entry's changes went with it. */
	if (err == POCD_OK)
		err = store_poc_get(w, op->poc_id, &op->poc);
	if (err == POCD_OK)
		err = authz_decide_poc_change(&op->actor, &op->change, confirm);
	if (err == POCD_ENOTFOUND) {
		op->why = "this PoC has no change with this id";
		return err;
	}
	if (err == POCD_EFORBIDDEN) {
		op->why = !confirm || authz_write_pocs(&op->actor, op->change.state) != POCD_OK
		              ? "only this state's administrators decide changes of its entries"
		              : "a change is confirmed by another administrator than the one who "
		                "proposed it";
		return err;
	}
	if (err != POCD_OK)
		return err;
	if (op->change.status != POC_CHANGE_PENDING) {
		op->why = "this change is no longer pending";
		return POCD_ECONFLICT;
	}
	err = confirm ? confirmer_predates(w, &op->actor, &op->change) : POCD_OK;
	if (err == POCD_EFORBIDDEN)
		op->why =
		    "a change is confirmed by an administrator whose account existed, and was "
		    "not recovered with a link, when it was proposed";
	if (err != POCD_OK)
		return err;
	if (confirm) {
		err = apply(w, op->core, &op->actor, &op->change, op->actor.account_id, op->now,
		            &op->poc, &op->mine);
		if (err == POCD_OK)
			j->directory_changed = true;
	} else {
		err = store_poc_change_decide(w, op->change.id, POC_CHANGE_CANCELLED,
		                              op->actor.account_id, op->now);
		if (err == POCD_OK)
			err = log_step(w, op->core, &op->actor, "poc.change_cancelled", &op->change,
			               op->now, &op->mine);
	}
	if (err == POCD_OK) {
		op->change.status = confirm ? POC_CHANGE_APPLIED : POC_CHANGE_CANCELLED;
		memcpy(op->change.decided_by, op->actor.account_id, ID_SIZE);
		op->change.decided_at = op->now;
	}
	return err;
}

static void
decide_committed(struct store_job *j, enum pocd_err st)
{
	struct change_op *op = container_of(j, struct change_op, job);

	op->status = st;
	op->done(op->arg);
}

enum pocd_err
poc_changes_decide(struct core *c, struct change_op *op)
{
	op->core = c;
	op->job.run = decide_run;
	op->job.done = decide_committed;
	return store_submit(c->store, &op->job);
}

json_t *
poc_change_encode(const struct poc_change *ch)
{
	char created[RFC3339_SIZE];
	json_t *o, *fields;

	fmt_rfc3339(ch->created_at, created);
	fields = json_object();
	if (fields != NULL && ch->email[0] != '\0')
		json_object_set_new(fields, "email", json_string(ch->email));
	if (fields != NULL && ch->key_change)
		json_object_set_new(fields, "pgp_fingerprint",
		                    ch->fingerprint[0] != '\0' ? json_string(ch->fingerprint)
		                                               : json_null());
	o = json_pack("{s:s,s:s,s:s,s:o*,s:b,s:s,s:s,s:s,s:n}", "id", ch->id, "poc", ch->poc_id,
	              "state", ch->state, "fields", fields, "with_key", ch->has_armored,
	              "proposed_by", ch->proposed_by, "created_at", created, "status",
	              store_poc_change_status_name(ch->status), "effective_at");
	if (o == NULL)
		return NULL;
	if (ch->effective_at != 0) {
		char when[RFC3339_SIZE];
		fmt_rfc3339(ch->effective_at, when);
		json_object_set_new(o, "effective_at", json_string(when));
	}
	if (ch->status == POC_CHANGE_PENDING)
		json_object_set_new(o, "awaiting",
		                    json_string(ch->effective_at != 0 ? "delay" : "confirmation"));
	if (ch->decided_at != 0) {
		char when[RFC3339_SIZE];
		fmt_rfc3339(ch->decided_at, when);
		json_object_set_new(o, "decided_at", json_string(when));
		if (ch->decided_by[0] != '\0')
			json_object_set_new(o, "decided_by", json_string(ch->decided_by));
	}
	return o;
}

struct due_job {
	struct store_job job;
	struct core *core;
	int64_t now;
	size_t n, i; /* the changes collected; the one being applied */
	struct poc_change items[DUE_BATCH];
};

static int
collect(const struct poc_change *ch, void *arg)
{
	struct due_job *dj = arg;

	dj->items[dj->n++] = *ch;
	return dj->n == DUE_BATCH;
}

/* A change whose delay has passed applies in its proposer's name, unless the proposer's
 * account was disabled meanwhile: then it is cancelled, as its state would want. */
static enum pocd_err
due_one(struct store_conn *w, struct core *c, const struct poc_change *ch, int64_t now)
{
	struct principal actor;
	struct account a;
	enum pocd_err err = store_account_get(w, ch->proposed_by, &a);

	if (err != POCD_OK)
		return err;
	memset(&actor, 0, sizeof(actor));
	memcpy(actor.account_id, a.id, ID_SIZE);
	strlcpy(actor.username, a.username, sizeof(actor.username));
	actor.role = a.role;
	memcpy(actor.state, a.state, STATE_SIZE);
	actor.participating = true;
	if (a.disabled || a.role != ROLE_STATE_ADMIN) {
		err = store_poc_change_decide(w, ch->id, POC_CHANGE_CANCELLED, "", now);
		return err == POCD_OK
		           ? log_step(w, c, &actor, "poc.change_cancelled", ch, now, NULL)
		           : err;
	}
	return apply(w, c, &actor, ch, "", now, NULL, NULL);
}

static enum pocd_err
due_collect_run(struct store_conn *w, struct store_job *j)
{
	struct due_job *dj = container_of(j, struct due_job, job);

	dj->n = 0;
	return store_poc_changes_due(w, dj->now, DUE_BATCH, collect, dj);
}

/* Each change applies in a job of its own, so that one that fails is undone alone. */
static enum pocd_err
due_apply_run(struct store_conn *w, struct store_job *j)
{
	struct due_job *dj = container_of(j, struct due_job, job);
	const struct poc_change *ch = &dj->items[dj->i];
	enum pocd_err err = due_one(w, dj->core, ch, dj->now);

	/* The entry went away meanwhile: nothing left to change. */
	if (err == POCD_ENOTFOUND)
		err = store_poc_change_decide(w, ch->id, POC_CHANGE_CANCELLED, "", dj->now);
	if (err == POCD_OK)
		j->directory_changed = true;
	return err;
}

/* A change that cannot apply is cancelled, by nobody, in the record: left pending it would
 * come due again at every turn and hold up the changes behind it. */
static enum pocd_err
due_drop_run(struct store_conn *w, struct store_job *j)
{
	struct due_job *dj = container_of(j, struct due_job, job);
	const struct poc_change *ch = &dj->items[dj->i];
	struct principal nobody;
	enum pocd_err err = store_poc_change_decide(w, ch->id, POC_CHANGE_CANCELLED, "", dj->now);

	memset(&nobody, 0, sizeof(nobody));
	return err == POCD_OK
	           ? log_step(w, dj->core, &nobody, "poc.change_cancelled", ch, dj->now, NULL)
	           : err;
}

enum pocd_err
poc_changes_process_due(struct core *c, int64_t now)
{
	struct due_job *dj = calloc(1, sizeof(*dj));
	enum pocd_err err, one;

	if (dj == NULL)
		return POCD_ENOMEM;
	dj->core = c;
	dj->now = now;
	do {
		dj->job.run = due_collect_run;
		err = store_run_sync(c->store, &dj->job);
		for (dj->i = 0; err == POCD_OK && dj->i < dj->n; dj->i++) {
			dj->job.run = due_apply_run;
			one = store_run_sync(c->store, &dj->job);
			if (one == POCD_OK)
				continue;
			log_info("poc changes: change %s of PoC %s could not be applied (%s): "
			         "cancelled",
			         dj->items[dj->i].id, dj->items[dj->i].poc_id, pocd_err_name(one));
			dj->job.run = due_drop_run;
			err = store_run_sync(c->store, &dj->job);
		}
	} while (err == POCD_OK && dj->n == DUE_BATCH);
	if (err != POCD_OK)
		log_info("poc changes: applying due changes failed: %s", pocd_err_name(err));
	free(dj);
	return err;
}

enum pocd_err
poc_changes_next_due(struct store_conn *rd, int64_t *out)
{
	return store_poc_changes_next_due(rd, out);
}
