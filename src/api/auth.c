/* Logging in and out, the caller's own account, and one-time enrolment links. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "core/accounts.h"
#include "core/authz.h"
#include "core/validate.h"
#include "lib/timeutil.h"

static json_t *
account_json(const char *id, const char *username, enum role role, const char *state)
{
	return json_pack("{s:s,s:s,s:s,s:s?}", "id", id, "username", username, "role",
			 role_name(role), "state", state[0] != '\0' ? state : NULL);
}

struct login_req {
	struct login_op op;
	struct api_req *req;
};

static void
login_done(struct login_op *op)
{
	struct login_req *lr = container_of(op, struct login_req, op);

	lr->req->wake(lr->req);
}

static void
wipe_free(void *p)
{
	struct login_req *lr = p;

	sodium_memzero(lr, sizeof(*lr));
	free(lr);
}

static void
login_cont(struct api_req *req, struct api_resp *resp)
{
	struct login_req *lr = req->state;
	struct login_op *op = &lr->op;
	char expires[RFC3339_SIZE], csrf[TOKEN_SIZE];

	if (op->status == POCD_EAUTH) {
		problem(resp, POCD_EAUTH, "wrong username or password");
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
			    "csrf_token", csrf,
			    "account", account_json(op->who.account_id, op->who.username,
						    op->who.role, op->who.state)));
	resp_header(resp, "Set-Cookie", "pocd_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
		    op->token, (long long)(op->expires_at - now_s()), req->tls ? "; Secure" : "");
	resp_header(resp, "Cache-Control", "no-store");
	sodium_memzero(csrf, sizeof(csrf));
}

enum api_result
h_login(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"username", "password", NULL};
	struct verrs errs = {0};
	struct login_req *lr;
	const char *user, *pw;
	json_t *o = body_object(req, resp);
	enum pocd_err err;

	if (o == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "a login", &errs);
	user = json_member_str(o, "username", true, USERNAME_MAX, &errs);
	pw = json_member_str(o, "password", true, PASSWORD_MAX, &errs);
	if (errs.n > 0) {
		json_decref(o);
		problem_fields(resp, &errs);
		return API_DONE;
	}
	lr = calloc(1, sizeof(*lr));
	if (lr == NULL) {
		json_decref(o);
		problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	lr->req = req;
	req->state = lr;
	req->state_free = wipe_free;
	strlcpy(lr->op.username, user, sizeof(lr->op.username));
	strlcpy(lr->op.password, pw, sizeof(lr->op.password));
	strlcpy(lr->op.client, req->client, sizeof(lr->op.client));
	json_decref(o);
	lr->op.done = login_done;
	err = accounts_login(req->api->core, &lr->op);
	if (err == POCD_ETHROTTLED) {
		problem(resp, err, "too many failed logins for this account from your address");
		resp_header(resp, "Retry-After", "%lld", (long long)lr->op.retry_after);
		return API_DONE;
	}
	if (err != POCD_OK) {
		problem(resp, err, NULL);
		return API_DONE;
	}
	req->cont = login_cont;
	return API_PENDING;
}

struct logout_req {
	struct logout_op op;
	struct api_req *req;
};

static void
logout_done(struct logout_op *op)
{
	struct logout_req *lr = container_of(op, struct logout_req, op);

	lr->req->wake(lr->req);
}

static void
logout_cont(struct api_req *req, struct api_resp *resp)
{
	struct logout_req *lr = req->state;

	if (lr->op.status != POCD_OK) {
		problem(resp, lr->op.status, NULL);
		return;
	}
	resp->status = 204;
	resp_header(resp, "Set-Cookie", "pocd_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

enum api_result
h_logout(struct api_req *req, struct api_resp *resp)
{
	struct logout_req *lr = calloc(1, sizeof(*lr));
	enum pocd_err err;

	if (lr == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	lr->req = req;
	req->state = lr;
	req->state_free = free;
	memcpy(lr->op.token, req->token, sizeof(lr->op.token));
	lr->op.who = req->who;
	lr->op.done = logout_done;
	err = accounts_logout(req->api->core, &lr->op);
	if (err != POCD_OK) {
		problem(resp, err, NULL);
		return API_DONE;
	}
	req->cont = logout_cont;
	return API_PENDING;
}

enum api_result
h_me(struct api_req *req, struct api_resp *resp)
{
	json_t *o = account_json(req->who.account_id, req->who.username, req->who.role,
				 req->who.state);

	if (o != NULL)
		json_object_set_new(o, "participating", json_boolean(req->who.participating));
	resp_json(resp, 200, o);
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}

struct password_req {
	struct password_op op;
	struct api_req *req;
};

static void
password_done(struct password_op *op)
{
	struct password_req *pr = container_of(op, struct password_req, op);

	pr->req->wake(pr->req);
}

static void
password_free(void *p)
{
	sodium_memzero(p, sizeof(struct password_req));
	free(p);
}

static void
password_cont(struct api_req *req, struct api_resp *resp)
{
	struct password_req *pr = req->state;

	if (pr->op.status == POCD_EAUTH) {
		struct verrs e = {0};
		verr_add(&e, "current_password", "is not your current password");
		problem_fields(resp, &e);
	} else if (pr->op.status != POCD_OK) {
		problem(resp, pr->op.status, NULL);
	} else {
		resp->status = 204;
	}
}

enum api_result
h_password(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"current_password", "new_password", NULL};
	struct verrs errs = {0};
	struct password_req *pr;
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
	pr = errs.n == 0 ? calloc(1, sizeof(*pr)) : NULL;
	if (pr == NULL) {
		json_decref(o);
		if (errs.n > 0)
			problem_fields(resp, &errs);
		else
			problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	pr->req = req;
	req->state = pr;
	req->state_free = password_free;
	pr->op.actor = req->who;
	strlcpy(pr->op.current, cur, sizeof(pr->op.current));
	strlcpy(pr->op.next, next, sizeof(pr->op.next));
	json_decref(o);
	pr->op.done = password_done;
	err = accounts_change_password(req->api->core, &pr->op);
	if (err != POCD_OK) {
		problem(resp, err, NULL);
		return API_DONE;
	}
	req->cont = password_cont;
	return API_PENDING;
}

struct enrol_req {
	struct enrol_op op;
	struct api_req *req;
};

static void
enrol_done(struct enrol_op *op)
{
	struct enrol_req *er = container_of(op, struct enrol_req, op);

	er->req->wake(er->req);
}

static void
enrol_free(void *p)
{
	sodium_memzero(p, sizeof(struct enrol_req));
	free(p);
}

static void
enrol_cont(struct api_req *req, struct api_resp *resp)
{
	struct enrol_req *er = req->state;
	struct account *a = &er->op.account;

	if (er->op.status == POCD_ECONFLICT) {
		struct verrs e = {0};
		verr_add(&e, "username", "is taken: choose another");
		problem_fields(resp, &e);
		resp->status = 409;
		return;
	}
	if (er->op.status != POCD_OK) {
		problem(resp, er->op.status, NULL);
		return;
	}
	resp_json(resp, 201, account_json(a->id, a->username, a->role, a->state));
}

enum api_result
h_enrol(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"token", "username", "password", NULL};
	struct verrs errs = {0};
	struct enrol_req *er;
	const char *token, *user, *pw;
	json_t *o = body_object(req, resp);
	enum pocd_err err;

	if (o == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "an enrolment", &errs);
	token = json_member_str(o, "token", true, TOKEN_LEN, &errs);
	user = json_member_str(o, "username", true, USERNAME_MAX, &errs);
	pw = json_member_str(o, "password", true, PASSWORD_MAX, &errs);
	if (user != NULL && pw != NULL)
		accounts_check_new(user, pw, &errs);
	er = errs.n == 0 ? calloc(1, sizeof(*er)) : NULL;
	if (er == NULL) {
		json_decref(o);
		if (errs.n > 0)
			problem_fields(resp, &errs);
		else
			problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	er->req = req;
	req->state = er;
	req->state_free = enrol_free;
	strlcpy(er->op.token, token, sizeof(er->op.token));
	strlcpy(er->op.username, user, sizeof(er->op.username));
	strlcpy(er->op.password, pw, sizeof(er->op.password));
	json_decref(o);
	er->op.done = enrol_done;
	err = accounts_enrol(req->api->core, &er->op);
	if (err != POCD_OK) {
		problem(resp, err, NULL);
		return API_DONE;
	}
	req->cont = enrol_cont;
	return API_PENDING;
}

struct enrolment_req {
	struct enrolment_op op;
	struct api_req *req;
};

static void
enrolment_done(struct enrolment_op *op)
{
	struct enrolment_req *er = container_of(op, struct enrolment_req, op);

	er->req->wake(er->req);
}

static void
enrolment_free(void *p)
{
	sodium_memzero(p, sizeof(struct enrolment_req));
	free(p);
}

static void
enrolment_cont(struct api_req *req, struct api_resp *resp)
{
	struct enrolment_req *er = req->state;
	char expires[RFC3339_SIZE], url[128];

	if (er->op.status == POCD_ECONFLICT) {
		problem(resp, POCD_ECONFLICT,
			"this state has an administrator already: it enrols its own accounts");
		return;
	}
	if (er->op.status != POCD_OK) {
		problem(resp, er->op.status, NULL);
		return;
	}
	fmt_rfc3339(er->op.enrolment.expires_at, expires);
	/* The token travels in the fragment, which browsers never send to a server log. */
	snprintf(url, sizeof(url), "/enrol#%s", er->op.token);
	resp_json(resp, 201,
		  json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", er->op.enrolment.id, "state",
			    er->op.enrolment.state, "role", role_name(er->op.enrolment.role),
			    "token", er->op.token, "url", url, "expires_at", expires));
	resp_header(resp, "Cache-Control", "no-store");
}

enum api_result
h_enrolment_create(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"role", NULL};
	const char *state = req->params[0], *role;
	struct verrs errs = {0};
	struct enrolment_req *er;
	json_t *o;
	int r;
	enum pocd_err err;

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
	er = calloc(1, sizeof(*er));
	if (er == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	er->req = req;
	req->state = er;
	req->state_free = enrolment_free;
	er->op.actor = req->who;
	strlcpy(er->op.state, state, sizeof(er->op.state));
	er->op.role = (enum role)r;
	er->op.done = enrolment_done;
	err = accounts_create_enrolment(req->api->core, &er->op);
	if (err != POCD_OK) {
		problem(resp, err, NULL);
		return API_DONE;
	}
	req->cont = enrolment_cont;
	return API_PENDING;
}
