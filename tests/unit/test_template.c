/* Unit tests of src/core/template.h: the schema is exactly the one below, and every set and code
 * reads in all six UN languages. A change to the schema fails here until this file follows it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/template.h"

enum { AR, ZH, EN, FR, RU, ES };

static const char *const lang_names[NLANGS] = {"ar", "zh", "en", "fr", "ru", "es"};

static const char *const exp_type[] = {
    "notification",          "request_information",       "request_assistance",
    "request_clarification", "request_capacity_building",
};
static const char *const exp_urgency[] = {"routine", "priority", "urgent"};
static const char *const exp_tlp[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
static const char *const exp_sector[] = {
    "energy",
    "water",
    "health",
    "finance",
    "transport",
    "telecommunications",
    "digital_infrastructure",
    "government",
    "emergency_services",
    "food_agriculture",
    "chemical",
    "manufacturing",
    "space",
    "education",
    "other",
};
static const char *const exp_incident_status[] = {"ongoing", "contained", "resolved"};
static const char *const exp_impact[] = {"low", "medium", "high", "critical"};
static const char *const exp_indicator_type[] = {
    "ipv4", "ipv6", "cidr", "domain", "url", "email", "md5", "sha1", "sha256", "asn", "cve",
};
static const char *const exp_requested_action[] = {
    "investigate",       "mitigate", "preserve_evidence",
    "share_information", "consult",  "acknowledge_only",
};

#define EXP(name, a)                                                                               \
	{                                                                                          \
		name, a, sizeof(a) / sizeof((a)[0])                                                \
	}

static const struct {
	const char *name;
	const char *const *codes;
	size_t n;
} expected[] = {
    EXP("type", exp_type),
    EXP("urgency", exp_urgency),
    EXP("tlp", exp_tlp),
    EXP("sector", exp_sector),
    EXP("incident_status", exp_incident_status),
    EXP("impact", exp_impact),
    EXP("indicator_type", exp_indicator_type),
    EXP("requested_action", exp_requested_action),
};

#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

/* Decodes the UTF-8 character at *p and advances *p past it; returns the code point, or -1 on
 * a malformed, overlong or surrogate sequence (with *p left where it was). */
static long
next_cp(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	long cp, min;
	int len, i;

	if (s[0] < 0x80) {
		cp = s[0];
		len = 1;
		min = 0;
	} else if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f;
		len = 2;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f;
		len = 3;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		cp = s[0] & 0x07;
		len = 4;
		min = 0x10000;
	} else {
		return -1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*p += len;
	return cp;
}

enum script { SC_ARABIC, SC_CJK, SC_CYRILLIC, SC_NSCRIPTS };

static bool
in_script(long cp, enum script sc)
{
	switch (sc) {
	case SC_ARABIC:
		return (cp >= 0x0600 && cp <= 0x06ff) || (cp >= 0x0750 && cp <= 0x077f) ||
		       (cp >= 0xfb50 && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff);
	case SC_CJK:
		return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf);
	case SC_CYRILLIC:
		return cp >= 0x0400 && cp <= 0x04ff;
	default:
		return false;
	}
}

/* Whether s is valid UTF-8 and contains at least one character of script sc. */
static bool
has_script(const char *s, enum script sc)
{
	bool found = false;
	long cp;

	while (*s != '\0') {
		cp = next_cp(&s);
		if (cp < 0)
			return false;
		if (in_script(cp, sc))
			found = true;
	}
	return found;
}

/* Checks one label: present, valid UTF-8 without control characters, no leading, trailing or
 * doubled space, and in the script its language is written in and no other of the three. */
static void
check_label(const char *label, int lang, const char *where)
{
	static const enum script own[NLANGS] = {SC_ARABIC,   SC_CJK,      SC_NSCRIPTS,
	                                        SC_NSCRIPTS, SC_CYRILLIC, SC_NSCRIPTS};
	const char *p;
	size_t len;
	long cp;
	int sc;

	if (label == NULL || label[0] == '\0')
		fail_msg("%s: no %s label", where, lang_names[lang]);
	len = strlen(label);
	if (label[0] == ' ' || label[len - 1] == ' ' || strstr(label, "  ") != NULL)
		fail_msg("%s: stray space in %s label \"%s\"", where, lang_names[lang], label);
	for (p = label; *p != '\0';) {
		cp = next_cp(&p);
		if (cp < 0)
			fail_msg("%s: %s label is not UTF-8", where, lang_names[lang]);
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			fail_msg("%s: control character in %s label", where, lang_names[lang]);
	}
	for (sc = 0; sc < SC_NSCRIPTS; sc++) {
		bool has = has_script(label, (enum script)sc);

		if (own[lang] == (enum script)sc && !has)
			fail_msg("%s: %s label \"%s\" lacks its script", where, lang_names[lang],
			         label);
		if (own[lang] != (enum script)sc && has)
			fail_msg("%s: %s label \"%s\" mixes in another script", where,
			         lang_names[lang], label);
	}
}

