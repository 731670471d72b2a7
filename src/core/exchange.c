#include "core/exchange.h"

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attachment.h"
#include "core/notify.h"
#include "core/record.h"
#include "core/scheduler.h"
#include "core/template.h"
#include "core/webhooks.h"
#include "lib/timeutil.h"

int
urgency_index(const char *urgency)
{
	int i = template_code(template_set("urgency"), urgency);

	return i < 0 ? 0 : i;
}

int64_t
recipient_next_due(const struct comm_recipient *r, int64_t ack_window)
{
	int64_t next = 0;

	if (r->status == COMM_CLOSED)
		return 0;
	if (r->status == COMM_SENT) {
		if (!r->ack_late)
			next = r->ack_due;
		else if (r->escalation < 2)
			next = r->ack_due + (int64_t)r->escalation * ack_window;
	}
	if ((r->status == COMM_SENT || r->status == COMM_ACKNOWLEDGED) && !r->answer_late &&
	    (next == 0 || r->answer_due < next))
		next = r->answer_due;
	return next;
}

static void
step(struct comm_step *st, const char *state, const char *what, const struct principal *actor,
     int64_t at, const char *detail)
{
	memset(st, 0, sizeof(*st));
	strlcpy(st->state, state, sizeof(st->state));
	strlcpy(st->what, what, sizeof(st->what));
	if (actor != NULL) {
		strlcpy(st->actor_account, actor->account_id, sizeof(st->actor_account));
		strlcpy(st->actor_state, actor->state, sizeof(st->actor_state));
	}
	st->at = at;
	strlcpy(st->detail, detail, sizeof(st->detail));
}

/* The steps of one move and its event. A move is one recipient's (state), or the sending to
 * every recipient (state NULL): the event's parties are the sender and those recipients, and
 * mine receives the actor's leaf. */
static enum pocd_err
record(struct store_conn *w, struct core *c, const struct comm *cm, const char *state,
       const char *what, const struct principal *actor, int64_t at, const char *detail,
       struct leaf_ref *mine)
{
	struct comm_step st;
	char type[48], states[STATE_SIZE * (COMM_MAX_RECIPIENTS + 1)], details[128], id[ID_SIZE];
	/* An actor without an account acted through a one-time link of its state. */
	bool by_link = actor != NULL && actor->account_id[0] == '\0';
	struct event ev = {.type = type,
	                   .id = id,
	                   .actor_account = actor != NULL && !by_link ? actor->account_id : NULL,
	                   .actor_state = actor != NULL ? actor->state : NULL,
	                   .states = states,
	                   .object_id = cm->id,
	                   .details = details,
	                   .actor_role = by_link         ? "link"
	                                 : actor != NULL ? actor_role_name(actor)
	                                                 : NULL,
	                   /* What the sender wrote is what a receipt of its sending proves. */
	                   .content = strcmp(what, "sent") == 0 ? cm->content : NULL};
	enum pocd_err err = POCD_OK;
	size_t len;

	rand_id(id);
	strlcpy(states, cm->sender_state, sizeof(states));
	for (size_t i = 0; err == POCD_OK && i < cm->nrecipients; i++) {
		if (state != NULL && strcmp(cm->r[i].state, state) != 0)
			continue;
		step(&st, cm->r[i].state, what, actor, at, detail);
		strlcpy(st.event_id, id, sizeof(st.event_id));
		err = store_comm_step_add(w, cm->id, &st);
		len = strlen(states);
		snprintf(states + len, sizeof(states) - len, ",%s", cm->r[i].state);
	}
	if (err != POCD_OK)
		return err;
	snprintf(type, sizeof(type), "communication.%s", what);
	if (state != NULL)
		snprintf(details, sizeof(details), "{\"recipient\":\"%s\",\"detail\":\"%s\"}",
		         state, detail);
	else
		snprintf(details, sizeof(details), "{\"recipients\":%zu}", cm->nrecipients);
	return record_event(w, c, &ev, at, mine);
}

