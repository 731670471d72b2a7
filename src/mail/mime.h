/*
 * Internet messages as the sender hands them to the relay: RFC 5322 headers (Date,
 * Message-ID, encoded-word Subject) over a MIME text/plain UTF-8 body in base64. Pure: no I/O.
 */
#ifndef POCD_MAIL_MIME_H
#define POCD_MAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define MIME_ADDR_MAX 254 /* bytes of an address (RFC 5321 path limit) */

struct mime_in {
	const char *from;       /* the sender's address (mime_addr_ok) */
	const char *to;         /* the recipient's address (mime_addr_ok) */
	const char *message_id; /* without the angle brackets: "ID@DOMAIN" */
	int64_t date;           /* the time the message was written, for Date */
	const char *lang;       /* Content-Language */
	const char *subject;    /* UTF-8, one line */
	const char *body;       /* UTF-8 text with \n line ends; unused with pgp */
	/* NULL, or the ASCII-armored OpenPGP message that holds the body (mime_entity): the
	 * message is then PGP/MIME, multipart/encrypted (RFC 3156). */
	const char *pgp;
};

/* The body as a MIME entity of its own (headers, blank line, base64), CRLF lines: what
 * PGP/MIME encrypts. *out is malloc'd (the caller frees it). */
enum pocd_err mime_entity(const char *lang, const char *body, char **out, size_t *outlen);

/* Builds the message with CRLF line ends. *out is malloc'd (the caller frees it) and
 * NUL-terminated; *outlen its length. POCD_EINVAL when an address, the Message-ID or the
 * subject cannot go into a header as they are; POCD_ENOMEM. */
enum pocd_err mime_build(const struct mime_in *in, char **out, size_t *outlen);

/* Whether addr is a plain address "local@domain" that can stand in a header and an SMTP
 * command: printable ASCII without spaces, quotes, angle brackets or commas, one "@". */
bool mime_addr_ok(const char *addr);

/* The domain of an address ("example.org" of "pocd@example.org"), "" without one. */
const char *mime_addr_domain(const char *addr);

#endif
