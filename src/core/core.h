/* The domain services of one running pocd, shared by every request. */
#ifndef POCD_CORE_CORE_H
#define POCD_CORE_CORE_H

#include <stdint.h>

#include "lib/err.h"
#include "lib/model.h"
#include "store/store.h"

struct workq;
struct session_cache;
struct throttle;

struct core_config {
	int64_t session_ttl;     /* seconds a login token lives */
	int64_t enrolment_ttl;   /* seconds a one-time enrolment link lives */
	unsigned hash_threads;   /* argon2id hashes at once */
	unsigned login_attempts; /* failures per account and address before throttling */
	int64_t login_window;    /* seconds over which failures are counted and blocked */
};

struct core {
	struct store *store;
	struct core_config cfg;
	struct workq *hashq;
	struct session_cache *sessions;
	struct throttle *throttle;
};

/* Default settings, overridden from the command line and config file. */
void core_config_defaults(struct core_config *cfg);
/* Starts the services over an open store (not owned). Returns NULL on failure. */
struct core *core_new(struct store *st, const struct core_config *cfg);
void core_free(struct core *c);

/* A role's name as the API spells it, and back; -1 when unknown. */
const char *role_name(enum role r);
int role_parse_name(const char *s);
const char *poc_kind_name(enum poc_kind k);
const char *poc_rank_name(enum poc_rank r);

#endif
