/* Unit tests of api_handle (src/api/api.h) over a real store and core, with fake requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>
#include <sodium.h>

#include "api/handlers.h"
#include "core/accounts.h"
#include "core/states.h"

#define USER          "secretariat"
#define PASSWORD      "correct horse battery staple"
#define METRICS_TOKEN "metrics-secret-0123456789"
#define HDRS          8

struct fixture {
	char dir[64];
	char path[96];
	struct store *store;
	struct core *core;
	struct api *api;
};

/* A request as the HTTP layer would fill it, with its headers and a wake-up flag. */
struct fake {
	struct api_req req; /* first: a request is its fake */
	const char *names[HDRS];
	const char *values[HDRS];
	size_t nhdr;
	pthread_mutex_t lk;
	pthread_cond_t cv;
	bool woken;
};

static const char *
fake_header(const struct api_req *req, const char *name)
{
	const struct fake *f = (const struct fake *)req;

	for (size_t i = 0; i < f->nhdr; i++)
		if (strcasecmp(f->names[i], name) == 0)
			return f->values[i];
	return NULL;
}

static const char *
fake_query(const struct api_req *req, const char *key)
{
	return NULL;
}

static void
fake_wake(struct api_req *req)
{
	struct fake *f = (struct fake *)req;

	pthread_mutex_lock(&f->lk);
	f->woken = true;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->lk);
}

static void
fake_init(struct fake *f, struct api *api, enum api_method m, const char *path)
{
	memset(f, 0, sizeof(*f));
	f->req.api = api;
	f->req.method = m;
	f->req.path = path;
	f->req.query = fake_query;
	f->req.header = fake_header;
	f->req.client = "192.0.2.1";
	f->req.wake = fake_wake;
	pthread_mutex_init(&f->lk, NULL);
	pthread_cond_init(&f->cv, NULL);
}

static void
fake_header_add(struct fake *f, const char *name, const char *value)
{
	assert_true(f->nhdr < HDRS);
	f->names[f->nhdr] = name;
	f->values[f->nhdr] = value;
	f->nhdr++;
}

static void
fake_body(struct fake *f, const char *body)
{
	f->req.body = body;
	f->req.body_len = strlen(body);
}

/* Runs f through api_handle as the HTTP layer does: waits for the wake-up of a pending
 * request, lets it finish, and frees its state. Returns the status; resp is the caller's. */
static unsigned
handle(struct fake *f, struct api_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	if (api_handle(&f->req, resp) == API_PENDING) {
		pthread_mutex_lock(&f->lk);
		while (!f->woken)
			pthread_cond_wait(&f->cv, &f->lk);
		pthread_mutex_unlock(&f->lk);
		assert_non_null(f->req.cont);
		f->req.cont(&f->req, resp);
	}
	if (f->req.state != NULL && f->req.state_free != NULL)
		f->req.state_free(f->req.state);
	f->req.state = NULL;
	pthread_mutex_destroy(&f->lk);
	pthread_cond_destroy(&f->cv);
	return resp->status;
}

/* The value of response header name, or NULL. */
static const char *
resp_hdr(const struct api_resp *resp, const char *name)
{
	for (size_t i = 0; i < resp->nhdr; i++)
		if (strcasecmp(resp->hdr[i].name, name) == 0)
			return resp->hdr[i].value;
	return NULL;
}

/* The problem type of a problem document response. */
static void
assert_problem(const struct api_resp *resp, unsigned status, const char *type)
{
	json_t *doc;
	char want[96];

	assert_int_equal(resp->status, status);
	assert_non_null(resp->body);
	assert_string_equal(resp->content_type, "application/problem+json");
	doc = json_loadb(resp->body, resp->len, 0, NULL);
	assert_non_null(doc);
	snprintf(want, sizeof(want), "urn:pocd:problem:%s", type);
	assert_string_equal(json_string_value(json_object_get(doc, "type")), want);
	assert_int_equal(json_integer_value(json_object_get(doc, "status")), status);
	json_decref(doc);
}

