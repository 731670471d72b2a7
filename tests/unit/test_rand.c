/* Unit tests of src/lib/rand.h (ids, tokens, their hashes) and src/lib/timeutil.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "lib/rand.h"
#include "lib/timeutil.h"

#define DRAWS 10000

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
setup(void **state)
{
	return sodium_init() < 0 ? -1 : 0;
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
ids(void **state)
{
	char(*all)[ID_SIZE] = calloc(DRAWS, ID_SIZE);

	assert_non_null(all);
	for (size_t i = 0; i < DRAWS; i++) {
		rand_id(all[i]);
		assert_int_equal(strlen(all[i]), ID_LEN);
		assert_int_equal(strspn(all[i], b32), ID_LEN);
		/* 26 symbols of 5 bits hold 130 bits: the first carries 3, so it is a to h. */
		assert_non_null(strchr("abcdefgh", all[i][0]));
		assert_true(id_valid(all[i]));
	}
	qsort(all, DRAWS, ID_SIZE, cmp_id);
	for (size_t i = 1; i < DRAWS; i++)
		assert_string_not_equal(all[i - 1], all[i]);
	free(all);
}

static void
id_near_misses(void **state)
{
	char id[ID_SIZE], bad[ID_SIZE + 2];

	rand_id(id);
	assert_true(id_valid("abcdefghijklmnopqrstuvwxyz"));
	assert_true(id_valid("22222222222222222222222222"));
	assert_false(id_valid(NULL));
	assert_false(id_valid(""));
	/* One short, one long. */
	memcpy(bad, id, ID_LEN - 1);
	bad[ID_LEN - 1] = '\0';
	assert_false(id_valid(bad));
	memcpy(bad, id, ID_LEN);
	bad[ID_LEN] = 'a';
	bad[ID_LEN + 1] = '\0';
	assert_false(id_valid(bad));
	/* Each symbol outside the alphabet, at the first and last position. */
	for (const char *c = "ABZ01890=-_ \xc3"; *c; c++) {
		memcpy(bad, id, ID_SIZE);
		bad[0] = *c;
		assert_false(id_valid(bad));
		memcpy(bad, id, ID_SIZE);
		bad[ID_LEN - 1] = *c;
		assert_false(id_valid(bad));
	}
}

static void
tokens(void **state)
{
	char a[TOKEN_SIZE], b[TOKEN_SIZE], bad[TOKEN_SIZE + 2];

	for (int i = 0; i < 1000; i++) {
		rand_token(a);
		assert_int_equal(strlen(a), TOKEN_LEN);
		assert_int_equal(strspn(a, b64url), TOKEN_LEN);
		assert_true(token_valid(a));
	}
	rand_token(b);
	assert_string_not_equal(a, b);

	assert_false(token_valid(NULL));
	assert_false(token_valid(""));
	memcpy(bad, a, TOKEN_LEN - 1);
	bad[TOKEN_LEN - 1] = '\0';
	assert_false(token_valid(bad));
	memcpy(bad, a, TOKEN_LEN);
	bad[TOKEN_LEN] = 'A';
	bad[TOKEN_LEN + 1] = '\0';
	assert_false(token_valid(bad));
	for (const char *c = "+/= .\xc3"; *c; c++) {
		memcpy(bad, a, TOKEN_SIZE);
		bad[TOKEN_LEN / 2] = *c;
		assert_false(token_valid(bad));
	}
	memset(bad, 'A', TOKEN_LEN);
	bad[TOKEN_LEN] = '\0';
	assert_true(token_valid(bad));
}

