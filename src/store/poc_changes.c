/* SQL for proposed changes of a PoC's e-mail or OpenPGP key (migration 10). */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

#define CHANGE_COLS                                                                                \
	"id, poc_id, state, coalesce(email, ''), key_change, coalesce(fingerprint, ''),"           \
	" armored IS NOT NULL, coalesce(key_expires, 0), proposed_by, created_at,"                 \
	" coalesce(effective_at, 0), status, coalesce(decided_by, ''), coalesce(decided_at, 0)"

static const char *const status_names[] = {"pending", "applied", "cancelled", "replaced"};

static void
row_change(sqlite3_stmt *s, struct poc_change *ch)
{
	const char *st;

	memset(ch, 0, sizeof(*ch));
	col_text(s, 0, ch->id, sizeof(ch->id));
	col_text(s, 1, ch->poc_id, sizeof(ch->poc_id));
	col_text(s, 2, ch->state, sizeof(ch->state));
	col_text(s, 3, ch->email, sizeof(ch->email));
	ch->key_change = sqlite3_column_int(s, 4) != 0;
	col_text(s, 5, ch->fingerprint, sizeof(ch->fingerprint));
	ch->has_armored = sqlite3_column_int(s, 6) != 0;
	ch->key_expires = sqlite3_column_int64(s, 7);
	col_text(s, 8, ch->proposed_by, sizeof(ch->proposed_by));
	ch->created_at = sqlite3_column_int64(s, 9);
	ch->effective_at = sqlite3_column_int64(s, 10);
	st = (const char *)sqlite3_column_text(s, 11);
	for (size_t i = 0; st != NULL && i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(st, status_names[i]) == 0)
			ch->status = (enum poc_change_status)i;
	col_text(s, 12, ch->decided_by, sizeof(ch->decided_by));
	ch->decided_at = sqlite3_column_int64(s, 13);
}

const char *
store_poc_change_status_name(enum poc_change_status st)
{
	return status_names[st];
}

