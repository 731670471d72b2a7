/* SQL for points of contact and their revisions. */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POC_COLS                                                                                   \
	"id, state, kind, rank, organisation, role_title, coalesce(person_name, ''), email,"       \
	" phones, languages, time_zone, availability, coalesce(pgp_fingerprint, ''),"              \
	" coalesce(review_by, ''), revision, created_at, updated_at,"                              \
	" coalesce(confirmed_at, updated_at),"                                                     \
	" (SELECT group_concat(account_id) FROM"                                                   \
	" (SELECT account_id FROM poc_accounts WHERE poc_id = pocs.id ORDER BY account_id)),"      \
	" coalesce(email_changed_at, 0), coalesce(key_changed_at, 0)"
#define POC_NCOLS 21

/* Splits a comma-joined column into at most max fixed-size strings. */
static size_t
split(const unsigned char *t, char *out, size_t width, size_t max)
{
	const char *p = (const char *)t, *comma;
	size_t n = 0, len;

	if (p == NULL || *p == '\0')
		return 0;
	while (n < max) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len >= width)
			len = width - 1;
		memcpy(out + n * width, p, len);
		out[n * width + len] = '\0';
		n++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return n;
}

static void
join(const char *in, size_t width, size_t n, char *out, size_t outlen)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strlcat(out, ",", outlen);
		strlcat(out, in + i * width, outlen);
	}
}

static void
row_poc(sqlite3_stmt *s, struct poc *p)
{
	memset(p, 0, sizeof(*p));
	col_text(s, 0, p->id, sizeof(p->id));
	col_text(s, 1, p->state, sizeof(p->state));
	p->kind = strcmp((const char *)sqlite3_column_text(s, 2), "technical") == 0
	              ? POC_TECHNICAL
	              : POC_DIPLOMATIC;
	p->rank = strcmp((const char *)sqlite3_column_text(s, 3), "alternate") == 0 ? POC_ALTERNATE
	                                                                            : POC_PRIMARY;
	col_text(s, 4, p->organisation, sizeof(p->organisation));
	col_text(s, 5, p->role_title, sizeof(p->role_title));
	col_text(s, 6, p->person_name, sizeof(p->person_name));
	col_text(s, 7, p->email, sizeof(p->email));
	p->nphones = split(sqlite3_column_text(s, 8), &p->phones[0][0], PHONE_SIZE, POC_MAX_PHONES);
	p->nlangs = split(sqlite3_column_text(s, 9), &p->languages[0][0], 3, POC_MAX_LANGS);
	col_text(s, 10, p->time_zone, sizeof(p->time_zone));
	col_text(s, 11, p->availability, sizeof(p->availability));
	col_text(s, 12, p->pgp_fingerprint, sizeof(p->pgp_fingerprint));
	col_text(s, 13, p->review_by, sizeof(p->review_by));
	p->revision = sqlite3_column_int64(s, 14);
	p->created_at = sqlite3_column_int64(s, 15);
	p->updated_at = sqlite3_column_int64(s, 16);
	p->confirmed_at = sqlite3_column_int64(s, 17);
	p->naccounts =
	    split(sqlite3_column_text(s, 18), &p->accounts[0][0], ID_SIZE, POC_MAX_ACCOUNTS);
	p->email_changed_at = sqlite3_column_int64(s, 19);
	p->key_changed_at = sqlite3_column_int64(s, 20);
}

static const char *
kind_name(enum poc_kind k)
{
	return k == POC_TECHNICAL ? "technical" : "diplomatic";
}

static const char *
rank_name(enum poc_rank r)
{
	return r == POC_ALTERNATE ? "alternate" : "primary";
}

void
store_poc_sortkey(const struct poc *p, char out[SORTKEY_SIZE])
{
	snprintf(out, SORTKEY_SIZE, "%s%c%s", kind_name(p->kind),
	         p->rank == POC_PRIMARY ? '0' : '1', p->id);
}

