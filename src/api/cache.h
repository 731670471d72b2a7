/*
 * Encoded responses kept for reuse, so a directory read costs what serving a file costs.
 * An entry is valid for the store's directory generation it was built at; any committed
 * change to the directory moves the generation on and every older entry misses.
 */
#ifndef POCD_API_CACHE_H
#define POCD_API_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct blob {
	_Atomic unsigned refs;
	size_t len;
	const char *content_type; /* static string */
	char etag[40];            /* quoted: a hash of the bytes */
	char data[];
};

/* A new blob holding a copy of data with one reference; NULL on OOM. */
struct blob *blob_new(const char *data, size_t len, const char *content_type);
void blob_ref(struct blob *b);
void blob_unref(struct blob *b);

struct resp_cache;

struct resp_cache *cache_new(void);
void cache_free(struct resp_cache *c);
/* A reference to the entry for key built at generation gen, or NULL. */
struct blob *cache_get(struct resp_cache *c, const char *key, uint64_t gen);
/* Stores b (taking a new reference) for key at gen, replacing what the slot held. */
void cache_put(struct resp_cache *c, const char *key, uint64_t gen, struct blob *b);

#endif
