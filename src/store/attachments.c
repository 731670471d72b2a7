/* SQL for attachments: their rows, the reference a communication or reply makes, the sweep
 * of uploads nobody referenced. */
#include "store/internal.h"

#include <string.h>

#define ATT_COLS                                                                                   \
	"id, sha256, size, filename, media_type, owner_state, uploader, created_at,"               \
	" coalesce(comm_id, ''), coalesce(thread, ''), reply"

enum pocd_err
store_attachment_insert(struct store_conn *w, const struct attachment *a)
{
	sqlite3_stmt *s =
	    stmt(w, ST_ATT_INSERT,
	         "INSERT INTO attachments (id, sha256, size, filename, media_type,"
	         " owner_state, uploader, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, a->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, a->size);
	sqlite3_bind_text(s, 4, a->filename, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, a->media_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, a->owner_state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, a->uploader, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, a->created_at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

static void
row(sqlite3_stmt *s, struct attachment *a)
{
	col_text(s, 0, a->id, sizeof(a->id));
	col_text(s, 1, a->sha256, sizeof(a->sha256));
	a->size = sqlite3_column_int64(s, 2);
	col_text(s, 3, a->filename, sizeof(a->filename));
	col_text(s, 4, a->media_type, sizeof(a->media_type));
	col_text(s, 5, a->owner_state, sizeof(a->owner_state));
	col_text(s, 6, a->uploader, sizeof(a->uploader));
	a->created_at = sqlite3_column_int64(s, 7);
	col_text(s, 8, a->comm_id, sizeof(a->comm_id));
	col_text(s, 9, a->thread, sizeof(a->thread));
	a->reply = sqlite3_column_int(s, 10) != 0;
}

enum pocd_err
store_attachment_get(struct store_conn *c, const char *id, struct attachment *out)
{
	sqlite3_stmt *s = stmt(c, ST_ATT_GET, "SELECT " ATT_COLS " FROM attachments WHERE id = ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	row(s, out);
	return stmt_end(s, POCD_OK);
}

enum pocd_err
store_attachment_reference(struct store_conn *w, const char *id, const char *comm_id,
                           const char *thread, bool reply)
{
	sqlite3_stmt *s = stmt(w, ST_ATT_REFERENCE,
	                       "UPDATE attachments SET comm_id = ?, thread = ?, reply = ?"
	                       " WHERE id = ? AND comm_id IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, comm_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, thread, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, reply);
	sqlite3_bind_text(s, 4, id, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_attachments_sweep(struct store_conn *w, int64_t before, size_t max,
                        int (*cb)(const char *sha256, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(w, ST_ATT_STALE,
	                       "SELECT id, sha256 FROM attachments WHERE comm_id IS NULL"
	                       " AND created_at < ? ORDER BY created_at LIMIT ?");
	sqlite3_stmt *d;
	char ids[64][ID_SIZE], shas[64][65];
	size_t n = 0;
	enum pocd_err err = POCD_OK;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	if (max > 64)
		max = 64;
	sqlite3_bind_int64(s, 1, before);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_text(s, 0, ids[n], sizeof(ids[n]));
		col_text(s, 1, shas[n], sizeof(shas[n]));
		n++;
	}
	err = stmt_end(s, rc == SQLITE_DONE ? POCD_OK : sql_err(w, rc));
	for (size_t i = 0; err == POCD_OK && i < n; i++) {
		d = stmt(w, ST_ATT_DELETE, "DELETE FROM attachments WHERE id = ?");
		if (d == NULL)
			return POCD_ESTORE;
		sqlite3_bind_text(d, 1, ids[i], -1, SQLITE_STATIC);
		err = stmt_end(d, sql_err(w, sqlite3_step(d)));
	}
	for (size_t i = 0; err == POCD_OK && i < n; i++)
		if (cb(shas[i], arg) != 0)
			break;
	return err;
}

enum pocd_err
store_attachment_sha_used(struct store_conn *c, const char *sha256, bool *used)
{
	sqlite3_stmt *s = stmt(c, ST_ATT_SHA_USED,
	                       "SELECT count(*) FROM (SELECT 1 FROM attachments WHERE sha256 = ?"
	                       " LIMIT 1)");
	int64_t n = 0;
	enum pocd_err err;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
	err = step_int64(c, s, &n);
	*used = n > 0;
	return err;
}

enum pocd_err
store_attachments_pending(struct store_conn *c, const char *state, int64_t *bytes, int64_t *count)
{
	sqlite3_stmt *s = stmt(c, ST_ATT_PENDING,
	                       "SELECT coalesce(sum(size), 0), count(*) FROM attachments"
	                       " INDEXED BY attachments_unreferenced"
	                       " WHERE comm_id IS NULL AND owner_state = ?");
	int rc;

	*bytes = *count = 0;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*bytes = sqlite3_column_int64(s, 0);
		*count = sqlite3_column_int64(s, 1);
	}
	return stmt_end(s, rc == SQLITE_ROW ? POCD_OK : sql_err(c, rc));
}
