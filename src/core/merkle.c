#include "core/merkle.h"

#include <sodium.h>
#include <string.h>

void
merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH])
{
	crypto_hash_sha256_state st;
	const uint8_t zero = 0x00;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, out);
}

void
merkle_node_hash(const uint8_t left[MERKLE_HASH], const uint8_t right[MERKLE_HASH],
                 uint8_t out[MERKLE_HASH])
{
	crypto_hash_sha256_state st;
	const uint8_t one = 0x01;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &one, 1);
	crypto_hash_sha256_update(&st, left, MERKLE_HASH);
	crypto_hash_sha256_update(&st, right, MERKLE_HASH);
	crypto_hash_sha256_final(&st, out);
}

/* The largest power of two below n (n > 1). */
static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

static unsigned
log2u(uint64_t v)
{
	unsigned l = 0;

	while (v > 1) {
		v >>= 1;
		l++;
	}
	return l;
}

enum pocd_err
merkle_frontier_push(struct merkle_frontier *f, const uint8_t leaf[MERKLE_HASH], merkle_put_fn put,
                     void *ctx)
{
	uint8_t cur[MERKLE_HASH];
	unsigned level = 0;

	memcpy(cur, leaf, MERKLE_HASH);
	/* Each set low bit of the size is a complete subtree that the new leaf completes. */
	while ((f->size >> level & 1) == 1) {
		merkle_node_hash(f->h[level], cur, cur);
		level++;
		if (put != NULL && put(ctx, level, f->size >> level, cur) != 0)
			return POCD_ESTORE;
	}
	memcpy(f->h[level], cur, MERKLE_HASH);
	f->size++;
	return POCD_OK;
}

void
merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[MERKLE_HASH])
{
	unsigned level = 0;

	if (f->size == 0) {
		crypto_hash_sha256(out, NULL, 0);
		return;
	}
	while ((f->size >> level & 1) == 0)
		level++;
	memcpy(out, f->h[level], MERKLE_HASH);
	for (level++; level < 64; level++)
		if ((f->size >> level & 1) == 1)
			merkle_node_hash(f->h[level], out, out);
}

enum pocd_err
merkle_frontier_load(struct merkle_frontier *f, uint64_t size, merkle_get_fn get, void *ctx)
{
	memset(f, 0, sizeof(*f));
	for (unsigned level = 0; level < 64; level++) {
		uint64_t bit = (uint64_t)1 << level;
		if ((size & bit) == 0)
			continue;
		/* The subtree of this bit starts where the higher bits end. */
		if (get(ctx, level, (size & ~(2 * bit - 1)) >> level, f->h[level]) != 0)
			return POCD_ESTORE;
	}
	f->size = size;
	return POCD_OK;
}

/* MTH(D[start:start + len]): complete subtrees from the left, the smallest last. */
static enum pocd_err
range_hash(uint64_t start, uint64_t len, merkle_get_fn get, void *ctx, uint8_t out[MERKLE_HASH])
{
	uint8_t parts[MERKLE_PROOF_MAX][MERKLE_HASH];
	size_t n = 0;

	/* start is always a multiple of the first subtree's size here, as proofs ask. */
	while (len > 0) {
		uint64_t size = (uint64_t)1 << log2u(len);
		while (start % size != 0)
			size >>= 1;
		if (n == MERKLE_PROOF_MAX || get(ctx, log2u(size), start / size, parts[n]) != 0)
			return POCD_ESTORE;
		n++;
		start += size;
		len -= size;
	}
	if (n == 0)
		return POCD_EINVAL;
	/* RFC 9162 splits at the largest power of two: the tree leans left, so fold right. */
	memcpy(out, parts[n - 1], MERKLE_HASH);
	while (n-- > 1)
		merkle_node_hash(parts[n - 1], out, out);
	return POCD_OK;
}

enum pocd_err
merkle_root(uint64_t size, merkle_get_fn get, void *ctx, uint8_t out[MERKLE_HASH])
{
	if (size == 0) {
		crypto_hash_sha256(out, (const uint8_t *)"", 0);
		return POCD_OK;
	}
	return range_hash(0, size, get, ctx, out);
}

