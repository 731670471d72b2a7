/* The Merkle tree against a direct transcription of RFC 9162's recursive definitions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "core/merkle.h"

#define MAXN   70
#define LEVELS 8

/* The stored complete subtrees, as a store would keep them. */
struct tree {
	uint8_t node[LEVELS][MAXN][MERKLE_HASH];
	uint8_t have[LEVELS][MAXN];
	uint8_t leaf[MAXN][MERKLE_HASH];
};

static struct tree t;
static struct merkle_frontier front;

static int
get(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH])
{
	struct tree *tr = ctx;

	if (level >= LEVELS || index >= MAXN || !tr->have[level][index])
		return -1;
	memcpy(out, tr->node[level][index], MERKLE_HASH);
	return 0;
}

static int
put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[MERKLE_HASH])
{
	struct tree *tr = ctx;

	if (level >= LEVELS || index >= MAXN)
		return -1;
	memcpy(tr->node[level][index], hash, MERKLE_HASH);
	tr->have[level][index] = 1;
	return 0;
}

/* RFC 9162 2.1.1, literally. */
static void
mth(size_t start, size_t n, uint8_t out[MERKLE_HASH])
{
	uint8_t l[MERKLE_HASH], r[MERKLE_HASH], buf[1 + 2 * MERKLE_HASH];
	size_t k = 1;

	if (n == 1) {
		memcpy(out, t.leaf[start], MERKLE_HASH);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	mth(start, k, l);
	mth(start + k, n - k, r);
	buf[0] = 1;
	memcpy(buf + 1, l, MERKLE_HASH);
	memcpy(buf + 1 + MERKLE_HASH, r, MERKLE_HASH);
	crypto_hash_sha256(out, buf, sizeof(buf));
}

/* RFC 9162 2.1.3.1 PATH(m, D[n]). */
static size_t
path(size_t m, size_t start, size_t n, uint8_t out[][MERKLE_HASH])
{
	size_t k = 1, c;

	if (n == 1)
		return 0;
	while (k * 2 < n)
		k *= 2;
	if (m < k) {
		c = path(m, start, k, out);
		mth(start + k, n - k, out[c]);
	} else {
		c = path(m - k, start + k, n - k, out);
		mth(start, k, out[c]);
	}
	return c + 1;
}

/* RFC 9162 2.1.4.1 SUBPROOF(m, D[n], b). */
static size_t
subproof(size_t m, size_t start, size_t n, int b, uint8_t out[][MERKLE_HASH])
{
	size_t k = 1, c;

	if (m == n) {
		if (b)
			return 0;
		mth(start, n, out[0]);
		return 1;
	}
	while (k * 2 < n)
		k *= 2;
	if (m <= k) {
		c = subproof(m, start, k, b, out);
		mth(start + k, n - k, out[c]);
	} else {
		c = subproof(m - k, start + k, n - k, 0, out);
		mth(start, k, out[c]);
	}
	return c + 1;
}

static int
setup(void **state)
{
	char data[16];

	memset(&t, 0, sizeof(t));
	memset(&front, 0, sizeof(front));
	for (size_t i = 0; i < MAXN; i++) {
		int n = snprintf(data, sizeof(data), "leaf %zu", i);
		merkle_leaf_hash(data, (size_t)n, t.leaf[i]);
		assert_int_equal(put(&t, 0, i, t.leaf[i]), 0);
		assert_int_equal(merkle_frontier_push(&front, t.leaf[i], put, &t), POCD_OK);
	}
	return 0;
}

static void
hashes_are_domain_separated(void **state)
{
	uint8_t a[MERKLE_HASH], b[MERKLE_HASH], buf[1] = {0};

	merkle_leaf_hash("", 0, a);
	crypto_hash_sha256(b, buf, 1);
	assert_memory_equal(a, b, MERKLE_HASH);
	/* RFC 6962's published root of the empty tree. */
	merkle_root(0, get, &t, a);
	assert_int_equal(a[0], 0xe3);
	assert_int_equal(a[1], 0xb0);
	assert_int_equal(a[31], 0x55);
}

static void
roots_match_the_definition(void **state)
{
	uint8_t want[MERKLE_HASH], got[MERKLE_HASH];

	for (size_t n = 1; n <= MAXN; n++) {
		mth(0, n, want);
		assert_int_equal(merkle_root(n, get, &t, got), POCD_OK);
		assert_memory_equal(want, got, MERKLE_HASH);
	}
}

/* The in-memory right edge gives the same roots, and can be rebuilt from stored subtrees. */
static void
frontiers_match_the_definition(void **state)
{
	struct merkle_frontier f, loaded;
	uint8_t want[MERKLE_HASH], got[MERKLE_HASH];

	memset(&f, 0, sizeof(f));
	for (size_t n = 0; n <= MAXN; n++) {
		if (n > 0)
			mth(0, n, want);
		else
			crypto_hash_sha256(want, NULL, 0);
		merkle_frontier_root(&f, got);
		assert_memory_equal(got, want, MERKLE_HASH);
		assert_int_equal(merkle_frontier_load(&loaded, n, get, &t), POCD_OK);
		merkle_frontier_root(&loaded, got);
		assert_memory_equal(got, want, MERKLE_HASH);
		if (n < MAXN)
			assert_int_equal(merkle_frontier_push(&f, t.leaf[n], NULL, NULL), POCD_OK);
	}
	assert_int_equal(front.size, MAXN);
}

static void
inclusion_proofs_match_and_verify(void **state)
{
	uint8_t want[MERKLE_PROOF_MAX][MERKLE_HASH], got[MERKLE_PROOF_MAX][MERKLE_HASH];
	uint8_t root[MERKLE_HASH], other[MERKLE_HASH];
	size_t nw, ng;

	for (size_t n = 1; n <= MAXN; n++) {
		mth(0, n, root);
		for (size_t m = 0; m < n; m++) {
			nw = path(m, 0, n, want);
			assert_int_equal(merkle_inclusion(m, n, get, &t, got, &ng), POCD_OK);
			assert_int_equal(nw, ng);
			assert_memory_equal(want, got, nw * MERKLE_HASH);
			assert_true(merkle_verify_inclusion(
			    m, n, t.leaf[m], (const uint8_t(*)[MERKLE_HASH])got, ng, root));
			/* Another leaf or index fails. */
			assert_false(merkle_verify_inclusion(m, n, t.leaf[(m + 1) % MAXN],
			                                     (const uint8_t(*)[MERKLE_HASH])got, ng,
			                                     root));
			if (n > 1)
				assert_false(merkle_verify_inclusion(
				    (m + 1) % n, n, t.leaf[m], (const uint8_t(*)[MERKLE_HASH])got,
				    ng, root));
			/* Nor does the proof hold for the next tree's head. */
			if (n < MAXN) {
				mth(0, n + 1, other);
				assert_false(merkle_verify_inclusion(
				    m, n + 1, t.leaf[m], (const uint8_t(*)[MERKLE_HASH])got, ng,
				    other));
			}
			if (ng > 0) {
				got[ng - 1][0] ^= 1;
				assert_false(merkle_verify_inclusion(
				    m, n, t.leaf[m], (const uint8_t(*)[MERKLE_HASH])got, ng, root));
			}
		}
	}
	assert_int_equal(merkle_inclusion(5, 5, get, &t, got, &ng), POCD_EINVAL);
}

static void
consistency_proofs_match_and_verify(void **state)
{
	uint8_t want[MERKLE_PROOF_MAX][MERKLE_HASH], got[MERKLE_PROOF_MAX][MERKLE_HASH];
	uint8_t r1[MERKLE_HASH], r2[MERKLE_HASH];
	size_t nw, ng;

	for (size_t n = 1; n <= MAXN; n++) {
		mth(0, n, r2);
		for (size_t m = 1; m <= n; m++) {
			mth(0, m, r1);
			nw = subproof(m, 0, n, 1, want);
			assert_int_equal(merkle_consistency(m, n, get, &t, got, &ng), POCD_OK);
			assert_int_equal(nw, ng);
			assert_memory_equal(want, got, nw * MERKLE_HASH);
			assert_true(merkle_verify_consistency(
			    m, n, r1, r2, (const uint8_t(*)[MERKLE_HASH])got, ng));
			if (m < n) {
				assert_false(merkle_verify_consistency(
				    m, n, r2, r2, (const uint8_t(*)[MERKLE_HASH])got, ng));
				got[0][5] ^= 0x80;
				assert_false(merkle_verify_consistency(
				    m, n, r1, r2, (const uint8_t(*)[MERKLE_HASH])got, ng));
			}
		}
	}
	assert_int_equal(merkle_consistency(6, 5, get, &t, got, &ng), POCD_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hashes_are_domain_separated),
	    cmocka_unit_test(roots_match_the_definition),
	    cmocka_unit_test(frontiers_match_the_definition),
	    cmocka_unit_test(inclusion_proofs_match_and_verify),
	    cmocka_unit_test(consistency_proofs_match_and_verify),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, NULL);
}