/* Binds the fields in the order both INSERT and UPDATE use (1..16). */
static void
bind_fields(sqlite3_stmt *s, const struct poc *p, char *phones, size_t plen, char *langs,
            size_t llen)
{
	join(&p->phones[0][0], PHONE_SIZE, p->nphones, phones, plen);
	join(&p->languages[0][0], 3, p->nlangs, langs, llen);
	sqlite3_bind_text(s, 1, kind_name(p->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, rank_name(p->rank), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p->organisation, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, p->role_title, -1, SQLITE_STATIC);
	bind_text_or_null(s, 5, p->person_name);
	sqlite3_bind_text(s, 6, p->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, phones, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, langs, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, p->time_zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, p->availability, -1, SQLITE_STATIC);
	bind_text_or_null(s, 11, p->pgp_fingerprint);
	bind_text_or_null(s, 12, p->review_by);
	sqlite3_bind_int64(s, 13, p->revision);
	sqlite3_bind_int64(s, 14, p->updated_at);
	sqlite3_bind_text(s, 15, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 16, p->confirmed_at);
}

static enum pocd_err
set_accounts(struct store_conn *w, const struct poc *p)
{
	sqlite3_stmt *s = stmt(w, ST_POC_ACC_CLEAR, "DELETE FROM poc_accounts WHERE poc_id = ?");
	enum pocd_err err;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, p->id, -1, SQLITE_STATIC);
	err = stmt_end(s, sql_err(w, sqlite3_step(s)));
	for (size_t i = 0; err == POCD_OK && i < p->naccounts; i++) {
		s = stmt(w, ST_POC_ACC_ADD, "INSERT OR IGNORE INTO poc_accounts VALUES (?, ?)");
		if (s == NULL)
			return POCD_ESTORE;
		sqlite3_bind_text(s, 1, p->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, p->accounts[i], -1, SQLITE_STATIC);
		err = stmt_end(s, sql_err(w, sqlite3_step(s)));
	}
	return err;
}

