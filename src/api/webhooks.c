/* A state's webhooks: registered and deleted by its administrators, with their delivery log. */
#include <sodium.h>
#include <string.h>

#include "api/handlers.h"
#include "core/webhooks.h"
#include "lib/timeutil.h"

#define DELIVERIES_DEFAULT 50
#define DELIVERIES_MAX     500

static json_t *
webhook_json(const struct webhook *h)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:s}", "id", h->id, "state", h->state, "url",
	                      h->url, "events", json_names(h->events, webhook_event_name),
	                      "created_by", h->created_by);

	json_set_time(o, "created_at", h->created_at);
	return o;
}

static void
create_cont(struct api_req *req, struct api_resp *resp)
{
	struct webhook_op *op = req->state;
	json_t *o;

	if (op->status == POCD_ECONFLICT) {
		problem(resp, POCD_ECONFLICT,
		        "this state has the most webhooks it may: delete one first");
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	o = webhook_json(&op->hook);
	if (o != NULL)
		json_object_set_new(o, "secret", json_string(op->secret));
	resp_json(resp, 201, o);
	resp_header(resp, "Cache-Control", "no-store");
	sodium_memzero(op->secret, sizeof(op->secret));
}

enum api_result
h_webhook_create(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"url", "events", NULL};
	struct verrs errs = {0};
	struct webhook_op *op;
	const char *url;
	char host[256], why[160];
	unsigned evs;
	json_t *o;

	if (!may_manage_machines(req, resp) || (o = body_object(req, resp)) == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "a webhook", &errs);
	url = json_member_str(o, "url", true, WEBHOOK_URL_MAX, &errs);
	if (url != NULL && !webhook_url_check(url, req->api->core->cfg.webhook_allow_private, host,
	                                      sizeof(host), why, sizeof(why)))
		verr_add(&errs, "url", "%s", why);
	evs = json_member_names(o, "events", webhook_event_parse, WEBHOOK_EVS_ALL, &errs);
	if (errs.n > 0) {
		json_decref(o);
		problem_fields(resp, &errs);
		return API_DONE;
	}
	op = req_state(req, resp, sizeof(*op));
	if (op == NULL) {
		json_decref(o);
		return API_DONE;
	}
	op->actor = req->who;
	strlcpy(op->hook.url, url, sizeof(op->hook.url));
	op->hook.events = evs;
	op->now = core_now(req->api->core);
	json_decref(o);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, webhook_submit(req->api->core, op), create_cont);
}

static int
add_hook(const struct webhook *h, void *arg)
{
	return json_array_append_new(arg, webhook_json(h));
}

enum api_result
h_webhooks(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c;
	json_t *items;
	enum pocd_err err;

	if (!may_manage_machines(req, resp) || (c = reader(req, resp)) == NULL)
		return API_DONE;
	items = json_array();
	err = items != NULL ? store_webhooks_list(c, req->who.state, add_hook, items) : POCD_ENOMEM;
	if (err != POCD_OK) {
		json_decref(items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", items, "next"));
	return API_DONE;
}

static void
delete_cont(struct api_req *req, struct api_resp *resp)
{
	struct webhook_op *op = req->state;

	if (op->status == POCD_ENOTFOUND)
		problem(resp, POCD_ENOTFOUND, "this state has no such webhook");
	else if (op->status != POCD_OK)
		problem(resp, op->status, NULL);
	else
		resp->status = 204;
}

enum api_result
h_webhook_delete(struct api_req *req, struct api_resp *resp)
{
	struct webhook_op *op;

	if (!may_manage_machines(req, resp))
		return API_DONE;
	if (!id_valid(req->params[0])) {
		problem(resp, POCD_ENOTFOUND, "this state has no such webhook");
		return API_DONE;
	}
	op = req_state(req, resp, sizeof(*op));
	if (op == NULL)
		return API_DONE;
	op->actor = req->who;
	op->remove = true;
	strlcpy(op->hook.id, req->params[0], sizeof(op->hook.id));
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, webhook_submit(req->api->core, op), delete_cont);
}

static int
add_delivery(const struct webhook_delivery *d, void *arg)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:s}", "id", d->id, "event", d->event, "subject",
	                      d->ref_id, "attempts", d->attempts, "status",
	                      d->sent_at != 0     ? "delivered"
	                      : d->failed_at != 0 ? "failed"
	                                          : "pending");

	if (o == NULL)
		return -1;
	json_object_set_new(o, "http_status",
	                    d->http_status > 0 ? json_integer(d->http_status) : json_null());
	json_object_set_new(o, "last_error", d->error[0] ? json_string(d->error) : json_null());
	json_set_time(o, "created_at", d->created_at);
	json_set_time(o, "last_attempt_at", d->tried_at);
	json_set_time(o, "delivered_at", d->sent_at);
	json_set_time(o, "failed_at", d->failed_at);
	json_set_time(o, "next_attempt_at", d->next_try);
	return json_array_append_new(arg, o);
}

enum api_result
h_webhook_deliveries(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c;
	struct webhook h;
	json_t *items;
	size_t limit;
	enum pocd_err err;

	if (!may_manage_machines(req, resp) || (c = reader(req, resp)) == NULL ||
	    !query_limit(req, resp, DELIVERIES_DEFAULT, DELIVERIES_MAX, &limit))
		return API_DONE;
	err = id_valid(req->params[0])
	          ? store_webhook_get(c, req->params[0], req->who.state, &h, NULL)
	          : POCD_ENOTFOUND;
	if (err != POCD_OK) {
		problem(resp, err, err == POCD_ENOTFOUND ? "this state has no such webhook" : NULL);
		return API_DONE;
	}
	items = json_array();
	err = items != NULL ? store_webhook_deliveries(c, h.id, limit, add_delivery, items)
	                    : POCD_ENOMEM;
	if (err != POCD_OK) {
		json_decref(items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", items, "next"));
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}
