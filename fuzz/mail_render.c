/*
 * Fuzzes what the mail sender does with an outbox row (src/mail/render.h, src/mail/mime.h):
 * the first byte picks the kind, the second the language, the rest is the payload. A payload
 * is rendered or refused with a reason; a rendered mail has no placeholder left and a
 * one-line subject, and the message built from it has CRLF line ends only, one blank line
 * ending the headers, and base64 alone after it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mime.h"
#include "mail/render.h"

#define INPUT_MAX 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[] = {
    "comm_new",      "comm_escalated", "comm_overdue", "comm_acknowledged", "comm_answered", "ping",
    "ping_reminder", "task",           "review",       "key_expiry",        "unknown"};
static const char *const langs[] = {"ar", "zh", "en", "fr", "ru", "es", "de", ""};

static void
check_message(const char *msg, size_t len)
{
	const char *body = strstr(msg, "\r\n\r\n");

	if (body == NULL || strlen(msg) != len)
		abort();
	for (size_t i = 0; i < len; i++)
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			abort();
	for (const char *p = body + 4; *p != '\0'; p++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n",
		           *p) == NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_text t;
	struct mime_in in;
	char *payload, why[256], *msg;
	size_t len;
	enum pocd_err err;

	if (size < 2 || size > INPUT_MAX)
		return 0;
	payload = malloc(size - 1);
	if (payload == NULL)
		return 0;
	memcpy(payload, data + 2, size - 2);
	payload[size - 2] = '\0';
	why[0] = '\0';
	err = mail_render(kinds[data[0] % (sizeof(kinds) / sizeof(kinds[0]))],
	                  langs[data[1] % (sizeof(langs) / sizeof(langs[0]))], payload,
	                  "https://pocd.example", &t, why, sizeof(why));
	if (err != POCD_OK) {
		if (err != POCD_EINVAL || why[0] == '\0' || t.subject != NULL || t.body != NULL)
			abort();
		free(payload);
		return 0;
	}
	if (strchr(t.subject, '{') || strchr(t.body, '{') || strpbrk(t.subject, "\r\n"))
		abort();
	in = (struct mime_in){.from = "pocd@pocd.example",
	                      .to = "duty@cert-deu.example",
	                      .message_id = "id@pocd.example",
	                      .date = 1795741776,
	                      .lang = t.lang,
	                      .subject = t.subject,
	                      .body = t.body};
	if (mime_build(&in, &msg, &len) != POCD_OK)
		abort();
	check_message(msg, len);
	free(msg);
	mail_text_free(&t);
	free(payload);
	return 0;
}
