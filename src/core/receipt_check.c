#include "core/receipt_check.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/merkle.h"

#define B64 sodium_base64_VARIANT_ORIGINAL

static bool
fail(char *msg, size_t msglen, const char *what)
{
	snprintf(msg, msglen, "%s", what);
	return false;
}

static bool
copy_str(const json_t *o, const char *key, char *out, size_t outlen)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL || strlen(s) >= outlen)
		return false;
	memcpy(out, s, strlen(s) + 1);
	return true;
}

/* The leaf's members, as the log wrote them: the ones the facts report and the commitment. */
static bool
read_leaf(const char *leaf, struct receipt_facts *f, uint8_t salt[16], uint8_t commit[32])
{
	json_t *o = json_loads(leaf, JSON_REJECT_DUPLICATES, NULL);
	const char *s, *c;
	size_t n1 = 0, n2 = 0;
	bool ok;

	s = json_string_value(json_object_get(o, "salt"));
	c = json_string_value(json_object_get(o, "commitment"));
	ok = json_is_object(o) && copy_str(o, "event", f->event, sizeof(f->event)) &&
	     copy_str(o, "event_id", f->event_id, sizeof(f->event_id)) &&
	     copy_str(o, "object", f->object, sizeof(f->object)) &&
	     copy_str(o, "party", f->party, sizeof(f->party)) &&
	     copy_str(o, "actor_state", f->actor_state, sizeof(f->actor_state)) &&
	     json_is_integer(json_object_get(o, "time")) && s != NULL && c != NULL &&
	     strlen(s) == 32 && strlen(c) == 64 &&
	     sodium_hex2bin(salt, 16, s, 32, NULL, &n1, NULL) == 0 && n1 == 16 &&
	     sodium_hex2bin(commit, 32, c, 64, NULL, &n2, NULL) == 0 && n2 == 32;
	if (ok)
		f->time = json_integer_value(json_object_get(o, "time"));
	json_decref(o);
	return ok;
}

static size_t
count_cosigned(const char *note, size_t len, const struct receipt_check *chk)
{
	size_t n = 0;

	for (size_t i = 0; i < chk->nwitnesses; i++)
		n += note_verify(note, len, &chk->witnesses[i], NULL);
	return n;
}

bool
receipt_check(const char *text, size_t len, const struct receipt_check *chk,
              struct receipt_facts *out, char *msg, size_t msglen)
{
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH], leaf_hash[MERKLE_HASH], salt[16], commit[32],
	    got[32];
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL), *r, *p, *idx;
	const char *leaf, *note, *event_id;
	struct checkpoint cp;
	crypto_hash_sha256_state st;
	size_t n = 0, body_len, blen;
	char why[96];
	bool ok = false;

	memset(out, 0, sizeof(*out));
	r = json_object_get(doc, "receipt") != NULL ? json_object_get(doc, "receipt") : doc;
	leaf = json_string_value(json_object_get(r, "leaf"));
	note = json_string_value(json_object_get(r, "checkpoint"));
	event_id = json_string_value(json_object_get(r, "event_id"));
	idx = json_object_get(r, "index");
	p = json_object_get(r, "proof");
	if (!json_is_object(r) || leaf == NULL || note == NULL || event_id == NULL ||
	    !json_is_integer(idx) || json_integer_value(idx) < 0 || !json_is_array(p) ||
	    json_array_size(p) > MERKLE_PROOF_MAX) {
		ok = fail(
		    msg, msglen,
		    "the file is not a receipt: it needs event_id, leaf, index, checkpoint and "
		    "proof");
		goto out;
	}
	if (!note_parse(note, strlen(note), &cp, &body_len, why, sizeof(why))) {
		snprintf(msg, msglen, "the checkpoint %s", why);
		goto out;
	}
	for (size_t k = 0; !ok && k < chk->nlog_keys; k++)
		ok = strcmp(cp.origin, chk->log_keys[k].name) == 0 &&
		     note_verify(note, strlen(note), &chk->log_keys[k], NULL);
	if (!ok) {
		snprintf(
		    msg, msglen,
		    "the checkpoint of the log %s has no valid signature by %sthe log key%s given",
		    cp.origin, chk->nlog_keys > 1 ? "any of " : "", chk->nlog_keys > 1 ? "s" : "");
		goto out;
	}
	ok = false;
	snprintf(out->log_name, sizeof(out->log_name), "%s", cp.origin);
	out->cosigned = count_cosigned(note, strlen(note), chk);
	if (out->cosigned < chk->min_witnesses) {
		snprintf(msg, msglen, "%zu of the witnesses cosigned the checkpoint; %zu required",
		         out->cosigned, chk->min_witnesses);
		goto out;
	}
	for (n = 0; n < json_array_size(p); n++) {
		const char *h = json_string_value(json_array_get(p, n));
		if (h == NULL ||
		    sodium_base642bin(proof[n], MERKLE_HASH, h, strlen(h), NULL, &blen, NULL,
		                      B64) != 0 ||
		    blen != MERKLE_HASH) {
			ok = fail(msg, msglen, "the proof holds something that is not a hash");
			goto out;
		}
	}
	out->index = (uint64_t)json_integer_value(idx);
	out->size = cp.size;
	merkle_leaf_hash(leaf, strlen(leaf), leaf_hash);
	if (!merkle_verify_inclusion(out->index, cp.size, leaf_hash, (const uint8_t(*)[32])proof, n,
	                             cp.root)) {
		ok = fail(
		    msg, msglen,
		    "the inclusion proof does not lead from the leaf to the checkpoint's root");
		goto out;
	}
	if (!read_leaf(leaf, out, salt, commit) || strcmp(out->event_id, event_id) != 0) {
		ok =
		    fail(msg, msglen, "the leaf is not a leaf of this log's format for this event");
		goto out;
	}
	if (chk->content != NULL) {
		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st, salt, sizeof(salt));
		crypto_hash_sha256_update(&st, (const uint8_t *)chk->content, chk->content_len);
		crypto_hash_sha256_final(&st, got);
		if (sodium_memcmp(got, commit, sizeof(got)) != 0) {
			ok = fail(msg, msglen, "the content is not the one the leaf commits to");
			goto out;
		}
	}
	ok = true;
out:
	json_decref(doc);
	return ok;
}
