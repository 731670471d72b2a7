#include "core/pings.h"

#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fields.h"
#include "core/notify.h"
#include "core/record.h"
#include "core/scheduler.h"
#include "core/validate.h"
#include "core/webhooks.h"
#include "lib/log.h"
#include "lib/timeutil.h"

#define WINDOW_MAX_HOURS 720

/* No 0/O, 1/I: a code read aloud or copied at night is not misread. */
static const char code_symbols[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

static void
new_challenge(char out[CHALLENGE_SIZE])
{
	for (size_t i = 0; i < CHALLENGE_SIZE - 1; i++)
		out[i] = code_symbols[randombytes_uniform(sizeof(code_symbols) - 1)];
	out[CHALLENGE_SIZE - 1] = '\0';
}

/* The answer matches the code, ignoring case, spaces and hyphens. */
static bool
challenge_matches(const char *code, const char *answer)
{
	size_t i = 0;

	for (const char *p = answer; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (code[i] == '\0' || toupper((unsigned char)*p) != code[i])
			return false;
		i++;
	}
	return code[i] == '\0';
}

void
campaign_decode(const json_t *o, struct campaign_op *op, struct verrs *errs)
{
	static const char *const fields[] = {"scope",           "kinds",     "window_hours",
	                                     "reminders_hours", "challenge", NULL};
	struct ping_campaign *pc = &op->pc;
	json_t *v;
	char f[VERR_FIELD];
	int64_t hours[PING_MAX_REMINDERS];
	size_t n = 0;

	fields_refuse_unknown(o, fields, "", errs);
	v = json_object_get(o, "scope");
	if (json_is_string(v) && strcmp(json_string_value(v), "all") == 0) {
		strlcpy(pc->scope, "all", sizeof(pc->scope));
	} else if (json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= 193) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			const char *code = json_string_value(json_array_get(v, i));
			snprintf(f, sizeof(f), "scope[%zu]", i);
			if (code == NULL || !valid_state_code(code))
				verr_add(errs, f, "must be an ISO 3166-1 alpha-3 code such as FRA");
			else if (strstr(pc->scope, code) != NULL)
				verr_add(errs, f, "is listed twice");
			else {
				strlcat(pc->scope, pc->scope[0] ? "," : "", sizeof(pc->scope));
				strlcat(pc->scope, code, sizeof(pc->scope));
			}
		}
	} else {
		verr_add(errs, "scope", "must be \"all\" or an array of 1 to 193 state codes");
	}
	v = json_object_get(o, "kinds");
	pc->kinds = KIND_BIT(POC_TECHNICAL) | KIND_BIT(POC_DIPLOMATIC);
	if (v != NULL) {
		pc->kinds = 0;
		if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > 2)
			verr_add(errs, "kinds",
			         "must be [\"technical\"], [\"diplomatic\"] or both");
		for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++) {
			const char *k = json_string_value(json_array_get(v, i));
			unsigned bit = k == NULL                      ? 0
			               : strcmp(k, "technical") == 0  ? KIND_BIT(POC_TECHNICAL)
			               : strcmp(k, "diplomatic") == 0 ? KIND_BIT(POC_DIPLOMATIC)
			                                              : 0;
			snprintf(f, sizeof(f), "kinds[%zu]", i);
			if (bit == 0 || (pc->kinds & bit))
				verr_add(errs, f, "must be technical or diplomatic, once");
			pc->kinds |= bit;
		}
	}
	v = json_object_get(o, "window_hours");
	op->window = PING_WINDOW_DEFAULT;
	if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 1 ||
	                  json_integer_value(v) > WINDOW_MAX_HOURS))
		verr_add(errs, "window_hours", "must be a whole number of hours, 1 to %d",
		         WINDOW_MAX_HOURS);
	else if (v != NULL)
		op->window = json_integer_value(v) * 3600;
	v = json_object_get(o, "reminders_hours");
	if (v == NULL) {
		/* By default a day and four hours before the window closes, where it is longer. */
		if (op->window > 24 * 3600)
			hours[n++] = 24;
		if (op->window > 4 * 3600)
			hours[n++] = 4;
	} else if (!json_is_array(v) || json_array_size(v) > PING_MAX_REMINDERS) {
		verr_add(errs, "reminders_hours", "must be an array of at most %d numbers of hours",
		         PING_MAX_REMINDERS);
	} else {
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *h = json_array_get(v, i);
			snprintf(f, sizeof(f), "reminders_hours[%zu]", i);
			if (!json_is_integer(h) || json_integer_value(h) < 1 ||
			    json_integer_value(h) >= op->window / 3600) {
				verr_add(errs, f,
				         "must be a whole number of hours within the window");
				continue;
			}
			for (size_t k = 0; k < n; k++)
				if (hours[k] == json_integer_value(h))
					verr_add(errs, f, "is listed twice");
			hours[n++] = json_integer_value(h);
		}
	}
	/* Furthest from the deadline first: the order they go out in. */
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (hours[k] > hours[i]) {
				int64_t t = hours[i];
				hours[i] = hours[k];
				hours[k] = t;
			}
	pc->nreminders = n;
	for (size_t i = 0; i < n; i++)
		pc->reminders[i] = hours[i] * 3600;
	v = json_object_get(o, "challenge");
	if (v != NULL && !json_is_boolean(v))
		verr_add(errs, "challenge", "must be true or false");
	pc->challenge = v == NULL || json_is_true(v);
}

