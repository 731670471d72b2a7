/* SQL for mail: acknowledgement links, whom a mail goes to, the outbox as the sender process
 * drains it, and review-by warnings. */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum pocd_err
store_ack_link_insert(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN], const char *comm_id,
                      const char *state, const char *poc_id, int64_t now, int64_t expires_at)
{
	sqlite3_stmt *s = stmt(w, ST_ACK_LINK_INSERT,
	                       "INSERT INTO ack_links (token_hash, comm_id, state, poc_id,"
	                       " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_blob(s, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, comm_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	sqlite3_bind_int64(s, 6, expires_at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_ack_link_get(struct store_conn *c, const uint8_t hash[TOKEN_HASH_LEN], int64_t now,
                   char comm_id[ID_SIZE], char state[STATE_SIZE])
{
	sqlite3_stmt *s = stmt(c, ST_ACK_LINK_GET,
	                       "SELECT comm_id, state FROM ack_links WHERE token_hash = ?"
	                       " AND expires_at > ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_blob(s, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		col_text(s, 0, comm_id, ID_SIZE);
		col_text(s, 1, state, STATE_SIZE);
		return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
}

enum pocd_err
store_ack_links_drop(struct store_conn *w, const char *comm_id, const char *state)
{
	sqlite3_stmt *s =
	    stmt(w, ST_ACK_LINK_DROP, "DELETE FROM ack_links WHERE comm_id = ? AND state = ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, comm_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

static enum pocd_err
each_target(struct store_conn *c, sqlite3_stmt *s,
            int (*cb)(const char *poc_id, const char *languages, void *arg), void *arg)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1), arg) != 0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_mail_pocs_of_kind(struct store_conn *c, const char *state, enum poc_kind kind, int rank,
                        int (*cb)(const char *poc_id, const char *languages, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_MAIL_POCS_KIND,
	                       "SELECT id, languages FROM pocs WHERE state = ? AND kind = ?"
	                       " AND (?3 IS NULL OR rank = ?3) ORDER BY sortkey");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind == POC_TECHNICAL ? "technical" : "diplomatic", -1,
	                  SQLITE_STATIC);
	if (rank >= 0)
		sqlite3_bind_text(s, 3, rank == POC_ALTERNATE ? "alternate" : "primary", -1,
		                  SQLITE_STATIC);
	return each_target(c, s, cb, arg);
}

enum pocd_err
store_mail_pocs_of_account(struct store_conn *c, const char *account_id, const char *state,
                           int (*cb)(const char *poc_id, const char *languages, void *arg),
                           void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_MAIL_POCS_ACCOUNT,
	                       "SELECT p.id, p.languages FROM poc_accounts pa JOIN pocs p"
	                       " ON p.id = pa.poc_id WHERE pa.account_id = ? AND p.state = ?"
	                       " ORDER BY p.sortkey");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	return each_target(c, s, cb, arg);
}

enum pocd_err
store_mail_pocs_of_admins(struct store_conn *c, const char *state,
                          int (*cb)(const char *poc_id, const char *languages, void *arg),
                          void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_MAIL_POCS_ADMINS,
	                       "SELECT p.id, p.languages FROM pocs p WHERE p.state = ?1"
	                       " AND EXISTS (SELECT 1 FROM poc_accounts pa JOIN accounts a"
	                       " ON a.id = pa.account_id WHERE pa.poc_id = p.id"
	                       " AND a.role = 'state_admin' AND a.disabled = 0 AND a.state = ?1)"
	                       " ORDER BY p.sortkey");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	return each_target(c, s, cb, arg);
}

/* The sender process may write the outbox and nothing else: a bug or a hostile payload in
 * it cannot change the directory, the exchanges or the log. */
