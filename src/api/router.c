/* The route table, authentication of the caller, and the checks every route shares. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/cache.h"
#include "api/handlers.h"
#include "api/web.h"
#include "core/apikeys.h"
#include "core/sessions.h"
#include "core/twofactor.h"

enum route_flags {
	PUBLIC = 1,  /* no login needed */
	METRICS = 2, /* the Secretariat or the metrics token */
	ENROL = 4,   /* open to a session that must first enrol a required second factor */
	UPLOAD = 8,  /* streams its body to the attachment sink (attachment_sink_open) */
};

/* Scopes an API key needs, one per route (core/apikeys.h); a route with none is closed to
 * keys: accounts, keys, webhooks, the Secretariat's work. */
#define DIR_READ    APIKEY_SCOPE_DIRECTORY_READ
#define COMM_READ   APIKEY_SCOPE_COMMS_READ
#define COMM_SEND   APIKEY_SCOPE_COMMS_SEND
#define COMM_ACK    APIKEY_SCOPE_COMMS_ACK
#define PING_ANSWER APIKEY_SCOPE_PINGS_ANSWER
#define ANY_KEY     APIKEY_SCOPES_ALL /* any key: who it is */

static const char *const method_names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};

struct route {
	enum api_method method;
	const char *pattern; /* "{}" matches one segment, captured into req->params */
	api_handler fn;
	unsigned flags;
	unsigned scope; /* the API key scope it needs; 0: no key may call it */
};

