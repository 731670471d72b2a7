/*
 * The data at scale, for bench/run.sh: turns a fresh `pocd init --demo --test` database into
 * the bench's scale through pocd's own write path, so that every row is one pocd would have
 * written, log leaves and checkpoints included.
 *
 * At scale S (1, 10 or 100):
 *   - every participating state gets an officer account if the demo gave it none (stored with
 *     one argon2id hash of a random password, so none can log in; they only act in the fill);
 *   - PoCs are added (alternates of both kinds, round robin over the participating states)
 *     through directory_submit until the directory holds 1,000 x S;
 *   - 100,000 x S communications between random participating states are played as a year of
 *     history in time order through exchange_send and exchange_act: 1 to 3 recipients,
 *     acknowledgements, replies and closing after random delays, and the scheduler's overdue
 *     marks and escalations (exchange_process_due) as the clock passes their deadlines.
 *
 * The year ends HISTORY_END_AGO before now, longer than any deadline and escalation step, and
 * the scheduler's passes run on to now: no deadline falls due once the fill is over, so a
 * server started on the database changes nothing by itself and its responses stay
 * byte-identical for the whole bench.
 *
 * Jobs are submitted many at a time, so the writer commits them in batches of up to 512, as
 * its group commit does under load. The random choices come from a fixed seed: every fill at
 * a scale has the same shape (ids, salts and times differ).
 *
 * usage: bench_fill DB_PATH SCALE   (DB_PATH made by pocd init --demo --test, not served)
 *
 * Prints one line: FILL scale= states= accounts= pocs= added_pocs= comms= recipients= acts=
 * due_runs= events= leaves= pocs_s= comms_s= total_s= commits= jobs= (accounts: officers
 * created; acts: acknowledgements, replies and closes submitted; due_runs: scheduler passes;
 * commits and jobs: the writer's, over the whole fill).
 */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/comm.h"
#include "core/core.h"
#include "core/directory.h"
#include "core/exchange.h"
#include "core/password.h"
#include "core/record.h"
#include "lib/rand.h"
#include "lib/timeutil.h"
#include "store/store.h"

#define POCS_PER_SCALE  1000
#define COMMS_PER_SCALE 100000
#define HISTORY_S       (365 * 86400)
#define HISTORY_END_AGO (21 * 86400) /* > 14 days to answer, > 6 days of escalation */
#define INFLIGHT        1024         /* jobs submitted before waiting: two full batches */
#define MAX_STATES      193
#define FILL_MMAP       ((sqlite3_int64)1 << 31)

/* The jobs of one submission round, and the writer telling the filler they are done. */
struct round {
	pthread_mutex_t lk;
	pthread_cond_t cv;
	size_t left;
};

static struct round rnd = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};

static void
round_done(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&rnd.lk);
	if (--rnd.left == 0)
		pthread_cond_signal(&rnd.cv);
	pthread_mutex_unlock(&rnd.lk);
}

static void
round_wait(void)
{
	pthread_mutex_lock(&rnd.lk);
	while (rnd.left > 0)
		pthread_cond_wait(&rnd.cv, &rnd.lk);
	pthread_mutex_unlock(&rnd.lk);
}

static void
round_add(void)
{
	pthread_mutex_lock(&rnd.lk);
	rnd.left++;
	pthread_mutex_unlock(&rnd.lk);
}

static void
die(const char *what, enum pocd_err err)
{
	fprintf(stderr, "bench_fill: %s: %s\n", what, pocd_err_name(err));
	exit(1);
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		die("allocating", POCD_ENOMEM);
	return p;
}

/* xorshift64*, seeded once: the shape of the data is the same at every fill. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

/* Uniform in [0, n). */
static size_t
pick(size_t n)
{
	return (size_t)(next_rand() % n);
}

/* Uniform in (0, 1]. */
static double
unit(void)
{
	return (double)((next_rand() >> 11) + 1) / 9007199254740992.0;
}

/* An exponential delay of the given mean, in seconds, at least one. */
static int64_t
delay(double mean_s)
{
	double d = -mean_s * log(unit());

	return d < 1 ? 1 : (int64_t)d;
}