enum pocd_err
store_poc_change_insert(struct store_conn *w, const struct poc_change *ch, const char *armored)
{
	sqlite3_stmt *s = stmt(w, ST_CHANGE_INSERT,
	                       "INSERT INTO poc_changes (id, poc_id, state, email, key_change,"
	                       " fingerprint, armored, key_expires, proposed_by, created_at,"
	                       " effective_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	                       " 'pending')");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, ch->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ch->poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, ch->state, -1, SQLITE_STATIC);
	bind_text_or_null(s, 4, ch->email);
	sqlite3_bind_int(s, 5, ch->key_change);
	if (ch->key_change)
		bind_text_or_null(s, 6, ch->fingerprint);
	if (armored != NULL)
		sqlite3_bind_text(s, 7, armored, -1, SQLITE_STATIC);
	bind_time(s, 8, ch->key_expires);
	sqlite3_bind_text(s, 9, ch->proposed_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, ch->created_at);
	bind_time(s, 11, ch->effective_at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_poc_change_get(struct store_conn *c, const char *id, struct poc_change *out)
{
	sqlite3_stmt *s =
	    stmt(c, ST_CHANGE_GET, "SELECT " CHANGE_COLS " FROM poc_changes WHERE id = ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_change(s, out);
		return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
}

enum pocd_err
store_poc_change_armored(struct store_conn *c, const char *id, char **out)
{
	sqlite3_stmt *s =
	    stmt(c, ST_CHANGE_ARMORED,
	         "SELECT armored FROM poc_changes WHERE id = ? AND armored IS NOT NULL");
	int rc;

	*out = NULL;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	*out = strdup((const char *)sqlite3_column_text(s, 0));
	return stmt_end(s, *out != NULL ? POCD_OK : POCD_ENOMEM);
}

enum pocd_err
store_poc_changes_list(struct store_conn *c, const char *state, const char *poc_id,
                       bool pending_only, size_t limit,
                       int (*cb)(const struct poc_change *ch, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_CHANGE_LIST,
	                       "SELECT " CHANGE_COLS " FROM poc_changes WHERE state = ?1"
	                       " AND (?2 IS NULL OR poc_id = ?2)"
	                       " AND (?3 = 0 OR status = 'pending')"
	                       " ORDER BY created_at DESC, id LIMIT ?4");
	struct poc_change ch;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	bind_text_or_null(s, 2, poc_id != NULL ? poc_id : "");
	sqlite3_bind_int(s, 3, pending_only);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_change(s, &ch);
		if (cb(&ch, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_poc_change_decide(struct store_conn *w, const char *id, enum poc_change_status status,
                        const char *by, int64_t at)
{
	sqlite3_stmt *s = stmt(w, ST_CHANGE_DECIDE,
	                       "UPDATE poc_changes SET status = ?2, decided_by = ?3,"
	                       " decided_at = ?4 WHERE id = ?1 AND status = 'pending'");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, status_names[status], -1, SQLITE_STATIC);
	bind_text_or_null(s, 3, by);
	sqlite3_bind_int64(s, 4, at);
	return step_one_changed(w, s);
}

enum pocd_err
store_poc_changes_supersede(struct store_conn *w, const char *poc_id, bool email, bool key,
                            enum poc_change_status status, const char *by, int64_t at)
{
	sqlite3_stmt *s = stmt(w, ST_CHANGE_SUPERSEDE,
	                       "UPDATE poc_changes SET status = ?5, decided_by = ?6,"
	                       " decided_at = ?4 WHERE poc_id = ?1 AND status = 'pending'"
	                       " AND ((?2 AND email IS NOT NULL) OR (?3 AND key_change = 1))");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, email);
	sqlite3_bind_int(s, 3, key);
	sqlite3_bind_int64(s, 4, at);
	sqlite3_bind_text(s, 5, status_names[status], -1, SQLITE_STATIC);
	bind_text_or_null(s, 6, by);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_poc_changes_due(struct store_conn *c, int64_t now, size_t max,
                      int (*cb)(const struct poc_change *ch, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_CHANGE_DUE,
	                       "SELECT " CHANGE_COLS " FROM poc_changes WHERE status = 'pending'"
	                       " AND effective_at IS NOT NULL AND effective_at <= ?"
	                       " ORDER BY effective_at, id LIMIT ?");
	struct poc_change ch;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_change(s, &ch);
		if (cb(&ch, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_poc_changes_next_due(struct store_conn *c, int64_t *out)
{
	sqlite3_stmt *s = stmt(c, ST_CHANGE_NEXT_DUE,
	                       "SELECT min(effective_at) FROM poc_changes"
	                       " WHERE status = 'pending' AND effective_at IS NOT NULL");

	if (s == NULL)
		return POCD_ESTORE;
	return step_int64(c, s, out);
}

enum pocd_err
store_poc_contact_changed(struct store_conn *w, const char *poc_id, bool email, bool key,
                          int64_t at)
{
	sqlite3_stmt *s = stmt(w, ST_CHANGE_MARK,
	                       "UPDATE pocs SET"
	                       " email_changed_at = CASE WHEN ?2 THEN ?4 ELSE email_changed_at END,"
	                       " key_changed_at = CASE WHEN ?3 THEN ?4 ELSE key_changed_at END"
	                       " WHERE id = ?1");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, email);
	sqlite3_bind_int(s, 3, key);
	sqlite3_bind_int64(s, 4, at);
	return step_one_changed(w, s);
}

enum pocd_err
store_mail_pocs_of_change(struct store_conn *c, const char *poc_id, const char *state,
                          const char *except_account,
                          int (*cb)(const char *poc_id, const char *languages, void *arg),
                          void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_MAIL_POCS_CHANGE,
	                       "SELECT p.id, p.languages FROM pocs p WHERE p.state = ?2"
	                       " AND (p.id = ?1 OR EXISTS (SELECT 1 FROM poc_accounts pa"
	                       " JOIN accounts a ON a.id = pa.account_id WHERE pa.poc_id = p.id"
	                       " AND a.disabled = 0 AND a.state = ?2 AND a.id <> ?3))"
	                       " ORDER BY p.sortkey");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, except_account, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1), arg) != 0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}
