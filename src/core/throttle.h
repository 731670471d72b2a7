/* Failed-login throttling per (account name, client address) pair, in memory. */
#ifndef POCD_CORE_THROTTLE_H
#define POCD_CORE_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

struct throttle;

struct throttle *throttle_new(unsigned attempts, int64_t window);
void throttle_free(struct throttle *t);
/* Whether the pair may try now; if not, *retry_after gets the seconds to wait. */
bool throttle_allow(struct throttle *t, const char *user, const char *addr, int64_t now,
                    int64_t *retry_after);
void throttle_fail(struct throttle *t, const char *user, const char *addr, int64_t now);
void throttle_reset(struct throttle *t, const char *user, const char *addr);

#endif