/* Each recipient must be another participating state with PoCs of the kinds addressed. */
static enum pocd_err
check_recipients(struct store_conn *w, struct send_op *op)
{
	struct state_rec st;
	unsigned ranks;
	char field[VERR_FIELD];
	enum pocd_err err;

	for (size_t i = 0; i < op->cm.nrecipients; i++) {
		struct comm_recipient *r = &op->cm.r[i];
		snprintf(field, sizeof(field), "to[%zu].state", i);
		if (strcmp(r->state, op->cm.sender_state) == 0) {
			verr_add(&op->errs, field, "is your own state");
			continue;
		}
		err = store_state_get(w, r->state, &st);
		if (err == POCD_ENOTFOUND || (err == POCD_OK && !st.participating)) {
			verr_add(&op->errs, field, "is not a participating state");
			continue;
		}
		if (err != POCD_OK)
			return err;
		err = store_state_poc_ranks(w, r->state, &ranks);
		if (err != POCD_OK)
			return err;
		snprintf(field, sizeof(field), "to[%zu].kinds", i);
		for (int k = 0; k < 2; k++)
			if ((r->kinds & KIND_BIT(k)) && !(ranks & (3u << (k * 2))))
				verr_add(&op->errs, field, "%s has no %s PoC", r->state,
				         poc_kind_name((enum poc_kind)k));
	}
	return op->errs.n == 0 ? POCD_OK : POCD_EINVAL;
}

/* The answer deadline: the sender's reply_by if it gave one, else the urgency's default. */
static int64_t
answer_due(const struct comm *cm, int64_t default_due)
{
	json_t *c = json_loads(cm->content, 0, NULL);
	const char *rb = json_string_value(json_object_get(c, "reply_by"));
	int64_t t = default_due;

	if (rb != NULL && !parse_rfc3339(rb, &t))
		t = default_due;
	json_decref(c);
	return t;
}

static enum pocd_err
send_run(struct store_conn *w, struct store_job *j)
{
	struct send_op *op = container_of(j, struct send_op, job);
	const struct core_config *cfg = &op->core->cfg;
	int u = urgency_index(op->cm.urgency);
	enum pocd_err err;

	op->errs.n = 0;
	leaf_ref_clear(&op->mine);
	memcpy(op->cm.sender_state, op->actor.state, STATE_SIZE);
	memcpy(op->cm.sender_account, op->actor.account_id, ID_SIZE);
	err = check_recipients(w, op);
	if (err != POCD_OK)
		return err;
	rand_id(op->cm.id);
	op->cm.created_at = op->now;
	err = attachments_bind(w, op->attach, op->nattach, op->actor.state, op->cm.id, "", false,
	                       &op->cm.content, &op->errs);
	if (err != POCD_OK)
		return err;
	for (size_t i = 0; i < op->cm.nrecipients; i++) {
		struct comm_recipient *r = &op->cm.r[i];
		r->status = COMM_SENT;
		r->answer_due = answer_due(&op->cm, op->now + cfg->answer_after[u]);
		/* An early reply_by brings the acknowledgement forward too. */
		r->ack_due = op->now + cfg->ack_after[u];
		if (r->ack_due > r->answer_due)
			r->ack_due = r->answer_due;
		r->next_due = recipient_next_due(r, cfg->ack_after[u]);
	}
	err = store_comm_insert(w, &op->cm);
	if (err == POCD_OK)
		err =
		    record(w, op->core, &op->cm, NULL, "sent", &op->actor, op->now, "", &op->mine);
	for (size_t i = 0; err == POCD_OK && i < op->cm.nrecipients; i++)
		err = notify_comm_sent(w, &op->cm, &op->cm.r[i], op->now);
	return err;
}

static void
send_committed(struct store_job *j, enum pocd_err st)
{
	struct send_op *op = container_of(j, struct send_op, job);

	if (st == POCD_OK && op->core->scheduler != NULL)
		scheduler_kick(op->core->scheduler);
	op->status = st;
	op->done(op->arg);
}

enum pocd_err
exchange_send(struct core *c, struct send_op *op)
{
	op->core = c;
	op->job.run = send_run;
	op->job.done = send_committed;
	return store_submit(c->store, &op->job);
}

static struct comm_recipient *
recipient_of(struct comm *cm, const char *state)
{
	for (size_t i = 0; i < cm->nrecipients; i++)
		if (strcmp(cm->r[i].state, state) == 0)
			return &cm->r[i];
	return NULL;
}

/* Moves r to status at now, with its step; acknowledging first if it was only sent. */
static enum pocd_err
advance(struct store_conn *w, struct core *c, struct comm *cm, struct comm_recipient *r,
        enum comm_status to, const struct principal *actor, int64_t now, int64_t ack_window,
        struct leaf_ref *ref)
{
	enum pocd_err err = POCD_OK;

