#include "core/record.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/merkle.h"
#include "lib/timeutil.h"

/* The events the record proves; logins, tokens and deliveries stay in the events table. */
static const char *const logged[] = {
    "poc.created",
    "poc.changed",
    "poc.confirmed",
    "poc.removed",
    "communication.sent",
    "communication.acknowledged",
    "communication.answered",
    "communication.closed",
    "communication.escalated",
    "ping_campaign.created",
    "ping.answered",
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

/* C2SP signed-note key id: SHA-256(name || "\n" || 0x01 || public key), first 4 bytes. */
static void
key_id(const char *name, const uint8_t pk[crypto_sign_PUBLICKEYBYTES], uint8_t out[4])
{
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES], alg = 0x01;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
	crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
	crypto_hash_sha256_update(&st, &alg, 1);
	crypto_hash_sha256_update(&st, pk, crypto_sign_PUBLICKEYBYTES);
	crypto_hash_sha256_final(&st, h);
	memcpy(out, h, 4);
}

void
record_verifier_key(const struct record *r, char out[256])
{
	uint8_t raw[1 + crypto_sign_PUBLICKEYBYTES];
	char b64[sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_ORIGINAL)];
	char hex[9];

	raw[0] = 0x01;
	memcpy(raw + 1, r->pk, crypto_sign_PUBLICKEYBYTES);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2hex(hex, sizeof(hex), r->keyid, 4);
	snprintf(out, 256, "%s+%s+%s", r->origin, hex, b64);
}

/* Reads the secret key from path, or makes one there (mode 0600) when it is absent and the
 * log has signed nothing yet: a lost key is an error, not a fresh start. */
static enum pocd_err
load_key(struct record *r, const char *path, struct store *st, char *msg, size_t msglen)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct store_conn *rd;
	int64_t size = 0;
	char *note = NULL;
	ssize_t got;

	if (fd < 0 && errno == ENOENT) {
		rd = store_reader(st);
		if (rd == NULL || store_log_checkpoint_last(rd, &size, &note) != POCD_ENOTFOUND) {
			free(note);
			snprintf(
			    msg, msglen,
			    "the log key %s is missing but the log has checkpoints signed with "
			    "it: restore the key from the backup",
			    path);
			return POCD_ENOTFOUND;
		}
		crypto_sign_keypair(r->pk, r->sk);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 || write(fd, r->sk, sizeof(r->sk)) != (ssize_t)sizeof(r->sk) ||
		    fsync(fd) != 0) {
			snprintf(msg, msglen, "cannot write the log key %s: %s", path,
			         strerror(errno));
			if (fd >= 0)
				close(fd);
			return POCD_ESTORE;
		}
		close(fd);
		return POCD_OK;
	}
	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(msg, msglen, "cannot read the log key %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return POCD_ESTORE;
	}
	if ((sb.st_mode & 077) != 0) {
		snprintf(msg, msglen, "the log key %s may be read by others: chmod 600 it", path);
		close(fd);
		return POCD_EFORBIDDEN;
	}
	got = read(fd, r->sk, sizeof(r->sk));
	close(fd);
	if (got != (ssize_t)sizeof(r->sk)) {
		snprintf(msg, msglen, "the log key %s is not a key of this service", path);
		return POCD_ESTORE;
	}
	crypto_sign_ed25519_sk_to_pk(r->pk, r->sk);
	return POCD_OK;
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
	return err;
}

/* Only subtrees of 2^STORED_LEVEL leaves and more are stored: the smaller ones are folded
 * from leaf hashes when asked for (at most 2^STORED_LEVEL - 1 of them), which spares most
 * of the rows a write would add and keeps every proof at O(log n) reads. */
#define STORED_LEVEL 4

int
record_node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH])
{
	uint8_t left[MERKLE_HASH];

	if (level == 0 || level >= STORED_LEVEL)
		return store_log_node_get(ctx, level, index, out) == POCD_OK ? 0 : -1;
	if (record_node_get(ctx, level - 1, 2 * index, left) != 0 ||
	    record_node_get(ctx, level - 1, 2 * index + 1, out) != 0)
		return -1;
	merkle_node_hash(left, out, out);
	return 0;
}

