/*
 * A fixed table of slots keyed by a keyed hash of the pair: memory stays bounded whatever
 * attackers send; a collision at worst shares a counter between two pairs.
 */
#include "core/throttle.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 4096

struct slot {
	uint64_t key;
	unsigned fails;
	int64_t since;
};

struct throttle {
	pthread_mutex_t lk;
	unsigned attempts;
	int64_t window;
	uint8_t hkey[crypto_shorthash_KEYBYTES];
	struct slot s[SLOTS];
};

struct throttle *
throttle_new(unsigned attempts, int64_t window)
{
	struct throttle *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	pthread_mutex_init(&t->lk, NULL);
	t->attempts = attempts;
	t->window = window;
	crypto_shorthash_keygen(t->hkey);
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lk);
	free(t);
}

static uint64_t
pair_key(struct throttle *t, const char *user, const char *addr)
{
	crypto_generichash_state st;
	uint8_t out[8];
	uint64_t k;

	crypto_generichash_init(&st, t->hkey, sizeof(t->hkey), sizeof(out));
	crypto_generichash_update(&st, (const uint8_t *)user, strlen(user) + 1);
	crypto_generichash_update(&st, (const uint8_t *)addr, strlen(addr) + 1);
	crypto_generichash_final(&st, out, sizeof(out));
	memcpy(&k, out, sizeof(k));
	return k | 1; /* 0 marks a free slot */
}

static struct slot *
find(struct throttle *t, uint64_t key)
{
	return &t->s[key % SLOTS];
}

bool
throttle_allow(struct throttle *t, const char *user, const char *addr, int64_t now,
               int64_t *retry_after)
{
	uint64_t key = pair_key(t, user, addr);
	struct slot *s;
	bool ok = true;

	pthread_mutex_lock(&t->lk);
	s = find(t, key);
	if (s->key == key && s->fails >= t->attempts) {
		if (now - s->since < t->window) {
			ok = false;
			*retry_after = t->window - (now - s->since);
		} else {
			memset(s, 0, sizeof(*s));
		}
	}
	pthread_mutex_unlock(&t->lk);
	return ok;
}

void
throttle_fail(struct throttle *t, const char *user, const char *addr, int64_t now)
{
	uint64_t key = pair_key(t, user, addr);
	struct slot *s;

	pthread_mutex_lock(&t->lk);
	s = find(t, key);
	if (s->key != key || now - s->since >= t->window) {
		s->key = key;
		s->fails = 0;
		s->since = now;
	}
	s->fails++;
	/* The block lasts a full window from the last failure that reached the limit. */
	if (s->fails >= t->attempts)
		s->since = now;
	pthread_mutex_unlock(&t->lk);
}

void
throttle_reset(struct throttle *t, const char *user, const char *addr)
{
	uint64_t key = pair_key(t, user, addr);
	struct slot *s;

	pthread_mutex_lock(&t->lk);
	s = find(t, key);
	if (s->key == key)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&t->lk);
}