enum pocd_err
store_poc_insert(struct store_conn *w, const struct poc *p)
{
	sqlite3_stmt *s =
	    stmt(w, ST_POC_INSERT,
	         "INSERT INTO pocs (kind, rank, organisation, role_title, person_name,"
	         " email, phones, languages, time_zone, availability, pgp_fingerprint,"
	         " review_by, revision, updated_at, id, confirmed_at, state, created_at)"
	         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	char phones[POC_MAX_PHONES * PHONE_SIZE], langs[POC_MAX_LANGS * 3];
	enum pocd_err err;

	if (s == NULL)
		return POCD_ESTORE;
	bind_fields(s, p, phones, sizeof(phones), langs, sizeof(langs));
	sqlite3_bind_text(s, 17, p->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 18, p->created_at);
	err = stmt_end(s, sql_err(w, sqlite3_step(s)));
	return err == POCD_OK ? set_accounts(w, p) : err;
}

enum pocd_err
store_poc_update(struct store_conn *w, const struct poc *p)
{
	sqlite3_stmt *s = stmt(w, ST_POC_UPDATE,
	                       "UPDATE pocs SET kind = ?1, rank = ?2, organisation = ?3,"
	                       " role_title = ?4, person_name = ?5, email = ?6, phones = ?7,"
	                       " languages = ?8, time_zone = ?9, availability = ?10,"
	                       " pgp_fingerprint = ?11, review_by = ?12, revision = ?13,"
	                       " updated_at = ?14, confirmed_at = ?16 WHERE id = ?15");
	char phones[POC_MAX_PHONES * PHONE_SIZE], langs[POC_MAX_LANGS * 3];

	if (s == NULL)
		return POCD_ESTORE;
	bind_fields(s, p, phones, sizeof(phones), langs, sizeof(langs));
	if (sqlite3_step(s) != SQLITE_DONE)
		return stmt_end(s, sql_err(w, sqlite3_errcode(w->db)));
	if (sqlite3_changes(w->db) != 1)
		return stmt_end(s, POCD_ENOTFOUND);
	stmt_end(s, POCD_OK);
	return set_accounts(w, p);
}

enum pocd_err
store_poc_delete(struct store_conn *w, const char *id)
{
	sqlite3_stmt *s = stmt(w, ST_POC_DELETE, "DELETE FROM pocs WHERE id = ?");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	return step_one_changed(w, s);
}

enum pocd_err
store_poc_get(struct store_conn *c, const char *id, struct poc *out)
{
	sqlite3_stmt *s = stmt(c, ST_POC_GET, "SELECT " POC_COLS " FROM pocs WHERE id = ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_poc(s, out);
		return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
}

enum pocd_err
store_campaign_pocs(struct store_conn *w, const struct ping_campaign *pc, const char *after_state,
                    const char *after_key, size_t limit,
                    int (*cb)(const struct poc *p, const char *sortkey, void *arg), void *arg)
{
	/* A scope of codes is matched as a list: "FRA,DEU," holds "DEU," only at a code. */
	sqlite3_stmt *s = stmt(w, ST_CAMP_POCS,
	                       "SELECT " POC_COLS ", sortkey FROM pocs"
	                       " WHERE (?1 = 'all' OR instr(?1 || ',', state || ',') > 0)"
	                       " AND (?2 IS NULL OR kind = ?2) AND (state, sortkey) > (?3, ?4)"
	                       " AND state IN (SELECT code FROM states WHERE participating = 1)"
	                       " ORDER BY state, sortkey LIMIT ?5");
	char key[SORTKEY_SIZE];
	struct poc *p;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	p = malloc(sizeof(*p));
	if (p == NULL)
		return stmt_end(s, POCD_ENOMEM);
	sqlite3_bind_text(s, 1, pc->scope, -1, SQLITE_STATIC);
	if (pc->kinds == KIND_BIT(POC_TECHNICAL) || pc->kinds == KIND_BIT(POC_DIPLOMATIC))
		sqlite3_bind_text(s, 2,
		                  kind_name(pc->kinds == KIND_BIT(POC_TECHNICAL) ? POC_TECHNICAL
		                                                                 : POC_DIPLOMATIC),
		                  -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, after_state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, after_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_poc(s, p);
		col_text(s, POC_NCOLS, key, sizeof(key));
		if (cb(p, key, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	free(p);
	return stmt_end(s, sql_err(w, rc));
}

enum pocd_err
store_pocs_list(struct store_conn *c, const struct poc_filter *f,
                int (*cb)(const struct poc *p, void *arg), void *arg)
{
	sqlite3_stmt *s =
	    stmt(c, ST_POC_LIST,
	         "SELECT " POC_COLS " FROM pocs"
	         " WHERE (?1 IS NULL OR state = ?1)"
	         " AND (?2 IS NULL OR kind = ?2)"
	         " AND (?3 IS NULL OR instr(',' || languages || ',', ',' || ?3 || ',') > 0)"
	         " AND (?4 IS NULL OR instr(lower(organisation || ' ' || role_title || ' ' ||"
	         " coalesce(person_name, '') || ' ' || email), lower(?4)) > 0)"
	         " AND (?5 IS NULL OR (state, sortkey) > (?5, ?6))"
	         " AND state IN (SELECT code FROM states WHERE participating = 1)"
	         " ORDER BY state, sortkey LIMIT ?7");
	struct poc *p;
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	p = malloc(sizeof(*p));
	if (p == NULL)
		return stmt_end(s, POCD_ENOMEM);
	bind_text_or_null(s, 1, f->state);
	if (f->kind >= 0)
		sqlite3_bind_text(s, 2, kind_name((enum poc_kind)f->kind), -1, SQLITE_STATIC);
	bind_text_or_null(s, 3, f->lang);
	bind_text_or_null(s, 4, f->q);
	bind_text_or_null(s, 5, f->after_state);
	sqlite3_bind_text(s, 6, f->after_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)f->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_poc(s, p);
		if (cb(p, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	free(p);
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_poc_revision_insert(struct store_conn *w, const char *poc_id, int64_t revision,
                          const char *op, const char *actor, int64_t at, const char *doc)
{
	sqlite3_stmt *s =
	    stmt(w, ST_POC_REV_INSERT, "INSERT INTO poc_revisions VALUES (?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, revision);
	sqlite3_bind_text(s, 3, op, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, at);
	sqlite3_bind_text(s, 6, doc, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}

enum pocd_err
store_poc_history(struct store_conn *c, const char *poc_id,
                  int (*cb)(int64_t revision, const char *op, const char *actor, int64_t at,
                            const char *doc, void *arg),
                  void *arg)
{
	sqlite3_stmt *s = stmt(c, ST_POC_HISTORY,
	                       "SELECT revision, op, actor, at, doc FROM poc_revisions"
	                       " WHERE poc_id = ? ORDER BY revision");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, poc_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
		       (const char *)sqlite3_column_text(s, 2), sqlite3_column_int64(s, 3),
		       (const char *)sqlite3_column_text(s, 4), arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	return stmt_end(s, sql_err(c, rc));
}

enum pocd_err
store_poc_has_account(struct store_conn *c, const char *poc_id, const char *account_id, bool *out)
{
	sqlite3_stmt *s = stmt(c, ST_POC_HAS_ACCOUNT,
	                       "SELECT 1 FROM poc_accounts WHERE poc_id = ? AND account_id = ?");
	int rc;

	*out = false;
	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, poc_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, account_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW;
	return stmt_end(s, rc == SQLITE_ROW ? POCD_OK : sql_err(c, rc));
}
