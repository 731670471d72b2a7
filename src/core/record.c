#include "core/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record_keys.h"
#include "lib/timeutil.h"

/* The events the record proves; logins, tokens and deliveries stay in the events table. */
static const char *const logged[] = {
    "poc.created",
    "poc.changed",
    "poc.confirmed",
    "poc.removed",
    "poc.change_proposed",
    "poc.change_applied",
    "poc.change_cancelled",
    "communication.sent",
    "communication.acknowledged",
    "communication.answered",
    "communication.closed",
    "communication.escalated",
    "communication.replied",
    "ping_campaign.created",
    "ping.answered",
    "account.reenrolment",
    "account.reenrolled",
    "account.reenrolment_cancelled",
    NULL,
};

static bool
is_logged(const char *type)
{
	for (size_t i = 0; logged[i] != NULL; i++)
		if (strcmp(type, logged[i]) == 0)
			return true;
	return false;
}

struct meta_job {
	struct store_job job;
	struct record *r;
	enum pocd_err err;
};

/* The log's name and pseudonym key are made once, when the database first needs them. */
static enum pocd_err
meta_run(struct store_conn *w, struct store_job *j)
{
	struct meta_job *mj = (struct meta_job *)j;
	struct record *r = mj->r;
	char hex[2 * sizeof(r->pseudonym_key) + 1], tag[9];
	uint8_t rnd[4];
	enum pocd_err err = store_meta_get(w, "log_origin", r->origin, sizeof(r->origin));

	if (err == POCD_ENOTFOUND) {
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(tag, sizeof(tag), rnd, sizeof(rnd));
		snprintf(r->origin, sizeof(r->origin), "pocd.invalid/log/%s", tag);
		err = store_meta_put(w, "log_origin", r->origin);
	}
	if (err != POCD_OK)
		return err;
	err = store_meta_get(w, "log_pseudonym_key", hex, sizeof(hex));
	if (err == POCD_ENOTFOUND) {
		crypto_auth_hmacsha256_keygen(r->pseudonym_key);
		sodium_bin2hex(hex, sizeof(hex), r->pseudonym_key, sizeof(r->pseudonym_key));
		err = store_meta_put(w, "log_pseudonym_key", hex);
	} else if (err == POCD_OK && sodium_hex2bin(r->pseudonym_key, sizeof(r->pseudonym_key), hex,
	                                            strlen(hex), NULL, NULL, NULL) != 0) {
		err = POCD_ESTORE;
	}
	sodium_memzero(hex, sizeof(hex));
	return err == POCD_OK ? record_keys_run(w, r) : err;
}

int
record_node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH])
{
	uint8_t left[MERKLE_HASH];

	if (level == 0 || level >= RECORD_STORED_LEVEL)
		return store_log_node_get(ctx, level, index, out) == POCD_OK ? 0 : -1;
	if (record_node_get(ctx, level - 1, 2 * index, left) != 0 ||
	    record_node_get(ctx, level - 1, 2 * index + 1, out) != 0)
		return -1;
	merkle_node_hash(left, out, out);
	return 0;
}

struct put_ctx {
	struct record *r;
	struct store_conn *w;
};

/* Keeps a node the open batch made, for the cache once the batch commits. */
static int
pend(struct record *r, unsigned level, uint64_t index, const uint8_t hash[MERKLE_HASH])
{
	if (level >= RECORD_CACHE_LEVELS)
		return 0;
	if (r->npending == r->pending_cap) {
		size_t cap = r->pending_cap ? r->pending_cap * 2 : 1024;
		struct node_entry *n = realloc(r->pending_nodes, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		r->pending_nodes = n;
		r->pending_cap = cap;
	}
	r->pending_nodes[r->npending++] = (struct node_entry){.index = index, .level = level};
	memcpy(r->pending_nodes[r->npending - 1].hash, hash, MERKLE_HASH);
	return 0;
}

static int
node_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[MERKLE_HASH])
{
	struct put_ctx *pc = ctx;

	if (pend(pc->r, level, index, hash) != 0)
		return -1;
	if (level < RECORD_STORED_LEVEL)
		return 0;
	return store_log_node_put(pc->w, level, index, hash) == POCD_OK ? 0 : -1;
}