static void
version(void **state)
{
	(void)state;
	assert_int_equal(TEMPLATE_VERSION, 1);
}

/* The set names and codes are exactly the lists of template version 1, in order. */
static void
schema(void **state)
{
	size_t i, j;

	(void)state;
	assert_int_equal(template_nsets, NEXPECTED);
	for (i = 0; i < NEXPECTED; i++) {
		const struct tset *set = &template_sets[i];

		assert_string_equal(set->name, expected[i].name);
		assert_non_null(set->codes);
		if (set->n != expected[i].n)
			fail_msg("set %s has %zu codes, expected %zu", set->name, set->n,
			         expected[i].n);
		for (j = 0; j < set->n; j++)
			assert_string_equal(set->codes[j].code, expected[i].codes[j]);
	}
}

/* Codes are plain ASCII tokens, unique within their set; set names are unique. */
static void
codes_unique(void **state)
{
	size_t i, j, k;

	(void)state;
	for (i = 0; i < template_nsets; i++) {
		const struct tset *set = &template_sets[i];

		for (k = i + 1; k < template_nsets; k++)
			assert_string_not_equal(set->name, template_sets[k].name);
		for (j = 0; j < set->n; j++) {
			const char *c = set->codes[j].code;

			assert_non_null(c);
			assert_true(c[0] != '\0');
			assert_int_equal(strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789_"
			                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ+"),
			                 strlen(c));
			for (k = j + 1; k < set->n; k++)
				assert_string_not_equal(c, set->codes[k].code);
		}
	}
}

/* Every set and every code has a label in each of the six languages, in the right script. */
static void
labels_complete(void **state)
{
	char where[128];
	size_t i, j;
	int l;

	(void)state;
	for (i = 0; i < template_nsets; i++) {
		const struct tset *set = &template_sets[i];

		for (l = 0; l < NLANGS; l++) {
			snprintf(where, sizeof(where), "set %s", set->name);
			check_label(set->label[l], l, where);
			for (j = 0; j < set->n; j++) {
				snprintf(where, sizeof(where), "%s.%s", set->name,
				         set->codes[j].code);
				check_label(set->codes[j].label[l], l, where);
			}
		}
	}
}

/* No two codes of a set share a label in any language, nor do two sets. */
static void
labels_distinct(void **state)
{
	size_t i, j, k;
	int l;

	(void)state;
	for (l = 0; l < NLANGS; l++) {
		for (i = 0; i < template_nsets; i++) {
			const struct tset *set = &template_sets[i];

			for (k = i + 1; k < template_nsets; k++)
				if (strcmp(set->label[l], template_sets[k].label[l]) == 0)
					fail_msg("sets %s and %s share the %s label \"%s\"",
					         set->name, template_sets[k].name, lang_names[l],
					         set->label[l]);
			for (j = 0; j < set->n; j++)
				for (k = j + 1; k < set->n; k++)
					if (strcmp(set->codes[j].label[l],
					           set->codes[k].label[l]) == 0)
						fail_msg("%s: %s and %s share the %s label \"%s\"",
						         set->name, set->codes[j].code,
						         set->codes[k].code, lang_names[l],
						         set->codes[j].label[l]);
		}
	}
}

/* The script checks themselves: they tell the scripts apart. */
static void
scripts(void **state)
{
	(void)state;
	assert_true(has_script("عنوان IPv4", SC_ARABIC));
	assert_false(has_script("IPv4 address", SC_ARABIC));
	assert_true(has_script("IPv4 地址", SC_CJK));
	assert_false(has_script("IPv4-адрес", SC_CJK));
	assert_true(has_script("IPv4-адрес", SC_CYRILLIC));
	assert_false(has_script("Adresse IPv4 é", SC_CYRILLIC));
	assert_false(has_script("\xc0\x80", SC_CYRILLIC)); /* overlong */
	assert_false(has_script("\xd0", SC_CYRILLIC));     /* truncated */
}

