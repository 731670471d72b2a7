/* Logging in and out, the caller's own account, and one-time enrolment links. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "core/accounts.h"
#include "core/apikeys.h"
#include "core/authz.h"
#include "core/twofactor.h"
#include "core/validate.h"
#include "lib/timeutil.h"

static json_t *
account_json(const char *id, const char *username, enum role role, const char *state)
{
	return json_pack("{s:s,s:s,s:s,s:s?}", "id", id, "username", username, "role",
	                 role_name(role), "state", state[0] != '\0' ? state : NULL);
}

static void
login_cont(struct api_req *req, struct api_resp *resp)
{
	struct login_op *op = req->state;
	char expires[RFC3339_SIZE], csrf[TOKEN_SIZE];

	if (op->status == POCD_EAUTH && op->totp_missing) {
		problem_field(resp, POCD_EAUTH, "totp",
		              "is required: the 6-digit code your authenticator app shows");
		return;
	}
	if (op->status == POCD_EAUTH) {
		problem(resp, POCD_EAUTH, "wrong username, password or code");
		return;
	}
	if (op->status == POCD_ETHROTTLED) {
		problem(resp, op->status,
		        "too many failed logins for this account from your address");
		resp_header(resp, "Retry-After", "%lld", (long long)op->retry_after);
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	fmt_rfc3339(op->expires_at, expires);
	api_csrf_token(op->token, csrf);
	resp_json(resp, 200,
	          json_pack("{s:s,s:s,s:s,s:o}", "token", op->token, "expires_at", expires,
	                    "csrf_token", csrf, "account",
	                    account_json(op->who.account_id, op->who.username, op->who.role,
	                                 op->who.state)));
	resp_header(resp, "Set-Cookie",
	            "pocd_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", op->token,
	            (long long)(op->expires_at - now_s()), req->tls ? "; Secure" : "");
	resp_header(resp, "Cache-Control", "no-store");
	sodium_memzero(csrf, sizeof(csrf));
}

enum api_result
h_login(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"username", "password", "totp", NULL};
	struct verrs errs = {0};
	struct login_op *op;
	const char *user, *pw, *code;
	json_t *o = body_object(req, resp);
	enum pocd_err err;

	if (o == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "a login", &errs);
	user = json_member_str(o, "username", true, USERNAME_MAX, &errs);
	pw = json_member_str(o, "password", true, PASSWORD_MAX, &errs);
	code = json_member_str(o, "totp", false, TOTP_DIGITS, &errs);
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
	strlcpy(op->username, user, sizeof(op->username));
	strlcpy(op->password, pw, sizeof(op->password));
	strlcpy(op->totp, code != NULL ? code : "", sizeof(op->totp));
	strlcpy(op->client, req->client, sizeof(op->client));
	json_decref(o);
	op->done = req_wake;
	op->arg = req;
	err = accounts_login(req->api->core, op);
	if (err == POCD_ETHROTTLED) {
		problem(resp, err, "too many failed logins for this account from your address");
		resp_header(resp, "Retry-After", "%lld", (long long)op->retry_after);
		return API_DONE;
	}
	return req_pending(req, resp, err, login_cont);
}

static void
logout_cont(struct api_req *req, struct api_resp *resp)
{
	struct logout_op *op = req->state;

	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	resp->status = 204;
	resp_header(resp, "Set-Cookie",
	            "pocd_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
	            req->tls ? "; Secure" : "");
}

enum api_result
h_logout(struct api_req *req, struct api_resp *resp)
{
	struct logout_op *op = req_state(req, resp, sizeof(*op));

	if (op == NULL)
		return API_DONE;
	memcpy(op->token, req->token, sizeof(op->token));
	op->who = req->who;
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, accounts_logout(req->api->core, op), logout_cont);
}

enum api_result
h_me(struct api_req *req, struct api_resp *resp)
{
	json_t *o =
	    account_json(req->who.account_id, req->who.username, req->who.role, req->who.state);
	char csrf[TOKEN_SIZE];

	if (o != NULL) {
		json_object_set_new(o, "participating", json_boolean(req->who.participating));
		/* So that a page can lead an account that must enrol a second factor there. */
		json_object_set_new(o, "second_factor", json_boolean(req->who.second_factor));
		json_object_set_new(
		    o, "second_factor_required",
		    json_boolean(twofactor_required(req->api->core, req->who.role)));
		/* Every account of a state is told of the e-mail and key changes that wait. */
		if (req->who.role != ROLE_SECRETARIAT && req->who.participating)
			json_object_set_new(o, "pending_changes", api_pending_changes(req));
	}
	/* A machine learns which key it holds and for which state it acts. */
	if (o != NULL && req->who.key_id[0] != '\0')
		json_object_set_new(o, "api_key",
		                    json_pack("{s:s,s:o}", "id", req->who.key_id, "scopes",
		                              json_names(req->who.scopes, apikey_scope_name)));
	/* A page that reloaded has its cookie but lost the CSRF token: it reads it here. */
	if (o != NULL && req->by_cookie) {
		api_csrf_token(req->token, csrf);
		json_object_set_new(o, "csrf_token", json_string(csrf));
		sodium_memzero(csrf, sizeof(csrf));
	}
	resp_json(resp, 200, o);
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}

