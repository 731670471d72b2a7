#include "core/comm.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/fields.h"
#include "core/template.h"
#include "core/validate.h"
#include "lib/timeutil.h"

static const char *const comm_fields[] = {
    "type",
    "urgency",
    "tlp",
    "to",
    "subject",
    "description",
    "sectors",
    "incident",
    "indicators",
    "requested_action",
    "reply_by",
    "reply_languages",
    "open_distribution",
    "attachments", /* ids, read by attachment_ids_decode */
    NULL,
};

/* Whether the array of strings arr holds s already. */
static bool
dup_string(const json_t *arr, const char *s)
{
	for (size_t k = 0; k < json_array_size(arr); k++)
		if (strcmp(json_string_value(json_array_get(arr, k)), s) == 0)
			return true;
	return false;
}

/* A coded value: a string that is one of the set's codes. */
static const char *
coded(const json_t *v, const char *set, const char *field, struct verrs *errs)
{
	const struct tset *ts = template_set(set);

	if (v == NULL) {
		verr_add(errs, field, "is required");
		return NULL;
	}
	if (!json_is_string(v) || template_code(ts, json_string_value(v)) < 0) {
		char list[512] = "";
		for (size_t i = 0; i < ts->n; i++) {
			strlcat(list, i ? ", " : "", sizeof(list));
			strlcat(list, ts->codes[i].code, sizeof(list));
		}
		verr_add(errs, field, "must be one of %s", list);
		return NULL;
	}
	return json_string_value(v);
}

/* A list of distinct codes of set, 1 to max of them, normalised into out (a new array). */
static json_t *
coded_list(const json_t *v, const char *set, const char *field, size_t max, struct verrs *errs)
{
	char f[VERR_FIELD];
	json_t *out;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > max) {
		verr_add(errs, field, "must be an array of 1 to %zu codes", max);
		return NULL;
	}
	out = json_array();
	for (i = 0; out != NULL && i < json_array_size(v); i++) {
		const char *code;
		snprintf(f, sizeof(f), "%s[%zu]", field, i);
		code = coded(json_array_get(v, i), set, f, errs);
		if (code == NULL)
			continue;
		if (dup_string(out, code))
			verr_add(errs, f, "is listed twice");
		else
			json_array_append_new(out, json_string(code));
	}
	return out;
}

/* {"text", "lang"}: free text tagged with its language; lines only with multiline. */
static json_t *
tagged_text(const json_t *v, const char *field, size_t max, bool multiline, struct verrs *errs)
{
	char f[VERR_FIELD];
	const json_t *t, *l;
	size_t before = errs->n;

	if (!json_is_object(v)) {
		verr_add(errs, field, "must be an object {\"text\": ..., \"lang\": ...}");
		return NULL;
	}
	fields_refuse_unknown(v, (const char *const[]){"text", "lang", NULL}, field, errs);
	t = json_object_get(v, "text");
	l = json_object_get(v, "lang");
	snprintf(f, sizeof(f), "%s.text", field);
	if (!json_is_string(t) ||
	    !(multiline ? valid_multiline : valid_text)(json_string_value(t), max) ||
	    strlen(json_string_value(t)) != json_string_length(t))
		verr_add(errs, f, "must be 1 to %zu characters of text%s", max,
		         multiline ? " (line breaks allowed, no other control characters)"
		                   : " on one line");
	snprintf(f, sizeof(f), "%s.lang", field);
	if (!json_is_string(l) || !valid_lang(json_string_value(l)))
		verr_add(errs, f, "must be an ISO 639-1 code such as \"en\"");
	if (errs->n != before)
		return NULL;
	return json_pack("{s:O,s:O}", "text", t, "lang", l);
}

static bool
all_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

static bool
valid_domain(const char *s)
{
	size_t n = strlen(s), labels = 0, len = 0;
	bool alpha_tld = false;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];
		if (c == '.' || c == '\0') {
			if (len == 0 || len > 63 || s[i - 1] == '-' || s[i - len] == '-')
				return false;
			labels++;
			len = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
		if (len == 0)
			alpha_tld = false;
		alpha_tld |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		len++;
	}
	return labels >= 2 && alpha_tld;
}

static bool
valid_ip(const char *s, int af)
{
	unsigned char buf[16];

	return inet_pton(af, s, buf) == 1;
}