static bool
cache_get(struct record *r, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH])
{
	struct node_entry *e;
	bool hit;

	if (level >= RECORD_CACHE_LEVELS)
		return false;
	e = &r->cache[level * RECORD_CACHE_SLOTS + index % RECORD_CACHE_SLOTS];
	pthread_mutex_lock(&r->lk);
	hit = e->index == index;
	if (hit)
		memcpy(out, e->hash, MERKLE_HASH);
	pthread_mutex_unlock(&r->lk);
	return hit;
}

struct get_ctx {
	struct record *r;
	struct store_conn *rd;
};

/* merkle_get_fn for receipts: the cache of the newest nodes, then the store. */
static int
cached_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH])
{
	struct get_ctx *gc = ctx;
	uint8_t left[MERKLE_HASH];

	if (cache_get(gc->r, level, index, out))
		return 0;
	if (level == 0 || level >= RECORD_STORED_LEVEL)
		return store_log_node_get(gc->rd, level, index, out) == POCD_OK ? 0 : -1;
	if (cached_get(ctx, level - 1, 2 * index, left) != 0 ||
	    cached_get(ctx, level - 1, 2 * index + 1, out) != 0)
		return -1;
	merkle_node_hash(left, out, out);
	return 0;
}

/* The signed note of the tree with the given frontier, into out (NOTE_MAX bytes). */
static void
sign_note(const struct record *r, uint64_t size, const uint8_t root[MERKLE_HASH], char *out)
{
	struct checkpoint cp = {.size = size};
	char line[NOTE_SIG_LINE];
	size_t n;

	strlcpy(cp.origin, r->origin, sizeof(cp.origin));
	memcpy(cp.root, root, MERKLE_HASH);
	checkpoint_body(&cp, out, NOTE_MAX);
	n = strlen(out);
	note_sign(out, n, &r->key, r->sk, line);
	snprintf(out + n, NOTE_MAX - n, "\n%s", line);
	if (r->has_prev) {
		note_sign(out, n, &r->prev_key, r->prev_sk, line);
		strlcat(out, line, NOTE_MAX);
	}
}

static void
job_begin(void *arg)
{
	struct record *r = arg;

	r->saved = r->work;
	r->saved_npending = r->npending;
}

static void
job_undone(void *arg)
{
	struct record *r = arg;

	r->work = r->saved;
	r->npending = r->saved_npending;
}

/* Signs a checkpoint of the log as the batch left it, if it grew; stores it when the last
 * stored one is old enough. */
static enum pocd_err
batch_end(struct store_conn *w, void *arg)
{
	struct record *r = arg;
	uint8_t root[MERKLE_HASH];
	uint64_t now = mono_us();
	enum pocd_err err = POCD_OK;

	r->pending[0] = '\0';
	r->pending_stored = false;
	if (r->work.size == r->committed.size)
		return POCD_OK;
	merkle_frontier_root(&r->work, root);
	sign_note(r, r->work.size, root, r->pending);
	if (now - r->stored_us >= CHECKPOINT_STORE_US) {
		err = store_log_checkpoint_add(w, (int64_t)r->work.size, root, r->pending, now_s());
		r->pending_stored = err == POCD_OK;
	}
	return err;
}

static void
batch_done(void *arg, bool committed)
{
	struct record *r = arg;

	if (!committed) {
		r->work = r->committed;
		r->npending = 0;
		return;
	}
	r->committed = r->work;
	if (r->pending[0] == '\0')
		return;
	if (r->pending_stored) {
		r->stored_size = r->work.size;
		r->stored_us = mono_us();
	}
	pthread_mutex_lock(&r->lk);
	for (size_t i = 0; i < r->npending; i++) {
		const struct node_entry *e = &r->pending_nodes[i];
		r->cache[e->level * RECORD_CACHE_SLOTS + e->index % RECORD_CACHE_SLOTS] = *e;
	}
	strlcpy(r->published, r->pending, sizeof(r->published));
	r->published_size = r->work.size;
	pthread_mutex_unlock(&r->lk);
	r->npending = 0;
}

