/*
 * The log at scale, for bench/log-scale.sh: fills a fresh test database's transparency log with
 * N leaves through the write path every logged call takes (record_event inside writer jobs,
 * with its checkpoints), then times inclusion and consistency proofs on a reader connection,
 * as GET /api/v1/log/proof/... computes them.
 *
 * Each event is a communication sent by FRA to DEU, so two leaves (one per party state) and
 * N/2 events; FILL_EVENTS of them share one job, hence one commit, as a busy writer's group
 * commit would. Every proof is checked against the tree's roots, so a fast wrong answer
 * cannot pass for a fast right one.
 *
 * usage: log_scale DB_PATH N   (DB_PATH must not exist; N even, at least 2)
 *
 * Prints one line: LOG_SCALE leaves=N events=E fill_s=S fill_per_s=R, then for inclusion_us,
 * inclusion_cpu_us, consistency_us and consistency_cpu_us: mean=M p50=P p99=Q max=X. Proof
 * times exclude the check. The _cpu_ figures are the thread's CPU time: on a shared machine a
 * proof that loses its core for a scheduler tick shows it in wall time only.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/core.h"
#include "core/merkle.h"
#include "core/record.h"
#include "lib/rand.h"
#include "lib/timeutil.h"
#include "store/store.h"

#define FILL_EVENTS 1000
#define PROOFS      1000

/* The size of a routine notification's stored content: what the commitment hashes. */
static const char content[] =
    "{\"type\":\"notification\",\"urgency\":\"routine\",\"tlp\":\"GREEN\","
    "\"subject\":{\"text\":\"bench: scanning of VPN gateways\",\"lang\":\"en\"},"
    "\"description\":{\"text\":\"Scanning from 198.51.100.0/24 against exposed VPN gateways "
    "of energy operators since 02:10 UTC; no compromise confirmed. Sharing for awareness; "
    "indicators to follow.\",\"lang\":\"en\"}}";

struct fill_job {
	struct store_job job;
	struct core *core;
	const char *account;
	size_t events;
};

static enum pocd_err
fill_run(struct store_conn *w, struct store_job *j)
{
	struct fill_job *fj = container_of(j, struct fill_job, job);
	char id[ID_SIZE], object[ID_SIZE];
	struct event ev = {.type = "communication.sent",
	                   .actor_account = fj->account,
	                   .actor_state = "FRA",
	                   .states = "FRA,DEU",
	                   .object_id = object,
	                   .details = "{\"recipients\":1}",
	                   .id = id,
	                   .actor_role = "officer",
	                   .content = content};
	int64_t at = now_s();
	enum pocd_err err = POCD_OK;

	for (size_t i = 0; err == POCD_OK && i < fj->events; i++) {
		rand_id(id);
		rand_id(object);
		err = record_event(w, fj->core, &ev, at, NULL);
	}
	return err;
}

static void
die(const char *what, enum pocd_err err)
{
	fprintf(stderr, "log_scale: %s: %s\n", what, pocd_err_name(err));
	exit(1);
}

/* Microseconds of clock, finer than mono_us: a proof may take only a few of them. */
static double
clock_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double
now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

/* Wall and CPU time of each proof. */
struct timings {
	double wall[PROOFS], cpu[PROOFS];
	double wall0, cpu0;
};

static void
timing_start(struct timings *t)
{
	t->wall0 = now_us();
	t->cpu0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
}