	if (r->status == COMM_SENT && to >= COMM_ACKNOWLEDGED && to != COMM_CLOSED) {
		r->status = COMM_ACKNOWLEDGED;
		r->acknowledged_at = now;
		err = record(w, c, cm, r->state, "acknowledged", actor, now, "", ref);
		if (err == POCD_OK)
			err = store_ack_links_drop(w, cm->id, r->state);
		/* Answered at once: the sender hears of the answer alone. */
		if (err == POCD_OK && to == COMM_ACKNOWLEDGED)
			err = notify_comm_progress(w, cm, r, MAIL_COMM_ACKED, now);
	}
	if (err == POCD_OK && to == COMM_ANSWERED && r->status == COMM_ACKNOWLEDGED) {
		r->status = COMM_ANSWERED;
		r->answered_at = now;
		err = record(w, c, cm, r->state, "answered", actor, now, "", ref);
		if (err == POCD_OK)
			err = notify_comm_progress(w, cm, r, MAIL_COMM_ANSWERED, now);
	}
	if (err == POCD_OK && to == COMM_CLOSED) {
		r->status = COMM_CLOSED;
		r->closed_at = now;
		err = record(w, c, cm, r->state, "closed", actor, now, "", ref);
		if (err == POCD_OK)
			err = store_ack_links_drop(w, cm->id, r->state);
	}
	r->next_due = recipient_next_due(r, ack_window);
	return err != POCD_OK ? err : store_comm_recipient_update(w, cm->id, r);
}

static enum pocd_err
add_reply(struct store_conn *w, struct act_op *op, struct comm *cm, const char *thread)
{
	struct comm_reply rp;
	enum pocd_err err;

	memset(&rp, 0, sizeof(rp));
	rand_id(rp.id);
	strlcpy(rp.thread, thread, sizeof(rp.thread));
	memcpy(rp.author_account, op->actor.account_id, ID_SIZE);
	memcpy(rp.author_state, op->actor.state, STATE_SIZE);
	rp.body = op->reply_body;
	rp.at = op->now;
	err = store_comm_reply_add(w, cm->id, &rp);
	/* The other party of the thread hears of it: the recipient, or the sender. */
	return err != POCD_OK
	           ? err
	           : webhook_comm(w, WEBHOOK_EV_COMM_REPLY,
	                          strcmp(op->actor.state, thread) == 0 ? cm->sender_state : thread,
	                          cm, op->now);
}

/* A reply with attachments is an event of its own, whose parties are the sender and the
 * thread's recipient (thread "": every recipient still open), committing to the reply's body
 * with the attachments' hashes. */
static enum pocd_err
record_reply(struct store_conn *w, struct act_op *op, const struct comm *cm, const char *thread)
{
	char states[STATE_SIZE * (COMM_MAX_RECIPIENTS + 1)], id[ID_SIZE];
	struct event ev = {.type = "communication.replied",
	                   .id = id,
	                   .actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .states = states,
	                   .object_id = cm->id,
	                   .details = "{}",
	                   .actor_role = actor_role_name(&op->actor),
	                   .content = op->reply_body};
	size_t len;

	rand_id(id);
	strlcpy(states, cm->sender_state, sizeof(states));
	for (size_t i = 0; i < cm->nrecipients; i++) {
		if ((thread[0] != '\0' && strcmp(cm->r[i].state, thread) != 0) ||
		    (thread[0] == '\0' && cm->r[i].status == COMM_CLOSED))
			continue;
		len = strlen(states);
		snprintf(states + len, sizeof(states) - len, ",%s", cm->r[i].state);
	}
	return record_event(w, op->core, &ev, op->now, &op->mine);
}

