#include "api/cache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "lib/rand.h"

#define SLOTS    1024
#define KEY_SIZE 320

struct slot {
	pthread_mutex_t lk;
	char key[KEY_SIZE];
	uint64_t gen;
	struct blob *b;
};

struct resp_cache {
	struct slot s[SLOTS];
};

struct blob *
blob_new(const char *data, size_t len, const char *content_type)
{
	struct blob *b = malloc(sizeof(*b) + len + 1);
	uint8_t h[crypto_hash_sha256_BYTES];
	char hex[33];

	if (b == NULL)
		return NULL;
	atomic_init(&b->refs, 1);
	b->len = len;
	b->content_type = content_type;
	memcpy(b->data, data, len);
	b->data[len] = '\0';
	crypto_hash_sha256(h, (const uint8_t *)data, len);
	hex_encode(h, 16, hex);
	b->etag[0] = '"';
	memcpy(b->etag + 1, hex, 32);
	b->etag[33] = '"';
	b->etag[34] = '\0';
	return b;
}

void
blob_ref(struct blob *b)
{
	atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
}

void
blob_unref(struct blob *b)
{
	if (b != NULL && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
		free(b);
}

const char *
api_blob_data(struct blob *b, size_t *len)
{
	*len = b->len;
	return b->data;
}

void
api_blob_release(struct blob *b)
{
	blob_unref(b);
}

struct resp_cache *
cache_new(void)
{
	struct resp_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	for (size_t i = 0; i < SLOTS; i++)
		pthread_mutex_init(&c->s[i].lk, NULL);
	return c;
}

void
cache_free(struct resp_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < SLOTS; i++) {
		blob_unref(c->s[i].b);
		pthread_mutex_destroy(&c->s[i].lk);
	}
	free(c);
}

static struct slot *
slot_of(struct resp_cache *c, const char *key)
{
	uint32_t h = 2166136261u; /* FNV-1a: keys are ours, not attacker-chosen beyond a filter */

	for (const char *p = key; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return &c->s[h % SLOTS];
}

struct blob *
cache_get(struct resp_cache *c, const char *key, uint64_t gen)
{
	struct slot *s = slot_of(c, key);
	struct blob *b = NULL;

	pthread_mutex_lock(&s->lk);
	if (s->b != NULL && s->gen == gen && strcmp(s->key, key) == 0) {
		b = s->b;
		blob_ref(b);
	}
	pthread_mutex_unlock(&s->lk);
	return b;
}

void
cache_put(struct resp_cache *c, const char *key, uint64_t gen, struct blob *b)
{
	struct slot *s = slot_of(c, key);
	struct blob *old;

	if (strlen(key) >= KEY_SIZE)
		return;
	blob_ref(b);
	pthread_mutex_lock(&s->lk);
	old = s->b;
	strlcpy(s->key, key, sizeof(s->key));
	s->gen = gen;
	s->b = b;
	pthread_mutex_unlock(&s->lk);
	blob_unref(old);
}
