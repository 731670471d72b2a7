#include "core/accounts.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/record.h"
#include "core/sessions.h"
#include "core/throttle.h"
#include "core/validate.h"
#include "lib/timeutil.h"

#define HASH_QUEUE_MAX 64 /* logins waiting for a hash; beyond it 503 */

static void
wipe_login(struct login_op *op)
{
	sodium_memzero(op->password, sizeof(op->password));
}

static enum pocd_err
login_run(struct store_conn *w, struct store_job *j)
{
	struct login_op *op = container_of(j, struct login_op, job);
	uint8_t hash[TOKEN_HASH_LEN];
	int64_t now = now_s();
	struct event ev = {.type = "session.created",
	                   .actor_account = op->who.account_id,
	                   .actor_state = op->who.state,
	                   .states = op->who.state,
	                   .object_id = op->who.account_id};
	enum pocd_err err;

	token_hash(op->token, hash);
	/* A code is good once: two logins with the same code race here, and one loses. */
	if (op->who.second_factor) {
		err = store_totp_use(w, op->who.account_id, op->totp_step);
		if (err != POCD_OK)
			return err == POCD_ECONFLICT ? POCD_EAUTH : err;
	}
	err = store_session_insert(w, hash, op->who.account_id, now, op->expires_at);
	return err != POCD_OK ? err : store_event_append(w, &ev, now);
}

static void
login_committed(struct store_job *j, enum pocd_err st)
{
	struct login_op *op = container_of(j, struct login_op, job);

	op->status = st;
	if (st != POCD_OK)
		sodium_memzero(op->token, sizeof(op->token));
	op->done(op->arg);
}

static void
login_work(struct work *w)
{
	struct login_op *op = container_of(w, struct login_op, work);
	struct core *c = op->core;
	struct store_conn *rd = store_reader(c->store);
	struct account a;
	struct totp_state t = {0};
	char pwhash[PWHASH_SIZE] = "";
	enum pocd_err err = POCD_ESTORE;
	bool ok;

	if (rd != NULL)
		err = store_account_by_username(rd, op->username, &a, pwhash, sizeof(pwhash));
	if (err != POCD_OK && err != POCD_ENOTFOUND)
		goto fail;
	/* Checked again here: attempts queued in parallel must not all get their guess. */
	if (!throttle_allow(c->throttle, op->username, op->client, now_s(), &op->retry_after)) {
		wipe_login(op);
		err = POCD_ETHROTTLED;
		goto fail;
	}
	ok = password_verify(err == POCD_OK ? pwhash : NULL, op->password);
	wipe_login(op);
	if (!ok || a.disabled) {
		throttle_fail(c->throttle, op->username, op->client, now_s());
		err = POCD_EAUTH;
		goto fail;
	}
	err = store_totp_get(rd, a.id, &t);
	if (err != POCD_OK)
		goto fail;
	if (t.enabled && op->totp[0] == '\0') {
		op->totp_missing = true;
		err = POCD_EAUTH;
		goto fail;
	}
	if (t.enabled && !totp_check(t.key, op->totp, now_s(), t.last_step, &op->totp_step)) {
		throttle_fail(c->throttle, op->username, op->client, now_s());
		err = POCD_EAUTH;
		goto fail;
	}
	throttle_reset(c->throttle, op->username, op->client);
	memset(&op->who, 0, sizeof(op->who));
	op->who.second_factor = t.enabled;
	memcpy(op->who.account_id, a.id, sizeof(a.id));
	memcpy(op->who.username, a.username, sizeof(a.username));
	op->who.role = a.role;
	memcpy(op->who.state, a.state, sizeof(a.state));
	op->who.participating = true;
	if (a.role != ROLE_SECRETARIAT) {
		struct state_rec st;
		op->who.participating =
		    store_state_get(rd, a.state, &st) == POCD_OK && st.participating;
	}
	rand_token(op->token);
	op->expires_at = now_s() + c->cfg.session_ttl;
	op->job.run = login_run;
	op->job.done = login_committed;
	err = store_submit(c->store, &op->job);
	if (err == POCD_OK)
		return;
	sodium_memzero(op->token, sizeof(op->token));
fail:
	sodium_memzero(pwhash, sizeof(pwhash));
	sodium_memzero(&t, sizeof(t));
	sodium_memzero(op->totp, sizeof(op->totp));
	op->status = err;
	op->done(op->arg);
}

