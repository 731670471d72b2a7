/* A state's accounts: listing them, disabling and re-enabling them. */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "core/accounts.h"
#include "core/authz.h"
#include "core/validate.h"
#include "lib/timeutil.h"

static json_t *
account_json(const struct account *a)
{
	char created[RFC3339_SIZE];

	fmt_rfc3339(a->created_at, created);
	return json_pack("{s:s,s:s,s:s,s:s?,s:b,s:s}", "id", a->id, "username", a->username, "role",
	                 role_name(a->role), "state", a->state[0] ? a->state : NULL, "disabled",
	                 a->disabled, "created_at", created);
}

static int
add_account(const struct account *a, void *arg)
{
	return json_array_append_new(arg, account_json(a));
}

enum api_result
h_accounts(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c;
	struct state_rec st;
	json_t *items;
	enum pocd_err err;

	if (authz_list_accounts(&req->who, req->params[0]) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN,
		        "only this state's administrators list its accounts");
		return API_DONE;
	}
	if ((c = reader(req, resp)) == NULL)
		return API_DONE;
	err = valid_state_code(req->params[0]) ? store_state_get(c, req->params[0], &st)
	                                       : POCD_ENOTFOUND;
	items = err == POCD_OK ? json_array() : NULL;
	if (err == POCD_OK)
		err = items != NULL ? store_accounts_list(c, st.code, add_account, items)
		                    : POCD_ENOMEM;
	if (err != POCD_OK) {
		json_decref(items);
		problem(resp, err,
		        err == POCD_ENOTFOUND ? "no UN member state has this code" : NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", items, "next"));
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}

static void
account_cont(struct api_req *req, struct api_resp *resp)
{
	struct account_op *op = req->state;

	if (op->status == POCD_ECONFLICT)
		problem(resp, POCD_ECONFLICT, "you cannot disable your own account");
	else if (op->status == POCD_EFORBIDDEN)
		problem(resp, POCD_EFORBIDDEN, "you manage only your own state's accounts");
	else if (op->status != POCD_OK)
		problem(resp, op->status, NULL);
	else
		resp_json(resp, 200, account_json(&op->account));
}

enum api_result
h_account_patch(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"disabled", NULL};
	struct verrs errs = {0};
	struct store_conn *c;
	struct account a;
	struct account_op *op;
	json_t *o, *v;
	enum pocd_err err;

	if ((c = reader(req, resp)) == NULL)
		return API_DONE;
	err = id_valid(req->params[0]) ? store_account_get(c, req->params[0], &a) : POCD_ENOTFOUND;
	if (err == POCD_OK && authz_manage_account(&req->who, a.state) != POCD_OK)
		err = POCD_EFORBIDDEN;
	if (err != POCD_OK) {
		problem(resp, err,
		        err == POCD_EFORBIDDEN  ? "you manage only your own state's accounts"
		        : err == POCD_ENOTFOUND ? "there is no account with this id"
		                                : NULL);
		return API_DONE;
	}
	if ((o = body_object(req, resp)) == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "an account change", &errs);
	v = json_object_get(o, "disabled");
	if (v == NULL)
		verr_add(&errs, "disabled", "is required");
	else if (!json_is_boolean(v))
		verr_add(&errs, "disabled", "must be true or false");
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
	memcpy(op->account_id, a.id, sizeof(a.id));
	op->disabled = json_is_true(v);
	json_decref(o);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, accounts_set_disabled(req->api->core, op), account_cont);
}
