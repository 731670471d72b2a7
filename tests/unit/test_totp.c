/* TOTP (src/core/totp.c) against RFC 6238's test vectors (Appendix B) and base32 against
 * RFC 4648's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/totp.h"

static const struct {
	int64_t t;
	uint32_t sha1, sha256, sha512;
} vectors[] = {
    {59, 94287082, 46119246, 90693936},         {1111111109, 7081804, 68084774, 25091201},
    {1111111111, 14050471, 67062674, 99943326}, {1234567890, 89005924, 91819424, 93441116},
    {2000000000, 69279037, 90698825, 38618901}, {20000000000, 65353130, 77737706, 47863826},
};

static void
rfc6238_vectors(void **state)
{
	const char *k1 = "12345678901234567890";
	const char *k256 = "12345678901234567890123456789012";
	const char *k512 = "1234567890123456789012345678901234567890123456789012345678901234";

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		assert_int_equal(totp_code(TOTP_SHA1, (const uint8_t *)k1, 20, vectors[i].t, 8),
		                 vectors[i].sha1);
		assert_int_equal(totp_code(TOTP_SHA256, (const uint8_t *)k256, 32, vectors[i].t, 8),
		                 vectors[i].sha256);
		assert_int_equal(totp_code(TOTP_SHA512, (const uint8_t *)k512, 64, vectors[i].t, 8),
		                 vectors[i].sha512);
	}
}

static void
codes_are_good_once_and_within_the_window(void **state)
{
	const uint8_t *key = (const uint8_t *)"12345678901234567890";
	int64_t now = 1234567890, step = 0;
	char code[8];

	snprintf(code, sizeof(code), "%06u", totp_code(TOTP_SHA1, key, 20, now, 6));
	assert_true(totp_check(key, code, now, 0, &step));
	assert_int_equal(step, now / TOTP_STEP);
	/* Used: the same code again is refused. */
	assert_false(totp_check(key, code, now, step, &step));
	/* A neighbouring step's code is good; two steps away it is not. */
	snprintf(code, sizeof(code), "%06u",
	         totp_code(TOTP_SHA1, key, 20, now - TOTP_STEP * TOTP_WINDOW, 6));
	assert_true(totp_check(key, code, now, 0, &step));
	snprintf(code, sizeof(code), "%06u",
	         totp_code(TOTP_SHA1, key, 20, now - TOTP_STEP * (TOTP_WINDOW + 1), 6));
	assert_false(totp_check(key, code, now, 0, &step));
	assert_false(totp_check(key, "12345", now, 0, &step));
	assert_false(totp_check(key, "1234567", now, 0, &step));
	assert_false(totp_check(key, "12a456", now, 0, &step));
	assert_false(totp_check(key, NULL, now, 0, &step));
}

static void
base32_rfc4648(void **state)
{
	static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const out[] = {"",        "MY",       "MZXQ",      "MZXW6",
	                                  "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"};
	char buf[TOTP_BASE32_MAX];

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		totp_base32((const uint8_t *)in[i], strlen(in[i]), buf, sizeof(buf));
		assert_string_equal(buf, out[i]);
	}
	/* A 160-bit key is 32 characters. */
	totp_base32((const uint8_t *)"12345678901234567890", 20, buf, sizeof(buf));
	assert_string_equal(buf, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc6238_vectors),
	    cmocka_unit_test(codes_are_good_once_and_within_the_window),
	    cmocka_unit_test(base32_rfc4648),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
