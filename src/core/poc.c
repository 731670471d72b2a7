#include "core/poc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/fields.h"
#include "core/validate.h"
#include "lib/timeutil.h"

#define WEEKLY_MAX 14

static const char *const days[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static const char *const known[] = {
    "kind",      "rank",      "organisation", "role_title",   "person_name",     "email",
    "phones",    "languages", "time_zone",    "availability", "pgp_fingerprint", "accounts",
    "review_by", NULL,
};

/* What the server adds to a PoC: shown on reads, refused on writes. */
static const char *const server_fields[] = {"id",         "state",   "revision", "created_at",
                                            "updated_at", "changed", NULL};

/* The string member name of obj, or NULL with a reason added (absent is fine if optional). */
static const char *
get_str(const json_t *obj, const char *name, bool required, struct verrs *errs)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL || (!required && json_is_null(v))) {
		if (required)
			verr_add(errs, name, "is required");
		return NULL;
	}
	if (!json_is_string(v)) {
		verr_add(errs, name, "must be a string");
		return NULL;
	}
	return json_string_value(v);
}

static void
copy_text(const char *s, const char *name, size_t max, char *out, size_t outlen, struct verrs *errs)
{
	if (s == NULL)
		return;
	if (!valid_text(s, max) || strlen(s) >= outlen)
		verr_add(errs, name,
		         "must be 1 to %zu characters of text without control characters", max);
	else
		strlcpy(out, s, outlen);
}

/* Checks an array of strings, calling check for each; dups are refused. */
static const json_t *
get_array(const json_t *obj, const char *name, bool required, size_t min, size_t max,
          struct verrs *errs)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL || (!required && json_is_null(v))) {
		if (required)
			verr_add(errs, name, "is required");
		return NULL;
	}
	if (!json_is_array(v)) {
		verr_add(errs, name, "must be an array");
		return NULL;
	}
	if (json_array_size(v) < min || json_array_size(v) > max) {
		verr_add(errs, name, "must hold %zu to %zu items", min, max);
		return NULL;
	}
	return v;
}

/* Whether the string item i of arr equals an earlier item; items that are not strings (already
 * refused) match nothing. */
static bool
dup_before(const json_t *arr, size_t i)
{
	const char *s = json_string_value(json_array_get(arr, i)), *t;

	for (size_t k = 0; k < i; k++) {
		t = json_string_value(json_array_get(arr, k));
		if (t != NULL && strcmp(s, t) == 0)
			return true;
	}
	return false;
}

static void
decode_phones(const json_t *in, struct poc *p, struct verrs *errs)
{
	const json_t *arr = get_array(in, "phones", true, 1, POC_MAX_PHONES, errs);
	char field[VERR_FIELD];

	if (arr == NULL)
		return;
	p->nphones = 0;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i);
		snprintf(field, sizeof(field), "phones[%zu]", i);
		if (!json_is_string(v))
			verr_add(errs, field, "must be a string");
		else if (!valid_e164(json_string_value(v)))
			verr_add(errs, field, "must be an E.164 number: '+' and 8 to 15 digits");
		else if (dup_before(arr, i))
			verr_add(errs, field, "is listed twice");
		else
			strlcpy(p->phones[p->nphones++], json_string_value(v), PHONE_SIZE);
	}
}

static void
decode_langs(const json_t *in, struct poc *p, struct verrs *errs)
{
	const json_t *arr = get_array(in, "languages", true, 1, POC_MAX_LANGS, errs);
	char field[VERR_FIELD];

	if (arr == NULL)
		return;
	p->nlangs = 0;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i);
		snprintf(field, sizeof(field), "languages[%zu]", i);
		if (!json_is_string(v))
			verr_add(errs, field, "must be a string");
		else if (!valid_lang(json_string_value(v)))
			verr_add(errs, field,
			         "must be an ISO 639-1 code in lowercase, such as \"fr\"");
		else if (dup_before(arr, i))
			verr_add(errs, field, "is listed twice");
		else
			strlcpy(p->languages[p->nlangs++], json_string_value(v), 3);
	}
}

