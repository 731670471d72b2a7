/* A state's API keys: created and revoked by its administrators, listed without secrets. */
#include <sodium.h>
#include <string.h>

#include "api/handlers.h"
#include "core/apikeys.h"
#include "core/authz.h"
#include "core/validate.h"
#include "lib/timeutil.h"

bool
may_manage_machines(struct api_req *req, struct api_resp *resp)
{
	if (authz_manage_machines(&req->who) == POCD_OK)
		return true;
	problem(resp, POCD_EFORBIDDEN,
	        "only administrators of a participating state manage its API keys and webhooks, "
	        "logged in as themselves");
	return false;
}

static json_t *
apikey_json(const struct apikey *k)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:s}", "id", k->id, "state", k->state, "name",
	                      k->name, "scopes", json_names(k->scopes, apikey_scope_name),
	                      "created_by", k->created_by);

	json_set_time(o, "created_at", k->created_at);
	json_set_time(o, "expires_at", k->expires_at);
	if (o != NULL)
		json_object_set_new(o, "last_used_at", json_null());
	json_set_time(o, "last_used_at", k->last_used_at);
	return o;
}

static void
create_cont(struct api_req *req, struct api_resp *resp)
{
	struct apikey_op *op = req->state;
	json_t *o;

	if (op->status == POCD_ECONFLICT) {
		problem(resp, POCD_ECONFLICT,
		        "this state holds the most API keys it may: revoke one first");
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	o = apikey_json(&op->key);
	if (o != NULL)
		json_object_set_new(o, "key", json_string(op->secret));
	resp_json(resp, 201, o);
	resp_header(resp, "Cache-Control", "no-store");
	sodium_memzero(op->secret, sizeof(op->secret));
}

enum api_result
h_apikey_create(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"name", "scopes", "expires_at", NULL};
	struct verrs errs = {0};
	struct apikey_op *op;
	const char *name, *expires;
	unsigned scopes;
	int64_t now = core_now(req->api->core), at = now + APIKEY_TTL_DEFAULT;
	json_t *o;

	if (!may_manage_machines(req, resp) || (o = body_object(req, resp)) == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "an API key", &errs);
	name = json_member_str(o, "name", true, TEXT_SIZE - 1, &errs);
	if (name != NULL && !valid_text(name, APIKEY_NAME_MAX))
		verr_add(&errs, "name",
		         "must be 1 to %d characters of text without control characters",
		         APIKEY_NAME_MAX);
	if (json_object_get(o, "scopes") == NULL)
		verr_add(&errs, "scopes",
		         "is required: a list of directory:read, communications:read, "
		         "communications:send, communications:ack, pings:answer");
	scopes = json_member_names(o, "scopes", apikey_scope_parse, 0, &errs);
	expires = json_member_str(o, "expires_at", false, 64, &errs);
	if (expires != NULL && !parse_rfc3339(expires, &at))
		verr_add(&errs, "expires_at",
		         "must be an RFC 3339 time, e.g. 2027-01-31T00:00:00Z");
	else if (expires != NULL && (at <= now || at > now + APIKEY_TTL_MAX))
		verr_add(&errs, "expires_at", "must be in the future, at most two years from now");
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
	strlcpy(op->key.name, name, sizeof(op->key.name));
	op->key.scopes = scopes;
	op->key.expires_at = at;
	op->now = now;
	json_decref(o);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, apikey_submit(req->api->core, op), create_cont);
}

static int
add_key(const struct apikey *k, void *arg)
{
	return json_array_append_new(arg, apikey_json(k));
}

enum api_result
h_apikeys(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c;
	json_t *items;
	enum pocd_err err;

	if (!may_manage_machines(req, resp) || (c = reader(req, resp)) == NULL)
		return API_DONE;
	items = json_array();
	err = items != NULL ? store_apikeys_list(c, req->who.state, add_key, items) : POCD_ENOMEM;
	if (err != POCD_OK) {
		json_decref(items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", items, "next"));
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}

static void
revoke_cont(struct api_req *req, struct api_resp *resp)
{
	struct apikey_op *op = req->state;

	if (op->status == POCD_ENOTFOUND)
		problem(resp, POCD_ENOTFOUND, "this state has no such API key (or it was revoked)");
	else if (op->status != POCD_OK)
		problem(resp, op->status, NULL);
	else
		resp->status = 204;
}

enum api_result
h_apikey_revoke(struct api_req *req, struct api_resp *resp)
{
	struct apikey_op *op;

	if (!may_manage_machines(req, resp))
		return API_DONE;
	if (!id_valid(req->params[0])) {
		problem(resp, POCD_ENOTFOUND, "this state has no such API key (or it was revoked)");
		return API_DONE;
	}
	op = req_state(req, resp, sizeof(*op));
	if (op == NULL)
		return API_DONE;
	op->actor = req->who;
	op->revoke = true;
	strlcpy(op->key.id, req->params[0], sizeof(op->key.id));
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, apikey_submit(req->api->core, op), revoke_cont);
}
