/* Opening the database, its schema migrations, connections and the statement cache. */
#include "store/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"

/* Each entry moves the schema from version i to i+1; never edit one that has shipped. */
static const char *const migrations[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
    "CREATE TABLE states(code TEXT PRIMARY KEY, alpha2 TEXT NOT NULL UNIQUE,"
    " name_ar TEXT NOT NULL, name_zh TEXT NOT NULL, name_en TEXT NOT NULL,"
    " name_fr TEXT NOT NULL, name_ru TEXT NOT NULL, name_es TEXT NOT NULL,"
    " participating INTEGER NOT NULL DEFAULT 0, participating_since INTEGER) STRICT;"
    "CREATE TABLE accounts(id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
    " role TEXT NOT NULL CHECK (role IN ('secretariat','state_admin','officer')),"
    " state TEXT REFERENCES states(code), password_hash TEXT NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,"
    " CHECK ((role = 'secretariat') = (state IS NULL))) STRICT;"
    "CREATE INDEX accounts_state ON accounts(state, username);"
    "CREATE TABLE sessions(token_hash BLOB PRIMARY KEY,"
    " account_id TEXT NOT NULL REFERENCES accounts(id),"
    " created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) STRICT;"
    "CREATE INDEX sessions_account ON sessions(account_id);"
    "CREATE TABLE enrolments(token_hash BLOB PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " state TEXT NOT NULL REFERENCES states(code), role TEXT NOT NULL,"
    " created_by TEXT NOT NULL REFERENCES accounts(id), created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, used_at INTEGER, account_id TEXT REFERENCES accounts(id))"
    " STRICT;"
    "CREATE TABLE pocs(id TEXT PRIMARY KEY, state TEXT NOT NULL REFERENCES states(code),"
    " kind TEXT NOT NULL CHECK (kind IN ('diplomatic','technical')),"
    " rank TEXT NOT NULL CHECK (rank IN ('primary','alternate')),"
    " organisation TEXT NOT NULL, role_title TEXT NOT NULL, person_name TEXT,"
    " email TEXT NOT NULL, phones TEXT NOT NULL, languages TEXT NOT NULL,"
    " time_zone TEXT NOT NULL, availability TEXT NOT NULL, pgp_fingerprint TEXT,"
    " review_by TEXT, revision INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " sortkey TEXT GENERATED ALWAYS AS"
    " (kind || CASE rank WHEN 'primary' THEN '0' ELSE '1' END || id) VIRTUAL) STRICT;"
    "CREATE INDEX pocs_order ON pocs(state, sortkey);"
    "CREATE TABLE poc_accounts(poc_id TEXT NOT NULL REFERENCES pocs(id) ON DELETE CASCADE,"
    " account_id TEXT NOT NULL REFERENCES accounts(id), PRIMARY KEY (poc_id, account_id))"
    " STRICT, WITHOUT ROWID;"
    "CREATE INDEX poc_accounts_account ON poc_accounts(account_id);"
    "CREATE TABLE poc_revisions(poc_id TEXT NOT NULL, revision INTEGER NOT NULL,"
    " op TEXT NOT NULL, actor TEXT NOT NULL, at INTEGER NOT NULL, doc TEXT NOT NULL,"
    " PRIMARY KEY (poc_id, revision)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE events(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " type TEXT NOT NULL, at INTEGER NOT NULL, actor_account TEXT, actor_state TEXT,"
    " states TEXT NOT NULL, object_id TEXT, details TEXT NOT NULL) STRICT;"
    "CREATE INDEX events_type ON events(type);",

    "CREATE TABLE communications(id TEXT PRIMARY KEY,"
    " sender_state TEXT NOT NULL REFERENCES states(code),"
    " sender_account TEXT NOT NULL REFERENCES accounts(id), type TEXT NOT NULL,"
    " urgency TEXT NOT NULL, tlp TEXT NOT NULL, template_version INTEGER NOT NULL,"
    " open_distribution INTEGER NOT NULL, content TEXT NOT NULL,"
    " created_at INTEGER NOT NULL) STRICT;"
    "CREATE INDEX comm_outbox ON communications(sender_state, created_at, id);"
    "CREATE TABLE comm_recipients(comm_id TEXT NOT NULL REFERENCES communications(id),"
    " state TEXT NOT NULL REFERENCES states(code), kinds INTEGER NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('sent','acknowledged','answered','closed')),"
    " ack_late INTEGER NOT NULL DEFAULT 0, answer_late INTEGER NOT NULL DEFAULT 0,"
    " escalation INTEGER NOT NULL DEFAULT 0, ack_due INTEGER NOT NULL,"
    " answer_due INTEGER NOT NULL, next_due INTEGER, acknowledged_at INTEGER,"
    " answered_at INTEGER, closed_at INTEGER, created_at INTEGER NOT NULL,"
    " PRIMARY KEY (comm_id, state)) STRICT, WITHOUT ROWID;"
    "CREATE INDEX comm_inbox ON comm_recipients(state, created_at, comm_id);"
    "CREATE INDEX comm_due ON comm_recipients(next_due) WHERE next_due IS NOT NULL;"
    "CREATE TABLE comm_steps(seq INTEGER PRIMARY KEY, comm_id TEXT NOT NULL"
    " REFERENCES communications(id), state TEXT NOT NULL, what TEXT NOT NULL,"
    " actor_account TEXT, actor_state TEXT, at INTEGER NOT NULL, detail TEXT NOT NULL)"
    " STRICT;"
    "CREATE INDEX comm_steps_comm ON comm_steps(comm_id, seq);"
    "CREATE TABLE comm_replies(id TEXT PRIMARY KEY,"
    " comm_id TEXT NOT NULL REFERENCES communications(id), thread TEXT NOT NULL,"
    " author_account TEXT NOT NULL, author_state TEXT NOT NULL, body TEXT NOT NULL,"
    " at INTEGER NOT NULL) STRICT;"
    "CREATE INDEX comm_replies_comm ON comm_replies(comm_id, at, id);",

    "ALTER TABLE pocs ADD COLUMN confirmed_at INTEGER;"
    "CREATE TABLE ping_campaigns(id TEXT PRIMARY KEY,"
    " created_by TEXT NOT NULL REFERENCES accounts(id), created_at INTEGER NOT NULL,"
    " scope TEXT NOT NULL, kinds INTEGER NOT NULL, due INTEGER NOT NULL,"
    " grace_end INTEGER NOT NULL, reminders TEXT NOT NULL, challenge INTEGER NOT NULL)"
    " STRICT;"
    "CREATE TABLE pings(id TEXT PRIMARY KEY,"
    " campaign_id TEXT NOT NULL REFERENCES ping_campaigns(id), poc_id TEXT NOT NULL,"
    " state TEXT NOT NULL REFERENCES states(code), kind TEXT NOT NULL, lang TEXT NOT NULL,"
    " challenge TEXT NOT NULL, token_hash BLOB NOT NULL UNIQUE, created_at INTEGER NOT NULL,"
    " due INTEGER NOT NULL, grace_end INTEGER NOT NULL, next_due INTEGER,"
    " reminders_sent INTEGER NOT NULL DEFAULT 0, answered_at INTEGER,"
    " channel TEXT NOT NULL DEFAULT 'open', answered_by TEXT,"
    " correct INTEGER NOT NULL DEFAULT 0, late INTEGER NOT NULL DEFAULT 0,"
    " task_opened INTEGER NOT NULL DEFAULT 0) STRICT;"
    "CREATE INDEX pings_campaign ON pings(campaign_id, state, id);"
    "CREATE INDEX pings_state ON pings(state, id);"
    "CREATE INDEX pings_poc ON pings(poc_id);"
    "CREATE INDEX pings_due ON pings(next_due) WHERE next_due IS NOT NULL;"
    "CREATE TABLE tasks(id TEXT PRIMARY KEY, state TEXT NOT NULL REFERENCES states(code),"
    " poc_id TEXT NOT NULL, kind TEXT NOT NULL, ping_id TEXT, created_at INTEGER NOT NULL,"
    " closed_at INTEGER, closed_reason TEXT) STRICT;"
    "CREATE INDEX tasks_state ON tasks(state, closed_at);"
    "CREATE INDEX tasks_poc ON tasks(poc_id) WHERE closed_at IS NULL;"
    "CREATE TABLE outbox(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL, ref_id TEXT NOT NULL, poc_id TEXT NOT NULL, state TEXT NOT NULL,"
    " lang TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " sent_at INTEGER) STRICT;",

    "CREATE INDEX pings_campaign_id ON pings(campaign_id, id);",

    "CREATE TABLE log_leaves(idx INTEGER PRIMARY KEY, event_id TEXT NOT NULL,"
    " party TEXT NOT NULL, leaf TEXT NOT NULL, hash BLOB NOT NULL) STRICT;"
    "CREATE TABLE log_nodes(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
    " PRIMARY KEY (level, idx)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE log_checkpoints(size INTEGER PRIMARY KEY, root BLOB NOT NULL,"
    " note TEXT NOT NULL, at INTEGER NOT NULL) STRICT;",

    /* Leaves are rebuilt from their event's columns: a leaf row keeps only its own salt,
     * commitment and hash; the event names its role and its first leaf. */
    "ALTER TABLE events ADD COLUMN actor_role TEXT;"
    "ALTER TABLE events ADD COLUMN log_index INTEGER;"
    "ALTER TABLE comm_steps ADD COLUMN event_id TEXT;"
    "CREATE TABLE log_leaves_new(idx INTEGER PRIMARY KEY, event_id TEXT NOT NULL,"
    " party TEXT NOT NULL, salt TEXT NOT NULL, commitment TEXT NOT NULL, hash BLOB NOT NULL)"
    " STRICT;"
    "INSERT INTO log_leaves_new SELECT idx, event_id, party, json_extract(leaf, '$.salt'),"
    " json_extract(leaf, '$.commitment'), hash FROM log_leaves;"
    "UPDATE events SET"
    " actor_role = (SELECT json_extract(leaf, '$.actor_role') FROM log_leaves l"
    "  WHERE l.event_id = events.id ORDER BY idx LIMIT 1),"
    " log_index = (SELECT min(idx) FROM log_leaves l WHERE l.event_id = events.id)"
    " WHERE id IN (SELECT event_id FROM log_leaves);"
    "DROP TABLE log_leaves;"
    "ALTER TABLE log_leaves_new RENAME TO log_leaves;"
    "CREATE TABLE log_witnesses(name TEXT PRIMARY KEY, state TEXT NOT NULL"
    " REFERENCES states(code), key TEXT NOT NULL, public_key BLOB NOT NULL UNIQUE,"
    " created_at INTEGER NOT NULL, created_by TEXT NOT NULL) STRICT;"
    "CREATE TABLE log_cosignatures(size INTEGER NOT NULL, witness TEXT NOT NULL,"
    " line TEXT NOT NULL, signed_at INTEGER NOT NULL, PRIMARY KEY (size, witness)) STRICT;",

    /* A second factor: the TOTP key in use, one being enrolled, the last step accepted. */
    "ALTER TABLE accounts ADD COLUMN totp_key BLOB;"
    "ALTER TABLE accounts ADD COLUMN totp_pending BLOB;"
    "ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;",

    /* Mail: the sender's progress on each outbox row, one-time acknowledgement links, the
     * review-by dates a warning went out for, and PoCs' OpenPGP keys. */
    "ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE outbox ADD COLUMN next_try INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE outbox ADD COLUMN failed_at INTEGER;"
    "ALTER TABLE outbox ADD COLUMN error TEXT;"
    "ALTER TABLE outbox ADD COLUMN task INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX outbox_pending ON outbox(next_try, seq)"
    " WHERE sent_at IS NULL AND failed_at IS NULL;"
    "CREATE INDEX outbox_task_owed ON outbox(seq) WHERE task = 1;"
    "CREATE TABLE ack_links(token_hash BLOB PRIMARY KEY, comm_id TEXT NOT NULL,"
    " state TEXT NOT NULL, poc_id TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL) STRICT;"
    "CREATE INDEX ack_links_comm ON ack_links(comm_id, state);"
    "CREATE TABLE review_warnings(poc_id TEXT NOT NULL, review_by TEXT NOT NULL,"
    " at INTEGER NOT NULL, PRIMARY KEY (poc_id, review_by)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE poc_keys(poc_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,"
    " armored TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER,"
    " warned INTEGER NOT NULL DEFAULT 0) STRICT;",

    "CREATE TABLE broadcasts(id TEXT PRIMARY KEY, created_by TEXT NOT NULL"
    " REFERENCES accounts(id), created_at INTEGER NOT NULL, texts TEXT NOT NULL) STRICT;"
    "CREATE INDEX broadcasts_at ON broadcasts(created_at);",

    /* Migration 10: changes of a PoC's e-mail or OpenPGP key wait for a second state_admin
     * (or, in a state with one, for effective_at); the entry keeps when each last changed. */
    "CREATE TABLE poc_changes(id TEXT PRIMARY KEY, poc_id TEXT NOT NULL,"
    " state TEXT NOT NULL REFERENCES states(code), email TEXT,"
    " key_change INTEGER NOT NULL DEFAULT 0, fingerprint TEXT, armored TEXT,"
    " key_expires INTEGER, proposed_by TEXT NOT NULL REFERENCES accounts(id),"
    " created_at INTEGER NOT NULL, effective_at INTEGER,"
    " status TEXT NOT NULL CHECK (status IN ('pending','applied','cancelled','replaced')),"
    " decided_by TEXT, decided_at INTEGER,"
    " CHECK (email IS NOT NULL OR key_change = 1)) STRICT;"
    "CREATE INDEX poc_changes_poc ON poc_changes(poc_id, created_at);"
    "CREATE INDEX poc_changes_state ON poc_changes(state, created_at) WHERE status = 'pending';"
    "CREATE INDEX poc_changes_due ON poc_changes(effective_at)"
    " WHERE status = 'pending' AND effective_at IS NOT NULL;"
    "ALTER TABLE pocs ADD COLUMN email_changed_at INTEGER;"
    "ALTER TABLE pocs ADD COLUMN key_changed_at INTEGER;",

    /* Migration 11: attachments: files uploaded by a state's account, stored by their SHA-256
     * beside the database, owned by the uploading state until a communication (thread "")
     * or a reply (its thread, "" for every thread of the sender) references them. */
    "CREATE TABLE attachments(id TEXT PRIMARY KEY, sha256 TEXT NOT NULL,"
    " size INTEGER NOT NULL, filename TEXT NOT NULL, media_type TEXT NOT NULL,"
    " owner_state TEXT NOT NULL, uploader TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " comm_id TEXT, thread TEXT, reply INTEGER NOT NULL"
    " DEFAULT 0) STRICT;"
    "CREATE INDEX attachments_sha ON attachments(sha256);"
    "CREATE INDEX attachments_unreferenced ON attachments(created_at) WHERE comm_id IS NULL;",

    /* Migration 12: machines. API keys (only the SHA-256 of a key is kept), webhooks (the
     * signing secret in clear: the sender needs it), and what the sender learnt of each
     * webhook delivery, which rides in the outbox as kind 'webhook'. */
    "CREATE TABLE api_keys(id TEXT PRIMARY KEY, key_hash BLOB NOT NULL UNIQUE,"
    " state TEXT NOT NULL REFERENCES states(code), name TEXT NOT NULL,"
    " scopes INTEGER NOT NULL, created_by TEXT NOT NULL REFERENCES accounts(id),"
    " created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_used_at INTEGER,"
    " revoked_at INTEGER) STRICT;"
    "CREATE INDEX api_keys_state ON api_keys(state, created_at) WHERE revoked_at IS NULL;"
    "CREATE TABLE webhooks(id TEXT PRIMARY KEY, state TEXT NOT NULL REFERENCES states(code),"
    " url TEXT NOT NULL, events INTEGER NOT NULL, secret TEXT NOT NULL,"
    " created_by TEXT NOT NULL REFERENCES accounts(id), created_at INTEGER NOT NULL,"
    " deleted_at INTEGER) STRICT;"
    "CREATE INDEX webhooks_state ON webhooks(state) WHERE deleted_at IS NULL;"
    "ALTER TABLE outbox ADD COLUMN http_status INTEGER;"
    "ALTER TABLE outbox ADD COLUMN tried_at INTEGER;"
    "CREATE INDEX outbox_webhook ON outbox(poc_id, seq) WHERE kind = 'webhook';",

    /* Migration 13: recovery and re-enrolment links beside enrolment links (kind, and the
     * account a recovery link is for), and notices to accounts, shown in the app. */
    "ALTER TABLE enrolments ADD COLUMN kind TEXT NOT NULL DEFAULT 'enrol'"
    " CHECK (kind IN ('enrol','reset','reenrol'));"
    "ALTER TABLE enrolments ADD COLUMN target TEXT REFERENCES accounts(id);"
    "CREATE INDEX enrolments_target ON enrolments(target) WHERE target IS NOT NULL;"
    "CREATE TABLE notices(id TEXT PRIMARY KEY, account_id TEXT NOT NULL"
    " REFERENCES accounts(id), kind TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " details TEXT NOT NULL) STRICT;"
    "CREATE INDEX notices_account ON notices(account_id, created_at);",

    /* Migration 14: ping campaigns filled in chunks; a campaign is complete when its fill
     * cursor is NULL (every campaign made before this was filled in one transaction). */
    "ALTER TABLE ping_campaigns ADD COLUMN fill_state TEXT;"
    "ALTER TABLE ping_campaigns ADD COLUMN fill_key TEXT;"
    "CREATE INDEX ping_campaigns_filling ON ping_campaigns(created_at)"
    " WHERE fill_state IS NOT NULL;",

    /* Migration 15: when an account was disabled, so that a state_admin disabled a moment
     * ago still counts when deciding whether a state has a second administrator. */
    "ALTER TABLE accounts ADD COLUMN disabled_at INTEGER;",

    /* Migration 16: recovery links for Secretariat accounts, which belong to no state: a
     * link's state may be NULL for them alone. SQLite cannot drop NOT NULL in place. */
    "CREATE TABLE enrolments_new(token_hash BLOB PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " state TEXT REFERENCES states(code), role TEXT NOT NULL,"
    " created_by TEXT NOT NULL REFERENCES accounts(id), created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, used_at INTEGER, account_id TEXT REFERENCES accounts(id),"
    " kind TEXT NOT NULL DEFAULT 'enrol' CHECK (kind IN ('enrol','reset','reenrol')),"
    " target TEXT REFERENCES accounts(id),"
    " CHECK (state IS NOT NULL OR (role = 'secretariat' AND kind = 'reset'))) STRICT;"
    "INSERT INTO enrolments_new SELECT token_hash, id, state, role, created_by, created_at,"
    " expires_at, used_at, account_id, kind, target FROM enrolments;"
    "DROP TABLE enrolments;"
    "ALTER TABLE enrolments_new RENAME TO enrolments;"
    "CREATE INDEX enrolments_target ON enrolments(target) WHERE target IS NOT NULL;",
};

