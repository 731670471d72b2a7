/* The transparency log: its signed checkpoint, key, leaves and proofs. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "core/authz.h"
#include "core/merkle.h"
#include "core/record.h"
#include "core/witness.h"
#include "lib/timeutil.h"

#define LEAVES_MAX 1000

static bool query_u64(struct api_req *req, struct api_resp *resp, const char *name, uint64_t max,
                      uint64_t *out);

static void
resp_text(struct api_resp *resp, char *text)
{
	resp->body = text;
	resp->len = text != NULL ? strlen(text) : 0;
	resp->status = text != NULL ? 200 : 503;
	resp->content_type = "text/plain; charset=utf-8";
	resp_header(resp, "Cache-Control", "no-cache");
}

/* False (with a 503 in resp) when this pocd keeps no log (pocd serve --no-log). */
static bool
has_log(struct api_req *req, struct api_resp *resp)
{
	if (req->api->core->record != NULL)
		return true;
	problem(resp, POCD_EUNAVAILABLE, "this service keeps no log");
	return false;
}

enum api_result
h_log_checkpoint(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c;
	const char *q = req->query(req, "size");
	uint64_t size = 0, got;
	struct buf note;
	enum pocd_err err;

	if (!has_log(req, resp) || (c = reader(req, resp)) == NULL)
		return API_DONE;
	if (q != NULL && !query_u64(req, resp, "size", INT64_MAX, &size))
		return API_DONE;
	if (q != NULL && size == 0) {
		problem_field(resp, POCD_EINVAL, "size", "must be at least 1");
		return API_DONE;
	}
	buf_init(&note);
	err = record_checkpoint(req->api->core, c, size, &note, &got);
	if (err != POCD_OK) {
		buf_free(&note);
		problem(resp, err,
		        err != POCD_ENOTFOUND ? NULL
		        : size == 0           ? "the log is still empty"
		                              : "the log has no checkpoint of this size yet");
		return API_DONE;
	}
	resp_text(resp, buf_steal(&note, NULL));
	return API_DONE;
}

enum api_result
h_log_key(struct api_req *req, struct api_resp *resp)
{
	struct record *r;
	char key[NOTE_KEY_TEXT], prev[NOTE_KEY_TEXT];
	struct buf out;

	if (!has_log(req, resp))
		return API_DONE;
	/* The current key first; during a rotation, the previous one too (it still signs). */
	r = req->api->core->record;
	note_key_format(&r->key, key);
	buf_init(&out);
	buf_printf(&out, "%s\n", key);
	if (r->has_prev) {
		note_key_format(&r->prev_key, prev);
		buf_printf(&out, "%s\n", prev);
	}
	resp_text(resp, buf_steal(&out, NULL));
	return API_DONE;
}

/* A whole number from 0 to max in query argument name; false (and a 400 in resp) if not. */
static bool
query_u64(struct api_req *req, struct api_resp *resp, const char *name, uint64_t max, uint64_t *out)
{
	const char *v = req->query(req, name);
	char *end;
	unsigned long long n;
	char reason[96];

	errno = 0;
	n = v != NULL ? strtoull(v, &end, 10) : 0;
	if (v == NULL || *v < '0' || *v > '9' || *end != '\0' || errno != 0 || n > max) {
		snprintf(reason, sizeof(reason), "must be a whole number from 0 to %llu",
		         (unsigned long long)max);
		problem_field(resp, POCD_EINVAL, name, reason);
		return false;
	}
	*out = n;
	return true;
}

static json_t *
hashes_json(const uint8_t (*h)[MERKLE_HASH], size_t n)
{
	char b64[sodium_base64_ENCODED_LEN(MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL)];
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++) {
		sodium_bin2base64(b64, sizeof(b64), h[i], MERKLE_HASH,
		                  sodium_base64_VARIANT_ORIGINAL);
		json_array_append_new(a, json_string(b64));
	}
	return a;
}

/* The log's size now; false with a 503 in resp. */
static bool
log_size(struct api_req *req, struct api_resp *resp, struct store_conn **c, uint64_t *size)
{
	int64_t n;

	*c = reader(req, resp);
	if (*c == NULL)
		return false;
	if (store_log_size(*c, &n) != POCD_OK) {
		problem(resp, POCD_EUNAVAILABLE, NULL);
		return false;
	}
	*size = (uint64_t)n;
	return true;
}