struct start_job {
	struct store_job job;
	struct record *r;
};

/* Reads the right edge of the tree and the newest checkpoint; signs and stores one for the
 * whole log when the last was lost (a crash within CHECKPOINT_STORE_US of a write). */
static enum pocd_err
start_run(struct store_conn *w, struct store_job *j)
{
	struct record *r = ((struct start_job *)j)->r;
	uint8_t root[MERKLE_HASH];
	int64_t size, last = 0;
	char *note = NULL;
	enum pocd_err err = store_log_size(w, &size);

	if (err == POCD_OK)
		err = merkle_frontier_load(&r->work, (uint64_t)size, record_node_get, w);
	if (err == POCD_OK)
		err = store_log_checkpoint_last(w, &last, &note);
	if (err == POCD_ENOTFOUND)
		err = POCD_OK;
	if (err != POCD_OK)
		goto out;
	r->committed = r->work;
	if (size > 0 && last != size) {
		merkle_frontier_root(&r->work, root);
		sign_note(r, (uint64_t)size, root, r->published);
		err = store_log_checkpoint_add(w, size, root, r->published, now_s());
	} else if (note != NULL) {
		strlcpy(r->published, note, sizeof(r->published));
	}
	r->published_size = (uint64_t)size;
	r->stored_size = (uint64_t)size;
out:
	free(note);
	return err;
}

enum pocd_err
record_open(struct core *c, const char *db_path, char *msg, size_t msglen)
{
	struct record *r = sodium_malloc(sizeof(*r));
	struct meta_job mj = {.job.run = meta_run};
	struct start_job sj = {.job.run = start_run};
	struct store_hooks hooks = {.job_begin = job_begin,
	                            .job_undone = job_undone,
	                            .batch_end = batch_end,
	                            .batch_done = batch_done};
	char path[1100];
	enum pocd_err err;

	if (r == NULL) {
		snprintf(msg, msglen, "out of memory");
		return POCD_ENOMEM;
	}
	memset(r, 0, sizeof(*r));
	if ((size_t)snprintf(path, sizeof(path), "%s.logkey", db_path) >= sizeof(path)) {
		snprintf(msg, msglen, "the database path is too long");
		sodium_free(r);
		return POCD_EINVAL;
	}
	err = record_load_keys(r, path, c->store, msg, msglen);
	mj.r = r;
	if (err == POCD_OK)
		err = store_run_sync(c->store, &mj.job);
	if (err == POCD_OK) {
		sj.r = r;
		err = store_run_sync(c->store, &sj.job);
	}
	if (err != POCD_OK) {
		if (msg[0] == '\0')
			snprintf(msg, msglen, "cannot set up the log: %s", pocd_err_name(err));
		sodium_free(r);
		return err;
	}
	r->cache = malloc(RECORD_CACHE_LEVELS * RECORD_CACHE_SLOTS * sizeof(*r->cache));
	if (r->cache == NULL) {
		sodium_free(r);
		snprintf(msg, msglen, "out of memory");
		return POCD_ENOMEM;
	}
	for (size_t i = 0; i < RECORD_CACHE_LEVELS * RECORD_CACHE_SLOTS; i++)
		r->cache[i].index = UINT64_MAX;
	pthread_mutex_init(&r->lk, NULL);
	r->stored_us = mono_us();
	c->record = r;
	hooks.arg = r;
	store_set_hooks(c->store, &hooks);
	return POCD_OK;
}

struct flush_job {
	struct store_job job;
	struct record *r;
};