#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

sqlite3_stmt *
stmt(struct store_conn *c, enum stmt_id id, const char *sql)
{
	sqlite3_stmt *s = c->st[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
		    SQLITE_OK) {
			log_info("store: cannot prepare statement %d: %s", (int)id,
			         sqlite3_errmsg(c->db));
			return NULL;
		}
		c->st[id] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

enum pocd_err
stmt_end(sqlite3_stmt *s, enum pocd_err err)
{
	if (s != NULL)
		sqlite3_reset(s);
	return err;
}

enum pocd_err
sql_err(struct store_conn *c, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return POCD_OK;
	case SQLITE_CONSTRAINT:
		return POCD_ECONFLICT;
	case SQLITE_NOMEM:
		return POCD_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return POCD_EUNAVAILABLE;
	default:
		log_info("store: %s", sqlite3_errmsg(c->db));
		return POCD_ESTORE;
	}
}

enum pocd_err
step_one_changed(struct store_conn *w, sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		return stmt_end(s, sql_err(w, sqlite3_errcode(w->db)));
	return stmt_end(s, sqlite3_changes(w->db) == 1 ? POCD_OK : POCD_ENOTFOUND);
}

enum pocd_err
step_int64(struct store_conn *c, sqlite3_stmt *s, int64_t *out)
{
	int rc = sqlite3_step(s);

	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	return stmt_end(s, sql_err(c, rc));
}

