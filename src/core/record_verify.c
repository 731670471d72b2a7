/* `pocd log verify`: the whole log rebuilt from the events table and checked. */
#include <stdlib.h>
#include <string.h>

#include "core/record.h"

#define PROBLEMS_SHOWN 50

struct cp {
	int64_t size;
	uint8_t root[MERKLE_HASH];
	char *note;
};

struct verify {
	struct record *r;
	struct store_conn *rd;
	FILE *out;
	size_t problems;
	struct cp *cps;
	size_t ncps, cap;
	struct merkle_frontier f;
	struct buf text;
};

static void
problem_at(struct verify *v, const char *thing, int64_t idx, const char *what)
{
	/* The first ones name where to look; the count says how far it goes. */
	if (v->problems++ < PROBLEMS_SHOWN)
		fprintf(v->out, "%s %lld: %s\n", thing, (long long)idx, what);
}

static int
keep_cp(int64_t size, const uint8_t root[32], const char *note, void *arg)
{
	struct verify *v = arg;

	if (v->ncps == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct cp *n = realloc(v->cps, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		v->cps = n;
		v->cap = cap;
	}
	v->cps[v->ncps].size = size;
	memcpy(v->cps[v->ncps].root, root, MERKLE_HASH);
	v->cps[v->ncps].note = strdup(note != NULL ? note : "");
	return v->cps[v->ncps++].note == NULL ? -1 : 0;
}

/* The leaf's text is rebuilt from its event's columns: it must hash to the stored hash, and
 * the event must still place it where it is. */
static void
check_leaf(struct verify *v, const struct log_leaf *l)
{
	char party[STATE_SIZE + 1];
	const char *p = l->states;
	uint8_t hash[MERKLE_HASH];
	int64_t k = 0;
	bool found = false;

	if (!l->has_event) {
		problem_at(v, "leaf", l->index, "its event is missing from the events table");
		return;
	}
	v->text.len = 0;
	record_leaf_text(v->r, l, &v->text);
	merkle_leaf_hash(v->text.p, v->text.len, hash);
	if (v->text.oom || memcmp(hash, l->hash, MERKLE_HASH) != 0) {
		problem_at(v, "leaf", l->index,
		           "rebuilt from its event it no longer matches its hash: the event or the "
		           "leaf was altered");
		return;
	}
	while (!found && record_next_party(&p, party)) {
		found = strcmp(party, l->party) == 0;
		k += !found;
	}
	if (!found)
		problem_at(v, "leaf", l->index, "its event no longer names its party");
	else if (l->log_index < 0 || l->log_index + k != l->index)
		problem_at(v, "leaf", l->index,
		           "its event places it elsewhere in the log (reordered)");
}

/* Adds leaf idx to the frontier, checking every stored node it completes. */
static int
check_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[MERKLE_HASH])
{
	struct verify *v = ctx;
	uint8_t stored[MERKLE_HASH];

	if (level >= RECORD_STORED_LEVEL &&
	    (store_log_node_get(v->rd, level, index, stored) != POCD_OK ||
	     memcmp(stored, hash, MERKLE_HASH) != 0))
		problem_at(v, "leaf", (int64_t)v->f.size, "a stored tree node above it differs");
	return 0;
}

/* A checkpoint of size leaves: its root from the frontier, its note and signature. */
static void
check_cp(struct verify *v, const struct cp *cp)
{
	struct checkpoint parsed;
	uint8_t root[MERKLE_HASH];
	size_t body_len, len = strlen(cp->note);
	char msg[96];

	merkle_frontier_root(&v->f, root);
	if (memcmp(root, cp->root, MERKLE_HASH) != 0) {
		problem_at(v, "checkpoint of size", cp->size,
		           "its root is not the root of the leaves");
		return;
	}
	if (!note_parse(cp->note, len, &parsed, &body_len, msg, sizeof(msg)) ||
	    strcmp(parsed.origin, v->r->origin) != 0 || parsed.size != (uint64_t)cp->size ||
	    memcmp(parsed.root, root, MERKLE_HASH) != 0) {
		problem_at(v, "checkpoint of size", cp->size, "its note was altered");
		return;
	}
	for (size_t k = 0; k < v->r->nknown; k++)
		if (note_verify(cp->note, len, &v->r->known[k], NULL))
			return;
	problem_at(v, "checkpoint of size", cp->size,
	           "its signature does not verify with any of the log's keys");
}

size_t
record_verify(struct core *c, FILE *out)
{
	struct verify *v = calloc(1, sizeof(*v));
	struct log_leaf l;
	int64_t size = 0;
	size_t next = 0, problems;

	if (v == NULL)
		return 1;
	v->r = c->record;
	v->out = out;
	v->rd = store_reader(c->store);
	buf_init(&v->text);
	/* One snapshot: the log as it was when the check began, even under a serving pocd. */
	if (v->r == NULL || v->rd == NULL || store_snapshot_begin(v->rd) != POCD_OK ||
	    store_log_size(v->rd, &size) != POCD_OK ||
	    store_log_checkpoints(v->rd, keep_cp, v) != POCD_OK) {
		fprintf(out, "cannot read the log\n");
		v->problems++;
		size = 0;
	}
	for (int64_t i = 0; i < size; i++) {
		if (store_log_leaf_get(v->rd, i, &l) != POCD_OK) {
			problem_at(v, "leaf", i, "it is missing");
			break;
		}
		check_leaf(v, &l);
		/* The stored hash goes into the tree: a changed hash shows in the nodes above it
		 * and in the checkpoints, a changed event in the leaf check. */
		merkle_frontier_push(&v->f, l.hash, check_node, v);
		while (next < v->ncps && v->cps[next].size == i + 1)
			check_cp(v, &v->cps[next++]);
	}
	for (; next < v->ncps; next++)
		problem_at(v, "checkpoint of size", v->cps[next].size,
		           "it covers leaves that are not in the log");
	if (v->rd != NULL)
		store_snapshot_end(v->rd);
	problems = v->problems;
	for (size_t k = 0; k < v->ncps; k++)
		free(v->cps[k].note);
	free(v->cps);
	buf_free(&v->text);
	free(v);
	return problems;
}
