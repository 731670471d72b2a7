/* Points of contact: a state's list, one PoC, its changes and its history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/cache.h"
#include "api/handlers.h"
#include "core/authz.h"
#include "core/directory.h"
#include "core/poc.h"
#include "core/poc_changes.h"
#include "core/validate.h"
#include "lib/timeutil.h"

static bool
own_state(const struct api_req *req, const char *state)
{
	return strcmp(req->who.state, state) == 0;
}

static bool
may_read(struct api_req *req, struct api_resp *resp)
{
	if (authz_read_directory(&req->who) == POCD_OK)
		return true;
	problem(resp, POCD_EFORBIDDEN,
	        "your state does not take part in the directory yet: ask the Secretariat");
	return false;
}

/* "ID-REVISION", and ".stale" once its review date has passed, so a cached copy that still
 * says fresh does not revalidate. If-Match takes either. */
void
poc_etag(const struct poc *p, const char *today, char *out, size_t outlen)
{
	bool stale = p->review_by[0] != '\0' && strcmp(p->review_by, today) < 0;

	snprintf(out, outlen, "\"%s-%lld%s\"", p->id, (long long)p->revision,
	         stale ? ".stale" : "");
}

struct list_ctx {
	json_t *items;
	bool own;
	char today[DATE_SIZE]; /* for the stale flags */
};

static int
add_poc(const struct poc *p, void *arg)
{
	struct list_ctx *lc = arg;

	return json_array_append_new(lc->items, poc_encode(p, lc->own, lc->today));
}

