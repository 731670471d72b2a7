#include "core/keys.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/poc_changes.h"
#include "core/record.h"
#include "core/scheduler.h"

static enum pocd_err
attach_run(struct store_conn *w, struct store_job *j)
{
	struct key_op *op = container_of(j, struct key_op, job);
	struct poc poc;
	char details[80];
	struct event ev = {.type = "poc.key_attached",
	                   .actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .actor_role = actor_role_name(&op->actor),
	                   .details = details};
	enum pocd_err err = store_poc_get(w, op->poc_id, &poc);

	op->errs.n = 0;
	op->proposed.id[0] = '\0';
	if (err != POCD_OK)
		return err;
	if (strcmp(poc.state, op->actor.state) != 0)
		return POCD_EFORBIDDEN;
	/* The entry's fingerprint is what counterparts check a key against: a key of another
	 * fingerprint changes it, and waits for a second administrator like any key change. */
	if (strcmp(poc.pgp_fingerprint, op->fingerprint) != 0) {
		memset(&op->proposed, 0, sizeof(op->proposed));
		memcpy(op->proposed.poc_id, poc.id, ID_SIZE);
		memcpy(op->proposed.state, poc.state, STATE_SIZE);
		op->proposed.key_change = true;
		memcpy(op->proposed.fingerprint, op->fingerprint, FPR_SIZE);
		op->proposed.key_expires = op->expires;
		return poc_changes_propose(w, op->core, &op->actor, &op->proposed, op->armored,
		                           op->now);
	}
	err = store_poc_key_put(w, poc.id, op->fingerprint, op->armored, op->expires, op->now);
	if (err != POCD_OK)
		return err;
	snprintf(details, sizeof(details), "{\"fingerprint\":\"%s\"}", op->fingerprint);
	ev.states = poc.state;
	ev.object_id = poc.id;
	return record_event(w, op->core, &ev, op->now, NULL);
}

static void
attach_committed(struct store_job *j, enum pocd_err st)
{
	struct key_op *op = container_of(j, struct key_op, job);

	/* Its expiry warning may be due before whatever the scheduler sleeps towards. */
	if (st == POCD_OK && op->core->scheduler != NULL)
		scheduler_kick(op->core->scheduler);
	op->status = st;
	op->done(op->arg);
}

enum pocd_err
keys_attach(struct core *c, struct key_op *op)
{
	op->core = c;
	op->job.run = attach_run;
	op->job.done = attach_committed;
	return store_submit(c->store, &op->job);
}

struct service_job {
	struct store_job job;
	const char *current, *previous;
	int64_t previous_until;
};

static enum pocd_err
service_run(struct store_conn *w, struct store_job *j)
{
	struct service_job *sj = container_of(j, struct service_job, job);
	char until[24];
	enum pocd_err err;

	snprintf(until, sizeof(until), "%lld", (long long)sj->previous_until);
	err = store_meta_put(w, "mail_key", sj->current);
	if (err == POCD_OK)
		err = store_meta_put(w, "mail_key_previous", sj->previous);
	return err != POCD_OK ? err : store_meta_put(w, "mail_key_previous_until", until);
}

enum pocd_err
keys_set_service(struct core *c, const char *current, const char *previous, int64_t previous_until)
{
	struct service_job sj = {.job = {.run = service_run},
	                         .current = current,
	                         .previous = previous,
	                         .previous_until = previous_until};

	return store_run_sync(c->store, &sj.job);
}
