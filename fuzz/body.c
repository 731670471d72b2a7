/*
 * Fuzzes the single-value validators of src/core/validate.h, the time parsers of
 * src/lib/timeutil.h and password_weakness on arbitrary NUL-terminated text, and checks that
 * what they accept agrees with itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/password.h"
#include "core/validate.h"
#include "lib/timeutil.h"

#define INPUT_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses back what fmt_rfc3339 wrote for an accepted time: the same text and instant. */
static void
check_rfc3339(const char *s)
{
	int64_t t, t2;
	char out[RFC3339_SIZE];

	if (!parse_rfc3339(s, &t))
		return;
	fmt_rfc3339(t, out);
	if (strcmp(out, s) != 0 || !parse_rfc3339(out, &t2) || t2 != t)
		abort();
}

static void
check_date(const char *s)
{
	int y, m, d;
	bool ok = parse_date(s, &y, &m, &d);

	if (ok != valid_date(s))
		abort();
	if (ok && (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31))
		abort();
}

static void
check_text(const char *s, size_t n)
{
	bool t1 = valid_text(s, 1), t200 = valid_text(s, 200), tbig = valid_text(s, SIZE_MAX);

	/* A larger limit accepts at least what a smaller one does. */
	if ((t1 && !t200) || (t200 && !tbig))
		abort();
	/* Characters are 1 to 4 bytes. */
	if (t200 && (n == 0 || n > 800))
		abort();
	if (tbig && (memchr(s, '\n', n) != NULL || memchr(s, 0x7f, n) != NULL))
		abort();
}

static void
check_fingerprint(const char *s)
{
	char out[41];

	if (!valid_fingerprint(s, out))
		return;
	if (strlen(s) != 40 || strlen(out) != 40 || strspn(out, "0123456789ABCDEF") != 40 ||
	    strcasecmp(s, out) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	size_t n;
	int hm, ui;

	if (size > INPUT_MAX)
		return 0;
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);

	if (valid_e164(s) && (s[0] != '+' || n < 9 || n > 16))
		abort();
	if (valid_email(s) && (n > 254 || strchr(s, '@') == NULL))
		abort();
	if (valid_lang(s) && n != 2)
		abort();
	ui = un_lang_index(s);
	if (ui >= 0 && (ui > 5 || !valid_lang(s) || strcmp(un_langs[ui], s) != 0))
		abort();
	if (valid_tz(s) && (n == 0 || n > 64 || strstr(s, "..") != NULL || s[0] == '/'))
		abort();
	check_fingerprint(s);
	check_date(s);
	hm = parse_hhmm(s);
	if (hm < -1 || hm > 24 * 60)
		abort();
	if (valid_username(s) && (n < 3 || n > 64))
		abort();
	check_text(s, n);
	if (valid_state_code(s) && n != 3)
		abort();
	check_rfc3339(s);
	if (password_weakness(s) == NULL && (n < PASSWORD_MIN || n > PASSWORD_MAX))
		abort();
	free(s);
	return 0;
}
