/*
 * Fuzzes every handler of the API as logged-in callers: query arguments (limits, cursors,
 * filters, formats, log sizes), request bodies (logins, enrolments, passwords, accounts,
 * states, PoCs, communications, replies, campaigns, pings, witnesses, cosignatures) and
 * conditional headers, over a database with two participating states (FRA, DEU), their
 * accounts, a PoC each, a communication from FRA to DEU and a ping campaign.
 *
 * An input is a request as text: "METHOD /path?query" on the first line, then "Name: value"
 * header lines, an empty line and the body. "$0" to "$4" stand for the bearer tokens of the
 * Secretariat, FRA's admin, FRA's officer, DEU's admin and DEU's officer; "$P" and "$D" for
 * FRA's and DEU's PoC ids, "$E" for the ETag of FRA's PoC, "$A" for FRA's officer's account
 * id, "$C" for the communication's id and "$K" for the campaign's. What a request changes
 * stays for the next one; what the fixtures need (sessions, enabled accounts, participation,
 * the PoCs) is put back before each request.
 *
 * Whatever the request: a status from 100 to 599 and never 500; every JSON body parses; every
 * error has a body, a problem document with its own status; no header value holds CR or LF; no
 * caller without a valid token gets a success but from the public routes; and no caller but FRA's
 * admin changes FRA's PoCs.
 */
#include <jansson.h>
#include <pthread.h>
#include <sanitizer/lsan_interface.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/handlers.h"
#include "core/directory.h"
#include "core/record.h"
#include "core/sessions.h"
#include "core/states.h"
#include "store/store.h"

#define INPUT_MAX    16384
#define EXPANDED_MAX (INPUT_MAX * 4) /* the input with its placeholders replaced */
#define HDRS         16
#define ARGS         16
#define NWHO         5

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *user;
	enum role role;
	const char *state;
} who[NWHO] = {
    {"fuzz-secretariat", ROLE_SECRETARIAT, ""}, {"fuzz-fra-admin", ROLE_STATE_ADMIN, "FRA"},
    {"fuzz-fra-officer", ROLE_OFFICER, "FRA"},  {"fuzz-deu-admin", ROLE_STATE_ADMIN, "DEU"},
    {"fuzz-deu-officer", ROLE_OFFICER, "DEU"},
};

/* The API routes any caller may use without a token; the web interface's pages (every path
 * outside /api but /metrics) are public too. */
static const char *const public_paths[] = {
    "/healthz",
    "/api/v1/login",
    "/api/v1/enrol",
    "/api/v1/test/clock",
    "/api/v1/pings/answer",
    "/api/v1/ack",
    "/api/v1/service",
    "/api/v1/log/checkpoint",
    "/api/v1/log/key",
    NULL,
};

static struct {
	char dir[64];
	char path[96];
	struct store *store;
	struct core *core;
	struct api *api;
	char account[NWHO][ID_SIZE];
	char token[NWHO][TOKEN_SIZE];
	char fra_poc[ID_SIZE], deu_poc[ID_SIZE], comm[ID_SIZE], campaign[ID_SIZE];
	char etag[ID_SIZE + 32];
	int64_t fra_revision;
} g;

struct fake {
	struct api_req req; /* first: a request is its fake */
	const char *names[HDRS], *values[HDRS];
	size_t nhdr;
	char *keys[ARGS], *vals[ARGS];
	size_t nargs;
	pthread_mutex_t lk;
	pthread_cond_t cv;
	bool woken;
};

static void
cleanup(void)
{
	static const char *const suffix[] = {"", "-wal", "-shm", ".logkey"};
	char p[128];

	api_free(g.api);
	core_free(g.core);
	store_close(g.store);
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", g.path, suffix[i]);
		unlink(p);
	}
	rmdir(g.dir);
}

/* --- the fake request ---------------------------------------------------------------------- */