enum pocd_err
accounts_login(struct core *c, struct login_op *op)
{
	op->core = c;
	if (!throttle_allow(c->throttle, op->username, op->client, now_s(), &op->retry_after)) {
		wipe_login(op);
		return POCD_ETHROTTLED;
	}
	op->work.fn = login_work;
	if (workq_submit(c->hashq, &op->work, HASH_QUEUE_MAX) != 0) {
		wipe_login(op);
		return POCD_EUNAVAILABLE;
	}
	return POCD_OK;
}

static enum pocd_err
logout_run(struct store_conn *w, struct store_job *j)
{
	struct logout_op *op = container_of(j, struct logout_op, job);
	uint8_t hash[TOKEN_HASH_LEN];
	struct event ev = {.type = "session.ended",
	                   .actor_account = op->who.account_id,
	                   .actor_state = op->who.state,
	                   .states = op->who.state,
	                   .object_id = op->who.account_id};
	enum pocd_err err;

	token_hash(op->token, hash);
	err = store_session_delete(w, hash);
	return err != POCD_OK ? err : store_event_append(w, &ev, now_s());
}

static void
logout_committed(struct store_job *j, enum pocd_err st)
{
	struct logout_op *op = container_of(j, struct logout_op, job);

	/* Flushed after the commit, so no request can re-cache the token from the store. */
	session_cache_flush(op->core->sessions);
	op->status = st;
	op->done(op->arg);
}

enum pocd_err
accounts_logout(struct core *c, struct logout_op *op)
{
	op->core = c;
	op->job.run = logout_run;
	op->job.done = logout_committed;
	return store_submit(c->store, &op->job);
}

enum pocd_err
accounts_check_new(const char *username, const char *password, struct verrs *errs)
{
	const char *why = password_weakness(password);
	size_t before = errs->n;

	if (!valid_username(username))
		verr_add(errs, "username",
		         "must be 3 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or "
		         "digit");
	if (why != NULL)
		verr_add(errs, "password", "%s", why);
	return errs->n == before ? POCD_OK : POCD_EINVAL;
}

/* A link is only as good as its issuer now: an enabled account, and for the Secretariat's
 * first-administrator link a state that still has no administrator of its own. */
static enum pocd_err
issuer_still_may(struct store_conn *w, const struct enrolment *e)
{
	struct account issuer;
	int64_t admins;
	enum pocd_err err = store_account_get(w, e->created_by, &issuer);

	if (err == POCD_ENOTFOUND || (err == POCD_OK && issuer.disabled))
		return POCD_EGONE;
	/* A re-enrolment is for a state that has an administrator: that is its point. */
	if (err != POCD_OK || issuer.role != ROLE_SECRETARIAT || e->kind == ENROL_REENROL)
		return err;
	err = store_accounts_count(w, e->state, ROLE_STATE_ADMIN, &admins);
	return err != POCD_OK ? err : admins > 0 ? POCD_EGONE : POCD_OK;
}

