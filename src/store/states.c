/* SQL for the states of the directory. */
#include "store/internal.h"

#include <string.h>

#define STATE_COLS                                                                                 \
	"code, alpha2, name_ar, name_zh, name_en, name_fr, name_ru, name_es, participating,"       \
	" coalesce(participating_since, 0)"

static void
row_state(sqlite3_stmt *s, struct state_rec *out)
{
	memset(out, 0, sizeof(*out));
	col_text(s, 0, out->code, sizeof(out->code));
	col_text(s, 1, out->alpha2, sizeof(out->alpha2));
	for (int i = 0; i < NLANGS; i++)
		col_text(s, 2 + i, out->names[i], sizeof(out->names[i]));
	out->participating = sqlite3_column_int(s, 8) != 0;
	out->participating_since = sqlite3_column_int64(s, 9);
}

enum pocd_err
store_state_put(struct store_conn *w, const struct state_rec *st)
{
	sqlite3_stmt *s = stmt(w, ST_STATE_PUT,
	                       "INSERT INTO states VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	                       " ON CONFLICT(code) DO UPDATE SET alpha2 = excluded.alpha2,"
	                       " name_ar = excluded.name_ar, name_zh = excluded.name_zh,"
	                       " name_en = excluded.name_en, name_fr = excluded.name_fr,"
	                       " name_ru = excluded.name_ru, name_es = excluded.name_es");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, st->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, st->alpha2, -1, SQLITE_STATIC);
	for (int i = 0; i < NLANGS; i++)
		sqlite3_bind_text(s, 3 + i, st->names[i], -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 9, st->participating);
	if (st->participating)
		sqlite3_bind_int64(s, 10, st->participating_since);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_state_get(struct store_conn *c, const char *code, struct state_rec *out)
{
	sqlite3_stmt *s = stmt(c, ST_STATE_GET, "SELECT " STATE_COLS " FROM states WHERE code = ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_state(s, out);
		return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
}

enum pocd_err
store_states_list(struct store_conn *c, int (*cb)(const struct state_rec *st, void *arg), void *arg)
{
	sqlite3_stmt *s =
	    stmt(c, ST_STATES_LIST, "SELECT " STATE_COLS " FROM states ORDER BY code");
	struct state_rec st;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_state(s, &st);
		if (cb(&st, arg) != 0)
			return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_state_set_participation(struct store_conn *w, const char *code, bool on, int64_t since)
{
	sqlite3_stmt *s = stmt(w, ST_STATE_PART,
	                       "UPDATE states SET participating = ?, participating_since = ?"
	                       " WHERE code = ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int(s, 1, on);
	if (on)
		sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_text(s, 3, code, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}
