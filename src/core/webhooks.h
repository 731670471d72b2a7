/*
 * Webhooks: URLs of a state's own systems that receive its inbox events as signed JSON. An
 * event is queued in the outbox (kind "webhook") in the transaction of its cause, beside the
 * mail it causes; the sender process (src/mail/webhook.c) posts it, signed with the webhook's
 * secret, and retries with backoff. A payload holds ids and metadata, never a communication's
 * content: a receiver fetches that with an API key, under the communication's TLP.
 */
#ifndef POCD_CORE_WEBHOOKS_H
#define POCD_CORE_WEBHOOKS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/core.h"

/* Events, as bits of a webhook's subscription. */
#define WEBHOOK_EV_COMM_NEW       0x01u /* communication.new: one reached the state */
#define WEBHOOK_EV_COMM_REPLY     0x02u /* communication.reply: the other party replied */
#define WEBHOOK_EV_COMM_OVERDUE   0x04u /* communication.overdue: the state's answer is late */
#define WEBHOOK_EV_COMM_ESCALATED 0x08u /* communication.escalated: its acknowledgement is late */
#define WEBHOOK_EV_PING           0x10u /* ping: a PoC of the state was pinged */
#define WEBHOOK_EVS_ALL           0x1fu

#define WEBHOOKS_PER_STATE 10
#define WEBHOOK_OUTBOX     "webhook" /* the outbox kind */

/* An event's name ("communication.new"), NULL for none; a name's bit, 0 when unknown. */
const char *webhook_event_name(unsigned bit);
unsigned webhook_event_parse(const char *name);

/* Whether url may be a webhook's target: https, a host, an optional port and path, no user
 * or fragment, printable ASCII of at most WEBHOOK_URL_MAX bytes; and, unless allow_private, a
 * host that is neither "localhost" nor an address webhook_addr_refused refuses (names are
 * checked again at each connection, by the address they resolve to). False with the reason
 * in why. host (of hostlen bytes) receives the host, without brackets. */
bool webhook_url_check(const char *url, bool allow_private, char *host, size_t hostlen, char *why,
                       size_t whylen);
/* Whether a connection to the address addr of family (AF_INET: 4 bytes, AF_INET6: 16) must be
 * refused: unspecified, loopback, private (RFC 1918, ULA), shared (CGNAT), link-local,
 * multicast, reserved or documentation ranges, and IPv4 ones written as IPv6. */
bool webhook_addr_refused(int family, const void *addr);

struct webhook_op {
	struct principal actor;
	struct webhook hook;     /* in: url and events; out: the rest */
	char secret[TOKEN_SIZE]; /* out with POCD_OK: the signing secret, shown once */
	bool remove;             /* in: delete hook.id instead (POCD_ENOTFOUND: no such) */
	int64_t now;
	enum pocd_err status; /* POCD_ECONFLICT: the state has WEBHOOKS_PER_STATE already */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

/* Registers or deletes a webhook of the actor's state (authorization is the caller's:
 * authz_manage_machines; the URL was checked with webhook_url_check). */
enum pocd_err webhook_submit(struct core *c, struct webhook_op *op);

/* Queues event ev about ref_id for the webhooks of state that take it, with data (stolen) as
 * its "data" member; in the transaction of its cause. */
enum pocd_err webhook_queue(struct store_conn *w, unsigned ev, const char *state,
                            const char *ref_id, json_t *data, int64_t now);
/* The same for the events about a communication: its header, never its content. */
enum pocd_err webhook_comm(struct store_conn *w, unsigned ev, const char *state,
                           const struct comm *cm, int64_t now);

#endif