static int
node_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[MERKLE_HASH])
{
	if (level < STORED_LEVEL)
		return 0;
	return store_log_node_put(ctx, level, index, hash) == POCD_OK ? 0 : -1;
}

/* Signs a checkpoint of the log as the batch left it, if it grew. */
static enum pocd_err
checkpoint(struct store_conn *w, void *arg)
{
	struct record *r = ((struct core *)arg)->record;
	int64_t size, last = -1;
	uint8_t root[MERKLE_HASH], sig[4 + crypto_sign_BYTES];
	char root64[sodium_base64_ENCODED_LEN(MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL)];
	char sig64[sodium_base64_ENCODED_LEN(sizeof(sig), sodium_base64_VARIANT_ORIGINAL)];
	char body[256], note[512], *prev = NULL;
	enum pocd_err err = store_log_size(w, &size);

	if (err == POCD_OK)
		err = store_log_checkpoint_last(w, &last, &prev);
	free(prev);
	if (err == POCD_ENOTFOUND)
		err = POCD_OK;
	if (err != POCD_OK || size == last || size == 0)
		return err;
	err = merkle_root((uint64_t)size, record_node_get, w, root);
	if (err != POCD_OK)
		return err;
	sodium_bin2base64(root64, sizeof(root64), root, sizeof(root),
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(body, sizeof(body), "%s\n%lld\n%s\n", r->origin, (long long)size, root64);
	memcpy(sig, r->keyid, 4);
	crypto_sign_detached(sig + 4, NULL, (const uint8_t *)body, strlen(body), r->sk);
	sodium_bin2base64(sig64, sizeof(sig64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	/* A signed note: the body, a blank line, then "— NAME SIGNATURE". */
	snprintf(note, sizeof(note), "%s\n\xe2\x80\x94 %s %s\n", body, r->origin, sig64);
	return store_log_checkpoint_add(w, size, root, note, now_s());
}

enum pocd_err
record_open(struct core *c, const char *db_path, char *msg, size_t msglen)
{
	struct record *r = sodium_malloc(sizeof(*r));
	struct meta_job mj = {.job.run = meta_run};
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
	err = load_key(r, path, c->store, msg, msglen);
	mj.r = r;
	if (err == POCD_OK)
		err = store_run_sync(c->store, &mj.job);
	if (err != POCD_OK) {
		if (msg[0] == '\0')
			snprintf(msg, msglen, "cannot set up the log: %s", pocd_err_name(err));
		sodium_free(r);
		return err;
	}
	key_id(r->origin, r->pk, r->keyid);
	c->record = r;
	store_set_batch_hook(c->store, checkpoint, c);
	return POCD_OK;
}

void
record_free(struct record *r)
{
	if (r != NULL)
		sodium_free(r);
}

/* The canonical JSON (RFC 8785: members sorted, no white space; only strings and integers)
 * of one leaf. Returns malloc'd text. */
static char *
leaf_text(struct core *c, const struct event *ev, const char *id, const char *party, int64_t at)
{
	struct record *r = c->record;
	uint8_t salt[16], mac[crypto_auth_hmacsha256_BYTES], commit[crypto_hash_sha256_BYTES];
	char salt_hex[33], pseud[33], commit_hex[65], msg[64];
	const char *content = ev->content != NULL ? ev->content : ev->details;
	crypto_hash_sha256_state st;
	json_t *o;
	char *text;

	randombytes_buf(salt, sizeof(salt));
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, salt, sizeof(salt));
	crypto_hash_sha256_update(&st, (const uint8_t *)(content != NULL ? content : ""),
	                          content != NULL ? strlen(content) : 0);
	crypto_hash_sha256_final(&st, commit);
	sodium_bin2hex(salt_hex, sizeof(salt_hex), salt, sizeof(salt));
	sodium_bin2hex(commit_hex, sizeof(commit_hex), commit, sizeof(commit));
	/* Per party state, so two states cannot match the same account across their leaves. */
	if (ev->actor_account != NULL && ev->actor_account[0] != '\0') {
		snprintf(msg, sizeof(msg), "%s:%s", party, ev->actor_account);
		crypto_auth_hmacsha256(mac, (const uint8_t *)msg, strlen(msg), r->pseudonym_key);
		sodium_bin2hex(pseud, sizeof(pseud), mac, 16);
	} else {
		strlcpy(pseud, "system", sizeof(pseud));
	}
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "actor", pseud, "actor_role",
	              ev->actor_role != NULL ? ev->actor_role : "system", "actor_state",
	              ev->actor_state != NULL && ev->actor_state[0] ? ev->actor_state : "",
	              "commitment", commit_hex, "event", ev->type, "event_id", id, "object",
	              ev->object_id != NULL ? ev->object_id : "", "party", party, "salt", salt_hex,
	              "time", (json_int_t)at);
	text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return text;
}

enum pocd_err
record_event(struct store_conn *w, struct core *c, const struct event *ev, int64_t at)
{
	struct event e = *ev;
	char id[ID_SIZE], party[STATE_SIZE + 1], *leaf;
	uint8_t hash[MERKLE_HASH];
	const char *p, *comma;
	int64_t size;
	size_t n;
	enum pocd_err err;

	if (e.id == NULL) {
		rand_id(id);
		e.id = id;
	}
	err = store_event_append(w, &e, at);
	if (err != POCD_OK || c->record == NULL || !is_logged(e.type))
		return err;
	err = store_log_size(w, &size);
	for (p = e.states; err == POCD_OK && p != NULL && *p != '\0';
	     p = comma ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n == 0 || n >= sizeof(party))
			continue;
		memcpy(party, p, n);
		party[n] = '\0';
		leaf = leaf_text(c, &e, e.id, party, at);
		if (leaf == NULL)
			return POCD_ENOMEM;
		merkle_leaf_hash(leaf, strlen(leaf), hash);
		err = store_log_leaf_add(w, size, e.id, party, leaf, hash);
		free(leaf);
		if (err == POCD_OK)
			err = merkle_append((uint64_t)size, hash, node_put, record_node_get, w);
		size++;
	}
	return err;
}

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
	/* The complete subtrees of the leaves so far, largest first. */
	uint8_t frontier[64][MERKLE_HASH];
	unsigned level[64];
	size_t nf;
};