static bool
valid_cidr(const char *s)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long len;
	size_t n;

	if (slash == NULL || (n = (size_t)(slash - s)) >= sizeof(addr) || slash[1] == '\0')
		return false;
	memcpy(addr, s, n);
	addr[n] = '\0';
	len = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || slash[1] < '0' || slash[1] > '9')
		return false;
	if (valid_ip(addr, AF_INET))
		return len <= 32;
	return valid_ip(addr, AF_INET6) && len <= 128;
}

/* What follows a URL's host: nothing, or an optional ":PORT" (1 to 65535), then "/", "?" or
 * "#" and the rest. */
static bool
valid_port_rest(const char *p)
{
	char *end;
	unsigned long port;

	if (*p == ':') {
		if (p[1] < '0' || p[1] > '9')
			return false;
		port = strtoul(p + 1, &end, 10);
		if (port < 1 || port > 65535)
			return false;
		p = end;
	}
	return *p == '\0' || *p == '/' || *p == '?' || *p == '#';
}

static bool
valid_url(const char *s)
{
	const char *host, *end;
	char h[256];
	size_t n;

	if (strlen(s) > 2048 || !valid_text(s, 2048) || strpbrk(s, " \t\"<>\\^`{|}") != NULL)
		return false;
	if (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "ftp://", 6) == 0)
		host = strstr(s, "://") + 3;
	else if (strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return false;
	if (strchr(host, '@') != NULL && strchr(host, '@') < host + strcspn(host, "/?#"))
		host = strchr(host, '@') + 1;
	if (*host == '[') {
		end = strchr(host, ']');
		if (end == NULL || (n = (size_t)(end - host - 1)) >= sizeof(h))
			return false;
		memcpy(h, host + 1, n);
		h[n] = '\0';
		return valid_ip(h, AF_INET6) && valid_port_rest(end + 1);
	}
	n = strcspn(host, ":/?#");
	if (n == 0 || n >= sizeof(h))
		return false;
	memcpy(h, host, n);
	h[n] = '\0';
	return (valid_domain(h) || valid_ip(h, AF_INET)) && valid_port_rest(host + n);
}

static bool
valid_asn(const char *s)
{
	char *end;
	unsigned long long n;

	if (strncasecmp(s, "AS", 2) == 0)
		s += 2;
	if (*s < '1' || *s > '9')
		return false;
	n = strtoull(s, &end, 10);
	return *end == '\0' && n <= 4294967295ull;
}

static bool
valid_cve(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 13 || strncmp(s, "CVE-", 4) != 0 || s[8] != '-')
		return false;
	for (i = 4; i < n; i++)
		if (i != 8 && (s[i] < '0' || s[i] > '9'))
			return false;
	return n - 9 <= 19;
}

bool
indicator_valid(const char *type, const char *value, const char **why)
{
	static const struct {
		const char *type, *rule;
	} rules[] = {
	    {"ipv4", "must be an IPv4 address such as 198.51.100.7"},
	    {"ipv6", "must be an IPv6 address such as 2001:db8::1"},
	    {"cidr", "must be an address block such as 198.51.100.0/24"},
	    {"domain", "must be a domain name such as example.org"},
	    {"url", "must be an http, https or ftp URL"},
	    {"email", "must be an e-mail address"},
	    {"md5", "must be 32 hexadecimal digits"},
	    {"sha1", "must be 40 hexadecimal digits"},
	    {"sha256", "must be 64 hexadecimal digits"},
	    {"asn", "must be an AS number such as AS64496"},
	    {"cve", "must be a CVE id such as CVE-2024-3094"},
	};
	bool ok = false;

	if (strcmp(type, "ipv4") == 0)
		ok = valid_ip(value, AF_INET);
	else if (strcmp(type, "ipv6") == 0)
		ok = valid_ip(value, AF_INET6);
	else if (strcmp(type, "cidr") == 0)
		ok = valid_cidr(value);
	else if (strcmp(type, "domain") == 0)
		ok = valid_domain(value);
	else if (strcmp(type, "url") == 0)
		ok = valid_url(value);
	else if (strcmp(type, "email") == 0)
		ok = valid_email(value);
	else if (strcmp(type, "md5") == 0)
		ok = all_hex(value, 32);
	else if (strcmp(type, "sha1") == 0)
		ok = all_hex(value, 40);
	else if (strcmp(type, "sha256") == 0)
		ok = all_hex(value, 64);
	else if (strcmp(type, "asn") == 0)
		ok = valid_asn(value);
	else if (strcmp(type, "cve") == 0)
		ok = valid_cve(value);
	*why = "is not a known indicator type";
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(type, rules[i].type) == 0)
			*why = rules[i].rule;
	return ok;
}