/* The participating states and the officer each acts through. */
struct party {
	char code[STATE_SIZE];
	struct principal officer;
};

static struct party parties[MAX_STATES];
static size_t nparties;

static int
collect_state(const struct state_rec *st, void *arg)
{
	(void)arg;
	if (st->participating && nparties < MAX_STATES) {
		memcpy(parties[nparties].code, st->code, STATE_SIZE);
		nparties++;
	}
	return 0;
}

static int
collect_officer(const struct account *a, void *arg)
{
	struct principal *p = arg;

	if (a->role != ROLE_OFFICER || a->disabled || p->account_id[0] != '\0')
		return 0;
	memcpy(p->account_id, a->id, ID_SIZE);
	strlcpy(p->username, a->username, sizeof(p->username));
	return 0;
}

struct accounts_job {
	struct store_job job;
	const char *pwhash;
	int64_t now;
	size_t created;
};

/* Gives each participating state without an officer one, as accounts_create_sync would
 * (an account row and its event), all in one transaction. */
static enum pocd_err
accounts_run(struct store_conn *w, struct store_job *j)
{
	struct accounts_job *aj = container_of(j, struct accounts_job, job);
	enum pocd_err err = POCD_OK;

	for (size_t i = 0; err == POCD_OK && i < nparties; i++) {
		struct principal *p = &parties[i].officer;
		struct account a = {.role = ROLE_OFFICER, .created_at = aj->now};
		struct event ev = {.type = "account.created",
		                   .actor_state = parties[i].code,
		                   .states = parties[i].code,
		                   .object_id = a.id};

		if (p->account_id[0] != '\0')
			continue;
		rand_id(a.id);
		memcpy(a.state, parties[i].code, STATE_SIZE);
		snprintf(a.username, sizeof(a.username), "%c%c%c-bench-officer", a.state[0] | 0x20,
		         a.state[1] | 0x20, a.state[2] | 0x20);
		err = store_account_insert(w, &a, aj->pwhash);
		if (err == POCD_OK)
			err = store_event_append(w, &ev, aj->now);
		if (err == POCD_OK) {
			memcpy(p->account_id, a.id, ID_SIZE);
			strlcpy(p->username, a.username, sizeof(p->username));
			aj->created++;
		}
	}
	return err;
}

/* Reads the participating states and their officers, creating the missing officers. */
static size_t
load_parties(struct core *c)
{
	struct store_conn *rd = store_reader(c->store);
	struct accounts_job aj = {.job.run = accounts_run, .now = core_now(c)};
	char pw[TOKEN_SIZE], pwhash[PWHASH_SIZE];
	enum pocd_err err;

	if (rd == NULL)
		die("opening a reader", POCD_ESTORE);
	err = store_states_list(rd, collect_state, NULL);
	if (err != POCD_OK)
		die("listing the states", err);
	for (size_t i = 0; i < nparties; i++) {
		struct principal *p = &parties[i].officer;

		p->role = ROLE_OFFICER;
		p->participating = true;
		memcpy(p->state, parties[i].code, STATE_SIZE);
		err = store_accounts_list(rd, parties[i].code, collect_officer, p);
		if (err != POCD_OK)
			die("listing accounts", err);
	}
	rand_token(pw);
	err = password_hash(pw, pwhash);
	sodium_memzero(pw, sizeof(pw));
	if (err != POCD_OK)
		die("hashing a password", err);
	aj.pwhash = pwhash;
	err = store_run_sync(c->store, &aj.job);
	if (err != POCD_OK)
		die("creating officer accounts", err);
	return aj.created;
}

static int
count_poc(const struct poc *p, void *arg)
{
	(void)p;
	(*(size_t *)arg)++;
	return 0;
}

/* The PoCs of the participating states, as the directory export counts them. */
static size_t
count_pocs(struct core *c)
{
	struct poc_filter f = {.kind = -1, .limit = 1000000000};
	size_t n = 0;
	enum pocd_err err = store_pocs_list(store_reader(c->store), &f, count_poc, &n);

	if (err != POCD_OK)
		die("counting PoCs", err);
	return n;
}