static void
remove_db(struct fixture *f)
{
	char p[128];

	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
}

/* Releases what f holds, whichever parts were made. */
static void
fixture_free(struct fixture *f)
{
	api_free(f->api);
	core_free(f->core);
	store_close(f->store);
	remove_db(f);
	free(f);
}

/* Makes the database, core and api of f in a fresh directory; false on the first failure. */
static bool
fixture_open(struct fixture *f)
{
	struct core_config cc;
	struct api_config ac = {.metrics_token = METRICS_TOKEN};
	struct account a;
	char msg[256];

	strlcpy(f->dir, "/tmp/pocd-test-router-XXXXXX", sizeof(f->dir));
	if (mkdtemp(f->dir) == NULL)
		return false;
	snprintf(f->path, sizeof(f->path), "%s/pocd.db", f->dir);
	if (store_create(f->path, true, msg, sizeof(msg)) != POCD_OK ||
	    store_open(f->path, &f->store, msg, sizeof(msg)) != POCD_OK) {
		fprintf(stderr, "store: %s\n", msg);
		return false;
	}
	core_config_defaults(&cc);
	cc.hash_threads = 1;
	f->core = core_new(f->store, &cc);
	if (f->core == NULL || states_seed(f->core) != POCD_OK ||
	    accounts_create_sync(f->core, USER, PASSWORD, ROLE_SECRETARIAT, NULL, &a) != POCD_OK)
		return false;
	f->api = api_new(f->core, &ac);
	return f->api != NULL;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || sodium_init() < 0) {
		free(f);
		return -1;
	}
	if (!fixture_open(f)) {
		fixture_free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture_free(*state);
	return 0;
}

static struct api *
api_of(void **state)
{
	return ((struct fixture *)*state)->api;
}

static void
not_found(void **state)
{
	static const char *const paths[] = {
	    "/api",
	    "/nope",
	    "/healthz/",
	    "/healthzz",
	    "/api/v1",
	    "/api/v1/",
	    "/api/v1/states/",
	    "/api/v1/states//pocs",
	    "/api/v1/pocs/x/y",
	    "/api/v1/pocs/x/history/",
	    "/API/V1/STATES",
	    "/api/v1/pocs/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "",
	};
	struct fake f;
	struct api_resp resp;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		fake_init(&f, api_of(state), M_GET, paths[i]);
		assert_int_equal(handle(&f, &resp), 404);
		assert_problem(&resp, 404, "not-found");
		assert_null(resp_hdr(&resp, "Allow"));
		api_resp_free(&resp);
	}
}

static void
expect_405(void **state, enum api_method m, const char *path, const char *allow)
{
	struct fake f;
	struct api_resp resp;

	fake_init(&f, api_of(state), m, path);
	assert_int_equal(handle(&f, &resp), 405);
	assert_problem(&resp, 405, "method-not-allowed");
	assert_non_null(resp_hdr(&resp, "Allow"));
	assert_string_equal(resp_hdr(&resp, "Allow"), allow);
	api_resp_free(&resp);
}

static void
method_not_allowed(void **state)
{
	expect_405(state, M_DELETE, "/healthz", "GET, HEAD");
	expect_405(state, M_POST, "/healthz", "GET, HEAD");
	expect_405(state, M_POST, "/", "GET, HEAD");
	expect_405(state, M_OTHER, "/healthz", "GET, HEAD");
	expect_405(state, M_GET, "/api/v1/login", "POST");
	expect_405(state, M_HEAD, "/api/v1/login", "POST");
	expect_405(state, M_POST, "/api/v1/states/FRA", "GET, HEAD, PATCH");
	expect_405(state, M_PATCH, "/api/v1/pocs/abc", "GET, HEAD, PUT, DELETE");
	expect_405(state, M_PUT, "/api/v1/states/FRA/pocs", "GET, HEAD, POST");
	expect_405(state, M_GET, "/api/v1/accounts/abc", "PATCH");
}