static void
problem_at(struct verify *v, const char *thing, int64_t idx, const char *what)
{
	/* The first ones name where to look; the count says how far it goes. */
	if (v->problems++ < PROBLEMS_SHOWN)
		fprintf(v->out, "%s %lld: %s\n", thing, (long long)idx, what);
}

static const char *
str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
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

/* The leaf repeats its event's columns: the event must still be there, unchanged. */
static void
check_event(struct verify *v, int64_t idx, const char *leaf, const char *party)
{
	json_t *o = json_loads(leaf, 0, NULL);
	const char *id = json_string_value(json_object_get(o, "event_id"));
	char type[48], object[ID_SIZE + 8], states[STATES_SCOPE_SIZE], *p;
	int64_t at;
	size_t n = strlen(party);
	bool in = false;

	if (id == NULL || store_event_get(v->rd, id, type, sizeof(type), &at, object,
	                                  sizeof(object), states, sizeof(states)) != POCD_OK) {
		problem_at(v, "leaf", idx, "its event is missing from the events table");
	} else if (strcmp(type, str_of(o, "event")) != 0 ||
	           strcmp(object, str_of(o, "object")) != 0 ||
	           at != json_integer_value(json_object_get(o, "time"))) {
		problem_at(v, "leaf", idx, "its event was altered in the events table");
	} else {
		for (p = states; (p = strstr(p, party)) != NULL; p += n)
			in |= (p == states || p[-1] == ',') && (p[n] == ',' || p[n] == '\0');
		if (!in)
			problem_at(v, "leaf", idx, "its event no longer names its party");
	}
	json_decref(o);
}

/* Adds leaf idx to the frontier, checking every stored node it completes. */
static void
push(struct verify *v, int64_t idx, const uint8_t hash[MERKLE_HASH])
{
	uint8_t stored[MERKLE_HASH];
	uint64_t i = (uint64_t)idx;

	memcpy(v->frontier[v->nf], hash, MERKLE_HASH);
	v->level[v->nf++] = 0;
	while (v->nf >= 2 && v->level[v->nf - 1] == v->level[v->nf - 2]) {
		unsigned lvl = v->level[v->nf - 1] + 1;
		merkle_node_hash(v->frontier[v->nf - 2], v->frontier[v->nf - 1],
		                 v->frontier[v->nf - 2]);
		v->level[v->nf - 2] = lvl;
		v->nf--;
		if (lvl >= STORED_LEVEL &&
		    (store_log_node_get(v->rd, lvl, i >> lvl, stored) != POCD_OK ||
		     memcmp(stored, v->frontier[v->nf - 1], MERKLE_HASH) != 0))
			problem_at(v, "leaf", idx, "a stored tree node above it differs");
	}
}