/* A PoC like the demo's alternates: fictional names, addresses and numbers. */
static void
fill_poc(struct poc_op *op, const struct party *pt, size_t n, int64_t now)
{
	struct poc *p = &op->poc;
	char lower[STATE_SIZE];
	bool tech = n % 2 == 0;

	for (int i = 0; i < STATE_SIZE; i++)
		lower[i] = (char)(pt->code[i] >= 'A' && pt->code[i] <= 'Z' ? pt->code[i] | 0x20
		                                                           : pt->code[i]);
	memset(op, 0, sizeof(*op));
	op->kind = POC_CREATE;
	op->now = now;
	op->actor.role = ROLE_STATE_ADMIN;
	memcpy(op->actor.state, pt->code, STATE_SIZE);
	op->done = round_done;
	memcpy(p->state, pt->code, STATE_SIZE);
	p->kind = tech ? POC_TECHNICAL : POC_DIPLOMATIC;
	p->rank = POC_ALTERNATE;
	snprintf(p->organisation, sizeof(p->organisation), "%s desk %zu of %s (fictional)",
	         tech ? "CERT" : "MFA", n, pt->code);
	strlcpy(p->role_title, tech ? "Duty officer" : "Desk officer", sizeof(p->role_title));
	snprintf(p->person_name, sizeof(p->person_name), "Bench Person %zu", n);
	snprintf(p->email, sizeof(p->email), "desk%zu@%s-%s.example", n, tech ? "cert" : "mfa",
	         lower);
	/* US 555-01xx: a range set aside for fiction. */
	snprintf(p->phones[0], sizeof(p->phones[0]), "+1202555%04zu", 100 + n % 100);
	p->nphones = 1;
	strlcpy(p->languages[0], "en", sizeof(p->languages[0]));
	p->nlangs = 1;
	strlcpy(p->time_zone, "UTC", sizeof(p->time_zone));
	strlcpy(p->availability,
	        tech ? "\"24/7\""
	             : "{\"weekly\":[{\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],"
	               "\"from\":\"08:00\",\"to\":\"18:00\"}]}",
	        sizeof(p->availability));
	strlcpy(p->review_by, "2027-11-30", sizeof(p->review_by));
}

/* Adds PoCs round robin over the participating states until the directory holds target. */
static size_t
fill_pocs(struct core *c, size_t target)
{
	size_t have = count_pocs(c), added = 0;
	struct poc_op *ops = xcalloc(INFLIGHT, sizeof(*ops));
	int64_t now = core_now(c);
	enum pocd_err err;

	while (have + added < target) {
		size_t n = target - have - added < INFLIGHT ? target - have - added : INFLIGHT;

		for (size_t i = 0; i < n; i++) {
			fill_poc(&ops[i], &parties[(added + i) % nparties], have + added + i, now);
			round_add();
			err = directory_submit(c, &ops[i]);
			if (err != POCD_OK)
				die("submitting a PoC", err);
		}
		round_wait();
		for (size_t i = 0; i < n; i++)
			if (ops[i].status != POCD_OK)
				die("adding a PoC", ops[i].status);
		added += n;
	}
	free(ops);
	return added;
}

/* A step due later in a communication's history, by one party's officer. */
struct act {
	int64_t at;
	char comm_id[ID_SIZE];
	uint8_t actor;  /* index in parties */
	uint8_t action; /* enum exchange_action */
	uint8_t sender; /* the sender's index, for the close after an answer */
	bool close;     /* a reply that the sender closes later */
};

/* A binary min-heap of acts by time. */
static struct act *heap;
static size_t nheap, heap_cap;

static void
heap_push(const struct act *a)
{
	size_t i;

	if (nheap == heap_cap) {
		heap_cap = heap_cap ? heap_cap * 2 : 4096;
		heap = realloc(heap, heap_cap * sizeof(*heap));
		if (heap == NULL)
			die("allocating", POCD_ENOMEM);
	}
	for (i = nheap++; i > 0 && heap[(i - 1) / 2].at > a->at; i = (i - 1) / 2)
		heap[i] = heap[(i - 1) / 2];
	heap[i] = *a;
}