static void
public_routes(void **state)
{
	struct fake f;
	struct api_resp resp;

	fake_init(&f, api_of(state), M_GET, "/healthz");
	assert_int_equal(handle(&f, &resp), 200);
	assert_string_equal(resp.content_type, "application/json");
	assert_non_null(strstr(resp.body, "\"ok\""));
	api_resp_free(&resp);

	/* HEAD is GET without the body, which the HTTP layer drops. */
	fake_init(&f, api_of(state), M_HEAD, "/healthz");
	assert_int_equal(handle(&f, &resp), 200);
	api_resp_free(&resp);

	/* Bad credentials do not spoil a public route. */
	fake_init(&f, api_of(state), M_GET, "/healthz");
	fake_header_add(&f, "Authorization", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_int_equal(handle(&f, &resp), 200);
	api_resp_free(&resp);
}

/* A protected route with the given Authorization and Cookie (NULL for none): 401. */
static void
expect_401(void **state, const char *path, const char *authorization, const char *cookie)
{
	struct fake f;
	struct api_resp resp;
	const char *www;

	fake_init(&f, api_of(state), M_GET, path);
	if (authorization != NULL)
		fake_header_add(&f, "Authorization", authorization);
	if (cookie != NULL)
		fake_header_add(&f, "Cookie", cookie);
	assert_int_equal(handle(&f, &resp), 401);
	assert_problem(&resp, 401, "unauthenticated");
	www = resp_hdr(&resp, "WWW-Authenticate");
	assert_non_null(www);
	assert_true(strncmp(www, "Bearer realm=\"pocd\"", 19) == 0);
	/* A refused token says so; no token at all is just a challenge. */
	if (authorization != NULL)
		assert_non_null(strstr(www, "error=\"invalid_token\""));
	else if (cookie == NULL)
		assert_null(strstr(www, "error="));
	api_resp_free(&resp);
}

/* POST path with the Content-Type ct (NULL for none) and body: the status. */
static unsigned
post(void **state, const char *path, const char *ct, const char *body, const char *auth,
     struct api_resp *resp)
{
	struct fake f;

	fake_init(&f, api_of(state), M_POST, path);
	if (ct != NULL)
		fake_header_add(&f, "Content-Type", ct);
	if (auth != NULL)
		fake_header_add(&f, "Authorization", auth);
	fake_body(&f, body);
	return handle(&f, resp);
}

static void
unauthenticated(void **state)
{
	static const char *const protected_paths[] = {
	    "/api/v1/me",
	    "/api/v1/states",
	    "/api/v1/states/FRA",
	    "/api/v1/directory",
	    "/api/v1/pocs/abcdefghijklmnopqrstuvwxyz",
	    "/metrics",
	};

	for (size_t i = 0; i < sizeof(protected_paths) / sizeof(protected_paths[0]); i++)
		expect_401(state, protected_paths[i], NULL, NULL);
	expect_401(state, "/api/v1/me", "Basic dXNlcjpwYXNz", NULL);
	expect_401(state, "/api/v1/me", "Bearer", NULL);
	expect_401(state, "/api/v1/me", "Bearer ", NULL);
	expect_401(state, "/api/v1/me", "Bearer short", NULL);
	expect_401(state, "/api/v1/me", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	           NULL);
	expect_401(state, "/api/v1/me", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
	expect_401(state, "/api/v1/me", "bearer    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	           NULL);
	expect_401(state, "/api/v1/me", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!", NULL);
	expect_401(state, "/api/v1/me", NULL,
	           "pocd_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	expect_401(state, "/api/v1/me", NULL, "other=1; pocd_session=short");
	expect_401(state, "/api/v1/me", NULL,
	           "xpocd_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	expect_401(state, "/api/v1/me", NULL, "pocd_session=");
	expect_401(state, "/api/v1/me", NULL, "");
	/* The metrics token opens /metrics only, and only whole. */
	expect_401(state, "/api/v1/me", "Bearer " METRICS_TOKEN, NULL);
	expect_401(state, "/metrics", "Bearer " METRICS_TOKEN "x", NULL);
	expect_401(state, "/metrics", "Bearer metrics-secret", NULL);
}

static void
authorization_first(void **state)
{
	struct api_resp resp;
	struct fake f;

	/* A write without a login is refused as such, whatever its body or media type. */
	assert_int_equal(post(state, "/api/v1/states/FRA/pocs", NULL, "{}", NULL, &resp), 401);
	api_resp_free(&resp);
	assert_int_equal(post(state, "/api/v1/states/FRA/pocs", "text/plain", "x", NULL, &resp),
	                 401);
	api_resp_free(&resp);
	assert_int_equal(post(state, "/api/v1/me/password", "text/plain", "x",
	                      "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &resp),
	                 401);
	api_resp_free(&resp);

	/* A stale cookie does not stand in the way of a login. */
	fake_init(&f, api_of(state), M_POST, "/api/v1/login");
	fake_header_add(&f, "Cookie", "pocd_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	fake_header_add(&f, "Content-Type", "application/json");
	fake_body(&f, "{}");
	assert_int_equal(handle(&f, &resp), 400);
	assert_problem(&resp, 400, "validation");
	api_resp_free(&resp);
}

static void
metrics(void **state)
{
	struct fake f;
	struct api_resp resp;

	fake_init(&f, api_of(state), M_GET, "/metrics");
	fake_header_add(&f, "Authorization", "Bearer " METRICS_TOKEN);
	assert_int_equal(handle(&f, &resp), 200);
	assert_true(resp.len > 0);
	api_resp_free(&resp);
}

static void
media_type(void **state)
{
	static const char *const bad[] = {
	    NULL,
	    "",
	    "text/plain",
	    "application/jsonx",
	    "application/json-patch+json",
	    "application/x-www-form-urlencoded",
	    "json",
	    "application/",
	};
	static const char *const good[] = {
	    "application/json",
	    "application/json; charset=utf-8",
	    "Application/JSON",
	    "application/json ;charset=utf-8",
	};
	struct api_resp resp;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(post(state, "/api/v1/login", bad[i], "{}", NULL, &resp), 415);
		assert_problem(&resp, 415, "unsupported-media-type");
		api_resp_free(&resp);
		assert_int_equal(post(state, "/api/v1/enrol", bad[i], "{}", NULL, &resp), 415);
		api_resp_free(&resp);
	}
	/* The right type gets as far as reading the body. */
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(post(state, "/api/v1/login", good[i], "{}", NULL, &resp), 400);
		assert_problem(&resp, 400, "validation");
		api_resp_free(&resp);
	}
	assert_int_equal(post(state, "/api/v1/login", "application/json", "{", NULL, &resp), 400);
	assert_problem(&resp, 400, "malformed");
	api_resp_free(&resp);
	assert_int_equal(post(state, "/api/v1/login", "application/json", "", NULL, &resp), 400);
	api_resp_free(&resp);
	assert_int_equal(post(state, "/api/v1/login", "application/json",
	                      "{\"username\":\"x\",\"password\":\"y\",\"totp\":1}", NULL, &resp),
	                 400);
	assert_non_null(strstr(resp.body, "totp"));
	api_resp_free(&resp);
	assert_int_equal(post(state, "/api/v1/enrol", "application/json",
	                      "{\"token\":\"t\",\"username\":\"A\",\"password\":\"short\"}", NULL,
	                      &resp),
	                 400);
	assert_non_null(strstr(resp.body, "username"));
	assert_non_null(strstr(resp.body, "password"));
	api_resp_free(&resp);
	/* An enrolment token of the wrong shape is gone before any hashing. */
	assert_int_equal(post(state, "/api/v1/enrol", "application/json",
	                      "{\"token\":\"t\",\"username\":\"fra.admin\",\"password\":\"correct "
	                      "horse battery\"}",
	                      NULL, &resp),
	                 410);
	api_resp_free(&resp);
}

/* Logs in with password; returns the status and, with 200, the token in token. */
static unsigned
login(void **state, const char *password, char token[TOKEN_SIZE])
{
	struct api_resp resp;
	char body[256];
	unsigned st;
	json_t *doc;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", USER, password);
	st = post(state, "/api/v1/login", "application/json", body, NULL, &resp);
	if (st == 200) {
		doc = json_loadb(resp.body, resp.len, 0, NULL);
		assert_non_null(doc);
		assert_true(token_valid(json_string_value(json_object_get(doc, "token"))));
		strlcpy(token, json_string_value(json_object_get(doc, "token")), TOKEN_SIZE);
		assert_string_equal(
		    json_string_value(json_object_get(json_object_get(doc, "account"), "username")),
		    USER);
		json_decref(doc);
		assert_non_null(resp_hdr(&resp, "Set-Cookie"));
		assert_non_null(strstr(resp_hdr(&resp, "Set-Cookie"), "HttpOnly"));
	}
	api_resp_free(&resp);
	return st;
}

static void
session_flow(void **state)
{
	struct fake f;
	struct api_resp resp;
	char token[TOKEN_SIZE], bearer[TOKEN_SIZE + 8], cookie[TOKEN_SIZE + 32];
	char csrf[TOKEN_SIZE];

	assert_int_equal(login(state, "wrong password here", token), 401);
	assert_int_equal(login(state, PASSWORD, token), 200);
	snprintf(bearer, sizeof(bearer), "Bearer %s", token);
	snprintf(cookie, sizeof(cookie), "lang=fr; pocd_session=%s", token);

	fake_init(&f, api_of(state), M_GET, "/api/v1/me");
	fake_header_add(&f, "Authorization", bearer);
	assert_int_equal(handle(&f, &resp), 200);
	assert_non_null(strstr(resp.body, "\"username\":\"" USER "\""));
	api_resp_free(&resp);

	fake_init(&f, api_of(state), M_GET, "/api/v1/states");
	fake_header_add(&f, "Authorization", bearer);
	assert_int_equal(handle(&f, &resp), 200);
	api_resp_free(&resp);

	/* A JSON route with a session still wants its media type. */
	assert_int_equal(post(state, "/api/v1/me/password", NULL, "{}", bearer, &resp), 415);
	api_resp_free(&resp);
	assert_int_equal(
	    post(state, "/api/v1/me/password", "application/json", "{}", bearer, &resp), 400);
	api_resp_free(&resp);

	/* The Secretariat's session reads /metrics without the metrics token. */
	fake_init(&f, api_of(state), M_GET, "/metrics");
	fake_header_add(&f, "Authorization", bearer);
	assert_int_equal(handle(&f, &resp), 200);
	api_resp_free(&resp);

	/* A cookie session reads freely but writes only with the CSRF token. */
	fake_init(&f, api_of(state), M_GET, "/api/v1/me");
	fake_header_add(&f, "Cookie", cookie);
	assert_int_equal(handle(&f, &resp), 200);
	api_resp_free(&resp);
	fake_init(&f, api_of(state), M_POST, "/api/v1/logout");
	fake_header_add(&f, "Cookie", cookie);
	assert_int_equal(handle(&f, &resp), 403);
	assert_problem(&resp, 403, "forbidden");
	api_resp_free(&resp);
	fake_init(&f, api_of(state), M_POST, "/api/v1/logout");
	fake_header_add(&f, "Cookie", cookie);
	fake_header_add(&f, "X-CSRF-Token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_int_equal(handle(&f, &resp), 403);
	api_resp_free(&resp);

	api_csrf_token(token, csrf);
	assert_true(token_valid(csrf));
	fake_init(&f, api_of(state), M_POST, "/api/v1/logout");
	fake_header_add(&f, "Cookie", cookie);
	fake_header_add(&f, "X-CSRF-Token", csrf);
	assert_int_equal(handle(&f, &resp), 204);
	api_resp_free(&resp);

	/* The token is dead after logout. */
	expect_401(state, "/api/v1/me", bearer, NULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(not_found),       T(method_not_allowed),  T(public_routes),
	    T(unauthenticated), T(authorization_first), T(metrics),
	    T(media_type),      T(session_flow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
