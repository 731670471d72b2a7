/*
 * The write limit for bench/run.sh: the rows pocd writes for one created communication, inserted
 * straight into SQLite with pocd's durability and no HTTP, JSON or validation in between.
 *
 * Per communication (src/core/exchange.c send_run, one recipient): one communications row, one
 * comm_recipients row, one comm_steps row, one events row (with its log index), two log_leaves
 * rows (sender's and recipient's leaf: random salt, commitment and hash of pocd's sizes), and
 * for the recipient's technical primary PoC one outbox row (the new-communication mail) and
 * one ack_links row (its single-use acknowledgement link). Not inserted: the log's stored tree
 * nodes and signed checkpoints, a few rows per commit rather than per communication, and the
 * hashing and signing they cost. The database is a copy of a pocd one, so the schema, indexes and
 * foreign keys are exactly the server's; the connection has pocd's pragmas (WAL, synchronous=FULL,
 * foreign_keys=ON).
 *
 * usage: sqlite_insert DB SECONDS BATCH USERNAME TO_STATE CONTENT
 *   BATCH 1 commits each communication on its own (what pocd must do without group commit);
 *   BATCH N puts N communications in each transaction (what group commit approaches).
 *   USERNAME is the sending account (its id and state are read from DB), TO_STATE the recipient,
 *   CONTENT the communications.content JSON exactly as pocd stores it.
 *
 * Prints one line: SQLITE rows=R commits=C duration_us=D p50_us=P p99_us=Q (latencies are per
 * commit, BEGIN to the end of COMMIT).
 *
 * Build: cc -O2 bench/sqlite_insert.c -lsqlite3 -o sqlite_insert
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ID_LEN 26

static sqlite3 *db;

static void
die(const char *what)
{
	fprintf(stderr, "sqlite_insert: %s: %s\n", what, db != NULL ? sqlite3_errmsg(db) : "");
	exit(1);
}

static void
exec(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql);
}

static sqlite3_stmt *
prepare(const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		die(sql);
	return s;
}

static void
step_done(sqlite3_stmt *s, const char *what)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die(what);
	sqlite3_reset(s);
}

static uint64_t rng;

/* xorshift64*: ids as random as pocd's (so inserts land all over the id indexes), minus the
 * cost of a CSPRNG, which is pocd's business and not SQLite's. */
static uint64_t
next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

/* Same alphabet and shape as src/lib/rand.c rand_id: 26 base32 symbols, the first < 8. */
static void
rand_id(char out[ID_LEN + 1])
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	uint64_t a = next_rand(), b = next_rand();

	for (int i = 0; i < ID_LEN; i++) {
		uint64_t *r = i < 13 ? &a : &b;
		out[i] = b32[*r & (i == 0 ? 7 : 31)];
		*r >>= 5;
	}
	out[ID_LEN] = '\0';
}

static void
rand_bytes(unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)(next_rand() >> 56);
}