static enum pocd_err
act(struct store_conn *w, struct act_op *op, struct comm *cm)
{
	int64_t window = op->core->cfg.ack_after[urgency_index(cm->urgency)];
	bool sender = strcmp(cm->sender_state, op->actor.state) == 0;
	struct comm_recipient *mine = recipient_of(cm, op->actor.state);
	enum pocd_err err = POCD_OK;
	size_t open = 0;

	if (!sender && mine == NULL)
		return POCD_ENOTFOUND;
	switch (op->action) {
	case EX_ACKNOWLEDGE:
		if (mine == NULL)
			return POCD_EFORBIDDEN;
		if (mine->status == COMM_CLOSED)
			return POCD_ECONFLICT;
		if (mine->status != COMM_SENT)
			return POCD_OK; /* acknowledging twice changes nothing */
		return advance(w, op->core, cm, mine, COMM_ACKNOWLEDGED, &op->actor, op->now,
		               window, &op->mine);
	case EX_REPLY:
		if (!sender) {
			if (op->thread[0] != '\0' && strcmp(op->thread, op->actor.state) != 0)
				return POCD_EINVAL;
			if (mine->status == COMM_CLOSED)
				return POCD_ECONFLICT;
			err = attachments_bind(w, op->attach, op->nattach, op->actor.state, cm->id,
			                       mine->state, true, &op->reply_body, &op->errs);
			if (err == POCD_OK)
				err = add_reply(w, op, cm, mine->state);
			if (err == POCD_OK)
				err = advance(w, op->core, cm, mine, COMM_ANSWERED, &op->actor,
				              op->now, window, &op->mine);
			if (err == POCD_OK && op->nattach > 0)
				err = record_reply(w, op, cm, mine->state);
			return err;
		}
		if (op->thread[0] != '\0' && recipient_of(cm, op->thread) == NULL)
			return POCD_EINVAL;
		err = attachments_bind(w, op->attach, op->nattach, op->actor.state, cm->id,
		                       op->thread, true, &op->reply_body, &op->errs);
		for (size_t i = 0; err == POCD_OK && i < cm->nrecipients; i++) {
			if (op->thread[0] != '\0' && strcmp(op->thread, cm->r[i].state) != 0)
				continue;
			if (cm->r[i].status == COMM_CLOSED)
				continue;
			open++;
			err = add_reply(w, op, cm, cm->r[i].state);
		}
		if (err == POCD_OK && open > 0 && op->nattach > 0)
			err = record_reply(w, op, cm, op->thread);
		return err == POCD_OK && open == 0 ? POCD_ECONFLICT : err;
	case EX_ACKNOWLEDGE_LINK:
		break;
	case EX_CLOSE:
		if (!sender)
			return POCD_EFORBIDDEN;
		for (size_t i = 0; err == POCD_OK && i < cm->nrecipients; i++)
			if (cm->r[i].status != COMM_CLOSED)
				err = advance(w, op->core, cm, &cm->r[i], COMM_CLOSED, &op->actor,
				              op->now, window, &op->mine);
		return err;
	}
	return POCD_EINVAL;
}

/* An acknowledgement through a mailed one-time link: the link names the communication and
 * the recipient state, and acts for that state without an account. Unknown, spent and
 * expired links are one answer, so none can be told apart. */
static enum pocd_err
link_ack(struct store_conn *w, struct act_op *op, struct comm *cm)
{
	struct principal by_link;
	struct comm_recipient *r = recipient_of(cm, op->link_state);

	if (r == NULL || r->status != COMM_SENT)
		return POCD_EGONE;
	memset(&by_link, 0, sizeof(by_link));
	memcpy(by_link.state, r->state, STATE_SIZE);
	return advance(w, op->core, cm, r, COMM_ACKNOWLEDGED, &by_link, op->now,
	               op->core->cfg.ack_after[urgency_index(cm->urgency)], NULL);
}

static enum pocd_err
act_run(struct store_conn *w, struct store_job *j)
{
	struct act_op *op = container_of(j, struct act_op, job);
	uint8_t hash[TOKEN_HASH_LEN];
	struct comm cm = {.content = NULL};
	enum pocd_err err = POCD_OK;

	leaf_ref_clear(&op->mine);
	op->errs.n = 0;
	if (op->action == EX_ACKNOWLEDGE_LINK) {
		token_hash(op->token, hash);
		err = store_ack_link_get(w, hash, op->now, op->comm_id, op->link_state);
		if (err == POCD_ENOTFOUND)
			return POCD_EGONE;
	}
	if (err == POCD_OK)
		err = store_comm_get(w, op->comm_id, &cm);
	if (err == POCD_OK)
		err = op->action == EX_ACKNOWLEDGE_LINK ? link_ack(w, op, &cm) : act(w, op, &cm);
	free(cm.content);
	return err;
}

