/* Unit tests of src/core/comm.h: a communication and a reply checked against the template, every
 * problem on its JSON path, the canonical content, and each indicator type's rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/comm.h"
#include "core/template.h"

#define NOW INT64_C(1795662000) /* 2026-11-26T03:00:00Z */

#define SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Every optional field; coded lists out of template order, kinds both ways round. */
static const char full[] =
    "{\"type\": \"request_assistance\", \"urgency\": \"urgent\", \"tlp\": \"AMBER\","
    " \"to\": [{\"state\": \"DEU\", \"kinds\": [\"diplomatic\", \"technical\"]},"
    " {\"kinds\": [\"technical\"], \"state\": \"KEN\"}],"
    " \"subject\": {\"text\": \"Wiper at Jos\\u00e9's grid\", \"lang\": \"en\"},"
    " \"description\": {\"lang\": \"fr\", \"text\": \"Ligne un\\nLigne deux\\r\\n\\tfin\"},"
    " \"sectors\": [\"water\", \"energy\"],"
    " \"incident\": {\"status\": \"ongoing\", \"impact\": \"high\","
    " \"first_seen\": \"2026-11-26T02:10:00Z\", \"detected\": \"2026-11-26T02:30:00Z\"},"
    " \"indicators\": [{\"value\": \"198.51.100.7\", \"type\": \"ipv4\"},"
    " {\"type\": \"sha256\", \"value\": \"" SHA256 "\"},"
    " {\"type\": \"cve\", \"value\": \"CVE-2024-3094\"}],"
    " \"requested_action\": [\"share_information\", \"mitigate\"],"
    " \"reply_by\": \"2026-11-27T02:10:00Z\", \"reply_languages\": [\"fr\", \"en\"],"
    " \"open_distribution\": true}";

static const char full_content[] =
    "{\"description\":{\"lang\":\"fr\",\"text\":\"Ligne un\\nLigne deux\\r\\n\\tfin\"},"
    "\"incident\":{\"detected\":\"2026-11-26T02:30:00Z\",\"first_seen\":\"2026-11-26T02:10:00Z\","
    "\"impact\":\"high\",\"status\":\"ongoing\"},"
    "\"indicators\":[{\"type\":\"ipv4\",\"value\":\"198.51.100.7\"},"
    "{\"type\":\"sha256\",\"value\":\"" SHA256 "\"},"
    "{\"type\":\"cve\",\"value\":\"CVE-2024-3094\"}],"
    "\"reply_by\":\"2026-11-27T02:10:00Z\",\"reply_languages\":[\"fr\",\"en\"],"
    "\"requested_action\":[\"share_information\",\"mitigate\"],"
    "\"sectors\":[\"water\",\"energy\"],"
    "\"subject\":{\"lang\":\"en\",\"text\":\"Wiper at Jos\xc3\xa9's grid\"}}";

/* The required fields only. */
static const char base[] =
    "{\"type\": \"notification\", \"urgency\": \"routine\", \"tlp\": \"GREEN\","
    " \"to\": [{\"state\": \"DEU\", \"kinds\": [\"technical\"]}],"
    " \"subject\": {\"text\": \"Wiper\", \"lang\": \"en\"},"
    " \"description\": {\"text\": \"Seen at 02:10.\", \"lang\": \"en\"}}";

static json_t *
load(const char *text)
{
	json_error_t e;
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);

	if (o == NULL)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	return o;
}

/* Decodes o at NOW and checks that it is refused with exactly the field paths in want
 * (NULL-terminated), in order, each with a reason; cm->content stays NULL. */
static void
expect_fields(const char *name, const json_t *o, const char *const *want)
{
	struct comm cm;
	struct verrs errs = {0};
	enum pocd_err err;
	size_t n = 0;
	char got[1024] = "";

	memset(&cm, 0, sizeof(cm));
	err = comm_decode(o, NOW, &cm, &errs);
	while (want[n] != NULL)
		n++;
	for (size_t i = 0; i < errs.n; i++) {
		strlcat(got, i ? ", " : "", sizeof(got));
		strlcat(got, errs.v[i].field, sizeof(got));
	}
	if (err != POCD_EINVAL || errs.n != n)
		fail_msg("%s: want %zu error(s), got %d with %zu: [%s] (%s)", name, n, (int)err,
		         errs.n, got, errs.n > 0 ? errs.v[0].reason : "");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(errs.v[i].field, want[i]) != 0)
			fail_msg("%s: error %zu on \"%s\", want \"%s\": [%s]", name, i,
			         errs.v[i].field, want[i], got);
		assert_true(strlen(errs.v[i].reason) > 0);
	}
	assert_null(cm.content);
}

