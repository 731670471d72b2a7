#include "core/broadcast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/notify.h"
#include "core/validate.h"

#define MAIL_BROADCAST "broadcast"

char *
broadcast_decode(const json_t *in, struct verrs *errs)
{
	json_t *texts = json_object_get(in, "texts"), *out, *t;
	const char *lang, *key;
	char field[VERR_FIELD];
	char *text = NULL;
	json_t *v;

	json_object_foreach((json_t *)in, key, v) if (strcmp(key, "texts") != 0)
	    verr_add(errs, key, "is not a member of a broadcast");
	if (!json_is_object(texts)) {
		verr_add(errs, "texts", "is required: an object of texts by UN language");
		return NULL;
	}
	if (json_object_get(texts, "en") == NULL)
		verr_add(errs, "texts.en", "is required: every broadcast has an English text");
	out = json_object();
	json_object_foreach(texts, lang, t)
	{
		const char *subject = json_string_value(json_object_get(t, "subject"));
		const char *body = json_string_value(json_object_get(t, "body"));
		snprintf(field, sizeof(field), "texts.%.16s", lang);
		if (un_lang_index(lang) < 0) {
			verr_add(errs, field,
			         "is not one of the UN languages ar, zh, en, fr, ru, es");
			continue;
		}
		if (!json_is_object(t) || json_object_size(t) != 2) {
			verr_add(errs, field, "must be an object of subject and body");
			continue;
		}
		snprintf(field, sizeof(field), "texts.%s.subject", lang);
		if (subject == NULL || !valid_text(subject, BROADCAST_SUBJECT_MAX))
			verr_add(errs, field, "must be one line of 1 to %d characters",
			         BROADCAST_SUBJECT_MAX);
		snprintf(field, sizeof(field), "texts.%s.body", lang);
		if (body == NULL || !valid_multiline(body, BROADCAST_BODY_MAX))
			verr_add(errs, field, "must be 1 to %d characters of text",
			         BROADCAST_BODY_MAX);
		if (out != NULL && subject != NULL && body != NULL)
			json_object_set_new(
			    out, lang, json_pack("{s:s,s:s}", "subject", subject, "body", body));
	}
	if (errs->n == 0 && out != NULL)
		text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(out);
	if (text == NULL && errs->n == 0)
		verr_add(errs, "texts", "cannot be read: out of memory");
	return text;
}

json_t *
broadcast_text(const char *texts, const char *lang, const char **subject, const char **body)
{
	json_t *o = json_loads(texts, 0, NULL), *t;

	t = json_object_get(o, lang);
	if (t == NULL)
		t = json_object_get(o, "en");
	*subject = json_string_value(json_object_get(t, "subject"));
	*body = json_string_value(json_object_get(t, "body"));
	if (*subject == NULL || *body == NULL) {
		json_decref(o);
		return NULL;
	}
	return o;
}

struct send_ctx {
	struct store_conn *w;
	struct broadcast_op *op;
	char participating[STATES_SCOPE_SIZE];
	enum pocd_err err;
};

static int
note_state(const struct state_rec *st, void *arg)
{
	struct send_ctx *sc = arg;
	size_t n = strlen(sc->participating);

	if (st->participating && n + STATE_SIZE + 1 < sizeof(sc->participating))
		snprintf(sc->participating + n, sizeof(sc->participating) - n, "%s,", st->code);
	return 0;
}

/* One mail per PoC of a participating state, in its language. */
static int
mail_poc(const struct poc *p, void *arg)
{
	struct send_ctx *sc = arg;
	char item[STATE_SIZE + 1], lang[3], payload[64];

	snprintf(item, sizeof(item), "%s,", p->state);
	if (strstr(sc->participating, item) == NULL)
		return 0;
	notify_poc_lang(p, lang);
	snprintf(payload, sizeof(payload), "{\"broadcast\":\"%s\"}", sc->op->id);
	sc->err = store_outbox_add(sc->w, MAIL_BROADCAST, sc->op->id, p->id, p->state, lang,
	                           payload, sc->op->now);
	sc->op->mails += sc->err == POCD_OK;
	return sc->err != POCD_OK;
}

static enum pocd_err
broadcast_run(struct store_conn *w, struct store_job *j)
{
	struct broadcast_op *op = container_of(j, struct broadcast_op, job);
	struct send_ctx *sc = calloc(1, sizeof(*sc));
	struct poc_filter f = {.kind = -1, .limit = 1000000};
	struct event ev = {.type = "broadcast.sent",
	                   .actor_account = op->actor.account_id,
	                   .states = "",
	                   .details = "{}"};
	enum pocd_err err;

	if (sc == NULL)
		return POCD_ENOMEM;
	sc->w = w;
	sc->op = op;
	op->mails = 0;
	rand_id(op->id);
	err = store_broadcast_insert(w, op->id, op->actor.account_id, op->now, op->texts);
	if (err == POCD_OK)
		err = store_states_list(w, note_state, sc);
	if (err == POCD_OK)
		err = store_pocs_list(w, &f, mail_poc, sc);
	if (err == POCD_OK)
		err = sc->err;
	ev.object_id = op->id;
	if (err == POCD_OK)
		err = store_event_append(w, &ev, op->now);
	free(sc);
	return err;
}

static void
broadcast_done(struct store_job *j, enum pocd_err st)
{
	struct broadcast_op *op = container_of(j, struct broadcast_op, job);

	op->status = st;
	op->done(op->arg);
}

enum pocd_err
broadcast_send(struct core *c, struct broadcast_op *op)
{
	op->core = c;
	op->job.run = broadcast_run;
	op->job.done = broadcast_done;
	return store_submit(c->store, &op->job);
}