static void
act_committed(struct store_job *j, enum pocd_err st)
{
	struct act_op *op = container_of(j, struct act_op, job);

	sodium_memzero(op->token, sizeof(op->token));
	op->status = st;
	op->done(op->arg);
}

enum pocd_err
exchange_act(struct core *c, struct act_op *op)
{
	op->core = c;
	op->job.run = act_run;
	op->job.done = act_committed;
	return store_submit(c->store, &op->job);
}

/* One recipient whose time has come: lateness first, then the next escalation step. */
static enum pocd_err
process_one(struct store_conn *w, struct core *c, struct comm *cm, struct comm_recipient *r,
            int64_t now)
{
	int64_t window = c->cfg.ack_after[urgency_index(cm->urgency)];
	unsigned ranks = 0;
	enum pocd_err err = POCD_OK;

	if (r->status == COMM_SENT && !r->ack_late && now >= r->ack_due) {
		r->ack_late = true;
		err = record(w, c, cm, r->state, "overdue", NULL, now, "acknowledgement", NULL);
		if (err == POCD_OK)
			err = store_state_poc_ranks(w, r->state, &ranks);
		/* To the alternate technical PoC when technical PoCs were addressed and there is
		 * one; otherwise straight to the diplomatic PoCs. */
		r->escalation = (r->kinds & KIND_BIT(POC_TECHNICAL)) &&
		                        (ranks & (1u << (POC_TECHNICAL * 2 + POC_ALTERNATE)))
		                    ? 1
		                    : 2;
		if (err == POCD_OK)
			err =
			    record(w, c, cm, r->state, "escalated", NULL, now,
			           r->escalation == 1 ? "alternate_technical" : "diplomatic", NULL);
		if (err == POCD_OK)
			err = notify_comm_escalated(w, cm, r, now);
	} else if (r->status == COMM_SENT && r->ack_late && r->escalation == 1 &&
	           now >= r->ack_due + window) {
		r->escalation = 2;
		err = record(w, c, cm, r->state, "escalated", NULL, now, "diplomatic", NULL);
		if (err == POCD_OK)
			err = notify_comm_escalated(w, cm, r, now);
	}
	if (err == POCD_OK && (r->status == COMM_SENT || r->status == COMM_ACKNOWLEDGED) &&
	    !r->answer_late && now >= r->answer_due) {
		r->answer_late = true;
		err = record(w, c, cm, r->state, "overdue", NULL, now, "answer", NULL);
		if (err == POCD_OK)
			err = notify_comm_overdue(w, cm, r, now);
	}
	r->next_due = recipient_next_due(r, window);
	return err != POCD_OK ? err : store_comm_recipient_update(w, cm->id, r);
}

#define DUE_BATCH 256

struct due_job {
	struct store_job job;
	struct core *c;
	int64_t now;
	size_t n;
	char ids[DUE_BATCH][ID_SIZE];
	char states[DUE_BATCH][STATE_SIZE];
};

static int
collect_due(const char *comm_id, const char *state, void *arg)
{
	struct due_job *dj = arg;

	strlcpy(dj->ids[dj->n], comm_id, ID_SIZE);
	strlcpy(dj->states[dj->n], state, STATE_SIZE);
	return ++dj->n == DUE_BATCH;
}

static enum pocd_err
due_run(struct store_conn *w, struct store_job *j)
{
	struct due_job *dj = container_of(j, struct due_job, job);
	struct comm cm;
	struct comm_recipient *r;
	enum pocd_err err;

	dj->n = 0;
	err = store_comm_due(w, dj->now, collect_due, dj);
	for (size_t i = 0; err == POCD_OK && i < dj->n; i++) {
		err = store_comm_get(w, dj->ids[i], &cm);
		r = err == POCD_OK ? recipient_of(&cm, dj->states[i]) : NULL;
		if (r != NULL)
			err = process_one(w, dj->c, &cm, r, dj->now);
		free(cm.content);
	}
	return err;
}

enum pocd_err
exchange_process_due(struct core *c, int64_t now)
{
	struct due_job *dj = calloc(1, sizeof(*dj));
	enum pocd_err err;

	if (dj == NULL)
		return POCD_ENOMEM;
	dj->job.run = due_run;
	dj->c = c;
	dj->now = now;
	do
		err = store_run_sync(c->store, &dj->job);
	while (err == POCD_OK && dj->n == DUE_BATCH);
	free(dj);
	return err;
}
