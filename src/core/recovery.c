#include "core/recovery.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/authz.h"
#include "core/notify.h"
#include "core/sessions.h"
#include "core/throttle.h"
#include "lib/timeutil.h"

#define RESET_QUEUE_MAX 16 /* recoveries waiting for a hash; beyond it 503 */
/* Unknown recovery links count against the client as failed logins of this name, which no
 * account can have (names start with a letter or digit). */
#define RESET_THROTTLE_NAME "(recovery link)"

/* Who is told of a link and how: accounts of state (all, or only the target and the
 * state's administrators) get a notice; PoCs (all of the state, or those the target acts
 * for) get a mail of the same kind, whose reference is the link. */
struct tell_ctx {
	struct store_conn *w;
	const char *kind, *ref, *details;
	const char *target; /* NULL: every account and PoC of the state */
	int64_t now;
	size_t notices, mails;
	enum pocd_err err;
};

static int
notice_account(const struct account *a, void *arg)
{
	struct tell_ctx *t = arg;

	/* A state's administrators watch over its accounts; every Secretariat account over the
	 * Secretariat's (listed alone: they have no state). */
	if (t->target != NULL && strcmp(a->id, t->target) != 0 &&
	    ((a->role != ROLE_STATE_ADMIN && a->role != ROLE_SECRETARIAT) || a->disabled))
		return 0;
	t->err = store_notice_insert(t->w, a->id, t->kind, t->now, t->details);
	t->notices += t->err == POCD_OK;
	return t->err != POCD_OK;
}

/* Accounts have no mail addresses: their state's PoCs' functional mailboxes are where the
 * state reads its mail, so each PoC concerned is told. */
static int
mail_poc(const struct poc *p, void *arg)
{
	struct tell_ctx *t = arg;
	bool concerned = t->target == NULL;
	char lang[3];

	for (size_t i = 0; !concerned && i < p->naccounts; i++)
		concerned = strcmp(p->accounts[i], t->target) == 0;
	if (!concerned)
		return 0;
	notify_poc_lang(p, lang);
	t->err = store_outbox_add(t->w, t->kind, t->ref, p->id, p->state, lang, t->details, t->now);
	t->mails += t->err == POCD_OK;
	return t->err != POCD_OK;
}

/* Tells t's accounts and PoCs of state ("": the Secretariat's accounts, which no PoC acts
 * for), in the caller's transaction. */
static enum pocd_err
tell(struct tell_ctx *t, const char *state)
{
	struct poc_filter f = {.kind = -1, .limit = 1000000};
	enum pocd_err err = store_accounts_list(t->w, state, notice_account, t);

	if (err == POCD_OK)
		err = t->err;
	if (err != POCD_OK || state[0] == '\0')
		return err;
	memcpy(f.state, state, sizeof(f.state));
	err = store_pocs_list(t->w, &f, mail_poc, t);
	return err == POCD_OK ? t->err : err;
}

/* Tells the account a recovery link is for, its state's administrators and the PoCs it
 * acts for that the link e was issued (used == false) or used at now. */
static enum pocd_err
tell_recovery(struct store_conn *w, const struct enrolment *e, const struct account *a, bool used,
              int64_t now)
{
	char details[512], at[RFC3339_SIZE], expires[RFC3339_SIZE];
	struct tell_ctx t = {.w = w,
	                     .kind = used ? NOTICE_RECOVERED : NOTICE_RECOVERY_LINK,
	                     .ref = e->id,
	                     .details = details,
	                     .target = a->id,
	                     .now = now};
	int n;

	fmt_rfc3339(now, at);
	fmt_rfc3339(e->expires_at, expires);
	n = snprintf(details, sizeof(details),
	             "{\"state\":\"%s\",\"account\":\"%s\",\"username\":\"%s\",\"link\":\"%s\","
	             "\"issued_by\":\"%s\",\"%s\":\"%s\",\"expires\":\"%s\"}",
	             a->state, a->id, a->username, e->id, e->created_by, used ? "used" : "at", at,
	             expires);
	if (n < 0 || (size_t)n >= sizeof(details))
		return POCD_ENOMEM; /* cannot be: every field is bounded */
	return tell(&t, a->state);
}

static enum pocd_err
link_run(struct store_conn *w, struct store_job *j)
{
	struct reset_link_op *op = container_of(j, struct reset_link_op, job);
	uint8_t hash[TOKEN_HASH_LEN];
	struct account a;
	int64_t now = core_now(op->core);
	struct event ev = {.type = "account.recovery_link",
	                   .actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .states = op->actor.state,
	                   .object_id = op->account_id,
	                   .details = "{}"};
	enum pocd_err err = store_account_get(w, op->account_id, &a);

	if (err == POCD_OK)
		err = authz_reset_account(&op->actor, &a);
	if (err == POCD_OK && strcmp(a.id, op->actor.account_id) == 0)
		err = POCD_ECONFLICT;
	if (err == POCD_OK)
		err = store_enrolments_spend_target(w, a.id, now);
	if (err != POCD_OK)
		return err;
	rand_token(op->token);
	token_hash(op->token, hash);
	memset(&op->link, 0, sizeof(op->link));
	rand_id(op->link.id);
	memcpy(op->link.state, a.state, sizeof(a.state));
	op->link.role = a.role;
	op->link.kind = ENROL_RESET;
	memcpy(op->link.target, a.id, sizeof(a.id));
	memcpy(op->link.created_by, op->actor.account_id, sizeof(op->actor.account_id));
	op->link.expires_at = now + op->core->cfg.enrolment_ttl;
	err = store_enrolment_insert(w, hash, &op->link, now);
	if (err == POCD_OK)
		err = tell_recovery(w, &op->link, &a, false, now);
	return err != POCD_OK ? err : store_event_append(w, &ev, now);
}