/* Each TLP label keeps its untranslated TLP:XXX token, in every language. */
static void
tlp_tokens(void **state)
{
	const struct tset *tlp = template_set("tlp");
	char token[32];
	size_t j;
	int l;

	(void)state;
	assert_non_null(tlp);
	for (j = 0; j < tlp->n; j++) {
		snprintf(token, sizeof(token), "TLP:%s ", tlp->codes[j].code);
		for (l = 0; l < NLANGS; l++)
			if (strncmp(tlp->codes[j].label[l], token, strlen(token)) != 0)
				fail_msg("tlp.%s: %s label does not start with \"%s\"",
				         tlp->codes[j].code, lang_names[l], token);
	}
}

/* Untranslated technical terms stay as they are in every language. */
static void
indicator_terms(void **state)
{
	static const struct {
		const char *code, *term;
	} terms[] = {
	    {"ipv4", "IPv4"},      {"ipv6", "IPv6"}, {"cidr", "CIDR"},
	    {"url", "URL"},        {"md5", "MD5"},   {"sha1", "SHA-1"},
	    {"sha256", "SHA-256"}, {"asn", "ASN"},   {"cve", "CVE"},
	};
	const struct tset *set = template_set("indicator_type");
	size_t i;
	int c, l;

	(void)state;
	assert_non_null(set);
	for (i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		c = template_code(set, terms[i].code);
		assert_true(c >= 0);
		for (l = 0; l < NLANGS; l++)
			if (strstr(set->codes[c].label[l], terms[i].term) == NULL)
				fail_msg("indicator_type.%s: %s label lacks \"%s\"", terms[i].code,
				         lang_names[l], terms[i].term);
	}
}

/* template_set and template_code find every name and code, and nothing else. */
static void
lookup(void **state)
{
	const struct tset *set;
	size_t i, j;

	(void)state;
	for (i = 0; i < NEXPECTED; i++) {
		set = template_set(expected[i].name);
		assert_ptr_equal(set, &template_sets[i]);
		for (j = 0; j < expected[i].n; j++)
			assert_int_equal(template_code(set, expected[i].codes[j]), (int)j);
		assert_int_equal(template_code(set, ""), -1);
		assert_int_equal(template_code(set, "unknown"), -1);
		assert_int_equal(template_code(set, NULL), -1);
	}

	assert_null(template_set("Type"));
	assert_null(template_set("TLP"));
	assert_null(template_set("types"));
	assert_null(template_set("typ"));
	assert_null(template_set("sectors"));
	assert_null(template_set(""));
	assert_null(template_set(" tlp"));
	assert_null(template_set(NULL));

	set = template_set("tlp");
	assert_non_null(set);
	assert_int_equal(template_code(set, "AMBER"), 2);
	assert_int_equal(template_code(set, "AMBER+STRICT"), 3);
	assert_int_equal(template_code(set, "amber"), -1);
	assert_int_equal(template_code(set, "Amber"), -1);
	assert_int_equal(template_code(set, "AMBER+strict"), -1);
	assert_int_equal(template_code(set, "AMBER "), -1);
	assert_int_equal(template_code(set, "AMBER STRICT"), -1);
	assert_int_equal(template_code(set, "TLP:AMBER"), -1);
	assert_int_equal(template_code(set, "WHITE"), -1); /* TLP 1.0, replaced by CLEAR */

	set = template_set("urgency");
	assert_non_null(set);
	assert_int_equal(template_code(set, "Urgent"), -1);
	assert_int_equal(template_code(set, "URGENT"), -1);
	assert_int_equal(template_code(set, "urgen"), -1);
	assert_int_equal(template_code(set, "urgent\n"), -1);

	set = template_set("sector");
	assert_non_null(set);
	assert_int_equal(template_code(set, "notification"), -1); /* another set's code */
	assert_int_equal(template_code(NULL, "energy"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(version),         cmocka_unit_test(schema),
	    cmocka_unit_test(codes_unique),    cmocka_unit_test(labels_complete),
	    cmocka_unit_test(labels_distinct), cmocka_unit_test(scripts),
	    cmocka_unit_test(tlp_tokens),      cmocka_unit_test(indicator_terms),
	    cmocka_unit_test(lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