static struct act
heap_pop(void)
{
	struct act top = heap[0], last = heap[--nheap];
	size_t i = 0, k;

	while ((k = 2 * i + 1) < nheap) {
		if (k + 1 < nheap && heap[k + 1].at < heap[k].at)
			k++;
		if (heap[k].at >= last.at)
			break;
		heap[i] = heap[k];
		i = k;
	}
	heap[i] = last;
	return top;
}

/* The history that follows a sent communication, for each recipient: 92% acknowledge after
 * a delay that shrinks with urgency; 65% answer with a reply later; half of the answered are
 * closed by the sender after that. The rest stay open and run into the scheduler. */
static void
plan_acts(const struct send_op *op, uint8_t sender, size_t *recipients)
{
	static const double ack_mean[] = {8 * 3600.0, 2 * 3600.0, 1800.0};
	int u = urgency_index(op->cm.urgency);

	for (size_t i = 0; i < op->cm.nrecipients; i++) {
		struct act a = {.sender = sender};
		uint8_t who = 0;

		while (strcmp(parties[who].code, op->cm.r[i].state) != 0)
			who++;
		(*recipients)++;
		memcpy(a.comm_id, op->cm.id, ID_SIZE);
		a.actor = who;
		if (unit() > 0.92)
			continue;
		a.at = op->now + delay(ack_mean[u]);
		a.action = EX_ACKNOWLEDGE;
		heap_push(&a);
		if (unit() > 0.65)
			continue;
		a.at += delay(ack_mean[u] * 6);
		a.action = EX_REPLY;
		a.close = unit() <= 0.5;
		heap_push(&a);
	}
}

static const char *const urgencies[] = {"routine", "priority", "urgent"};
static const char *const types[] = {"notification", "request_information", "request_assistance",
                                    "request_clarification"};
static const char *const tlps[] = {"CLEAR", "GREEN", "GREEN", "AMBER", "AMBER", "RED"};

/* A communication from parties[sender] as a client would send it, decoded by comm_decode:
 * mostly to one state's technical PoCs, some to two or three states, some to diplomats. */
static void
make_send(struct send_op *op, size_t sender, int64_t at, size_t n)
{
	size_t nto = unit() <= 0.8 ? 1 : unit() <= 0.75 ? 2 : 3;
	size_t u = unit() <= 0.7 ? 0 : unit() <= 0.66 ? 1 : 2;
	double k = unit();
	const char *kinds = k <= 0.8   ? "[\"technical\"]"
	                    : k <= 0.9 ? "[\"diplomatic\"]"
	                               : "[\"technical\",\"diplomatic\"]";
	size_t to[3];
	json_t *body, *rcpts = json_array();
	char subject[96], desc[400];
	enum pocd_err err;

	memset(op, 0, sizeof(*op));
	for (size_t i = 0; i < nto; i++) {
		bool taken;

		do {
			to[i] = pick(nparties);
			taken = to[i] == sender;
			for (size_t j = 0; j < i; j++)
				taken |= to[j] == to[i];
		} while (taken);
		json_array_append_new(rcpts, json_pack("{s:s,s:o}", "state", parties[to[i]].code,
		                                       "kinds", json_loads(kinds, 0, NULL)));
	}
	snprintf(subject, sizeof(subject), "Bench %zu: scanning of exposed VPN gateways", n);
	snprintf(desc, sizeof(desc),
	         "Scanning from 198.51.100.%zu/32 against exposed VPN gateways of energy operators "
	         "since 02:10 UTC; no compromise confirmed. Sharing for awareness; indicators to "
	         "follow. Reference %zu.",
	         n % 256, n);
	body = json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:s},s:{s:s,s:s}}", "type", types[pick(4)],
	                 "urgency", urgencies[u], "tlp", tlps[pick(6)], "to", rcpts, "subject",
	                 "text", subject, "lang", "en", "description", "text", desc, "lang", "en");
	if (body == NULL)
		die("building a communication", POCD_ENOMEM);
	err = comm_decode(body, at, &op->cm, &op->errs);
	json_decref(body);
	if (err != POCD_OK) {
		fprintf(stderr, "bench_fill: %s %s\n", op->errs.v[0].field, op->errs.v[0].reason);
		die("decoding a communication", err);
	}
	op->actor = parties[sender].officer;
	op->now = at;
	op->done = round_done;
}

