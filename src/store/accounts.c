/* SQL for accounts, sessions and enrolment links. */
#include "store/internal.h"

#include <string.h>

static const char *const role_names[] = {"secretariat", "state_admin", "officer"};

static const char *const kind_names[] = {"enrol", "reset", "reenrol"};

static enum enrolment_kind
kind_parse(const unsigned char *t)
{
	for (int i = 0; i < 3; i++)
		if (t != NULL && strcmp((const char *)t, kind_names[i]) == 0)
			return (enum enrolment_kind)i;
	return ENROL_NEW;
}

static enum role
role_parse(const unsigned char *t)
{
	for (int i = 0; i < 3; i++)
		if (t != NULL && strcmp((const char *)t, role_names[i]) == 0)
			return (enum role)i;
	return ROLE_OFFICER;
}

#define ACC_COLS "id, username, role, coalesce(state, ''), disabled, created_at"

static void
row_account(sqlite3_stmt *s, int base, struct account *a)
{
	memset(a, 0, sizeof(*a));
	col_text(s, base, a->id, sizeof(a->id));
	col_text(s, base + 1, a->username, sizeof(a->username));
	a->role = role_parse(sqlite3_column_text(s, base + 2));
	col_text(s, base + 3, a->state, sizeof(a->state));
	a->disabled = sqlite3_column_int(s, base + 4) != 0;
	a->created_at = sqlite3_column_int64(s, base + 5);
}

