/* Bearer tokens and API keys: checked against the store once, then from an in-memory cache. */
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

/* Resolves a session token or an API key (APIKEY_PREFIX and a token) to its principal; a key's
 * carries its id and scopes, and its use is noted at most every APIKEY_TOUCH_EVERY seconds.
 * POCD_EAUTH if unknown, expired, revoked or its account is disabled; POCD_ESTORE if the
 * database could not be asked. */
enum pocd_err session_check(struct core *c, const char *token, struct principal *out);

#endif