/* Decodes o at now and requires success; returns the content (the caller frees it). */
static char *
expect_ok_at(const char *name, const json_t *o, int64_t now, struct comm *cm)
{
	struct verrs errs = {0};
	enum pocd_err err;

	memset(cm, 0, sizeof(*cm));
	err = comm_decode(o, now, cm, &errs);
	if (err != POCD_OK || errs.n != 0)
		fail_msg("%s: want POCD_OK, got %d, first error \"%s\": %s", name, (int)err,
		         errs.n > 0 ? errs.v[0].field : "", errs.n > 0 ? errs.v[0].reason : "");
	assert_non_null(cm->content);
	return cm->content;
}

static char *
expect_ok(const char *name, const json_t *o, struct comm *cm)
{
	return expect_ok_at(name, o, NOW, cm);
}

static void
decode_full(void **state)
{
	json_t *o = load(full), *again;
	struct comm cm;

	/* Whatever cm held before is replaced. */
	memset(&cm, 0, sizeof(cm));
	expect_ok("full", o, &cm);
	assert_string_equal(cm.type, "request_assistance");
	assert_string_equal(cm.urgency, "urgent");
	assert_string_equal(cm.tlp, "AMBER");
	assert_int_equal(cm.template_version, TEMPLATE_VERSION);
	assert_true(cm.open_distribution);
	assert_int_equal(cm.nrecipients, 2);
	assert_string_equal(cm.r[0].state, "DEU");
	assert_int_equal(cm.r[0].kinds, KIND_BIT(POC_TECHNICAL) | KIND_BIT(POC_DIPLOMATIC));
	assert_string_equal(cm.r[1].state, "KEN");
	assert_int_equal(cm.r[1].kinds, KIND_BIT(POC_TECHNICAL));
	/* Canonical: compact, keys sorted at every level, lists in the order given. */
	assert_string_equal(cm.content, full_content);

	/* The content is valid JSON that decodes to itself when wrapped in the header again. */
	again = load(cm.content);
	json_object_set_new(again, "type", json_string(cm.type));
	json_object_set_new(again, "urgency", json_string(cm.urgency));
	json_object_set_new(again, "tlp", json_string(cm.tlp));
	json_object_set_new(again, "open_distribution", json_true());
	json_object_set(again, "to", json_object_get(o, "to"));
	free(cm.content);
	expect_ok("full again", again, &cm);
	assert_string_equal(cm.content, full_content);
	free(cm.content);
	json_decref(again);
	json_decref(o);
}

static void
decode_minimal(void **state)
{
	json_t *o = load(base);
	struct comm cm;

	expect_ok("minimal", o, &cm);
	assert_string_equal(cm.type, "notification");
	assert_string_equal(cm.urgency, "routine");
	assert_string_equal(cm.tlp, "GREEN");
	assert_false(cm.open_distribution);
	assert_int_equal(cm.nrecipients, 1);
	assert_string_equal(cm.content,
	                    "{\"description\":{\"lang\":\"en\",\"text\":\"Seen at 02:10.\"},"
	                    "\"subject\":{\"lang\":\"en\",\"text\":\"Wiper\"}}");
	free(cm.content);
	json_decref(o);
}

/* base with the members of patch set (a JSON object text) and the member drop removed. */
static json_t *
patched(const char *patch, const char *drop)
{
	json_t *o = load(base), *p;

	if (patch != NULL) {
		p = load(patch);
		json_object_update(o, p);
		json_decref(p);
	}
	if (drop != NULL)
		json_object_del(o, drop);
	return o;
}

#define W(...)                                                                                     \
	(const char *const[])                                                                      \
	{                                                                                          \
		__VA_ARGS__, NULL                                                                  \
	}