static const char *
fake_header(const struct api_req *req, const char *name)
{
	const struct fake *f = (const struct fake *)req;

	for (size_t i = 0; i < f->nhdr; i++)
		if (strcasecmp(f->names[i], name) == 0)
			return f->values[i];
	return NULL;
}

/* As libmicrohttpd: the first argument of that name; NULL for "?name" without a value. */
static const char *
fake_query(const struct api_req *req, const char *key)
{
	const struct fake *f = (const struct fake *)req;

	for (size_t i = 0; i < f->nargs; i++)
		if (strcmp(f->keys[i], key) == 0)
			return f->vals[i];
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

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s in place, "+" as a space, as libmicrohttpd does for arguments. */
static void
unescape(char *s)
{
	char *o = s;

	for (char *p = s; *p != '\0'; p++) {
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			*o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else {
			*o++ = *p == '+' ? ' ' : *p;
		}
	}
	*o = '\0';
}

/* Splits "a=1&b&c=3" (modified in place) into the arguments of f. */
static void
parse_query(char *q, struct fake *f)
{
	char *arg, *save = NULL, *eq;

	for (arg = strtok_r(q, "&", &save); arg != NULL && f->nargs < ARGS;
	     arg = strtok_r(NULL, "&", &save)) {
		eq = strchr(arg, '=');
		if (eq != NULL)
			*eq++ = '\0';
		unescape(arg);
		if (eq != NULL)
			unescape(eq);
		f->keys[f->nargs] = arg;
		f->vals[f->nargs] = eq;
		f->nargs++;
	}
}

/* Splits text (modified in place) into the request line, headers and body. */
static void
parse(char *text, size_t len, struct fake *f)
{
	char *end = text + len, *nl, *sp, *colon, *q, *line = text;
	char *path;

	nl = memchr(line, '\n', (size_t)(end - line));
	if (nl == NULL)
		nl = end;
	*nl = '\0';
	sp = strchr(line, ' ');
	if (sp != NULL)
		*sp = '\0';
	f->req.method = method_of(line);
	path = sp != NULL ? sp + 1 : nl;
	q = strchr(path, '?');
	if (q != NULL) {
		*q = '\0';
		parse_query(q + 1, f);
	}
	unescape(path);
	f->req.path = path;
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

/* Runs the request in text (modified in place) to its end, as the HTTP layer would. */
static void
run(char *text, size_t len, struct fake *f, struct api_resp *resp)
{
	memset(f, 0, sizeof(*f));
	memset(resp, 0, sizeof(*resp));
	f->req.api = g.api;
	f->req.query = fake_query;
	f->req.header = fake_header;
	f->req.client = "192.0.2.7";
	f->req.wake = fake_wake;
	pthread_mutex_init(&f->lk, NULL);
	pthread_cond_init(&f->cv, NULL);
	parse(text, len, f);
	if (api_handle(&f->req, resp) == API_PENDING) {
		pthread_mutex_lock(&f->lk);
		while (!f->woken)
			pthread_cond_wait(&f->cv, &f->lk);
		pthread_mutex_unlock(&f->lk);
		if (f->req.cont == NULL)
			abort();
		f->req.cont(&f->req, resp);
	}
	if (f->req.state != NULL && f->req.state_free != NULL)
		f->req.state_free(f->req.state);
	f->req.state = NULL;
	pthread_mutex_destroy(&f->lk);
	pthread_cond_destroy(&f->cv);
}

/* --- the fixtures ---------------------------------------------------------------------------- */

static int fix_who = -1; /* the account setup_run puts back; -1 for the states */

static enum pocd_err
setup_run(struct store_conn *w, struct store_job *job)
{
	uint8_t h[TOKEN_HASH_LEN];
	struct account a;
	enum pocd_err err;

	if (fix_who < 0) {
		err = store_state_set_participation(w, "FRA", true, 1795662000);
		return err == POCD_OK ? store_state_set_participation(w, "DEU", true, 1795662000)
		                      : err;
	}
	if (store_account_get(w, g.account[fix_who], &a) == POCD_ENOTFOUND) {
		memset(&a, 0, sizeof(a));
		memcpy(a.id, g.account[fix_who], ID_SIZE);
		strlcpy(a.username, who[fix_who].user, sizeof(a.username));
		a.role = who[fix_who].role;
		strlcpy(a.state, who[fix_who].state, sizeof(a.state));
		a.created_at = 1795662000;
		/* Not a hash at all: no password logs in, and no hash is spent on it. */
		err = store_account_insert(w, &a, "-");
		if (err != POCD_OK)
			return err;
	}
	err = store_account_set_disabled(w, g.account[fix_who], false, 0);
	token_hash(g.token[fix_who], h);
	store_session_delete(w, h);
	return err == POCD_OK
	           ? store_session_insert(w, h, g.account[fix_who], 1795662000, INT64_C(4102444800))
	           : err;
}

static void
setup(int account)
{
	struct store_job job = {.run = setup_run};

	fix_who = account;
	if (store_run_sync(g.store, &job) != POCD_OK)
		abort();
	session_cache_flush(g.core->sessions);
}

/* Creates a PoC of state as its admin; its id into id. */
static void
make_poc(const char *state, int admin, char id[ID_SIZE])
{
	static struct poc_op op;

	memset(&op, 0, sizeof(op));
	op.kind = POC_CREATE;
	if (session_check(g.core, g.token[admin], &op.actor) != POCD_OK)
		abort();
	op.now = core_now(g.core);
	op.if_match = -1;
	strlcpy(op.poc.state, state, sizeof(op.poc.state));
	op.poc.kind = POC_TECHNICAL;
	op.poc.rank = POC_PRIMARY;
	strlcpy(op.poc.organisation, "Fuzz CERT (fictional)", sizeof(op.poc.organisation));
	strlcpy(op.poc.role_title, "Duty officer", sizeof(op.poc.role_title));
	strlcpy(op.poc.email, "duty@cert.example", sizeof(op.poc.email));
	op.poc.nphones = 1;
	strlcpy(op.poc.phones[0], "+33199001234", sizeof(op.poc.phones[0]));
	op.poc.nlangs = 1;
	strlcpy(op.poc.languages[0], "en", sizeof(op.poc.languages[0]));
	strlcpy(op.poc.time_zone, "Europe/Paris", sizeof(op.poc.time_zone));
	strlcpy(op.poc.availability, "\"24/7\"", sizeof(op.poc.availability));
	if (directory_apply_sync(g.core, &op) != POCD_OK)
		abort();
	memcpy(id, op.poc.id, ID_SIZE);
}

/* Runs a request of the fixtures; the "id" of its answer, which must have status. */
static void
call(const char *text, unsigned status, char id[ID_SIZE])
{
	static struct fake f;
	struct api_resp resp;
	char *t = strdup(text);
	json_t *o;

	if (t == NULL)
		abort();
	run(t, strlen(t), &f, &resp);
	if (resp.status != status)
		abort();
	o = json_loadb(resp.body, resp.len, 0, NULL);
	if (id != NULL && (o == NULL || !json_is_string(json_object_get(o, "id"))))
		abort();
	if (id != NULL)
		strlcpy(id, json_string_value(json_object_get(o, "id")), ID_SIZE);
	json_decref(o);
	api_resp_free(&resp);
	free(t);
}

static void
init(void)
{
	struct core_config cc;
	struct api_config ac = {.metrics_token = NULL};
	char msg[256], text[1024];

	if (sodium_init() < 0)
		abort();
	strlcpy(g.dir, "/tmp/pocd-fuzz-api-XXXXXX", sizeof(g.dir));
	if (mkdtemp(g.dir) == NULL)
		abort();
	snprintf(g.path, sizeof(g.path), "%s/pocd.db", g.dir);
	if (store_create(g.path, true, msg, sizeof(msg)) != POCD_OK ||
	    store_open(g.path, &g.store, msg, sizeof(msg)) != POCD_OK) {
		fprintf(stderr, "fuzz_api: %s\n", msg);
		abort();
	}
	core_config_defaults(&cc);
	cc.hash_threads = 1;
	g.core = core_new(g.store, &cc);
	if (g.core == NULL || states_seed(g.core) != POCD_OK ||
	    record_open(g.core, g.path, msg, sizeof(msg)) != POCD_OK)
		abort();
	g.api = api_new(g.core, &ac);
	if (g.api == NULL)
		abort();
	atexit(cleanup);
	setup(-1);
	for (int i = 0; i < NWHO; i++) {
		rand_id(g.account[i]);
		rand_token(g.token[i]);
		setup(i);
	}
	make_poc("FRA", 1, g.fra_poc);
	make_poc("DEU", 3, g.deu_poc);
	snprintf(text, sizeof(text),
	         "POST /api/v1/communications\nAuthorization: Bearer %s\n"
	         "Content-Type: application/json\n\n"
	         "{\"type\":\"request_information\",\"urgency\":\"priority\",\"tlp\":\"AMBER\","
	         "\"to\":[{\"state\":\"DEU\",\"kinds\":[\"technical\"]}],"
	         "\"subject\":{\"text\":\"Scanning\",\"lang\":\"en\"},"
	         "\"description\":{\"text\":\"From 198.51.100.7.\",\"lang\":\"en\"}}",
	         g.token[2]);
	call(text, 201, g.comm);
	snprintf(text, sizeof(text),
	         "POST /api/v1/ping-campaigns\nAuthorization: Bearer %s\n"
	         "Content-Type: application/json\n\n"
	         "{\"scope\":[\"FRA\",\"DEU\"],\"kinds\":[\"technical\"],\"window_hours\":48}",
	         g.token[0]);
	call(text, 201, g.campaign);
}

/* Puts back what the fixtures need that the last request took away. */
static void
repair(void)
{
	struct store_conn *c = store_reader(g.store);
	struct state_rec fra, deu;
	struct principal p;
	struct poc poc;

	if (c == NULL)
		abort();
	if (store_state_get(c, "FRA", &fra) != POCD_OK ||
	    store_state_get(c, "DEU", &deu) != POCD_OK)
		abort();
	if (!fra.participating || !deu.participating)
		setup(-1);
	for (int i = 0; i < NWHO; i++)
		if (session_check(g.core, g.token[i], &p) != POCD_OK)
			setup(i);
	if (store_poc_get(c, g.fra_poc, &poc) != POCD_OK) {
		make_poc("FRA", 1, g.fra_poc);
		store_poc_get(c, g.fra_poc, &poc);
	}
	g.fra_revision = poc.revision;
	snprintf(g.etag, sizeof(g.etag), "\"%s-%lld\"", g.fra_poc, (long long)poc.revision);
	if (store_poc_get(c, g.deu_poc, &poc) != POCD_OK)
		make_poc("DEU", 3, g.deu_poc);
}

/* The input with its placeholders replaced; NULL when it would not fit. */
static char *
expand(const uint8_t *data, size_t size, size_t *len)
{
	char *out = malloc(EXPANDED_MAX + 1);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < size; i++) {
		const char *sub = NULL;
		if (data[i] == '$' && i + 1 < size) {
			uint8_t k = data[i + 1];
			if (k >= '0' && k < '0' + NWHO)
				sub = g.token[k - '0'];
			else if (k == 'P')
				sub = g.fra_poc;
			else if (k == 'D')
				sub = g.deu_poc;
			else if (k == 'E')
				sub = g.etag;
			else if (k == 'A')
				sub = g.account[2];
			else if (k == 'C')
				sub = g.comm;
			else if (k == 'K')
				sub = g.campaign;
		}
		if (sub != NULL) {
			size_t n = strlen(sub);
			if (o + n > EXPANDED_MAX)
				break;
			memcpy(out + o, sub, n);
			o += n;
			i++;
		} else if (o < EXPANDED_MAX) {
			out[o++] = (char)data[i];
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* --- the properties ------------------------------------------------------------------------- */

static bool
is_public(const char *path)
{
	if (strncmp(path, "/api/", 5) != 0 && strcmp(path, "/metrics") != 0)
		return true;
	for (size_t i = 0; public_paths[i] != NULL; i++)
		if (strcmp(path, public_paths[i]) == 0)
			return true;
	return false;
}

static void
check_body(const struct api_resp *resp, const char *body, size_t len)
{
	json_t *o;

	if (resp->content_type == NULL)
		return;
	if (strncmp(resp->content_type, "application/problem+json", 24) == 0) {
		o = json_loadb(body, len, 0, NULL);
		if (!json_is_object(o) ||
		    json_integer_value(json_object_get(o, "status")) != (json_int_t)resp->status ||
		    !json_is_string(json_object_get(o, "detail")))
			abort();
		json_decref(o);
	} else if (strncmp(resp->content_type, "application/json", 16) == 0) {
		o = json_loadb(body, len, JSON_DECODE_ANY, NULL);
		if (o == NULL)
			abort();
		json_decref(o);
	} else if (resp->status >= 400) {
		abort();
	}
}

/* A write to FRA's PoCs: POST /api/v1/states/FRA/pocs, or to /api/v1/pocs/<FRA's PoC>... */
static bool
writes_fra_poc(const struct fake *f, const char *fra_poc)
{
	const char *p = f->req.path;

	if (f->req.method == M_GET || f->req.method == M_HEAD)
		return false;
	if (strcmp(p, "/api/v1/states/FRA/pocs") == 0)
		return true;
	return strncmp(p, "/api/v1/pocs/", 13) == 0 && strncmp(p + 13, fra_poc, ID_LEN) == 0;
}

static void
check(const struct fake *f, const struct api_resp *resp, const char *fra_poc)
{
	const char *body = resp->body;
	size_t len = resp->len;

	if (resp->status < 100 || resp->status > 599 || resp->status == 500)
		abort();
	for (size_t i = 0; i < resp->nhdr; i++)
		if (strpbrk(resp->hdr[i].value, "\r\n") != NULL)
			abort();
	if (resp->blob != NULL)
		body = api_blob_data(resp->blob, &len);
	if (body != NULL && len > 0)
		check_body(resp, body, len);
	else if (resp->status >= 400)
		abort(); /* every refusal says why */
	if (resp->status >= 200 && resp->status < 300) {
		if (!f->req.authenticated && !is_public(f->req.path))
			abort();
		if (writes_fra_poc(f, fra_poc) &&
		    (f->req.who.role != ROLE_STATE_ADMIN || strcmp(f->req.who.state, "FRA") != 0))
			abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	init();
	/* The log lives in sodium_malloc'd memory, which LeakSanitizer does not scan: what it
	 * points to would look leaked. */
	__lsan_register_root_region(g.core->record, sizeof(*g.core->record));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake f;
	struct api_resp resp;
	char *text, fra_poc[ID_SIZE];
	size_t len;

	if (size > INPUT_MAX)
		return 0;
	repair();
	memcpy(fra_poc, g.fra_poc, sizeof(fra_poc));
	text = expand(data, size, &len);
	if (text == NULL)
		return 0;
	run(text, len, &f, &resp);
	/* For whoever writes seeds: which request got which answer. */
	if (getenv("FUZZ_API_TRACE") != NULL)
		fprintf(stderr, "fuzz_api: %u %s %.*s\n", resp.status, f.req.path,
		        resp.body != NULL ? (int)resp.len : 0, resp.body != NULL ? resp.body : "");
	check(&f, &resp, fra_poc);
	api_resp_free(&resp);
	free(text);
	return 0;
}
