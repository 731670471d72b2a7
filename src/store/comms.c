/* SQL for communications: their recipients, steps and replies. */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {"sent", "acknowledged", "answered", "closed"};

static enum comm_status
status_parse(const unsigned char *t)
{
	for (int i = 0; i < 4; i++)
		if (t != NULL && strcmp((const char *)t, status_names[i]) == 0)
			return (enum comm_status)i;
	return COMM_SENT;
}

enum pocd_err
store_comm_insert(struct store_conn *w, const struct comm *cm)
{
	sqlite3_stmt *s = stmt(w, ST_COMM_INSERT,
	                       "INSERT INTO communications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	enum pocd_err err;

	w->comms_touched = true;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, cm->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, cm->sender_state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, cm->sender_account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, cm->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, cm->urgency, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, cm->tlp, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, cm->template_version);
	sqlite3_bind_int(s, 8, cm->open_distribution);
	sqlite3_bind_text(s, 9, cm->content, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, cm->created_at);
	err = stmt_end(s, sql_err(w, sqlite3_step(s)));
	for (size_t i = 0; err == POCD_OK && i < cm->nrecipients; i++) {
		const struct comm_recipient *r = &cm->r[i];
		s = stmt(w, ST_COMM_RCPT_INSERT,
		         "INSERT INTO comm_recipients (comm_id, state, kinds, status, ack_due,"
		         " answer_due, next_due, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
		if (s == NULL)
			return POCD_ESTORE;
		sqlite3_bind_text(s, 1, cm->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, r->state, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, (int)r->kinds);
		sqlite3_bind_text(s, 4, status_names[r->status], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, r->ack_due);
		sqlite3_bind_int64(s, 6, r->answer_due);
		bind_time(s, 7, r->next_due);
		sqlite3_bind_int64(s, 8, cm->created_at);
		err = stmt_end(s, sql_err(w, sqlite3_step(s)));
	}
	return err;
}

#define RCPT_COLS                                                                                  \
	"state, kinds, status, ack_late, answer_late, escalation, ack_due, answer_due,"            \
	" coalesce(next_due, 0), coalesce(acknowledged_at, 0), coalesce(answered_at, 0),"          \
	" coalesce(closed_at, 0)"

static void
row_recipient(sqlite3_stmt *s, int base, struct comm_recipient *r)
{
	memset(r, 0, sizeof(*r));
	col_text(s, base, r->state, sizeof(r->state));
	r->kinds = (unsigned)sqlite3_column_int(s, base + 1);
	r->status = status_parse(sqlite3_column_text(s, base + 2));
	r->ack_late = sqlite3_column_int(s, base + 3) != 0;
	r->answer_late = sqlite3_column_int(s, base + 4) != 0;
	r->escalation = sqlite3_column_int(s, base + 5);
	r->ack_due = sqlite3_column_int64(s, base + 6);
	r->answer_due = sqlite3_column_int64(s, base + 7);
	r->next_due = sqlite3_column_int64(s, base + 8);
	r->acknowledged_at = sqlite3_column_int64(s, base + 9);
	r->answered_at = sqlite3_column_int64(s, base + 10);
	r->closed_at = sqlite3_column_int64(s, base + 11);
}

#define COMM_COLS                                                                                  \
	"id, sender_state, sender_account, type, urgency, tlp, template_version,"                  \
	" open_distribution"

/* With summary, the content is reduced to its subject: lists show no more, and SQLite picks
 * it out of the stored JSON for a fraction of what parsing it whole would cost. */
static enum pocd_err
comm_get(struct store_conn *c, const char *id, bool summary, struct comm *out)
{
	sqlite3_stmt *s =
	    summary ? stmt(c, ST_COMM_SUMMARY,
	                   "SELECT " COMM_COLS ", json_object('subject', content -> '$.subject'),"
	                   " created_at FROM communications WHERE id = ?")
	            : stmt(c, ST_COMM_GET,
	                   "SELECT " COMM_COLS ", content, created_at FROM communications"
	                   " WHERE id = ?");
	const unsigned char *content;
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
	col_text(s, 0, out->id, sizeof(out->id));
	col_text(s, 1, out->sender_state, sizeof(out->sender_state));
	col_text(s, 2, out->sender_account, sizeof(out->sender_account));
	col_text(s, 3, out->type, sizeof(out->type));
	col_text(s, 4, out->urgency, sizeof(out->urgency));
	col_text(s, 5, out->tlp, sizeof(out->tlp));
	out->template_version = sqlite3_column_int(s, 6);
	out->open_distribution = sqlite3_column_int(s, 7) != 0;
	content = sqlite3_column_text(s, 8);
	out->content = strdup(content != NULL ? (const char *)content : "{}");
	out->created_at = sqlite3_column_int64(s, 9);
	stmt_end(s, POCD_OK);
	if (out->content == NULL)
		return POCD_ENOMEM;
	s = stmt(c, ST_COMM_RCPTS,
	         "SELECT " RCPT_COLS " FROM comm_recipients WHERE comm_id = ? ORDER BY state");
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && out->nrecipients < COMM_MAX_RECIPIENTS)
		row_recipient(s, 0, &out->r[out->nrecipients++]);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_comm_get(struct store_conn *c, const char *id, struct comm *out)
{
	return comm_get(c, id, false, out);
}

enum pocd_err
store_comm_summary(struct store_conn *c, const char *id, struct comm *out)
{
	return comm_get(c, id, true, out);
}

enum pocd_err
store_comm_recipient_update(struct store_conn *w, const char *comm_id,
                            const struct comm_recipient *r)
{
	sqlite3_stmt *s =
	    stmt(w, ST_COMM_RCPT_UPDATE,
	         "UPDATE comm_recipients SET status = ?, ack_late = ?, answer_late = ?,"
	         " escalation = ?, ack_due = ?, answer_due = ?, next_due = ?,"
	         " acknowledged_at = ?, answered_at = ?, closed_at = ?"
	         " WHERE comm_id = ? AND state = ?");

	w->comms_touched = true;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, status_names[r->status], -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, r->ack_late);
	sqlite3_bind_int(s, 3, r->answer_late);
	sqlite3_bind_int(s, 4, r->escalation);
	sqlite3_bind_int64(s, 5, r->ack_due);
	sqlite3_bind_int64(s, 6, r->answer_due);
	bind_time(s, 7, r->next_due);
	bind_time(s, 8, r->acknowledged_at);
	bind_time(s, 9, r->answered_at);
	bind_time(s, 10, r->closed_at);
	sqlite3_bind_text(s, 11, comm_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, r->state, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_comm_step_add(struct store_conn *w, const char *comm_id, const struct comm_step *st)
{
	sqlite3_stmt *s =
	    stmt(w, ST_COMM_STEP_ADD,
	         "INSERT INTO comm_steps (comm_id, state, what, actor_account,"
	         " actor_state, at, detail, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

	w->comms_touched = true;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, comm_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, st->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, st->what, -1, SQLITE_STATIC);
	bind_text_or_null(s, 4, st->actor_account);
	bind_text_or_null(s, 5, st->actor_state);
	sqlite3_bind_int64(s, 6, st->at);
	sqlite3_bind_text(s, 7, st->detail, -1, SQLITE_STATIC);
	bind_text_or_null(s, 8, st->event_id);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_comm_steps(struct store_conn *c, const char *comm_id,
                 int (*cb)(const struct comm_step *st, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_COMM_STEPS,
	                       "SELECT state, what, coalesce(actor_account, ''),"
	                       " coalesce(actor_state, ''), at, detail, event_id FROM comm_steps"
	                       " WHERE comm_id = ? ORDER BY seq");
	struct comm_step st;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, comm_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_text(s, 0, st.state, sizeof(st.state));
		col_text(s, 1, st.what, sizeof(st.what));
		col_text(s, 2, st.actor_account, sizeof(st.actor_account));
		col_text(s, 3, st.actor_state, sizeof(st.actor_state));
		st.at = sqlite3_column_int64(s, 4);
		col_text(s, 5, st.detail, sizeof(st.detail));
		col_text(s, 6, st.event_id, sizeof(st.event_id));
		if (cb(&st, arg) != 0)
			return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_comm_reply_add(struct store_conn *w, const char *comm_id, const struct comm_reply *rp)
{
	sqlite3_stmt *s =
	    stmt(w, ST_COMM_REPLY_ADD, "INSERT INTO comm_replies VALUES (?, ?, ?, ?, ?, ?, ?)");

	w->comms_touched = true;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, rp->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, comm_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, rp->thread, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, rp->author_account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, rp->author_state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, rp->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, rp->at);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_comm_replies(struct store_conn *c, const char *comm_id,
                   int (*cb)(const struct comm_reply *rp, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_COMM_REPLIES,
	                       "SELECT id, thread, author_account, author_state, body, at"
	                       " FROM comm_replies WHERE comm_id = ? ORDER BY at, rowid");
	struct comm_reply rp;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, comm_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_text(s, 0, rp.id, sizeof(rp.id));
		col_text(s, 1, rp.thread, sizeof(rp.thread));
		col_text(s, 2, rp.author_account, sizeof(rp.author_account));
		col_text(s, 3, rp.author_state, sizeof(rp.author_state));
		rp.body = (char *)sqlite3_column_text(s, 4);
		rp.at = sqlite3_column_int64(s, 5);
		if (cb(&rp, arg) != 0)
			return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_comms_list(struct store_conn *c, const struct comm_filter *f,
                 int (*cb)(const char *id, int64_t created_at, void *arg), void *arg)
{
	/* ?2: a status name or NULL; ?3: overdue only; (?4, ?5): the keyset cursor. */
	sqlite3_stmt *s =
	    f->outbox
	        ? stmt(c, ST_COMM_OUTBOX,
	               "SELECT id, created_at FROM communications cm WHERE sender_state = ?1"
	               " AND (?4 IS NULL OR (created_at, id) < (?4, ?5))"
	               " AND ((?2 IS NULL AND ?3 = 0) OR EXISTS (SELECT 1 FROM comm_recipients r"
	               " WHERE r.comm_id = cm.id AND (?2 IS NULL OR r.status = ?2)"
	               " AND (?3 = 0 OR (r.ack_late AND r.status = 'sent') OR (r.answer_late AND "
	               "r.status IN ('sent', 'acknowledged')))))"
	               " ORDER BY created_at DESC, id DESC LIMIT ?6")
	        : stmt(c, ST_COMM_INBOX,
	               "SELECT comm_id, created_at FROM comm_recipients WHERE state = ?1"
	               " AND (?4 IS NULL OR (created_at, comm_id) < (?4, ?5))"
	               " AND (?2 IS NULL OR status = ?2) AND (?3 = 0 OR (ack_late AND status = "
	               "'sent') OR (answer_late AND status IN ('sent', 'acknowledged')))"
	               " ORDER BY created_at DESC, comm_id DESC LIMIT ?6");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, f->state, -1, SQLITE_STATIC);
	if (f->status >= 0)
		sqlite3_bind_text(s, 2, status_names[f->status], -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, f->overdue_only);
	if (f->before_id[0] != '\0') {
		sqlite3_bind_int64(s, 4, f->before_at);
		sqlite3_bind_text(s, 5, f->before_id, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(s, 6, (sqlite3_int64)f->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1), arg) !=
		    0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_comm_due(struct store_conn *c, int64_t now,
               int (*cb)(const char *comm_id, const char *state, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_COMM_DUE,
	                       "SELECT comm_id, state FROM comm_recipients"
	                       " WHERE next_due IS NOT NULL AND next_due <= ? ORDER BY next_due");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1), arg) != 0)
			return stmt_end(s, POCD_OK);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_comm_next_due(struct store_conn *c, int64_t *out)
{
	sqlite3_stmt *s = stmt(c, ST_COMM_NEXT_DUE,
	                       "SELECT coalesce(min(next_due), 0) FROM comm_recipients"
	                       " WHERE next_due IS NOT NULL");

	if (s == NULL)
		return POCD_ESTORE;
	return step_int64(c, s, out);
}

enum pocd_err
store_comm_stats(struct store_conn *c, int64_t since,
                 int (*cb)(const char *state, int64_t created_at, const struct comm_recipient *r,
                           void *arg),
                 void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_COMM_STATS,
	                       "SELECT " RCPT_COLS ", created_at FROM comm_recipients"
	                       " WHERE created_at >= ? ORDER BY state");
	struct comm_recipient r;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_int64(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_recipient(s, 0, &r);
		if (cb(r.state, sqlite3_column_int64(s, 12), &r, arg) != 0)
			return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_account_poc_kinds(struct store_conn *c, const char *account_id, const char *state,
                        unsigned *kinds)
{
	sqlite3_stmt *s = stmt(c, ST_ACC_POC_KINDS,
	                       "SELECT DISTINCT p.kind FROM poc_accounts pa JOIN pocs p"
	                       " ON p.id = pa.poc_id WHERE pa.account_id = ? AND p.state = ?");
	int rc;

	*kinds = 0;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*kinds |= strcmp((const char *)sqlite3_column_text(s, 0), "technical") == 0
		              ? KIND_BIT(POC_TECHNICAL)
		              : KIND_BIT(POC_DIPLOMATIC);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_state_poc_ranks(struct store_conn *c, const char *state, unsigned *ranks)
{
	sqlite3_stmt *s =
	    stmt(c, ST_STATE_POC_RANKS, "SELECT DISTINCT kind, rank FROM pocs WHERE state = ?");
	int rc;

	*ranks = 0;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int k = strcmp((const char *)sqlite3_column_text(s, 0), "technical") == 0
		            ? POC_TECHNICAL
		            : POC_DIPLOMATIC;
		int r = strcmp((const char *)sqlite3_column_text(s, 1), "alternate") == 0
		            ? POC_ALTERNATE
		            : POC_PRIMARY;
		*ranks |= 1u << (k * 2 + r);
	}
	return stmt_end(s, sql_err(c, rc));
}