static void
link_committed(struct store_job *j, enum pocd_err st)
{
	struct reset_link_op *op = container_of(j, struct reset_link_op, job);

	op->status = st;
	if (st != POCD_OK)
		sodium_memzero(op->token, sizeof(op->token));
	op->done(op->arg);
}

enum pocd_err
recovery_create_link(struct core *c, struct reset_link_op *op)
{
	op->core = c;
	op->job.run = link_run;
	op->job.done = link_committed;
	return store_submit(c->store, &op->job);
}

/* The link of hash if it can still be used: a recovery link, unused, unexpired, for an
 * account still there, whose issuer may still issue it (authz_reset_link_valid). */
static enum pocd_err
usable_link(struct store_conn *c, struct core *core, const uint8_t hash[TOKEN_HASH_LEN],
            struct enrolment *e, struct account *target)
{
	struct account issuer;
	enum pocd_err err = store_enrolment_get(c, hash, e);

	if (err == POCD_ENOTFOUND ||
	    (err == POCD_OK &&
	     (e->kind != ENROL_RESET || e->used_at != 0 || e->expires_at <= core_now(core))))
		return POCD_EGONE;
	if (err == POCD_OK)
		err = store_account_get(c, e->created_by, &issuer);
	if (err == POCD_OK)
		err = store_account_get(c, e->target, target);
	if (err == POCD_OK &&
	    (strcmp(target->state, e->state) != 0 || !authz_reset_link_valid(&issuer, target)))
		return POCD_EGONE;
	return err == POCD_ENOTFOUND ? POCD_EGONE : err;
}

static enum pocd_err
reset_run(struct store_conn *w, struct store_job *j)
{
	struct reset_op *op = container_of(j, struct reset_op, job);
	uint8_t hash[TOKEN_HASH_LEN];
	struct enrolment e;
	struct totp_state none = {0};
	int64_t now = core_now(op->core);
	struct event ev = {.type = "account.recovered"};
	char details[96];
	enum pocd_err err;

	token_hash(op->token, hash);
	err = usable_link(w, op->core, hash, &e, &op->account);
	if (err == POCD_OK)
		err = store_enrolment_use(w, hash, now, op->account.id);
	if (err == POCD_ENOTFOUND)
		err = POCD_EGONE;
	if (err == POCD_OK)
		err = store_account_set_password(w, op->account.id, op->pwhash);
	if (err == POCD_OK)
		err = store_sessions_delete_account(w, op->account.id);
	if (err == POCD_OK)
		err = store_totp_put(w, op->account.id, &none);
	if (err == POCD_OK)
		err = store_enrolments_spend_target(w, op->account.id, now);
	if (err == POCD_OK)
		err = tell_recovery(w, &e, &op->account, true, now);
	if (err != POCD_OK)
		return err;
	snprintf(details, sizeof(details), "{\"link\":\"%s\",\"issued_by\":\"%s\"}", e.id,
	         e.created_by);
	ev.actor_account = op->account.id;
	ev.actor_state = op->account.state;
	ev.states = op->account.state;
	ev.object_id = op->account.id;
	ev.details = details;
	return store_event_append(w, &ev, now);
}

static void
reset_committed(struct store_job *j, enum pocd_err st)
{
	struct reset_op *op = container_of(j, struct reset_op, job);

	sodium_memzero(op->pwhash, sizeof(op->pwhash));
	/* After the commit, so that no request re-caches a session of the account. */
	session_cache_flush(op->core->sessions);
	op->status = st;
	op->done(op->arg);
}

static void
reset_work(struct work *w)
{
	struct reset_op *op = container_of(w, struct reset_op, work);
	enum pocd_err err = password_hash(op->password, op->pwhash);

	sodium_memzero(op->password, sizeof(op->password));
	if (err == POCD_OK) {
		op->job.run = reset_run;
		op->job.done = reset_committed;
		err = store_submit(op->core->store, &op->job);
		if (err == POCD_OK)
			return;
	}
	sodium_memzero(op->pwhash, sizeof(op->pwhash));
	op->status = err;
	op->done(op->arg);
}

