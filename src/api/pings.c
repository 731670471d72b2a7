/* Ping campaigns, pings and their answers, results, and states' correction tasks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/export.h"
#include "api/handlers.h"
#include "core/authz.h"
#include "core/directory.h"
#include "core/pings.h"
#include "core/report.h"
#include "core/validate.h"
#include "lib/buf.h"
#include "lib/timeutil.h"

#define PAGE_DEFAULT 100
#define PAGE_MAX     1000

static json_t *
campaign_json(const struct ping_campaign *pc)
{
	json_t *o = json_pack("{s:s,s:o*,s:b,s:b}", "id", pc->id, "kinds", json_kinds(pc->kinds),
	                      "challenge", pc->challenge, "complete", !pc->filling),
	       *scope, *rem;
	char code[STATE_SIZE];

	if (o == NULL)
		return NULL;
	if (strcmp(pc->scope, "all") == 0) {
		scope = json_string("all");
	} else {
		scope = json_array();
		for (size_t i = 0; scope != NULL && pc->scope[i * 4] != '\0'; i++) {
			memcpy(code, pc->scope + i * 4, 3);
			code[3] = '\0';
			json_array_append_new(scope, json_string(code));
		}
	}
	json_object_set_new(o, "scope", scope);
	rem = json_array();
	for (size_t i = 0; rem != NULL && i < pc->nreminders; i++)
		json_array_append_new(rem, json_integer(pc->reminders[i] / 3600));
	json_object_set_new(o, "reminders_hours", rem);
	json_set_time(o, "created_at", pc->created_at);
	json_set_time(o, "due", pc->due);
	json_set_time(o, "grace_end", pc->grace_end);
	return o;
}

static void
campaign_cont(struct api_req *req, struct api_resp *resp)
{
	struct campaign_op *op = req->state;
	json_t *o;

	if (op->status == POCD_EINVAL) {
		problem_fields(resp, &op->errs);
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	o = campaign_json(&op->pc);
	/* Left to the scheduler to complete, the campaign exists but its count is not known. */
	if (o != NULL && op->complete)
		json_object_set_new(o, "pings", json_integer((json_int_t)op->npings));
	resp_json(resp, op->complete ? 201 : 202, o);
	resp_header(resp, "Location", "/api/v1/ping-campaigns/%s", op->pc.id);
}

enum api_result
h_campaign_create(struct api_req *req, struct api_resp *resp)
{
	struct verrs errs = {0};
	struct campaign_op *op;
	json_t *o;

	if (authz_run_pings(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN, "only the Secretariat runs ping tests");
		return API_DONE;
	}
	if ((o = body_object(req, resp)) == NULL)
		return API_DONE;
	op = req_state(req, resp, sizeof(*op));
	if (op == NULL) {
		json_decref(o);
		return API_DONE;
	}
	campaign_decode(o, op, &errs);
	json_decref(o);
	if (errs.n > 0) {
		problem_fields(resp, &errs);
		return API_DONE;
	}
	op->actor = req->who;
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, pings_create_campaign(req->api->core, op), campaign_cont);
}

static int
add_campaign(const struct ping_campaign *pc, void *arg)
{
	return json_array_append_new(arg, campaign_json(pc));
}

