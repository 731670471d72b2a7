/* SQL for the transparency log. */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

enum pocd_err
store_log_size(struct store_conn *c, int64_t *out)
{
	sqlite3_stmt *s = stmt(c, ST_LOG_SIZE, "SELECT coalesce(max(idx) + 1, 0) FROM log_leaves");

	if (s == NULL)
		return POCD_ESTORE;
	return step_int64(c, s, out);
}

enum pocd_err
store_log_leaf_add(struct store_conn *w, int64_t idx, const char *event_id, const char *party,
                   const char *leaf, const uint8_t hash[32])
{
	sqlite3_stmt *s = stmt(w, ST_LOG_LEAF_ADD, "INSERT INTO log_leaves VALUES (?, ?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, idx);
	sqlite3_bind_text(s, 2, event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, party, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, leaf, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 5, hash, 32, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_log_leaf_get(struct store_conn *c, int64_t idx, char party[STATE_SIZE + 1], char **leaf,
                   uint8_t hash[32])
{
	sqlite3_stmt *s =
	    stmt(c, ST_LOG_LEAF_GET, "SELECT party, leaf, hash FROM log_leaves WHERE idx = ?");
	const unsigned char *t;
	int rc;

	*leaf = NULL;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, idx);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	col_text(s, 0, party, STATE_SIZE + 1);
	t = sqlite3_column_text(s, 1);
	*leaf = strdup(t != NULL ? (const char *)t : "");
	if (sqlite3_column_bytes(s, 2) == 32)
		memcpy(hash, sqlite3_column_blob(s, 2), 32);
	return stmt_end(s, *leaf != NULL ? POCD_OK : POCD_ENOMEM);
}

enum pocd_err
store_log_node_get(struct store_conn *c, unsigned level, uint64_t idx, uint8_t hash[32])
{
	/* Level 0 is the leaves themselves: their hashes live with them, not twice. */
	sqlite3_stmt *s =
	    level == 0 ? stmt(c, ST_LOG_NODE_GET0, "SELECT hash FROM log_leaves WHERE idx = ?2")
	               : stmt(c, ST_LOG_NODE_GET,
	                      "SELECT hash FROM log_nodes WHERE level = ?1 AND idx = ?2");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	if (level != 0)
		sqlite3_bind_int(s, 1, (int)level);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)idx);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 0) == 32) {
		memcpy(hash, sqlite3_column_blob(s, 0), 32);
		return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, rc == SQLITE_ROW || rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
}

enum pocd_err
store_log_node_put(struct store_conn *w, unsigned level, uint64_t idx, const uint8_t hash[32])
{
	sqlite3_stmt *s;

	if (level == 0)
		return POCD_OK; /* the leaf's row holds it (store_log_leaf_add) */
	s = stmt(w, ST_LOG_NODE_PUT, "INSERT INTO log_nodes VALUES (?, ?, ?)");
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int(s, 1, (int)level);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)idx);
	sqlite3_bind_blob(s, 3, hash, 32, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_log_checkpoint_add(struct store_conn *w, int64_t size, const uint8_t root[32],
                         const char *note, int64_t at)
{
	sqlite3_stmt *s = stmt(w, ST_LOG_CP_ADD, "INSERT INTO log_checkpoints VALUES (?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, size);
	sqlite3_bind_blob(s, 2, root, 32, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_log_checkpoint_last(struct store_conn *c, int64_t *size, char **note)
{
	sqlite3_stmt *s = stmt(c, ST_LOG_CP_LAST,
	                       "SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1");
	const unsigned char *t;
	int rc;

	*note = NULL;
	if (s == NULL)
		return POCD_ESTORE;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	*size = sqlite3_column_int64(s, 0);
	t = sqlite3_column_text(s, 1);
	*note = strdup(t != NULL ? (const char *)t : "");
	return stmt_end(s, *note != NULL ? POCD_OK : POCD_ENOMEM);
}

enum pocd_err
store_log_checkpoints(struct store_conn *c,
                      int (*cb)(int64_t size, const uint8_t root[32], const char *note, void *arg),
                      void *arg)
{
	sqlite3_stmt *s =
	    stmt(c, ST_LOG_CP_LIST, "SELECT size, root, note FROM log_checkpoints ORDER BY size");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint8_t root[32] = {0};
		if (sqlite3_column_bytes(s, 1) == 32)
			memcpy(root, sqlite3_column_blob(s, 1), 32);
		if (cb(sqlite3_column_int64(s, 0), root, (const char *)sqlite3_column_text(s, 2),
		       arg) != 0)
			return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, sql_err(c, rc));
}
