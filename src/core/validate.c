#include "core/validate.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/timeutil.h"

#ifndef POCD_ZONEINFO
#define POCD_ZONEINFO "/usr/share/zoneinfo"
#endif

/* ISO 639-1, from Debian's iso-codes 4.15 (iso_639-2.json, entries with alpha_2). */
static const char iso639_1[] =
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu "
    "cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi "
    "ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks "
    "ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl "
    "nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl "
    "sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve "
    "vi vo wa wo xh yi yo za zh zu";

const char *const un_langs[6] = {"ar", "zh", "en", "fr", "ru", "es"};

bool
valid_e164(const char *s)
{
	size_t n;

	if (s[0] != '+' || s[1] < '1' || s[1] > '9')
		return false;
	for (n = 1; s[n] != '\0'; n++)
		if (s[n] < '0' || s[n] > '9')
			return false;
	return n - 1 >= 8 && n - 1 <= 15;
}

static bool
email_local_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL;
}

bool
valid_email(const char *s)
{
	const char *at = strchr(s, '@'), *p, *label;
	size_t len = strlen(s);

	if (at == NULL || at == s || len > 254 || strchr(at + 1, '@') != NULL || at - s > 64)
		return false;
	for (p = s; p < at; p++)
		if (!email_local_char(*p))
			return false;
	if (s[0] == '.' || at[-1] == '.' || strstr(s, "..") != NULL)
		return false;
	/* Domain: dot-separated labels of letters, digits and inner hyphens, at least two. */
	label = at + 1;
	if (strchr(label, '.') == NULL)
		return false;
	for (p = label;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || label[0] == '-' || p[-1] == '-')
				return false;
			if (*p == '\0')
				break;
			label = p + 1;
		} else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		             (*p >= '0' && *p <= '9') || *p == '-')) {
			return false;
		}
	}
	return true;
}

bool
valid_lang(const char *s)
{
	size_t lo = 0, hi = (sizeof(iso639_1) - 1 + 1) / 3;

	if (strlen(s) != 2)
		return false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(s, iso639_1 + mid * 3, 2);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

int
un_lang_index(const char *s)
{
	for (int i = 0; i < 6; i++)
		if (strcmp(s, un_langs[i]) == 0)
			return i;
	return -1;
}

bool
valid_tz(const char *s)
{
	char path[256], magic[4];
	size_t n = strlen(s);
	int fd;
	ssize_t got;

	if (n == 0 || n > 64 || s[0] == '/' || s[0] == '.' || strstr(s, "..") != NULL)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("/_+-", *p) != NULL))
			return false;
	if (strncmp(s, "posix/", 6) == 0 || strncmp(s, "right/", 6) == 0)
		return false;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", POCD_ZONEINFO, s) >= sizeof(path))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		/* Debian links aliases ("US/Eastern"); follow them, they are still tzdata. */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return false;
	}
	got = read(fd, magic, sizeof(magic));
	close(fd);
	return got == 4 && memcmp(magic, "TZif", 4) == 0;
}

bool
valid_fingerprint(const char *s, char out[41])
{
	size_t i;

	for (i = 0; i < 40; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			return false;
		out[i] = c;
	}
	out[40] = '\0';
	return s[40] == '\0';
}

bool
valid_date(const char *s)
{
	int y, m, d;
	char tmp[11];

	if (strlen(s) != 10)
		return false;
	memcpy(tmp, s, 11);
	return parse_date(tmp, &y, &m, &d);
}

int
parse_hhmm(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

bool
valid_username(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || strchr("._-", c) == NULL))
			return false;
	}
	return true;
}

/* Valid UTF-8 of 1 to max characters without control characters, but for those in allow. */
static bool
text_ok(const char *s, size_t max, const char *allow)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;

	while (*p) {
		unsigned c = *p;
		size_t len;
		unsigned cp;

		if (c < 0x80) {
			if ((c < 0x20 && strchr(allow, (int)c) == NULL) || c == 0x7f)
				return false;
			len = 1;
			cp = c;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond Unicode, C1 controls. */
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return false;
		p += len;
		chars++;
	}
	return chars >= 1 && chars <= max;
}

bool
valid_text(const char *s, size_t max)
{
	return text_ok(s, max, "");
}

bool
valid_multiline(const char *s, size_t max)
{
	return text_ok(s, max, "\t\n\r");
}

size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}

bool
valid_state_code(const char *s)
{
	return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
	       s[2] >= 'A' && s[2] <= 'Z';
}