static const struct bad {
	const char *name;
	const char *patch; /* members replacing base's, or NULL */
	const char *drop;  /* a member removed, or NULL */
	const char *const *want;
} bad[] = {
    /* The body itself and its members. */
    {"unknown member", "{\"colour\": \"red\"}", NULL, W("colour")},
    {"two unknown members", "{\"a\": 1, \"b\": 2}", NULL, W("a", "b")},
    {"missing type", NULL, "type", W("type")},
    {"type bad code", "{\"type\": \"complaint\"}", NULL, W("type")},
    {"type number", "{\"type\": 1}", NULL, W("type")},
    {"type null", "{\"type\": null}", NULL, W("type")},
    {"urgency case", "{\"urgency\": \"Urgent\"}", NULL, W("urgency")},
    {"missing urgency", NULL, "urgency", W("urgency")},
    {"tlp 1.0", "{\"tlp\": \"WHITE\"}", NULL, W("tlp")},
    {"tlp lower case", "{\"tlp\": \"amber\"}", NULL, W("tlp")},
    {"missing tlp", NULL, "tlp", W("tlp")},
    {"errors in field order", "{\"zz\": 0, \"tlp\": \"x\", \"type\": \"x\", \"urgency\": \"x\"}",
     NULL, W("zz", "type", "urgency", "tlp")},
    /* Recipients. */
    {"missing to", NULL, "to", W("to")},
    {"to string", "{\"to\": \"DEU\"}", NULL, W("to")},
    {"to empty", "{\"to\": []}", NULL, W("to")},
    {"to item string", "{\"to\": [\"DEU\"]}", NULL, W("to[0]")},
    {"to state lower case", "{\"to\": [{\"state\": \"deu\", \"kinds\": [\"technical\"]}]}", NULL,
     W("to[0].state")},
    {"to state alpha-2", "{\"to\": [{\"state\": \"DE\", \"kinds\": [\"technical\"]}]}", NULL,
     W("to[0].state")},
    {"to state missing", "{\"to\": [{\"kinds\": [\"technical\"]}]}", NULL, W("to[0].state")},
    {"to kinds missing", "{\"to\": [{\"state\": \"DEU\"}]}", NULL, W("to[0].kinds")},
    {"to kinds empty", "{\"to\": [{\"state\": \"DEU\", \"kinds\": []}]}", NULL, W("to[0].kinds")},
    {"to kinds twice",
     "{\"to\": [{\"state\": \"DEU\", \"kinds\": [\"technical\", \"technical\"]}]}", NULL,
     W("to[0].kinds")},
    {"to second kinds bad",
     "{\"to\": [{\"state\": \"DEU\", \"kinds\": [\"technical\"]},"
     " {\"state\": \"KEN\", \"kinds\": [\"legal\"]}]}",
     NULL, W("to[1].kinds")},
    {"to duplicate state",
     "{\"to\": [{\"state\": \"DEU\", \"kinds\": [\"technical\"]},"
     " {\"state\": \"DEU\", \"kinds\": [\"diplomatic\"]}]}",
     NULL, W("to[1].state")},
    {"to unknown member", "{\"to\": [{\"state\": \"DEU\", \"kinds\": [\"technical\"], \"cc\": 1}]}",
     NULL, W("to[0].cc")},
    /* open_distribution. */
    {"open_distribution RED", "{\"tlp\": \"RED\", \"open_distribution\": true}", NULL,
     W("open_distribution")},
    {"open_distribution AMBER+STRICT", "{\"tlp\": \"AMBER+STRICT\", \"open_distribution\": true}",
     NULL, W("open_distribution")},
    {"open_distribution string", "{\"open_distribution\": \"yes\"}", NULL, W("open_distribution")},
    /* Tagged text. */
    {"missing subject", NULL, "subject", W("subject")},
    {"subject string", "{\"subject\": \"Wiper\"}", NULL, W("subject")},
    {"subject null", "{\"subject\": null}", NULL, W("subject")},
    {"subject text missing", "{\"subject\": {\"lang\": \"en\"}}", NULL, W("subject.text")},
    {"subject text empty", "{\"subject\": {\"text\": \"\", \"lang\": \"en\"}}", NULL,
     W("subject.text")},
    {"subject line break", "{\"subject\": {\"text\": \"a\\nb\", \"lang\": \"en\"}}", NULL,
     W("subject.text")},
    {"subject tab", "{\"subject\": {\"text\": \"a\\tb\", \"lang\": \"en\"}}", NULL,
     W("subject.text")},
    {"subject NUL", "{\"subject\": {\"text\": \"a\\u0000b\", \"lang\": \"en\"}}", NULL,
     W("subject.text")},
    {"subject lang", "{\"subject\": {\"text\": \"Wiper\", \"lang\": \"english\"}}", NULL,
     W("subject.lang")},
    {"subject lang upper case", "{\"subject\": {\"text\": \"Wiper\", \"lang\": \"EN\"}}", NULL,
     W("subject.lang")},
    {"subject lang missing", "{\"subject\": {\"text\": \"Wiper\"}}", NULL, W("subject.lang")},
    {"subject unknown member",
     "{\"subject\": {\"text\": \"Wiper\", \"lang\": \"en\", \"font\": \"bold\"}}", NULL,
     W("subject.font")},
    {"missing description", NULL, "description", W("description")},
    {"description text empty", "{\"description\": {\"text\": \"\", \"lang\": \"en\"}}", NULL,
     W("description.text")},
    {"description bell", "{\"description\": {\"text\": \"a\\u0007b\", \"lang\": \"en\"}}", NULL,
     W("description.text")},
    {"description DEL", "{\"description\": {\"text\": \"a\\u007fb\", \"lang\": \"en\"}}", NULL,
     W("description.text")},
    {"description C1", "{\"description\": {\"text\": \"a\\u0085b\", \"lang\": \"en\"}}", NULL,
     W("description.text")},
    {"description NUL", "{\"description\": {\"text\": \"a\\u0000b\", \"lang\": \"en\"}}", NULL,
     W("description.text")},
    {"description both bad", "{\"description\": {\"text\": 5, \"lang\": 5}}", NULL,
     W("description.text", "description.lang")},
    /* Coded lists. */
    {"sectors string", "{\"sectors\": \"energy\"}", NULL, W("sectors")},
    {"sectors empty", "{\"sectors\": []}", NULL, W("sectors")},
    {"sectors bad code", "{\"sectors\": [\"nuclear\"]}", NULL, W("sectors[0]")},
    {"sectors second bad", "{\"sectors\": [\"energy\", 3]}", NULL, W("sectors[1]")},
    {"sectors twice", "{\"sectors\": [\"energy\", \"water\", \"energy\"]}", NULL, W("sectors[2]")},
    {"requested_action twice", "{\"requested_action\": [\"consult\", \"consult\"]}", NULL,
     W("requested_action[1]")},
    {"requested_action bad", "{\"requested_action\": [\"retaliate\"]}", NULL,
     W("requested_action[0]")},
    {"requested_action seven",
     "{\"requested_action\": [\"investigate\", \"mitigate\", \"preserve_evidence\","
     " \"share_information\", \"consult\", \"acknowledge_only\", \"investigate\"]}",
     NULL, W("requested_action")},
    {"reply_languages bad", "{\"reply_languages\": [\"en\", \"xx\"]}", NULL,
     W("reply_languages[1]")},
    {"reply_languages seven",
     "{\"reply_languages\": [\"ar\", \"zh\", \"en\", \"fr\", \"ru\", \"es\", \"de\"]}", NULL,
     W("reply_languages")},
    {"reply_languages empty", "{\"reply_languages\": []}", NULL, W("reply_languages")},
    {"reply_languages twice", "{\"reply_languages\": [\"fr\", \"en\", \"fr\"]}", NULL,
     W("reply_languages[2]")},
    /* The incident. */
    {"incident string", "{\"incident\": \"bad\"}", NULL, W("incident")},
    {"incident impact", "{\"incident\": {\"impact\": \"severe\"}}", NULL, W("incident.impact")},
    {"incident status", "{\"incident\": {\"status\": \"over\"}}", NULL, W("incident.status")},
    {"incident first_seen format", "{\"incident\": {\"first_seen\": \"2026-11-26 02:10:00\"}}",
     NULL, W("incident.first_seen")},
    {"incident first_seen offset",
     "{\"incident\": {\"first_seen\": \"2026-11-26T02:10:00+01:00\"}}", NULL,
     W("incident.first_seen")},
    {"incident detected day", "{\"incident\": {\"detected\": \"2026-02-30T02:10:00Z\"}}", NULL,
     W("incident.detected")},
    {"incident detected before first_seen",
     "{\"incident\": {\"first_seen\": \"2026-11-26T02:30:00Z\","
     " \"detected\": \"2026-11-26T02:10:00Z\"}}",
     NULL, W("incident.detected")},
    {"incident in the future", "{\"incident\": {\"detected\": \"2026-11-26T03:05:01Z\"}}", NULL,
     W("incident")},
    {"incident unknown member", "{\"incident\": {\"impact\": \"low\", \"cause\": \"x\"}}", NULL,
     W("incident.cause")},
    /* Indicators. */
    {"indicators object", "{\"indicators\": {}}", NULL, W("indicators")},
    {"indicator string", "{\"indicators\": [\"198.51.100.7\"]}", NULL, W("indicators[0]")},
    {"indicator third value",
     "{\"indicators\": [{\"type\": \"ipv4\", \"value\": \"198.51.100.7\"},"
     " {\"type\": \"domain\", \"value\": \"example.org\"},"
     " {\"type\": \"ipv4\", \"value\": \"999.1.1.1\"}]}",
     NULL, W("indicators[2].value")},
    {"indicator type unknown", "{\"indicators\": [{\"type\": \"ip\", \"value\": \"1.2.3.4\"}]}",
     NULL, W("indicators[0].type")},
    {"indicator type missing", "{\"indicators\": [{\"value\": \"1.2.3.4\"}]}", NULL,
     W("indicators[0].type")},
    {"indicator value missing", "{\"indicators\": [{\"type\": \"ipv4\"}]}", NULL,
     W("indicators[0].value")},
    {"indicator value number", "{\"indicators\": [{\"type\": \"asn\", \"value\": 64496}]}", NULL,
     W("indicators[0].value")},
    {"indicator value NUL",
     "{\"indicators\": [{\"type\": \"ipv4\", \"value\": \"1.2.3.4\\u0000x\"}]}", NULL,
     W("indicators[0].value")},
    {"indicator unknown member",
     "{\"indicators\": [{\"type\": \"ipv4\", \"value\": \"1.2.3.4\", \"seen\": 1}]}", NULL,
     W("indicators[0].seen")},
    /* reply_by against the clock given. */
    {"reply_by past", "{\"reply_by\": \"2026-11-26T02:59:59Z\"}", NULL, W("reply_by")},
    {"reply_by now", "{\"reply_by\": \"2026-11-26T03:00:00Z\"}", NULL, W("reply_by")},
    {"reply_by format", "{\"reply_by\": \"tomorrow\"}", NULL, W("reply_by")},
    {"reply_by number", "{\"reply_by\": 1795748400}", NULL, W("reply_by")},
    /* Every problem is named, not only the first: reply_by after another error. */
    {"type and reply_by", "{\"type\": \"x\", \"reply_by\": \"2026-11-26T02:00:00Z\"}", NULL,
     W("type", "reply_by")},
};