static enum pocd_err
enrol_run(struct store_conn *w, struct store_job *j)
{
	struct enrol_op *op = container_of(j, struct enrol_op, job);
	uint8_t hash[TOKEN_HASH_LEN];
	struct enrolment e;
	int64_t now = core_now(op->core);
	struct event ev = {.type = "account.enrolled"};
	char details[128];
	enum pocd_err err;

	token_hash(op->token, hash);
	err = store_enrolment_get(w, hash, &e);
	/* A recovery link sets a password (POST /reset); it makes no account. */
	if (err == POCD_ENOTFOUND ||
	    (err == POCD_OK && (e.used_at != 0 || e.expires_at <= now || e.kind == ENROL_RESET)))
		return POCD_EGONE;
	if (err == POCD_OK)
		err = issuer_still_may(w, &e);
	if (err != POCD_OK)
		return err;
	if (e.kind == ENROL_REENROL && now < e.created_at + REENROL_DELAY) {
		op->usable_at = e.created_at + REENROL_DELAY;
		return POCD_EFORBIDDEN;
	}
	memset(&op->account, 0, sizeof(op->account));
	rand_id(op->account.id);
	strlcpy(op->account.username, op->username, sizeof(op->account.username));
	op->account.role = e.role;
	memcpy(op->account.state, e.state, sizeof(e.state));
	op->account.created_at = now;
	err = store_account_insert(w, &op->account, op->pwhash);
	if (err != POCD_OK)
		return err;
	err = store_enrolment_use(w, hash, now, op->account.id);
	if (err != POCD_OK)
		return err == POCD_ENOTFOUND ? POCD_EGONE : err;
	snprintf(details, sizeof(details), "{\"role\":\"%s\",\"enrolment\":\"%s\"}",
	         role_name(e.role), e.id);
	ev.actor_account = op->account.id;
	ev.actor_state = e.state;
	ev.states = e.state;
	ev.object_id = op->account.id;
	ev.details = details;
	if (e.kind != ENROL_REENROL)
		return store_event_append(w, &ev, now);
	/* The use of the Secretariat's re-enrolment link is in the record, as its issue is. */
	ev.type = "account.reenrolled";
	ev.actor_role = role_name(e.role);
	return record_event(w, op->core, &ev, now, NULL);
}

static void
enrol_committed(struct store_job *j, enum pocd_err st)
{
	struct enrol_op *op = container_of(j, struct enrol_op, job);

	sodium_memzero(op->pwhash, sizeof(op->pwhash));
	op->status = st;
	op->done(op->arg);
}

static void
enrol_work(struct work *w)
{
	struct enrol_op *op = container_of(w, struct enrol_op, work);
	enum pocd_err err = password_hash(op->password, op->pwhash);

	sodium_memzero(op->password, sizeof(op->password));
	if (err == POCD_OK) {
		op->job.run = enrol_run;
		op->job.done = enrol_committed;
		err = store_submit(op->core->store, &op->job);
		if (err == POCD_OK)
			return;
	}
	op->status = err;
	op->done(op->arg);
}

enum pocd_err
accounts_enrol(struct core *c, struct enrol_op *op)
{
	struct store_conn *rd = store_reader(c->store);
	uint8_t hash[TOKEN_HASH_LEN];
	struct enrolment e;
	enum pocd_err err = POCD_EGONE;

	op->core = c;
	op->work.fn = enrol_work;
	/* No argon2id for a link that cannot work: the transaction checks again. */
	if (token_valid(op->token) && rd != NULL) {
		token_hash(op->token, hash);
		err = store_enrolment_get(rd, hash, &e);
		if (err == POCD_ENOTFOUND ||
		    (err == POCD_OK &&
		     (e.used_at != 0 || e.expires_at <= core_now(c) || e.kind == ENROL_RESET)))
			err = POCD_EGONE;
	}
	if (err != POCD_OK) {
		sodium_memzero(op->password, sizeof(op->password));
		return err;
	}
	if (workq_submit(c->hashq, &op->work, HASH_QUEUE_MAX) != 0) {
		sodium_memzero(op->password, sizeof(op->password));
		return POCD_EUNAVAILABLE;
	}
	return POCD_OK;
}