enum api_result
h_log_inclusion(struct api_req *req, struct api_resp *resp)
{
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH];
	struct store_conn *c;
	uint64_t size, index, now;
	size_t n;
	enum pocd_err err;

	if (!log_size(req, resp, &c, &now) || !query_u64(req, resp, "size", now, &size) ||
	    !query_u64(req, resp, "index", size > 0 ? size - 1 : 0, &index))
		return API_DONE;
	if (size == 0) {
		problem_field(resp, POCD_EINVAL, "size", "must be at least 1");
		return API_DONE;
	}
	err = merkle_inclusion(index, size, record_node_get, c, proof, &n);
	if (err != POCD_OK) {
		problem(resp, err == POCD_EINVAL ? POCD_EINVAL : POCD_EUNAVAILABLE, NULL);
		return API_DONE;
	}
	resp_json(resp, 200,
	          json_pack("{s:I,s:I,s:o}", "index", (json_int_t)index, "size", (json_int_t)size,
	                    "hashes", hashes_json(proof, n)));
	return API_DONE;
}

enum api_result
h_log_consistency(struct api_req *req, struct api_resp *resp)
{
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH];
	struct store_conn *c;
	uint64_t first, second, now;
	size_t n;
	enum pocd_err err;

	if (!log_size(req, resp, &c, &now) || !query_u64(req, resp, "second", now, &second) ||
	    !query_u64(req, resp, "first", second, &first))
		return API_DONE;
	if (first == 0) {
		problem_field(resp, POCD_EINVAL, "first", "must be at least 1");
		return API_DONE;
	}
	err = merkle_consistency(first, second, record_node_get, c, proof, &n);
	if (err != POCD_OK) {
		problem(resp, POCD_EUNAVAILABLE, NULL);
		return API_DONE;
	}
	resp_json(resp, 200,
	          json_pack("{s:I,s:I,s:o}", "first", (json_int_t)first, "second",
	                    (json_int_t)second, "hashes", hashes_json(proof, n)));
	return API_DONE;
}

