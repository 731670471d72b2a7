#include "core/apikeys.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sessions.h"
#include "lib/names.h"

static const struct bit_name scopes[] = {
    {APIKEY_SCOPE_DIRECTORY_READ, "directory:read"},
    {APIKEY_SCOPE_COMMS_READ, "communications:read"},
    {APIKEY_SCOPE_COMMS_SEND, "communications:send"},
    {APIKEY_SCOPE_COMMS_ACK, "communications:ack"},
    {APIKEY_SCOPE_PINGS_ANSWER, "pings:answer"},
};

const char *
apikey_scope_name(unsigned bit)
{
	return bit_name(scopes, sizeof(scopes) / sizeof(scopes[0]), bit);
}

unsigned
apikey_scope_parse(const char *name)
{
	return bit_parse(scopes, sizeof(scopes) / sizeof(scopes[0]), name);
}

static enum pocd_err
apikey_run(struct store_conn *w, struct store_job *j)
{
	struct apikey_op *op = container_of(j, struct apikey_op, job);
	uint8_t hash[TOKEN_HASH_LEN];
	char details[96];
	struct event ev = {.actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .actor_role = actor_role_name(&op->actor),
	                   .states = op->actor.state,
	                   .object_id = op->key.id,
	                   .details = details};
	int64_t n = 0;
	enum pocd_err err;

	if (op->revoke) {
		err = store_apikey_revoke(w, op->key.id, op->actor.state, op->now);
		ev.type = "api_key.revoked";
		snprintf(details, sizeof(details), "{}");
	} else {
		err = store_apikeys_count(w, op->actor.state, &n);
		if (err == POCD_OK && n >= APIKEYS_PER_STATE)
			err = POCD_ECONFLICT;
		if (err == POCD_OK) {
			token_hash(op->secret, hash);
			err = store_apikey_insert(w, hash, &op->key);
		}
		ev.type = "api_key.created";
		snprintf(details, sizeof(details), "{\"scopes\":%u}", op->key.scopes);
	}
	if (err == POCD_OK)
		err = store_event_append(w, &ev, op->now);
	return err;
}

static void
apikey_done(struct store_job *j, enum pocd_err st)
{
	struct apikey_op *op = container_of(j, struct apikey_op, job);

	/* Committed: the cache must not serve the revoked key to the next request. */
	if (op->revoke && st == POCD_OK)
		session_cache_flush(op->core->sessions);
	op->status = st;
	op->done(op->arg);
}

enum pocd_err
apikey_submit(struct core *c, struct apikey_op *op)
{
	if (!op->revoke) {
		rand_id(op->key.id);
		memcpy(op->secret, APIKEY_PREFIX, APIKEY_PREFIX_LEN);
		rand_token(op->secret + APIKEY_PREFIX_LEN);
		strlcpy(op->key.state, op->actor.state, sizeof(op->key.state));
		strlcpy(op->key.created_by, op->actor.account_id, sizeof(op->key.created_by));
		op->key.created_at = op->now;
	}
	op->core = c;
	op->job.run = apikey_run;
	op->job.done = apikey_done;
	return store_submit(c->store, &op->job);
}

struct touch {
	struct store_job job;
	char id[ID_SIZE];
	int64_t at;
};

static enum pocd_err
touch_run(struct store_conn *w, struct store_job *j)
{
	struct touch *t = container_of(j, struct touch, job);

	return store_apikey_touch(w, t->id, t->at);
}

static void
touch_done(struct store_job *j, enum pocd_err st)
{
	free(container_of(j, struct touch, job));
}

void
apikey_touch(struct core *c, const char *id, int64_t now)
{
	struct touch *t = calloc(1, sizeof(*t));

	/* Best effort: a last use not written is a little older than the truth, nothing more. */
	if (t == NULL)
		return;
	strlcpy(t->id, id, sizeof(t->id));
	t->at = now;
	t->job.run = touch_run;
	t->job.done = touch_done;
	if (store_submit(c->store, &t->job) != POCD_OK)
		free(t);
}