static void
decode_accounts(const json_t *in, struct poc *p, struct verrs *errs)
{
	const json_t *arr = get_array(in, "accounts", false, 0, POC_MAX_ACCOUNTS, errs);
	char field[VERR_FIELD];

	p->naccounts = 0;
	if (arr == NULL)
		return;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i);
		snprintf(field, sizeof(field), "accounts[%zu]", i);
		if (!json_is_string(v))
			verr_add(errs, field, "must be a string");
		else if (!id_valid(json_string_value(v)))
			verr_add(errs, field, "is not an account id");
		else if (dup_before(arr, i))
			verr_add(errs, field, "is listed twice");
		else
			strlcpy(p->accounts[p->naccounts++], json_string_value(v), ID_SIZE);
	}
}

/* One weekly slot: {"days": [...], "from": "HH:MM", "to": "HH:MM"}; appends it to out. */
static void
decode_slot(const json_t *slot, size_t i, json_t *out, struct verrs *errs)
{
	char field[VERR_FIELD];
	const char *key;
	json_t *v, *ds, *norm;
	int from = -1, to = -1;
	unsigned seen = 0;
	size_t before = errs->n;

	snprintf(field, sizeof(field), "availability.weekly[%zu]", i);
	if (!json_is_object(slot)) {
		verr_add(errs, field, "must be an object with days, from and to");
		return;
	}
	json_object_foreach((json_t *)slot, key, v)
	{
		if (strcmp(key, "days") && strcmp(key, "from") && strcmp(key, "to"))
			verr_add(errs, field, "has an unknown field \"%.40s\"", key);
	}
	ds = json_object_get(slot, "days");
	if (!json_is_array(ds) || json_array_size(ds) < 1 || json_array_size(ds) > 7) {
		verr_add(errs, field,
		         "days must be an array of 1 to 7 of mon, tue, wed, thu, fri, "
		         "sat, sun");
	} else {
		for (size_t k = 0; k < json_array_size(ds); k++) {
			const char *d = json_string_value(json_array_get(ds, k));
			int idx = -1;
			for (int j = 0; d != NULL && j < 7; j++)
				if (strcmp(d, days[j]) == 0)
					idx = j;
			if (idx < 0 || (seen & (1u << idx)))
				verr_add(errs, field,
				         "days[%zu] must be a day (mon to sun) listed once", k);
			else
				seen |= 1u << idx;
		}
	}
	v = json_object_get(slot, "from");
	if (json_is_string(v))
		from = parse_hhmm(json_string_value(v));
	v = json_object_get(slot, "to");
	if (json_is_string(v))
		to = parse_hhmm(json_string_value(v));
	if (from < 0 || from >= 24 * 60)
		verr_add(errs, field, "from must be a time \"HH:MM\" from 00:00 to 23:59");
	if (to < 0 || (from >= 0 && to <= from))
		verr_add(errs, field, "to must be a time \"HH:MM\" after from, up to 24:00");
	if (errs->n != before)
		return;
	norm = json_pack("{s:[],s:s,s:s}", "days", "from",
	                 json_string_value(json_object_get(slot, "from")), "to",
	                 json_string_value(json_object_get(slot, "to")));
	if (norm == NULL)
		return;
	for (int j = 0; j < 7; j++)
		if (seen & (1u << j))
			json_array_append_new(json_object_get(norm, "days"), json_string(days[j]));
	json_array_append_new(out, norm);
}

