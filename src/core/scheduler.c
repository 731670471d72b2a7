/*
 * The scheduler asks the store for the earliest deadline, sleeps until then (or until it is
 * kicked), and processes whatever has come due. It never polls.
 */
#include "core/scheduler.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "core/attachment.h"
#include "core/core.h"
#include "core/exchange.h"
#include "core/notify.h"
#include "core/pings.h"
#include "core/poc_changes.h"
#include "lib/log.h"

#define RETRY_SECONDS 5 /* after a failure to read or process, try again this much later */
/* Unreferenced attachments are looked for this often. */
#define SWEEP_SECONDS 3600

struct scheduler {
	struct core *c;
	pthread_t th;
	pthread_mutex_t lk;
	pthread_cond_t cv;
	bool stopping;
	bool kicked;
	int64_t sweep_at; /* service clock of the next sweep of attachments */
};

/* Sleeps until the real clock reaches the service clock's `until` (0: until kicked). */
static void
sleep_until(struct scheduler *s, int64_t until)
{
	struct timespec ts;

	if (until == 0) {
		while (!s->kicked && !s->stopping)
			pthread_cond_wait(&s->cv, &s->lk);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(until - core_now(s->c));
	while (!s->kicked && !s->stopping)
		if (pthread_cond_timedwait(&s->cv, &s->lk, &ts) != 0)
			break;
}

static int64_t
earliest(int64_t a, int64_t b)
{
	return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

/* The earliest deadline of communications, pings, notifications and PoC changes, 0 when none
 * waits. */
static enum pocd_err
next_due(struct store_conn *rd, int64_t now, int64_t *next)
{
	int64_t comm, ping, mail, change;
	enum pocd_err err = store_comm_next_due(rd, &comm);

	if (err == POCD_OK)
		err = store_ping_next_due(rd, &ping);
	if (err == POCD_OK)
		err = notify_next_due(rd, now, &mail);
	if (err == POCD_OK)
		err = poc_changes_next_due(rd, &change);
	if (err != POCD_OK)
		return err;
	*next = earliest(earliest(earliest(comm, ping), mail), change);
	return POCD_OK;
}

static void *
loop(void *arg)
{
	struct scheduler *s = arg;
	struct store_conn *rd;
	int64_t next, now;
	enum pocd_err err;

	pthread_mutex_lock(&s->lk);
	while (!s->stopping) {
		s->kicked = false;
		pthread_mutex_unlock(&s->lk);
		now = core_now(s->c);
		rd = store_reader(s->c->store);
		if (now >= s->sweep_at) {
			err = attachments_sweep(s->c, now);
			if (err != POCD_OK)
				log_info("scheduler: sweeping attachments failed: %s",
				         pocd_err_name(err));
			s->sweep_at = now + SWEEP_SECONDS;
		}
		err = rd != NULL ? next_due(rd, now, &next) : POCD_ESTORE;
		if (err == POCD_OK)
			next = earliest(next, s->sweep_at);
		if (err == POCD_OK && next != 0 && next <= now) {
			err = exchange_process_due(s->c, now);
			if (err == POCD_OK)
				err = pings_process_due(s->c, now);
			if (err == POCD_OK)
				err = notify_process_due(s->c, now);
			if (err == POCD_OK)
				err = poc_changes_process_due(s->c, now);
			if (err != POCD_OK)
				log_info("scheduler: processing deadlines failed: %s",
				         pocd_err_name(err));
			pthread_mutex_lock(&s->lk);
			if (err != POCD_OK)
				sleep_until(s, core_now(s->c) + RETRY_SECONDS);
			continue;
		}
		pthread_mutex_lock(&s->lk);
		if (err != POCD_OK) {
			log_info("scheduler: cannot read deadlines: %s", pocd_err_name(err));
			next = now + RETRY_SECONDS;
		}
		sleep_until(s, next);
	}
	pthread_mutex_unlock(&s->lk);
	return NULL;
}

struct scheduler *
scheduler_start(struct core *c)
{
	struct scheduler *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->c = c;
	pthread_mutex_init(&s->lk, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->th, NULL, loop, s) != 0) {
		pthread_mutex_destroy(&s->lk);
		pthread_cond_destroy(&s->cv);
		free(s);
		return NULL;
	}
	c->scheduler = s;
	return s;
}

void
scheduler_kick(struct scheduler *s)
{
	pthread_mutex_lock(&s->lk);
	s->kicked = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->lk);
}

void
scheduler_stop(struct scheduler *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lk);
	s->stopping = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->lk);
	pthread_join(s->th, NULL);
	s->c->scheduler = NULL;
	pthread_mutex_destroy(&s->lk);
	pthread_cond_destroy(&s->cv);
	free(s);
}