static enum pocd_err
enrolment_run(struct store_conn *w, struct store_job *j)
{
	struct enrolment_op *op = container_of(j, struct enrolment_op, job);
	uint8_t hash[TOKEN_HASH_LEN];
	int64_t now = core_now(op->core), admins;
	struct state_rec st;
	char details[96];
	struct event ev = {.type = "enrolment.created",
	                   .actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .states = op->state,
	                   .details = details};
	enum pocd_err err;

	err = store_state_get(w, op->state, &st);
	if (err != POCD_OK)
		return err;
	if (op->actor.role == ROLE_SECRETARIAT) {
		err = store_accounts_count(w, op->state, ROLE_STATE_ADMIN, &admins);
		if (err != POCD_OK)
			return err;
		if (admins > 0)
			return POCD_ECONFLICT;
	}
	rand_token(op->token);
	token_hash(op->token, hash);
	memset(&op->enrolment, 0, sizeof(op->enrolment));
	rand_id(op->enrolment.id);
	memcpy(op->enrolment.state, op->state, sizeof(op->state));
	op->enrolment.role = op->role;
	memcpy(op->enrolment.created_by, op->actor.account_id, sizeof(op->actor.account_id));
	op->enrolment.expires_at = now + op->core->cfg.enrolment_ttl;
	err = store_enrolment_insert(w, hash, &op->enrolment, now);
	if (err != POCD_OK)
		return err;
	snprintf(details, sizeof(details), "{\"role\":\"%s\"}", role_name(op->role));
	ev.object_id = op->enrolment.id;
	return store_event_append(w, &ev, now);
}

static void
enrolment_committed(struct store_job *j, enum pocd_err st)
{
	struct enrolment_op *op = container_of(j, struct enrolment_op, job);

	op->status = st;
	if (st != POCD_OK)
		sodium_memzero(op->token, sizeof(op->token));
	op->done(op->arg);
}

enum pocd_err
accounts_create_enrolment(struct core *c, struct enrolment_op *op)
{
	if (op->role == ROLE_SECRETARIAT ||
	    (op->actor.role == ROLE_SECRETARIAT && op->role != ROLE_STATE_ADMIN))
		return POCD_EFORBIDDEN;
	op->core = c;
	op->job.run = enrolment_run;
	op->job.done = enrolment_committed;
	return store_submit(c->store, &op->job);
}

static enum pocd_err
disable_run(struct store_conn *w, struct store_job *j)
{
	struct account_op *op = container_of(j, struct account_op, job);
	int64_t now = core_now(op->core);
	struct event ev = {.type = op->disabled ? "account.disabled" : "account.enabled",
	                   .actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .states = op->actor.state,
	                   .object_id = op->account_id};
	enum pocd_err err;

	err = store_account_get(w, op->account_id, &op->account);
	if (err != POCD_OK)
		return err;
	if (strcmp(op->account.state, op->actor.state) != 0)
		return POCD_EFORBIDDEN;
	if (op->disabled && strcmp(op->account.id, op->actor.account_id) == 0)
		return POCD_ECONFLICT;
	err = store_account_set_disabled(w, op->account_id, op->disabled, now);
	if (err == POCD_OK && op->disabled)
		err = store_sessions_delete_account(w, op->account_id);
	if (err == POCD_OK && op->disabled)
		err = store_enrolments_spend(w, op->account_id, now);
	if (err != POCD_OK)
		return err;
	op->account.disabled = op->disabled;
	return store_event_append(w, &ev, now);
}

static void
disable_committed(struct store_job *j, enum pocd_err st)
{
	struct account_op *op = container_of(j, struct account_op, job);

	session_cache_flush(op->core->sessions);
	op->status = st;
	op->done(op->arg);
}

enum pocd_err
accounts_set_disabled(struct core *c, struct account_op *op)
{
	op->core = c;
	op->job.run = disable_run;
	op->job.done = disable_committed;
	return store_submit(c->store, &op->job);
}

