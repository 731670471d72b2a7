/* Handing one message to the SMTP relay with libcurl: plain, STARTTLS or implicit TLS. */
#ifndef POCD_MAIL_SMTP_H
#define POCD_MAIL_SMTP_H

#include <stdbool.h>
#include <stddef.h>

struct smtp_config {
	const char *url;      /* smtp://HOST[:PORT] or smtps://HOST[:PORT] */
	bool starttls;        /* smtp:// only: refuse to send unless STARTTLS succeeds */
	const char *user;     /* NULL: no AUTH */
	const char *password; /* with user */
	const char *from;     /* the envelope sender */
};

enum smtp_result {
	SMTP_SENT,            /* the relay took the message */
	SMTP_RETRY,           /* a temporary failure (4xx, no connection, a relay refusing
	                       * the sender or the login): try again later */
	SMTP_REFUSED_ADDRESS, /* the relay refused the recipient for good (5xx to RCPT TO) */
	SMTP_REFUSED_MESSAGE, /* the relay refused this message for good (5xx after DATA) */
};

/* Sends msg (len bytes, CRLF lines) to rcpt. why gets the relay's answer or curl's reason
 * on anything but SMTP_SENT. Call curl_global_init once before. */
enum smtp_result smtp_send(const struct smtp_config *cfg, const char *rcpt, const char *msg,
                           size_t len, char *why, size_t whylen);

#endif
