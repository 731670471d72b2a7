/* The domain services of one running pocd, shared by every request. */
#ifndef POCD_CORE_CORE_H
#define POCD_CORE_CORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/model.h"
#include "store/store.h"

/* The op that holds the store job member at ptr. */
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

struct workq;
struct attach_store;
struct session_cache;
struct throttle;
struct scheduler;
struct record;

/* What one write learnt about its caller's leaf: which event, and where. */
#define LEAF_TEXT_MAX 512 /* a leaf's canonical JSON, with its NUL */

struct leaf_ref {
	char event_id[ID_SIZE];
	int64_t index;            /* -1: the write logged nothing for the caller's state */
	char leaf[LEAF_TEXT_MAX]; /* its text, so that the answer needs no read for it */
};

struct core_config {
	int64_t session_ttl;     /* seconds a login token lives */
	int64_t enrolment_ttl;   /* seconds a one-time enrolment link lives */
	unsigned hash_threads;   /* argon2id hashes at once */
	unsigned login_attempts; /* failures per account and address before throttling */
	int64_t login_window;    /* seconds over which failures are counted and blocked */
	/* Deadlines in seconds, by urgency in the template's order (routine, priority, urgent):
	 * to acknowledge, and to answer. */
	int64_t ack_after[3];
	int64_t answer_after[3];
	bool test_clock;            /* the clock may be moved (test databases only) */
	bool require_second_factor; /* of the Secretariat and states' administrators */
	size_t attachment_limit;    /* bytes of one attachment */
	uint64_t attachment_quota;  /* bytes of a state's uploads nothing references yet */
	bool webhook_allow_private; /* webhooks may target private and loopback addresses */
	size_t campaign_chunk;      /* pings a ping campaign makes per transaction */
};

struct core {
	struct store *store;
	struct core_config cfg;
	struct workq *hashq;
	struct workq *attachq; /* uploads' final steps: never ahead of a login's hash */
	struct session_cache *sessions;
	struct throttle *throttle;
	struct scheduler *scheduler;
	struct record *record;        /* NULL until record_open: then events are logged */
	struct attach_store *attach;  /* NULL until attachments_open (core/attachment.h) */
	_Atomic int64_t clock_offset; /* seconds added to the real clock (test clock) */
};

/* Default settings, overridden from the command line and config file. */
void core_config_defaults(struct core_config *cfg);
/* Starts the services over an open store (not owned). Returns NULL on failure. */
struct core *core_new(struct store *st, const struct core_config *cfg);
void core_free(struct core *c);

/* The service's clock for communications and their deadlines: the real time, moved on by
 * the test clock. Core rules take it as an argument; this is where callers get it. */
int64_t core_now(struct core *c);
/* Moves the clock on (test clock only: POCD_EFORBIDDEN otherwise) and wakes the scheduler. */
enum pocd_err core_advance_clock(struct core *c, int64_t seconds);

/* A role's name as the API spells it, and back; -1 when unknown. */
const char *role_name(enum role r);
/* How the record names who acted: the account's role, or "api_key" for a state's machine, so
 * that the log tells a person from a key made under the same account. */
const char *actor_role_name(const struct principal *p);
int role_parse_name(const char *s);
const char *poc_kind_name(enum poc_kind k);
const char *poc_rank_name(enum poc_rank r);

#endif