enum pocd_err
store_account_insert(struct store_conn *w, const struct account *a, const char *pwhash)
{
	sqlite3_stmt *s = stmt(w, ST_ACC_INSERT,
	                       "INSERT INTO accounts (id, username, role, state, password_hash,"
	                       " disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, a->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, role_names[a->role], -1, SQLITE_STATIC);
	bind_text_or_null(s, 4, a->state);
	sqlite3_bind_text(s, 5, pwhash, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, a->disabled);
	sqlite3_bind_int64(s, 7, a->created_at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_account_by_username(struct store_conn *c, const char *username, struct account *out,
                          char *pwhash, size_t pwsize)
{
	sqlite3_stmt *s =
	    stmt(c, ST_ACC_BY_NAME,
	         "SELECT " ACC_COLS ", password_hash FROM accounts WHERE username = ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, username, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_account(s, 0, out);
		col_text(s, 6, pwhash, pwsize);
		return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
}

enum pocd_err
store_account_get(struct store_conn *c, const char *id, struct account *out)
{
	sqlite3_stmt *s = stmt(c, ST_ACC_GET, "SELECT " ACC_COLS " FROM accounts WHERE id = ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_account(s, 0, out);
		return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
}

enum pocd_err
store_accounts_list(struct store_conn *c, const char *state,
                    int (*cb)(const struct account *a, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(
	    c, ST_ACC_LIST, "SELECT " ACC_COLS " FROM accounts WHERE state IS ? ORDER BY username");
	struct account a;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	bind_text_or_null(s, 1, state);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_account(s, 0, &a);
		if (cb(&a, arg) != 0)
			return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_account_set_disabled(struct store_conn *w, const char *id, bool disabled, int64_t now)
{
	sqlite3_stmt *s = stmt(w, ST_ACC_DISABLE,
	                       "UPDATE accounts SET disabled = ?1,"
	                       " disabled_at = CASE WHEN ?1 THEN ?2 END WHERE id = ?3");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int(s, 1, disabled);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_account_set_password(struct store_conn *w, const char *id, const char *pwhash)
{
	sqlite3_stmt *s =
	    stmt(w, ST_ACC_PASSWORD, "UPDATE accounts SET password_hash = ? WHERE id = ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, pwhash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_accounts_count(struct store_conn *c, const char *state, enum role role, int64_t *out)
{
	sqlite3_stmt *s = stmt(c, ST_ACC_COUNT,
	                       "SELECT count(*) FROM accounts WHERE state IS ? AND role = ?"
	                       " AND disabled = 0");

	if (s == NULL)
		return POCD_ESTORE;
	bind_text_or_null(s, 1, state);
	sqlite3_bind_text(s, 2, role_names[role], -1, SQLITE_STATIC);
	return step_int64(c, s, out);
}

enum pocd_err
store_accounts_count_since(struct store_conn *c, const char *state, enum role role, int64_t since,
                           int64_t *out)
{
	sqlite3_stmt *s = stmt(c, ST_ACC_COUNT_RECENT,
	                       "SELECT count(*) FROM accounts WHERE state IS ? AND role = ?"
	                       " AND (disabled = 0 OR disabled_at >= ?)");

	if (s == NULL)
		return POCD_ESTORE;
	bind_text_or_null(s, 1, state);
	sqlite3_bind_text(s, 2, role_names[role], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, since);
	return step_int64(c, s, out);
}

enum pocd_err
store_session_insert(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN],
                     const char *account_id, int64_t now, int64_t expires_at)
{
	sqlite3_stmt *s = stmt(w, ST_SESS_INSERT, "INSERT INTO sessions VALUES (?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_blob(s, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, expires_at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_session_lookup(struct store_conn *c, const uint8_t hash[TOKEN_HASH_LEN], int64_t now,
                     struct principal *out, int64_t *expires_at)
{
	sqlite3_stmt *s =
	    stmt(c, ST_SESS_LOOKUP,
	         "SELECT a.id, a.username, a.role, coalesce(a.state, ''),"
	         " coalesce(st.participating, 1), se.expires_at, a.totp_key IS NOT NULL"
	         " FROM sessions se JOIN accounts a ON a.id = se.account_id"
	         " LEFT JOIN states st ON st.code = a.state"
	         " WHERE se.token_hash = ? AND se.expires_at > ? AND a.disabled = 0");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_blob(s, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	memset(out, 0, sizeof(*out));
	col_text(s, 0, out->account_id, sizeof(out->account_id));
	col_text(s, 1, out->username, sizeof(out->username));
	out->role = role_parse(sqlite3_column_text(s, 2));
	col_text(s, 3, out->state, sizeof(out->state));
	out->participating = sqlite3_column_int(s, 4) != 0;
	*expires_at = sqlite3_column_int64(s, 5);
	out->second_factor = sqlite3_column_int(s, 6) != 0;
	return stmt_end(s, POCD_OK);
}

enum pocd_err
store_session_delete(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN])
{
	sqlite3_stmt *s = stmt(w, ST_SESS_DELETE, "DELETE FROM sessions WHERE token_hash = ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_blob(s, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_sessions_delete_account(struct store_conn *w, const char *account_id)
{
	sqlite3_stmt *s = stmt(w, ST_SESS_DELETE_ACC, "DELETE FROM sessions WHERE account_id = ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_sessions_delete_others(struct store_conn *w, const char *account_id,
                             const uint8_t keep[TOKEN_HASH_LEN])
{
	sqlite3_stmt *s = stmt(w, ST_SESS_DELETE_OTHERS,
	                       "DELETE FROM sessions WHERE account_id = ? AND token_hash != ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, keep, TOKEN_HASH_LEN, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_enrolment_insert(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN],
                       const struct enrolment *e, int64_t now)
{
	sqlite3_stmt *s = stmt(w, ST_ENR_INSERT,
	                       "INSERT INTO enrolments (token_hash, id, state, role, created_by,"
	                       " created_at, expires_at, kind, target)"
	                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_blob(s, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, e->id, -1, SQLITE_STATIC);
	bind_text_or_null(s, 3, e->state); /* NULL: a Secretariat account's recovery link */
	sqlite3_bind_text(s, 4, role_names[e->role], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, e->created_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, now);
	sqlite3_bind_int64(s, 7, e->expires_at);
	sqlite3_bind_text(s, 8, kind_names[e->kind], -1, SQLITE_STATIC);
	bind_text_or_null(s, 9, e->target);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_enrolment_get(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN], struct enrolment *out)
{
	sqlite3_stmt *s = stmt(w, ST_ENR_GET,
	                       "SELECT id, state, role, created_by, expires_at,"
	                       " coalesce(used_at, 0), kind, coalesce(target, ''), created_at"
	                       " FROM enrolments WHERE token_hash = ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_blob(s, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(w, rc));
	memset(out, 0, sizeof(*out));
	col_text(s, 0, out->id, sizeof(out->id));
	col_text(s, 1, out->state, sizeof(out->state));
	out->role = role_parse(sqlite3_column_text(s, 2));
	col_text(s, 3, out->created_by, sizeof(out->created_by));
	out->expires_at = sqlite3_column_int64(s, 4);
	out->used_at = sqlite3_column_int64(s, 5);
	out->kind = kind_parse(sqlite3_column_text(s, 6));
	col_text(s, 7, out->target, sizeof(out->target));
	out->created_at = sqlite3_column_int64(s, 8);
	return stmt_end(s, POCD_OK);
}

enum pocd_err
store_enrolment_use(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN], int64_t now,
                    const char *account_id)
{
	sqlite3_stmt *s =
	    stmt(w, ST_ENR_USE,
	         "UPDATE enrolments SET used_at = ?, account_id = ? WHERE token_hash = ?"
	         " AND used_at IS NULL");
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_enrolments_spend(struct store_conn *w, const char *created_by, int64_t now)
{
	sqlite3_stmt *s = stmt(w, ST_ENR_SPEND,
	                       "UPDATE enrolments SET used_at = ? WHERE created_by = ?"
	                       " AND used_at IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, created_by, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_enrolments_spend_target(struct store_conn *w, const char *target, int64_t now)
{
	sqlite3_stmt *s = stmt(w, ST_ENR_SPEND_TARGET,
	                       "UPDATE enrolments SET used_at = ? WHERE target = ?"
	                       " AND used_at IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, target, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_enrolment_reset_used_since(struct store_conn *c, const char *account, int64_t since,
                                 bool *out)
{
	/* A used link names the account it was used for; a spent one names none. */
	sqlite3_stmt *s =
	    stmt(c, ST_ENR_RESET_USED,
	         "SELECT count(*) FROM enrolments WHERE target = ?1 AND kind = 'reset'"
	         " AND account_id = ?1 AND used_at >= ?2");
	int64_t n = 0;
	enum pocd_err err;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, since);
	err = step_int64(c, s, &n);
	*out = n > 0;
	return err;
}

enum pocd_err
store_enrolment_cancel(struct store_conn *w, const char *id, const char *state,
                       enum enrolment_kind kind, int64_t now)
{
	sqlite3_stmt *s = stmt(w, ST_ENR_CANCEL,
	                       "UPDATE enrolments SET used_at = ? WHERE id = ? AND state = ?"
	                       " AND kind = ? AND used_at IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, kind_names[kind], -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_enrolment_pending(struct store_conn *c, const char *id, const char *state,
                        enum enrolment_kind kind, int64_t now, bool *out)
{
	sqlite3_stmt *s = stmt(c, ST_ENR_PENDING,
	                       "SELECT count(*) FROM enrolments WHERE id = ? AND state = ?"
	                       " AND kind = ? AND used_at IS NULL AND expires_at > ?");
	int64_t n = 0;
	enum pocd_err err;

	*out = false;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, kind_names[kind], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	err = step_int64(c, s, &n);
	*out = n > 0;
	return err;
}

enum pocd_err
store_notice_insert(struct store_conn *w, const char *account_id, const char *kind, int64_t now,
                    const char *details)
{
	sqlite3_stmt *s = stmt(w, ST_NOTICE_INSERT, "INSERT INTO notices VALUES (?, ?, ?, ?, ?)");
	char id[ID_SIZE];

	if (s == NULL)
		return POCD_ESTORE;
	rand_id(id);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_text(s, 5, details, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_notices_list(struct store_conn *c, const char *account_id, size_t limit,
                   int (*cb)(const char *id, const char *kind, int64_t at, const char *details,
                             void *arg),
                   void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_NOTICE_LIST,
	                       "SELECT id, kind, created_at, details FROM notices"
	                       " WHERE account_id = ? ORDER BY created_at DESC, id LIMIT ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1), sqlite3_column_int64(s, 2),
		       (const char *)sqlite3_column_text(s, 3), arg) != 0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}

static void
col_key(sqlite3_stmt *s, int i, uint8_t out[32], bool *has)
{
	*has = sqlite3_column_bytes(s, i) == 20;
	if (*has)
		memcpy(out, sqlite3_column_blob(s, i), 20);
}

enum pocd_err
store_totp_get(struct store_conn *c, const char *account_id, struct totp_state *out)
{
	sqlite3_stmt *s = stmt(c, ST_TOTP_GET,
	                       "SELECT totp_key, totp_pending, totp_last_step FROM accounts"
	                       " WHERE id = ?");
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	col_key(s, 0, out->key, &out->enabled);
	col_key(s, 1, out->pending, &out->has_pending);
	out->last_step = sqlite3_column_int64(s, 2);
	return stmt_end(s, POCD_OK);
}

enum pocd_err
store_totp_put(struct store_conn *w, const char *account_id, const struct totp_state *t)
{
	sqlite3_stmt *s =
	    stmt(w, ST_TOTP_PUT,
	         "UPDATE accounts SET totp_key = ?, totp_pending = ?, totp_last_step = ?"
	         " WHERE id = ?");

	if (s == NULL)
		return POCD_ESTORE;
	if (t->enabled)
		sqlite3_bind_blob(s, 1, t->key, 20, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 1);
	if (t->has_pending)
		sqlite3_bind_blob(s, 2, t->pending, 20, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, t->last_step);
	sqlite3_bind_text(s, 4, account_id, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_totp_use(struct store_conn *w, const char *account_id, int64_t step)
{
	sqlite3_stmt *s = stmt(w, ST_TOTP_USE,
	                       "UPDATE accounts SET totp_last_step = ?1 WHERE id = ?2"
	                       " AND totp_last_step < ?1");
	enum pocd_err err;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, step);
	sqlite3_bind_text(s, 2, account_id, -1, SQLITE_STATIC);
	err = step_one_changed(w, s);
	/* No row changed: that step's code (or a later one) was used already. */
	return err == POCD_ENOTFOUND ? POCD_ECONFLICT : err;
}
