/* Unit tests of src/core/validate.h: each format checked on both sides of its edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/validate.h"

static void
e164(void **state)
{
	assert_true(valid_e164("+33123456789"));
	assert_true(valid_e164("+12345678"));        /* 8 digits: the shortest */
	assert_true(valid_e164("+123456789012345")); /* 15 digits: the longest */
	assert_false(valid_e164("+1234567"));        /* 7 digits */
	assert_false(valid_e164("+1234567890123456"));
	assert_false(valid_e164("+0123456789")); /* first digit 0 */
	assert_false(valid_e164("33123456789")); /* no plus */
	assert_false(valid_e164("+33 123456789"));
	assert_false(valid_e164("+33-123456789"));
	assert_false(valid_e164("+3312345678a"));
	assert_false(valid_e164("++33123456789"));
	assert_false(valid_e164("+"));
	assert_false(valid_e164(""));
}

static void
email(void **state)
{
	char local[80], label[80], addr[400];

	assert_true(valid_email("duty@cert.example"));
	assert_true(valid_email("first.last+tag@sub.cert-fr.example.org"));
	assert_true(valid_email("a@b.c"));
	assert_true(valid_email("x!#$%&'*/=?^_`{|}~-@example.org"));
	assert_false(valid_email(""));
	assert_false(valid_email("duty"));
	assert_false(valid_email("@cert.example"));
	assert_false(valid_email("duty@"));
	assert_false(valid_email("duty@localhost")); /* one label only */
	assert_false(valid_email("duty@@cert.example"));
	assert_false(valid_email("du@ty@cert.example"));
	assert_false(valid_email(".duty@cert.example"));
	assert_false(valid_email("duty.@cert.example"));
	assert_false(valid_email("du..ty@cert.example"));
	assert_false(valid_email("duty@cert..example"));
	assert_false(valid_email("duty@.cert.example"));
	assert_false(valid_email("duty@cert.example."));
	assert_false(valid_email("duty@-cert.example"));
	assert_false(valid_email("duty@cert-.example"));
	assert_false(valid_email("duty@cert_x.example"));
	assert_false(valid_email("du ty@cert.example"));
	assert_false(valid_email("duty@cert .example"));
	assert_false(valid_email("du\"ty@cert.example"));
	assert_false(valid_email("dut\xc3\xa9@cert.example"));

	/* Local part: 64 bytes fit, 65 do not. */
	memset(local, 'a', 64);
	local[64] = '\0';
	snprintf(addr, sizeof(addr), "%s@cert.example", local);
	assert_true(valid_email(addr));
	memset(local, 'a', 65);
	local[65] = '\0';
	snprintf(addr, sizeof(addr), "%s@cert.example", local);
	assert_false(valid_email(addr));

	/* Domain label: 63 bytes fit, 64 do not. */
	memset(label, 'b', 63);
	label[63] = '\0';
	snprintf(addr, sizeof(addr), "duty@%s.example", label);
	assert_true(valid_email(addr));
	memset(label, 'b', 64);
	label[64] = '\0';
	snprintf(addr, sizeof(addr), "duty@%s.example", label);
	assert_false(valid_email(addr));

	/* Whole address: 254 bytes fit, 255 do not. */
	memset(label, 'c', 60);
	label[60] = '\0';
	snprintf(addr, sizeof(addr), "d@%s.%s.%s.%s", label, label, label, label);
	assert_int_equal(strlen(addr), 2 + 4 * 60 + 3);
	assert_true(valid_email(addr));
	snprintf(addr, sizeof(addr), "d@%s.%s.%s.%s.abcdefgh", label, label, label, label);
	assert_int_equal(strlen(addr), 254);
	assert_true(valid_email(addr));
	snprintf(addr, sizeof(addr), "d@%s.%s.%s.%s.abcdefghi", label, label, label, label);
	assert_int_equal(strlen(addr), 255);
	assert_false(valid_email(addr));
}

static void
lang(void **state)
{
	assert_true(valid_lang("aa")); /* first of the list */
	assert_true(valid_lang("zu")); /* last of the list */
	assert_true(valid_lang("fr"));
	assert_true(valid_lang("ar"));
	assert_true(valid_lang("zh"));
	assert_true(valid_lang("ru"));
	assert_true(valid_lang("es"));
	assert_true(valid_lang("en"));
	assert_true(valid_lang("nb"));
	assert_false(valid_lang("FR"));
	assert_false(valid_lang("Fr"));
	assert_false(valid_lang("xx"));
	assert_false(valid_lang("qq"));
	assert_false(valid_lang("zz"));
	assert_false(valid_lang("a"));
	assert_false(valid_lang("fra"));
	assert_false(valid_lang(""));
	assert_false(valid_lang("f "));
	assert_false(valid_lang(" f"));

	assert_int_equal(un_lang_index("ar"), 0);
	assert_int_equal(un_lang_index("zh"), 1);
	assert_int_equal(un_lang_index("en"), 2);
	assert_int_equal(un_lang_index("fr"), 3);
	assert_int_equal(un_lang_index("ru"), 4);
	assert_int_equal(un_lang_index("es"), 5);
	assert_int_equal(un_lang_index("de"), -1);
	assert_int_equal(un_lang_index("EN"), -1);
	assert_int_equal(un_lang_index(""), -1);
	for (int i = 0; i < 6; i++)
		assert_true(valid_lang(un_langs[i]));
}

