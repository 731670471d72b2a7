/* Posting one webhook event: HTTPS only, signed, to a public address unless allowed. */
#ifndef POCD_MAIL_WEBHOOK_H
#define POCD_MAIL_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_SIG_SIZE 96 /* "t=" 20 digits ",v1=" 64 hex digits, and the NUL */

struct webhook_config {
	bool allow_private;  /* may connect to private, loopback and link-local addresses */
	const char *ca_file; /* NULL: the system's trust store */
};

enum webhook_result {
	WEBHOOK_SENT,  /* the receiver answered 2xx */
	WEBHOOK_RETRY, /* no connection, a refused address, TLS failure, a non-2xx answer */
};

/* The X-Pocd-Signature value of body sent at t with secret:
 * t=T,v1=hex(HMAC-SHA256(secret, T "." body)). */
void webhook_sign(const char *secret, int64_t t, const char *body, size_t len,
                  char out[WEBHOOK_SIG_SIZE]);

/* POSTs body (JSON) to url, signed with secret at now. *status gets the HTTP status (0 when
 * none came); why the reason on anything but WEBHOOK_SENT. Call curl_global_init first. */
enum webhook_result webhook_post(const struct webhook_config *cfg, const char *url,
                                 const char *secret, const char *event, const char *delivery,
                                 const char *body, int64_t now, int *status, char *why,
                                 size_t whylen);

#endif
