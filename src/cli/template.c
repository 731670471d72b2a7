/* The template command of poc: a fillable communication built on the template that pocd
 * serves at /api/v1/templates, and the codes of its fields with their labels. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/term.h"

#define TIME_SIZE 24 /* an RFC 3339 UTC time to the second, with its NUL */

/* The codes of the template's set named name, an array; NULL when it has no such set. */
static const json_t *
set_codes(const json_t *tpl, const char *name)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(tpl, "sets"), i, s)
	{
		if (strcmp(str(s, "name"), name) == 0)
			return json_object_get(s, "codes");
	}
	return NULL;
}

/* want if the template's set has that code, else the set's first code, else want: the
 * example stays valid if a template version drops a code. */
static const char *
pick(const json_t *tpl, const char *set, const char *want)
{
	const json_t *codes = set_codes(tpl, set), *c;
	size_t i;

	json_array_foreach(codes, i, c)
	{
		if (strcmp(str(c, "code"), want) == 0)
			return want;
	}
	c = json_object_get(json_array_get(codes, 0), "code");
	return json_is_string(c) ? json_string_value(c) : want;
}

/* The UTC time t in RFC 3339 into out. */
static void
stamp(time_t t, char out[TIME_SIZE])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strlcpy(out, "2026-01-01T00:00:00Z", TIME_SIZE);
}

/* A communication with every field, codes from the template tpl and texts tagged lang, with
 * times around now: to fill in and send. The caller owns it; NULL when out of memory. */
static json_t *
example(const json_t *tpl, const char *lang)
{
	time_t now = time(NULL) / 60 * 60;
	char first[TIME_SIZE], detected[TIME_SIZE], reply_by[TIME_SIZE];
	json_t *langs =
	    strcmp(lang, "en") == 0 ? json_pack("[s]", lang) : json_pack("[s,s]", lang, "en");

	stamp(now - 7200, first);
	stamp(now - 3600, detected);
	stamp(now + 86400, reply_by);
	return json_pack(
	    "{s:s,s:s,s:s,s:[{s:s,s:[s]}],s:{s:s,s:s},s:{s:s,s:s},s:[s],"
	    "s:{s:s,s:s,s:s,s:s},s:[{s:s,s:s}],s:[s,s],s:s,s:o*,s:b}",
	    "type", pick(tpl, "type", "request_assistance"), "urgency",
	    pick(tpl, "urgency", "urgent"), "tlp", pick(tpl, "tlp", "AMBER"), "to", "state", "DEU",
	    "kinds", "technical", "subject", "text",
	    "One line on what happened (replace this text)", "lang", lang, "description", "text",
	    "What happened, what it affects, what you have done and what you ask for (replace "
	    "this text)",
	    "lang", lang, "sectors", pick(tpl, "sector", "energy"), "incident", "first_seen", first,
	    "detected", detected, "status", pick(tpl, "incident_status", "ongoing"), "impact",
	    pick(tpl, "impact", "high"), "indicators", "type", pick(tpl, "indicator_type", "ipv4"),
	    "value", "198.51.100.7", "requested_action", pick(tpl, "requested_action", "mitigate"),
	    pick(tpl, "requested_action", "share_information"), "reply_by", reply_by,
	    "reply_languages", langs, "open_distribution", 0);
}

/* seconds as "N d", "N h", "N min" or "N s", in the largest unit that divides it, days only
 * beyond three of them (so 72 h, as deadlines are spoken of). */
static void
duration(json_int_t seconds, char *out, size_t len)
{
	if (seconds > 3 * 86400 && seconds % 86400 == 0)
		snprintf(out, len, "%" JSON_INTEGER_FORMAT " d", seconds / 86400);
	else if (seconds >= 3600 && seconds % 3600 == 0)
		snprintf(out, len, "%" JSON_INTEGER_FORMAT " h", seconds / 3600);
	else if (seconds >= 60 && seconds % 60 == 0)
		snprintf(out, len, "%" JSON_INTEGER_FORMAT " min", seconds / 60);
	else
		snprintf(out, len, "%" JSON_INTEGER_FORMAT " s", seconds);
}

/* Prints to out the codes of each set of the template tpl with their labels, under the
 * field that takes them, the deadlines beside the urgencies, then the fields without
 * codes. */
