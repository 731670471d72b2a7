#include "lib/workq.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct workq {
	pthread_mutex_t lk;
	pthread_cond_t cv;
	struct work *head, *tail;
	size_t queued;
	bool stopping;
	size_t nthreads;
	pthread_t th[];
};

static void *
workq_loop(void *arg)
{
	struct workq *q = arg;
	struct work *w;

	pthread_mutex_lock(&q->lk);
	for (;;) {
		while (q->head == NULL && !q->stopping)
			pthread_cond_wait(&q->cv, &q->lk);
		if (q->head == NULL)
			break;
		w = q->head;
		q->head = w->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->queued--;
		pthread_mutex_unlock(&q->lk);
		w->next = NULL;
		w->fn(w);
		pthread_mutex_lock(&q->lk);
	}
	pthread_mutex_unlock(&q->lk);
	return NULL;
}

struct workq *
workq_new(size_t nthreads)
{
	struct workq *q = calloc(1, sizeof(*q) + nthreads * sizeof(pthread_t));

	if (q == NULL)
		return NULL;
	pthread_mutex_init(&q->lk, NULL);
	pthread_cond_init(&q->cv, NULL);
	for (q->nthreads = 0; q->nthreads < nthreads; q->nthreads++)
		if (pthread_create(&q->th[q->nthreads], NULL, workq_loop, q) != 0) {
			workq_free(q);
			return NULL;
		}
	return q;
}

int
workq_submit(struct workq *q, struct work *w, size_t max)
{
	pthread_mutex_lock(&q->lk);
	if (q->stopping || q->queued >= max) {
		pthread_mutex_unlock(&q->lk);
		return -1;
	}
	w->next = NULL;
	if (q->tail != NULL)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	q->queued++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->lk);
	return 0;
}

void
workq_free(struct workq *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lk);
	q->stopping = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->lk);
	for (size_t i = 0; i < q->nthreads; i++)
		pthread_join(q->th[i], NULL);
	pthread_mutex_destroy(&q->lk);
	pthread_cond_destroy(&q->cv);
	free(q);
}