static void
bad_inputs(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *o = patched(bad[i].patch, bad[i].drop);
		expect_fields(bad[i].name, o, bad[i].want);
		json_decref(o);
	}
}

/* The limits and the edges just inside them. */
static void
limits(void **state)
{
	json_t *o, *list;
	struct comm cm;
	char text[2 * 201 + 1];
	char name[8];
	static const char *const states[] = {"AAA", "BBB", "CCC", "DDD", "EEE", "FFF",
	                                     "GGG", "HHH", "III", "JJJ", "KKK", "LLL",
	                                     "MMM", "NNN", "OOO", "PPP", "QQQ"};

	/* Subject: 200 characters, counted as characters, not bytes. */
	for (size_t i = 0; i < 200; i++)
		memcpy(text + 2 * i, "\xc3\xa9", 2);
	text[400] = '\0';
	o = patched(NULL, NULL);
	json_object_set_new(o, "subject", json_pack("{s:s,s:s}", "text", text, "lang", "fr"));
	free(expect_ok("200 characters", o, &cm));
	memcpy(text + 400, "\xc3\xa9", 3);
	json_object_set_new(o, "subject", json_pack("{s:s,s:s}", "text", text, "lang", "fr"));
	expect_fields("201 characters", o, W("subject.text"));
	json_decref(o);

	/* Indicators: 100, then 101. */
	o = patched(NULL, NULL);
	list = json_array();
	for (int i = 0; i < INDICATORS_MAX; i++) {
		snprintf(text, sizeof(text), "198.51.100.%d", i);
		json_array_append_new(list, json_pack("{s:s,s:s}", "type", "ipv4", "value", text));
	}
	json_object_set(o, "indicators", list);
	free(expect_ok("100 indicators", o, &cm));
	json_array_append_new(list, json_pack("{s:s,s:s}", "type", "md5", "value", "0"));
	expect_fields("101 indicators", o, W("indicators"));
	json_decref(list);
	/* An empty list is no indicator at all, and kept as such. */
	json_object_set_new(o, "indicators", json_array());
	expect_ok("no indicators", o, &cm);
	assert_non_null(strstr(cm.content, "\"indicators\":[]"));
	free(cm.content);
	json_decref(o);

	/* Recipients: 16, then 17. */
	o = patched(NULL, NULL);
	list = json_array();
	for (size_t i = 0; i < COMM_MAX_RECIPIENTS; i++)
		json_array_append_new(
		    list, json_pack("{s:s,s:[s]}", "state", states[i], "kinds", "technical"));
	json_object_set(o, "to", list);
	expect_ok("16 recipients", o, &cm);
	assert_int_equal(cm.nrecipients, COMM_MAX_RECIPIENTS);
	assert_string_equal(cm.r[15].state, "PPP");
	free(cm.content);
	json_array_append_new(list,
	                      json_pack("{s:s,s:[s]}", "state", states[16], "kinds", "technical"));
	expect_fields("17 recipients", o, W("to"));
	json_decref(list);
	json_decref(o);

	/* Thirty-three unknown members: the list stops at VERR_MAX, still refused. */
	o = patched(NULL, NULL);
	for (int i = 0; i < 33; i++) {
		snprintf(name, sizeof(name), "x%02d", i);
		json_object_set_new(o, name, json_true());
	}
	{
		struct verrs errs = {0};
		memset(&cm, 0, sizeof(cm));
		assert_int_equal(comm_decode(o, NOW, &cm, &errs), POCD_EINVAL);
		assert_int_equal(errs.n, VERR_MAX);
		assert_null(cm.content);
	}
	json_decref(o);

	/* Not an object. */
	o = load("[1]");
	expect_fields("array body", o, W(""));
	json_decref(o);
}