const char *
ping_instruction(const char *lang)
{
	static const char *const sentences[NLANGS] = {
	    "يرجى إدخال هذا الرمز لتأكيد أنك تلقيت اختبار الاتصال.",
	    "请输入此代码，以确认您已收到本次联络测试。",
	    "Please enter this code to confirm that you received this ping test.",
	    "Veuillez saisir ce code pour confirmer que vous avez reçu ce test de contact.",
	    "Введите этот код, чтобы подтвердить получение проверочного запроса.",
	    "Introduzca este código para confirmar que ha recibido esta prueba de contacto.",
	};
	int i = un_lang_index(lang);

	return sentences[i >= 0 ? i : 2];
}

const char *
ping_status(const struct ping *p, int64_t now)
{
	if (p->answered_at != 0)
		return p->late ? "late" : "answered";
	return now <= p->due ? "open" : "unanswered";
}

int64_t
ping_next_due(const struct ping *p, const struct ping_campaign *pc)
{
	if (p->answered_at != 0 || p->task_opened)
		return 0;
	if ((size_t)p->reminders_sent < pc->nreminders)
		return p->due - pc->reminders[p->reminders_sent];
	return p->grace_end;
}

/* One chunk of a campaign's pings: what it made and where it stopped. */
struct fill_ctx {
	struct store_conn *w;
	const struct ping_campaign *pc;
	size_t n;
	char last_state[STATE_SIZE];
	char last_key[SORTKEY_SIZE];
	enum pocd_err err;
};