static void
tz(void **state)
{
	char big[80];

	assert_true(valid_tz("Europe/Paris"));
	assert_true(valid_tz("UTC"));
	assert_true(valid_tz("America/Argentina/Buenos_Aires"));
	assert_true(valid_tz("Etc/GMT+5"));
	assert_true(valid_tz("Etc/GMT-14"));
	assert_true(valid_tz("US/Eastern")); /* a link, still tzdata */
	assert_false(valid_tz(""));
	assert_false(valid_tz("Europe/Pariss"));
	assert_false(valid_tz("europe/paris"));
	assert_false(valid_tz("Europe")); /* a directory */
	assert_false(valid_tz("Europe/"));
	assert_false(valid_tz("/etc/passwd"));
	assert_false(valid_tz("../../../etc/passwd"));
	assert_false(valid_tz("Europe/../UTC"));
	assert_false(valid_tz(".hidden"));
	assert_false(valid_tz("posix/Europe/Paris"));
	assert_false(valid_tz("right/Europe/Paris"));
	assert_false(valid_tz("Europe/Paris "));
	assert_false(valid_tz("Europe\\Paris"));
	assert_false(valid_tz("zone.tab")); /* not a TZif file, and a dot */
	assert_false(valid_tz("tzdata.zi"));
	memset(big, 'A', 65);
	big[65] = '\0';
	assert_false(valid_tz(big));
}

static void
fingerprint(void **state)
{
	char out[41];

	assert_true(valid_fingerprint("0123456789abcdef0123456789ABCDEF01234567", out));
	assert_string_equal(out, "0123456789ABCDEF0123456789ABCDEF01234567");
	assert_true(valid_fingerprint("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", out));
	assert_false(valid_fingerprint("0123456789abcdef0123456789ABCDEF0123456", out));
	assert_false(valid_fingerprint("0123456789abcdef0123456789ABCDEF012345678", out));
	assert_false(valid_fingerprint("0123456789abcdef0123456789ABCDEF0123456g", out));
	assert_false(valid_fingerprint("0123 456789abcdef0123456789ABCDEF0123456", out));
	assert_false(valid_fingerprint("0x23456789abcdef0123456789ABCDEF01234567", out));
	assert_false(valid_fingerprint("", out));
}

static void
dates(void **state)
{
	assert_true(valid_date("2026-11-26"));
	assert_true(valid_date("1970-01-01"));
	assert_true(valid_date("9999-12-31"));
	assert_true(valid_date("2024-02-29"));  /* divisible by 4 */
	assert_true(valid_date("2000-02-29"));  /* divisible by 400 */
	assert_false(valid_date("1900-02-29")); /* divisible by 100, not 400 */
	assert_false(valid_date("2100-02-29"));
	assert_false(valid_date("2023-02-29"));
	assert_true(valid_date("2023-02-28"));
	assert_false(valid_date("2024-02-30"));
	assert_true(valid_date("2026-04-30"));
	assert_false(valid_date("2026-04-31"));
	assert_true(valid_date("2026-12-31"));
	assert_false(valid_date("2026-12-32"));
	assert_false(valid_date("2026-13-01"));
	assert_false(valid_date("2026-00-10"));
	assert_false(valid_date("2026-01-00"));
	assert_false(valid_date("1969-12-31"));
	assert_false(valid_date("2026-1-01"));
	assert_false(valid_date("2026-01-1"));
	assert_false(valid_date("2026/01/01"));
	assert_false(valid_date("2026-01-01T"));
	assert_false(valid_date("2026-01-0a"));
	assert_false(valid_date("+026-01-01"));
	assert_false(valid_date(" 2026-01-1"));
	assert_false(valid_date(""));
}

static void
hhmm(void **state)
{
	assert_int_equal(parse_hhmm("00:00"), 0);
	assert_int_equal(parse_hhmm("09:30"), 9 * 60 + 30);
	assert_int_equal(parse_hhmm("23:59"), 23 * 60 + 59);
	assert_int_equal(parse_hhmm("24:00"), 24 * 60);
	assert_int_equal(parse_hhmm("24:01"), -1);
	assert_int_equal(parse_hhmm("25:00"), -1);
	assert_int_equal(parse_hhmm("12:60"), -1);
	assert_int_equal(parse_hhmm("9:30"), -1);
	assert_int_equal(parse_hhmm("09:3"), -1);
	assert_int_equal(parse_hhmm("09:300"), -1);
	assert_int_equal(parse_hhmm("09-30"), -1);
	assert_int_equal(parse_hhmm("0a:30"), -1);
	assert_int_equal(parse_hhmm("-1:30"), -1);
	assert_int_equal(parse_hhmm(""), -1);
}