static void
decode_availability(const json_t *in, struct poc *p, struct verrs *errs)
{
	json_t *v = json_object_get(in, "availability"), *weekly, *norm;
	const char *key;
	json_t *mv;
	char *text;
	size_t before = errs->n;

	if (v == NULL) {
		verr_add(errs, "availability", "is required");
		return;
	}
	if (json_is_string(v)) {
		if (strcmp(json_string_value(v), "24/7") != 0)
			verr_add(errs, "availability",
			         "must be \"24/7\" or {\"weekly\": [{\"days\": [...], \"from\": "
			         "\"HH:MM\", \"to\": \"HH:MM\"}]}");
		else
			strlcpy(p->availability, "\"24/7\"", sizeof(p->availability));
		return;
	}
	if (!json_is_object(v)) {
		verr_add(errs, "availability", "must be \"24/7\" or an object with weekly hours");
		return;
	}
	json_object_foreach(v, key, mv)
	{
		if (strcmp(key, "weekly") != 0)
			verr_add(errs, "availability", "has an unknown field \"%.40s\"", key);
	}
	weekly = json_object_get(v, "weekly");
	if (!json_is_array(weekly) || json_array_size(weekly) < 1 ||
	    json_array_size(weekly) > WEEKLY_MAX) {
		verr_add(errs, "availability.weekly", "must be an array of 1 to %d time slots",
		         WEEKLY_MAX);
		return;
	}
	norm = json_pack("{s:[]}", "weekly");
	if (norm == NULL)
		return;
	for (size_t i = 0; i < json_array_size(weekly); i++)
		decode_slot(json_array_get(weekly, i), i, json_object_get(norm, "weekly"), errs);
	if (errs->n == before) {
		text = json_dumps(norm, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text == NULL || strlen(text) >= sizeof(p->availability))
			verr_add(errs, "availability", "is too long");
		else
			strlcpy(p->availability, text, sizeof(p->availability));
		free(text);
	}
	json_decref(norm);
}

enum pocd_err
poc_decode(const json_t *in, struct poc *p, struct verrs *errs)
{
	const char *key, *s;
	json_t *v;
	size_t before = errs->n;

	if (!json_is_object(in)) {
		verr_add(errs, "", "the body must be a JSON object");
		return POCD_EINVAL;
	}
	json_object_foreach((json_t *)in, key, v)
	{
		bool ok = fields_in(key, known);
		if (!ok && fields_in(key, server_fields))
			verr_add(errs, key, "is set by the server: leave it out");
		else if (!ok)
			verr_add(errs, key, "is not a field of a PoC");
	}
	s = get_str(in, "kind", true, errs);
	if (s != NULL && strcmp(s, "diplomatic") && strcmp(s, "technical"))
		verr_add(errs, "kind", "must be \"diplomatic\" or \"technical\"");
	else if (s != NULL)
		p->kind = strcmp(s, "technical") == 0 ? POC_TECHNICAL : POC_DIPLOMATIC;
	s = get_str(in, "rank", true, errs);
	if (s != NULL && strcmp(s, "primary") && strcmp(s, "alternate"))
		verr_add(errs, "rank", "must be \"primary\" or \"alternate\"");
	else if (s != NULL)
		p->rank = strcmp(s, "alternate") == 0 ? POC_ALTERNATE : POC_PRIMARY;
	copy_text(get_str(in, "organisation", true, errs), "organisation", TEXT_MAX,
	          p->organisation, sizeof(p->organisation), errs);
	copy_text(get_str(in, "role_title", true, errs), "role_title", TEXT_MAX, p->role_title,
	          sizeof(p->role_title), errs);
	p->person_name[0] = '\0';
	copy_text(get_str(in, "person_name", false, errs), "person_name", TEXT_MAX, p->person_name,
	          sizeof(p->person_name), errs);
	s = get_str(in, "email", true, errs);
	if (s != NULL && !valid_email(s))
		verr_add(errs, "email", "must be an e-mail address such as duty@cert.example");
	else if (s != NULL)
		strlcpy(p->email, s, sizeof(p->email));
	decode_phones(in, p, errs);
	decode_langs(in, p, errs);
	s = get_str(in, "time_zone", true, errs);
	if (s != NULL && !valid_tz(s))
		verr_add(errs, "time_zone", "must be an IANA time zone such as \"Europe/Paris\"");
	else if (s != NULL)
		strlcpy(p->time_zone, s, sizeof(p->time_zone));
	decode_availability(in, p, errs);
	p->pgp_fingerprint[0] = '\0';
	s = get_str(in, "pgp_fingerprint", false, errs);
	if (s != NULL && !valid_fingerprint(s, p->pgp_fingerprint))
		verr_add(errs, "pgp_fingerprint", "must be 40 hexadecimal digits");
	decode_accounts(in, p, errs);
	p->review_by[0] = '\0';
	s = get_str(in, "review_by", false, errs);
	if (s != NULL && !valid_date(s))
		verr_add(errs, "review_by", "must be a date \"YYYY-MM-DD\"");
	else if (s != NULL)
		strlcpy(p->review_by, s, sizeof(p->review_by));
	return errs->n == before ? POCD_OK : POCD_EINVAL;
}

