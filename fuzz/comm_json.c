/*
 * Fuzzes comm_decode and reply_decode (src/core/comm.h) on arbitrary JSON text. A refusal
 * names 1 to VERR_MAX fields and leaves no content. An accepted communication's content is
 * canonical JSON that pocd can read back (json_loads without flags, as the API and the
 * deadline code do), holds only template fields with valid values, and decodes again to the
 * same header, recipients and content when wrapped in that header. An accepted reply's body
 * decodes again to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/comm.h"
#include "core/template.h"
#include "core/validate.h"
#include "lib/timeutil.h"

#define INPUT_MAX 65536
#define NOW       INT64_C(1795662000) /* 2026-11-26T03:00:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_refusal(enum pocd_err err, const struct verrs *errs)
{
	if (err != POCD_EINVAL || errs->n == 0 || errs->n > VERR_MAX)
		abort();
	for (size_t i = 0; i < errs->n; i++)
		if (errs->v[i].reason[0] == '\0')
			abort();
}

/* A string member without embedded NUL bytes, or abort. */
static const char *
str(const json_t *v)
{
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		abort();
	return json_string_value(v);
}

static void
check_tagged(const json_t *o, size_t max, bool multiline)
{
	const char *t;

	if (!json_is_object(o) || json_object_size(o) != 2)
		abort();
	t = str(json_object_get(o, "text"));
	if (!(multiline ? valid_multiline(t, max) : valid_text(t, max)))
		abort();
	if (!valid_lang(str(json_object_get(o, "lang"))))
		abort();
}

static void
check_indicators(const json_t *a)
{
	size_t i;
	json_t *it;
	const char *why;

	if (!json_is_array(a) || json_array_size(a) > INDICATORS_MAX)
		abort();
	json_array_foreach(a, i, it)
	{
		if (json_object_size(it) != 2 ||
		    !indicator_valid(str(json_object_get(it, "type")),
		                     str(json_object_get(it, "value")), &why))
			abort();
	}
}

/* Every code of the list is one of set's, once. */
static void
check_codes(const json_t *a, const char *set)
{
	size_t i, k;
	json_t *it;

	if (!json_is_array(a) || json_array_size(a) == 0)
		abort();
	json_array_foreach(a, i, it)
	{
		if (template_code(template_set(set), str(it)) < 0)
			abort();
		for (k = 0; k < i; k++)
			if (strcmp(json_string_value(json_array_get(a, k)),
			           json_string_value(it)) == 0)
				abort();
	}
}

/* The stored content: what GET shows and what the deadline code reads reply_by from. */
static json_t *
check_content(const char *content)
{
	json_t *c = json_loads(content, 0, NULL), *v;
	const char *key;
	char *again;
	int64_t t, first = -1, detected = -1;
	size_t i;

	if (!json_is_object(c))
		abort();
	again = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	if (again == NULL || strcmp(again, content) != 0)
		abort();
	free(again);
	json_object_foreach(c, key, v)
	{
		if (strcmp(key, "subject") == 0)
			check_tagged(v, SUBJECT_MAX, false);
		else if (strcmp(key, "description") == 0)
			check_tagged(v, DESCRIPTION_MAX, true);
		else if (strcmp(key, "indicators") == 0)
			check_indicators(v);
		else if (strcmp(key, "sectors") == 0)
			check_codes(v, "sector");
		else if (strcmp(key, "requested_action") == 0)
			check_codes(v, "requested_action");
		else if (strcmp(key, "reply_by") == 0) {
			if (!parse_rfc3339(str(v), &t) || t <= NOW)
				abort();
		} else if (strcmp(key, "reply_languages") == 0) {
			if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > 6)
				abort();
			for (i = 0; i < json_array_size(v); i++)
				if (!valid_lang(str(json_array_get(v, i))))
					abort();
		} else if (strcmp(key, "incident") == 0) {
			json_t *f;
			if (!json_is_object(v))
				abort();
			if ((f = json_object_get(v, "first_seen")) != NULL &&
			    !parse_rfc3339(str(f), &first))
				abort();
			if ((f = json_object_get(v, "detected")) != NULL &&
			    !parse_rfc3339(str(f), &detected))
				abort();
			if (first > 0 && detected > 0 && detected < first)
				abort();
			if ((f = json_object_get(v, "status")) != NULL &&
			    template_code(template_set("incident_status"), str(f)) < 0)
				abort();
			if ((f = json_object_get(v, "impact")) != NULL &&
			    template_code(template_set("impact"), str(f)) < 0)
				abort();
		} else {
			abort();
		}
	}
	if (json_object_get(c, "subject") == NULL || json_object_get(c, "description") == NULL)
		abort();
	return c;
}