static void
print_codes(FILE *out, const json_t *tpl)
{
	static const char *const fields[][2] = {
	    {"sector", "sectors[]"},
	    {"incident_status", "incident.status"},
	    {"impact", "incident.impact"},
	    {"indicator_type", "indicators[].type"},
	    {"requested_action", "requested_action[]"},
	};
	const json_t *set, *code, *dl;
	const char *name, *field_name;
	char ack[32], answer[32];
	size_t i, k, w;

	fprintf(out, "Codes of template version %" JSON_INTEGER_FORMAT ", labelled in ",
	        json_integer_value(json_object_get(tpl, "template_version")));
	term_put_clean(out, str(tpl, "lang"));
	fputs(":\n", out);
	json_array_foreach(json_object_get(tpl, "sets"), i, set)
	{
		name = field_name = str(set, "name");
		for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			if (strcmp(name, fields[k][0]) == 0)
				field_name = fields[k][1];
		fputc('\n', out);
		term_put_clean(out, field_name);
		fputs(": ", out);
		term_put_clean(out, str(set, "label"));
		fputc('\n', out);
		w = 0;
		json_array_foreach(json_object_get(set, "codes"), k, code)
		{
			if (strlen(str(code, "code")) > w)
				w = strlen(str(code, "code"));
		}
		json_array_foreach(json_object_get(set, "codes"), k, code)
		{
			fputs("  ", out);
			term_put_clean(out, str(code, "code"));
			fprintf(out, "%*s", (int)(w - strlen(str(code, "code")) + 2), "");
			term_put_clean(out, str(code, "label"));
			dl = json_object_get(json_object_get(tpl, "deadlines"), str(code, "code"));
			if (strcmp(name, "urgency") == 0 && json_is_object(dl)) {
				duration(
				    json_integer_value(json_object_get(dl, "acknowledge_seconds")),
				    ack, sizeof(ack));
				duration(json_integer_value(json_object_get(dl, "answer_seconds")),
				         answer, sizeof(answer));
				fprintf(out, " (acknowledge within %s, answer within %s)", ack,
				        answer);
			}
			fputc('\n', out);
		}
	}
	fputs("\nFields without codes:\n"
	      "  to[].state         ISO 3166-1 alpha-3 code of a participating state (poc "
	      "states)\n"
	      "  to[].kinds         [\"technical\"], [\"diplomatic\"] or both\n"
	      "  *.lang             ISO 639-1 code of the text's language, such as \"en\"\n"
	      "  reply_languages    ISO 639-1 codes of the languages a reply may be in\n"
	      "  incident.first_seen, incident.detected, reply_by\n"
	      "                     UTC times such as 2026-11-26T02:10:00Z (reply_by in the "
	      "future)\n"
	      "  indicators[].value checked against its type, such as 198.51.100.7 for ipv4\n"
	      "  open_distribution  true: each recipient sees the others (not with RED or "
	      "AMBER+STRICT)\n"
	      "Required: type, urgency, tlp, to, subject, description; leave out any other.\n",
	      out);
}

int
cmd_template(struct ctx *x, int argc, char **argv)
{
	char path[PATH_SIZE] = "/api/v1/templates";
	const char *lang = "en";
	bool codes = false;
	json_t *tpl, *ex;
	int ch, rc = POC_USAGE;

	while ((ch = next_option(x, argc, argv, false, &rc)) != -1) {
		if (ch == 0)
			return rc;
		if (ch == OPT_LANG)
			lang = optarg;
		else if (ch == OPT_CODES)
			codes = true;
		else
			return refuse_option(x, argv);
	}
	if (optind < argc)
		return usage_error("template takes no arguments");
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	if (!query_add(x, path, sizeof(path), "lang", lang) ||
	    (tpl = get_object(x, path, NULL, 0)) == NULL)
		return POC_FAIL;
	rc = POC_OK;
	if (x->json) {
		print_json(tpl);
	} else if (codes) {
		print_codes(stdout, tpl);
	} else if ((ex = example(tpl, lang)) != NULL) {
		/* The example alone on standard output, so that "> new.json" saves it. */
		print_json(ex);
		fflush(stdout);
		print_codes(stderr, tpl);
		json_decref(ex);
	} else {
		fputs("poc: out of memory\n", stderr);
		rc = POC_FAIL;
	}
	json_decref(tpl);
	return rc;
}