static enum pocd_err
add_ping(struct store_conn *w, const struct ping_campaign *pc, const struct poc *poc)
{
	struct ping p;
	char token[TOKEN_SIZE], due[RFC3339_SIZE], *payload = NULL;
	uint8_t hash[TOKEN_HASH_LEN];
	enum pocd_err err;

	memset(&p, 0, sizeof(p));
	rand_id(p.id);
	memcpy(p.campaign, pc->id, ID_SIZE);
	memcpy(p.poc_id, poc->id, ID_SIZE);
	memcpy(p.state, poc->state, STATE_SIZE);
	p.kind = poc->kind;
	notify_poc_lang(poc, p.lang);
	if (pc->challenge)
		new_challenge(p.challenge);
	/* Every chunk's pings are the campaign's: they exist from its creation. */
	p.created_at = pc->created_at;
	p.due = pc->due;
	p.grace_end = pc->grace_end;
	/* Reminders that would fall before the ping exists are skipped. */
	while ((size_t)p.reminders_sent < pc->nreminders &&
	       p.due - pc->reminders[p.reminders_sent] <= p.created_at)
		p.reminders_sent++;
	p.next_due = ping_next_due(&p, pc);
	rand_token(token);
	token_hash(token, hash);
	err = store_ping_insert(w, &p, hash);
	fmt_rfc3339(p.due, due);
	if (err == POCD_OK) {
		/* The link carries the token in its fragment, which browsers never send on. */
		json_t *o = json_pack("{s:s,s:s,s:s?,s:s+,s:s,s:s}", "ping", p.id, "campaign",
		                      p.campaign, "challenge", p.challenge[0] ? p.challenge : NULL,
		                      "link", "/ping#", token, "due", due, "email", poc->email);
		payload = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
	}
	sodium_memzero(token, sizeof(token));
	if (err == POCD_OK && payload == NULL)
		err = POCD_ENOMEM;
	if (err == POCD_OK)
		err = store_outbox_add(w, "ping", p.id, p.poc_id, p.state, p.lang, payload,
		                       pc->created_at);
	/* The challenge stays out: a person returns it. */
	if (err == POCD_OK)
		err = webhook_queue(w, WEBHOOK_EV_PING, p.state, p.id,
		                    json_pack("{s:s,s:s,s:s,s:s}", "ping", p.id, "campaign",
		                              p.campaign, "poc", p.poc_id, "due", due),
		                    pc->created_at);
	if (payload != NULL) {
		sodium_memzero(payload, strlen(payload));
		free(payload);
	}
	return err;
}

static int
each_poc(const struct poc *poc, const char *sortkey, void *arg)
{
	struct fill_ctx *fc = arg;

	fc->err = add_ping(fc->w, fc->pc, poc);
	if (fc->err != POCD_OK)
		return 1;
	fc->n++;
	memcpy(fc->last_state, poc->state, STATE_SIZE);
	strlcpy(fc->last_key, sortkey, sizeof(fc->last_key));
	return 0;
}

/* Makes the next chunk of pings of a campaign still being filled (the first chunk of a new
 * one when first is set, whose cursor starts before every PoC). The chunk that finds nothing
 * more to ping completes the campaign and logs it, with as parties the states it pinged when
 * its scope is all of them. Running it on a complete campaign does nothing, so the request that
 * created a campaign and the scheduler (after a restart) may both drive one. */
static enum pocd_err
fill_chunk(struct store_conn *w, struct core *c, const char *id, bool first, int64_t now,
           bool *complete, size_t *npings)
{
	struct ping_campaign pc;
	struct fill_ctx fc = {.w = w, .pc = &pc};
	char details[64], pinged[STATES_SCOPE_SIZE];
	struct event ev = {.type = "ping_campaign.created",
	                   .actor_role = role_name(ROLE_SECRETARIAT),
	                   .object_id = id,
	                   .details = details};
	bool filling = true;
	enum pocd_err err;

	*complete = true;
	err = store_campaign_get(w, id, &pc);
	if (err == POCD_OK && !first)
		err = store_campaign_fill_get(w, id, &filling, fc.last_state, fc.last_key);
	if (err == POCD_OK && !filling)
		err = store_campaign_pinged(w, id, npings, NULL, 0);
	if (err != POCD_OK || !filling)
		return err;
	err = store_campaign_pocs(w, &pc, fc.last_state, fc.last_key, c->cfg.campaign_chunk,
	                          each_poc, &fc);
	if (err == POCD_OK)
		err = fc.err;
	if (err != POCD_OK)
		return err;
	if (fc.n == c->cfg.campaign_chunk) {
		*complete = false;
		return store_campaign_fill_set(w, id, fc.last_state, fc.last_key);
	}
	err = first ? POCD_OK : store_campaign_fill_set(w, id, NULL, NULL);
	if (err == POCD_OK)
		err = store_campaign_pinged(w, id, npings, pinged, sizeof(pinged));
	if (err != POCD_OK)
		return err;
	snprintf(details, sizeof(details), "{\"pings\":%zu}", *npings);
	ev.actor_account = pc.created_by;
	ev.states = strcmp(pc.scope, "all") == 0 ? pinged : pc.scope;
	return record_event(w, c, &ev, now, NULL);
}

