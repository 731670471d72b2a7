/*
 * The verifiable record: the events that concern states' entries and exchanges, each
 * appended as one leaf per party state to a Merkle tree log (RFC 9162), in the event's own
 * transaction, with a checkpoint signed (Ed25519, C2SP signed note) for every batch that
 * grew the log. Leaves hold hashes and metadata, never content: a commitment
 * SHA-256(salt || content) with a random salt per leaf, and a per-state pseudonym of the
 * acting account.
 */
#ifndef POCD_CORE_RECORD_H
#define POCD_CORE_RECORD_H

#include <sodium.h>
#include <stdio.h>

#include "core/core.h"

struct record {
	char origin[96]; /* the log's name, which is also its key's name */
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t keyid[4];
	uint8_t pseudonym_key[crypto_auth_hmacsha256_KEYBYTES];
};

/*
 * Loads the log's key from DB_PATH.logkey (made with mode 0600 when absent; refused when
 * others may read it) and its settings from the database, and hooks checkpoint signing into
 * the writer. Sets c->record. POCD_OK, or a reason in msg.
 */
enum pocd_err record_open(struct core *c, const char *db_path, char *msg, size_t msglen);
void record_free(struct record *r);

/* Appends ev to the events table and, for the logged types, its leaves to the log. */
enum pocd_err record_event(struct store_conn *w, struct core *c, const struct event *ev,
                           int64_t at);

/* Rebuilds the tree from every stored leaf and checks each leaf against its event, every
 * stored node, and every checkpoint's root and signature. Reports each problem with its
 * index on out; returns how many there were (0: the log holds). */
size_t record_verify(struct core *c, FILE *out);

/* merkle_get_fn over a store connection (ctx): a stored subtree, or one folded from its
 * leaves' hashes when it is too small to be stored. */
int record_node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[32]);

/* The note verifier key: "NAME+KEYID+BASE64" (C2SP signed-note). out holds 256 bytes. */
void record_verifier_key(const struct record *r, char out[256]);

#endif
