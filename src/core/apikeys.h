/*
 * API keys: a state's systems act through them, as an officer of the state at most and only on
 * the routes their scopes open (the router's table says which scope each route needs). A key is
 * shown once, at creation; the store keeps its SHA-256. Checking a key is session_check's.
 */
#ifndef POCD_CORE_APIKEYS_H
#define POCD_CORE_APIKEYS_H

#include "core/core.h"

/* Scopes, as bits of a key's set. */
#define APIKEY_SCOPE_DIRECTORY_READ 0x01u /* directory:read */
#define APIKEY_SCOPE_COMMS_READ     0x02u /* communications:read */
#define APIKEY_SCOPE_COMMS_SEND     0x04u /* communications:send */
#define APIKEY_SCOPE_COMMS_ACK      0x08u /* communications:ack */
#define APIKEY_SCOPE_PINGS_ANSWER   0x10u /* pings:answer */
#define APIKEY_SCOPES_ALL           0x1fu

#define APIKEY_NAME_MAX    100                 /* characters */
#define APIKEY_TTL_DEFAULT (365 * 24 * 3600LL) /* when the request names no expiry */
#define APIKEY_TTL_MAX     (2 * 365 * 24 * 3600LL)
#define APIKEY_TOUCH_EVERY 60 /* seconds: a key's last use is written at most this often */
#define APIKEYS_PER_STATE  100

/* The name of one scope bit ("directory:read"), NULL for none; a name's bit, 0 when unknown. */
const char *apikey_scope_name(unsigned bit);
unsigned apikey_scope_parse(const char *name);

struct apikey_op {
	struct principal actor;
	struct apikey key;        /* in: name, scopes, expires_at; out: the rest */
	char secret[APIKEY_SIZE]; /* out with POCD_OK: the key's text, shown once */
	int64_t now;
	enum pocd_err status; /* POCD_ECONFLICT: the state holds APIKEYS_PER_STATE keys already */
	bool revoke;          /* in: revoke key.id instead (POCD_ENOTFOUND: no such key) */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

/* Creates or revokes a key of the actor's state (authorization is the caller's:
 * authz_manage_machines). A revocation takes effect before done is called. */
enum pocd_err apikey_submit(struct core *c, struct apikey_op *op);

/* Notes that key id was used at now (a write of its own, queued and forgotten). */
void apikey_touch(struct core *c, const char *id, int64_t now);

#endif
