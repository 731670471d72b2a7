/* Recovery links, the Secretariat's re-enrolment of a state's administrator, and the notices
 * an account is given in the app. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "lib/log.h"
#include "core/authz.h"
#include "core/password.h"
#include "core/recovery.h"
#include "core/validate.h"
#include "lib/timeutil.h"

#define NOTICES_SHOWN 50

/* A one-time link's answer: the token travels in the URL's fragment, which browsers never
 * send to a server log. */
static json_t *
link_json(const struct enrolment *e, const char *page, const char *token)
{
	char expires[RFC3339_SIZE], url[128];

	fmt_rfc3339(e->expires_at, expires);
	snprintf(url, sizeof(url), "/%s#%s", page, token);
	/* A Secretariat account's recovery link has no state. */
	return json_pack("{s:s,s:s*,s:s,s:s,s:s,s:s}", "id", e->id, "state",
	                 e->state[0] ? e->state : NULL, "role", role_name(e->role), "token", token,
	                 "url", url, "expires_at", expires);
}

static void
link_cont(struct api_req *req, struct api_resp *resp)
{
	struct reset_link_op *op = req->state;
	json_t *o;

	if (op->status == POCD_ECONFLICT) {
		problem(resp, POCD_ECONFLICT,
		        "this is your own account: change its password with /api/v1/me/password");
		return;
	}
	if (op->status == POCD_ENOTFOUND) {
		problem(resp, POCD_ENOTFOUND, "there is no account with this id");
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	o = link_json(&op->link, "reset", op->token);
	json_object_set_new(o, "account", json_string(op->link.target));
	resp_json(resp, 201, o);
	resp_header(resp, "Cache-Control", "no-store");
	sodium_memzero(op->token, sizeof(op->token));
}

enum api_result
h_account_reset(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c;
	struct reset_link_op *op;
	struct account a;
	enum pocd_err err;

	if (authz_reset_account(&req->who, NULL) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN,
		        "only a state's administrators reset its accounts, and the Secretariat its "
		        "own");
		return API_DONE;
	}
	if ((c = reader(req, resp)) == NULL)
		return API_DONE;
	err = id_valid(req->params[0]) ? store_account_get(c, req->params[0], &a) : POCD_ENOTFOUND;
	if (err == POCD_OK)
		err = authz_reset_account(&req->who, &a);
	if (err != POCD_OK) {
		problem(resp, err,
		        err == POCD_ENOTFOUND    ? "there is no account with this id"
		        : err == POCD_EFORBIDDEN ? "the Secretariat resets only Secretariat "
		                                   "accounts: a state's administrators "
		                                   "reset its accounts"
		                                 : NULL);
		return API_DONE;
	}
	if (req->body_len > 0) {
		problem_status(resp, 400, "validation", "Invalid request",
		               "a recovery link takes no body");
		return API_DONE;
	}
	if ((op = req_state(req, resp, sizeof(*op))) == NULL)
		return API_DONE;
	op->actor = req->who;
	memcpy(op->account_id, a.id, sizeof(a.id));
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, recovery_create_link(req->api->core, op), link_cont);
}

static void
reset_cont(struct api_req *req, struct api_resp *resp)
{
	struct reset_op *op = req->state;

	if (op->status == POCD_EGONE) {
		problem(
		    resp, POCD_EGONE,
		    "this recovery link is unknown, used, expired or revoked: ask your state's "
		    "administrator (for a Secretariat account, another Secretariat account) for "
		    "a new one");
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	resp_json(resp, 200,
	          json_pack("{s:s,s:s,s:s,s:s?}", "id", op->account.id, "username",
	                    op->account.username, "role", role_name(op->account.role), "state",
	                    op->account.state[0] ? op->account.state : NULL));
	resp_header(resp, "Cache-Control", "no-store");
}

enum api_result
h_reset(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"token", "password", NULL};
	struct verrs errs = {0};
	struct reset_op *op;
	const char *token, *pw, *why;
	json_t *o = body_object(req, resp);
	enum pocd_err err;

	if (o == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "a recovery", &errs);
	token = json_member_str(o, "token", true, TOKEN_LEN, &errs);
	pw = json_member_str(o, "password", true, PASSWORD_MAX, &errs);
	if (pw != NULL && (why = password_weakness(pw)) != NULL)
		verr_add(&errs, "password", "%s", why);
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
	strlcpy(op->token, token, sizeof(op->token));
	strlcpy(op->password, pw, sizeof(op->password));
	strlcpy(op->client, req->client, sizeof(op->client));
	json_decref(o);
	op->done = req_wake;
	op->arg = req;
	err = recovery_reset(req->api->core, op);
	if (err == POCD_ETHROTTLED) {
		problem(resp, err, "too many unknown recovery links from your address");
		resp_header(resp, "Retry-After", "%lld", (long long)op->retry_after);
		return API_DONE;
	}
	if (err == POCD_EGONE) {
		op->status = err;
		reset_cont(req, resp);
		return API_DONE;
	}
	return req_pending(req, resp, err, reset_cont);
}