static void
password_cont(struct api_req *req, struct api_resp *resp)
{
	struct password_op *op = req->state;

	if (op->status == POCD_EAUTH) {
		problem_field(resp, POCD_EINVAL, "current_password",
		              "is not your current password");
	} else if (op->status == POCD_ETHROTTLED) {
		problem(resp, op->status,
		        "too many wrong passwords from your address: wait, then retry");
		resp_header(resp, "Retry-After", "%lld", (long long)op->retry_after);
	} else if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
	} else {
		resp->status = 204;
	}
}

enum api_result
h_password(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"current_password", "new_password", NULL};
	struct verrs errs = {0};
	struct password_op *op;
	const char *cur, *next, *why;
	json_t *o = body_object(req, resp);
	enum pocd_err err;

	if (o == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "a password change", &errs);
	cur = json_member_str(o, "current_password", true, PASSWORD_MAX, &errs);
	next = json_member_str(o, "new_password", true, PASSWORD_MAX, &errs);
	if (next != NULL && (why = password_weakness(next)) != NULL)
		verr_add(&errs, "new_password", "%s", why);
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
	memcpy(op->token, req->token, sizeof(op->token));
	strlcpy(op->client, req->client, sizeof(op->client));
	strlcpy(op->current, cur, sizeof(op->current));
	strlcpy(op->next, next, sizeof(op->next));
	json_decref(o);
	op->done = req_wake;
	op->arg = req;
	err = accounts_change_password(req->api->core, op);
	if (err == POCD_ETHROTTLED) {
		op->status = err;
		password_cont(req, resp);
		return API_DONE;
	}
	return req_pending(req, resp, err, password_cont);
}

static void
enrol_cont(struct api_req *req, struct api_resp *resp)
{
	struct enrol_op *op = req->state;
	struct account *a = &op->account;

	if (op->status == POCD_ECONFLICT) {
		problem_field(resp, POCD_ECONFLICT, "username", "is taken: choose another");
		return;
	}
	if (op->status == POCD_EFORBIDDEN) {
		char when[RFC3339_SIZE], why[160];
		fmt_rfc3339(op->usable_at, when);
		snprintf(why, sizeof(why),
		         "a re-enrolment link works from %s, a day after its issue, unless the "
		         "state's administrators cancel it",
		         when);
		problem(resp, POCD_EFORBIDDEN, why);
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	resp_json(resp, 201, account_json(a->id, a->username, a->role, a->state));
}

enum api_result
h_enrol(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"token", "username", "password", NULL};
	struct verrs errs = {0};
	struct enrol_op *op;
	const char *token, *user, *pw;
	json_t *o = body_object(req, resp);

	if (o == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "an enrolment", &errs);
	token = json_member_str(o, "token", true, TOKEN_LEN, &errs);
	user = json_member_str(o, "username", true, USERNAME_MAX, &errs);
	pw = json_member_str(o, "password", true, PASSWORD_MAX, &errs);
	if (user != NULL && pw != NULL)
		accounts_check_new(user, pw, &errs);
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
	strlcpy(op->username, user, sizeof(op->username));
	strlcpy(op->password, pw, sizeof(op->password));
	json_decref(o);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, accounts_enrol(req->api->core, op), enrol_cont);
}

static void
enrolment_cont(struct api_req *req, struct api_resp *resp)
{
	struct enrolment_op *op = req->state;
	char expires[RFC3339_SIZE], url[128];

	if (op->status == POCD_ECONFLICT) {
		problem(resp, POCD_ECONFLICT,
		        "this state has an administrator already: it enrols its own accounts");
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	fmt_rfc3339(op->enrolment.expires_at, expires);
	/* The token travels in the fragment, which browsers never send to a server log. */
	snprintf(url, sizeof(url), "/enrol#%s", op->token);
	resp_json(resp, 201,
	          json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", op->enrolment.id, "state",
	                    op->enrolment.state, "role", role_name(op->enrolment.role), "token",
	                    op->token, "url", url, "expires_at", expires));
	resp_header(resp, "Cache-Control", "no-store");
}