enum pocd_err
merkle_inclusion(uint64_t index, uint64_t size, merkle_get_fn get, void *ctx,
                 uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH], size_t *n)
{
	uint64_t start = 0, len = size, m = index;
	uint8_t rev[MERKLE_PROOF_MAX][MERKLE_HASH];
	size_t k = 0;
	enum pocd_err err;

	if (index >= size)
		return POCD_EINVAL;
	/* PATH(m, D[start:start+len]), top down; the proof lists the hashes bottom up. */
	while (len > 1) {
		uint64_t split = split_point(len);
		if (k == MERKLE_PROOF_MAX)
			return POCD_EINVAL;
		if (m < split) {
			err = range_hash(start + split, len - split, get, ctx, rev[k++]);
			len = split;
		} else {
			err = range_hash(start, split, get, ctx, rev[k++]);
			start += split;
			m -= split;
			len -= split;
		}
		if (err != POCD_OK)
			return err;
	}
	for (size_t i = 0; i < k; i++)
		memcpy(proof[i], rev[k - 1 - i], MERKLE_HASH);
	*n = k;
	return POCD_OK;
}

enum pocd_err
merkle_consistency(uint64_t first, uint64_t second, merkle_get_fn get, void *ctx,
                   uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH], size_t *n)
{
	uint64_t start = 0, len = second, m = first;
	uint8_t rev[MERKLE_PROOF_MAX][MERKLE_HASH];
	size_t k = 0;
	int b = 1;
	enum pocd_err err = POCD_OK;

	if (first > second)
		return POCD_EINVAL;
	*n = 0;
	if (first == 0 || first == second)
		return POCD_OK;
	/* SUBPROOF(m, D[start:start+len], b) of RFC 9162 2.1.4.1, top down. */
	while (m != len) {
		uint64_t split = split_point(len);
		if (k == MERKLE_PROOF_MAX)
			return POCD_EINVAL;
		if (m <= split) {
			err = range_hash(start + split, len - split, get, ctx, rev[k++]);
			len = split;
		} else {
			err = range_hash(start, split, get, ctx, rev[k++]);
			start += split;
			m -= split;
			len -= split;
			b = 0;
		}
		if (err != POCD_OK)
			return err;
	}
	if (!b) {
		if (k == MERKLE_PROOF_MAX)
			return POCD_EINVAL;
		err = range_hash(start, len, get, ctx, rev[k++]);
		if (err != POCD_OK)
			return err;
	}
	for (size_t i = 0; i < k; i++)
		memcpy(proof[i], rev[k - 1 - i], MERKLE_HASH);
	*n = k;
	return POCD_OK;
}

int
merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[MERKLE_HASH],
                        const uint8_t (*proof)[MERKLE_HASH], size_t n,
                        const uint8_t root[MERKLE_HASH])
{
	uint64_t fn = index, sn = size - 1;
	uint8_t r[MERKLE_HASH];

	if (index >= size)
		return 0;
	memcpy(r, leaf, MERKLE_HASH);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return 0;
		if ((fn & 1) == 1 || fn == sn) {
			merkle_node_hash(proof[i], r, r);
			if ((fn & 1) == 0)
				while (fn != 0 && (fn & 1) == 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			merkle_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, MERKLE_HASH) == 0;
}

int
merkle_verify_consistency(uint64_t first, uint64_t second, const uint8_t root1[MERKLE_HASH],
                          const uint8_t root2[MERKLE_HASH], const uint8_t (*proof)[MERKLE_HASH],
                          size_t n)
{
	uint64_t fn = first - 1, sn = second - 1;
	uint8_t fr[MERKLE_HASH], sr[MERKLE_HASH];
	size_t i = 0;

	if (first == 0 || first > second)
		return 0;
	if (first == second)
		return n == 0 && sodium_memcmp(root1, root2, MERKLE_HASH) == 0;
	if (n == 0)
		return 0;
	/* If first is a power of two, its root is the proof's implicit first element. */
	if ((first & (first - 1)) == 0) {
		memcpy(fr, root1, MERKLE_HASH);
		memcpy(sr, root1, MERKLE_HASH);
	} else {
		memcpy(fr, proof[0], MERKLE_HASH);
		memcpy(sr, proof[0], MERKLE_HASH);
		i = 1;
	}
	while ((fn & 1) == 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0)
			return 0;
		if ((fn & 1) == 1 || fn == sn) {
			merkle_node_hash(proof[i], fr, fr);
			merkle_node_hash(proof[i], sr, sr);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(fr, root1, MERKLE_HASH) == 0 &&
	       sodium_memcmp(sr, root2, MERKLE_HASH) == 0;
}