int
bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL || *v == '\0')
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

int
bind_time(sqlite3_stmt *s, int i, int64_t t)
{
	return t != 0 ? sqlite3_bind_int64(s, i, t) : sqlite3_bind_null(s, i);
}

void
col_text(sqlite3_stmt *s, int i, char *out, size_t outlen)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	strlcpy(out, t != NULL ? (const char *)t : "", outlen);
}

static int
exec(sqlite3 *db, const char *sql, char *msg, size_t msglen)
{
	char *e = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &e);

	if (rc != SQLITE_OK) {
		snprintf(msg, msglen, "%s", e != NULL ? e : sqlite3_errstr(rc));
		sqlite3_free(e);
	}
	return rc;
}

/* Opens one connection with the pragmas every connection needs. */
static enum pocd_err
conn_open(const char *path, bool readonly, bool create, struct store_conn **out, char *msg,
          size_t msglen)
{
	struct store_conn *c;
	int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;

	flags |= readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return POCD_ENOMEM;
	if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
		snprintf(msg, msglen, "cannot open %s: %s", path,
		         c->db ? sqlite3_errmsg(c->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(c->db, 5000);
	if (!readonly) {
		/* FULL: a commit is on disk before the request that made it is answered. */
		if (exec(c->db,
		         "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		         " PRAGMA foreign_keys=ON;",
		         msg, msglen) != SQLITE_OK)
			goto fail;
	} else if (exec(c->db, "PRAGMA query_only=ON;", msg, msglen) != SQLITE_OK) {
		goto fail;
	}
	*out = c;
	return POCD_OK;
fail:
	sqlite3_close_v2(c->db);
	free(c);
	return POCD_ESTORE;
}

static void
conn_close(struct store_conn *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(c->st[i]);
	sqlite3_close_v2(c->db);
	free(c);
}

/* Copies the database of db, as one consistent snapshot, into a new file dst (mode 0600). */
static enum pocd_err
copy_db(sqlite3 *db, const char *dst, char *msg, size_t msglen)
{
	sqlite3 *out = NULL;
	sqlite3_backup *b;
	int fd, rc;

	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(msg, msglen, "cannot create %s: %s", dst, strerror(errno));
		return errno == EEXIST ? POCD_ECONFLICT : POCD_ESTORE;
	}
	close(fd);
	rc = sqlite3_open_v2(dst, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	b = rc == SQLITE_OK ? sqlite3_backup_init(out, "main", db, "main") : NULL;
	/* One step for the whole database: its read transaction makes the copy one snapshot. */
	rc = b != NULL ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
	if (b != NULL)
		sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	if (rc != SQLITE_OK)
		snprintf(msg, msglen, "cannot copy the database to %s: %s", dst,
		         out != NULL ? sqlite3_errmsg(out) : "out of memory");
	sqlite3_close_v2(out);
	if (rc != SQLITE_OK) {
		unlink(dst);
		return POCD_ESTORE;
	}
	return POCD_OK;
}

enum pocd_err
store_copy(const char *path, const char *dst, char *msg, size_t msglen)
{
	struct store_conn *c = NULL;
	enum pocd_err err = conn_open(path, true, false, &c, msg, msglen);

	if (err == POCD_OK)
		err = copy_db(c->db, dst, msg, msglen);
	conn_close(c);
	return err;
}

/* Brings the schema to the newest version, in one transaction. An existing database is first
 * copied to PATH.schema-vN.bak, so that an upgrade that goes wrong in ways SQLite cannot roll
 * back (a full disk during the commit, a bug in a migration found later) loses nothing. */
static enum pocd_err
migrate(struct store_conn *c, const char *path, char *msg, size_t msglen)
{
	sqlite3_stmt *s = NULL;
	int version = 0;
	char sql[64], bak[1100];
	enum pocd_err err;

	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > (int)NMIGRATIONS) {
		snprintf(msg, msglen, "database schema %d is newer than this pocd (%zu)", version,
		         NMIGRATIONS);
		return POCD_ESTORE;
	}
	if (version == (int)NMIGRATIONS)
		return POCD_OK;
	if (version > 0) {
		if ((size_t)snprintf(bak, sizeof(bak), "%s.schema-v%d.bak", path, version) >=
		    sizeof(bak)) {
			snprintf(msg, msglen, "the database path is too long");
			return POCD_EINVAL;
		}
		err = copy_db(c->db, bak, msg, msglen);
		if (err == POCD_ECONFLICT)
			snprintf(
			    msg, msglen,
			    "%s exists: an earlier upgrade from schema %d stopped half-way; check "
			    "the database, then move that backup away",
			    bak, version);
		if (err != POCD_OK)
			return err;
		log_info("store: upgrading %s from schema %d to %zu (backup in %s)", path, version,
		         NMIGRATIONS, bak);
	}
	if (exec(c->db, "BEGIN IMMEDIATE", msg, msglen) != SQLITE_OK)
		return POCD_ESTORE;
	for (size_t i = (size_t)version; i < NMIGRATIONS; i++) {
		if (exec(c->db, migrations[i], msg, msglen) != SQLITE_OK) {
			exec(c->db, "ROLLBACK", sql, sizeof(sql));
			return POCD_ESTORE;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%zu; COMMIT;", NMIGRATIONS);
	if (exec(c->db, sql, msg, msglen) != SQLITE_OK) {
		exec(c->db, "ROLLBACK", sql, sizeof(sql));
		return POCD_ESTORE;
	}
	return POCD_OK;
fail:
	snprintf(msg, msglen, "cannot read schema version: %s", sqlite3_errmsg(c->db));
	return POCD_ESTORE;
}

enum pocd_err
store_create(const char *path, bool test_db, char *msg, size_t msglen)
{
	struct store_conn *c = NULL;
	enum pocd_err err;
	int fd;

	/* O_EXCL: init never overwrites a database; 0600: it holds password hashes. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(msg, msglen, "cannot create %s: %s", path, strerror(errno));
		return errno == EEXIST ? POCD_ECONFLICT : POCD_ESTORE;
	}
	close(fd);
	err = conn_open(path, false, false, &c, msg, msglen);
	if (err != POCD_OK)
		goto out;
	err = migrate(c, path, msg, msglen);
	if (err != POCD_OK)
		goto out;
	if (exec(c->db,
	         test_db ? "INSERT INTO meta VALUES ('test', '1')"
	                 : "INSERT INTO meta VALUES ('test', '0')",
	         msg, msglen) != SQLITE_OK)
		err = POCD_ESTORE;
out:
	conn_close(c);
	if (err != POCD_OK)
		unlink(path);
	return err;
}

enum pocd_err
store_open(const char *path, struct store **out, char *msg, size_t msglen)
{
	struct store *s;
	struct store_conn *w = NULL;
	struct stat sb;
	enum pocd_err err;
	char test[4] = "";

	if (stat(path, &sb) != 0) {
		snprintf(msg, msglen, "cannot open %s: %s (create it with: pocd init --db %s)",
		         path, strerror(errno), path);
		return POCD_ENOTFOUND;
	}
	err = conn_open(path, false, false, &w, msg, msglen);
	if (err != POCD_OK)
		return err;
	err = migrate(w, path, msg, msglen);
	if (err != POCD_OK) {
		conn_close(w);
		return err;
	}
	store_meta_get(w, "test", test, sizeof(test));
	s = writer_start(path, w, strcmp(test, "1") == 0);
	if (s == NULL) {
		conn_close(w);
		snprintf(msg, msglen, "cannot start the writer thread");
		return POCD_ENOMEM;
	}
	*out = s;
	return POCD_OK;
}

struct store_conn *
store_conn_open_reader(const char *path)
{
	struct store_conn *c = NULL;
	char msg[256];

	if (conn_open(path, true, false, &c, msg, sizeof(msg)) != POCD_OK) {
		log_info("store: %s", msg);
		return NULL;
	}
	return c;
}

void
store_conn_close(struct store_conn *c)
{
	conn_close(c);
}

int64_t
store_conn_db_bytes(struct store_conn *c)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 0;

	if (sqlite3_prepare_v2(c->db,
	                       "SELECT page_count * page_size FROM pragma_page_count(),"
	                       " pragma_page_size()",
	                       -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

int
store_conn_exec(struct store_conn *c, const char *sql)
{
	char msg[256];
	int rc = exec(c->db, sql, msg, sizeof(msg));

	if (rc != SQLITE_OK)
		log_info("store: %s: %s", sql, msg);
	return rc;
}

enum pocd_err
store_meta_get(struct store_conn *c, const char *key, char *out, size_t outlen)
{
	sqlite3_stmt *s = stmt(c, ST_META_GET, "SELECT value FROM meta WHERE key = ?");
	int rc;

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		col_text(s, 0, out, outlen);
		return stmt_end(s, POCD_OK);
	}
	return stmt_end(s, rc == SQLITE_DONE ? POCD_ENOTFOUND : sql_err(c, rc));
}

enum pocd_err
store_meta_put(struct store_conn *w, const char *key, const char *value)
{
	sqlite3_stmt *s = stmt(w, ST_META_PUT, "INSERT OR REPLACE INTO meta VALUES (?, ?)");

	if (s == NULL)
		return POCD_ESTORE;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return stmt_end(s, sql_err(w, sqlite3_step(s)));
}