/* Accepted variations of the valid fields. */
/* null stands for absent in the optional fields. */
static const char nulls[] =
    "{\"sectors\": null, \"incident\": null, \"indicators\": null, \"requested_action\": null,"
    " \"reply_by\": null, \"reply_languages\": null, \"open_distribution\": null}";

static void
accepted(void **state)
{
	static const char *const ok[] = {
	    "{\"description\": {\"text\": \"one\\ntwo\\r\\n\\tthree\", \"lang\": \"en\"}}",
	    "{\"tlp\": \"RED\", \"open_distribution\": false}",
	    "{\"tlp\": \"AMBER+STRICT\"}",
	    "{\"tlp\": \"CLEAR\", \"open_distribution\": true}",
	    "{\"to\": [{\"state\": \"DEU\", \"kinds\": [\"diplomatic\"]}]}",
	    "{\"incident\": {}}",
	    "{\"incident\": {\"first_seen\": \"2026-11-26T02:10:00Z\","
	    " \"detected\": \"2026-11-26T02:10:00Z\"}}",
	    "{\"incident\": {\"detected\": \"2026-11-26T03:05:00Z\"}}", /* 5 min of clock skew */
	    "{\"reply_by\": \"2026-11-26T03:00:01Z\"}",
	    nulls,
	    "{\"subject\": {\"text\": \"\\u0627\\u0644\\u0637\\u0627\\u0642\\u0629 \\u7535\","
	    " \"lang\": \"ar\"}}",
	};
	struct comm cm;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		json_t *o = patched(ok[i], NULL);
		free(expect_ok(ok[i], o, &cm));
		json_decref(o);
	}
	/* Null members leave nothing behind in the content. */
	{
		json_t *o = patched(nulls, NULL);
		expect_ok("nulls", o, &cm);
		assert_false(cm.open_distribution);
		assert_string_equal(
		    cm.content, "{\"description\":{\"lang\":\"en\",\"text\":\"Seen at 02:10.\"},"
		                "\"subject\":{\"lang\":\"en\",\"text\":\"Wiper\"}}");
		free(cm.content);
		json_decref(o);
	}
	/* The reply_by check follows the clock given, not the machine's. */
	{
		json_t *o = patched("{\"reply_by\": \"2026-11-26T02:59:59Z\"}", NULL);
		free(expect_ok_at("reply_by earlier clock", o, NOW - 3600, &cm));
		json_decref(o);
	}
}

