/*
 * The cache is a fixed table indexed by the token hash. Entries carry the generation at
 * which they were filled; a flush bumps the generation, so every older entry misses. API keys
 * share it: a key's text hashes apart from every session token's.
 */
#include "core/sessions.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/apikeys.h"
#include "core/core.h"
#include "lib/rand.h"
#include "lib/timeutil.h"
#include "store/store.h"

#define CACHE_SLOTS 8192
#define STRIPES     64

struct entry {
	uint8_t hash[TOKEN_HASH_LEN];
	uint64_t gen;
	int64_t expires_at;
	int64_t noted; /* an API key's: when its last use was last written */
	struct principal who;
};

struct session_cache {
	_Atomic uint64_t gen;
	pthread_mutex_t lk[STRIPES];
	struct entry e[CACHE_SLOTS];
};

struct session_cache *
session_cache_new(void)
{
	struct session_cache *sc = calloc(1, sizeof(*sc));

	if (sc == NULL)
		return NULL;
	atomic_init(&sc->gen, 1);
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&sc->lk[i], NULL);
	return sc;
}

void
session_cache_free(struct session_cache *sc)
{
	if (sc == NULL)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&sc->lk[i]);
	sodium_memzero(sc->e, sizeof(sc->e));
	free(sc);
}

void
session_cache_flush(struct session_cache *sc)
{
	atomic_fetch_add(&sc->gen, 1);
}

static size_t
slot_of(const uint8_t hash[TOKEN_HASH_LEN])
{
	uint32_t v;

	memcpy(&v, hash, sizeof(v));
	return v % CACHE_SLOTS;
}

/* Whether token is an API key's text: the prefix, then a token. */
static bool
is_apikey(const char *token)
{
	return strncmp(token, APIKEY_PREFIX, APIKEY_PREFIX_LEN) == 0 &&
	       token_valid(token + APIKEY_PREFIX_LEN);
}

enum pocd_err
session_check(struct core *c, const char *token, struct principal *out)
{
	struct session_cache *sc = c->sessions;
	uint8_t hash[TOKEN_HASH_LEN];
	uint64_t gen = atomic_load(&sc->gen);
	int64_t now = now_s(), expires, last_used = 0;
	bool key = is_apikey(token), touch = false;
	size_t i;
	struct entry *e;
	struct store_conn *rd;
	enum pocd_err err;

	if (!key && !token_valid(token))
		return POCD_EAUTH;
	token_hash(token, hash);
	i = slot_of(hash);
	e = &sc->e[i];
	pthread_mutex_lock(&sc->lk[i % STRIPES]);
	if (e->gen == gen && sodium_memcmp(e->hash, hash, sizeof(hash)) == 0 &&
	    e->expires_at > now) {
		*out = e->who;
		/* A key's last use is written at most once a minute, not once a request. */
		if (key && now - e->noted >= APIKEY_TOUCH_EVERY) {
			e->noted = now;
			touch = true;
		}
		pthread_mutex_unlock(&sc->lk[i % STRIPES]);
		if (touch)
			apikey_touch(c, out->key_id, now);
		return POCD_OK;
	}
	pthread_mutex_unlock(&sc->lk[i % STRIPES]);

	rd = store_reader(c->store);
	if (rd == NULL)
		return POCD_ESTORE;
	if (key)
		err = store_apikey_lookup(rd, hash, now, out, &expires, &last_used);
	else
		err = store_session_lookup(rd, hash, now, out, &expires);
	if (err == POCD_ENOTFOUND)
		return POCD_EAUTH;
	if (err != POCD_OK)
		return err;
	touch = key && now - last_used >= APIKEY_TOUCH_EVERY;
	pthread_mutex_lock(&sc->lk[i % STRIPES]);
	memcpy(e->hash, hash, sizeof(hash));
	e->gen = gen;
	e->expires_at = expires;
	e->noted = touch ? now : last_used;
	e->who = *out;
	pthread_mutex_unlock(&sc->lk[i % STRIPES]);
	if (touch)
		apikey_touch(c, out->key_id, now);
	return POCD_OK;
}