enum pocd_err
recovery_reset(struct core *c, struct reset_op *op)
{
	struct store_conn *rd = store_reader(c->store);
	uint8_t hash[TOKEN_HASH_LEN];
	struct enrolment e;
	struct account a;
	enum pocd_err err = POCD_EGONE;

	op->core = c;
	op->work.fn = reset_work;
	if (!throttle_allow(c->throttle, RESET_THROTTLE_NAME, op->client, core_now(c),
	                    &op->retry_after)) {
		err = POCD_ETHROTTLED;
		goto fail;
	}
	/* No argon2id for a link that cannot work: the transaction checks again. */
	if (rd == NULL)
		err = POCD_ESTORE;
	else if (token_valid(op->token)) {
		token_hash(op->token, hash);
		err = usable_link(rd, c, hash, &e, &a);
	}
	if (err == POCD_EGONE)
		throttle_fail(c->throttle, RESET_THROTTLE_NAME, op->client, core_now(c));
	if (err != POCD_OK)
		goto fail;
	if (workq_submit(c->hashq, &op->work, RESET_QUEUE_MAX) != 0) {
		err = POCD_EUNAVAILABLE;
		goto fail;
	}
	return POCD_OK;
fail:
	sodium_memzero(op->password, sizeof(op->password));
	return err;
}

static enum pocd_err
reenrol_run(struct store_conn *w, struct store_job *j)
{
	struct reenrol_op *op = container_of(j, struct reenrol_op, job);
	uint8_t hash[TOKEN_HASH_LEN];
	struct state_rec st;
	char details[128], at[RFC3339_SIZE], expires[RFC3339_SIZE];
	struct tell_ctx t = {
	    .w = w, .kind = NOTICE_REENROLMENT, .details = details, .now = op->now};
	struct event ev = {.type = "account.reenrolment",
	                   .actor_account = op->actor.account_id,
	                   .actor_role = actor_role_name(&op->actor),
	                   .states = op->state,
	                   .id = op->event_id};
	enum pocd_err err = store_state_get(w, op->state, &st);

	if (err != POCD_OK)
		return err;
	rand_token(op->token);
	token_hash(op->token, hash);
	memset(&op->link, 0, sizeof(op->link));
	rand_id(op->link.id);
	memcpy(op->link.state, op->state, sizeof(op->state));
	op->link.role = ROLE_STATE_ADMIN;
	op->link.kind = ENROL_REENROL;
	memcpy(op->link.created_by, op->actor.account_id, sizeof(op->actor.account_id));
	op->link.expires_at = op->now + REENROL_DELAY + op->core->cfg.enrolment_ttl;
	err = store_enrolment_insert(w, hash, &op->link, op->now);
	if (err != POCD_OK)
		return err;
	fmt_rfc3339(op->now, at);
	fmt_rfc3339(op->link.expires_at, expires);
	snprintf(details, sizeof(details),
	         "{\"state\":\"%s\",\"enrolment\":\"%s\",\"at\":\"%s\",\"expires\":\"%s\"}",
	         op->state, op->link.id, at, expires);
	t.ref = op->link.id;
	err = tell(&t, op->state);
	if (err != POCD_OK)
		return err;
	op->notices = t.notices;
	op->mails = t.mails;
	rand_id(op->event_id);
	ev.object_id = op->link.id;
	ev.details = details;
	return record_event(w, op->core, &ev, op->now, NULL);
}

static void
reenrol_committed(struct store_job *j, enum pocd_err st)
{
	struct reenrol_op *op = container_of(j, struct reenrol_op, job);

	op->status = st;
	if (st != POCD_OK)
		sodium_memzero(op->token, sizeof(op->token));
	op->done(op->arg);
}

enum pocd_err
recovery_reenrol(struct core *c, struct reenrol_op *op)
{
	if (op->actor.role != ROLE_SECRETARIAT)
		return POCD_EFORBIDDEN;
	op->core = c;
	op->job.run = reenrol_run;
	op->job.done = reenrol_committed;
	return store_submit(c->store, &op->job);
}

static enum pocd_err
cancel_run(struct store_conn *w, struct store_job *j)
{
	struct reenrol_cancel_op *op = container_of(j, struct reenrol_cancel_op, job);
	struct event ev = {.type = "account.reenrolment_cancelled",
	                   .actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .actor_role = actor_role_name(&op->actor),
	                   .states = op->state,
	                   .object_id = op->link_id,
	                   .details = "{}"};
	enum pocd_err err =
	    store_enrolment_cancel(w, op->link_id, op->state, ENROL_REENROL, op->now);

	return err != POCD_OK ? err : record_event(w, op->core, &ev, op->now, NULL);
}

static void
cancel_committed(struct store_job *j, enum pocd_err st)
{
	struct reenrol_cancel_op *op = container_of(j, struct reenrol_cancel_op, job);

	op->status = st;
	op->done(op->arg);
}

enum pocd_err
recovery_reenrol_cancel(struct core *c, struct reenrol_cancel_op *op)
{
	op->core = c;
	op->job.run = cancel_run;
	op->job.done = cancel_committed;
	return store_submit(c->store, &op->job);
}
