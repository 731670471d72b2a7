/* Bearer tokens: checked against the store once, then from an in-memory cache. */
#ifndef POCD_CORE_SESSIONS_H
#define POCD_CORE_SESSIONS_H

#include <stdint.h>

#include "lib/err.h"
#include "lib/model.h"

struct core;
struct session_cache;

struct session_cache *session_cache_new(void);
void session_cache_free(struct session_cache *sc);
/* Forgets every cached token (an account was disabled, a state's participation changed). */
void session_cache_flush(struct session_cache *sc);

/* Resolves a token to its principal. POCD_EAUTH if unknown, expired or its account is
 * disabled; POCD_ESTORE if the database could not be asked. */
enum pocd_err session_check(struct core *c, const char *token, struct principal *out);

#endif
