#include "core/notify.h"

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "core/webhooks.h"
#include "lib/timeutil.h"

void
notify_poc_lang(const struct poc *poc, char out[3])
{
	for (size_t i = 0; i < poc->nlangs; i++)
		if (un_lang_index(poc->languages[i]) >= 0) {
			memcpy(out, poc->languages[i], 3);
			return;
		}
	memcpy(out, "en", 3);
}

void
notify_lang(const char *languages, char out[3])
{
	const char *p = languages != NULL ? languages : "";
	char l[3];

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		if (n == 2) {
			memcpy(l, p, 2);
			l[2] = '\0';
			if (un_lang_index(l) >= 0) {
				memcpy(out, l, 3);
				return;
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	memcpy(out, "en", 3);
}

/* What every row of one notification shares, and what the PoC walk found. */
struct batch {
	struct store_conn *w;
	const char *kind;
	const char *ref_id;
	const char *state;
	json_t *fields;          /* the payload's members common to every recipient */
	const struct comm *cm;   /* for acknowledgement links, else NULL */
	int64_t link_expires_at; /* with cm */
	int64_t now;
	size_t n;
	enum pocd_err err;
};

/* One PoC's row; with a communication, a fresh link of its own whose token only the payload
 * holds in clear. */
static int
add_row(const char *poc_id, const char *languages, void *arg)
{
	struct batch *b = arg;
	char token[TOKEN_SIZE], lang[3], *payload = NULL;
	uint8_t hash[TOKEN_HASH_LEN];
	json_t *o = json_copy(b->fields);

	notify_lang(languages, lang);
	b->err = o != NULL ? POCD_OK : POCD_ENOMEM;
	if (b->err == POCD_OK && b->cm != NULL) {
		rand_token(token);
		token_hash(token, hash);
		b->err = store_ack_link_insert(b->w, hash, b->cm->id, b->state, poc_id, b->now,
		                               b->link_expires_at);
		/* The token rides in the fragment, which browsers never send on. */
		if (b->err == POCD_OK &&
		    json_object_set_new(o, "link", json_sprintf("/ack#%s", token)) != 0)
			b->err = POCD_ENOMEM;
		sodium_memzero(token, sizeof(token));
	}
	if (b->err == POCD_OK) {
		payload = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
		b->err = payload != NULL ? POCD_OK : POCD_ENOMEM;
	}
	if (b->err == POCD_OK)
		b->err = store_outbox_add(b->w, b->kind, b->ref_id, poc_id, b->state, lang, payload,
		                          b->now);
	if (payload != NULL) {
		sodium_memzero(payload, strlen(payload));
		free(payload);
	}
	/* jansson's copy of the link is a heap string of its own: wiped before it is freed. */
	if (o != NULL && b->cm != NULL) {
		json_t *link = json_object_get(o, "link");
		if (link != NULL)
			sodium_memzero((char *)json_string_value(link), json_string_length(link));
	}
	json_decref(o);
	if (b->err == POCD_OK)
		b->n++;
	return b->err != POCD_OK;
}

static void
batch_init(struct batch *b, struct store_conn *w, const char *kind, const char *ref_id,
           const char *state, int64_t now)
{
	memset(b, 0, sizeof(*b));
	b->w = w;
	b->kind = kind;
	b->ref_id = ref_id;
	b->state = state;
	b->now = now;
	b->fields = json_object();
}

static enum pocd_err
batch_end(struct batch *b, enum pocd_err err)
{
	json_decref(b->fields);
	return err != POCD_OK ? err : b->err;
}

static void
set_time(json_t *o, const char *key, int64_t t)
{
	char buf[RFC3339_SIZE];

	fmt_rfc3339(t, buf);
	json_object_set_new(o, key, json_string(buf));
}

/* The PoCs of one kind of r's state: the primary ones, or the alternates without one. */
static enum pocd_err
to_kind(struct batch *b, enum poc_kind kind, int rank)
{
	size_t before = b->n;
	enum pocd_err err = store_mail_pocs_of_kind(b->w, b->state, kind, rank, add_row, b);

	if (err == POCD_OK && b->err == POCD_OK && b->n == before && rank == POC_PRIMARY)
		err = store_mail_pocs_of_kind(b->w, b->state, kind, POC_ALTERNATE, add_row, b);
	return err != POCD_OK ? err : b->err;
}

static enum pocd_err
to_addressed(struct batch *b, const struct comm_recipient *r)
{
	enum pocd_err err = POCD_OK;

	for (int k = 0; err == POCD_OK && k < 2; k++)
		if (r->kinds & KIND_BIT(k))
			err = to_kind(b, (enum poc_kind)k, POC_PRIMARY);
	return err;
}

static void
comm_fields(struct batch *b, const struct comm *cm)
{
	json_object_set_new(b->fields, "comm", json_string(cm->id));
	json_object_set_new(b->fields, "urgency", json_string(cm->urgency));
}

enum pocd_err
notify_comm_sent(struct store_conn *w, const struct comm *cm, const struct comm_recipient *r,
                 int64_t now)
{
	struct batch b;
	enum pocd_err err;

	batch_init(&b, w, MAIL_COMM_NEW, cm->id, r->state, now);
	if (b.fields == NULL)
		return POCD_ENOMEM;
	comm_fields(&b, cm);
	set_time(b.fields, "ack_due", r->ack_due);
	b.cm = cm;
	b.link_expires_at = r->answer_due;
	err = batch_end(&b, to_addressed(&b, r));
	return err != POCD_OK ? err : webhook_comm(w, WEBHOOK_EV_COMM_NEW, r->state, cm, now);
}

enum pocd_err
notify_comm_escalated(struct store_conn *w, const struct comm *cm, const struct comm_recipient *r,
                      int64_t now)
{
	struct batch b;
	enum pocd_err err;

	batch_init(&b, w, MAIL_COMM_ESCALATED, cm->id, r->state, now);
	if (b.fields == NULL)
		return POCD_ENOMEM;
	comm_fields(&b, cm);
	set_time(b.fields, "ack_due", r->ack_due);
	json_object_set_new(b.fields, "escalation",
	                    json_string(r->escalation == 1 ? "alternate_technical" : "diplomatic"));
	b.cm = cm;
	b.link_expires_at = r->answer_due > now ? r->answer_due : now + 24 * 3600;
	err = r->escalation == 1
	          ? store_mail_pocs_of_kind(w, r->state, POC_TECHNICAL, POC_ALTERNATE, add_row, &b)
	          : store_mail_pocs_of_kind(w, r->state, POC_DIPLOMATIC, -1, add_row, &b);
	err = batch_end(&b, err);
	return err != POCD_OK ? err : webhook_comm(w, WEBHOOK_EV_COMM_ESCALATED, r->state, cm, now);
}

enum pocd_err
notify_comm_overdue(struct store_conn *w, const struct comm *cm, const struct comm_recipient *r,
                    int64_t now)
{
	struct batch b;
	enum pocd_err err;

	batch_init(&b, w, MAIL_COMM_OVERDUE, cm->id, r->state, now);
	if (b.fields == NULL)
		return POCD_ENOMEM;
	comm_fields(&b, cm);
	set_time(b.fields, "answer_due", r->answer_due);
	err = batch_end(&b, to_addressed(&b, r));
	return err != POCD_OK ? err : webhook_comm(w, WEBHOOK_EV_COMM_OVERDUE, r->state, cm, now);
}

enum pocd_err
notify_comm_progress(struct store_conn *w, const struct comm *cm, const struct comm_recipient *r,
                     const char *kind, int64_t now)
{
	struct batch b;
	enum pocd_err err;

	batch_init(&b, w, kind, cm->id, cm->sender_state, now);
	if (b.fields == NULL)
		return POCD_ENOMEM;
	comm_fields(&b, cm);
	set_time(b.fields, "at", now);
	err = store_mail_pocs_of_account(w, cm->sender_account, cm->sender_state, add_row, &b);
	if (err == POCD_OK && b.err == POCD_OK && b.n == 0)
		err = to_kind(&b, POC_TECHNICAL, POC_PRIMARY);
	return batch_end(&b, err);
}

enum pocd_err
notify_task(struct store_conn *w, const struct task *t, int64_t now)
{
	struct batch b;
	enum pocd_err err;

	batch_init(&b, w, MAIL_TASK, t->id, t->state, now);
	if (b.fields == NULL)
		return POCD_ENOMEM;
	json_object_set_new(b.fields, "task", json_string(t->id));
	json_object_set_new(b.fields, "kind", json_string(t->kind));
	json_object_set_new(b.fields, "poc", json_string(t->poc_id));
	err = store_mail_pocs_of_admins(w, t->state, add_row, &b);
	if (err == POCD_OK && b.err == POCD_OK && b.n == 0)
		err = to_kind(&b, POC_DIPLOMATIC, POC_PRIMARY);
	return batch_end(&b, err);
}

enum pocd_err
notify_poc_change(struct store_conn *w, const struct poc_change *ch, int64_t now)
{
	struct batch b;
	enum pocd_err err;

	batch_init(&b, w, MAIL_POC_CHANGE, ch->id, ch->state, now);
	if (b.fields == NULL)
		return POCD_ENOMEM;
	json_object_set_new(b.fields, "poc", json_string(ch->poc_id));
	json_object_set_new(b.fields, "changes",
	                    json_string(ch->email[0] == '\0' ? "change_key"
	                                : ch->key_change     ? "change_email_key"
	                                                     : "change_email"));
	if (ch->effective_at != 0)
		set_time(b.fields, "effective_at", ch->effective_at);
	err = store_mail_pocs_of_change(w, ch->poc_id, ch->state, ch->proposed_by, add_row, &b);
	return batch_end(&b, err);
}

static enum pocd_err
notify_review(struct store_conn *w, const char *poc_id, const char *state, const char *review_by,
              int64_t now)
{
	struct batch b;
	enum pocd_err err;

	batch_init(&b, w, MAIL_REVIEW, poc_id, state, now);
	if (b.fields == NULL)
		return POCD_ENOMEM;
	json_object_set_new(b.fields, "poc", json_string(poc_id));
	json_object_set_new(b.fields, "review_by", json_string(review_by));
	err = store_mail_pocs_of_admins(w, state, add_row, &b);
	if (err == POCD_OK && b.err == POCD_OK && b.n == 0)
		err = to_kind(&b, POC_DIPLOMATIC, POC_PRIMARY);
	if (err == POCD_OK && b.err == POCD_OK)
		err = store_review_warned(w, poc_id, review_by, now);
	return batch_end(&b, err);
}

#define DUE_BATCH 256

struct owed {
	char id[ID_SIZE];
	char poc_id[ID_SIZE];
	char state[STATE_SIZE];
	char review_by[DATE_SIZE]; /* a review warning; "" otherwise */
	int64_t key_expires;       /* a key expiry warning; 0 otherwise */
};

struct due_job {
	struct store_job job;
	int64_t now;
	size_t n;
	struct owed items[DUE_BATCH];
};

static int
collect_owed(const char *id, const char *poc_id, const char *state, void *arg)
{
	struct due_job *dj = arg;
	struct owed *o = &dj->items[dj->n];

	strlcpy(o->id, id, sizeof(o->id));
	strlcpy(o->poc_id, poc_id, sizeof(o->poc_id));
	strlcpy(o->state, state, sizeof(o->state));
	o->review_by[0] = '\0';
	o->key_expires = 0;
	return ++dj->n == DUE_BATCH;
}

static int
collect_review(const char *poc_id, const char *state, const char *review_by, void *arg)
{
	struct due_job *dj = arg;
	struct owed *o = &dj->items[dj->n];

	o->id[0] = '\0';
	strlcpy(o->poc_id, poc_id, sizeof(o->poc_id));
	strlcpy(o->state, state, sizeof(o->state));
	strlcpy(o->review_by, review_by, sizeof(o->review_by));
	o->key_expires = 0;
	return ++dj->n == DUE_BATCH;
}

static int
collect_key(const char *poc_id, const char *state, int64_t expires_at, void *arg)
{
	struct due_job *dj = arg;
	struct owed *o = &dj->items[dj->n];

	o->id[0] = '\0';
	strlcpy(o->poc_id, poc_id, sizeof(o->poc_id));
	strlcpy(o->state, state, sizeof(o->state));
	o->review_by[0] = '\0';
	o->key_expires = expires_at;
	return ++dj->n == DUE_BATCH;
}

/* The OpenPGP key of a PoC expires soon: its state's administrators are told once, so that a
 * renewed key is attached before mail to it goes out in clear. */
static enum pocd_err
notify_key_expiry(struct store_conn *w, const struct owed *o, int64_t now)
{
	char day[DATE_SIZE];
	struct batch b;
	enum pocd_err err;

	batch_init(&b, w, MAIL_KEY_EXPIRY, o->poc_id, o->state, now);
	if (b.fields == NULL)
		return POCD_ENOMEM;
	fmt_date(o->key_expires, day);
	json_object_set_new(b.fields, "poc", json_string(o->poc_id));
	json_object_set_new(b.fields, "expires", json_string(day));
	err = store_mail_pocs_of_admins(w, o->state, add_row, &b);
	if (err == POCD_OK && b.err == POCD_OK && b.n == 0)
		err = to_kind(&b, POC_DIPLOMATIC, POC_PRIMARY);
	if (err == POCD_OK && b.err == POCD_OK)
		err = store_key_warned(w, o->poc_id);
	return batch_end(&b, err);
}

/* A mail that can never reach the PoC's address: a correction task for its state, at most
 * one open at a time per PoC. */
static enum pocd_err
owed_task(struct store_conn *w, const struct owed *o, int64_t now)
{
	struct task t;
	bool inserted = false;
	enum pocd_err err;

	memset(&t, 0, sizeof(t));
	rand_id(t.id);
	memcpy(t.state, o->state, STATE_SIZE);
	memcpy(t.poc_id, o->poc_id, ID_SIZE);
	strlcpy(t.kind, "mail_failed", sizeof(t.kind));
	t.created_at = now;
	err = store_task_insert_once(w, &t, &inserted);
	if (err == POCD_OK && inserted)
		err = notify_task(w, &t, now);
	return err != POCD_OK ? err : store_outbox_task_done(w, o->id);
}

static enum pocd_err
due_run(struct store_conn *w, struct store_job *j)
{
	struct due_job *dj = container_of(j, struct due_job, job);
	char cutoff[DATE_SIZE];
	enum pocd_err err;

	dj->n = 0;
	fmt_date(dj->now + REVIEW_WARNING_SECONDS, cutoff);
	err = store_outbox_owed(w, collect_owed, dj);
	if (err == POCD_OK && dj->n < DUE_BATCH)
		err = store_review_due(w, cutoff, collect_review, dj);
	if (err == POCD_OK && dj->n < DUE_BATCH)
		err = store_keys_expiring(w, dj->now + KEY_WARNING_SECONDS, collect_key, dj);
	for (size_t i = 0; err == POCD_OK && i < dj->n; i++) {
		const struct owed *o = &dj->items[i];
		err = o->key_expires != 0 ? notify_key_expiry(w, o, dj->now)
		      : o->review_by[0] != '\0'
		          ? notify_review(w, o->poc_id, o->state, o->review_by, dj->now)
		          : owed_task(w, o, dj->now);
	}
	return err;
}

enum pocd_err
notify_process_due(struct core *c, int64_t now)
{
	struct due_job *dj = calloc(1, sizeof(*dj));
	enum pocd_err err;

	if (dj == NULL)
		return POCD_ENOMEM;
	dj->job.run = due_run;
	dj->now = now;
	do
		err = store_run_sync(c->store, &dj->job);
	while (err == POCD_OK && dj->n == DUE_BATCH);
	free(dj);
	return err;
}

static int
any_owed(const char *id, const char *poc_id, const char *state, void *arg)
{
	*(bool *)arg = true;
	return 1;
}

enum pocd_err
notify_next_due(struct store_conn *rd, int64_t now, int64_t *out)
{
	char first[DATE_SIZE], stamp[RFC3339_SIZE + 8];
	bool owed = false;
	int64_t day, key;
	enum pocd_err err;

	*out = 0;
	err = store_outbox_owed(rd, any_owed, &owed);
	if (err != POCD_OK || owed) {
		*out = now;
		return err;
	}
	err = store_keys_next_expiry(rd, &key);
	if (err == POCD_OK && key != 0)
		*out = key - KEY_WARNING_SECONDS;
	if (err == POCD_OK)
		err = store_review_next(rd, first);
	if (err != POCD_OK || first[0] == '\0')
		return err;
	snprintf(stamp, sizeof(stamp), "%sT00:00:00Z", first);
	if (parse_rfc3339(stamp, &day) && (*out == 0 || day - REVIEW_WARNING_SECONDS < *out))
		*out = day - REVIEW_WARNING_SECONDS;
	return POCD_OK;
}