static enum pocd_err
flush_run(struct store_conn *w, struct store_job *j)
{
	struct record *r = ((struct flush_job *)j)->r;
	uint8_t root[MERKLE_HASH];

	if (r->published_size == 0 || r->published_size == r->stored_size)
		return POCD_OK;
	merkle_frontier_root(&r->committed, root);
	return store_log_checkpoint_add(w, (int64_t)r->published_size, root, r->published, now_s());
}

void
record_close(struct core *c)
{
	struct record *r = c->record;
	struct flush_job fj = {.job.run = flush_run};

	if (r == NULL)
		return;
	/* The last checkpoint handed out is kept, so that `pocd log verify` covers every leaf. */
	fj.r = r;
	if (store_run_sync(c->store, &fj.job) != POCD_OK)
		fprintf(stderr, "pocd: cannot store the last checkpoint of the log\n");
	store_set_hooks(c->store, NULL);
	pthread_mutex_destroy(&r->lk);
	free(r->cache);
	free(r->pending_nodes);
	sodium_free(r);
	c->record = NULL;
}

/* RFC 8785 string: only '"', '\\' and control characters are escaped. */
static void
json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	buf_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		buf_add(b, run, (size_t)(s - run));
		run = s + 1;
		switch (ch) {
		case '"':
			buf_add(b, "\\\"", 2);
			break;
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\b':
			buf_add(b, "\\b", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\f':
			buf_add(b, "\\f", 2);
			break;
		case '\r':
			buf_add(b, "\\r", 2);
			break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
			buf_add(b, u, sizeof(u));
		}
		}
	}
	buf_add(b, run, (size_t)(s - run));
	buf_add(b, "\"", 1);
}

void
record_leaf_text(const struct record *r, const struct log_leaf *l, struct buf *out)
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	char pseud[33], msg[64];

	/* Per party state, so two states cannot match the same account across their leaves. */
	if (l->actor_account[0] != '\0') {
		snprintf(msg, sizeof(msg), "%s:%s", l->party, l->actor_account);
		crypto_auth_hmacsha256(mac, (const uint8_t *)msg, strlen(msg), r->pseudonym_key);
		sodium_bin2hex(pseud, sizeof(pseud), mac, 16);
	} else {
		strlcpy(pseud, "system", sizeof(pseud));
	}
	/* Members in code-point order of their names. */
	buf_puts(out, "{\"actor\":");
	json_str(out, pseud);
	buf_puts(out, ",\"actor_role\":");
	json_str(out, l->actor_role[0] != '\0' ? l->actor_role : "system");
	buf_puts(out, ",\"actor_state\":");
	json_str(out, l->actor_state);
	buf_puts(out, ",\"commitment\":");
	json_str(out, l->commitment);
	buf_puts(out, ",\"event\":");
	json_str(out, l->type);
	buf_puts(out, ",\"event_id\":");
	json_str(out, l->event_id);
	buf_puts(out, ",\"object\":");
	json_str(out, l->object);
	buf_puts(out, ",\"party\":");
	json_str(out, l->party);
	buf_puts(out, ",\"salt\":");
	json_str(out, l->salt);
	buf_printf(out, ",\"time\":%lld}", (long long)l->at);
}

bool
record_next_party(const char **p, char party[STATE_SIZE + 1])
{
	while (*p != NULL && **p != '\0') {
		const char *comma = strchr(*p, ',');
		size_t n = comma != NULL ? (size_t)(comma - *p) : strlen(*p);
		const char *start = *p;

		*p = comma != NULL ? comma + 1 : NULL;
		if (n > 0 && n <= STATE_SIZE) {
			memcpy(party, start, n);
			party[n] = '\0';
			return true;
		}
	}
	return false;
}

void
leaf_ref_clear(struct leaf_ref *ref)
{
	ref->event_id[0] = '\0';
	ref->index = -1;
}

