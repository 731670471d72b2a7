/*
 * The single writer: one thread owns the write connection and commits every job waiting
 * for it in one transaction (group commit), so that with synchronous=FULL many requests
 * share one fsync.
 */
#include "store/internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

#define QUEUE_MAX 4096 /* jobs waiting; beyond it writers get 503 */
#define BATCH_MAX 512  /* jobs in one transaction */

struct store {
	char *path;
	bool test_db;
	struct store_conn *w;
	pthread_t th;
	pthread_mutex_t lk;
	pthread_cond_t cv;
	struct store_job *head, *tail;
	size_t queued;
	bool stopping;
	_Atomic uint64_t dir_gen;
	_Atomic uint64_t comms_gen;
	_Atomic uint64_t commits, jobs, max_batch;
	pthread_mutex_t readers_lk;
	struct store_conn *readers;
	struct store_hooks hooks;
};

static __thread struct store_conn *tls_reader;
static __thread const struct store *tls_owner;

/* Runs one batch: every job under its own savepoint, one commit for all. */
static void
run_batch(struct store *s, const struct store_hooks *h, struct store_job *batch, size_t n)
{
	struct store_job *j, *next;
	bool dir = false, comms = false, open, committed = false;
	enum pocd_err st[BATCH_MAX];
	size_t i;

	open = store_conn_exec(s->w, "BEGIN IMMEDIATE") == SQLITE_OK;
	for (j = batch, i = 0; j != NULL; j = j->next, i++) {
		if (!open) {
			st[i] = POCD_EUNAVAILABLE;
			continue;
		}
		if (store_conn_exec(s->w, "SAVEPOINT job") != SQLITE_OK) {
			st[i] = POCD_ESTORE;
			continue;
		}
		j->directory_changed = false;
		s->w->comms_touched = false;
		if (h->job_begin != NULL)
			h->job_begin(h->arg);
		st[i] = j->run(s->w, j);
		if (st[i] != POCD_OK) {
			store_conn_exec(s->w, "ROLLBACK TO job");
			j->directory_changed = false;
			s->w->comms_touched = false;
			if (h->job_undone != NULL)
				h->job_undone(h->arg);
		}
		store_conn_exec(s->w, "RELEASE job");
		dir |= j->directory_changed;
		comms |= s->w->comms_touched;
		/* Some errors (I/O, full disk) make SQLite roll the whole transaction back by
		 * itself: then nothing of the batch is written, and no job may say otherwise. */
		if (sqlite3_get_autocommit(s->w->db)) {
			open = false;
			for (size_t k = 0; k <= i; k++)
				if (st[k] == POCD_OK)
					st[k] = POCD_ESTORE;
		}
	}
	/* The batch hook (the log's checkpoint) commits with the batch or not at all. */
	if (open && h->batch_end != NULL && h->batch_end(s->w, h->arg) != POCD_OK) {
		open = false;
		store_conn_exec(s->w, "ROLLBACK");
		for (i = 0; i < n; i++)
			if (st[i] == POCD_OK)
				st[i] = POCD_ESTORE;
	}
	if (open && store_conn_exec(s->w, "COMMIT") == SQLITE_OK) {
		committed = true;
	} else if (open) {
		store_conn_exec(s->w, "ROLLBACK");
		for (i = 0; i < n; i++)
			if (st[i] == POCD_OK)
				st[i] = POCD_ESTORE;
	}
	if (h->batch_done != NULL)
		h->batch_done(h->arg, committed);
	if (committed) {
		atomic_fetch_add(&s->commits, 1);
		if (dir)
			atomic_fetch_add(&s->dir_gen, 1);
		if (comms || dir)
			atomic_fetch_add(&s->comms_gen, 1);
	}
	atomic_fetch_add(&s->jobs, n);
	if (n > atomic_load(&s->max_batch))
		atomic_store(&s->max_batch, n);
	for (j = batch, i = 0; j != NULL; j = next, i++) {
		next = j->next;
		j->next = NULL;
		if (j->done != NULL)
			j->done(j, st[i]);
	}
}

static void *
writer_loop(void *arg)
{
	struct store *s = arg;
	struct store_job *batch, *last;
	struct store_hooks hooks;
	size_t n;

	pthread_mutex_lock(&s->lk);
	for (;;) {
		while (s->head == NULL && !s->stopping)
			pthread_cond_wait(&s->cv, &s->lk);
		if (s->head == NULL)
			break;
		batch = last = s->head;
		for (n = 1; n < BATCH_MAX && last->next != NULL; n++)
			last = last->next;
		s->head = last->next;
		if (s->head == NULL)
			s->tail = NULL;
		last->next = NULL;
		s->queued -= n;
		hooks = s->hooks;
		pthread_mutex_unlock(&s->lk);
		run_batch(s, &hooks, batch, n);
		pthread_mutex_lock(&s->lk);
	}
	pthread_mutex_unlock(&s->lk);
	return NULL;
}

