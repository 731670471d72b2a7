/* Pending changes of a PoC's e-mail or OpenPGP key: listing, confirming, cancelling. */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "core/authz.h"
#include "core/poc.h"
#include "core/poc_changes.h"
#include "core/validate.h"
#include "lib/timeutil.h"

static int
add_change(const struct poc_change *ch, void *arg)
{
	return json_array_append_new(arg, poc_change_encode(ch));
}

/* The PoC the path names, if the caller may see its changes; false with the problem in resp. */
static bool
changes_poc(struct api_req *req, struct api_resp *resp, struct store_conn *c, struct poc *p)
{
	enum pocd_err err =
	    id_valid(req->params[0]) ? store_poc_get(c, req->params[0], p) : POCD_ENOTFOUND;

	if (err == POCD_OK)
		err = authz_read_poc_changes(&req->who, p->state);
	if (err == POCD_OK)
		return true;
	problem(resp, err,
	        err == POCD_ENOTFOUND ? "there is no PoC with this id"
	        : err == POCD_EFORBIDDEN
	            ? "your state does not take part in the directory yet: ask the Secretariat"
	            : NULL);
	return false;
}

/* GET /api/v1/pocs/{id}/changes: the PoC's changes, newest first, pending or decided. */
enum api_result
h_poc_changes(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c = reader(req, resp);
	struct poc *p;
	json_t *items;
	bool truncated;
	enum pocd_err err;

	if (c == NULL)
		return API_DONE;
	p = malloc(sizeof(*p));
	if (p == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	if (changes_poc(req, resp, c, p)) {
		items = json_array();
		err = items != NULL
		          ? store_poc_changes_list(c, p->state, p->id, false, POC_CHANGES_SHOWN + 1,
		                                   add_change, items)
		          : POCD_ENOMEM;
		/* One row more than shown tells whether older changes were left out. */
		truncated = err == POCD_OK && json_array_size(items) > POC_CHANGES_SHOWN;
		if (truncated)
			json_array_remove(items, POC_CHANGES_SHOWN);
		if (err != POCD_OK) {
			json_decref(items);
			problem(resp, err, NULL);
		} else {
			resp_json(resp, 200,
			          json_pack("{s:o,s:n,s:b}", "items", items, "next", "truncated",
			                    truncated));
			resp_header(resp, "Cache-Control", "no-store");
		}
	}
	free(p);
	return API_DONE;
}

json_t *
api_pending_changes(struct api_req *req)
{
	struct store_conn *c;
	json_t *items;

	if (req->who.role == ROLE_SECRETARIAT || !req->who.participating)
		return NULL;
	c = store_reader(req->api->core->store);
	items = json_array();
	if (c == NULL || items == NULL ||
	    store_poc_changes_list(c, req->who.state, NULL, true, POC_CHANGES_SHOWN, add_change,
	                           items) != POCD_OK) {
		json_decref(items);
		return NULL;
	}
	return items;
}

static void
decide_cont(struct api_req *req, struct api_resp *resp)
{
	struct change_op *op = req->state;
	char today[DATE_SIZE];
	json_t *o;

	if (op->status != POCD_OK) {
		problem(resp, op->status, op->why);
		return;
	}
	if (op->action == CHANGE_CANCEL) {
		o = poc_change_encode(&op->change);
		add_receipt(req, o, &op->mine);
		resp_json(resp, 200, o);
		return;
	}
	/* The entry as the change left it, with the receipt of its revision. */
	fmt_date(core_now(req->api->core), today);
	o = poc_encode(&op->poc, true, today);
	add_receipt(req, o, &op->mine);
	if (o != NULL)
		json_object_set_new(o, "applied_change", poc_change_encode(&op->change));
	resp_json(resp, 200, o);
	poc_etag(&op->poc, today, resp->etag, sizeof(resp->etag));
	resp_header(resp, "Location", "/api/v1/pocs/%s", op->poc.id);
}

static enum api_result
decide(struct api_req *req, struct api_resp *resp, enum change_action action)
{
	struct change_op *op;

	if (!id_valid(req->params[0]) || !id_valid(req->params[1])) {
		problem(resp, POCD_ENOTFOUND, "this PoC has no change with this id");
		return API_DONE;
	}
	/* A decision is the path alone: a body would be a client's mistake. */
	if (req->body_len > 0) {
		problem_status(resp, 400, "validation", "Invalid request",
		               "a confirmation or cancellation takes no body");
		return API_DONE;
	}
	op = req_state(req, resp, sizeof(*op));
	if (op == NULL)
		return API_DONE;
	op->action = action;
	op->actor = req->who;
	strlcpy(op->poc_id, req->params[0], sizeof(op->poc_id));
	strlcpy(op->change_id, req->params[1], sizeof(op->change_id));
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, poc_changes_decide(req->api->core, op), decide_cont);
}

/* POST /api/v1/pocs/{id}/changes/{change_id}/confirm */
enum api_result
h_poc_change_confirm(struct api_req *req, struct api_resp *resp)
{
	return decide(req, resp, CHANGE_CONFIRM);
}

/* DELETE /api/v1/pocs/{id}/changes/{change_id} */
enum api_result
h_poc_change_cancel(struct api_req *req, struct api_resp *resp)
{
	return decide(req, resp, CHANGE_CANCEL);
}
