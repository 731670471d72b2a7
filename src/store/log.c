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
                   const char *salt, const char *commitment, const uint8_t hash[32])
{
	sqlite3_stmt *s =
	    stmt(w, ST_LOG_LEAF_ADD, "INSERT INTO log_leaves VALUES (?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, idx);
	sqlite3_bind_text(s, 2, event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, party, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, salt, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, commitment, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 6, hash, 32, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_log_leaf_get(struct store_conn *c, int64_t idx, struct log_leaf *out)
{
	sqlite3_stmt *s = stmt(c, ST_LOG_LEAF_GET,
	                       "SELECT l.event_id, l.party, l.salt, l.commitment, l.hash,"
	                       " e.id IS NOT NULL, e.type, e.at, e.actor_account, e.actor_role,"
	                       " e.actor_state, e.object_id, coalesce(e.log_index, -1), e.states"
	                       " FROM log_leaves l LEFT JOIN events e ON e.id = l.event_id"
	                       " WHERE l.idx = ?");
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, idx);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	out->index = idx;
	col_text(s, 0, out->event_id, sizeof(out->event_id));
	col_text(s, 1, out->party, sizeof(out->party));
	col_text(s, 2, out->salt, sizeof(out->salt));
	col_text(s, 3, out->commitment, sizeof(out->commitment));
	if (sqlite3_column_bytes(s, 4) == 32)
		memcpy(out->hash, sqlite3_column_blob(s, 4), 32);
	out->has_event = sqlite3_column_int(s, 5) != 0;
	col_text(s, 6, out->type, sizeof(out->type));
	out->at = sqlite3_column_int64(s, 7);
	col_text(s, 8, out->actor_account, sizeof(out->actor_account));
	col_text(s, 9, out->actor_role, sizeof(out->actor_role));
	col_text(s, 10, out->actor_state, sizeof(out->actor_state));
	col_text(s, 11, out->object, sizeof(out->object));
	out->log_index = sqlite3_column_int64(s, 12);
	col_text(s, 13, out->states, sizeof(out->states));
	return stmt_end(s, POCD_OK);
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

enum pocd_err
store_log_cosignatures(struct store_conn *c, int64_t size, int (*cb)(const char *line, void *arg),
                       void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_LOG_COSIGS,
	                       "SELECT line FROM log_cosignatures WHERE size = ? ORDER BY witness");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, size);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0), arg) != 0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_log_cosigned_size(struct store_conn *c, int64_t min, int64_t *out)
{
	sqlite3_stmt *s =
	    stmt(c, ST_LOG_COSIGNED,
	         "SELECT coalesce(max(size), 0) FROM log_cosignatures WHERE size >= ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, min);
	return step_int64(c, s, out);
}

enum pocd_err
store_log_cosignature_put(struct store_conn *w, int64_t size, const char *witness, const char *line,
                          int64_t signed_at)
{
	sqlite3_stmt *s = stmt(w, ST_LOG_COSIG_PUT,
	                       "INSERT INTO log_cosignatures VALUES (?, ?, ?, ?)"
	                       " ON CONFLICT (size, witness) DO UPDATE SET line = excluded.line,"
	                       " signed_at = excluded.signed_at"
	                       " WHERE excluded.signed_at > log_cosignatures.signed_at");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, size);
	sqlite3_bind_text(s, 2, witness, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, line, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, signed_at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_log_witness_add(struct store_conn *w, const char *name, const char *state, const char *key,
                      const uint8_t public_key[32], const char *by, int64_t at)
{
	sqlite3_stmt *s =
	    stmt(w, ST_LOG_WITNESS_ADD,
	         "INSERT INTO log_witnesses (name, state, key, created_at, created_by,"
	         " public_key) VALUES (?, ?, ?, ?, ?, ?)");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, at);
	sqlite3_bind_text(s, 5, by, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 6, public_key, 32, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return stmt_end(s, POCD_ECONFLICT);
	return stmt_end(s, sql_err(w, rc));
}

enum pocd_err
store_log_witnesses(struct store_conn *c,
                    int (*cb)(const char *name, const char *state, const char *key,
                              int64_t created_at, void *arg),
                    void *arg)
{
	sqlite3_stmt *s =
	    stmt(c, ST_LOG_WITNESSES,
	         "SELECT name, state, key, created_at FROM log_witnesses ORDER BY name");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1),
		       (const char *)sqlite3_column_text(s, 2), sqlite3_column_int64(s, 3),
		       arg) != 0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_snapshot_begin(struct store_conn *c)
{
	return store_conn_exec(c, "BEGIN") == SQLITE_OK ? POCD_OK : POCD_ESTORE;
}

void
store_snapshot_end(struct store_conn *c)
{
	store_conn_exec(c, "COMMIT");
}