/* Wraps the content in cm's header and recipients and decodes it again: the same result. */
static void
round_trip(const struct comm *cm, json_t *c)
{
	static struct comm again;
	struct verrs errs = {0};
	json_t *to = json_array();

	for (size_t i = 0; i < cm->nrecipients; i++) {
		json_t *kinds = json_array();
		if (cm->r[i].kinds & KIND_BIT(POC_TECHNICAL))
			json_array_append_new(kinds, json_string("technical"));
		if (cm->r[i].kinds & KIND_BIT(POC_DIPLOMATIC))
			json_array_append_new(kinds, json_string("diplomatic"));
		json_array_append_new(
		    to, json_pack("{s:s,s:o}", "state", cm->r[i].state, "kinds", kinds));
	}
	json_object_set_new(c, "to", to);
	json_object_set_new(c, "type", json_string(cm->type));
	json_object_set_new(c, "urgency", json_string(cm->urgency));
	json_object_set_new(c, "tlp", json_string(cm->tlp));
	if (cm->open_distribution)
		json_object_set_new(c, "open_distribution", json_true());
	memset(&again, 0, sizeof(again));
	if (comm_decode(c, NOW, &again, &errs) != POCD_OK || errs.n != 0)
		abort();
	if (strcmp(again.content, cm->content) != 0 || strcmp(again.type, cm->type) != 0 ||
	    strcmp(again.urgency, cm->urgency) != 0 || strcmp(again.tlp, cm->tlp) != 0 ||
	    again.open_distribution != cm->open_distribution ||
	    again.template_version != cm->template_version || again.nrecipients != cm->nrecipients)
		abort();
	for (size_t i = 0; i < cm->nrecipients; i++)
		if (strcmp(again.r[i].state, cm->r[i].state) != 0 ||
		    again.r[i].kinds != cm->r[i].kinds)
			abort();
	free(again.content);
}

static void
fuzz_comm(const json_t *in)
{
	static struct comm cm;
	struct verrs errs = {0};
	enum pocd_err err;
	json_t *c;

	memset(&cm, 0, sizeof(cm));
	err = comm_decode(in, NOW, &cm, &errs);
	if (err != POCD_OK) {
		check_refusal(err, &errs);
		if (cm.content != NULL)
			abort();
		return;
	}
	if (errs.n != 0 || cm.content == NULL || cm.nrecipients < 1 ||
	    cm.nrecipients > COMM_MAX_RECIPIENTS)
		abort();
	for (size_t i = 0; i < cm.nrecipients; i++)
		if (!valid_state_code(cm.r[i].state) || cm.r[i].kinds == 0 ||
		    (cm.r[i].kinds & ~(KIND_BIT(POC_TECHNICAL) | KIND_BIT(POC_DIPLOMATIC))) != 0)
			abort();
	c = check_content(cm.content);
	round_trip(&cm, c);
	json_decref(c);
	free(cm.content);
}

static void
fuzz_reply(const json_t *in)
{
	struct verrs errs = {0};
	char *body, *body2, state[STATE_SIZE], state2[STATE_SIZE];
	json_t *b;
	enum pocd_err err = reply_decode(in, &body, state, &errs);

	if (err != POCD_OK) {
		check_refusal(err, &errs);
		if (body != NULL)
			abort();
		return;
	}
	if (errs.n != 0 || body == NULL || (state[0] != '\0' && !valid_state_code(state)))
		abort();
	/* The body is what GET shows: readable, and a reply that decodes to itself. */
	b = json_loads(body, 0, NULL);
	if (!json_is_object(b))
		abort();
	if (!valid_multiline(str(json_object_get(b, "text")), REPLY_MAX) ||
	    !valid_lang(str(json_object_get(b, "lang"))))
		abort();
	if (json_object_get(b, "indicators") != NULL)
		check_indicators(json_object_get(b, "indicators"));
	if (reply_decode(b, &body2, state2, &errs) != POCD_OK || strcmp(body, body2) != 0 ||
	    state2[0] != '\0')
		abort();
	free(body2);
	json_decref(b);
	free(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in;

	if (size > INPUT_MAX)
		return 0;
	in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (in == NULL)
		return 0;
	fuzz_comm(in);
	fuzz_reply(in);
	json_decref(in);
	return 0;
}
