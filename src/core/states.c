#include "core/states.h"

#include "core/sessions.h"
#include "lib/timeutil.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

extern const char pocd_states_tsv[];
extern const size_t pocd_states_tsv_len;

/* Splits one TSV line into the record; returns false on a malformed line. */
static bool
parse_line(const char *line, size_t len, struct state_rec *st)
{
	const char *p = line, *end = line + len, *tab;
	char *fields[8];
	size_t sizes[8];
	int i;

	memset(st, 0, sizeof(*st));
	fields[0] = st->code;
	sizes[0] = sizeof(st->code);
	fields[1] = st->alpha2;
	sizes[1] = sizeof(st->alpha2);
	for (i = 0; i < NLANGS; i++) {
		fields[2 + i] = st->names[i];
		sizes[2 + i] = sizeof(st->names[i]);
	}
	for (i = 0; i < 8; i++) {
		size_t n;
		tab = memchr(p, '\t', (size_t)(end - p));
		if (tab == NULL)
			tab = end;
		n = (size_t)(tab - p);
		if (n == 0 || n >= sizes[i])
			return false;
		memcpy(fields[i], p, n);
		fields[i][n] = '\0';
		if (tab == end)
			return i == 7;
		p = tab + 1;
	}
	return false;
}

void
states_each(void (*cb)(const struct state_rec *st, size_t index, void *arg), void *arg)
{
	const char *p = pocd_states_tsv, *end = pocd_states_tsv + pocd_states_tsv_len, *nl;
	struct state_rec st;
	size_t index = 0;
	bool header = true;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (!header && parse_line(p, (size_t)(nl - p), &st))
			cb(&st, index++, arg);
		header = false;
		p = nl + 1;
	}
}

struct seed_job {
	struct store_job job;
	enum pocd_err err;
	struct store_conn *w;
	size_t n;
};

static void
seed_one(const struct state_rec *st, size_t index, void *arg)
{
	struct seed_job *sj = arg;
	struct state_rec cur;

	if (sj->err != POCD_OK)
		return;
	if (store_state_get(sj->w, st->code, &cur) == POCD_OK) {
		struct state_rec keep = *st;
		keep.participating = cur.participating;
		keep.participating_since = cur.participating_since;
		sj->err = store_state_put(sj->w, &keep);
	} else {
		sj->err = store_state_put(sj->w, st);
	}
	sj->n++;
}

static enum pocd_err
seed_run(struct store_conn *w, struct store_job *j)
{
	struct seed_job *sj = (struct seed_job *)j;

	sj->w = w;
	states_each(seed_one, sj);
	if (sj->err == POCD_OK && sj->n != STATES_COUNT)
		return POCD_EINVAL;
	j->directory_changed = true;
	return sj->err;
}

enum pocd_err
states_seed(struct core *c)
{
	struct seed_job sj = {.job.run = seed_run};

	return store_run_sync(c->store, &sj.job);
}

static enum pocd_err
participation_run(struct store_conn *w, struct store_job *j)
{
	struct participation_op *op = container_of(j, struct participation_op, job);
	int64_t now = now_s();
	struct event ev = {.type = "state.participation",
	                   .actor_account = op->actor.account_id,
	                   .states = op->state,
	                   .object_id = op->state,
	                   .details = op->participating ? "{\"participating\":true}"
	                                                : "{\"participating\":false}"};
	enum pocd_err err = store_state_get(w, op->state, &op->result);

	if (err != POCD_OK)
		return err;
	if (op->result.participating == op->participating)
		return POCD_OK;
	err = store_state_set_participation(w, op->state, op->participating, now);
	if (err != POCD_OK)
		return err;
	op->result.participating = op->participating;
	op->result.participating_since = op->participating ? now : 0;
	j->directory_changed = true;
	return store_event_append(w, &ev, now);
}

static void
participation_committed(struct store_job *j, enum pocd_err st)
{
	struct participation_op *op = container_of(j, struct participation_op, job);

	session_cache_flush(op->core->sessions);
	op->status = st;
	op->done(op->arg);
}

enum pocd_err
states_set_participation(struct core *c, struct participation_op *op)
{
	op->core = c;
	op->job.run = participation_run;
	op->job.done = participation_committed;
	return store_submit(c->store, &op->job);
}