static char *reply_body;

static void
make_act(struct act_op *op, const struct act *a)
{
	memset(op, 0, sizeof(*op));
	op->actor = parties[a->actor].officer;
	op->action = (enum exchange_action)a->action;
	memcpy(op->comm_id, a->comm_id, ID_SIZE);
	op->reply_body = a->action == EX_REPLY ? reply_body : NULL;
	op->now = a->at;
	op->done = round_done;
}

struct counts {
	size_t comms, recipients, acts, due_runs;
};

/* Submits the acts due by t, INFLIGHT at a time, each round committed before the next
 * (replies plan the sender's close, which may itself be due by t). */
static void
run_acts(struct core *c, struct act_op *ops, int64_t t, struct counts *n)
{
	struct act done[INFLIGHT];

	while (nheap > 0 && heap[0].at <= t) {
		size_t k = 0;
		enum pocd_err err;

		while (k < INFLIGHT && nheap > 0 && heap[0].at <= t) {
			done[k] = heap_pop();
			make_act(&ops[k], &done[k]);
			round_add();
			err = exchange_act(c, &ops[k]);
			if (err != POCD_OK)
				die("submitting a step", err);
			k++;
		}
		round_wait();
		for (size_t i = 0; i < k; i++) {
			if (ops[i].status != POCD_OK && ops[i].status != POCD_ECONFLICT)
				die("a step", ops[i].status);
			if (done[i].action == EX_REPLY && done[i].close) {
				struct act cl = done[i];

				cl.at += delay(2 * 86400.0);
				cl.action = EX_CLOSE;
				cl.actor = cl.sender;
				cl.close = false;
				heap_push(&cl);
			}
		}
		n->acts += k;
	}
}

/* The scheduler's work as the clock passes t: overdue marks and escalations. */
static void
run_due(struct core *c, int64_t t, struct counts *n)
{
	enum pocd_err err = exchange_process_due(c, t);

	if (err != POCD_OK)
		die("processing deadlines", err);
	n->due_runs++;
}

/* A year of history ending at end: sends in time order, the acts and deadlines they lead to
 * interleaved as the clock passes them. Then the clock runs on to now with nothing but the
 * scheduler's passes, a day apart, so that no deadline is left for a server to find. */
