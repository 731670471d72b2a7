/*
 * The Merkle tree of RFC 9162 section 2.1: leaf and node hashes, tree heads, inclusion and
 * consistency proofs, and their verification.
 *
 * The tree is read through a callback that returns the hash of a complete subtree: level L,
 * index i covers leaves [i * 2^L, (i + 1) * 2^L). Those hashes never change once written,
 * so a store keeps them and every proof costs O(log n) lookups, not a recomputation.
 */
#ifndef POCD_CORE_MERKLE_H
#define POCD_CORE_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define MERKLE_HASH      32
#define MERKLE_PROOF_MAX 64 /* hashes in a proof of a tree of up to 2^63 leaves */

/* Fills out with the hash of the complete subtree (level, index); non-zero on failure. */
typedef int (*merkle_get_fn)(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH]);
/* Stores the hash of a newly complete subtree; non-zero on failure. */
typedef int (*merkle_put_fn)(void *ctx, unsigned level, uint64_t index,
                             const uint8_t hash[MERKLE_HASH]);

/* SHA-256(0x00 || data). */
void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH]);
/* SHA-256(0x01 || left || right). */
void merkle_node_hash(const uint8_t left[MERKLE_HASH], const uint8_t right[MERKLE_HASH],
                      uint8_t out[MERKLE_HASH]);

/* The right edge of a tree: for each set bit L of size, the hash of its complete subtree of
 * 2^L leaves. Enough to append and to compute the root with no reads. */
struct merkle_frontier {
	uint64_t size;
	uint8_t h[64][MERKLE_HASH];
};

/* Appends a leaf hash; put (may be NULL) receives every subtree it completes. */
enum pocd_err merkle_frontier_push(struct merkle_frontier *f, const uint8_t leaf[MERKLE_HASH],
                                   merkle_put_fn put, void *ctx);
void merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[MERKLE_HASH]);
/* The frontier of the first size leaves of a stored tree. */
enum pocd_err merkle_frontier_load(struct merkle_frontier *f, uint64_t size, merkle_get_fn get,
                                   void *ctx);
/* The root of the first size leaves; the empty tree's is SHA-256 of nothing. */
enum pocd_err merkle_root(uint64_t size, merkle_get_fn get, void *ctx, uint8_t out[MERKLE_HASH]);
/* The inclusion proof of leaf index in the tree of size leaves (index < size). */
enum pocd_err merkle_inclusion(uint64_t index, uint64_t size, merkle_get_fn get, void *ctx,
                               uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH], size_t *n);
/* The consistency proof from the tree of first leaves to the tree of second (first <= second). */
enum pocd_err merkle_consistency(uint64_t first, uint64_t second, merkle_get_fn get, void *ctx,
                                 uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH], size_t *n);

/* RFC 9162 2.1.3.2: whether proof shows leaf at index in the tree of size with root. */
int merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[MERKLE_HASH],
                            const uint8_t (*proof)[MERKLE_HASH], size_t n,
                            const uint8_t root[MERKLE_HASH]);
/* RFC 9162 2.1.4.2: whether proof shows the tree (second, root2) extends (first, root1). */
int merkle_verify_consistency(uint64_t first, uint64_t second, const uint8_t root1[MERKLE_HASH],
                              const uint8_t root2[MERKLE_HASH], const uint8_t (*proof)[MERKLE_HASH],
                              size_t n);

#endif
