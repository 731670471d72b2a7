/* SQL for ping campaigns, pings, correction tasks and the outbox. */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const channels[] = {"open", "app", "link"};

enum pocd_err
store_campaign_insert(struct store_conn *w, const struct ping_campaign *pc)
{
	sqlite3_stmt *s = stmt(w, ST_CAMP_INSERT,
	                       "INSERT INTO ping_campaigns (id, created_by, created_at, scope,"
	                       " kinds, due, grace_end, reminders, challenge)"
	                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	char rem[PING_MAX_REMINDERS * 24] = "", one[24];

	if (s == NULL)
		return POCD_ESTORE;
	for (size_t i = 0; i < pc->nreminders; i++) {
		snprintf(one, sizeof(one), "%s%lld", i ? "," : "", (long long)pc->reminders[i]);
		strlcat(rem, one, sizeof(rem));
	}
	sqlite3_bind_text(s, 1, pc->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, pc->created_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, pc->created_at);
	sqlite3_bind_text(s, 4, pc->scope, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, (int)pc->kinds);
	sqlite3_bind_int64(s, 6, pc->due);
	sqlite3_bind_int64(s, 7, pc->grace_end);
	sqlite3_bind_text(s, 8, rem, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 9, pc->challenge);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

static void
row_campaign(sqlite3_stmt *s, struct ping_campaign *pc)
{
	const char *rem;
	char *end;

	memset(pc, 0, sizeof(*pc));
	col_text(s, 0, pc->id, sizeof(pc->id));
	col_text(s, 1, pc->created_by, sizeof(pc->created_by));
	pc->created_at = sqlite3_column_int64(s, 2);
	col_text(s, 3, pc->scope, sizeof(pc->scope));
	pc->kinds = (unsigned)sqlite3_column_int(s, 4);
	pc->due = sqlite3_column_int64(s, 5);
	pc->grace_end = sqlite3_column_int64(s, 6);
	rem = (const char *)sqlite3_column_text(s, 7);
	while (rem != NULL && *rem != '\0' && pc->nreminders < PING_MAX_REMINDERS) {
		pc->reminders[pc->nreminders++] = strtoll(rem, &end, 10);
		rem = *end == ',' ? end + 1 : end;
	}
	pc->challenge = sqlite3_column_int(s, 8) != 0;
	pc->filling = sqlite3_column_type(s, 9) != SQLITE_NULL;
}

enum pocd_err
store_campaign_fill_get(struct store_conn *w, const char *id, bool *filling,
                        char after_state[STATE_SIZE], char after_key[SORTKEY_SIZE])
{
	sqlite3_stmt *s = stmt(w, ST_CAMP_FILL_GET,
	                       "SELECT fill_state, fill_key FROM ping_campaigns WHERE id = ?");
	int rc;

	*filling = false;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(w, rc));
	*filling = sqlite3_column_type(s, 0) != SQLITE_NULL;
	col_text(s, 0, after_state, STATE_SIZE);
	col_text(s, 1, after_key, SORTKEY_SIZE);
	return stmt_end(s, POCD_OK);
}

enum pocd_err
store_campaign_fill_set(struct store_conn *w, const char *id, const char *after_state,
                        const char *after_key)
{
	sqlite3_stmt *s =
	    stmt(w, ST_CAMP_FILL_SET,
	         "UPDATE ping_campaigns SET fill_state = ?, fill_key = ? WHERE id = ?");

	if (s == NULL)
		return POCD_ESTORE;
	if (after_state != NULL) {
		sqlite3_bind_text(s, 1, after_state, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, after_key, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_campaigns_filling(struct store_conn *c, char (*ids)[ID_SIZE], size_t max, size_t *n)
{
	sqlite3_stmt *s = stmt(c, ST_CAMP_FILLING,
	                       "SELECT id FROM ping_campaigns WHERE fill_state IS NOT NULL"
	                       " ORDER BY created_at LIMIT ?");
	int rc;

	*n = 0;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
		col_text(s, 0, ids[(*n)++], ID_SIZE);
	return stmt_end(s, rc == SQLITE_ROW ? POCD_OK : sql_err(c, rc));
}

enum pocd_err
store_campaign_pinged(struct store_conn *c, const char *id, size_t *n, char *states, size_t len)
{
	sqlite3_stmt *s = stmt(c, ST_CAMP_PINGED,
	                       "SELECT count(*), coalesce((SELECT group_concat(state) FROM"
	                       " (SELECT DISTINCT state FROM pings WHERE campaign_id = ?1"
	                       " ORDER BY state)), '') FROM pings WHERE campaign_id = ?1");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, sql_err(c, rc));
	*n = (size_t)sqlite3_column_int64(s, 0);
	if (states != NULL)
		col_text(s, 1, states, len);
	return stmt_end(s, POCD_OK);
}

enum pocd_err
store_campaign_get(struct store_conn *c, const char *id, struct ping_campaign *out)
{
	sqlite3_stmt *s = stmt(c, ST_CAMP_GET, "SELECT * FROM ping_campaigns WHERE id = ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_campaign(s, out);
		return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
}

enum pocd_err
store_campaigns_list(struct store_conn *c, int (*cb)(const struct ping_campaign *pc, void *arg),
                     void *arg)
{
	sqlite3_stmt *s =
	    stmt(c, ST_CAMP_LIST, "SELECT * FROM ping_campaigns ORDER BY created_at DESC, id DESC");
	struct ping_campaign *pc = malloc(sizeof(*pc));
	int rc = SQLITE_NOMEM;

	if (s == NULL || pc == NULL) {
		free(pc);
		return s == NULL ? POCD_ESTORE : POCD_ENOMEM;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_campaign(s, pc);
		if (cb(pc, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	free(pc);
	return stmt_end(s, sql_err(c, rc));
}

#define PING_COLS                                                                                  \
	"id, campaign_id, poc_id, state, kind, lang, challenge, created_at, due, grace_end,"       \
	" coalesce(next_due, 0), reminders_sent, coalesce(answered_at, 0), channel,"               \
	" coalesce(answered_by, ''), correct, late, task_opened"

static void
row_ping(sqlite3_stmt *s, struct ping *p)
{
	const unsigned char *ch;

	memset(p, 0, sizeof(*p));
	col_text(s, 0, p->id, sizeof(p->id));
	col_text(s, 1, p->campaign, sizeof(p->campaign));
	col_text(s, 2, p->poc_id, sizeof(p->poc_id));
	col_text(s, 3, p->state, sizeof(p->state));
	p->kind = strcmp((const char *)sqlite3_column_text(s, 4), "technical") == 0
	              ? POC_TECHNICAL
	              : POC_DIPLOMATIC;
	col_text(s, 5, p->lang, sizeof(p->lang));
	col_text(s, 6, p->challenge, sizeof(p->challenge));
	p->created_at = sqlite3_column_int64(s, 7);
	p->due = sqlite3_column_int64(s, 8);
	p->grace_end = sqlite3_column_int64(s, 9);
	p->next_due = sqlite3_column_int64(s, 10);
	p->reminders_sent = sqlite3_column_int(s, 11);
	p->answered_at = sqlite3_column_int64(s, 12);
	ch = sqlite3_column_text(s, 13);
	for (int i = 0; i < 3; i++)
		if (ch != NULL && strcmp((const char *)ch, channels[i]) == 0)
			p->channel = (enum ping_channel)i;
	col_text(s, 14, p->answered_by, sizeof(p->answered_by));
	p->correct = sqlite3_column_int(s, 15) != 0;
	p->late = sqlite3_column_int(s, 16) != 0;
	p->task_opened = sqlite3_column_int(s, 17) != 0;
}

enum pocd_err
store_ping_insert(struct store_conn *w, const struct ping *p, const uint8_t hash[TOKEN_HASH_LEN])
{
	sqlite3_stmt *s = stmt(w, ST_PING_INSERT,
	                       "INSERT INTO pings (id, campaign_id, poc_id, state, kind, lang,"
	                       " challenge, token_hash, created_at, due, grace_end, next_due)"
	                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p->campaign, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p->poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, p->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, p->kind == POC_TECHNICAL ? "technical" : "diplomatic", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(s, 6, p->lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, p->challenge, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 8, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, p->created_at);
	sqlite3_bind_int64(s, 10, p->due);
	sqlite3_bind_int64(s, 11, p->grace_end);
	bind_time(s, 12, p->next_due);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

static enum pocd_err
one_ping(struct store_conn *c, sqlite3_stmt *s, struct ping *out)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		row_ping(s, out);
		return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
}

enum pocd_err
store_ping_get(struct store_conn *c, const char *id, struct ping *out)
{
	sqlite3_stmt *s = stmt(c, ST_PING_GET, "SELECT " PING_COLS " FROM pings WHERE id = ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	return one_ping(c, s, out);
}

enum pocd_err
store_ping_by_token(struct store_conn *c, const uint8_t hash[TOKEN_HASH_LEN], struct ping *out)
{
	sqlite3_stmt *s =
	    stmt(c, ST_PING_BY_TOKEN, "SELECT " PING_COLS " FROM pings WHERE token_hash = ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_blob(s, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	return one_ping(c, s, out);
}

enum pocd_err
store_ping_update(struct store_conn *w, const struct ping *p)
{
	sqlite3_stmt *s =
	    stmt(w, ST_PING_UPDATE,
	         "UPDATE pings SET next_due = ?, reminders_sent = ?, answered_at = ?,"
	         " channel = ?, answered_by = ?, correct = ?, late = ?, task_opened = ?"
	         " WHERE id = ?");

	if (s == NULL)
		return POCD_ESTORE;
	bind_time(s, 1, p->next_due);
	sqlite3_bind_int(s, 2, p->reminders_sent);
	bind_time(s, 3, p->answered_at);
	sqlite3_bind_text(s, 4, channels[p->channel], -1, SQLITE_STATIC);
	bind_text_or_null(s, 5, p->answered_by);
	sqlite3_bind_int(s, 6, p->correct);
	sqlite3_bind_int(s, 7, p->late);
	sqlite3_bind_int(s, 8, p->task_opened);
	sqlite3_bind_text(s, 9, p->id, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_pings_list(struct store_conn *c, const struct ping_filter *f,
                 int (*cb)(const struct ping *p, void *arg), void *arg)
{
	/* Two shapes, so that each walks its index (campaign_id, id) or (state, id) from the
	 * cursor on: a campaign's pings (perhaps of one state), or a state's pings. Status: 0
	 * open, 1 answered in time, 2 answered late, 3 unanswered past the window. */
#define PING_FILTERS                                                                               \
	" AND (?2 IS NULL OR poc_id IN (SELECT poc_id FROM poc_accounts WHERE account_id = ?2))"   \
	" AND id > ?4 AND (?5 < 0 OR (?5 = 0 AND answered_at IS NULL AND due >= ?6)"               \
	" OR (?5 = 1 AND answered_at IS NOT NULL AND late = 0)"                                    \
	" OR (?5 = 2 AND answered_at IS NOT NULL AND late = 1)"                                    \
	" OR (?5 = 3 AND answered_at IS NULL AND due < ?6))"                                       \
	" ORDER BY id LIMIT ?7"
	sqlite3_stmt *s =
	    f->campaign[0] != '\0'
	        ? stmt(c, ST_PING_LIST,
	               "SELECT " PING_COLS " FROM pings INDEXED BY pings_campaign_id"
	               " WHERE campaign_id = ?3 AND (?1 IS NULL OR state = ?1)" PING_FILTERS)
	        : stmt(c, ST_PING_LIST_STATE,
	               "SELECT " PING_COLS " FROM pings INDEXED BY pings_state"
	               " WHERE state = ?1 AND (?3 IS NULL OR campaign_id = ?3)" PING_FILTERS);
#undef PING_FILTERS
	struct ping p;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	bind_text_or_null(s, 1, f->state);
	bind_text_or_null(s, 2, f->account);
	bind_text_or_null(s, 3, f->campaign);
	sqlite3_bind_text(s, 4, f->after_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, f->status);
	sqlite3_bind_int64(s, 6, f->now);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)f->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_ping(s, &p);
		if (cb(&p, arg) != 0)
			return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_ping_due(struct store_conn *c, int64_t now, int (*cb)(const char *id, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_PING_DUE,
	                       "SELECT id FROM pings WHERE next_due IS NOT NULL AND next_due <= ?"
	                       " ORDER BY next_due");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0), arg) != 0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_ping_next_due(struct store_conn *c, int64_t *out)
{
	sqlite3_stmt *s =
	    stmt(c, ST_PING_NEXT_DUE,
	         "SELECT coalesce(min(t), 0) FROM (SELECT min(next_due) AS t FROM pings"
	         " WHERE next_due IS NOT NULL UNION ALL SELECT min(created_at) FROM"
	         " ping_campaigns WHERE fill_state IS NOT NULL)");

	if (s == NULL)
		return POCD_ESTORE;
	return step_int64(c, s, out);
}

enum pocd_err
store_task_insert(struct store_conn *w, const struct task *t)
{
	sqlite3_stmt *s = stmt(w, ST_TASK_INSERT,
	                       "INSERT INTO tasks (id, state, poc_id, kind, ping_id, created_at)"
	                       " VALUES (?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, t->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, t->poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, t->kind, -1, SQLITE_STATIC);
	bind_text_or_null(s, 5, t->ping_id);
	sqlite3_bind_int64(s, 6, t->created_at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_tasks_close_poc(struct store_conn *w, const char *poc_id, const char *reason, int64_t now)
{
	sqlite3_stmt *s = stmt(w, ST_TASK_CLOSE,
	                       "UPDATE tasks SET closed_at = ?, closed_reason = ?"
	                       " WHERE poc_id = ? AND closed_at IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, poc_id, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_tasks_list(struct store_conn *c, const char *state, bool open_only,
                 int (*cb)(const struct task *t, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_TASK_LIST,
	                       "SELECT id, state, poc_id, kind, coalesce(ping_id, ''), created_at,"
	                       " coalesce(closed_at, 0), coalesce(closed_reason, '') FROM tasks"
	                       " WHERE state = ? AND (? = 0 OR closed_at IS NULL)"
	                       " ORDER BY created_at DESC, id LIMIT 1000");
	struct task t;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, open_only);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_text(s, 0, t.id, sizeof(t.id));
		col_text(s, 1, t.state, sizeof(t.state));
		col_text(s, 2, t.poc_id, sizeof(t.poc_id));
		col_text(s, 3, t.kind, sizeof(t.kind));
		col_text(s, 4, t.ping_id, sizeof(t.ping_id));
		t.created_at = sqlite3_column_int64(s, 5);
		t.closed_at = sqlite3_column_int64(s, 6);
		col_text(s, 7, t.closed_reason, sizeof(t.closed_reason));
		if (cb(&t, arg) != 0)
			return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_outbox_add(struct store_conn *w, const char *kind, const char *ref_id, const char *poc_id,
                 const char *state, const char *lang, const char *payload, int64_t now)
{
	sqlite3_stmt *s = stmt(w, ST_OUTBOX_ADD,
	                       "INSERT INTO outbox (id, kind, ref_id, poc_id, state, lang, payload,"
	                       " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	char id[ID_SIZE];

	if (s == NULL)
		return POCD_ESTORE;
	rand_id(id);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, ref_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, now);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_pings_stop_poc(struct store_conn *w, const char *poc_id)
{
	sqlite3_stmt *s = stmt(w, ST_PING_STOP_POC,
	                       "UPDATE pings SET next_due = NULL WHERE poc_id = ?"
	                       " AND answered_at IS NULL");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, poc_id, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}
