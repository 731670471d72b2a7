/* SQL for machines: API keys, webhooks and the webhook deliveries the outbox carries. */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

enum pocd_err
store_apikey_insert(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN],
                    const struct apikey *k)
{
	sqlite3_stmt *s =
	    stmt(w, ST_APIKEY_INSERT,
	         "INSERT INTO api_keys (id, key_hash, state, name, scopes, created_by,"
	         " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, k->id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, k->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, k->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, k->scopes);
	sqlite3_bind_text(s, 6, k->created_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, k->created_at);
	sqlite3_bind_int64(s, 8, k->expires_at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_apikey_lookup(struct store_conn *c, const uint8_t hash[TOKEN_HASH_LEN], int64_t now,
                    struct principal *out, int64_t *expires_at, int64_t *last_used)
{
	/* A key acts as an officer of its state, under the account that made it: it stops with
	 * that account, and with the state's participation like every session of the state. */
	sqlite3_stmt *s = stmt(c, ST_APIKEY_LOOKUP,
	                       "SELECT k.id, k.scopes, a.id, a.username, k.state, st.participating,"
	                       " k.expires_at, coalesce(k.last_used_at, 0)"
	                       " FROM api_keys k JOIN accounts a ON a.id = k.created_by"
	                       " JOIN states st ON st.code = k.state"
	                       " WHERE k.key_hash = ? AND k.revoked_at IS NULL AND k.expires_at > ?"
	                       " AND a.disabled = 0 AND a.state = k.state");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_blob(s, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	memset(out, 0, sizeof(*out));
	col_text(s, 0, out->key_id, sizeof(out->key_id));
	out->scopes = (unsigned)sqlite3_column_int64(s, 1);
	col_text(s, 2, out->account_id, sizeof(out->account_id));
	col_text(s, 3, out->username, sizeof(out->username));
	out->role = ROLE_OFFICER;
	col_text(s, 4, out->state, sizeof(out->state));
	out->participating = sqlite3_column_int(s, 5) != 0;
	*expires_at = sqlite3_column_int64(s, 6);
	*last_used = sqlite3_column_int64(s, 7);
	return stmt_end(s, POCD_OK);
}

enum pocd_err
store_apikeys_list(struct store_conn *c, const char *state,
                   int (*cb)(const struct apikey *k, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_APIKEY_LIST,
	                       "SELECT id, state, name, scopes, created_by, created_at, expires_at,"
	                       " coalesce(last_used_at, 0) FROM api_keys"
	                       " WHERE state = ? AND revoked_at IS NULL"
	                       " ORDER BY created_at DESC, id");
	struct apikey k;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_text(s, 0, k.id, sizeof(k.id));
		col_text(s, 1, k.state, sizeof(k.state));
		col_text(s, 2, k.name, sizeof(k.name));
		k.scopes = (unsigned)sqlite3_column_int64(s, 3);
		col_text(s, 4, k.created_by, sizeof(k.created_by));
		k.created_at = sqlite3_column_int64(s, 5);
		k.expires_at = sqlite3_column_int64(s, 6);
		k.last_used_at = sqlite3_column_int64(s, 7);
		if (cb(&k, arg) != 0)
			return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_apikey_revoke(struct store_conn *w, const char *id, const char *state, int64_t now)
{
	sqlite3_stmt *s = stmt(w, ST_APIKEY_REVOKE,
	                       "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND state = ?"
	                       " AND revoked_at IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, state, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_apikey_touch(struct store_conn *w, const char *id, int64_t at)
{
	sqlite3_stmt *s =
	    stmt(w, ST_APIKEY_TOUCH,
	         "UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, 0), ?)"
	         " WHERE id = ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, at);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_webhook_insert(struct store_conn *w, const struct webhook *h, const char *secret)
{
	sqlite3_stmt *s = stmt(w, ST_HOOK_INSERT,
	                       "INSERT INTO webhooks (id, state, url, events, secret, created_by,"
	                       " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, h->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, h->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, h->url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, h->events);
	sqlite3_bind_text(s, 5, secret, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, h->created_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, h->created_at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

static void
webhook_row(sqlite3_stmt *s, struct webhook *h)
{
	col_text(s, 0, h->id, sizeof(h->id));
	col_text(s, 1, h->state, sizeof(h->state));
	col_text(s, 2, h->url, sizeof(h->url));
	h->events = (unsigned)sqlite3_column_int64(s, 3);
	col_text(s, 4, h->created_by, sizeof(h->created_by));
	h->created_at = sqlite3_column_int64(s, 5);
}

enum pocd_err
store_apikeys_count(struct store_conn *c, const char *state, int64_t *out)
{
	sqlite3_stmt *s =
	    stmt(c, ST_APIKEY_COUNT,
	         "SELECT count(*) FROM api_keys WHERE state = ? AND revoked_at IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	return step_int64(c, s, out);
}

enum pocd_err
store_webhooks_count(struct store_conn *c, const char *state, int64_t *out)
{
	sqlite3_stmt *s =
	    stmt(c, ST_HOOK_COUNT,
	         "SELECT count(*) FROM webhooks WHERE state = ? AND deleted_at IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	return step_int64(c, s, out);
}

enum pocd_err
store_webhooks_list(struct store_conn *c, const char *state,
                    int (*cb)(const struct webhook *h, void *arg), void *arg)
{
	sqlite3_stmt *s =
	    stmt(c, ST_HOOK_LIST,
	         "SELECT id, state, url, events, created_by, created_at FROM webhooks"
	         " WHERE state = ? AND deleted_at IS NULL ORDER BY created_at DESC, id");
	struct webhook h;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		webhook_row(s, &h);
		if (cb(&h, arg) != 0)
			return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_webhook_delete(struct store_conn *w, const char *id, const char *state, int64_t now)
{
	sqlite3_stmt *s = stmt(w, ST_HOOK_DELETE,
	                       "UPDATE webhooks SET deleted_at = ?, secret = ''"
	                       " WHERE id = ? AND state = ? AND deleted_at IS NULL");
	enum pocd_err err;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, state, -1, SQLITE_STATIC);
	err = step_one_changed(w, s);
	if (err != POCD_OK)
		return err;
	/* Its waiting deliveries have nowhere to go any more. */
	s = stmt(
	    w, ST_HOOK_DROP,
	    "UPDATE outbox SET failed_at = ?, error = 'the webhook was deleted'"
	    " WHERE kind = 'webhook' AND poc_id = ? AND sent_at IS NULL AND failed_at IS NULL");
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_webhook_get(struct store_conn *c, const char *id, const char *state, struct webhook *out,
                  char secret[TOKEN_SIZE])
{
	sqlite3_stmt *s = stmt(c, ST_HOOK_GET,
	                       "SELECT id, state, url, events, created_by, created_at, secret"
	                       " FROM webhooks WHERE id = ?1 AND (?2 IS NULL OR state = ?2)"
	                       " AND deleted_at IS NULL");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (state != NULL)
		sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	webhook_row(s, out);
	if (secret != NULL)
		col_text(s, 6, secret, TOKEN_SIZE);
	return stmt_end(s, POCD_OK);
}

enum pocd_err
store_webhook_queue(struct store_conn *w, const char *state, unsigned event_bit, const char *ref_id,
                    const char *payload, int64_t now)
{
	/* One row per webhook, under an id of its own; a receiver deduplicates retries by the
	 * event's id, which the payload carries. */
	sqlite3_stmt *s =
	    stmt(w, ST_HOOK_QUEUE,
	         "INSERT INTO outbox (id, kind, ref_id, poc_id, state, lang, payload,"
	         " created_at) SELECT lower(hex(randomblob(13))), 'webhook', ?2, id,"
	         " state, '', ?3, ?4 FROM webhooks WHERE state = ?5 AND deleted_at IS NULL"
	         " AND (events & ?6) != 0 AND EXISTS (SELECT 1 FROM accounts a"
	         " WHERE a.id = webhooks.created_by AND a.disabled = 0)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 2, ref_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_text(s, 5, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, event_bit);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_webhook_deliveries(struct store_conn *c, const char *webhook_id, size_t limit,
                         int (*cb)(const struct webhook_delivery *d, void *arg), void *arg)
{
	sqlite3_stmt *s =
	    stmt(c, ST_HOOK_DELIVERIES,
	         "SELECT json_extract(payload, '$.id'), json_extract(payload, '$.type'), ref_id,"
	         " attempts, coalesce(http_status, 0), coalesce(error, ''), created_at,"
	         " coalesce(tried_at, 0), coalesce(sent_at, 0), coalesce(failed_at, 0),"
	         " next_try FROM outbox INDEXED BY outbox_webhook"
	         " WHERE kind = 'webhook' AND poc_id = ? ORDER BY seq DESC LIMIT ?");
	struct webhook_delivery d;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, webhook_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (int64_t)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&d, 0, sizeof(d));
		col_text(s, 0, d.id, sizeof(d.id));
		col_text(s, 1, d.event, sizeof(d.event));
		col_text(s, 2, d.ref_id, sizeof(d.ref_id));
		d.attempts = sqlite3_column_int(s, 3);
		d.http_status = sqlite3_column_int(s, 4);
		col_text(s, 5, d.error, sizeof(d.error));
		d.created_at = sqlite3_column_int64(s, 6);
		d.tried_at = sqlite3_column_int64(s, 7);
		d.sent_at = sqlite3_column_int64(s, 8);
		d.failed_at = sqlite3_column_int64(s, 9);
		d.next_try = d.sent_at == 0 && d.failed_at == 0 ? sqlite3_column_int64(s, 10) : 0;
		if (cb(&d, arg) != 0)
			return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_webhook_tried(struct store_conn *c, const char *id, int attempts, int http_status, int64_t at)
{
	sqlite3_stmt *s = stmt(c, ST_HOOK_RESULT,
	                       "UPDATE outbox SET http_status = ?, tried_at = ?, attempts = ?"
	                       " WHERE id = ?");

	if (s == NULL)
		return POCD_ESTORE;
	if (http_status > 0)
		sqlite3_bind_int(s, 1, http_status);
	sqlite3_bind_int64(s, 2, at);
	sqlite3_bind_int(s, 3, attempts);
	sqlite3_bind_text(s, 4, id, -1, SQLITE_STATIC);
	return step_one_changed(c, s);
}
