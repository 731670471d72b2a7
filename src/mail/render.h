/*
 * The text of a notification: an outbox row's kind and payload rendered in its language
 * (one of the six UN languages; English otherwise) from the catalog. Pure: no I/O.
 *
 * A payload is the JSON object the core wrote; every value that goes into a mail must be a
 * short string of the characters ids, codes, times and link paths use, so that nothing from
 * a payload can add a header line or a sentence to a mail. Anything else is refused.
 */
#ifndef POCD_MAIL_RENDER_H
#define POCD_MAIL_RENDER_H

#include <stddef.h>

#include "lib/err.h"

#define MAIL_VALUE_MAX   96   /* bytes of one payload value */
#define MAIL_PAYLOAD_MAX 4096 /* bytes of a payload */
#define MAIL_BASE_MAX    256  /* bytes of the public URL links start with */

struct mail_text {
	char lang[3];  /* the language rendered */
	char *subject; /* UTF-8, one line; malloc'd */
	char *body;    /* UTF-8, lines ending in \n; malloc'd */
};

/*
 * Renders the mail of kind with payload (JSON text) in lang. base_url starts the links
 * ("https://pocd.example"; no trailing slash). On success out holds two strings the caller
 * frees with mail_text_free. POCD_EINVAL (and a reason in why) for an unknown kind or a
 * payload that is not an object of acceptable values; POCD_ENOMEM.
 */
enum pocd_err mail_render(const char *kind, const char *lang, const char *payload,
                          const char *base_url, struct mail_text *out, char *why, size_t whylen);
void mail_text_free(struct mail_text *t);

/*
 * A broadcast's mail: its subject and body in lang (English when it has no such text; texts
 * is the canonical JSON pocd stores), framed by the catalog's words in lang. POCD_EINVAL (and
 * a reason in why) when texts cannot be read; POCD_ENOMEM.
 */
enum pocd_err mail_render_broadcast(const char *lang, const char *texts, const char *base_url,
                                    struct mail_text *out, char *why, size_t whylen);

/*
 * The content of a communication for mail that only its recipient can read (OpenPGP): its
 * sender state, type, urgency and TLP label worded in lang, then its subject and description
 * as written. content is the canonical JSON pocd stores. Returns a malloc'd text the caller
 * frees, or NULL when content cannot be read or memory is short.
 */
char *mail_render_content(const char *lang, const char *sender_state, const char *type,
                          const char *urgency, const char *tlp, const char *content);

/* Whether kind is one the catalog renders. */
int mail_kind_known(const char *kind);

#endif
