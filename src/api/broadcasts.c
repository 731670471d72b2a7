/* The Secretariat's announcements: sent to every participating state, read by all. */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "core/authz.h"
#include "core/broadcast.h"

#define BROADCASTS_SHOWN 100

static void
free_broadcast(void *state)
{
	free(((struct broadcast_op *)state)->texts);
}

static json_t *
broadcast_json(const char *id, int64_t at, const char *texts)
{
	json_t *o = json_pack("{s:s,s:o}", "id", id, "texts", json_loads(texts, 0, NULL));

	json_set_time(o, "created_at", at);
	return o;
}

static void
send_cont(struct api_req *req, struct api_resp *resp)
{
	struct broadcast_op *op = req->state;
	json_t *o;

	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	o = broadcast_json(op->id, op->now, op->texts);
	if (o != NULL)
		json_object_set_new(o, "mails", json_integer((json_int_t)op->mails));
	resp_json(resp, 201, o);
}

enum api_result
h_broadcast_send(struct api_req *req, struct api_resp *resp)
{
	struct broadcast_op *op;
	struct verrs errs = {0};
	json_t *o;

	if (authz_broadcast(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN, "only the Secretariat sends broadcasts");
		return API_DONE;
	}
	if ((op = req_state(req, resp, sizeof(*op))) == NULL ||
	    (o = body_object(req, resp)) == NULL)
		return API_DONE;
	req_state_cleanup(req, free_broadcast);
	op->texts = broadcast_decode(o, &errs);
	json_decref(o);
	if (op->texts == NULL) {
		problem_fields(resp, &errs);
		return API_DONE;
	}
	op->actor = req->who;
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, broadcast_send(req->api->core, op), send_cont);
}

static int
add_broadcast(const char *id, int64_t at, const char *texts, void *arg)
{
	return json_array_append_new(arg, broadcast_json(id, at, texts));
}

enum api_result
h_broadcasts(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c;
	json_t *items;
	enum pocd_err err;

	if (authz_read_broadcasts(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN, "only participating states read the broadcasts");
		return API_DONE;
	}
	if ((c = reader(req, resp)) == NULL)
		return API_DONE;
	items = json_array();
	err = items != NULL ? store_broadcasts_list(c, BROADCASTS_SHOWN, add_broadcast, items)
	                    : POCD_ENOMEM;
	if (err != POCD_OK) {
		json_decref(items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", items, "next"));
	return API_DONE;
}
