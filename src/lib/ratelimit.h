/*
 * Request rates per key (a client address, a session token): a token bucket of `rate`
 * requests per second with bursts of `rate`, in memory, sharded so that request threads
 * seldom wait on one another.
 */
#ifndef POCD_LIB_RATELIMIT_H
#define POCD_LIB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* A limiter of rate (1 to 1,000,000) requests per second per key. NULL when out of memory.
 * Its memory is fixed: when more keys are active than it holds, the idlest bucket is reused,
 * which can only give its key a fresh, full bucket. */
struct ratelimit *ratelimit_new(unsigned rate);
void ratelimit_free(struct ratelimit *rl);
/* Takes one request for key at now_us (monotonic microseconds): true if it may pass; false
 * with *retry_after set to the whole seconds (at least 1) until it may. */
bool ratelimit_take(struct ratelimit *rl, const char *key, uint64_t now_us, unsigned *retry_after);

#endif