enum api_result
h_state_pocs(struct api_req *req, struct api_resp *resp)
{
	struct store *s = req->api->core->store;
	uint64_t gen = store_directory_generation(s);
	struct poc_filter f = {.kind = -1, .limit = 100000};
	struct list_ctx lc = {.own = own_state(req, req->params[0])};
	struct state_rec st;
	struct store_conn *c;
	struct blob *b;
	char key[48];
	enum pocd_err err;

	if (!may_read(req, resp))
		return API_DONE;
	/* Stale flags turn with the date: the day is part of the key. */
	fmt_date(core_now(req->api->core), lc.today);
	snprintf(key, sizeof(key), "pocs:%.3s:%d:%s", req->params[0], lc.own, lc.today);
	b = valid_state_code(req->params[0]) ? cache_get(req->api->cache, key, gen) : NULL;
	if (b != NULL) {
		resp_blob(req, resp, b);
		return API_DONE;
	}
	c = reader(req, resp);
	if (c == NULL)
		return API_DONE;
	err = valid_state_code(req->params[0]) ? store_state_get(c, req->params[0], &st)
	                                       : POCD_ENOTFOUND;
	if (err != POCD_OK) {
		problem(resp, err,
		        err == POCD_ENOTFOUND ? "no UN member state has this code" : NULL);
		return API_DONE;
	}
	memcpy(f.state, st.code, sizeof(st.code));
	lc.items = json_array();
	err = lc.items == NULL   ? POCD_ENOMEM
	      : st.participating ? store_pocs_list(c, &f, add_poc, &lc)
	                         : POCD_OK;
	if (err != POCD_OK) {
		json_decref(lc.items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", lc.items, "next"));
	resp_cache_store(req, resp, req->api->cache, key, gen);
	return API_DONE;
}

static void
poc_cont(struct api_req *req, struct api_resp *resp)
{
	struct poc_op *op = req->state;
	char today[DATE_SIZE];
	json_t *o;

	if (op->status == POCD_EINVAL) {
		problem_fields(resp, &op->errs);
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	/* A removal answers with its receipt only: the entry is gone. */
	if (op->kind == POC_DELETE) {
		o = json_pack("{s:s,s:b}", "id", op->poc.id, "removed", true);
		add_receipt(req, o, &op->mine);
		resp_json(resp, 200, o);
		return;
	}
	fmt_date(core_now(req->api->core), today);
	o = poc_encode(&op->poc, true, today);
	add_receipt(req, o, &op->mine);
	/* The other fields took effect; the e-mail or key waits: 202 with the pending change
	 * beside the revision just written. */
	if (o != NULL && op->proposed.id[0] != '\0') {
		json_object_set_new(o, "pending_change", poc_change_encode(&op->proposed));
		resp_json(resp, 202, o);
		resp_header(resp, "Location", "/api/v1/pocs/%s/changes/%s", op->poc.id,
		            op->proposed.id);
	} else {
		resp_json(resp, op->kind == POC_CREATE ? 201 : 200, o);
	}
	poc_etag(&op->poc, today, resp->etag, sizeof(resp->etag));
	if (op->kind == POC_CREATE)
		resp_header(resp, "Location", "/api/v1/pocs/%s", op->poc.id);
}

/* Queues the write of op; fills resp and returns API_DONE if it could not be queued. */
static enum api_result
submit(struct api_req *req, struct api_resp *resp, struct poc_op *op)
{
	op->actor = req->who;
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, directory_submit(req->api->core, op), poc_cont);
}

/* Decodes the body into op->poc; false with a 400 in resp on any problem. */
static bool
decode_body(struct api_req *req, struct api_resp *resp, struct poc_op *op)
{
	struct verrs errs = {0};
	json_t *o = body_object(req, resp);
	enum pocd_err err;

	if (o == NULL)
		return false;
	err = poc_decode(o, &op->poc, &errs);
	json_decref(o);
	if (err != POCD_OK) {
		problem_fields(resp, &errs);
		return false;
	}
	return true;
}

enum api_result
h_poc_create(struct api_req *req, struct api_resp *resp)
{
	struct poc_op *op;

	if (authz_write_pocs(&req->who, req->params[0]) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN,
		        "only this state's administrators change its entries, while it takes part");
		return API_DONE;
	}
	op = req_state(req, resp, sizeof(*op));
	if (op == NULL || !decode_body(req, resp, op))
		return API_DONE;
	op->kind = POC_CREATE;
	memcpy(op->poc.state, req->params[0], STATE_SIZE);
	return submit(req, resp, op);
}

/* Reads the PoC the path names; false with a 404 in resp when there is none. */
static bool
path_poc(struct api_req *req, struct api_resp *resp, struct poc *p)
{
	struct store_conn *c;
	enum pocd_err err;

	if (!id_valid(req->params[0])) {
		problem(resp, POCD_ENOTFOUND, "there is no PoC with this id");
		return false;
	}
	c = reader(req, resp);
	if (c == NULL)
		return false;
	err = store_poc_get(c, req->params[0], p);
	if (err != POCD_OK) {
		problem(resp, err, err == POCD_ENOTFOUND ? "there is no PoC with this id" : NULL);
		return false;
	}
	return true;
}

enum api_result
h_poc_get(struct api_req *req, struct api_resp *resp)
{
	char today[DATE_SIZE];
	struct poc *p;

	if (!may_read(req, resp))
		return API_DONE;
	p = malloc(sizeof(*p));
	if (p == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	fmt_date(core_now(req->api->core), today);
	if (path_poc(req, resp, p)) {
		poc_etag(p, today, resp->etag, sizeof(resp->etag));
		if (etag_matches(req->header(req, "If-None-Match"), resp->etag))
			resp->status = 304;
		else
			resp_json(resp, 200, poc_encode(p, own_state(req, p->state), today));
	}
	free(p);
	return API_DONE;
}

/* The checks PUT and DELETE share, in order: exists, may write, If-Match present, current. */
static struct poc_op *
prepare_change(struct api_req *req, struct api_resp *resp, enum poc_op_kind kind)
{
	struct poc_op *op = req_state(req, resp, sizeof(*op));
	const char *im;

	if (op == NULL || !path_poc(req, resp, &op->poc))
		return NULL;
	if (authz_write_pocs(&req->who, op->poc.state) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN,
		        "only this state's administrators change its entries, while it takes part");
		return NULL;
	}
	im = req->header(req, "If-Match");
	if (im == NULL) {
		problem(resp, POCD_EPRECOND_REQ, NULL);
		return NULL;
	}
	/* "*" matches any current entry (RFC 9110); the revision read here is then the one the
	 * write must still find. */
	op->if_match = strcmp(im, "*") == 0 ? op->poc.revision : if_match_revision(im, op->poc.id);
	if (op->if_match != op->poc.revision) {
		problem(resp, POCD_EPRECOND, NULL);
		return NULL;
	}
	op->kind = kind;
	return op;
}

enum api_result
h_poc_put(struct api_req *req, struct api_resp *resp)
{
	struct poc_op *op = prepare_change(req, resp, POC_UPDATE);

	if (op == NULL || !decode_body(req, resp, op))
		return API_DONE;
	return submit(req, resp, op);
}

enum api_result
h_poc_delete(struct api_req *req, struct api_resp *resp)
{
	struct poc_op *op = prepare_change(req, resp, POC_DELETE);

	if (op == NULL)
		return API_DONE;
	return submit(req, resp, op);
}

struct history_ctx {
	json_t *items;
	const char *viewer; /* the caller's state: only the owner sees accounts and actors */
	bool own;
	bool any;
};

static int
add_revision(int64_t revision, const char *op, const char *actor, int64_t at, const char *doc,
             void *arg)
{
	struct history_ctx *hc = arg;
	char when[RFC3339_SIZE];
	json_t *poc = json_loads(doc, 0, NULL), *st;

	if (!hc->any) {
		st = json_object_get(poc, "state");
		hc->own = json_is_string(st) && strcmp(json_string_value(st), hc->viewer) == 0;
		hc->any = true;
	}
	if (!hc->own && poc != NULL)
		json_object_del(poc, "accounts");
	fmt_rfc3339(at, when);
	return json_array_append_new(
	    hc->items,
	    json_pack("{s:I,s:s,s:s,s:s?,s:o*}", "revision", (json_int_t)revision, "op", op, "at",
	              when, "actor", hc->own && actor[0] != '\0' ? actor : NULL, "poc", poc));
}

enum api_result
h_poc_history(struct api_req *req, struct api_resp *resp)
{
	struct history_ctx hc = {.viewer = req->who.state};
	struct store_conn *c;
	enum pocd_err err;

	if (!may_read(req, resp) || (c = reader(req, resp)) == NULL)
		return API_DONE;
	if (!id_valid(req->params[0])) {
		problem(resp, POCD_ENOTFOUND, "there is no PoC with this id");
		return API_DONE;
	}
	hc.items = json_array();
	err = hc.items != NULL ? store_poc_history(c, req->params[0], add_revision, &hc)
	                       : POCD_ENOMEM;
	if (err == POCD_OK && !hc.any)
		err = POCD_ENOTFOUND;
	if (err != POCD_OK) {
		json_decref(hc.items);
		problem(resp, err, err == POCD_ENOTFOUND ? "there is no PoC with this id" : NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", hc.items, "next"));
	return API_DONE;
}

enum api_result
h_poc_confirm(struct api_req *req, struct api_resp *resp)
{
	struct poc_op *op = req_state(req, resp, sizeof(*op));

	if (op == NULL || !path_poc(req, resp, &op->poc))
		return API_DONE;
	if (authz_write_pocs(&req->who, op->poc.state) != POCD_OK) {
		problem(
		    resp, POCD_EFORBIDDEN,
		    "only this state's administrators confirm its entries, while it takes part");
		return API_DONE;
	}
	/* A confirmation says "still right as it is": no body, no If-Match needed. */
	if (req->body_len > 0) {
		problem_status(resp, 400, "validation", "Invalid request",
		               "a confirmation takes no body");
		return API_DONE;
	}
	op->kind = POC_CONFIRM;
	op->if_match = -1;
	return submit(req, resp, op);
}