static int
outbox_only(void *arg, int action, const char *a1, const char *a2, const char *db,
            const char *trigger)
{
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_FUNCTION:
	case SQLITE_TRANSACTION:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE:
		return a1 != NULL && strcmp(a1, "outbox") == 0 ? SQLITE_OK : SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

enum pocd_err
store_outbox_open(const char *path, struct store_conn **out, char *msg, size_t msglen)
{
	struct store_conn *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return POCD_ENOMEM;
	rc = sqlite3_open_v2(path, &c->db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
	                     NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(c->db, 5000);
		/* secure_delete: a sent mail's wiped token leaves no copy in free pages. */
		rc = sqlite3_exec(c->db,
		                  "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;"
		                  " PRAGMA foreign_keys=ON;",
		                  NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		snprintf(msg, msglen, "cannot open %s: %s", path,
		         c->db != NULL ? sqlite3_errmsg(c->db) : "out of memory");
		sqlite3_close_v2(c->db);
		free(c);
		return POCD_ESTORE;
	}
	sqlite3_set_authorizer(c->db, outbox_only, NULL);
	*out = c;
	return POCD_OK;
}

void
store_outbox_close(struct store_conn *c)
{
	store_conn_close(c);
}

enum pocd_err
store_outbox_next(struct store_conn *c, int64_t now, const char *kind, bool but,
                  struct outbox_msg *out)
{
	sqlite3_stmt *s =
	    stmt(c, ST_OUTBOX_NEXT,
	         "SELECT id, kind, ref_id, poc_id, state, lang, payload, created_at,"
	         " attempts FROM outbox INDEXED BY outbox_pending"
	         " WHERE sent_at IS NULL AND failed_at IS NULL AND next_try <= ?"
	         " AND (?2 IS NULL OR (kind = ?2) = ?3) ORDER BY next_try, seq LIMIT 1");
	const unsigned char *payload;
	int rc;

	out->payload = NULL;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	if (kind != NULL)
		sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, !but);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	col_text(s, 0, out->id, sizeof(out->id));
	col_text(s, 1, out->kind, sizeof(out->kind));
	col_text(s, 2, out->ref_id, sizeof(out->ref_id));
	col_text(s, 3, out->poc_id, sizeof(out->poc_id));
	col_text(s, 4, out->state, sizeof(out->state));
	col_text(s, 5, out->lang, sizeof(out->lang));
	payload = sqlite3_column_text(s, 6);
	out->payload = strdup(payload != NULL ? (const char *)payload : "");
	out->created_at = sqlite3_column_int64(s, 7);
	out->attempts = sqlite3_column_int(s, 8);
	return stmt_end(s, out->payload != NULL ? POCD_OK : POCD_ENOMEM);
}

enum pocd_err
store_outbox_next_try(struct store_conn *c, const char *kind, bool but, int64_t *out)
{
	sqlite3_stmt *s = stmt(c, ST_OUTBOX_NEXT_TRY,
	                       "SELECT coalesce(min(next_try), 0) FROM outbox INDEXED BY"
	                       " outbox_pending WHERE sent_at IS NULL AND failed_at IS NULL"
	                       " AND (?1 IS NULL OR (kind = ?1) = ?2)");

	if (s == NULL)
		return POCD_ESTORE;
	if (kind != NULL)
		sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, !but);
	return step_int64(c, s, out);
}

