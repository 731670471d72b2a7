/* SQL for the events table: one row per mutation, in the mutation's transaction. */
#include "store/internal.h"

#include <string.h>

static enum pocd_err
append(struct store_conn *w, const struct event *e, int64_t at, int64_t log_index)
{
	sqlite3_stmt *s = stmt(w, ST_EVENT_APPEND,
	                       "INSERT INTO events (id, type, at, actor_account, actor_state,"
	                       " states, object_id, details, actor_role, log_index)"
	                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	char id[ID_SIZE];

	if (s == NULL)
		return POCD_ESTORE;
	if (e->id != NULL)
		strlcpy(id, e->id, sizeof(id));
	else
		rand_id(id);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, e->type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, at);
	bind_text_or_null(s, 4, e->actor_account);
	bind_text_or_null(s, 5, e->actor_state);
	sqlite3_bind_text(s, 6, e->states != NULL ? e->states : "", -1, SQLITE_STATIC);
	bind_text_or_null(s, 7, e->object_id);
	sqlite3_bind_text(s, 8, e->details != NULL ? e->details : "{}", -1, SQLITE_STATIC);
	bind_text_or_null(s, 9, e->actor_role);
	if (log_index >= 0)
		sqlite3_bind_int64(s, 10, log_index);
	else
		sqlite3_bind_null(s, 10);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_event_append(struct store_conn *w, const struct event *e, int64_t at)
{
	return append(w, e, at, -1);
}

enum pocd_err
store_event_append_logged(struct store_conn *w, const struct event *e, int64_t at,
                          int64_t log_index)
{
	return append(w, e, at, log_index);
}

enum pocd_err
store_events_count(struct store_conn *c, const char *type, int64_t *out)
{
	sqlite3_stmt *s =
	    stmt(c, ST_EVENT_COUNT, "SELECT count(*) FROM events WHERE ?1 IS NULL OR type = ?1");

	if (s == NULL)
		return POCD_ESTORE;
	bind_text_or_null(s, 1, type);
	return step_int64(c, s, out);
}

enum pocd_err
store_event_log_index(struct store_conn *c, const char *id, int64_t *log_index, char *states,
                      size_t stateslen)
{
	sqlite3_stmt *s = stmt(c, ST_EVENT_GET,
	                       "SELECT log_index, states FROM events WHERE id = ?"
	                       " AND log_index IS NOT NULL");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	*log_index = sqlite3_column_int64(s, 0);
	col_text(s, 1, states, stateslen);
	return stmt_end(s, POCD_OK);
}