static void
reenrol_cont(struct api_req *req, struct api_resp *resp)
{
	struct reenrol_op *op = req->state;
	struct store_conn *c;
	struct receipt rc;
	json_t *o;

	if (op->status == POCD_ENOTFOUND) {
		problem(resp, POCD_ENOTFOUND, "no UN member state has this code");
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	o = link_json(&op->link, "enrol", op->token);
	sodium_memzero(op->token, sizeof(op->token));
	json_object_set_new(o, "notices", json_integer((json_int_t)op->notices));
	json_object_set_new(o, "mails", json_integer((json_int_t)op->mails));
	json_object_set_new(o, "event_id", json_string(op->event_id));
	/* The state's leaf of the event: the Secretariat has no leaf of its own to show. */
	c = store_reader(req->api->core->store);
	if (c != NULL &&
	    record_receipt(req->api->core, c, op->event_id, op->state, &rc) == POCD_OK) {
		json_object_set_new(o, "receipt", receipt_json(&rc));
		receipt_free(&rc);
	}
	resp_json(resp, 201, o);
	resp_header(resp, "Cache-Control", "no-store");
}

enum api_result
h_reenrol(struct api_req *req, struct api_resp *resp)
{
	struct reenrol_op *op;

	if (authz_reenrol(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN,
		        "only the Secretariat re-enrols a state's administrator");
		return API_DONE;
	}
	if (!valid_state_code(req->params[0])) {
		problem(resp, POCD_ENOTFOUND, "no UN member state has this code");
		return API_DONE;
	}
	if (req->body_len > 0) {
		problem_status(resp, 400, "validation", "Invalid request",
		               "a re-enrolment takes no body");
		return API_DONE;
	}
	if ((op = req_state(req, resp, sizeof(*op))) == NULL)
		return API_DONE;
	op->actor = req->who;
	strlcpy(op->state, req->params[0], sizeof(op->state));
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, recovery_reenrol(req->api->core, op), reenrol_cont);
}

static void
reenrol_cancel_cont(struct api_req *req, struct api_resp *resp)
{
	struct reenrol_cancel_op *op = req->state;

	if (op->status == POCD_ENOTFOUND) {
		problem(resp, POCD_ENOTFOUND,
		        "this state has no unused re-enrolment link with this id");
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	resp->status = 204;
}

enum api_result
h_reenrol_cancel(struct api_req *req, struct api_resp *resp)
{
	struct reenrol_cancel_op *op;
	enum pocd_err err = authz_cancel_reenrol(&req->who, req->params[0]);

	if (err != POCD_OK) {
		problem(resp, err,
		        err == POCD_EFORBIDDEN
		            ? "only the state's administrators cancel its re-enrolment links"
		            : "no such re-enrolment link");
		return API_DONE;
	}
	if (!id_valid(req->params[1])) {
		problem(resp, POCD_ENOTFOUND, "no such re-enrolment link");
		return API_DONE;
	}
	if ((op = req_state(req, resp, sizeof(*op))) == NULL)
		return API_DONE;
	op->actor = req->who;
	strlcpy(op->state, req->params[0], sizeof(op->state));
	strlcpy(op->link_id, req->params[1], sizeof(op->link_id));
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, recovery_reenrol_cancel(req->api->core, op),
	                   reenrol_cancel_cont);
}

struct notices_ctx {
	struct store_conn *c;
	json_t *items;
	int64_t now;
	enum pocd_err err;
};

/* A notice whose details do not parse is left out, alone: the others still show. A
 * re-enrolment notice says whether its link can still be cancelled (pending). */
static int
add_notice(const char *id, const char *kind, int64_t at, const char *details, void *arg)
{
	struct notices_ctx *n = arg;
	json_t *d = json_loads(details, 0, NULL);
	const char *link, *state;
	bool pending;
	json_t *o;

	if (d == NULL) {
		log_info("notices: notice %s has details that are not JSON: left out", id);
		return 0;
	}
	o = json_pack("{s:s,s:s,s:o}", "id", id, "kind", kind, "details", d);
	if (o == NULL)
		return -1;
	json_set_time(o, "created_at", at);
	link = json_string_value(json_object_get(d, "enrolment"));
	state = json_string_value(json_object_get(d, "state"));
	if (strcmp(kind, NOTICE_REENROLMENT) == 0 && link != NULL && state != NULL) {
		n->err =
		    store_enrolment_pending(n->c, link, state, ENROL_REENROL, n->now, &pending);
		if (n->err != POCD_OK) {
			json_decref(o);
			return -1;
		}
		json_object_set_new(o, "pending", json_boolean(pending));
	}
	return json_array_append_new(n->items, o);
}

enum api_result
h_notices(struct api_req *req, struct api_resp *resp)
{
	struct notices_ctx n = {.c = reader(req, resp), .now = core_now(req->api->core)};
	enum pocd_err err;

	if (n.c == NULL)
		return API_DONE;
	n.items = json_array();
	err = n.items != NULL
	          ? store_notices_list(n.c, req->who.account_id, NOTICES_SHOWN, add_notice, &n)
	          : POCD_ENOMEM;
	if (err == POCD_OK)
		err = n.err;
	if (err != POCD_OK) {
		json_decref(n.items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", n.items, "next"));
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}