/* The leaf of ev for party: a fresh salt, the commitment to the event's content. */
static void
leaf_of(const struct event *ev, const char *id, const char *party, int64_t at, int64_t index,
        struct log_leaf *l)
{
	const char *content = ev->content != NULL ? ev->content : ev->details;
	uint8_t salt[16], commit[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;

	memset(l, 0, sizeof(*l));
	l->index = index;
	strlcpy(l->event_id, id, sizeof(l->event_id));
	strlcpy(l->party, party, sizeof(l->party));
	randombytes_buf(salt, sizeof(salt));
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, salt, sizeof(salt));
	crypto_hash_sha256_update(&st, (const uint8_t *)(content != NULL ? content : ""),
	                          content != NULL ? strlen(content) : 0);
	crypto_hash_sha256_final(&st, commit);
	sodium_bin2hex(l->salt, sizeof(l->salt), salt, sizeof(salt));
	sodium_bin2hex(l->commitment, sizeof(l->commitment), commit, sizeof(commit));
	strlcpy(l->type, ev->type, sizeof(l->type));
	l->at = at;
	strlcpy(l->actor_account, ev->actor_account != NULL ? ev->actor_account : "",
	        sizeof(l->actor_account));
	strlcpy(l->actor_role, ev->actor_role != NULL ? ev->actor_role : "", sizeof(l->actor_role));
	strlcpy(l->actor_state, ev->actor_state != NULL ? ev->actor_state : "",
	        sizeof(l->actor_state));
	strlcpy(l->object, ev->object_id != NULL ? ev->object_id : "", sizeof(l->object));
}

enum pocd_err
record_event(struct store_conn *w, struct core *c, const struct event *ev, int64_t at,
             struct leaf_ref *mine)
{
	struct record *r = c->record;
	struct put_ctx pc = {.r = r, .w = w};
	struct event e = *ev;
	struct log_leaf l;
	struct buf text;
	char id[ID_SIZE], party[STATE_SIZE + 1];
	uint8_t hash[MERKLE_HASH];
	const char *p;
	enum pocd_err err = POCD_OK;

	if (e.id == NULL) {
		rand_id(id);
		e.id = id;
	}
	if (r == NULL || !is_logged(e.type))
		return store_event_append(w, &e, at);
	err = store_event_append_logged(w, &e, at, (int64_t)r->work.size);
	buf_init(&text);
	for (p = e.states; err == POCD_OK && record_next_party(&p, party);) {
		int64_t index = (int64_t)r->work.size;
		leaf_of(&e, e.id, party, at, index, &l);
		text.len = 0;
		record_leaf_text(r, &l, &text);
		if (text.oom) {
			err = POCD_ENOMEM;
			break;
		}
		merkle_leaf_hash(text.p, text.len, hash);
		err = store_log_leaf_add(w, index, e.id, party, l.salt, l.commitment, hash);
		if (err == POCD_OK && pend(r, 0, (uint64_t)index, hash) != 0)
			err = POCD_ENOMEM;
		if (err == POCD_OK)
			err = merkle_frontier_push(&r->work, hash, node_put, &pc);
		if (err == POCD_OK && mine != NULL && e.actor_state != NULL &&
		    strcmp(party, e.actor_state) == 0 && text.len < sizeof(mine->leaf)) {
			strlcpy(mine->event_id, e.id, sizeof(mine->event_id));
			memcpy(mine->leaf, text.p, text.len + 1);
			mine->index = index;
		}
	}
	buf_free(&text);
	return err;
}

/* The cosignature lines of the checkpoint of size, appended to out. */
static int
add_cosig(const char *line, void *arg)
{
	buf_puts(arg, line);
	return 0;
}

