/*
 * The verifiable record: the events that concern states' entries and exchanges, each
 * appended as one leaf per party state to a Merkle tree log (RFC 9162), in the event's own
 * transaction, with a checkpoint signed (Ed25519, C2SP signed note) for every batch that
 * grew the log. Leaves hold hashes and metadata, never content: a commitment
 * SHA-256(salt || content) with a random salt per leaf, and a per-state pseudonym of the
 * acting account. A leaf's text is rebuilt from its event's columns and its own row.
 */
#ifndef POCD_CORE_RECORD_H
#define POCD_CORE_RECORD_H

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>

#include "core/core.h"
#include "core/merkle.h"
#include "core/note.h"
#include "lib/buf.h"

/* Only subtrees of 2^RECORD_STORED_LEVEL leaves and more are stored: the smaller ones are
 * folded from leaf hashes when asked for (at most 2^RECORD_STORED_LEVEL - 1 of them), which
 * spares most of the rows a write would add and keeps every proof at O(log n) reads. */
#define RECORD_STORED_LEVEL 4
/* Checkpoints are signed for every batch but stored at most this often. */
#define CHECKPOINT_STORE_US 50000

/* Keys the log may have used over its life, rotations included. */
#define RECORD_KEYS_MAX 16
/* How long the previous key goes on signing beside a new one, by default. */
#define RECORD_TRANSITION_S (30 * 86400)

struct record {
	char origin[96]; /* the log's name, which is also its key's name */
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	struct note_key key;
	/* During a rotation's transition, the previous key signs too. */
	uint8_t prev_sk[crypto_sign_SECRETKEYBYTES];
	struct note_key prev_key;
	bool has_prev;
	struct note_key known[RECORD_KEYS_MAX]; /* every key the log has used */
	size_t nknown;
	uint8_t pseudonym_key[crypto_auth_hmacsha256_KEYBYTES];
	/* The writer thread's: the tree's right edge as the open transaction has it, as the last
	 * commit left it, and as it was before the running job. */
	struct merkle_frontier work, committed, saved;
	size_t saved_npending;
	uint64_t stored_size;   /* the newest checkpoint in the database */
	uint64_t stored_us;     /* when it was stored (monotonic) */
	bool pending_stored;    /* this batch stored its checkpoint */
	char pending[NOTE_MAX]; /* the checkpoint this batch signed, "" if none */
	/* Tree nodes this batch made, published to the cache when it commits. */
	struct node_entry *pending_nodes;
	size_t npending, pending_cap;
	/* The newest committed checkpoint, and the nodes of the newest leaves, for everyone: a
	 * receipt for a write just made needs no read. */
	pthread_mutex_t lk;
	char published[NOTE_MAX];
	uint64_t published_size;
	struct node_entry *cache; /* RECORD_CACHE_LEVELS x RECORD_CACHE_SLOTS, by index */
};

/* Nodes (leaves included) kept in memory per level, for the newest leaves' proofs. */
#define RECORD_CACHE_LEVELS 48
#define RECORD_CACHE_SLOTS  1024

struct node_entry {
	uint64_t index; /* UINT64_MAX: empty */
	unsigned level;
	uint8_t hash[MERKLE_HASH];
};

/* A receipt: a leaf, the checkpoint that covers it, and the inclusion proof. */
struct receipt {
	char event_id[ID_SIZE];
	int64_t index;
	char *leaf; /* malloc'd canonical JSON; receipt_free */
	char *note; /* malloc'd signed note with cosignatures; receipt_free */
	uint64_t size;
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH];
	size_t nproof;
};

/*
 * Loads the log's key from DB_PATH.logkey (made with mode 0600 when absent; refused when
 * others may read it) and its settings and right edge from the database, signs a checkpoint
 * if the last one was lost, and hooks itself into the writer. Sets c->record. POCD_OK, or a
 * reason in msg.
 */
enum pocd_err record_open(struct core *c, const char *db_path, char *msg, size_t msglen);
/* Stores the newest checkpoint if it is not yet, unhooks and frees c->record. */
void record_close(struct core *c);

/* Appends ev to the events table and, for the logged types, its leaves to the log. When mine
 * is not NULL, it receives the leaf of the acting state if that state is a party. */
enum pocd_err record_event(struct store_conn *w, struct core *c, const struct event *ev, int64_t at,
                           struct leaf_ref *mine);
void leaf_ref_clear(struct leaf_ref *ref);

/* The canonical JSON text of a leaf (RFC 8785: sorted members, no white space, strings and
 * integers only), appended to out. */
void record_leaf_text(const struct record *r, const struct log_leaf *l, struct buf *out);

/* Walks a comma-separated list of party states: the next one into party; false at the end.
 * Entries that are not state codes are skipped, here and when leaves are appended. */
bool record_next_party(const char **p, char party[STATE_SIZE + 1]);

/* The receipt of the write that filled ref (its leaf, against the newest checkpoint), mostly
 * from memory. POCD_ENOTFOUND when ref holds no leaf. */
enum pocd_err record_receipt_of(struct core *c, struct store_conn *rd, const struct leaf_ref *ref,
                                struct receipt *out);

/* The receipt of party's leaf of event_id, against the newest checkpoint that witnesses
 * cosigned (the newest checkpoint if none did). POCD_ENOTFOUND when party has no leaf there. */
enum pocd_err record_receipt(struct core *c, struct store_conn *rd, const char *event_id,
                             const char *party, struct receipt *out);
void receipt_free(struct receipt *r);

/* The newest checkpoint (size 0) or the one of size leaves, signed, with the cosignatures
 * witnesses gave it, into out. POCD_ENOTFOUND while the log is empty or beyond its size. */
enum pocd_err record_checkpoint(struct core *c, struct store_conn *rd, uint64_t size,
                                struct buf *out, uint64_t *size_out);

/* A new signing key for the log of the database at db_path (pocd stopped, or restarted
 * after): PATH.logkey becomes PATH.logkey.previous, which signs beside the new key for
 * transition seconds. POCD_ECONFLICT while an earlier transition runs. */
enum pocd_err record_rotate_key(struct core *c, const char *db_path, int64_t transition, char *msg,
                                size_t msglen);

/* merkle_get_fn over a store connection (ctx): a stored subtree, or one folded from its
 * leaves' hashes when it is too small to be stored. */
int record_node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[32]);

/* Rebuilds every leaf from its event and the whole tree, and checks each leaf, every stored
 * node, and every checkpoint's root and signature. Reports each problem with its index on
 * out; returns how many there were (0: the log holds). */
size_t record_verify(struct core *c, FILE *out);

#endif
