#include "mail/mime.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"

#define WORD_RAW    39 /* bytes of subject per encoded-word: 52 base64 characters, 64 in all */
#define BODY_LINE   57 /* bytes of body per base64 line: 76 characters */
#define SUBJECT_MAX 1024

bool
mime_addr_ok(const char *addr)
{
	const char *at = strchr(addr, '@');
	size_t n = strlen(addr);

	if (n < 3 || n > MIME_ADDR_MAX || at == NULL || at == addr || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return false;
	for (const char *p = addr; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("\"<>(),;:\\[]", *p) != NULL)
			return false;
	return true;
}

const char *
mime_addr_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL ? at + 1 : "";
}

static void
b64(struct buf *b, const unsigned char *p, size_t n)
{
	char out[sodium_base64_ENCODED_LEN(BODY_LINE, sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(out, sizeof(out), p, n, sodium_base64_VARIANT_ORIGINAL);
	buf_puts(b, out);
}

/* The subject as encoded-words (RFC 2047), never splitting a UTF-8 character, folded. */
static bool
subject(struct buf *b, const char *s)
{
	size_t n = strlen(s), i = 0, take;

	if (n == 0 || n > SUBJECT_MAX || strpbrk(s, "\r\n") != NULL)
		return false;
	buf_puts(b, "Subject:");
	while (i < n) {
		take = n - i < WORD_RAW ? n - i : WORD_RAW;
		while (take > 0 && i + take < n && ((unsigned char)s[i + take] & 0xC0) == 0x80)
			take--;
		if (take == 0)
			return false;
		buf_puts(b, i == 0 ? " =?UTF-8?B?" : "\r\n =?UTF-8?B?");
		b64(b, (const unsigned char *)s + i, take);
		buf_puts(b, "?=");
		i += take;
	}
	buf_puts(b, "\r\n");
	return true;
}

/* RFC 5322 date-time in UTC, with English names whatever the locale. */
static void
date(struct buf *b, int64_t t)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday % 7],
	           tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	           tm.tm_sec);
}

/* The body in canonical form (CRLF line ends), in base64 lines of 76 characters. */
static void
body(struct buf *b, const char *text)
{
	struct buf canon;

	buf_init(&canon);
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\n')
			buf_add(&canon, "\r", 1);
		buf_add(&canon, p, 1);
	}
	for (size_t i = 0; !canon.oom && i < canon.len; i += BODY_LINE) {
		b64(b, (const unsigned char *)canon.p + i,
		    canon.len - i < BODY_LINE ? canon.len - i : BODY_LINE);
		buf_puts(b, "\r\n");
	}
	if (canon.oom)
		b->oom = true;
	buf_free(&canon);
}

static bool
id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n < 3 || n > 200 || strchr(id, '@') == NULL)
		return false;
	for (const char *p = id; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("<>\"()\\,;:[]", *p) != NULL)
			return false;
	return true;
}

enum pocd_err
mime_entity(const char *lang, const char *text, char **out, size_t *outlen)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b,
	           "Content-Type: text/plain; charset=utf-8\r\n"
	           "Content-Transfer-Encoding: base64\r\n"
	           "Content-Language: %.2s\r\n"
	           "\r\n",
	           lang);
	body(&b, text);
	*out = buf_steal(&b, outlen);
	return *out != NULL ? POCD_OK : POCD_ENOMEM;
}

/* RFC 3156: a version part, then the armored message, lines ending in CRLF. The boundary
 * holds "=_", which neither base64 nor an armor line contains. */
static bool
pgp_parts(struct buf *b, const char *boundary, const char *armored)
{
	if (strstr(armored, boundary) != NULL)
		return false;
	buf_printf(b,
	           "This is an OpenPGP/MIME encrypted message (RFC 3156).\r\n"
	           "--%s\r\n"
	           "Content-Type: application/pgp-encrypted\r\n"
	           "Content-Description: PGP/MIME version identification\r\n"
	           "\r\n"
	           "Version: 1\r\n"
	           "\r\n"
	           "--%s\r\n"
	           "Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n"
	           "Content-Description: OpenPGP encrypted message\r\n"
	           "Content-Disposition: inline; filename=\"encrypted.asc\"\r\n"
	           "\r\n",
	           boundary, boundary);
	for (const char *p = armored; *p != '\0'; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n')
			buf_add(b, "\r", 1);
		buf_add(b, p, 1);
	}
	buf_printf(b, "\r\n--%s--\r\n", boundary);
	return true;
}

enum pocd_err
mime_build(const struct mime_in *in, char **out, size_t *outlen)
{
	struct buf b;
	char boundary[48];

	*out = NULL;
	*outlen = 0;
	if (!mime_addr_ok(in->from) || !mime_addr_ok(in->to) || !id_ok(in->message_id) ||
	    strspn(in->lang, "abcdefghijklmnopqrstuvwxyz") != 2 || in->lang[2] != '\0')
		return POCD_EINVAL;
	buf_init(&b);
	buf_printf(&b, "From: pocd <%s>\r\nTo: <%s>\r\n", in->from, in->to);
	if (!subject(&b, in->subject)) {
		buf_free(&b);
		return POCD_EINVAL;
	}
	date(&b, in->date);
	buf_printf(&b, "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n", in->message_id);
	if (in->pgp != NULL) {
		/* The boundary is the message's own id, which nothing else in it holds. */
		snprintf(boundary, sizeof(boundary), "=_pocd_%.32s", in->message_id);
		boundary[strcspn(boundary, "@")] = '\0';
		buf_printf(
		    &b,
		    "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";"
		    "\r\n boundary=\"%s\"\r\n"
		    "Auto-Submitted: auto-generated\r\n"
		    "\r\n",
		    boundary);
		if (!pgp_parts(&b, boundary, in->pgp)) {
			buf_free(&b);
			return POCD_EINVAL;
		}
	} else {
		buf_printf(&b,
		           "Content-Type: text/plain; charset=utf-8\r\n"
		           "Content-Transfer-Encoding: base64\r\n"
		           "Content-Language: %s\r\n"
		           "Auto-Submitted: auto-generated\r\n"
		           "\r\n",
		           in->lang);
		body(&b, in->body);
	}
	*out = buf_steal(&b, outlen);
	return *out != NULL ? POCD_OK : POCD_ENOMEM;
}
