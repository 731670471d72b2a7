/* Unit tests of src/core/password.h: argon2id hashing, verification and the rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/password.h"

static int
setup(void **state)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void
hash_and_verify(void **state)
{
	char h[PWHASH_SIZE], h2[PWHASH_SIZE];
	const char *pw = "correct horse battery staple";

	assert_int_equal(password_hash(pw, h), POCD_OK);
	assert_true(strncmp(h, "$argon2id$v=19$m=19456,t=2", 26) == 0);
	assert_true(strlen(h) < PWHASH_SIZE);
	assert_true(password_verify(h, pw));
	assert_false(password_verify(h, "correct horse battery stapl"));
	assert_false(password_verify(h, "correct horse battery staple "));
	assert_false(password_verify(h, "Correct horse battery staple"));
	assert_false(password_verify(h, ""));

	/* A fresh salt each time: the same password never gives the same string. */
	assert_int_equal(password_hash(pw, h2), POCD_OK);
	assert_string_not_equal(h, h2);
	assert_true(password_verify(h2, pw));
}

static void
unicode_password(void **state)
{
	char h[PWHASH_SIZE];
	const char *pw =
	    "\xd9\x83\xd9\x84\xd9\x85\xd8\xa9 \xe5\xaf\x86\xe7\xa0\x81 \xd0\xbf\xd0\xb0";

	assert_int_equal(password_hash(pw, h), POCD_OK);
	assert_true(password_verify(h, pw));
	assert_false(password_verify(h, "\xd9\x83\xd9\x84\xd9\x85\xd8\xa9 \xe5\xaf\x86"));
}

static void
no_hash(void **state)
{
	/* An unknown account: the cost is spent, the answer is always no. */
	assert_false(password_verify(NULL, "correct horse battery staple"));
	assert_false(password_verify(NULL, "pocd-dummy-password"));
	assert_false(password_verify("", "correct horse battery staple"));
	assert_false(password_verify("$argon2id$v=19$m=19456,t=2,p=1$garbage", "whatever12345"));
	assert_false(password_verify("not a hash at all", "whatever12345"));
}

static void
weakness(void **state)
{
	char pw[PASSWORD_MAX + 2];

	assert_non_null(password_weakness(""));
	assert_non_null(password_weakness("elevenchars"));
	assert_int_equal(strlen("elevenchars"), PASSWORD_MIN - 1);
	assert_null(password_weakness("twelve chars"));
	assert_int_equal(strlen("twelve chars"), PASSWORD_MIN);

	memset(pw, 'x', PASSWORD_MAX);
	pw[PASSWORD_MAX] = '\0';
	assert_null(password_weakness(pw));
	pw[PASSWORD_MAX] = 'x';
	pw[PASSWORD_MAX + 1] = '\0';
	assert_non_null(password_weakness(pw));

	assert_non_null(password_weakness("twelve chars\n"));
	assert_non_null(password_weakness("twelve\tchars"));
	assert_non_null(password_weakness("twelve chars\x7f"));
	assert_non_null(password_weakness("twelve chars \xff"));
	assert_non_null(password_weakness("twelve chars \xc0\xaf"));
	assert_null(password_weakness("mot de passe s\xc3\xbbr"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hash_and_verify),
	    cmocka_unit_test(unicode_password),
	    cmocka_unit_test(no_hash),
	    cmocka_unit_test(weakness),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