static void
username(void **state)
{
	char name[80];

	assert_true(valid_username("abc"));
	assert_true(valid_username("fra.admin"));
	assert_true(valid_username("1st_officer-2"));
	assert_false(valid_username("ab"));
	assert_false(valid_username(""));
	assert_false(valid_username(".abc"));
	assert_false(valid_username("_abc"));
	assert_false(valid_username("-abc"));
	assert_false(valid_username("Abc"));
	assert_false(valid_username("ab c"));
	assert_false(valid_username("ab@c"));
	assert_false(valid_username("abc\xc3\xa9"));
	memset(name, 'a', 64);
	name[64] = '\0';
	assert_true(valid_username(name));
	name[64] = 'a';
	name[65] = '\0';
	assert_false(valid_username(name));
}

static void
text(void **state)
{
	char s[1024];

	assert_true(valid_text("CERT-FR", 200));
	assert_true(valid_text("a", 1));
	assert_true(valid_text("caf\xc3\xa9", 4)); /* é: 2 bytes, one character */
	assert_false(valid_text("caf\xc3\xa9", 3));
	assert_true(valid_text("\xe4\xb8\xad\xe6\x96\x87", 2)); /* 中文 */
	assert_true(valid_text("\xf0\x9f\x98\x80", 1));         /* U+1F600 */
	assert_true(valid_text("\xf4\x8f\xbf\xbf", 1));         /* U+10FFFF */
	assert_true(valid_text("\xc2\xa0", 1));                 /* U+00A0, after the C1 block */
	assert_true(valid_text("\xed\x9f\xbf", 1));             /* U+D7FF */
	assert_true(valid_text("\xee\x80\x80", 1));             /* U+E000 */
	assert_false(valid_text("", 200));
	assert_false(valid_text("ab", 1));
	/* Control characters: C0, DEL, C1. */
	assert_false(valid_text("a\tb", 200));
	assert_false(valid_text("a\nb", 200));
	assert_false(valid_text("a\rb", 200));
	assert_false(valid_text("\x1f", 200));
	assert_false(valid_text("a\x7f", 200));
	assert_false(valid_text("\xc2\x80", 200));
	assert_false(valid_text("\xc2\x9f", 200));
	/* Overlong forms. */
	assert_false(valid_text("\xc0\xaf", 200));
	assert_false(valid_text("\xc1\xbf", 200));
	assert_false(valid_text("\xe0\x80\xaf", 200));
	assert_false(valid_text("\xe0\x9f\xbf", 200));
	assert_false(valid_text("\xf0\x80\x80\xaf", 200));
	assert_false(valid_text("\xf0\x8f\xbf\xbf", 200));
	/* Surrogates and beyond U+10FFFF. */
	assert_false(valid_text("\xed\xa0\x80", 200));
	assert_false(valid_text("\xed\xbf\xbf", 200));
	assert_false(valid_text("\xf4\x90\x80\x80", 200));
	assert_false(valid_text("\xf7\xbf\xbf\xbf", 200));
	/* Bytes that never start a sequence, and cut sequences. */
	assert_false(valid_text("\x80", 200));
	assert_false(valid_text("a\xbf", 200));
	assert_false(valid_text("\xf8\x88\x80\x80\x80", 200));
	assert_false(valid_text("\xfe", 200));
	assert_false(valid_text("\xff", 200));
	assert_false(valid_text("\xc3", 200));
	assert_false(valid_text("\xe4\xb8", 200));
	assert_false(valid_text("\xf0\x9f\x98", 200));
	assert_false(valid_text("\xe4\xb8x", 200));
	assert_false(valid_text("\xc3\xc3\xa9", 200));

	/* The limit counts characters, not bytes: 200 three-byte characters fit in 200. */
	for (int i = 0; i < 200; i++)
		memcpy(s + 3 * i, "\xe4\xb8\xad", 3);
	s[600] = '\0';
	assert_true(valid_text(s, 200));
	assert_false(valid_text(s, 199));
	memcpy(s + 600, "a", 2);
	assert_false(valid_text(s, 200));
	assert_true(valid_text(s, 201));
}

static void
state_code(void **state)
{
	assert_true(valid_state_code("FRA"));
	assert_true(valid_state_code("AAA"));
	assert_true(valid_state_code("ZZZ"));
	assert_false(valid_state_code("fra"));
	assert_false(valid_state_code("FR"));
	assert_false(valid_state_code("FRAN"));
	assert_false(valid_state_code("FR1"));
	assert_false(valid_state_code("F@A"));
	assert_false(valid_state_code("FR["));
	assert_false(valid_state_code(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(e164),       cmocka_unit_test(email),       cmocka_unit_test(lang),
	    cmocka_unit_test(tz),         cmocka_unit_test(fingerprint), cmocka_unit_test(dates),
	    cmocka_unit_test(hhmm),       cmocka_unit_test(username),    cmocka_unit_test(text),
	    cmocka_unit_test(state_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