/* Each type with values it takes and values it refuses. */
static const struct {
	const char *type, *value;
	bool ok;
} ind[] = {
    {"ipv4", "198.51.100.7", true},
    {"ipv4", "0.0.0.0", true},
    {"ipv4", "999.1.1.1", false},
    {"ipv4", "1.2.3", false},
    {"ipv4", "1.2.3.4.5", false},
    {"ipv4", " 1.2.3.4", false},
    {"ipv4", "2001:db8::1", false},
    {"ipv4", "", false},
    {"ipv6", "2001:db8::1", true},
    {"ipv6", "::1", true},
    {"ipv6", "::ffff:198.51.100.7", true},
    {"ipv6", "2001:::1", false},
    {"ipv6", "2001:db8::g", false},
    {"ipv6", "198.51.100.7", false},
    {"cidr", "198.51.100.0/24", true},
    {"cidr", "198.51.100.7/32", true},
    {"cidr", "0.0.0.0/0", true},
    {"cidr", "2001:db8::/32", true},
    {"cidr", "2001:db8::/128", true},
    {"cidr", "198.51.100.0/33", false},
    {"cidr", "2001:db8::/129", false},
    {"cidr", "198.51.100.0", false},
    {"cidr", "198.51.100.0/", false},
    {"cidr", "198.51.100.0/-1", false},
    {"cidr", "198.51.100.0/+1", false},
    {"cidr", "198.51.100.0/24x", false},
    {"cidr", "/24", false},
    {"cidr", "198.51.100.0/99999999999999999999999", false},
    {"domain", "example.org", true},
    {"domain", "mail.example.org", true},
    {"domain", "_dmarc.example.org", true},
    {"domain", "xn--bcher-kva.example", true},
    {"domain", "a..b", false},
    {"domain", "-a.com", false},
    {"domain", "a-.com", false},
    {"domain", "example.123", false},
    {"domain", "localhost", false},
    {"domain", "exa mple.org", false},
    {"domain", ".example.org", false},
    {"domain", "example.org.", false},
    {"domain", "", false},
    {"url", "https://example.org/path?q=1#frag", true},
    {"url", "http://198.51.100.7:8080/x", true},
    {"url", "ftp://files.example.org/pub", true},
    {"url", "https://[2001:db8::1]/x", true},
    {"url", "HTTPS://EXAMPLE.ORG", true},
    {"url", "http://user@example.org/", true},
    {"url", "javascript:alert(1)", false},
    {"url", "file:///etc/passwd", false},
    {"url", "http://", false},
    {"url", "https://", false},
    {"url", "http:///path", false},
    {"url", "http://exa mple.org/", false},
    {"url", "http://999.1.1.1/", false},
    {"url", "https://[2001:db8::1/x", false},
    {"url", "https://[198.51.100.7]/", false},
    {"url", "http://example.org/<script>", false},
    {"url", "http://example.org/\n", false},
    {"email", "soc@cert.example.org", true},
    {"email", "no-at-sign.example", false},
    {"email", "two@@example.org", false},
    {"email", "soc@localhost", false},
    {"md5", "d41d8cd98f00b204e9800998ecf8427e", true},
    {"md5", "D41D8CD98F00B204E9800998ECF8427E", true},
    {"md5", "d41d8cd98f00b204e9800998ecf8427", false},
    {"md5", "d41d8cd98f00b204e9800998ecf8427ee", false},
    {"md5", "z41d8cd98f00b204e9800998ecf8427e", false},
    {"sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", true},
    {"sha1", "da39a3ee5e6b4b0d3255bfef95601890afd8070g", false},
    {"sha1", "da39a3ee5e6b4b0d3255bfef95601890afd807", false},
    {"sha1", "d41d8cd98f00b204e9800998ecf8427e", false},
    {"sha256", SHA256, true},
    {"sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", false},
    {"sha256", SHA256 "5", false},
    {"sha256", "x3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false},
    {"asn", "AS64496", true},
    {"asn", "as64496", true},
    {"asn", "64496", true},
    {"asn", "1", true},
    {"asn", "4294967295", true},
    {"asn", "AS4294967295", true},
    {"asn", "AS0", false},
    {"asn", "0", false},
    {"asn", "AS4294967296", false},
    {"asn", "AS18446744073709551616", false},
    {"asn", "AS", false},
    {"asn", "ASX", false},
    {"asn", "AS01", false},
    {"asn", "AS-1", false},
    {"asn", "AS 1", false},
    {"asn", "AS1x", false},
    {"cve", "CVE-2024-3094", true},
    {"cve", "CVE-2021-44228", true},
    {"cve", "CVE-2024-1234567890123456789", true},
    {"cve", "CVE-24-1", false},
    {"cve", "CVE-2024-123", false},
    {"cve", "cve-2024-3094", false},
    {"cve", "CVE-2024-3094x", false},
    {"cve", "CVE-20a4-3094", false},
    {"cve", "CVE_2024-3094", false},
    {"cve", "CVE-2024-12345678901234567890", false},
};

static void
indicator_types(void **state)
{
	const char *why;
	bool seen[11] = {false};
	const struct tset *ts = template_set("indicator_type");

	assert_non_null(ts);
	for (size_t i = 0; i < sizeof(ind) / sizeof(ind[0]); i++) {
		int k = template_code(ts, ind[i].type);
		why = NULL;
		if (indicator_valid(ind[i].type, ind[i].value, &why) != ind[i].ok)
			fail_msg("%s \"%s\": want %s", ind[i].type, ind[i].value,
			         ind[i].ok ? "valid" : "invalid");
		/* A rule naming the type's form, valid or not. */
		assert_non_null(why);
		assert_null(strstr(why, "not a known"));
		assert_true(k >= 0 && (size_t)k < sizeof(seen));
		seen[k] = true;
	}
	/* Every type of the template is exercised above. */
	assert_int_equal(ts->n, sizeof(seen));
	for (size_t k = 0; k < ts->n; k++)
		if (!seen[k])
			fail_msg("indicator type %s untested", ts->codes[k].code);

	assert_false(indicator_valid("ip", "1.2.3.4", &why));
	assert_string_equal(why, "is not a known indicator type");
	assert_true(indicator_valid("ipv4", "1.2.3.4", &why));
	assert_string_equal(why, "must be an IPv4 address such as 198.51.100.7");
}

/* Decodes a reply; checks the result and, on success, the body and state. */
static void
reply_case(const char *text, enum pocd_err want, const char *body, const char *st,
           const char *const *fields)
{
	json_t *o = load(text);
	struct verrs errs = {0};
	char *got = (char *)"untouched";
	char thread[STATE_SIZE] = "XXX";
	enum pocd_err err = reply_decode(o, &got, thread, &errs);
	size_t n = 0;

	if (err != want)
		fail_msg("%s: want %d, got %d (%s: %s)", text, (int)want, (int)err,
		         errs.n ? errs.v[0].field : "", errs.n ? errs.v[0].reason : "");
	if (want == POCD_OK) {
		assert_int_equal(errs.n, 0);
		assert_non_null(got);
		assert_string_equal(got, body);
		assert_string_equal(thread, st);
		free(got);
	} else {
		assert_null(got);
		while (fields[n] != NULL)
			n++;
		if (errs.n != n)
			fail_msg("%s: want %zu error(s), got %zu (first \"%s\")", text, n, errs.n,
			         errs.n ? errs.v[0].field : "");
		for (size_t i = 0; i < n; i++)
			assert_string_equal(errs.v[i].field, fields[i]);
	}
	json_decref(o);
}

static void
replies(void **state)
{
	char *big;
	json_t *o;
	struct verrs errs = {0};
	char *body;
	char thread[STATE_SIZE];

	reply_case("{\"text\": \"Seen.\\nMitigating.\", \"lang\": \"fr\"}", POCD_OK,
	           "{\"lang\":\"fr\",\"text\":\"Seen.\\nMitigating.\"}", "", NULL);
	/* state picks the thread and is not part of the body. */
	reply_case("{\"state\": \"DEU\", \"lang\": \"en\", \"text\": \"ok\","
	           " \"indicators\": [{\"value\": \"example.org\", \"type\": \"domain\"}]}",
	           POCD_OK,
	           "{\"indicators\":[{\"type\":\"domain\",\"value\":\"example.org\"}],"
	           "\"lang\":\"en\",\"text\":\"ok\"}",
	           "DEU", NULL);
	reply_case("{\"text\": \"ok\", \"lang\": \"en\", \"indicators\": []}", POCD_OK,
	           "{\"indicators\":[],\"lang\":\"en\",\"text\":\"ok\"}", "", NULL);
	reply_case("{\"text\": \"ok\", \"lang\": \"en\", \"state\": null, \"indicators\": null}",
	           POCD_OK, "{\"lang\":\"en\",\"text\":\"ok\"}", "", NULL);
	reply_case("{}", POCD_EINVAL, NULL, NULL, W("text", "lang"));
	reply_case("[]", POCD_EINVAL, NULL, NULL, W(""));
	reply_case("{\"text\": \"\", \"lang\": \"en\"}", POCD_EINVAL, NULL, NULL, W("text"));
	reply_case("{\"text\": 1, \"lang\": \"en\"}", POCD_EINVAL, NULL, NULL, W("text"));
	reply_case("{\"text\": \"a\\u0001\", \"lang\": \"en\"}", POCD_EINVAL, NULL, NULL,
	           W("text"));
	reply_case("{\"text\": \"a\\u0000b\", \"lang\": \"en\"}", POCD_EINVAL, NULL, NULL,
	           W("text"));
	reply_case("{\"text\": \"ok\", \"lang\": \"xx\"}", POCD_EINVAL, NULL, NULL, W("lang"));
	reply_case("{\"text\": \"ok\"}", POCD_EINVAL, NULL, NULL, W("lang"));
	reply_case("{\"text\": \"ok\", \"lang\": \"en\", \"state\": \"de\"}", POCD_EINVAL, NULL,
	           NULL, W("state"));
	reply_case("{\"text\": \"ok\", \"lang\": \"en\", \"state\": 276}", POCD_EINVAL, NULL, NULL,
	           W("state"));
	reply_case("{\"text\": \"ok\", \"lang\": \"en\","
	           " \"indicators\": [{\"type\": \"ipv6\", \"value\": \"2001:::1\"}]}",
	           POCD_EINVAL, NULL, NULL, W("indicators[0].value"));
	reply_case("{\"text\": \"ok\", \"lang\": \"en\", \"indicators\": \"x\"}", POCD_EINVAL, NULL,
	           NULL, W("indicators"));
	reply_case("{\"text\": \"ok\", \"lang\": \"en\", \"subject\": \"x\", \"to\": []}",
	           POCD_EINVAL, NULL, NULL, W("subject", "to"));

	/* REPLY_MAX characters, then one more. */
	big = malloc(REPLY_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', REPLY_MAX);
	big[REPLY_MAX] = '\0';
	o = json_pack("{s:s,s:s}", "text", big, "lang", "en");
	assert_int_equal(reply_decode(o, &body, thread, &errs), POCD_OK);
	free(body);
	json_decref(o);
	big[REPLY_MAX] = 'a';
	big[REPLY_MAX + 1] = '\0';
	o = json_pack("{s:s,s:s}", "text", big, "lang", "en");
	assert_int_equal(reply_decode(o, &body, thread, &errs), POCD_EINVAL);
	assert_null(body);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0].field, "text");
	json_decref(o);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(decode_full), cmocka_unit_test(decode_minimal),
	    cmocka_unit_test(bad_inputs),  cmocka_unit_test(limits),
	    cmocka_unit_test(accepted),    cmocka_unit_test(indicator_types),
	    cmocka_unit_test(replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