static enum pocd_err
password_run(struct store_conn *w, struct store_job *j)
{
	struct password_op *op = container_of(j, struct password_op, job);
	struct event ev = {.type = "account.password_changed",
	                   .actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .states = op->actor.state,
	                   .object_id = op->actor.account_id};
	uint8_t keep[TOKEN_HASH_LEN];
	enum pocd_err err = store_account_set_password(w, op->actor.account_id, op->pwhash);

	token_hash(op->token, keep);
	if (err == POCD_OK)
		err = store_sessions_delete_others(w, op->actor.account_id, keep);
	return err != POCD_OK ? err : store_event_append(w, &ev, now_s());
}

static void
password_committed(struct store_job *j, enum pocd_err st)
{
	struct password_op *op = container_of(j, struct password_op, job);

	sodium_memzero(op->pwhash, sizeof(op->pwhash));
	session_cache_flush(op->core->sessions);
	op->status = st;
	op->done(op->arg);
}

static void
password_work(struct work *w)
{
	struct password_op *op = container_of(w, struct password_op, work);
	struct store_conn *rd = store_reader(op->core->store);
	struct account a;
	char old[PWHASH_SIZE] = "";
	enum pocd_err err = POCD_ESTORE;

	if (rd != NULL)
		err = store_account_by_username(rd, op->actor.username, &a, old, sizeof(old));
	if (err == POCD_OK && !password_verify(old, op->current)) {
		throttle_fail(op->core->throttle, op->actor.username, op->client, now_s());
		err = POCD_EAUTH;
	}
	if (err == POCD_OK) {
		throttle_reset(op->core->throttle, op->actor.username, op->client);
		err = password_hash(op->next, op->pwhash);
	}
	sodium_memzero(old, sizeof(old));
	sodium_memzero(op->current, sizeof(op->current));
	sodium_memzero(op->next, sizeof(op->next));
	if (err == POCD_OK) {
		op->job.run = password_run;
		op->job.done = password_committed;
		err = store_submit(op->core->store, &op->job);
		if (err == POCD_OK)
			return;
	}
	op->status = err;
	op->done(op->arg);
}

enum pocd_err
accounts_change_password(struct core *c, struct password_op *op)
{
	op->core = c;
	op->work.fn = password_work;
	if (!throttle_allow(c->throttle, op->actor.username, op->client, now_s(),
	                    &op->retry_after)) {
		sodium_memzero(op->current, sizeof(op->current));
		sodium_memzero(op->next, sizeof(op->next));
		return POCD_ETHROTTLED;
	}
	if (workq_submit(c->hashq, &op->work, HASH_QUEUE_MAX) != 0) {
		sodium_memzero(op->current, sizeof(op->current));
		sodium_memzero(op->next, sizeof(op->next));
		return POCD_EUNAVAILABLE;
	}
	return POCD_OK;
}

struct create_job {
	struct store_job job;
	const struct account *a;
	const char *pwhash;
};

static enum pocd_err
create_run(struct store_conn *w, struct store_job *j)
{
	struct create_job *cj = container_of(j, struct create_job, job);
	struct event ev = {.type = "account.created",
	                   .actor_state = cj->a->state,
	                   .states = cj->a->state,
	                   .object_id = cj->a->id};
	enum pocd_err err = store_account_insert(w, cj->a, cj->pwhash);

	return err != POCD_OK ? err : store_event_append(w, &ev, cj->a->created_at);
}

enum pocd_err
accounts_create_sync(struct core *c, const char *username, const char *password, enum role role,
                     const char *state, struct account *out)
{
	char pwhash[PWHASH_SIZE];
	struct create_job cj = {.job.run = create_run};
	enum pocd_err err;

	memset(out, 0, sizeof(*out));
	rand_id(out->id);
	strlcpy(out->username, username, sizeof(out->username));
	out->role = role;
	strlcpy(out->state, state != NULL ? state : "", sizeof(out->state));
	out->created_at = now_s();
	err = password_hash(password, pwhash);
	if (err != POCD_OK)
		return err;
	cj.a = out;
	cj.pwhash = pwhash;
	err = store_run_sync(c->store, &cj.job);
	sodium_memzero(pwhash, sizeof(pwhash));
	return err;
}
