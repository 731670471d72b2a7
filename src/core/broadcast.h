/*
 * Broadcasts: the Secretariat's announcements (a planned ping test, maintenance, a meeting) to
 * every participating state, shown in the app and mailed to each PoC in its first UN language
 * when the announcement has that translation, in English otherwise.
 */
#ifndef POCD_CORE_BROADCAST_H
#define POCD_CORE_BROADCAST_H

#include <jansson.h>

#include "core/core.h"

#define BROADCAST_SUBJECT_MAX 200  /* characters */
#define BROADCAST_BODY_MAX    4000 /* characters */

/* Reads {"texts": {"en": {"subject", "body"}, "fr": ...}} (English required, other UN
 * languages optional) into canonical JSON text of the texts (malloc'd; NULL with errs). */
char *broadcast_decode(const json_t *in, struct verrs *errs);

/* The subject and body of texts (canonical JSON from broadcast_decode) in lang, or in
 * English; pointers into the returned object (json_decref it), NULL if texts is not such. */
json_t *broadcast_text(const char *texts, const char *lang, const char **subject,
                       const char **body);

struct broadcast_op {
	struct principal actor;
	char *texts; /* in: from broadcast_decode; the op's owner frees it */
	int64_t now;
	char id[ID_SIZE]; /* out */
	size_t mails;     /* out: outbox rows written */
	enum pocd_err status;
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

/* Authorization (authz_broadcast) is the caller's. */
enum pocd_err broadcast_send(struct core *c, struct broadcast_op *op);

#endif