static enum pocd_err
campaign_run(struct store_conn *w, struct store_job *j)
{
	struct campaign_op *op = container_of(j, struct campaign_op, job);
	struct state_rec st;
	char code[STATE_SIZE], field[VERR_FIELD];
	enum pocd_err err;

	op->errs.n = 0;
	rand_id(op->pc.id);
	memcpy(op->pc.created_by, op->actor.account_id, ID_SIZE);
	op->pc.created_at = op->now;
	op->pc.due = op->now + op->window;
	op->pc.grace_end = op->pc.due + PING_GRACE;
	if (strcmp(op->pc.scope, "all") != 0) {
		for (size_t i = 0; op->pc.scope[i * 4] != '\0'; i++) {
			memcpy(code, op->pc.scope + i * 4, 3);
			code[3] = '\0';
			err = store_state_get(w, code, &st);
			if (err != POCD_OK && err != POCD_ENOTFOUND)
				return err;
			snprintf(field, sizeof(field), "scope[%zu]", i);
			if (err == POCD_ENOTFOUND || !st.participating)
				verr_add(&op->errs, field, "%s is not a participating state", code);
		}
		if (op->errs.n > 0)
			return POCD_EINVAL;
	}
	err = store_campaign_insert(w, &op->pc);
	return err != POCD_OK
	           ? err
	           : fill_chunk(w, op->core, op->pc.id, true, op->now, &op->complete, &op->npings);
}

static enum pocd_err
campaign_more(struct store_conn *w, struct store_job *j)
{
	struct campaign_op *op = container_of(j, struct campaign_op, job);

	return fill_chunk(w, op->core, op->pc.id, false, core_now(op->core), &op->complete,
	                  &op->npings);
}

static void
campaign_committed(struct store_job *j, enum pocd_err st)
{
	struct campaign_op *op = container_of(j, struct campaign_op, job);
	bool later = op->job.run == campaign_more;

	/* The next chunk queues behind whatever came in meanwhile. */
	if (st == POCD_OK && !op->complete) {
		op->job.run = campaign_more;
		if (store_submit(op->core->store, &op->job) == POCD_OK)
			return;
		log_info(
		    "pings: campaign %s: the writer's queue is full; the scheduler completes it",
		    op->pc.id);
	} else if (st != POCD_OK && later) {
		/* Once its first chunk is in, the campaign exists: it is the scheduler's to
		 * complete, and the request is told so (202) rather than an error that a retry
		 * would double. */
		log_info("pings: campaign %s: a chunk failed (%s); the scheduler completes it",
		         op->pc.id, pocd_err_name(st));
		op->complete = false;
		st = POCD_OK;
	}
	op->pc.filling = !op->complete;
	if (op->core->scheduler != NULL)
		scheduler_kick(op->core->scheduler);
	op->status = st;
	op->done(op->arg);
}

enum pocd_err
pings_create_campaign(struct core *c, struct campaign_op *op)
{
	op->core = c;
	op->job.run = campaign_run;
	op->job.done = campaign_committed;
	return store_submit(c->store, &op->job);
}

struct resume_job {
	struct store_job job;
	struct core *core;
	char id[ID_SIZE];
	int64_t now;
	bool complete;
	size_t npings;
};

static enum pocd_err
resume_run(struct store_conn *w, struct store_job *j)
{
	struct resume_job *rj = container_of(j, struct resume_job, job);

	return fill_chunk(w, rj->core, rj->id, false, rj->now, &rj->complete, &rj->npings);
}

/* Completes the campaigns a restart (or a full queue, or a failed chunk) left half made. A
 * campaign that fails does not hold up the others, nor the pings that are due: its error is
 * logged and returned after them, so the scheduler retries later instead of at once. */