json_t *
poc_encode(const struct poc *p, bool with_accounts, const char *today)
{
	char created[RFC3339_SIZE], updated[RFC3339_SIZE];
	json_t *o, *phones, *langs, *avail;

	fmt_rfc3339(p->created_at, created);
	fmt_rfc3339(p->updated_at, updated);
	phones = json_array();
	langs = json_array();
	avail = json_loads(p->availability, JSON_DECODE_ANY, NULL);
	for (size_t i = 0; phones != NULL && i < p->nphones; i++)
		json_array_append_new(phones, json_string(p->phones[i]));
	for (size_t i = 0; langs != NULL && i < p->nlangs; i++)
		json_array_append_new(langs, json_string(p->languages[i]));
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o*,s:o*,s:s,s:o*,s:I,s:s,s:s}", "id", p->id,
	              "state", p->state, "kind", poc_kind_name(p->kind), "rank",
	              poc_rank_name(p->rank), "organisation", p->organisation, "role_title",
	              p->role_title, "email", p->email, "phones", phones, "languages", langs,
	              "time_zone", p->time_zone, "availability", avail, "revision",
	              (json_int_t)p->revision, "created_at", created, "updated_at", updated);
	if (o == NULL)
		return NULL;
	if (p->person_name[0] != '\0')
		json_object_set_new(o, "person_name", json_string(p->person_name));
	if (p->pgp_fingerprint[0] != '\0')
		json_object_set_new(o, "pgp_fingerprint", json_string(p->pgp_fingerprint));
	if (p->review_by[0] != '\0')
		json_object_set_new(o, "review_by", json_string(p->review_by));
	/* Every reader sees when the address or the key last changed: a counterpart that kept
	 * the old ones, or that did not expect the change, can ask. */
	if (p->email_changed_at != 0 || p->key_changed_at != 0) {
		json_t *ch = json_object();
		if (ch != NULL && p->email_changed_at != 0) {
			fmt_rfc3339(p->email_changed_at, created);
			json_object_set_new(ch, "email", json_string(created));
		}
		if (ch != NULL && p->key_changed_at != 0) {
			fmt_rfc3339(p->key_changed_at, created);
			json_object_set_new(ch, "key", json_string(created));
		}
		json_object_set_new(o, "changed", ch != NULL ? ch : json_null());
	}
	if (today != NULL)
		json_object_set_new(
		    o, "stale",
		    json_boolean(p->review_by[0] != '\0' && strcmp(p->review_by, today) < 0));
	if (with_accounts) {
		json_t *acc = json_array();
		for (size_t i = 0; acc != NULL && i < p->naccounts; i++)
			json_array_append_new(acc, json_string(p->accounts[i]));
		json_object_set_new(o, "accounts", acc != NULL ? acc : json_null());
	}
	return o;
}
