#include "core/twofactor.h"

#include <sodium.h>
#include <string.h>

#include "core/sessions.h"

bool
twofactor_required(const struct core *c, enum role role)
{
	return c->cfg.require_second_factor &&
	       (role == ROLE_SECRETARIAT || role == ROLE_STATE_ADMIN);
}

bool
twofactor_must_enrol(const struct core *c, const struct principal *p)
{
	return twofactor_required(c, p->role) && !p->second_factor;
}

static enum pocd_err
event(struct store_conn *w, const struct twofactor_op *op, const char *type)
{
	struct event ev = {.type = type,
	                   .actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .states = op->actor.state,
	                   .object_id = op->actor.account_id};

	return store_event_append(w, &ev, op->now);
}

static enum pocd_err
twofactor_run(struct store_conn *w, struct store_job *j)
{
	struct twofactor_op *op = container_of(j, struct twofactor_op, job);
	struct totp_state t;
	int64_t step;
	enum pocd_err err = store_totp_get(w, op->actor.account_id, &t);

	if (err != POCD_OK)
		goto out;
	switch (op->action) {
	case TWOFACTOR_BEGIN:
		if (t.enabled) {
			err = POCD_ECONFLICT;
			break;
		}
		randombytes_buf(t.pending, TOTP_KEY_SIZE);
		t.has_pending = true;
		totp_base32(t.pending, TOTP_KEY_SIZE, op->key, sizeof(op->key));
		err = store_totp_put(w, op->actor.account_id, &t);
		break;
	case TWOFACTOR_CONFIRM:
		if (!t.has_pending) {
			err = POCD_ECONFLICT;
			break;
		}
		if (!totp_check(t.pending, op->code, op->now, 0, &step)) {
			err = POCD_EAUTH;
			break;
		}
		memcpy(t.key, t.pending, TOTP_KEY_SIZE);
		t.enabled = true;
		t.has_pending = false;
		t.last_step = step;
		err = store_totp_put(w, op->actor.account_id, &t);
		if (err == POCD_OK)
			err = event(w, op, "account.second_factor_enrolled");
		break;
	case TWOFACTOR_REMOVE:
		if (!t.enabled) {
			err = POCD_ECONFLICT;
			break;
		}
		if (twofactor_required(op->core, op->actor.role)) {
			err = POCD_EFORBIDDEN;
			break;
		}
		if (!totp_check(t.key, op->code, op->now, t.last_step, &step)) {
			err = POCD_EAUTH;
			break;
		}
		memset(&t, 0, sizeof(t));
		err = store_totp_put(w, op->actor.account_id, &t);
		if (err == POCD_OK)
			err = event(w, op, "account.second_factor_removed");
		break;
	}
out:
	sodium_memzero(&t, sizeof(t));
	return err;
}

static void
twofactor_done(struct store_job *j, enum pocd_err st)
{
	struct twofactor_op *op = container_of(j, struct twofactor_op, job);

	/* Sessions carry whether their account has a second factor. */
	if (st == POCD_OK && op->action != TWOFACTOR_BEGIN)
		session_cache_flush(op->core->sessions);
	if (st != POCD_OK)
		sodium_memzero(op->key, sizeof(op->key));
	op->status = st;
	op->done(op->arg);
}

enum pocd_err
twofactor_submit(struct core *c, struct twofactor_op *op)
{
	op->core = c;
	op->job.run = twofactor_run;
	op->job.done = twofactor_done;
	return store_submit(c->store, &op->job);
}