static enum pocd_err
resume_campaigns(struct core *c, int64_t now)
{
	struct resume_job rj = {.job.run = resume_run, .core = c, .now = now};
	char ids[8][ID_SIZE];
	struct store_conn *rd = store_reader(c->store);
	size_t n = 0;
	enum pocd_err err = rd != NULL ? store_campaigns_filling(rd, ids, 8, &n) : POCD_ESTORE;
	enum pocd_err one;

	for (size_t i = 0; i < n; i++) {
		memcpy(rj.id, ids[i], ID_SIZE);
		do
			one = store_run_sync(c->store, &rj.job);
		while (one == POCD_OK && !rj.complete);
		if (one != POCD_OK) {
			log_info("pings: campaign %s: completing it failed: %s", rj.id,
			         pocd_err_name(one));
			if (err == POCD_OK)
				err = one;
		}
	}
	return err;
}

/* A ping answered wrongly or not at all: a correction task for its state's administrators. */
static enum pocd_err
open_task(struct store_conn *w, struct ping *p, const char *kind, int64_t now)
{
	struct task t;
	enum pocd_err err;

	memset(&t, 0, sizeof(t));
	rand_id(t.id);
	memcpy(t.state, p->state, STATE_SIZE);
	memcpy(t.poc_id, p->poc_id, ID_SIZE);
	strlcpy(t.kind, kind, sizeof(t.kind));
	memcpy(t.ping_id, p->id, ID_SIZE);
	t.created_at = now;
	p->task_opened = true;
	err = store_task_insert(w, &t);
	return err != POCD_OK ? err : notify_task(w, &t, now);
}

static enum pocd_err
answer_run(struct store_conn *w, struct store_job *j)
{
	struct answer_op *op = container_of(j, struct answer_op, job);
	struct ping *p = &op->ping;
	struct ping_campaign pc;
	uint8_t hash[TOKEN_HASH_LEN];
	char details[96];
	struct event ev = {.type = "ping.answered", .details = details};
	bool linked = false;
	enum pocd_err err;

	leaf_ref_clear(&op->mine);
	if (op->by_link) {
		token_hash(op->token, hash);
		err = store_ping_by_token(w, hash, p);
		/* Unknown, used and expired links are one answer, so none can be told apart. */
		if (err == POCD_ENOTFOUND ||
		    (err == POCD_OK && (p->answered_at != 0 || op->now >= p->grace_end)))
			return POCD_EGONE;
	} else {
		err = store_ping_get(w, op->ping_id, p);
		if (err == POCD_OK && strcmp(p->state, op->actor.state) != 0)
			return POCD_ENOTFOUND;
		if (err == POCD_OK && op->actor.role != ROLE_STATE_ADMIN)
			err = store_poc_has_account(w, p->poc_id, op->actor.account_id, &linked);
		if (err == POCD_OK && op->actor.role != ROLE_STATE_ADMIN && !linked)
			return POCD_EFORBIDDEN;
		if (err == POCD_OK && p->answered_at != 0)
			return POCD_ECONFLICT;
		if (err == POCD_OK && op->now >= p->grace_end)
			return POCD_EGONE;
	}
	if (err != POCD_OK)
		return err;
	err = store_campaign_get(w, p->campaign, &pc);
	if (err != POCD_OK)
		return err;
	p->answered_at = op->now;
	p->channel = op->by_link ? PING_LINK : PING_APP;
	strlcpy(p->answered_by, op->by_link ? "" : op->actor.account_id, sizeof(p->answered_by));
	p->correct = p->challenge[0] == '\0' || challenge_matches(p->challenge, op->challenge);
	p->late = op->now > p->due;
	p->next_due = 0;
	if (!p->correct && !p->task_opened)
		err = open_task(w, p, "ping_wrong", op->now);
	if (err == POCD_OK)
		err = store_ping_update(w, p);
	if (err != POCD_OK)
		return err;
	snprintf(details, sizeof(details), "{\"correct\":%s,\"late\":%s,\"channel\":\"%s\"}",
	         p->correct ? "true" : "false", p->late ? "true" : "false",
	         op->by_link ? "link" : "app");
	ev.actor_account = op->by_link ? NULL : op->actor.account_id;
	ev.actor_role = op->by_link ? "link" : actor_role_name(&op->actor);
	ev.actor_state = p->state;
	ev.states = p->state;
	ev.object_id = p->id;
	/* The holder of a link is no account of the state: the receipt is the state's to fetch. */
	return record_event(w, op->core, &ev, op->now, op->by_link ? NULL : &op->mine);
}