/* [{"type", "value"}], each value checked by its type. */
static json_t *
indicators(const json_t *v, const char *field, struct verrs *errs)
{
	char f[VERR_FIELD];
	json_t *out;

	if (!json_is_array(v) || json_array_size(v) > INDICATORS_MAX) {
		verr_add(errs, field, "must be an array of at most %d indicators", INDICATORS_MAX);
		return NULL;
	}
	out = json_array();
	for (size_t i = 0; out != NULL && i < json_array_size(v); i++) {
		json_t *it = json_array_get(v, i), *val;
		const char *type, *why;
		size_t before = errs->n;
		snprintf(f, sizeof(f), "%s[%zu]", field, i);
		if (!json_is_object(it)) {
			verr_add(errs, f, "must be an object {\"type\": ..., \"value\": ...}");
			continue;
		}
		fields_refuse_unknown(it, (const char *const[]){"type", "value", NULL}, f, errs);
		snprintf(f, sizeof(f), "%s[%zu].type", field, i);
		type = coded(json_object_get(it, "type"), "indicator_type", f, errs);
		val = json_object_get(it, "value");
		snprintf(f, sizeof(f), "%s[%zu].value", field, i);
		if (!json_is_string(val) || json_string_length(val) > 2048 ||
		    strlen(json_string_value(val)) != json_string_length(val))
			verr_add(errs, f, "must be a string of at most 2048 bytes");
		else if (type != NULL && !indicator_valid(type, json_string_value(val), &why))
			verr_add(errs, f, "%s", why);
		if (errs->n == before)
			json_array_append_new(out,
			                      json_pack("{s:s,s:O}", "type", type, "value", val));
	}
	return out;
}

static void
time_field(const json_t *v, const char *field, int64_t *out, struct verrs *errs)
{
	if (!json_is_string(v) || !parse_rfc3339(json_string_value(v), out))
		verr_add(errs, field, "must be a UTC time such as 2026-11-26T02:10:00Z");
}

static json_t *
incident(const json_t *v, int64_t now, struct verrs *errs)
{
	static const char *const fields[] = {"first_seen", "detected", "status", "impact", NULL};
	int64_t first = 0, detected = 0;
	json_t *out;
	const char *code;

	if (!json_is_object(v)) {
		verr_add(errs, "incident", "must be an object");
		return NULL;
	}
	fields_refuse_unknown(v, fields, "incident", errs);
	out = json_object();
	if (out == NULL)
		return NULL;
	if (json_object_get(v, "first_seen") != NULL) {
		time_field(json_object_get(v, "first_seen"), "incident.first_seen", &first, errs);
		json_object_set(out, "first_seen", json_object_get(v, "first_seen"));
	}
	if (json_object_get(v, "detected") != NULL) {
		time_field(json_object_get(v, "detected"), "incident.detected", &detected, errs);
		json_object_set(out, "detected", json_object_get(v, "detected"));
	}
	if (first != 0 && detected != 0 && detected < first)
		verr_add(errs, "incident.detected", "must not be before first_seen");
	if ((first != 0 && first > now + 300) || (detected != 0 && detected > now + 300))
		verr_add(errs, "incident", "times must not be in the future");
	if (json_object_get(v, "status") != NULL &&
	    (code = coded(json_object_get(v, "status"), "incident_status", "incident.status",
	                  errs)) != NULL)
		json_object_set_new(out, "status", json_string(code));
	if (json_object_get(v, "impact") != NULL &&
	    (code = coded(json_object_get(v, "impact"), "impact", "incident.impact", errs)) != NULL)
		json_object_set_new(out, "impact", json_string(code));
	return out;
}