enum pocd_err
record_checkpoint(struct core *c, struct store_conn *rd, uint64_t size, struct buf *out,
                  uint64_t *size_out)
{
	struct record *r = c->record;
	char note[NOTE_MAX];
	uint8_t root[MERKLE_HASH];
	enum pocd_err err;

	if (r == NULL)
		return POCD_EUNAVAILABLE;
	pthread_mutex_lock(&r->lk);
	if (size == 0 || size == r->published_size) {
		size = r->published_size;
		strlcpy(note, r->published, sizeof(note));
	} else if (size > r->published_size) {
		size = 0;
	} else {
		note[0] = '\0';
	}
	pthread_mutex_unlock(&r->lk);
	if (size == 0)
		return POCD_ENOTFOUND;
	/* Ed25519 signatures are deterministic: the note of any past size is signed again. */
	if (note[0] == '\0') {
		err = merkle_root(size, record_node_get, rd, root);
		if (err != POCD_OK)
			return err;
		sign_note(r, size, root, note);
	}
	buf_puts(out, note);
	err = store_log_cosignatures(rd, (int64_t)size, add_cosig, out);
	*size_out = size;
	return err != POCD_OK ? err : out->oom ? POCD_ENOMEM : POCD_OK;
}

void
receipt_free(struct receipt *rc)
{
	free(rc->leaf);
	free(rc->note);
	rc->leaf = rc->note = NULL;
}

enum pocd_err
record_receipt(struct core *c, struct store_conn *rd, const char *event_id, const char *party,
               struct receipt *out)
{
	char states[STATES_SCOPE_SIZE], p[STATE_SIZE + 1];
	const char *s = states;
	struct log_leaf l;
	struct buf text, note;
	int64_t first, index = -1, cosigned = 0;
	struct get_ctx gc = {.r = c->record, .rd = rd};
	enum pocd_err err;

	memset(out, 0, sizeof(*out));
	if (c->record == NULL)
		return POCD_EUNAVAILABLE;
	err = store_event_log_index(rd, event_id, &first, states, sizeof(states));
	if (err != POCD_OK)
		return err;
	for (int64_t k = 0; index < 0 && record_next_party(&s, p); k++)
		if (strcmp(p, party) == 0)
			index = first + k;
	if (index < 0)
		return POCD_ENOTFOUND;
	err = store_log_leaf_get(rd, index, &l);
	if (err != POCD_OK)
		return err;
	buf_init(&text);
	buf_init(&note);
	record_leaf_text(c->record, &l, &text);
	err = store_log_cosigned_size(rd, index + 1, &cosigned);
	if (err == POCD_OK)
		err = record_checkpoint(c, rd, (uint64_t)cosigned, &note, &out->size);
	if (err == POCD_OK)
		err = merkle_inclusion((uint64_t)index, out->size, cached_get, &gc, out->proof,
		                       &out->nproof);
	if (err == POCD_OK && (text.oom || note.oom))
		err = POCD_ENOMEM;
	if (err != POCD_OK) {
		buf_free(&text);
		buf_free(&note);
		return err;
	}
	strlcpy(out->event_id, event_id, sizeof(out->event_id));
	out->index = index;
	out->leaf = buf_steal(&text, NULL);
	out->note = buf_steal(&note, NULL);
	return POCD_OK;
}

enum pocd_err
record_receipt_of(struct core *c, struct store_conn *rd, const struct leaf_ref *ref,
                  struct receipt *out)
{
	struct record *r = c->record;
	struct get_ctx gc = {.r = r, .rd = rd};
	enum pocd_err err;

	memset(out, 0, sizeof(*out));
	if (r == NULL || ref->index < 0)
		return POCD_ENOTFOUND;
	/* The batch that made the leaf published its checkpoint before the write was answered;
	 * a fresh leaf has no cosignature yet. */
	pthread_mutex_lock(&r->lk);
	out->size = r->published_size;
	out->note = strdup(r->published);
	pthread_mutex_unlock(&r->lk);
	out->leaf = strdup(ref->leaf);
	if (out->note == NULL || out->leaf == NULL) {
		receipt_free(out);
		return POCD_ENOMEM;
	}
	err = merkle_inclusion((uint64_t)ref->index, out->size, cached_get, &gc, out->proof,
	                       &out->nproof);
	if (err != POCD_OK) {
		receipt_free(out);
		return err;
	}
	strlcpy(out->event_id, ref->event_id, sizeof(out->event_id));
	out->index = ref->index;
	return POCD_OK;
}