static void
answer_committed(struct store_job *j, enum pocd_err st)
{
	struct answer_op *op = container_of(j, struct answer_op, job);

	sodium_memzero(op->token, sizeof(op->token));
	op->status = st;
	op->done(op->arg);
}

enum pocd_err
pings_answer(struct core *c, struct answer_op *op)
{
	op->core = c;
	op->job.run = answer_run;
	op->job.done = answer_committed;
	return store_submit(c->store, &op->job);
}

#define DUE_BATCH 256

struct due_job {
	struct store_job job;
	int64_t now;
	size_t n;
	char ids[DUE_BATCH][ID_SIZE];
};

static int
collect(const char *id, void *arg)
{
	struct due_job *dj = arg;

	strlcpy(dj->ids[dj->n], id, ID_SIZE);
	return ++dj->n == DUE_BATCH;
}

/* One ping whose time has come: a reminder, or the end of its grace period unanswered. */
static enum pocd_err
process_one(struct store_conn *w, struct ping *p, int64_t now)
{
	struct ping_campaign pc;
	char payload[160], due[RFC3339_SIZE];
	struct event ev = {
	    .type = "ping.unanswered", .states = p->state, .object_id = p->id, .details = "{}"};
	enum pocd_err err = store_campaign_get(w, p->campaign, &pc);

	while (err == POCD_OK && p->answered_at == 0 && !p->task_opened && p->next_due != 0 &&
	       p->next_due <= now) {
		if ((size_t)p->reminders_sent < pc.nreminders) {
			fmt_rfc3339(p->due, due);
			snprintf(payload, sizeof(payload),
			         "{\"ping\":\"%s\",\"campaign\":\"%s\",\"due\":\"%s\"}", p->id,
			         p->campaign, due);
			p->reminders_sent++;
			/* Reminders that have come and gone together go out once, and none
			 * once the window has closed (the scheduler catching up). */
			if (now < p->due && p->due - pc.reminders[p->reminders_sent - 1] <= now &&
			    ((size_t)p->reminders_sent == pc.nreminders ||
			     p->due - pc.reminders[p->reminders_sent] > now))
				err = store_outbox_add(w, "ping_reminder", p->id, p->poc_id,
				                       p->state, p->lang, payload, now);
		} else {
			err = open_task(w, p, "ping_unanswered", now);
			if (err == POCD_OK)
				err = store_event_append(w, &ev, now);
		}
		p->next_due = ping_next_due(p, &pc);
	}
	return err != POCD_OK ? err : store_ping_update(w, p);
}

static enum pocd_err
due_run(struct store_conn *w, struct store_job *j)
{
	struct due_job *dj = container_of(j, struct due_job, job);
	struct ping p;
	enum pocd_err err;

	dj->n = 0;
	err = store_ping_due(w, dj->now, collect, dj);
	for (size_t i = 0; err == POCD_OK && i < dj->n; i++) {
		err = store_ping_get(w, dj->ids[i], &p);
		if (err == POCD_OK)
			err = process_one(w, &p, dj->now);
	}
	return err;
}

enum pocd_err
pings_process_due(struct core *c, int64_t now)
{
	struct due_job *dj = calloc(1, sizeof(*dj));
	enum pocd_err err, resumed;

	if (dj == NULL)
		return POCD_ENOMEM;
	dj->job.run = due_run;
	dj->now = now;
	resumed = resume_campaigns(c, now);
	do
		err = store_run_sync(c->store, &dj->job);
	while (err == POCD_OK && dj->n == DUE_BATCH);
	free(dj);
	return err != POCD_OK ? err : resumed;
}
