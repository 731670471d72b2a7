/* A fixed pool of threads running queued work items in order of arrival. */
#ifndef POCD_LIB_WORKQ_H
#define POCD_LIB_WORKQ_H

#include <stddef.h>

struct work {
	void (*fn)(struct work *w); /* runs on a pool thread; owns w until it returns */
	struct work *next;
};

struct workq;

/* Starts nthreads threads. Returns NULL on failure. */
struct workq *workq_new(size_t nthreads);
/* Queues w; returns -1 if the queue holds max items already (the caller answers 503). */
int workq_submit(struct workq *q, struct work *w, size_t max);
/* Runs what is queued, then joins the threads and frees the pool. */
void workq_free(struct workq *q);

#endif