static void
fill_comms(struct core *c, size_t total, int64_t end, int64_t now, struct counts *n)
{
	struct send_op *sends = xcalloc(INFLIGHT, sizeof(*sends));
	struct act_op *acts = xcalloc(INFLIGHT, sizeof(*acts));
	uint8_t *senders = xcalloc(INFLIGHT, 1);
	int64_t start = end - HISTORY_S;
	enum pocd_err err;

	for (size_t done = 0; done < total;) {
		size_t k = total - done < INFLIGHT ? total - done : INFLIGHT;
		int64_t t0 = start + (int64_t)((double)done * HISTORY_S / (double)total);

		run_acts(c, acts, t0, n);
		run_due(c, t0, n);
		for (size_t i = 0; i < k; i++) {
			int64_t at =
			    start + (int64_t)((double)(done + i) * HISTORY_S / (double)total);

			senders[i] = (uint8_t)pick(nparties);
			make_send(&sends[i], senders[i], at, done + i);
			round_add();
			err = exchange_send(c, &sends[i]);
			if (err != POCD_OK)
				die("submitting a communication", err);
		}
		round_wait();
		for (size_t i = 0; i < k; i++) {
			if (sends[i].status != POCD_OK)
				die(sends[i].errs.n > 0 ? sends[i].errs.v[0].reason
				                        : "a communication",
				    sends[i].status);
			plan_acts(&sends[i], senders[i], &n->recipients);
			free(sends[i].cm.content);
		}
		done += k;
		n->comms += k;
	}
	run_acts(c, acts, end, n);
	for (int64_t t = end; t < now; t += 86400)
		run_due(c, t, n);
	run_due(c, now, n);
	free(sends);
	free(acts);
	free(senders);
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t
count_rows(struct core *c, const char *type)
{
	int64_t n = 0;
	enum pocd_err err = store_events_count(store_reader(c->store), type, &n);

	if (err != POCD_OK)
		die("counting events", err);
	return n;
}

int
main(int argc, char **argv)
{
	struct core_config cc;
	struct store *st;
	struct core *c;
	struct counts n = {0};
	struct store_stats stats;
	char msg[512] = "", *end;
	json_t *reply;
	struct verrs errs;
	char thread[STATE_SIZE];
	size_t accounts, pocs;
	unsigned long scale;
	double t0, t1, t2;
	int64_t leaves, now;
	enum pocd_err err;

	if (argc != 3) {
		fputs("usage: bench_fill DB_PATH SCALE\n", stderr);
		return 2;
	}
	scale = strtoul(argv[2], &end, 10);
	if (*end != '\0' || scale < 1 || scale > 1000) {
		fputs("bench_fill: SCALE must be a whole number from 1 to 1000\n", stderr);
		return 2;
	}
	if (sodium_init() < 0) {
		fputs("bench_fill: cannot initialise libsodium\n", stderr);
		return 1;
	}
	/* The fill reads pages all over a database much larger than SQLite's page cache (random
	 * ids): mapped, they cost no read() each. Only this process's connections are affected. */
	sqlite3_config(SQLITE_CONFIG_MMAP_SIZE, (sqlite3_int64)FILL_MMAP, (sqlite3_int64)FILL_MMAP);
	if (store_open(argv[1], &st, msg, sizeof(msg)) != POCD_OK) {
		fprintf(stderr, "bench_fill: %s\n", msg);
		return 1;
	}
	core_config_defaults(&cc);
	c = core_new(st, &cc);
	if (c == NULL)
		die("starting the core", POCD_ENOMEM);
	if (record_open(c, argv[1], msg, sizeof(msg)) != POCD_OK) {
		fprintf(stderr, "bench_fill: %s\n", msg);
		return 1;
	}
	reply = json_pack("{s:s,s:s}", "text",
	                  "Acknowledged; our team is looking into it and will share findings.",
	                  "lang", "en");
	err = reply_decode(reply, &reply_body, thread, &errs);
	json_decref(reply);
	if (err != POCD_OK)
		die("decoding the reply", err);

	t0 = now_mono();
	accounts = load_parties(c);
	if (nparties < 2)
		die("fewer than two participating states", POCD_EINVAL);
	pocs = fill_pocs(c, POCS_PER_SCALE * scale);
	t1 = now_mono();
	now = core_now(c);
	fill_comms(c, COMMS_PER_SCALE * scale, now - HISTORY_END_AGO, now, &n);
	t2 = now_mono();

	err = store_log_size(store_reader(c->store), &leaves);
	if (err != POCD_OK)
		die("reading the log's size", err);
	store_get_stats(st, &stats);
	printf("FILL scale=%lu states=%zu accounts=%zu pocs=%zu added_pocs=%zu comms=%zu "
	       "recipients=%zu acts=%zu due_runs=%zu events=%lld leaves=%lld pocs_s=%.1f "
	       "comms_s=%.1f total_s=%.1f commits=%llu jobs=%llu\n",
	       scale, nparties, accounts, count_pocs(c), pocs, n.comms, n.recipients, n.acts,
	       n.due_runs, (long long)count_rows(c, NULL), (long long)leaves, t1 - t0, t2 - t1,
	       t2 - t0, (unsigned long long)stats.commits, (unsigned long long)stats.jobs);
	free(reply_body);
	free(heap);
	/* core_free closes the record, which stores the last checkpoint. */
	core_free(c);
	store_close(st);
	return 0;
}