/* to: [{"state": "DEU", "kinds": ["technical"]}], distinct states. */
static void
recipients(const json_t *v, struct comm *cm, struct verrs *errs)
{
	char f[VERR_FIELD];

	if (v == NULL) {
		verr_add(errs, "to", "is required");
		return;
	}
	if (!json_is_array(v) || json_array_size(v) < 1 ||
	    json_array_size(v) > COMM_MAX_RECIPIENTS) {
		verr_add(errs, "to", "must be an array of 1 to %d recipients", COMM_MAX_RECIPIENTS);
		return;
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *it = json_array_get(v, i), *st, *kinds;
		struct comm_recipient *r = &cm->r[cm->nrecipients];
		size_t before = errs->n;
		snprintf(f, sizeof(f), "to[%zu]", i);
		if (!json_is_object(it)) {
			verr_add(errs, f, "must be an object {\"state\": ..., \"kinds\": [...]}");
			continue;
		}
		fields_refuse_unknown(it, (const char *const[]){"state", "kinds", NULL}, f, errs);
		memset(r, 0, sizeof(*r));
		st = json_object_get(it, "state");
		snprintf(f, sizeof(f), "to[%zu].state", i);
		if (!json_is_string(st) || !valid_state_code(json_string_value(st)))
			verr_add(errs, f, "must be an ISO 3166-1 alpha-3 code such as DEU");
		else
			strlcpy(r->state, json_string_value(st), sizeof(r->state));
		for (size_t k = 0; k < cm->nrecipients && r->state[0]; k++)
			if (strcmp(cm->r[k].state, r->state) == 0)
				verr_add(errs, f, "is addressed twice");
		kinds = json_object_get(it, "kinds");
		snprintf(f, sizeof(f), "to[%zu].kinds", i);
		if (!json_is_array(kinds) || json_array_size(kinds) < 1 ||
		    json_array_size(kinds) > 2) {
			verr_add(errs, f, "must be [\"technical\"], [\"diplomatic\"] or both");
		} else {
			for (size_t k = 0; k < json_array_size(kinds); k++) {
				const char *kd = json_string_value(json_array_get(kinds, k));
				unsigned bit =
				    kd == NULL                      ? 0
				    : strcmp(kd, "technical") == 0  ? KIND_BIT(POC_TECHNICAL)
				    : strcmp(kd, "diplomatic") == 0 ? KIND_BIT(POC_DIPLOMATIC)
				                                    : 0;
				if (bit == 0 || (r->kinds & bit) != 0)
					verr_add(
					    errs, f,
					    "must be [\"technical\"], [\"diplomatic\"] or both");
				r->kinds |= bit;
			}
		}
		if (errs->n == before)
			cm->nrecipients++;
	}
}

static json_t *
languages(const json_t *v, const char *field, struct verrs *errs)
{
	char f[VERR_FIELD];
	json_t *out;

	if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > 6) {
		verr_add(errs, field, "must be an array of 1 to 6 ISO 639-1 codes");
		return NULL;
	}
	out = json_array();
	for (size_t i = 0; out != NULL && i < json_array_size(v); i++) {
		const char *l = json_string_value(json_array_get(v, i));
		snprintf(f, sizeof(f), "%s[%zu]", field, i);
		if (l == NULL || !valid_lang(l))
			verr_add(errs, f, "must be an ISO 639-1 code such as \"fr\"");
		else if (dup_string(out, l))
			verr_add(errs, f, "is listed twice");
		else
			json_array_append_new(out, json_string(l));
	}
	return out;
}

/* An optional member: absent and null are the same. */
static json_t *
optional(const json_t *in, const char *key)
{
	json_t *v = json_object_get(in, key);

	return json_is_null(v) ? NULL : v;
}