/* A checkpoint of size leaves: its root from the frontier, its note and signature. */
static void
check_cp(struct verify *v, const struct cp *cp)
{
	uint8_t root[MERKLE_HASH], sig[4 + crypto_sign_BYTES];
	char body[256], root64[64], line[256], *nl;
	size_t blen, siglen;

	memcpy(root, v->frontier[v->nf - 1], MERKLE_HASH);
	for (size_t k = v->nf - 1; k-- > 0;)
		merkle_node_hash(v->frontier[k], root, root);
	if (memcmp(root, cp->root, MERKLE_HASH) != 0) {
		problem_at(v, "checkpoint of size", cp->size,
		           "its root is not the root of the leaves");
		return;
	}
	sodium_bin2base64(root64, sizeof(root64), root, MERKLE_HASH,
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(body, sizeof(body), "%s\n%lld\n%s\n", v->r->origin, (long long)cp->size, root64);
	blen = strlen(body);
	if (strncmp(cp->note, body, blen) != 0 || cp->note[blen] != '\n') {
		problem_at(v, "checkpoint of size", cp->size, "its note was altered");
		return;
	}
	snprintf(line, sizeof(line), "\xe2\x80\x94 %s ", v->r->origin);
	if (strncmp(cp->note + blen + 1, line, strlen(line)) != 0) {
		problem_at(v, "checkpoint of size", cp->size, "it is not signed by this log");
		return;
	}
	strlcpy(line, cp->note + blen + 1 + strlen(line), sizeof(line));
	if ((nl = strchr(line, '\n')) != NULL)
		*nl = '\0';
	if (sodium_base642bin(sig, sizeof(sig), line, strlen(line), NULL, &siglen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    siglen != sizeof(sig) || memcmp(sig, v->r->keyid, 4) != 0 ||
	    crypto_sign_verify_detached(sig + 4, (const uint8_t *)body, blen, v->r->pk) != 0)
		problem_at(v, "checkpoint of size", cp->size,
		           "its signature does not verify with the log's key");
}

size_t
record_verify(struct core *c, FILE *out)
{
	struct verify *v = calloc(1, sizeof(*v));
	char party[STATE_SIZE + 1], *leaf;
	uint8_t stored[MERKLE_HASH], hash[MERKLE_HASH];
	int64_t size = 0;
	size_t next = 0, problems;

	if (v == NULL)
		return 1;
	v->r = c->record;
	v->out = out;
	v->rd = store_reader(c->store);
	if (v->r == NULL || v->rd == NULL || store_log_size(v->rd, &size) != POCD_OK ||
	    store_log_checkpoints(v->rd, keep_cp, v) != POCD_OK) {
		fprintf(out, "cannot read the log\n");
		v->problems++;
		size = 0;
	}
	for (int64_t i = 0; i < size; i++) {
		if (store_log_leaf_get(v->rd, i, party, &leaf, stored) != POCD_OK) {
			problem_at(v, "leaf", i, "it is missing");
			break;
		}
		merkle_leaf_hash(leaf, strlen(leaf), hash);
		if (memcmp(hash, stored, MERKLE_HASH) != 0)
			problem_at(v, "leaf", i, "its text does not match its hash");
		check_event(v, i, leaf, party);
		free(leaf);
		push(v, i, hash);
		while (next < v->ncps && v->cps[next].size == i + 1)
			check_cp(v, &v->cps[next++]);
	}
	for (; next < v->ncps; next++)
		problem_at(v, "checkpoint of size", v->cps[next].size,
		           "it covers leaves that are not in the log");
	problems = v->problems;
	for (size_t k = 0; k < v->ncps; k++)
		free(v->cps[k].note);
	free(v->cps);
	free(v);
	return problems;
}