enum pocd_err
store_outbox_sent(struct store_conn *c, const char *id, int64_t now)
{
	/* The link's token and the challenge go once the mail is out: the database keeps no
	 * capability that a copy of it could use. */
	sqlite3_stmt *s = stmt(c, ST_OUTBOX_SENT,
	                       "UPDATE outbox SET sent_at = ?, error = NULL,"
	                       " payload = json_remove(payload, '$.link', '$.challenge')"
	                       " WHERE id = ? AND sent_at IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	return step_one_changed(c, s);
}

enum pocd_err
store_outbox_retry(struct store_conn *c, const char *id, int attempts, int64_t next_try,
                   const char *error)
{
	sqlite3_stmt *s = stmt(c, ST_OUTBOX_RETRY,
	                       "UPDATE outbox SET attempts = ?, next_try = ?, error = ?"
	                       " WHERE id = ? AND sent_at IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int(s, 1, attempts);
	sqlite3_bind_int64(s, 2, next_try);
	sqlite3_bind_text(s, 3, error, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, id, -1, SQLITE_STATIC);
	return step_one_changed(c, s);
}

enum pocd_err
store_outbox_failed(struct store_conn *c, const char *id, int attempts, int64_t now,
                    const char *error, bool owe_task)
{
	sqlite3_stmt *s = stmt(c, ST_OUTBOX_FAILED,
	                       "UPDATE outbox SET attempts = ?, failed_at = ?, error = ?, task = ?,"
	                       " payload = json_remove(payload, '$.link', '$.challenge')"
	                       " WHERE id = ? AND sent_at IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int(s, 1, attempts);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, error, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, owe_task ? 1 : 0);
	sqlite3_bind_text(s, 5, id, -1, SQLITE_STATIC);
	return step_one_changed(c, s);
}

enum pocd_err
store_outbox_owed(struct store_conn *c,
                  int (*cb)(const char *id, const char *poc_id, const char *state, void *arg),
                  void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_OUTBOX_OWED,
	                       "SELECT id, poc_id, state FROM outbox INDEXED BY outbox_task_owed"
	                       " WHERE task = 1 ORDER BY seq");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1),
		       (const char *)sqlite3_column_text(s, 2), arg) != 0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_outbox_task_done(struct store_conn *w, const char *id)
{
	sqlite3_stmt *s = stmt(w, ST_OUTBOX_TASK_DONE, "UPDATE outbox SET task = 2 WHERE id = ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_task_insert_once(struct store_conn *w, const struct task *t, bool *inserted)
{
	sqlite3_stmt *s = stmt(w, ST_TASK_INSERT_ONCE,
	                       "INSERT INTO tasks (id, state, poc_id, kind, created_at)"
	                       " SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM tasks"
	                       " WHERE poc_id = ?3 AND kind = ?4 AND closed_at IS NULL)");
	enum pocd_err err;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, t->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, t->poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, t->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, t->created_at);
	err = sql_err(w, sqlite3_step(s));
	*inserted = err == POCD_OK && sqlite3_changes(w->db) == 1;
	return stmt_end(s, err);
}

enum pocd_err
store_review_due(struct store_conn *c, const char *cutoff,
                 int (*cb)(const char *poc_id, const char *state, const char *review_by, void *arg),
                 void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_REVIEW_DUE,
	                       "SELECT id, state, review_by FROM pocs WHERE review_by <= ?"
	                       " AND NOT EXISTS (SELECT 1 FROM review_warnings w"
	                       " WHERE w.poc_id = pocs.id AND w.review_by = pocs.review_by)"
	                       " ORDER BY review_by, id");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, cutoff, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1),
		       (const char *)sqlite3_column_text(s, 2), arg) != 0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_review_next(struct store_conn *c, char out[11])
{
	sqlite3_stmt *s = stmt(c, ST_REVIEW_NEXT,
	                       "SELECT coalesce(min(review_by), '') FROM pocs"
	                       " WHERE review_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
	                       " review_warnings w WHERE w.poc_id = pocs.id"
	                       " AND w.review_by = pocs.review_by)");
	int rc;

	out[0] = '\0';
	if (s == NULL)
		return POCD_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		col_text(s, 0, out, 11);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_review_warned(struct store_conn *w, const char *poc_id, const char *review_by, int64_t now)
{
	sqlite3_stmt *s =
	    stmt(w, ST_REVIEW_WARNED, "INSERT OR IGNORE INTO review_warnings VALUES (?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, review_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_poc_key_put(struct store_conn *w, const char *poc_id, const char *fingerprint,
                  const char *armored, int64_t expires_at, int64_t now)
{
	sqlite3_stmt *s =
	    stmt(w, ST_POC_KEY_PUT, "INSERT OR REPLACE INTO poc_keys VALUES (?, ?, ?, ?, ?, 0)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, armored, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	bind_time(s, 5, expires_at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

#define KEYS_IN_USE                                                                                \
	" FROM poc_keys k JOIN pocs p ON p.id = k.poc_id AND p.pgp_fingerprint = k.fingerprint"    \
	" WHERE k.expires_at IS NOT NULL AND k.warned = 0"

enum pocd_err
store_keys_expiring(struct store_conn *c, int64_t before,
                    int (*cb)(const char *poc_id, const char *state, int64_t expires_at, void *arg),
                    void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_KEYS_EXPIRING,
	                       "SELECT k.poc_id, p.state, k.expires_at" KEYS_IN_USE
	                       " AND k.expires_at <= ? ORDER BY k.expires_at, k.poc_id");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, before);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1), sqlite3_column_int64(s, 2),
		       arg) != 0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_keys_next_expiry(struct store_conn *c, int64_t *out)
{
	sqlite3_stmt *s =
	    stmt(c, ST_KEYS_NEXT_EXPIRY, "SELECT coalesce(min(k.expires_at), 0)" KEYS_IN_USE);

	if (s == NULL)
		return POCD_ESTORE;
	return step_int64(c, s, out);
}

enum pocd_err
store_key_warned(struct store_conn *w, const char *poc_id)
{
	sqlite3_stmt *s = stmt(w, ST_KEY_WARNED, "UPDATE poc_keys SET warned = 1 WHERE poc_id = ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, poc_id, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_poc_key_get(struct store_conn *c, const char *poc_id, char fpr[FPR_SIZE], char **armored)
{
	sqlite3_stmt *s =
	    stmt(c, ST_POC_KEY_GET, "SELECT fingerprint, armored FROM poc_keys WHERE poc_id = ?");
	int rc;

	*armored = NULL;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, poc_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	col_text(s, 0, fpr, FPR_SIZE);
	*armored = strdup((const char *)sqlite3_column_text(s, 1));
	return stmt_end(s, *armored != NULL ? POCD_OK : POCD_ENOMEM);
}

enum pocd_err
store_broadcast_insert(struct store_conn *w, const char *id, const char *by, int64_t at,
                       const char *texts)
{
	sqlite3_stmt *s =
	    stmt(w, ST_BROADCAST_INSERT, "INSERT INTO broadcasts VALUES (?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, at);
	sqlite3_bind_text(s, 4, texts, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_broadcast_get(struct store_conn *c, const char *id, char **texts)
{
	sqlite3_stmt *s = stmt(c, ST_BROADCAST_GET, "SELECT texts FROM broadcasts WHERE id = ?");
	const unsigned char *t;
	int rc;

	*texts = NULL;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	t = sqlite3_column_text(s, 0);
	*texts = strdup(t != NULL ? (const char *)t : "");
	return stmt_end(s, *texts != NULL ? POCD_OK : POCD_ENOMEM);
}

enum pocd_err
store_broadcasts_list(struct store_conn *c, size_t limit,
                      int (*cb)(const char *id, int64_t at, const char *texts, void *arg),
                      void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_BROADCAST_LIST,
	                       "SELECT id, created_at, texts FROM broadcasts"
	                       " ORDER BY created_at DESC, id DESC LIMIT ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1),
		       (const char *)sqlite3_column_text(s, 2), arg) != 0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}