static void
hashes(void **state)
{
	uint8_t h[TOKEN_HASH_LEN];
	char hex[2 * TOKEN_HASH_LEN + 1], token[TOKEN_SIZE];

	/* FIPS 180-2 vectors, and one computed with Python's hashlib.sha256(b"A" * 43). */
	token_hash("abc", h);
	hex_encode(h, sizeof(h), hex);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	token_hash("", h);
	hex_encode(h, sizeof(h), hex);
	assert_string_equal(hex,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	memset(token, 'A', TOKEN_LEN);
	token[TOKEN_LEN] = '\0';
	token_hash(token, h);
	hex_encode(h, sizeof(h), hex);
	assert_string_equal(hex,
	                    "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a");

	hex_encode((const uint8_t *)"\x00\x01\xab\xff", 4, hex);
	assert_string_equal(hex, "0001abff");
	hex_encode((const uint8_t *)"", 0, hex);
	assert_string_equal(hex, "");
}

static void
rfc3339_format(void **state)
{
	char out[RFC3339_SIZE];

	fmt_rfc3339(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	fmt_rfc3339(1795662720, out);
	assert_string_equal(out, "2026-11-26T03:12:00Z");
	fmt_rfc3339(1709251199, out);
	assert_string_equal(out, "2024-02-29T23:59:59Z");
	fmt_rfc3339(253402300799, out);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
	/* Past year 9999 the text would not fit: a fixed fallback, never a cut string. */
	fmt_rfc3339(253402300800, out);
	assert_int_equal(strlen(out), RFC3339_SIZE - 1);
}

static void
rfc3339_parse(void **state)
{
	static const char *const good[] = {
	    "1970-01-01T00:00:00Z", "2026-11-26T03:12:00Z", "2024-02-29T23:59:59Z",
	    "2000-02-29T12:00:00Z", "9999-12-31T23:59:59Z",
	};
	static const char *const bad[] = {
	    "",
	    "2026-11-26",
	    "2026-11-26T03:12:00",
	    "2026-11-26t03:12:00Z",
	    "2026-11-26T03:12:00z",
	    "2026-11-26 03:12:00Z",
	    "2026-11-26T03:12:00+00:00",
	    "2026-11-26T03:12:00.5Z",
	    "2026-11-26T03:12Z",
	    "2026-11-26T24:00:00Z",
	    "2026-11-26T23:60:00Z",
	    "2026-12-31T23:59:60Z",
	    "2026-13-26T03:12:00Z",
	    "2026-02-29T03:12:00Z",
	    "1900-02-29T03:12:00Z",
	    "1969-12-31T23:59:59Z",
	    "2026-11-26T3:12:00ZZ",
	    "2026-11-26T03:1a:00Z",
	    "2026-11-26T03-12-00Z",
	    "2026/11/26T03:12:00Z",
	    " 2026-11-26T03:12:00Z",
	    "2026-11-26T03:12:00Z ",
	};
	char out[RFC3339_SIZE];
	int64_t t, now = now_s();

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(parse_rfc3339(good[i], &t));
		fmt_rfc3339(t, out);
		assert_string_equal(out, good[i]);
	}
	assert_true(parse_rfc3339("2026-11-26T03:12:00Z", &t));
	assert_int_equal(t, 1795662720);
	assert_true(parse_rfc3339("1970-01-01T00:00:00Z", &t));
	assert_int_equal(t, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 42;
		assert_false(parse_rfc3339(bad[i], &t));
	}

	/* Round trip from seconds: now, and a spread of instants. */
	fmt_rfc3339(now, out);
	assert_true(parse_rfc3339(out, &t));
	assert_int_equal(t, now);
	for (int64_t s = 0; s < 253402300799; s += 86399 * 997 + 13) {
		fmt_rfc3339(s, out);
		assert_true(parse_rfc3339(out, &t));
		assert_int_equal(t, s);
	}
}

static void
dates(void **state)
{
	int y = 0, m = 0, d = 0;

	assert_true(parse_date("2026-11-26", &y, &m, &d));
	assert_int_equal(y, 2026);
	assert_int_equal(m, 11);
	assert_int_equal(d, 26);
	assert_true(parse_date("2024-02-29", &y, &m, &d));
	assert_true(parse_date("2000-02-29", &y, &m, &d));
	assert_false(parse_date("2100-02-29", &y, &m, &d));
	assert_false(parse_date("2025-02-29", &y, &m, &d));
	assert_false(parse_date("2026-06-31", &y, &m, &d));
	assert_false(parse_date("2026-11-26T", &y, &m, &d));
	assert_false(parse_date("26-11-2026", &y, &m, &d));
	assert_false(parse_date("", &y, &m, &d));
}

static void
clocks(void **state)
{
	uint64_t a = mono_us(), b;

	assert_true(now_s() > 1700000000);
	b = mono_us();
	assert_true(b >= a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ids),
	    cmocka_unit_test(id_near_misses),
	    cmocka_unit_test(tokens),
	    cmocka_unit_test(hashes),
	    cmocka_unit_test(rfc3339_format),
	    cmocka_unit_test(rfc3339_parse),
	    cmocka_unit_test(dates),
	    cmocka_unit_test(clocks),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
