/* SQL for the events table: one row per mutation, in the mutation's transaction. */
#include "store/internal.h"

#include <string.h>

enum pocd_err
store_event_append(struct store_conn *w, const struct event *e, int64_t at)
{
	sqlite3_stmt *s = stmt(w, ST_EVENT_APPEND,
	                       "INSERT INTO events (id, type, at, actor_account, actor_state,"
	                       " states, object_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
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
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
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
store_event_get(struct store_conn *c, const char *id, char *type, size_t typelen, int64_t *at,
                char *object, size_t objlen, char *states, size_t stateslen)
{
	sqlite3_stmt *s = stmt(c, ST_EVENT_GET,
	                       "SELECT type, at, coalesce(object_id, ''), states FROM events"
	                       " WHERE id = ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	col_text(s, 0, type, typelen);
	*at = sqlite3_column_int64(s, 1);
	col_text(s, 2, object, objlen);
	col_text(s, 3, states, stateslen);
	return stmt_end(s, POCD_OK);
}