static const struct route routes[] = {
    {M_GET, "/healthz", h_healthz, PUBLIC, 0},
    {M_GET, "/metrics", h_metrics, METRICS, 0},
    {M_POST, "/api/v1/login", h_login, PUBLIC, 0},
    {M_POST, "/api/v1/logout", h_logout, ENROL, 0},
    {M_GET, "/api/v1/me", h_me, ENROL, ANY_KEY},
    {M_POST, "/api/v1/me/password", h_password, ENROL, 0},
    {M_POST, "/api/v1/me/totp", h_totp_begin, ENROL, 0},
    {M_POST, "/api/v1/me/totp/confirm", h_totp_confirm, ENROL, 0},
    {M_POST, "/api/v1/me/totp/remove", h_totp_remove, 0, 0},
    {M_POST, "/api/v1/enrol", h_enrol, PUBLIC, 0},
    {M_POST, "/api/v1/reset", h_reset, PUBLIC, 0},
    {M_GET, "/api/v1/me/notices", h_notices, ENROL, 0},
    {M_GET, "/api/v1/states", h_states, 0, DIR_READ},
    {M_GET, "/api/v1/states/{}", h_state, 0, DIR_READ},
    {M_PATCH, "/api/v1/states/{}", h_state_patch, 0, 0},
    {M_GET, "/api/v1/states/{}/pocs", h_state_pocs, 0, DIR_READ},
    {M_POST, "/api/v1/states/{}/pocs", h_poc_create, 0, 0},
    {M_GET, "/api/v1/states/{}/accounts", h_accounts, 0, 0},
    {M_POST, "/api/v1/states/{}/enrolments", h_enrolment_create, 0, 0},
    {M_POST, "/api/v1/states/{}/reenrol", h_reenrol, 0, 0},
    {M_DELETE, "/api/v1/states/{}/reenrol/{}", h_reenrol_cancel, 0, 0},
    {M_GET, "/api/v1/pocs/{}", h_poc_get, 0, DIR_READ},
    {M_PUT, "/api/v1/pocs/{}", h_poc_put, 0, 0},
    {M_DELETE, "/api/v1/pocs/{}", h_poc_delete, 0, 0},
    {M_GET, "/api/v1/pocs/{}/history", h_poc_history, 0, DIR_READ},
    {M_GET, "/api/v1/pocs/{}/changes", h_poc_changes, 0, 0},
    {M_POST, "/api/v1/pocs/{}/changes/{}/confirm", h_poc_change_confirm, 0, 0},
    {M_DELETE, "/api/v1/pocs/{}/changes/{}", h_poc_change_cancel, 0, 0},
    {M_GET, "/api/v1/directory", h_directory, 0, DIR_READ},
    {M_PATCH, "/api/v1/accounts/{}", h_account_patch, 0, 0},
    {M_POST, "/api/v1/accounts/{}/reset", h_account_reset, 0, 0},
    {M_GET, "/api/v1/templates", h_templates, 0, COMM_SEND},
    {M_POST, "/api/v1/communications", h_comm_send, 0, COMM_SEND},
    {M_GET, "/api/v1/communications", h_comm_list, 0, COMM_READ},
    {M_GET, "/api/v1/communications/{}", h_comm_get, 0, COMM_READ},
    {M_POST, "/api/v1/ack", h_comm_ack_link, PUBLIC, 0},
    {M_POST, "/api/v1/communications/{}/acknowledge", h_comm_ack, 0, COMM_ACK},
    {M_POST, "/api/v1/communications/{}/replies", h_comm_reply, 0, COMM_SEND},
    {M_POST, "/api/v1/communications/{}/close", h_comm_close, 0, COMM_SEND},
    {M_GET, "/api/v1/reports/responsiveness", h_report, 0, 0},
    {M_POST, "/api/v1/test/clock", h_test_clock, PUBLIC, 0},
    {M_POST, "/api/v1/ping-campaigns", h_campaign_create, 0, 0},
    {M_GET, "/api/v1/ping-campaigns", h_campaigns, 0, 0},
    {M_GET, "/api/v1/ping-campaigns/{}", h_campaign, 0, 0},
    {M_GET, "/api/v1/ping-campaigns/{}/results", h_campaign_results, 0, 0},
    {M_GET, "/api/v1/pings", h_pings, 0, PING_ANSWER},
    {M_POST, "/api/v1/pings/answer", h_ping_answer_link, PUBLIC, 0},
    {M_POST, "/api/v1/pings/{}/answer", h_ping_answer, 0, PING_ANSWER},
    {M_GET, "/api/v1/reports/pings", h_ping_report, 0, 0},
    {M_GET, "/api/v1/tasks", h_tasks, 0, 0},
    {M_POST, "/api/v1/pocs/{}/confirm", h_poc_confirm, 0, 0},
    {M_PUT, "/api/v1/pocs/{}/key", h_poc_key_put, 0, 0},
    {M_GET, "/api/v1/service", h_service, PUBLIC, 0},
    {M_GET, "/api/v1/log/checkpoint", h_log_checkpoint, PUBLIC, 0},
    {M_GET, "/api/v1/log/key", h_log_key, PUBLIC, 0},
    {M_GET, "/api/v1/log/leaves", h_log_leaves, 0, 0},
    {M_GET, "/api/v1/log/proof/inclusion", h_log_inclusion, 0, 0},
    {M_GET, "/api/v1/log/proof/consistency", h_log_consistency, 0, 0},
    {M_GET, "/api/v1/log/witnesses", h_witnesses, 0, 0},
    {M_POST, "/api/v1/log/witnesses", h_witness_add, 0, 0},
    {M_POST, "/api/v1/log/cosignatures", h_cosign, 0, 0},
    {M_GET, "/api/v1/receipts/{}", h_receipt, 0, COMM_READ},
    {M_POST, "/api/v1/broadcasts", h_broadcast_send, 0, 0},
    {M_GET, "/api/v1/broadcasts", h_broadcasts, 0, 0},
    {M_GET, "/api/v1/communications/{}/receipts", h_comm_receipts, 0, COMM_READ},
    {M_POST, "/api/v1/attachments", h_attachment_upload, UPLOAD, COMM_SEND},
    {M_GET, "/api/v1/attachments/{}", h_attachment_get, 0, COMM_READ},
    {M_POST, "/api/v1/api-keys", h_apikey_create, 0, 0},
    {M_GET, "/api/v1/api-keys", h_apikeys, 0, 0},
    {M_DELETE, "/api/v1/api-keys/{}", h_apikey_revoke, 0, 0},
    {M_POST, "/api/v1/webhooks", h_webhook_create, 0, 0},
    {M_GET, "/api/v1/webhooks", h_webhooks, 0, 0},
    {M_DELETE, "/api/v1/webhooks/{}", h_webhook_delete, 0, 0},
    {M_GET, "/api/v1/webhooks/{}/deliveries", h_webhook_deliveries, 0, 0},
};

/* The web interface's files and pages, outside /api (api/web.h). */
static const struct route web_route = {M_GET, "", h_web, PUBLIC, 0};

/* Matches path against pattern, capturing "{}" segments; false on mismatch or overflow. */
static bool
match(const char *pattern, const char *path, char params[API_PARAMS_MAX][API_PARAM_SIZE])
{
	size_t np = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (pattern[0] == '{' && pattern[1] == '}') {
			size_t n = strcspn(path, "/");
			if (n == 0 || n >= API_PARAM_SIZE || np >= API_PARAMS_MAX)
				return false;
			memcpy(params[np], path, n);
			params[np][n] = '\0';
			np++;
			path += n;
			pattern += 2;
		} else if (*pattern == *path) {
			pattern++;
			path++;
		} else {
			return false;
		}
	}
	return *pattern == '\0' && *path == '\0';
}

