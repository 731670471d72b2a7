/*
 * The bucket of a key is one number, its theoretical arrival time (the generic cell rate
 * algorithm): each request moves it one interval later, never earlier than now, and a
 * request that would move it more than a burst's worth of intervals ahead of now is refused.
 * Keys are hashed with a random key, so nobody can aim at one shard or one set.
 */
#include "lib/ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SHARDS 64 /* a power of two; request threads rarely meet on one lock */
#define SETS   64 /* per shard */
#define WAYS   4  /* keys per set */

struct slot {
	uint64_t key; /* 0: free */
	uint64_t tat; /* the theoretical arrival time, monotonic microseconds */
};

struct shard {
	pthread_mutex_t lk;
	struct slot s[SETS][WAYS];
} __attribute__((aligned(64)));

struct ratelimit {
	uint64_t interval; /* microseconds per request */
	uint64_t burst;    /* how far ahead of now a bucket may run, in microseconds */
	uint8_t hkey[crypto_shorthash_KEYBYTES];
	struct shard shard[SHARDS];
};

struct ratelimit *
ratelimit_new(unsigned rate)
{
	struct ratelimit *rl;

	if (rate == 0 || rate > 1000000)
		return NULL;
	rl = aligned_alloc(64, sizeof(*rl));
	if (rl == NULL)
		return NULL;
	memset(rl, 0, sizeof(*rl));
	rl->interval = 1000000 / rate;
	rl->burst = rl->interval * rate;
	crypto_shorthash_keygen(rl->hkey);
	for (int i = 0; i < SHARDS; i++)
		pthread_mutex_init(&rl->shard[i].lk, NULL);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	for (int i = 0; i < SHARDS; i++)
		pthread_mutex_destroy(&rl->shard[i].lk);
	free(rl);
}

bool
ratelimit_take(struct ratelimit *rl, const char *key, uint64_t now_us, unsigned *retry_after)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t k, tat;
	struct shard *sh;
	struct slot *set, *s = NULL;
	bool ok;

	crypto_shorthash(h, (const uint8_t *)key, strlen(key), rl->hkey);
	memcpy(&k, h, sizeof(k));
	k |= 1;
	sh = &rl->shard[k % SHARDS];
	pthread_mutex_lock(&sh->lk);
	set = sh->s[(k / SHARDS) % SETS];
	for (int w = 0; w < WAYS && s == NULL; w++)
		if (set[w].key == k)
			s = &set[w];
	if (s == NULL) {
		/* The earliest arrival time is the idlest bucket; one at or before now is full
		 * and forgetting it loses nothing. */
		s = &set[0];
		for (int w = 1; w < WAYS; w++)
			if (set[w].tat < s->tat)
				s = &set[w];
		s->key = k;
		s->tat = now_us;
	}
	tat = s->tat > now_us ? s->tat : now_us;
	ok = tat + rl->interval - now_us <= rl->burst;
	if (ok) {
		s->tat = tat + rl->interval;
	} else {
		uint64_t wait = tat + rl->interval - rl->burst - now_us;
		*retry_after = (unsigned)((wait + 999999) / 1000000);
	}
	pthread_mutex_unlock(&sh->lk);
	return ok;
}