struct store *
writer_start(const char *path, struct store_conn *w, bool test_db)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->path = strdup(path);
	if (s->path == NULL) {
		free(s);
		return NULL;
	}
	s->w = w;
	s->test_db = test_db;
	atomic_init(&s->dir_gen, 1);
	atomic_init(&s->comms_gen, 1);
	pthread_mutex_init(&s->lk, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_mutex_init(&s->readers_lk, NULL);
	if (pthread_create(&s->th, NULL, writer_loop, s) != 0) {
		free(s->path);
		free(s);
		return NULL;
	}
	return s;
}

void
store_close(struct store *s)
{
	struct store_conn *c, *next;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lk);
	s->stopping = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->lk);
	pthread_join(s->th, NULL);
	for (c = s->readers; c != NULL; c = next) {
		next = c->next;
		store_conn_close(c);
	}
	if (tls_owner == s) {
		tls_owner = NULL;
		tls_reader = NULL;
	}
	store_conn_exec(s->w, "PRAGMA optimize");
	store_conn_close(s->w);
	pthread_mutex_destroy(&s->lk);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->readers_lk);
	free(s->path);
	free(s);
}

struct store_conn *
store_reader(struct store *s)
{
	struct store_conn *c;

	if (tls_owner == s && tls_reader != NULL)
		return tls_reader;
	c = store_conn_open_reader(s->path);
	if (c == NULL)
		return NULL;
	pthread_mutex_lock(&s->readers_lk);
	c->next = s->readers;
	s->readers = c;
	pthread_mutex_unlock(&s->readers_lk);
	tls_reader = c;
	tls_owner = s;
	return c;
}

enum pocd_err
store_submit(struct store *s, struct store_job *job)
{
	pthread_mutex_lock(&s->lk);
	if (s->stopping || s->queued >= QUEUE_MAX) {
		pthread_mutex_unlock(&s->lk);
		return POCD_EUNAVAILABLE;
	}
	job->next = NULL;
	if (s->tail != NULL)
		s->tail->next = job;
	else
		s->head = job;
	s->tail = job;
	s->queued++;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->lk);
	return POCD_OK;
}

/* A job wrapped so that its submitter can wait for the commit. */
struct sync_job {
	struct store_job job; /* first, so a struct store_job * is a struct sync_job * */
	struct store_job *inner;
	pthread_mutex_t lk;
	pthread_cond_t cv;
	bool finished;
	enum pocd_err status;
};

static enum pocd_err
sync_run(struct store_conn *w, struct store_job *j)
{
	struct sync_job *sj = (struct sync_job *)j;
	enum pocd_err err = sj->inner->run(w, sj->inner);

	j->directory_changed = sj->inner->directory_changed;
	return err;
}

static void
sync_done(struct store_job *j, enum pocd_err status)
{
	struct sync_job *sj = (struct sync_job *)j;

	if (sj->inner->done != NULL)
		sj->inner->done(sj->inner, status);
	pthread_mutex_lock(&sj->lk);
	sj->finished = true;
	sj->status = status;
	pthread_cond_signal(&sj->cv);
	pthread_mutex_unlock(&sj->lk);
}

enum pocd_err
store_run_sync(struct store *s, struct store_job *job)
{
	struct sync_job sj;
	enum pocd_err err;

	memset(&sj, 0, sizeof(sj));
	sj.job.run = sync_run;
	sj.job.done = sync_done;
	sj.inner = job;
	pthread_mutex_init(&sj.lk, NULL);
	pthread_cond_init(&sj.cv, NULL);
	err = store_submit(s, &sj.job);
	if (err == POCD_OK) {
		pthread_mutex_lock(&sj.lk);
		while (!sj.finished)
			pthread_cond_wait(&sj.cv, &sj.lk);
		pthread_mutex_unlock(&sj.lk);
		err = sj.status;
	}
	pthread_mutex_destroy(&sj.lk);
	pthread_cond_destroy(&sj.cv);
	return err;
}

void
store_set_hooks(struct store *s, const struct store_hooks *h)
{
	pthread_mutex_lock(&s->lk);
	if (h != NULL)
		s->hooks = *h;
	else
		memset(&s->hooks, 0, sizeof(s->hooks));
	pthread_mutex_unlock(&s->lk);
}

uint64_t
store_directory_generation(struct store *s)
{
	return atomic_load_explicit(&s->dir_gen, memory_order_acquire);
}

uint64_t
store_comms_generation(struct store *s)
{
	return atomic_load_explicit(&s->comms_gen, memory_order_acquire);
}

void
store_get_stats(struct store *s, struct store_stats *out)
{
	struct store_conn *c = store_reader(s);

	out->commits = atomic_load(&s->commits);
	out->jobs = atomic_load(&s->jobs);
	out->max_batch = atomic_load(&s->max_batch);
	out->db_bytes = c != NULL ? (uint64_t)store_conn_db_bytes(c) : 0;
}

bool
store_is_test(struct store *s)
{
	return s->test_db;
}