/* The bearer token of req, from Authorization or from the session cookie. */
static bool
credentials(struct api_req *req, char token[APIKEY_SIZE], bool *by_cookie)
{
	const char *h = req->header(req, "Authorization"), *c, *p;
	size_t n;

	*by_cookie = false;
	if (h != NULL) {
		if (strncasecmp(h, "Bearer ", 7) != 0)
			return false;
		h += 7;
		while (*h == ' ')
			h++;
		n = strlen(h);
		if (n != TOKEN_LEN && n != APIKEY_LEN)
			return false;
		memcpy(token, h, n + 1);
		return true;
	}
	c = req->header(req, "Cookie");
	for (p = c; p != NULL && (p = strstr(p, "pocd_session=")) != NULL; p += 13) {
		if (p != c && p[-1] != ' ' && p[-1] != ';')
			continue;
		n = strcspn(p + 13, "; ");
		if (n != TOKEN_LEN)
			return false;
		memcpy(token, p + 13, TOKEN_LEN);
		token[TOKEN_LEN] = '\0';
		*by_cookie = true;
		return true;
	}
	return false;
}

/* A cookie session must prove, on every unsafe method, that the page itself sent it. */
static bool
csrf_ok(struct api_req *req)
{
	char expect[TOKEN_SIZE];
	const char *got = req->header(req, "X-CSRF-Token");
	bool ok;

	if (req->method == M_GET || req->method == M_HEAD)
		return true;
	if (got == NULL || strlen(got) != TOKEN_LEN)
		return false;
	api_csrf_token(req->token, expect);
	ok = sodium_memcmp(expect, got, TOKEN_LEN) == 0;
	sodium_memzero(expect, sizeof(expect));
	return ok;
}

/* Whether the API key of req holds the scope route r needs; false with a 403 naming it. */
static bool
key_allowed(struct api_req *req, struct api_resp *resp, const struct route *r)
{
	char detail[160];

	if (r->scope != 0 && (req->who.scopes & r->scope) != 0) {
		req->authenticated = true;
		return true;
	}
	if (r->scope == 0)
		snprintf(detail, sizeof(detail),
		         "API keys cannot use this route: log in as a person to %s %s",
		         method_names[r->method], r->pattern);
	else
		snprintf(detail, sizeof(detail), "this API key lacks the scope %s",
		         apikey_scope_name(r->scope) != NULL ? apikey_scope_name(r->scope) : "");
	problem(resp, POCD_EFORBIDDEN, detail);
	return false;
}

/* Identifies the caller; false (and a problem in resp) when the route needs a login that
 * was not given or does not hold. */
static bool
authenticate(struct api_req *req, struct api_resp *resp, const struct route *r)
{
	enum pocd_err err;

	/* A public route serves anyone: a stale cookie must not stand in the way of a login. */
	if ((r->flags & PUBLIC) != 0)
		return true;
	if (!credentials(req, req->token, &req->by_cookie)) {
		bool sent = req->header(req, "Authorization") != NULL;
		problem(resp, POCD_EAUTH,
		        sent ? "the token is malformed: send Authorization: Bearer TOKEN"
		             : "log in first: send Authorization: Bearer TOKEN");
		resp_header(resp, "WWW-Authenticate",
		            sent ? "Bearer realm=\"pocd\", error=\"invalid_token\""
		                 : "Bearer realm=\"pocd\"");
		return false;
	}
	err = session_check(req->api->core, req->token, &req->who);
	if (err == POCD_ESTORE)
		err = POCD_EUNAVAILABLE;
	if (err == POCD_OK && req->by_cookie && !csrf_ok(req)) {
		problem(resp, POCD_EFORBIDDEN, "a cookie session needs the X-CSRF-Token header");
		return false;
	}
	if (err == POCD_OK && req->who.key_id[0] != '\0')
		return key_allowed(req, resp, r);
	if (err == POCD_OK && (r->flags & ENROL) == 0 &&
	    twofactor_must_enrol(req->api->core, &req->who)) {
		problem(resp, POCD_EFORBIDDEN,
		        "this service requires a second factor of your role: enrol one first "
		        "(POST /api/v1/me/totp, then POST /api/v1/me/totp/confirm)");
		return false;
	}
	if (err == POCD_OK) {
		req->authenticated = true;
		return true;
	}
	problem(resp, err, err == POCD_EAUTH ? "the token is unknown, expired or revoked" : NULL);
	if (err == POCD_EAUTH)
		resp_header(resp, "WWW-Authenticate",
		            "Bearer realm=\"pocd\", error=\"invalid_token\"");
	return false;
}

