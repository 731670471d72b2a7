/*
 * Fuzzes api_handle (src/api/router.c) as the HTTP layer drives it, over a real api on a
 * temporary database made at the first call. The input is a request in a loose HTTP/1 form:
 *
 *	METHOD SP PATH LF
 *	Name: value LF		(headers, until an empty line)
 *	LF
 *	body			(the rest)
 *
 * No session exists, so the fuzzer reaches what an anonymous client can: route matching,
 * credential parsing, the 401/404/405/415 answers, /healthz, /metrics with its token, and the
 * login and enrolment handlers, whose asynchronous part (a password hash, a commit) is waited
 * for and finished as the HTTP layer would.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/handlers.h"
#include "core/states.h"

#define INPUT_MAX     65536
#define HDRS          16
#define METRICS_TOKEN "fuzz-metrics-token"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
	char dir[64];
	char path[96];
	struct store *store;
	struct core *core;
	struct api *api;
} g;

struct fake {
	struct api_req req; /* first: a request is its fake */
	const char *names[HDRS];
	const char *values[HDRS];
	size_t nhdr;
	pthread_mutex_t lk;
	pthread_cond_t cv;
	bool woken;
};

static void
cleanup(void)
{
	char p[128];

	api_free(g.api);
	core_free(g.core);
	store_close(g.store);
	unlink(g.path);
	snprintf(p, sizeof(p), "%s-wal", g.path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", g.path);
	unlink(p);
	rmdir(g.dir);
}

/* Creates the database, the core and the api once; exits on failure (a broken harness). */
static void
init(void)
{
	struct core_config cc;
	struct api_config ac = {.metrics_token = METRICS_TOKEN};
	char msg[256];

	if (sodium_init() < 0)
		abort();
	strlcpy(g.dir, "/tmp/pocd-fuzz-router-XXXXXX", sizeof(g.dir));
	if (mkdtemp(g.dir) == NULL)
		abort();
	snprintf(g.path, sizeof(g.path), "%s/pocd.db", g.dir);
	if (store_create(g.path, true, msg, sizeof(msg)) != POCD_OK ||
	    store_open(g.path, &g.store, msg, sizeof(msg)) != POCD_OK) {
		fprintf(stderr, "fuzz_router: %s\n", msg);
		abort();
	}
	core_config_defaults(&cc);
	cc.hash_threads = 1;
	g.core = core_new(g.store, &cc);
	if (g.core == NULL || states_seed(g.core) != POCD_OK)
		abort();
	g.api = api_new(g.core, &ac);
	if (g.api == NULL)
		abort();
	atexit(cleanup);
}

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

static enum api_method
method_of(const char *s)
{
	static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};

	for (int i = 0; i < 6; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum api_method)i;
	return M_OTHER;
}

/* Splits text (modified in place) into the request line, headers and body. */
static void
parse(char *text, size_t len, struct fake *f)
{
	char *end = text + len, *nl, *sp, *colon, *line = text;

	nl = memchr(line, '\n', (size_t)(end - line));
	if (nl == NULL)
		nl = end;
	*nl = '\0';
	sp = strchr(line, ' ');
	if (sp != NULL)
		*sp = '\0';
	f->req.method = method_of(line);
	f->req.path = sp != NULL ? sp + 1 : "";
	line = nl < end ? nl + 1 : end;
	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		*nl = '\0';
		if (line == nl) {
			line = nl + 1;
			break;
		}
		colon = strchr(line, ':');
		if (colon != NULL && f->nhdr < HDRS) {
			*colon = '\0';
			for (colon++; *colon == ' '; colon++)
				;
			f->names[f->nhdr] = line;
			f->values[f->nhdr] = colon;
			f->nhdr++;
		}
		line = nl + 1;
	}
	if (line < end) {
		f->req.body = line;
		f->req.body_len = (size_t)(end - line);
	}
}

static volatile char sink;

/* Reads every byte of an answer, so that ASan sees a length that overstates the body. */
static void
touch(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sink ^= p[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake f;
	struct api_resp resp;
	char *text;
	size_t len;

	if (size > INPUT_MAX)
		return 0;
	if (g.api == NULL)
		init();
	/* One more byte, as the HTTP layer NUL-terminates the body. */
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&f, 0, sizeof(f));
	memset(&resp, 0, sizeof(resp));
	f.req.api = g.api;
	f.req.query = fake_query;
	f.req.header = fake_header;
	f.req.client = "192.0.2.7";
	f.req.wake = fake_wake;
	pthread_mutex_init(&f.lk, NULL);
	pthread_cond_init(&f.cv, NULL);
	parse(text, size, &f);

	if (api_handle(&f.req, &resp) == API_PENDING) {
		pthread_mutex_lock(&f.lk);
		while (!f.woken)
			pthread_cond_wait(&f.cv, &f.lk);
		pthread_mutex_unlock(&f.lk);
		if (f.req.cont == NULL)
			abort();
		f.req.cont(&f.req, &resp);
	}
	if (f.req.state != NULL && f.req.state_free != NULL)
		f.req.state_free(f.req.state);
	/* Nobody can log in (no account exists): no request is authenticated, and only
	 * /healthz, /metrics (with its token), /api/v1/service and the web interface's pages
	 * (outside /api) answer with a success. */
	if (f.req.authenticated || resp.status < 100 || resp.status > 599)
		abort();
	if (resp.status < 300 && strcmp(f.req.path, "/healthz") != 0 &&
	    strcmp(f.req.path, "/metrics") != 0 && strcmp(f.req.path, "/api/v1/service") != 0 &&
	    strncmp(f.req.path, "/api/", 5) == 0)
		abort();
	if (resp.body != NULL)
		touch(resp.body, resp.len);
	if (resp.blob != NULL) {
		const char *b = api_blob_data(resp.blob, &len);
		touch(b, len);
	}
	api_resp_free(&resp);
	pthread_mutex_destroy(&f.lk);
	pthread_cond_destroy(&f.cv);
	free(text);
	return 0;
}
