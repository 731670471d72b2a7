/* Unit tests of src/lib/ratelimit.h: bursts, refill, Retry-After, independent keys, and a
 * table that stays bounded under more keys than it holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <sodium.h>

#include "lib/ratelimit.h"

#define SEC 1000000ull
#define T0  (1000 * SEC)

static int
setup(void **state)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void
burst_then_refused(void **state)
{
	struct ratelimit *rl = ratelimit_new(10);
	unsigned retry = 0;

	assert_non_null(rl);
	for (int i = 0; i < 10; i++)
		assert_true(ratelimit_take(rl, "127.0.0.1", T0, &retry));
	assert_false(ratelimit_take(rl, "127.0.0.1", T0, &retry));
	assert_int_equal(retry, 1);
	ratelimit_free(rl);
}

static void
refills_at_the_rate(void **state)
{
	struct ratelimit *rl = ratelimit_new(10);
	unsigned retry = 0;

	for (int i = 0; i < 10; i++)
		assert_true(ratelimit_take(rl, "k", T0, &retry));
	/* One request per tenth of a second comes back. */
	assert_false(ratelimit_take(rl, "k", T0 + SEC / 20, &retry));
	assert_true(ratelimit_take(rl, "k", T0 + SEC / 10, &retry));
	assert_false(ratelimit_take(rl, "k", T0 + SEC / 10, &retry));
	/* A steady 10 per second passes for ever. */
	for (uint64_t t = T0 + SEC / 5; t < T0 + 10 * SEC; t += SEC / 10)
		assert_true(ratelimit_take(rl, "k", t, &retry));
	/* After a second of silence, a whole burst again. */
	for (int i = 0; i < 10; i++)
		assert_true(ratelimit_take(rl, "k", T0 + 12 * SEC, &retry));
	assert_false(ratelimit_take(rl, "k", T0 + 12 * SEC, &retry));
	ratelimit_free(rl);
}

static void
retry_after_counts_whole_seconds(void **state)
{
	struct ratelimit *rl = ratelimit_new(1);
	unsigned retry = 0;

	assert_true(ratelimit_take(rl, "k", T0, &retry));
	assert_false(ratelimit_take(rl, "k", T0, &retry));
	assert_int_equal(retry, 1);
	assert_false(ratelimit_take(rl, "k", T0 + SEC - 1, &retry));
	assert_int_equal(retry, 1);
	assert_true(ratelimit_take(rl, "k", T0 + SEC, &retry));
	ratelimit_free(rl);
}

static void
keys_are_independent(void **state)
{
	struct ratelimit *rl = ratelimit_new(2);
	unsigned retry;

	assert_true(ratelimit_take(rl, "a", T0, &retry));
	assert_true(ratelimit_take(rl, "a", T0, &retry));
	assert_false(ratelimit_take(rl, "a", T0, &retry));
	assert_true(ratelimit_take(rl, "b", T0, &retry));
	assert_true(ratelimit_take(rl, "b", T0, &retry));
	assert_false(ratelimit_take(rl, "b", T0, &retry));
	ratelimit_free(rl);
}

static void
many_keys_stay_bounded(void **state)
{
	struct ratelimit *rl = ratelimit_new(1);
	unsigned retry;
	char key[32];
	int refused = 0;

	/* Far more keys than slots: each new key gets a bucket (the idlest is reused). */
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		assert_true(ratelimit_take(rl, key, T0 + (uint64_t)i, &retry));
	}
	/* The most recent keys are still remembered: their second request waits. */
	for (int i = 99990; i < 100000; i++) {
		snprintf(key, sizeof(key), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		refused += !ratelimit_take(rl, key, T0 + 100000, &retry);
	}
	assert_int_equal(refused, 10);
	ratelimit_free(rl);
}

static void
rates_out_of_range(void **state)
{
	assert_null(ratelimit_new(0));
	assert_null(ratelimit_new(1000001));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(burst_then_refused),
	    cmocka_unit_test(refills_at_the_rate),
	    cmocka_unit_test(retry_after_counts_whole_seconds),
	    cmocka_unit_test(keys_are_independent),
	    cmocka_unit_test(many_keys_stay_bounded),
	    cmocka_unit_test(rates_out_of_range),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