/* Finds the route of req, or fills resp with 404 or 405 and returns NULL. */
static const struct route *
route_of(struct api_req *req, struct api_resp *resp)
{
	const struct route *r = NULL;
	char params[API_PARAMS_MAX][API_PARAM_SIZE];
	char allow[64] = "";
	enum api_method m = req->method == M_HEAD ? M_GET : req->method;
	bool path_known = false;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(routes[i].pattern, req->path, params))
			continue;
		path_known = true;
		if (allow[0] != '\0')
			strlcat(allow, ", ", sizeof(allow));
		strlcat(allow, method_names[routes[i].method], sizeof(allow));
		if (routes[i].method == M_GET)
			strlcat(allow, ", HEAD", sizeof(allow));
		if (routes[i].method == m && r == NULL) {
			r = &routes[i];
			memcpy(req->params, params, sizeof(params));
		}
	}
	if (r == NULL && !path_known && strncmp(req->path, "/api/", 5) != 0 &&
	    web_find(req->path) != NULL) {
		path_known = true;
		strlcpy(allow, "GET, HEAD", sizeof(allow));
		if (m == M_GET)
			r = &web_route;
	}
	if (r == NULL && path_known) {
		problem_status(resp, 405, "method-not-allowed", "Method not allowed",
		               "this resource does not take that method");
		resp_header(resp, "Allow", "%s", allow);
	} else if (r == NULL) {
		problem_status(resp, 404, "not-found", "Not found", "there is no such resource");
	}
	return r;
}

/* Routes and authenticates, once per request; false with the answer in resp when the request
 * goes no further. The route found is kept in req for api_handle. */
static bool
admit(struct api_req *req, struct api_resp *resp)
{
	const struct route *r;

	if (req->route != NULL)
		return true;
	r = route_of(req, resp);
	if (r == NULL)
		return false;
	if (((r->flags & METRICS) == 0 ||
	     !metrics_token_ok(req->api, req->header(req, "Authorization"))) &&
	    !authenticate(req, resp, r))
		return false;
	req->route = r;
	return true;
}

bool
api_refuse_early(struct api_req *req, struct api_resp *resp)
{
	const struct route *r;

	if (!admit(req, resp))
		return true;
	r = req->route;
	/* The one route that streams opens its sink before the body is read. */
	return (r->flags & UPLOAD) != 0 && !attachment_sink_open(req, resp);
}

enum api_result
api_handle(struct api_req *req, struct api_resp *resp)
{
	if (!admit(req, resp))
		return API_DONE;
	return ((const struct route *)req->route)->fn(req, resp);
}

void
api_csrf_token(const char *session_token, char out[TOKEN_SIZE])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;

	/* Derived, not stored: only the holder of the session token can compute it. */
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)"pocd-csrf:", 10);
	crypto_hash_sha256_update(&st, (const uint8_t *)session_token, strlen(session_token));
	crypto_hash_sha256_final(&st, h);
	sodium_bin2base64(out, TOKEN_SIZE, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
api_resp_free(struct api_resp *resp)
{
	free(resp->body);
	blob_unref(resp->blob);
	if (resp->has_fd)
		close(resp->fd);
	resp->has_fd = false;
	resp->body = NULL;
	resp->blob = NULL;
}

struct api *
api_new(struct core *core, const struct api_config *cfg)
{
	struct api *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->core = core;
	a->cache = cache_new();
	a->lists = cache_new();
	if (cfg->metrics_token != NULL)
		a->metrics_token = strdup(cfg->metrics_token);
	if (a->cache == NULL || a->lists == NULL ||
	    (cfg->metrics_token != NULL && a->metrics_token == NULL)) {
		api_free(a);
		return NULL;
	}
	return a;
}

void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	cache_free(a->cache);
	cache_free(a->lists);
	if (a->metrics_token != NULL)
		sodium_memzero(a->metrics_token, strlen(a->metrics_token));
	free(a->metrics_token);
	free(a);
}

struct core *
api_core(struct api *a)
{
	return a->core;
}