enum api_result
h_enrolment_create(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"role", NULL};
	const char *state = req->params[0], *role;
	struct verrs errs = {0};
	struct enrolment_op *op;
	json_t *o;
	int r;

	if (authz_create_enrolment(&req->who, state) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN,
		        "only the Secretariat or this state's administrators enrol its accounts");
		return API_DONE;
	}
	o = body_object(req, resp);
	if (o == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "an enrolment link", &errs);
	role = json_member_str(o, "role", true, 32, &errs);
	r = role != NULL ? role_parse_name(role) : -1;
	if (role != NULL && (r < 0 || r == ROLE_SECRETARIAT))
		verr_add(&errs, "role", "must be \"state_admin\" or \"officer\"");
	else if (r == ROLE_OFFICER && req->who.role == ROLE_SECRETARIAT)
		verr_add(&errs, "role", "the Secretariat enrols a state's administrators only");
	json_decref(o);
	if (errs.n > 0) {
		problem_fields(resp, &errs);
		return API_DONE;
	}
	op = req_state(req, resp, sizeof(*op));
	if (op == NULL)
		return API_DONE;
	op->actor = req->who;
	strlcpy(op->state, state, sizeof(op->state));
	op->role = (enum role)r;
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, accounts_create_enrolment(req->api->core, op),
	                   enrolment_cont);
}

static void
twofactor_cont(struct api_req *req, struct api_resp *resp)
{
	struct twofactor_op *op = req->state;
	char uri[512], user[3 * USERNAME_MAX + 1];
	size_t n = 0;

	if (op->status == POCD_EAUTH) {
		problem_field(resp, POCD_EINVAL, "code",
		              "is not the code your authenticator shows now");
		return;
	}
	if (op->status == POCD_ECONFLICT) {
		problem(resp, POCD_ECONFLICT,
		        op->action == TWOFACTOR_BEGIN     ? "a second factor is enrolled already"
		        : op->action == TWOFACTOR_CONFIRM ? "no second factor is being enrolled"
		                                          : "no second factor is enrolled");
		return;
	}
	if (op->status == POCD_EFORBIDDEN) {
		problem(resp, POCD_EFORBIDDEN,
		        "this service requires a second factor of your role");
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	if (op->action != TWOFACTOR_BEGIN) {
		resp->status = 204;
		return;
	}
	/* The label's account part is percent-encoded: usernames are letters, digits and -._ */
	for (const char *p = req->who.username; *p != '\0' && n + 4 < sizeof(user); p++)
		n += (size_t)snprintf(user + n, sizeof(user) - n,
		                      (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		                              *p == '-' || *p == '.' || *p == '_'
		                          ? "%c"
		                          : "%%%02X",
		                      (unsigned char)*p);
	snprintf(uri, sizeof(uri),
	         "otpauth://totp/pocd:%s?secret=%s&issuer=pocd&algorithm=SHA1&digits=%d&period=%d",
	         user, op->key, TOTP_DIGITS, TOTP_STEP);
	resp_json(resp, 201, json_pack("{s:s,s:s}", "key", op->key, "uri", uri));
	resp_header(resp, "Cache-Control", "no-store");
	sodium_memzero(op->key, sizeof(op->key));
	sodium_memzero(uri, sizeof(uri));
}

static enum api_result
twofactor(struct api_req *req, struct api_resp *resp, enum twofactor_action action)
{
	static const char *const fields[] = {"code", NULL};
	struct twofactor_op *op = req_state(req, resp, sizeof(*op));
	struct verrs errs = {0};
	const char *code;
	json_t *o;

	if (op == NULL)
		return API_DONE;
	op->action = action;
	if (action != TWOFACTOR_BEGIN) {
		if ((o = body_object(req, resp)) == NULL)
			return API_DONE;
		json_refuse_unknown(o, fields, "a code", &errs);
		code = json_member_str(o, "code", true, TOTP_DIGITS, &errs);
		if (errs.n == 0)
			strlcpy(op->code, code, sizeof(op->code));
		json_decref(o);
		if (errs.n > 0) {
			problem_fields(resp, &errs);
			return API_DONE;
		}
	}
	op->actor = req->who;
	op->now = now_s();
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, twofactor_submit(req->api->core, op), twofactor_cont);
}

enum api_result
h_totp_begin(struct api_req *req, struct api_resp *resp)
{
	return twofactor(req, resp, TWOFACTOR_BEGIN);
}

enum api_result
h_totp_confirm(struct api_req *req, struct api_resp *resp)
{
	return twofactor(req, resp, TWOFACTOR_CONFIRM);
}

enum api_result
h_totp_remove(struct api_req *req, struct api_resp *resp)
{
	return twofactor(req, resp, TWOFACTOR_REMOVE);
}
