#include "lib/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_t flusher;
static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool running;
static char logbuf[1 << 16];

static void *
flush_loop(void *arg)
{
	struct timespec ts;

	pthread_mutex_lock(&lk);
	while (running) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&cv, &lk, &ts);
		fflush(stderr);
	}
	pthread_mutex_unlock(&lk);
	return NULL;
}

int
log_start(void)
{
	/* Full buffering turns one write per request into one per 64 KiB or per second. */
	setvbuf(stderr, logbuf, _IOFBF, sizeof(logbuf));
	running = true;
	if (pthread_create(&flusher, NULL, flush_loop, NULL) != 0) {
		running = false;
		setvbuf(stderr, NULL, _IONBF, 0);
		return -1;
	}
	return 0;
}

void
log_stop(void)
{
	pthread_mutex_lock(&lk);
	if (!running) {
		pthread_mutex_unlock(&lk);
		return;
	}
	running = false;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&lk);
	pthread_join(flusher, NULL);
	fflush(stderr);
	setvbuf(stderr, NULL, _IONBF, 0);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	flockfile(stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("pocd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fflush(stderr);
	exit(1);
}