enum pocd_err
comm_decode(const json_t *in, int64_t now, struct comm *cm, struct verrs *errs)
{
	json_t *content = NULL, *v, *part;
	const char *code;
	size_t before = errs->n;
	int64_t reply_by;

	cm->content = NULL;
	cm->nrecipients = 0;
	if (!json_is_object(in)) {
		verr_add(errs, "", "the body must be a JSON object");
		return POCD_EINVAL;
	}
	fields_refuse_unknown(in, comm_fields, "", errs);
	cm->template_version = TEMPLATE_VERSION;
	if ((code = coded(json_object_get(in, "type"), "type", "type", errs)) != NULL)
		strlcpy(cm->type, code, sizeof(cm->type));
	if ((code = coded(json_object_get(in, "urgency"), "urgency", "urgency", errs)) != NULL)
		strlcpy(cm->urgency, code, sizeof(cm->urgency));
	if ((code = coded(json_object_get(in, "tlp"), "tlp", "tlp", errs)) != NULL)
		strlcpy(cm->tlp, code, sizeof(cm->tlp));
	recipients(json_object_get(in, "to"), cm, errs);
	v = optional(in, "open_distribution");
	if (v != NULL && !json_is_boolean(v))
		verr_add(errs, "open_distribution", "must be true or false");
	cm->open_distribution = json_is_true(v);
	if (cm->open_distribution &&
	    (strcmp(cm->tlp, "RED") == 0 || strcmp(cm->tlp, "AMBER+STRICT") == 0))
		verr_add(errs, "open_distribution",
		         "cannot be used with TLP:RED or TLP:AMBER+STRICT");
	content = json_object();
	if (content == NULL)
		return POCD_ENOMEM;
	if ((v = json_object_get(in, "subject")) == NULL)
		verr_add(errs, "subject", "is required");
	else if ((part = tagged_text(v, "subject", SUBJECT_MAX, false, errs)) != NULL)
		json_object_set_new(content, "subject", part);
	if ((v = json_object_get(in, "description")) == NULL)
		verr_add(errs, "description", "is required");
	else if ((part = tagged_text(v, "description", DESCRIPTION_MAX, true, errs)) != NULL)
		json_object_set_new(content, "description", part);
	if ((v = optional(in, "sectors")) != NULL &&
	    (part = coded_list(v, "sector", "sectors", 15, errs)) != NULL)
		json_object_set_new(content, "sectors", part);
	if ((v = optional(in, "incident")) != NULL && (part = incident(v, now, errs)) != NULL)
		json_object_set_new(content, "incident", part);
	if ((v = optional(in, "indicators")) != NULL &&
	    (part = indicators(v, "indicators", errs)) != NULL)
		json_object_set_new(content, "indicators", part);
	if ((v = optional(in, "requested_action")) != NULL &&
	    (part = coded_list(v, "requested_action", "requested_action", 6, errs)) != NULL)
		json_object_set_new(content, "requested_action", part);
	if ((v = optional(in, "reply_by")) != NULL) {
		size_t mark = errs->n;
		time_field(v, "reply_by", &reply_by, errs);
		if (errs->n == mark && reply_by <= now)
			verr_add(errs, "reply_by", "must be in the future");
		json_object_set(content, "reply_by", v);
	}
	if ((v = optional(in, "reply_languages")) != NULL &&
	    (part = languages(v, "reply_languages", errs)) != NULL)
		json_object_set_new(content, "reply_languages", part);
	if (errs->n == before)
		cm->content = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(content);
	if (errs->n != before)
		return POCD_EINVAL;
	return cm->content != NULL ? POCD_OK : POCD_ENOMEM;
}

enum pocd_err
reply_decode(const json_t *in, char **body, char state[STATE_SIZE], struct verrs *errs)
{
	static const char *const fields[] = {"text",  "lang",        "indicators",
	                                     "state", "attachments", NULL};
	json_t *out, *v, *part;
	size_t before = errs->n;

	*body = NULL;
	state[0] = '\0';
	if (!json_is_object(in)) {
		verr_add(errs, "", "the body must be a JSON object");
		return POCD_EINVAL;
	}
	fields_refuse_unknown(in, fields, "", errs);
	v = json_object_get(in, "text");
	if (!json_is_string(v) || !valid_multiline(json_string_value(v), REPLY_MAX) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		verr_add(
		    errs, "text",
		    "must be 1 to %d characters of text (line breaks allowed, no other control "
		    "characters)",
		    REPLY_MAX);
	v = json_object_get(in, "lang");
	if (!json_is_string(v) || !valid_lang(json_string_value(v)))
		verr_add(errs, "lang", "must be an ISO 639-1 code such as \"en\"");
	v = optional(in, "state");
	if (v != NULL && (!json_is_string(v) || !valid_state_code(json_string_value(v))))
		verr_add(errs, "state", "must be an ISO 3166-1 alpha-3 code such as DEU");
	else if (v != NULL)
		strlcpy(state, json_string_value(v), STATE_SIZE);
	out = json_pack("{s:O*,s:O*}", "text", json_object_get(in, "text"), "lang",
	                json_object_get(in, "lang"));
	if (out == NULL)
		return POCD_ENOMEM;
	if ((v = optional(in, "indicators")) != NULL &&
	    (part = indicators(v, "indicators", errs)) != NULL)
		json_object_set_new(out, "indicators", part);
	if (errs->n == before)
		*body = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(out);
	if (errs->n != before)
		return POCD_EINVAL;
	return *body != NULL ? POCD_OK : POCD_ENOMEM;
}