/* n random bytes as lowercase hex into out (2n + 1 bytes): salts and commitments. */
static void
rand_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned v = (unsigned)(next_rand() >> 56);

		out[2 * i] = hex[v >> 4];
		out[2 * i + 1] = hex[v & 15];
	}
	out[2 * n] = '\0';
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	sqlite3_stmt *acct, *comm, *rcpt, *stp, *ev, *leaf, *mail, *link;
	char account[ID_LEN + 1], from[8], to[8], states[20], details[128], cid[ID_LEN + 1],
	    eid[ID_LEN + 1], mid[ID_LEN + 1], poc[ID_LEN + 1], payload[512], salt[33],
	    commitment[65];
	unsigned char hash[32];
	int64_t leaf_idx;
	const char *content;
	double seconds, t0, t1, end, *lat = NULL;
	size_t nlat = 0, cap = 0;
	long batch, rows = 0;
	int fd;

	if (argc != 7) {
		fprintf(stderr,
		        "usage: sqlite_insert DB SECONDS BATCH USERNAME TO_STATE CONTENT\n");
		return 2;
	}
	seconds = atof(argv[2]);
	batch = atol(argv[3]);
	content = argv[6];
	if (seconds <= 0 || batch < 1) {
		fprintf(stderr, "sqlite_insert: SECONDS and BATCH must be positive\n");
		return 2;
	}
	snprintf(to, sizeof(to), "%s", argv[5]);
	fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0 || read(fd, &rng, sizeof(rng)) != (ssize_t)sizeof(rng)) {
		fprintf(stderr, "sqlite_insert: /dev/urandom: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	rng |= 1;

	/* pocd's write connection: src/store/sqlite.c conn_open. */
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		die(argv[1]);
	sqlite3_busy_timeout(db, 5000);
	exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");

	acct = prepare("SELECT id, state FROM accounts WHERE username = ? AND state IS NOT NULL");
	sqlite3_bind_text(acct, 1, argv[4], -1, SQLITE_STATIC);
	if (sqlite3_step(acct) != SQLITE_ROW)
		die("no such state account");
	snprintf(account, sizeof(account), "%s", (const char *)sqlite3_column_text(acct, 0));
	snprintf(from, sizeof(from), "%s", (const char *)sqlite3_column_text(acct, 1));
	sqlite3_finalize(acct);
	snprintf(states, sizeof(states), "%s,%s", from, to);
	snprintf(details, sizeof(details), "{\"recipient\":\"%s\",\"detail\":\"\"}", to);

	/* The recipient's technical primary PoC, whom the mail and the link are for, and where the
	 * log goes on. */
	acct = prepare("SELECT id FROM pocs WHERE state = ? AND kind = 'technical'"
	               " AND rank = 'primary'");
	sqlite3_bind_text(acct, 1, to, -1, SQLITE_STATIC);
	if (sqlite3_step(acct) != SQLITE_ROW)
		die("no technical primary PoC for the recipient");
	snprintf(poc, sizeof(poc), "%s", (const char *)sqlite3_column_text(acct, 0));
	sqlite3_finalize(acct);
	acct = prepare("SELECT coalesce(max(idx) + 1, 0) FROM log_leaves");
	if (sqlite3_step(acct) != SQLITE_ROW)
		die("the log's size");
	leaf_idx = sqlite3_column_int64(acct, 0);
	sqlite3_finalize(acct);

	/* The statements of src/store/comms.c, events.c, log.c and mail.c. */
	comm = prepare("INSERT INTO communications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	rcpt = prepare("INSERT INTO comm_recipients (comm_id, state, kinds, status, ack_due,"
	               " answer_due, next_due, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	stp = prepare("INSERT INTO comm_steps (comm_id, state, what, actor_account,"
	              " actor_state, at, detail) VALUES (?, ?, ?, ?, ?, ?, ?)");
	ev = prepare("INSERT INTO events (id, type, at, actor_account, actor_state,"
	             " states, object_id, details, actor_role, log_index)"
	             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'officer', ?)");
	leaf = prepare("INSERT INTO log_leaves VALUES (?, ?, ?, ?, ?, ?)");
	mail = prepare("INSERT INTO outbox (id, kind, ref_id, poc_id, state, lang, payload,"
	               " created_at) VALUES (?, 'comm_new', ?, ?, ?, 'en', ?, ?)");
	link = prepare("INSERT INTO ack_links VALUES (?, ?, ?, ?, ?, ?)");

	t0 = now_us();
	end = t0 + seconds * 1e6;
	do {
		double c0 = now_us();

		exec("BEGIN IMMEDIATE");
		for (long i = 0; i < batch; i++) {
			int64_t now = (int64_t)time(NULL);
			int64_t ack_due = now + 72 * 3600, answer_due = now + 14 * 86400;

			rand_id(cid);
			rand_id(eid);
			sqlite3_bind_text(comm, 1, cid, -1, SQLITE_STATIC);
			sqlite3_bind_text(comm, 2, from, -1, SQLITE_STATIC);
			sqlite3_bind_text(comm, 3, account, -1, SQLITE_STATIC);
			sqlite3_bind_text(comm, 4, "notification", -1, SQLITE_STATIC);
			sqlite3_bind_text(comm, 5, "routine", -1, SQLITE_STATIC);
			sqlite3_bind_text(comm, 6, "GREEN", -1, SQLITE_STATIC);
			sqlite3_bind_int(comm, 7, 1);
			sqlite3_bind_int(comm, 8, 0);
			sqlite3_bind_text(comm, 9, content, -1, SQLITE_STATIC);
			sqlite3_bind_int64(comm, 10, now);
			step_done(comm, "INSERT INTO communications");

			sqlite3_bind_text(rcpt, 1, cid, -1, SQLITE_STATIC);
			sqlite3_bind_text(rcpt, 2, to, -1, SQLITE_STATIC);
			sqlite3_bind_int(rcpt, 3, 2); /* technical */
			sqlite3_bind_text(rcpt, 4, "sent", -1, SQLITE_STATIC);
			sqlite3_bind_int64(rcpt, 5, ack_due);
			sqlite3_bind_int64(rcpt, 6, answer_due);
			sqlite3_bind_int64(rcpt, 7, ack_due);
			sqlite3_bind_int64(rcpt, 8, now);
			step_done(rcpt, "INSERT INTO comm_recipients");

			sqlite3_bind_text(stp, 1, cid, -1, SQLITE_STATIC);
			sqlite3_bind_text(stp, 2, to, -1, SQLITE_STATIC);
			sqlite3_bind_text(stp, 3, "sent", -1, SQLITE_STATIC);
			sqlite3_bind_text(stp, 4, account, -1, SQLITE_STATIC);
			sqlite3_bind_text(stp, 5, from, -1, SQLITE_STATIC);
			sqlite3_bind_int64(stp, 6, now);
			sqlite3_bind_text(stp, 7, "", -1, SQLITE_STATIC);
			step_done(stp, "INSERT INTO comm_steps");

			sqlite3_bind_text(ev, 1, eid, -1, SQLITE_STATIC);
			sqlite3_bind_text(ev, 2, "communication.sent", -1, SQLITE_STATIC);
			sqlite3_bind_int64(ev, 3, now);
			sqlite3_bind_text(ev, 4, account, -1, SQLITE_STATIC);
			sqlite3_bind_text(ev, 5, from, -1, SQLITE_STATIC);
			sqlite3_bind_text(ev, 6, states, -1, SQLITE_STATIC);
			sqlite3_bind_text(ev, 7, cid, -1, SQLITE_STATIC);
			sqlite3_bind_text(ev, 8, details, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ev, 9, leaf_idx);
			step_done(ev, "INSERT INTO events");

			for (int k = 0; k < 2; k++) {
				rand_hex(salt, 16);
				rand_hex(commitment, 32);
				rand_bytes(hash, sizeof(hash));
				sqlite3_bind_int64(leaf, 1, leaf_idx++);
				sqlite3_bind_text(leaf, 2, eid, -1, SQLITE_STATIC);
				sqlite3_bind_text(leaf, 3, k == 0 ? from : to, -1, SQLITE_STATIC);
				sqlite3_bind_text(leaf, 4, salt, -1, SQLITE_STATIC);
				sqlite3_bind_text(leaf, 5, commitment, -1, SQLITE_STATIC);
				sqlite3_bind_blob(leaf, 6, hash, sizeof(hash), SQLITE_STATIC);
				step_done(leaf, "INSERT INTO log_leaves");
			}

			rand_id(mid);
			rand_bytes(hash, sizeof(hash));
			/* The payload's shape and size: deadline, id, a 43-symbol link token. */
			snprintf(payload, sizeof(payload),
			         "{\"ack_due\":\"2026-11-30T02:47:56Z\",\"comm\":\"%s\","
			         "\"link\":\"/ack#%s%.17s\",\"urgency\":\"routine\"}",
			         cid, mid, eid);
			sqlite3_bind_text(mail, 1, mid, -1, SQLITE_STATIC);
			sqlite3_bind_text(mail, 2, cid, -1, SQLITE_STATIC);
			sqlite3_bind_text(mail, 3, poc, -1, SQLITE_STATIC);
			sqlite3_bind_text(mail, 4, to, -1, SQLITE_STATIC);
			sqlite3_bind_text(mail, 5, payload, -1, SQLITE_STATIC);
			sqlite3_bind_int64(mail, 6, now);
			step_done(mail, "INSERT INTO outbox");

			sqlite3_bind_blob(link, 1, hash, sizeof(hash), SQLITE_STATIC);
			sqlite3_bind_text(link, 2, cid, -1, SQLITE_STATIC);
			sqlite3_bind_text(link, 3, to, -1, SQLITE_STATIC);
			sqlite3_bind_text(link, 4, poc, -1, SQLITE_STATIC);
			sqlite3_bind_int64(link, 5, now);
			sqlite3_bind_int64(link, 6, ack_due);
			step_done(link, "INSERT INTO ack_links");
		}
		exec("COMMIT");
		rows += batch;
		t1 = now_us();
		if (nlat == cap) {
			cap = cap ? cap * 2 : 4096;
			lat = realloc(lat, cap * sizeof(*lat));
			if (lat == NULL) {
				fprintf(stderr, "sqlite_insert: out of memory\n");
				return 1;
			}
		}
		lat[nlat++] = t1 - c0;
	} while (t1 < end);

	sqlite3_finalize(comm);
	sqlite3_finalize(rcpt);
	sqlite3_finalize(stp);
	sqlite3_finalize(ev);
	sqlite3_finalize(leaf);
	sqlite3_finalize(mail);
	sqlite3_finalize(link);
	if (sqlite3_close(db) != SQLITE_OK)
		die("close");
	qsort(lat, nlat, sizeof(*lat), cmp_double);
	printf("SQLITE rows=%ld commits=%zu duration_us=%.0f p50_us=%.0f p99_us=%.0f\n", rows, nlat,
	       t1 - t0, lat[nlat / 2], lat[(size_t)((double)nlat * 0.99)]);
	free(lat);
	return 0;
}
