/* The transparency log: its signed checkpoint, key, leaves and proofs. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "core/merkle.h"
#include "core/record.h"

#define LEAVES_MAX 1000

static void
resp_text(struct api_resp *resp, char *text)
{
	resp->body = text;
	resp->len = text != NULL ? strlen(text) : 0;
	resp->status = text != NULL ? 200 : 503;
	resp->content_type = "text/plain; charset=utf-8";
	resp_header(resp, "Cache-Control", "no-cache");
}

enum api_result
h_log_checkpoint(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c = reader(req, resp);
	int64_t size;
	char *note;
	enum pocd_err err;

	if (c == NULL)
		return API_DONE;
	err = store_log_checkpoint_last(c, &size, &note);
	if (err != POCD_OK) {
		problem(resp, err, err == POCD_ENOTFOUND ? "the log is still empty" : NULL);
		return API_DONE;
	}
	resp_text(resp, note);
	return API_DONE;
}

enum api_result
h_log_key(struct api_req *req, struct api_resp *resp)
{
	char key[256];

	if (req->api->core->record == NULL) {
		problem(resp, POCD_EUNAVAILABLE, "this service keeps no log");
		return API_DONE;
	}
	record_verifier_key(req->api->core->record, key);
	strlcat(key, "\n", sizeof(key));
	resp_text(resp, strdup(key));
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
hashes_json(uint8_t (*h)[MERKLE_HASH], size_t n)
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
	char party[STATE_SIZE + 1], *leaf, b64[64];
	uint8_t hash[MERKLE_HASH];
	struct store_conn *c;
	uint64_t start, end, now;
	json_t *items, *o;
	enum pocd_err err = POCD_OK;

	if (!log_size(req, resp, &c, &now) || !query_u64(req, resp, "end", now, &end) ||
	    !query_u64(req, resp, "start", end, &start))
		return API_DONE;
	if (end - start > LEAVES_MAX) {
		problem_field(resp, POCD_EINVAL, "end", "must be at most 1000 past start");
		return API_DONE;
	}
	items = json_array();
	for (uint64_t i = start; items != NULL && err == POCD_OK && i < end; i++) {
		err = store_log_leaf_get(c, (int64_t)i, party, &leaf, hash);
		if (err != POCD_OK)
			break;
		sodium_bin2base64(b64, sizeof(b64), hash, sizeof(hash),
		                  sodium_base64_VARIANT_ORIGINAL);
		o = json_pack("{s:I,s:s}", "index", (json_int_t)i, "hash", b64);
		/* The full leaf is its party state's alone; others see its hash. */
		if (o != NULL && strcmp(party, req->who.state) == 0)
			json_object_set_new(o, "leaf", json_string(leaf));
		free(leaf);
		json_array_append_new(items, o);
	}
	if (items == NULL || err != POCD_OK) {
		json_decref(items);
		problem(resp, items == NULL ? POCD_ENOMEM : err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", items, "next"));
	return API_DONE;
}