static void
timing_stop(struct timings *t, size_t k)
{
	t->wall[k] = now_us() - t->wall0;
	t->cpu[k] = clock_us(CLOCK_THREAD_CPUTIME_ID) - t->cpu0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts t and prints its mean, median, 99th percentile and maximum after label. */
static void
print_stats(const char *label, double *t, size_t n)
{
	double sum = 0;

	qsort(t, n, sizeof(*t), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += t[i];
	printf(" %s mean=%.1f p50=%.1f p99=%.1f max=%.1f", label, sum / (double)n, t[n / 2],
	       t[n * 99 / 100], t[n - 1]);
}

static void
print_timings(const char *what, struct timings *t)
{
	char label[32];

	snprintf(label, sizeof(label), "%s_us", what);
	print_stats(label, t->wall, PROOFS);
	snprintf(label, sizeof(label), "%s_cpu_us", what);
	print_stats(label, t->cpu, PROOFS);
}

/* Random leaves of the tree of size: each proof timed alone, then checked. */
static void
time_inclusion(struct store_conn *rd, uint64_t size, struct timings *t)
{
	uint8_t root[MERKLE_HASH], leaf[MERKLE_HASH], proof[MERKLE_PROOF_MAX][MERKLE_HASH];
	enum pocd_err err = merkle_root(size, record_node_get, rd, root);
	size_t n;

	if (err != POCD_OK)
		die("the root of the log", err);
	for (size_t k = 0; k < PROOFS; k++) {
		uint64_t index = randombytes_uniform((uint32_t)size);

		timing_start(t);
		err = merkle_inclusion(index, size, record_node_get, rd, proof, &n);
		timing_stop(t, k);
		if (err != POCD_OK)
			die("an inclusion proof", err);
		if (record_node_get(rd, 0, index, leaf) != 0 ||
		    !merkle_verify_inclusion(index, size, leaf,
		                             (const uint8_t(*)[MERKLE_HASH])proof, n, root)) {
			fprintf(stderr,
			        "log_scale: the inclusion proof of leaf %llu of %llu fails\n",
			        (unsigned long long)index, (unsigned long long)size);
			exit(1);
		}
	}
}

/* From random earlier sizes to size: each proof timed alone, then checked. */
static void
time_consistency(struct store_conn *rd, uint64_t size, struct timings *t)
{
	uint8_t root[MERKLE_HASH], old_root[MERKLE_HASH], proof[MERKLE_PROOF_MAX][MERKLE_HASH];
	enum pocd_err err = merkle_root(size, record_node_get, rd, root);
	size_t n;

	if (err != POCD_OK)
		die("the root of the log", err);
	for (size_t k = 0; k < PROOFS; k++) {
		uint64_t first = 1 + randombytes_uniform((uint32_t)(size - 1));

		timing_start(t);
		err = merkle_consistency(first, size, record_node_get, rd, proof, &n);
		timing_stop(t, k);
		if (err != POCD_OK)
			die("a consistency proof", err);
		err = merkle_root(first, record_node_get, rd, old_root);
		if (err != POCD_OK)
			die("an earlier root of the log", err);
		if (!merkle_verify_consistency(first, size, old_root, root,
		                               (const uint8_t(*)[MERKLE_HASH])proof, n)) {
			fprintf(stderr,
			        "log_scale: the consistency proof from %llu to %llu fails\n",
			        (unsigned long long)first, (unsigned long long)size);
			exit(1);
		}
	}
}

int
main(int argc, char **argv)
{
	struct core_config cc;
	struct store *st;
	struct core *c;
	struct store_conn *rd;
	struct fill_job fj = {.job.run = fill_run};
	char msg[512] = "", account[ID_SIZE];
	static struct timings times;
	unsigned long long leaves;
	int64_t size;
	size_t events, left;
	double t0, fill_s;
	enum pocd_err err;
	char *end;

	if (argc != 3) {
		fputs("usage: log_scale DB_PATH N\n", stderr);
		return 2;
	}
	leaves = strtoull(argv[2], &end, 10);
	if (*end != '\0' || leaves < 2 || leaves % 2 != 0 || leaves > UINT32_MAX) {
		fputs("log_scale: N must be an even number of leaves from 2 to 2^32 - 2\n", stderr);
		return 2;
	}
	if (sodium_init() < 0) {
		fputs("log_scale: cannot initialise libsodium\n", stderr);
		return 1;
	}
	/* As `pocd init --test` does, so that pocd log verify opens it like any other. */
	if (store_create(argv[1], true, msg, sizeof(msg)) != POCD_OK ||
	    store_open(argv[1], &st, msg, sizeof(msg)) != POCD_OK) {
		fprintf(stderr, "log_scale: %s\n", msg);
		return 1;
	}
	core_config_defaults(&cc);
	c = core_new(st, &cc);
	if (c == NULL) {
		fputs("log_scale: out of memory\n", stderr);
		store_close(st);
		return 1;
	}
	if (record_open(c, argv[1], msg, sizeof(msg)) != POCD_OK) {
		fprintf(stderr, "log_scale: %s\n", msg);
		core_free(c);
		store_close(st);
		return 1;
	}

	/* One sender throughout, like an officer's stream of requests. */
	rand_id(account);
	fj.core = c;
	fj.account = account;
	events = (size_t)(leaves / 2);
	t0 = now_us();
	for (left = events; left > 0; left -= fj.events) {
		fj.events = left < FILL_EVENTS ? left : FILL_EVENTS;
		err = store_run_sync(st, &fj.job);
		if (err != POCD_OK)
			die("appending events", err);
	}
	fill_s = (now_us() - t0) / 1e6;

	rd = store_reader(st);
	if (rd == NULL)
		die("opening a reader", POCD_ESTORE);
	err = store_log_size(rd, &size);
	if (err != POCD_OK)
		die("reading the log's size", err);
	if ((unsigned long long)size != leaves) {
		fprintf(stderr, "log_scale: the log holds %lld leaves, not %llu\n", (long long)size,
		        leaves);
		core_free(c);
		store_close(st);
		return 1;
	}
	printf("LOG_SCALE leaves=%llu events=%zu fill_s=%.2f fill_per_s=%.0f", leaves, events,
	       fill_s, (double)leaves / fill_s);
	time_inclusion(rd, (uint64_t)size, &times);
	print_timings("inclusion", &times);
	time_consistency(rd, (uint64_t)size, &times);
	print_timings("consistency", &times);
	putchar('\n');

	/* core_free closes the record, which stores the last checkpoint: verify covers it all. */
	core_free(c);
	store_close(st);
	return 0;
}
