/*
 * The mail sender: a process of its own (`pocd mail-worker`, started by `pocd serve`) that
 * drains the outbox: mail (with --smtp) and webhook events (always, src/mail/webhook.c). It opens
 * the database itself with a connection that may write the outbox table and nothing else, renders
 * each message in its recipient's language, hands it to the relay and marks it sent (wiping its
 * link), or schedules a retry with exponential backoff, or marks it failed. Delivery is at least
 * once: a message is marked sent only after the relay took it, and carries the same Message-ID (its
 * outbox id) every time it is sent. Mail and webhook events are sent by two loops on two threads,
 * each with its own connection, so that a slow webhook receiver never holds up mail.
 */
#ifndef POCD_MAIL_WORKER_H
#define POCD_MAIL_WORKER_H

#include <stdint.h>

#include "mail/smtp.h"
#include "mail/webhook.h"

#define MAIL_RETRY_BASE_DEFAULT 60 /* seconds before the first retry; doubled each time */
#define MAIL_RETRY_MAX_DELAY    (4 * 3600)
#define MAIL_MAX_ATTEMPTS       30 /* about four days with the defaults, then failed */

struct mail_worker_config {
	const char *db;
	struct smtp_config smtp; /* smtp.url NULL: no mail, webhook events only */
	struct webhook_config webhook;
	const char *public_url; /* links start with it; no trailing slash */
	int64_t retry_base;     /* seconds */
	int notify_fd;          /* a byte is written here when a correction task is owed; -1 */
	const char *gnupg_home; /* the keyring: the service's key and PoCs' keys */
};

/* Runs until SIGTERM or SIGINT (or the parent's death); returns the exit status. Mail to a PoC
 * whose entry names the fingerprint of the key attached to it is PGP/MIME, encrypted to that
 * key and signed with the service's; other mail is plain (and carries no content). */
int mail_worker_run(const struct mail_worker_config *cfg);

/* The delay before retry number attempts (1, 2, ...): base doubled each time, capped. */
int64_t mail_retry_delay(int64_t base, int attempts);

#endif