enum api_result
h_campaigns(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c = reader(req, resp);
	json_t *items;
	enum pocd_err err;

	if (c == NULL)
		return API_DONE;
	items = json_array();
	err = items != NULL ? store_campaigns_list(c, add_campaign, items) : POCD_ENOMEM;
	if (err != POCD_OK) {
		json_decref(items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", items, "next"));
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}

/* Counts and latencies of a set of pings. */
struct tally {
	int64_t pings, open, answered, late, unanswered, correct, correct_in_time;
	int64_t *lat;
	size_t nlat, cap;
};

static void
tally_add(struct tally *t, const struct ping *p, int64_t now)
{
	const char *st = ping_status(p, now);

	t->pings++;
	t->open += strcmp(st, "open") == 0;
	t->answered += strcmp(st, "answered") == 0;
	t->late += strcmp(st, "late") == 0;
	t->unanswered += strcmp(st, "unanswered") == 0;
	t->correct += p->answered_at != 0 && p->correct;
	t->correct_in_time += p->answered_at != 0 && p->correct && !p->late;
	if (p->answered_at == 0)
		return;
	if (t->nlat == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		int64_t *n = realloc(t->lat, cap * sizeof(*n));
		if (n == NULL)
			return;
		t->lat = n;
		t->cap = cap;
	}
	t->lat[t->nlat++] = p->answered_at - p->created_at;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static json_t *
share(int64_t part, int64_t whole)
{
	return whole > 0 ? json_real((double)part / (double)whole) : json_null();
}

static json_t *
tally_json(struct tally *t)
{
	int64_t med, p90;

	if (t->nlat > 0)
		qsort(t->lat, t->nlat, sizeof(int64_t), cmp64);
	med = percentile(t->lat, t->nlat, 50);
	p90 = percentile(t->lat, t->nlat, 90);
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "pings", (json_int_t)t->pings,
	                 "open", (json_int_t)t->open, "answered", (json_int_t)t->answered, "late",
	                 (json_int_t)t->late, "unanswered", (json_int_t)t->unanswered, "correct",
	                 (json_int_t)t->correct, "share_answered", share(t->answered, t->pings),
	                 "share_answered_correctly", share(t->correct_in_time, t->pings),
	                 "latency_median_seconds", med >= 0 ? json_integer(med) : json_null(),
	                 "latency_p90_seconds", p90 >= 0 ? json_integer(p90) : json_null());
}

/* The rows of one campaign as the caller may see them, with the tallies. */
struct state_tally {
	char state[STATE_SIZE];
	struct tally t;
};

struct results {
	const struct principal *who;
	bool all;
	int64_t now;
	struct tally total, own;
	bool by_state; /* also a roll-up per state (for the Secretariat) */
	struct state_tally *states;
	size_t nstates;
	json_t *rows; /* NULL when only the tallies are wanted */
	struct buf csv;
	bool as_csv;
	char last_id[ID_SIZE];
	size_t n;
};

static void
result_row(struct results *r, const struct ping *p)
{
	const char *st = ping_status(p, r->now);
	static const char *const channels[] = {"", "app", "link"};
	char lat[24] = "", created[RFC3339_SIZE], due[RFC3339_SIZE], answered[RFC3339_SIZE] = "";
	json_t *o;

	fmt_rfc3339(p->created_at, created);
	fmt_rfc3339(p->due, due);
	if (p->answered_at != 0) {
		fmt_rfc3339(p->answered_at, answered);
		snprintf(lat, sizeof(lat), "%lld", (long long)(p->answered_at - p->created_at));
	}
	if (r->as_csv) {
		const char *cells[] = {p->id,
		                       p->poc_id,
		                       p->state,
		                       poc_kind_name(p->kind),
		                       created,
		                       due,
		                       st,
		                       answered,
		                       lat,
		                       channels[p->channel],
		                       p->answered_at ? (p->correct ? "true" : "false") : "",
		                       p->answered_at ? (p->late ? "true" : "false") : ""};
		export_csv_cells(&r->csv, cells, sizeof(cells) / sizeof(cells[0]));
		return;
	}
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ping", p->id, "poc", p->poc_id, "state",
	              p->state, "kind", poc_kind_name(p->kind), "delivered_at", created, "due", due,
	              "status", st);
	if (o != NULL && p->answered_at != 0) {
		json_object_set_new(o, "answered_at", json_string(answered));
		json_object_set_new(o, "latency_seconds",
		                    json_integer(p->answered_at - p->created_at));
		json_object_set_new(o, "channel", json_string(channels[p->channel]));
		json_object_set_new(o, "correct", json_boolean(p->correct));
		json_object_set_new(o, "late", json_boolean(p->late));
	}
	json_array_append_new(r->rows, o);
}

/* The roll-up of state, added on first sight (at most one per UN member state); NULL when
 * memory runs out, and the roll-up is then left out. */
static struct tally *
state_tally(struct results *r, const char *state)
{
	struct state_tally *n;

	for (size_t i = 0; i < r->nstates; i++)
		if (strcmp(r->states[i].state, state) == 0)
			return &r->states[i].t;
	n = realloc(r->states, (r->nstates + 1) * sizeof(*n));
	if (n == NULL) {
		r->by_state = false;
		return NULL;
	}
	r->states = n;
	memset(&n[r->nstates], 0, sizeof(n[0]));
	strlcpy(n[r->nstates].state, state, STATE_SIZE);
	return &n[r->nstates++].t;
}

static int
result_each(const struct ping *p, void *arg)
{
	struct results *r = arg;
	bool mine = strcmp(p->state, r->who->state) == 0;
	struct tally *st;

	tally_add(&r->total, p, r->now);
	if (mine)
		tally_add(&r->own, p, r->now);
	if (r->by_state && (st = state_tally(r, p->state)) != NULL)
		tally_add(st, p, r->now);
	if ((r->rows != NULL || r->as_csv) && (r->all || mine))
		result_row(r, p);
	memcpy(r->last_id, p->id, ID_SIZE);
	r->n++;
	return 0;
}

/* Walks every ping of the campaign in pages, so memory stays bounded by the output. */
static enum pocd_err
walk(struct store_conn *c, const char *campaign, struct results *r)
{
	struct ping_filter f = {.status = -1, .now = r->now, .limit = 1000};
	enum pocd_err err;

	memcpy(f.campaign, campaign, ID_SIZE);
	do {
		r->n = 0;
		memcpy(f.after_id, r->last_id, ID_SIZE);
		err = store_pings_list(c, &f, result_each, r);
	} while (err == POCD_OK && r->n == f.limit);
	return err;
}

static void
results_free(struct results *r)
{
	free(r->total.lat);
	free(r->own.lat);
	for (size_t i = 0; i < r->nstates; i++)
		free(r->states[i].t.lat);
	free(r->states);
	json_decref(r->rows);
	buf_free(&r->csv);
}

/* Reads the campaign the path names; false with a problem in resp. */
static bool
path_campaign(struct api_req *req, struct api_resp *resp, struct store_conn *c,
              struct ping_campaign *pc)
{
	enum pocd_err err =
	    id_valid(req->params[0]) ? store_campaign_get(c, req->params[0], pc) : POCD_ENOTFOUND;

	if (err != POCD_OK)
		problem(resp, err,
		        err == POCD_ENOTFOUND ? "there is no ping campaign with this id" : NULL);
	return err == POCD_OK;
}

/* The per-state roll-up, in state order. */
static json_t *
states_json(struct results *r)
{
	json_t *a = json_array(), *o;

	for (size_t i = 0; a != NULL && i < r->nstates; i++)
		for (size_t k = i + 1; k < r->nstates; k++)
			if (strcmp(r->states[k].state, r->states[i].state) < 0) {
				struct state_tally t = r->states[i];
				r->states[i] = r->states[k];
				r->states[k] = t;
			}
	for (size_t i = 0; a != NULL && i < r->nstates; i++) {
		o = tally_json(&r->states[i].t);
		if (o != NULL)
			json_object_set_new(o, "state", json_string(r->states[i].state));
		json_array_append_new(a, o);
	}
	return a;
}

enum api_result
h_campaign(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c = reader(req, resp);
	struct ping_campaign *pc;
	struct results r = {.who = &req->who, .all = authz_run_pings(&req->who) == POCD_OK};
	json_t *o;
	enum pocd_err err;

	if (c == NULL)
		return API_DONE;
	pc = malloc(sizeof(*pc));
	if (pc == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	r.now = core_now(req->api->core);
	r.by_state = r.all;
	buf_init(&r.csv);
	if (path_campaign(req, resp, c, pc)) {
		err = walk(c, pc->id, &r);
		o = err == POCD_OK ? campaign_json(pc) : NULL;
		if (o != NULL) {
			json_object_set_new(o, "summary", tally_json(&r.total));
			if (r.by_state)
				json_object_set_new(o, "states", states_json(&r));
			if (!r.all)
				json_object_set_new(o, "own", tally_json(&r.own));
			resp_json(resp, 200, o);
			resp_header(resp, "Cache-Control", "no-store");
		} else {
			problem(resp, err != POCD_OK ? err : POCD_ENOMEM, NULL);
		}
	}
	results_free(&r);
	free(pc);
	return API_DONE;
}

enum api_result
h_campaign_results(struct api_req *req, struct api_resp *resp)
{
	const char *format = req->query(req, "format");
	struct results r = {.who = &req->who, .all = authz_run_pings(&req->who) == POCD_OK};
	struct store_conn *c;
	struct ping_campaign *pc;
	enum pocd_err err;
	json_t *o;

	if (format != NULL && strcmp(format, "json") && strcmp(format, "csv")) {
		problem_field(resp, POCD_EINVAL, "format", "must be json or csv");
		return API_DONE;
	}
	r.as_csv = format != NULL && strcmp(format, "csv") == 0;
	if ((c = reader(req, resp)) == NULL || (pc = malloc(sizeof(*pc))) == NULL) {
		if (c != NULL)
			problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	r.now = core_now(req->api->core);
	buf_init(&r.csv);
	r.rows = r.as_csv ? NULL : json_array();
	if (r.as_csv) {
		const char *head[] = {
		    "ping",   "poc",         "state",           "kind",    "delivered_at", "due",
		    "status", "answered_at", "latency_seconds", "channel", "correct",      "late"};
		export_csv_cells(&r.csv, head, sizeof(head) / sizeof(head[0]));
	}
	if (path_campaign(req, resp, c, pc)) {
		err = walk(c, pc->id, &r);
		if (err != POCD_OK) {
			problem(resp, err, NULL);
		} else if (r.as_csv) {
			resp->body = buf_steal(&r.csv, &resp->len);
			resp->status = resp->body != NULL ? 200 : 503;
			resp->content_type = "text/csv; charset=utf-8";
		} else {
			o = json_pack("{s:s,s:O,s:o}", "campaign", pc->id, "items", r.rows,
			              "summary", tally_json(&r.total));
			if (o != NULL && !r.all)
				json_object_set_new(o, "own", tally_json(&r.own));
			resp_json(resp, 200, o);
		}
		resp_header(resp, "Cache-Control", "no-store");
	}
	results_free(&r);
	free(pc);
	return API_DONE;
}

#define TREND_CAMPAIGNS 50

struct trend {
	struct store_conn *c;
	const struct principal *who;
	char state[STATE_SIZE]; /* the state followed; "" for all */
	int64_t now;
	json_t *items;
	size_t n;
	enum pocd_err err;
};

/* One campaign's figures for the state followed (or all states). */
static int
trend_campaign(const struct ping_campaign *pc, void *arg)
{
	struct trend *t = arg;
	struct results r = {.who = t->who, .now = t->now};
	struct ping_filter f = {.status = -1, .now = t->now, .limit = 1000};
	json_t *o;

	if (t->n++ >= TREND_CAMPAIGNS)
		return 1;
	buf_init(&r.csv);
	memcpy(f.campaign, pc->id, ID_SIZE);
	memcpy(f.state, t->state, STATE_SIZE);
	do {
		r.n = 0;
		memcpy(f.after_id, r.last_id, ID_SIZE);
		t->err = store_pings_list(t->c, &f, result_each, &r);
	} while (t->err == POCD_OK && r.n == f.limit);
	o = t->err == POCD_OK ? campaign_json(pc) : NULL;
	if (o != NULL) {
		json_object_set_new(o, "figures", tally_json(&r.total));
		json_array_append_new(t->items, o);
	} else if (t->err == POCD_OK) {
		t->err = POCD_ENOMEM;
	}
	results_free(&r);
	return t->err != POCD_OK;
}

enum api_result
h_ping_report(struct api_req *req, struct api_resp *resp)
{
	struct trend t = {.who = &req->who};
	const char *state = req->query(req, "state");
	enum pocd_err err;

	/* A state follows its own figures; the Secretariat any state's, or all together. */
	if (authz_run_pings(&req->who) != POCD_OK) {
		if (state != NULL && strcmp(state, req->who.state) != 0) {
			problem(resp, POCD_EFORBIDDEN, "a state follows its own figures only");
			return API_DONE;
		}
		memcpy(t.state, req->who.state, STATE_SIZE);
	} else if (state != NULL && !valid_state_code(state)) {
		problem_field(resp, POCD_EINVAL, "state", "must be an ISO 3166-1 alpha-3 code");
		return API_DONE;
	} else if (state != NULL)
		strlcpy(t.state, state, sizeof(t.state));
	if ((t.c = reader(req, resp)) == NULL)
		return API_DONE;
	t.now = core_now(req->api->core);
	t.items = json_array();
	err = t.items != NULL ? store_campaigns_list(t.c, trend_campaign, &t) : POCD_ENOMEM;
	if (err == POCD_OK)
		err = t.err;
	if (err != POCD_OK) {
		json_decref(t.items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(
	    resp, 200,
	    json_pack("{s:s?,s:o}", "state", t.state[0] ? t.state : NULL, "campaigns", t.items));
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}

static json_t *
ping_json(const struct ping *p, int64_t now)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", p->id, "poc", p->poc_id,
	                      "campaign", p->campaign, "kind", poc_kind_name(p->kind), "lang",
	                      p->lang, "status", ping_status(p, now));

	if (o == NULL)
		return NULL;
	if (p->challenge[0] != '\0') {
		json_object_set_new(o, "challenge", json_string(p->challenge));
		json_object_set_new(o, "instruction", json_string(ping_instruction(p->lang)));
	}
	json_set_time(o, "due", p->due);
	json_set_time(o, "grace_end", p->grace_end);
	json_set_time(o, "answered_at", p->answered_at);
	if (p->answered_at != 0) {
		json_object_set_new(o, "correct", json_boolean(p->correct));
		json_object_set_new(o, "late", json_boolean(p->late));
	}
	return o;
}

struct ping_list {
	json_t *items;
	int64_t now;
	size_t n;
	char last[ID_SIZE];
};

static int
add_ping(const struct ping *p, void *arg)
{
	struct ping_list *pl = arg;

	pl->n++;
	memcpy(pl->last, p->id, ID_SIZE);
	return json_array_append_new(pl->items, ping_json(p, pl->now));
}

enum api_result
h_pings(struct api_req *req, struct api_resp *resp)
{
	static const char *const statuses[] = {"open", "answered", "late", "unanswered"};
	const char *status = req->query(req, "status"), *cursor = req->query(req, "cursor");
	struct ping_filter f = {.status = -1};
	struct ping_list pl = {0};
	struct store_conn *c;
	enum pocd_err err;

	if (authz_answer_pings(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN, "the Secretariat has no pings to answer");
		return API_DONE;
	}
	for (int i = 0; status != NULL && i < 4; i++)
		if (strcmp(status, statuses[i]) == 0)
			f.status = i;
	if (status != NULL && f.status < 0) {
		problem_field(resp, POCD_EINVAL, "status",
		              "must be open, answered, late or unanswered");
		return API_DONE;
	}
	if (cursor != NULL && !id_valid(cursor)) {
		problem_field(resp, POCD_EINVAL, "cursor", "is not a cursor this service gave out");
		return API_DONE;
	}
	if (!query_limit(req, resp, PAGE_DEFAULT, PAGE_MAX, &f.limit) ||
	    (c = reader(req, resp)) == NULL)
		return API_DONE;
	/* An administrator answers for all of its state's PoCs; others for those they act for. */
	memcpy(f.state, req->who.state, STATE_SIZE);
	if (req->who.role != ROLE_STATE_ADMIN)
		memcpy(f.account, req->who.account_id, ID_SIZE);
	if (cursor != NULL)
		strlcpy(f.after_id, cursor, sizeof(f.after_id));
	f.now = pl.now = core_now(req->api->core);
	pl.items = json_array();
	err = pl.items != NULL ? store_pings_list(c, &f, add_ping, &pl) : POCD_ENOMEM;
	if (err != POCD_OK) {
		json_decref(pl.items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(
	    resp, 200,
	    json_pack("{s:o,s:s?}", "items", pl.items, "next", pl.n == f.limit ? pl.last : NULL));
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}

static void
answer_cont(struct api_req *req, struct api_resp *resp)
{
	struct answer_op *op = req->state;
	json_t *o;

	if (op->status == POCD_EGONE)
		problem(resp, POCD_EGONE,
		        op->by_link ? "this ping link is unknown, used or expired"
		                    : "this ping's window and grace period are over");
	else if (op->status == POCD_ECONFLICT)
		problem(resp, POCD_ECONFLICT, "this ping was answered already");
	else if (op->status != POCD_OK)
		problem(resp, op->status, NULL);
	else {
		o = json_pack("{s:s,s:b,s:b}", "ping", op->ping.id, "correct", op->ping.correct,
		              "late", op->ping.late);
		add_receipt(req, o, &op->mine);
		resp_json(resp, 200, o);
	}
}

/* {"challenge"} (and "token" by link) into op; false with a 400 in resp. */
static bool
decode_answer(struct api_req *req, struct api_resp *resp, struct answer_op *op)
{
	static const char *const app_fields[] = {"challenge", NULL};
	static const char *const link_fields[] = {"token", "challenge", NULL};
	struct verrs errs = {0};
	const char *ch, *tok = NULL;
	json_t *o = body_object(req, resp);

	if (o == NULL)
		return false;
	json_refuse_unknown(o, op->by_link ? link_fields : app_fields, "a ping answer", &errs);
	ch = json_member_str(o, "challenge", false, sizeof(op->challenge) - 1, &errs);
	if (op->by_link)
		tok = json_member_str(o, "token", false, TOKEN_SIZE - 1, &errs);
	if (errs.n == 0) {
		strlcpy(op->challenge, ch != NULL ? ch : "", sizeof(op->challenge));
		/* A missing token takes the same path as a wrong one. */
		strlcpy(op->token, tok != NULL ? tok : "", sizeof(op->token));
	}
	json_decref(o);
	if (errs.n > 0)
		problem_fields(resp, &errs);
	return errs.n == 0;
}

enum api_result
h_ping_answer(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c;
	struct answer_op *op;
	struct ping p;
	bool linked = false;
	enum pocd_err err;

	if (authz_answer_pings(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN, "the Secretariat has no pings to answer");
		return API_DONE;
	}
	if ((c = reader(req, resp)) == NULL)
		return API_DONE;
	/* Another state's ping is not there for the caller; its own state's needs the PoC. */
	err = id_valid(req->params[0]) ? store_ping_get(c, req->params[0], &p) : POCD_ENOTFOUND;
	if (err == POCD_OK && strcmp(p.state, req->who.state) != 0)
		err = POCD_ENOTFOUND;
	if (err == POCD_OK && req->who.role != ROLE_STATE_ADMIN)
		err = store_poc_has_account(c, p.poc_id, req->who.account_id, &linked);
	if (err == POCD_OK && req->who.role != ROLE_STATE_ADMIN && !linked)
		err = POCD_EFORBIDDEN;
	if (err != POCD_OK) {
		problem(resp, err,
		        err == POCD_ENOTFOUND    ? "there is no ping with this id for you"
		        : err == POCD_EFORBIDDEN ? "only the accounts acting for this PoC, or the "
		                                   "state's administrators, answer its ping"
		                                 : NULL);
		return API_DONE;
	}
	op = req_state(req, resp, sizeof(*op));
	if (op == NULL || !decode_answer(req, resp, op))
		return API_DONE;
	op->actor = req->who;
	memcpy(op->ping_id, p.id, ID_SIZE);
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, pings_answer(req->api->core, op), answer_cont);
}

enum api_result
h_ping_answer_link(struct api_req *req, struct api_resp *resp)
{
	struct answer_op *op = req_state(req, resp, sizeof(*op));

	if (op == NULL)
		return API_DONE;
	op->by_link = true;
	if (!decode_answer(req, resp, op))
		return API_DONE;
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, pings_answer(req->api->core, op), answer_cont);
}

#define REVIEW_WARNING (30 * 24 * 3600) /* administrators are warned this long before */

struct task_list {
	json_t *items;
	char soon[DATE_SIZE];
	char today[DATE_SIZE];
};

static int
add_task(const struct task *t, void *arg)
{
	struct task_list *tl = arg;
	json_t *o = json_pack("{s:s,s:s,s:s,s:s?}", "id", t->id, "kind", t->kind, "poc", t->poc_id,
	                      "ping", t->ping_id[0] ? t->ping_id : NULL);

	if (o == NULL)
		return -1;
	json_set_time(o, "created_at", t->created_at);
	json_set_time(o, "closed_at", t->closed_at);
	if (t->closed_reason[0] != '\0')
		json_object_set_new(o, "closed_reason", json_string(t->closed_reason));
	return json_array_append_new(tl->items, o);
}

/* Entries due for review within the warning period, or past it: derived, not stored. */
static int
add_review(const struct poc *p, void *arg)
{
	struct task_list *tl = arg;

	if (p->review_by[0] == '\0' || strcmp(p->review_by, tl->soon) > 0)
		return 0;
	return json_array_append_new(
	    tl->items, json_pack("{s:s,s:s,s:s}", "kind",
	                         strcmp(p->review_by, tl->today) < 0 ? "stale" : "review_due",
	                         "poc", p->id, "review_by", p->review_by));
}

enum api_result
h_tasks(struct api_req *req, struct api_resp *resp)
{
	const char *all = req->query(req, "all");
	struct poc_filter f = {.kind = -1, .limit = 100000};
	struct task_list tl = {0};
	struct store_conn *c;
	int64_t now;
	enum pocd_err err;

	if (authz_read_tasks(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN, "correction tasks are for a state's administrators");
		return API_DONE;
	}
	if (all != NULL && strcmp(all, "true") && strcmp(all, "false")) {
		problem_field(resp, POCD_EINVAL, "all", "must be true or false");
		return API_DONE;
	}
	if ((c = reader(req, resp)) == NULL)
		return API_DONE;
	now = core_now(req->api->core);
	fmt_date(now, tl.today);
	fmt_date(now + REVIEW_WARNING, tl.soon);
	memcpy(f.state, req->who.state, STATE_SIZE);
	tl.items = json_array();
	err = tl.items != NULL
	          ? store_tasks_list(c, req->who.state, all == NULL || strcmp(all, "true") != 0,
	                             add_task, &tl)
	          : POCD_ENOMEM;
	if (err == POCD_OK)
		err = store_pocs_list(c, &f, add_review, &tl);
	if (err != POCD_OK) {
		json_decref(tl.items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", tl.items, "next"));
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}
