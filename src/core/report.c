#include "core/report.h"

#include <stdlib.h>
#include <string.h>

#include "lib/timeutil.h"

int64_t
percentile(const int64_t *sorted, size_t n, int p)
{
	size_t rank;

	if (n == 0)
		return -1;
	rank = ((size_t)p * n + 99) / 100; /* ceil(p/100 * n), the nearest rank */
	if (rank == 0)
		rank = 1;
	return sorted[rank - 1];
}

/* Durations of one group of rows, kept until the group is complete. */
struct group {
	struct resp_figures f;
	int64_t *ack, *answer;
	size_t nack, nanswer, cap;
};

struct collect {
	int64_t now;
	struct group all;
	struct group cur;
	json_t *states;
	const char *viewer;
	bool all_states;
	enum pocd_err err;
};

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool
push(struct group *g, int64_t ack, int64_t answer)
{
	if (g->nack == g->cap || g->nanswer == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		int64_t *a = realloc(g->ack, cap * sizeof(*a));
		if (a == NULL)
			return false;
		g->ack = a;
		a = realloc(g->answer, cap * sizeof(*a));
		if (a == NULL)
			return false;
		g->answer = a;
		g->cap = cap;
	}
	if (ack >= 0)
		g->ack[g->nack++] = ack;
	if (answer >= 0)
		g->answer[g->nanswer++] = answer;
	return true;
}

static json_t *
figures_json(struct group *g)
{
	struct resp_figures *f = &g->f;
	json_t *o;

	if (g->nack > 0)
		qsort(g->ack, g->nack, sizeof(int64_t), cmp64);
	if (g->nanswer > 0)
		qsort(g->answer, g->nanswer, sizeof(int64_t), cmp64);
	f->ack_median = percentile(g->ack, g->nack, 50);
	f->ack_p90 = percentile(g->ack, g->nack, 90);
	f->answer_median = percentile(g->answer, g->nanswer, 50);
	f->answer_p90 = percentile(g->answer, g->nanswer, 90);
	o = json_pack("{s:I,s:I,s:I,s:I}", "received", (json_int_t)f->received, "acknowledged",
	              (json_int_t)f->acknowledged, "acknowledged_in_time",
	              (json_int_t)f->acknowledged_in_time, "answered", (json_int_t)f->answered);
	if (o == NULL)
		return NULL;
	/* A share of nothing is no figure: null, not 0. */
	json_object_set_new(o, "share_acknowledged_in_time",
	                    f->due > 0 ? json_real((double)f->acknowledged_in_time / (double)f->due)
	                               : json_null());
	json_object_set_new(o, "ack_median_seconds",
	                    f->ack_median >= 0 ? json_integer(f->ack_median) : json_null());
	json_object_set_new(o, "ack_p90_seconds",
	                    f->ack_p90 >= 0 ? json_integer(f->ack_p90) : json_null());
	json_object_set_new(o, "answer_median_seconds",
	                    f->answer_median >= 0 ? json_integer(f->answer_median) : json_null());
	json_object_set_new(o, "answer_p90_seconds",
	                    f->answer_p90 >= 0 ? json_integer(f->answer_p90) : json_null());
	return o;
}

static void
group_reset(struct group *g, const char *state)
{
	memset(&g->f, 0, sizeof(g->f));
	strlcpy(g->f.state, state, sizeof(g->f.state));
	g->nack = g->nanswer = 0;
}

static void
flush_state(struct collect *cl)
{
	json_t *o;

	if (cl->cur.f.state[0] == '\0')
		return;
	if (cl->all_states || strcmp(cl->cur.f.state, cl->viewer) == 0) {
		o = figures_json(&cl->cur);
		if (o == NULL) {
			cl->err = POCD_ENOMEM;
			return;
		}
		json_object_set_new(o, "state", json_string(cl->cur.f.state));
		json_array_append_new(cl->states, o);
	}
}

static bool
add_row(struct group *g, int64_t created, const struct comm_recipient *r, int64_t now)
{
	int64_t ack = r->acknowledged_at ? r->acknowledged_at - created : -1;
	int64_t answer = r->answered_at ? r->answered_at - created : -1;

	/* Only what was due by now (or acknowledged) is a success or a failure yet; a deadline
	 * passes at ack_due itself, when the scheduler marks it late. */
	g->f.received++;
	g->f.due += r->acknowledged_at != 0 || r->ack_due <= now;
	g->f.acknowledged += r->acknowledged_at != 0;
	g->f.acknowledged_in_time += r->acknowledged_at != 0 && r->acknowledged_at < r->ack_due;
	g->f.answered += r->answered_at != 0;
	return push(g, ack, answer);
}

static int
row(const char *state, int64_t created_at, const struct comm_recipient *r, void *arg)
{
	struct collect *cl = arg;

	if (strcmp(state, cl->cur.f.state) != 0) {
		flush_state(cl);
		group_reset(&cl->cur, state);
	}
	if (!add_row(&cl->cur, created_at, r, cl->now) ||
	    !add_row(&cl->all, created_at, r, cl->now))
		cl->err = POCD_ENOMEM;
	return cl->err != POCD_OK;
}

json_t *
report_responsiveness(struct core *c, int64_t since, const char *viewer, bool all_states,
                      enum pocd_err *err)
{
	struct collect cl = {.viewer = viewer, .all_states = all_states, .now = core_now(c)};
	struct store_conn *rd = store_reader(c->store);
	char when[RFC3339_SIZE];
	json_t *out = NULL, *all;

	cl.states = json_array();
	*err = rd == NULL ? POCD_EUNAVAILABLE : cl.states == NULL ? POCD_ENOMEM : POCD_OK;
	if (*err == POCD_OK)
		*err = store_comm_stats(rd, since, row, &cl);
	if (*err == POCD_OK && cl.err == POCD_OK)
		flush_state(&cl);
	if (*err == POCD_OK)
		*err = cl.err;
	if (*err == POCD_OK) {
		all = figures_json(&cl.all);
		fmt_rfc3339(since, when);
		out = all != NULL ? json_pack("{s:s,s:O,s:o}", "since", when, "states", cl.states,
		                              "all", all)
		                  : NULL;
		if (out == NULL)
			*err = POCD_ENOMEM;
	}
	json_decref(cl.states);
	free(cl.all.ack);
	free(cl.all.answer);
	free(cl.cur.ack);
	free(cl.cur.answer);
	return out;
}