enum api_result
h_log_leaves(struct api_req *req, struct api_resp *resp)
{
	char b64[sodium_base64_ENCODED_LEN(MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL)];
	struct log_leaf l;
	struct store_conn *c;
	struct buf text;
	uint64_t start, end, now;
	json_t *items, *o;
	enum pocd_err err = POCD_OK;

	if (!has_log(req, resp) || !log_size(req, resp, &c, &now) ||
	    !query_u64(req, resp, "end", now, &end) || !query_u64(req, resp, "start", end, &start))
		return API_DONE;
	if (end - start > LEAVES_MAX) {
		problem_field(resp, POCD_EINVAL, "end", "must be at most 1000 past start");
		return API_DONE;
	}
	items = json_array();
	buf_init(&text);
	for (uint64_t i = start; items != NULL && err == POCD_OK && i < end; i++) {
		err = store_log_leaf_get(c, (int64_t)i, &l);
		if (err != POCD_OK)
			break;
		sodium_bin2base64(b64, sizeof(b64), l.hash, sizeof(l.hash),
		                  sodium_base64_VARIANT_ORIGINAL);
		o = json_pack("{s:I,s:s}", "index", (json_int_t)i, "hash", b64);
		/* The full leaf is its party state's alone; others see its hash. */
		if (o != NULL && strcmp(l.party, req->who.state) == 0) {
			text.len = 0;
			record_leaf_text(req->api->core->record, &l, &text);
			json_object_set_new(o, "leaf", json_stringn(text.p, text.len));
		}
		json_array_append_new(items, o);
	}
	buf_free(&text);
	if (items == NULL || err != POCD_OK) {
		json_decref(items);
		problem(resp, items == NULL ? POCD_ENOMEM : err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", items, "next"));
	return API_DONE;
}

json_t *
receipt_json(const struct receipt *rc)
{
	return json_pack("{s:s,s:s,s:I,s:s,s:o}", "event_id", rc->event_id, "leaf", rc->leaf,
	                 "index", (json_int_t)rc->index, "checkpoint", rc->note, "proof",
	                 hashes_json(rc->proof, rc->nproof));
}

void
add_receipt(struct api_req *req, json_t *o, const struct leaf_ref *ref)
{
	struct store_conn *c = store_reader(req->api->core->store);
	struct receipt rc;

	/* The write is committed whatever happens here: a receipt that cannot be made now is
	 * fetched later from /api/v1/receipts/{event_id}. */
	if (o == NULL || ref->index < 0 || req->who.state[0] == '\0' || c == NULL ||
	    record_receipt_of(req->api->core, c, ref, &rc) != POCD_OK)
		return;
	json_object_set_new(o, "receipt", receipt_json(&rc));
	receipt_free(&rc);
}

enum api_result
h_receipt(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c = reader(req, resp);
	struct receipt rc;
	enum pocd_err err;

	if (c == NULL)
		return API_DONE;
	/* Only a party state holds a receipt: others learn nothing, not even that it exists. */
	err = id_valid(req->params[0]) && req->who.state[0] != '\0'
	          ? record_receipt(req->api->core, c, req->params[0], req->who.state, &rc)
	          : POCD_ENOTFOUND;
	if (err != POCD_OK) {
		problem(resp, err,
		        err == POCD_ENOTFOUND ? "your state holds no receipt for this event"
		                              : NULL);
		return API_DONE;
	}
	resp_json(resp, 200, receipt_json(&rc));
	receipt_free(&rc);
	return API_DONE;
}

static int
add_witness(const char *name, const char *state, const char *key, int64_t at, void *arg)
{
	json_t *o = json_pack("{s:s,s:s,s:s}", "name", name, "state", state, "key", key);

	json_set_time(o, "registered_at", at);
	return json_array_append_new(arg, o);
}

enum api_result
h_witnesses(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c = reader(req, resp);
	json_t *items = json_array();
	enum pocd_err err;

	if (c == NULL) {
		json_decref(items);
		return API_DONE;
	}
	err = items != NULL ? store_log_witnesses(c, add_witness, items) : POCD_ENOMEM;
	if (err != POCD_OK) {
		json_decref(items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", items, "next"));
	return API_DONE;
}

static void
witness_cont(struct api_req *req, struct api_resp *resp)
{
	struct witness_op *op = req->state;
	struct note_key k;
	char msg[96];

	if (op->status == POCD_ECONFLICT) {
		problem_field(resp, POCD_ECONFLICT, "key",
		              "is registered already, under this name or this public key");
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	note_key_parse(op->key, &k, msg, sizeof(msg));
	resp_json(
	    resp, 201,
	    json_pack("{s:s,s:s,s:s}", "name", k.name, "state", op->actor.state, "key", op->key));
}

enum api_result
h_witness_add(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"key", NULL};
	struct witness_op *op;
	const char *key;
	json_t *o;
	enum pocd_err err;

	if (authz_register_witness(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN,
		        "only administrators of a participating state register its witnesses");
		return API_DONE;
	}
	if ((op = req_state(req, resp, sizeof(*op))) == NULL ||
	    (o = body_object(req, resp)) == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "witness", &op->errs);
	key = json_member_str(o, "key", true, NOTE_KEY_TEXT - 1, &op->errs);
	if (op->errs.n == 0)
		strlcpy(op->key, key, sizeof(op->key));
	json_decref(o);
	if (op->errs.n > 0) {
		problem_fields(resp, &op->errs);
		return API_DONE;
	}
	op->actor = req->who;
	op->now = now_s();
	op->done = req_wake;
	op->arg = req;
	err = witness_register(req->api->core, op);
	if (err == POCD_EINVAL) {
		problem_fields(resp, &op->errs);
		return API_DONE;
	}
	return req_pending(req, resp, err, witness_cont);
}

static void
cosign_cont(struct api_req *req, struct api_resp *resp)
{
	struct cosign_op *op = req->state;

	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	resp_json(resp, 201,
	          json_pack("{s:s,s:I,s:I}", "witness", op->witness, "size", (json_int_t)op->size,
	                    "time", (json_int_t)op->signed_at));
}

enum api_result
h_cosign(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"size", "cosignature", NULL};
	struct store_conn *c = reader(req, resp);
	struct cosign_op *op;
	const char *line;
	json_t *o, *size;
	enum pocd_err err;

	if (c == NULL || (op = req_state(req, resp, sizeof(*op))) == NULL ||
	    (o = body_object(req, resp)) == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "cosignature", &op->errs);
	size = json_object_get(o, "size");
	if (!json_is_integer(size) || json_integer_value(size) < 1)
		verr_add(&op->errs, "size", "must be a whole number of leaves, at least 1");
	line = json_member_str(o, "cosignature", true, NOTE_SIG_LINE - 1, &op->errs);
	if (line != NULL && strchr(line, '\n') != NULL)
		verr_add(&op->errs, "cosignature", "must be one line, without a newline");
	if (op->errs.n == 0) {
		op->size = (uint64_t)json_integer_value(size);
		strlcpy(op->line, line, sizeof(op->line));
	}
	json_decref(o);
	if (op->errs.n > 0) {
		problem_fields(resp, &op->errs);
		return API_DONE;
	}
	op->actor = req->who;
	op->done = req_wake;
	op->arg = req;
	err = witness_cosign(req->api->core, c, op);
	if (err == POCD_EINVAL) {
		problem_fields(resp, &op->errs);
		return API_DONE;
	}
	if (err == POCD_EFORBIDDEN) {
		problem(resp, err, "this witness belongs to another state");
		return API_DONE;
	}
	return req_pending(req, resp, err, cosign_cont);
}
