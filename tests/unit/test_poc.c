/* Unit tests of src/core/poc.h: decoding a PoC with every field checked, and encoding it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/poc.h"

#define ACC1 "abcdefghijklmnopqrstuvwxyz"
#define ACC2 "bbbbbbbbbbbbbbbbbbbbbbbbbb"

static const char full[] =
    "{\"kind\": \"technical\", \"rank\": \"alternate\", \"organisation\": \"CERT-FR\","
    " \"role_title\": \"Duty officer\", \"person_name\": \"Jos\\u00e9 Dupont\","
    " \"email\": \"duty@cert.example\", \"phones\": [\"+33123456789\", \"+33987654321\"],"
    " \"languages\": [\"fr\", \"en\"], \"time_zone\": \"Europe/Paris\","
    " \"availability\": {\"weekly\": [{\"to\": \"17:00\", \"days\": [\"fri\", \"mon\"],"
    " \"from\": \"09:00\"}, {\"days\": [\"sat\"], \"from\": \"00:00\", \"to\": \"24:00\"}]},"
    " \"pgp_fingerprint\": \"0123456789abcdef0123456789ABCDEF01234567\","
    " \"accounts\": [\"" ACC1 "\", \"" ACC2 "\"], \"review_by\": \"2027-01-31\"}";

static const char minimal[] =
    "{\"kind\": \"diplomatic\", \"rank\": \"primary\", \"organisation\": \"MFA\","
    " \"role_title\": \"Cyber desk\", \"email\": \"cyber@mfa.example\","
    " \"phones\": [\"+4930123456\"], \"languages\": [\"de\"], \"time_zone\": \"UTC\","
    " \"availability\": \"24/7\"}";

static json_t *
load(const char *text)
{
	json_error_t e;
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &e);

	if (o == NULL)
		fail_msg("bad test JSON: %s", e.text);
	return o;
}

static void
decode_full(void **state)
{
	json_t *o = load(full);
	struct poc p;
	struct verrs errs = {0};

	memset(&p, 0, sizeof(p));
	strlcpy(p.id, "keepkeepkeepkeepkeepkeepke", sizeof(p.id));
	strlcpy(p.state, "FRA", sizeof(p.state));
	p.revision = 9;
	assert_int_equal(poc_decode(o, &p, &errs), POCD_OK);
	assert_int_equal(errs.n, 0);
	/* Server fields are left alone. */
	assert_string_equal(p.id, "keepkeepkeepkeepkeepkeepke");
	assert_string_equal(p.state, "FRA");
	assert_int_equal(p.revision, 9);

	assert_int_equal(p.kind, POC_TECHNICAL);
	assert_int_equal(p.rank, POC_ALTERNATE);
	assert_string_equal(p.organisation, "CERT-FR");
	assert_string_equal(p.role_title, "Duty officer");
	assert_string_equal(p.person_name, "Jos\xc3\xa9 Dupont");
	assert_string_equal(p.email, "duty@cert.example");
	assert_int_equal(p.nphones, 2);
	assert_string_equal(p.phones[0], "+33123456789");
	assert_string_equal(p.phones[1], "+33987654321");
	assert_int_equal(p.nlangs, 2);
	assert_string_equal(p.languages[0], "fr");
	assert_string_equal(p.languages[1], "en");
	assert_string_equal(p.time_zone, "Europe/Paris");
	/* Canonical availability: fields in order, days in week order. */
	assert_string_equal(
	    p.availability,
	    "{\"weekly\":[{\"days\":[\"mon\",\"fri\"],\"from\":\"09:00\",\"to\":"
	    "\"17:00\"},{\"days\":[\"sat\"],\"from\":\"00:00\",\"to\":\"24:00\"}]}");
	assert_string_equal(p.pgp_fingerprint, "0123456789ABCDEF0123456789ABCDEF01234567");
	assert_int_equal(p.naccounts, 2);
	assert_string_equal(p.accounts[0], ACC1);
	assert_string_equal(p.accounts[1], ACC2);
	assert_string_equal(p.review_by, "2027-01-31");
	json_decref(o);
}

static void
decode_minimal(void **state)
{
	json_t *o = load(minimal);
	struct poc p;
	struct verrs errs = {0};

	/* Optional fields absent clear what p held. */
	memset(&p, 0, sizeof(p));
	strlcpy(p.person_name, "old", sizeof(p.person_name));
	strlcpy(p.pgp_fingerprint, "old", sizeof(p.pgp_fingerprint));
	strlcpy(p.review_by, "old", sizeof(p.review_by));
	p.naccounts = 3;
	assert_int_equal(poc_decode(o, &p, &errs), POCD_OK);
	assert_int_equal(p.kind, POC_DIPLOMATIC);
	assert_int_equal(p.rank, POC_PRIMARY);
	assert_string_equal(p.person_name, "");
	assert_string_equal(p.pgp_fingerprint, "");
	assert_string_equal(p.review_by, "");
	assert_int_equal(p.naccounts, 0);
	assert_string_equal(p.availability, "\"24/7\"");

	/* null stands for absent in the optional fields. */
	json_object_set_new(o, "person_name", json_null());
	json_object_set_new(o, "pgp_fingerprint", json_null());
	json_object_set_new(o, "review_by", json_null());
	json_object_set_new(o, "accounts", json_null());
	assert_int_equal(poc_decode(o, &p, &errs), POCD_OK);
	assert_int_equal(errs.n, 0);
	json_decref(o);
}

/* Decodes full with member name replaced by value (stolen; NULL removes it) and checks that
 * it is refused with n reasons, the first on the field path want. */
static void
expect_n(const char *name, json_t *value, const char *want, size_t n)
{
	json_t *o = load(full);
	struct poc p;
	struct verrs errs = {0};

	if (value != NULL)
		json_object_set_new(o, name, value);
	else
		json_object_del(o, name);
	memset(&p, 0, sizeof(p));
	assert_int_equal(poc_decode(o, &p, &errs), POCD_EINVAL);
	if (errs.n != n || strcmp(errs.v[0].field, want) != 0)
		fail_msg("%s: want %zu error(s) on \"%s\", got %zu, first \"%s\": %s", name, n,
		         want, errs.n, errs.n > 0 ? errs.v[0].field : "",
		         errs.n > 0 ? errs.v[0].reason : "");
	assert_true(strlen(errs.v[0].reason) > 0);
	json_decref(o);
}

/* As expect_n, with exactly one reason. */
static void
expect_one(const char *name, json_t *value, const char *want)
{
	expect_n(name, value, want, 1);
}

static json_t *
strings(size_t n, const char *const *items)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a,
		                      items[i] != NULL ? json_string(items[i]) : json_integer(1));
	return a;
}

static json_t *
slots(const char *slot, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, load(slot));
	return a;
}

static json_t *
weekly(json_t *list)
{
	return json_pack("{s:o}", "weekly", list);
}

static void
scalar_fields(void **state)
{
	char big[1024];

	expect_one("kind", json_string("cultural"), "kind");
	expect_one("kind", json_integer(1), "kind");
	expect_one("kind", NULL, "kind");
	expect_one("rank", json_string("Primary"), "rank");
	expect_one("rank", NULL, "rank");
	expect_one("organisation", json_string(""), "organisation");
	expect_one("organisation", json_string("tab\there"), "organisation");
	expect_one("organisation", json_string("nl\n"), "organisation");
	expect_one("organisation", json_true(), "organisation");
	expect_one("organisation", json_null(), "organisation");
	expect_one("organisation", NULL, "organisation");
	expect_one("role_title", NULL, "role_title");
	expect_one("role_title", json_string("\xc2\x85"), "role_title");
	expect_one("person_name", json_integer(7), "person_name");
	expect_one("person_name", json_string(""), "person_name");
	expect_one("email", json_string("duty@localhost"), "email");
	expect_one("email", json_string(""), "email");
	expect_one("email", NULL, "email");
	expect_one("time_zone", json_string("Mars/Olympus"), "time_zone");
	expect_one("time_zone", json_string("../../etc/passwd"), "time_zone");
	expect_one("time_zone", NULL, "time_zone");
	expect_one("pgp_fingerprint", json_string("0123"), "pgp_fingerprint");
	expect_one("pgp_fingerprint", json_string("0123456789abcdef0123456789ABCDEF0123456z"),
	           "pgp_fingerprint");
	expect_one("pgp_fingerprint", json_integer(0), "pgp_fingerprint");
	expect_one("review_by", json_string("2027-02-29"), "review_by");
	expect_one("review_by", json_string("31/01/2027"), "review_by");
	expect_one("review_by", json_string("2027-01-31T00:00:00Z"), "review_by");

	/* 200 characters fit, whatever their bytes; 201 do not. */
	big[0] = '\0';
	for (int i = 0; i < 200; i++)
		strlcat(big, "\xe6\x96\x87", sizeof(big));
	{
		json_t *o = load(full);
		struct poc p;
		struct verrs errs = {0};
		json_object_set_new(o, "organisation", json_string(big));
		assert_int_equal(poc_decode(o, &p, &errs), POCD_OK);
		assert_string_equal(p.organisation, big);
		json_decref(o);
	}
	strlcat(big, "x", sizeof(big));
	expect_one("organisation", json_string(big), "organisation");
}

static void
list_fields(void **state)
{
	static const char *const ok_phones[] = {"+33123456789",  "+33987654321",  "+4930123456",
	                                        "+12025550100",  "+442071234567", "+81312345678",
	                                        "+861012345678", "+74951234567",  "+34911234567"};
	static const char *const ok_langs[] = {"fr", "en", "ar", "zh", "ru",
	                                       "es", "de", "it", "ja"};
	static const char *const ok_accs[17] = {
	    "aaaaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaab",
	    "aaaaaaaaaaaaaaaaaaaaaaaaac", "aaaaaaaaaaaaaaaaaaaaaaaaad",
	    "aaaaaaaaaaaaaaaaaaaaaaaaae", "aaaaaaaaaaaaaaaaaaaaaaaaaf",
	    "aaaaaaaaaaaaaaaaaaaaaaaaag", "aaaaaaaaaaaaaaaaaaaaaaaaah",
	    "aaaaaaaaaaaaaaaaaaaaaaaaai", "aaaaaaaaaaaaaaaaaaaaaaaaaj",
	    "aaaaaaaaaaaaaaaaaaaaaaaaak", "aaaaaaaaaaaaaaaaaaaaaaaaal",
	    "aaaaaaaaaaaaaaaaaaaaaaaaam", "aaaaaaaaaaaaaaaaaaaaaaaaan",
	    "aaaaaaaaaaaaaaaaaaaaaaaaao", "aaaaaaaaaaaaaaaaaaaaaaaaap",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaq"};
	json_t *o;
	struct poc p;
	struct verrs errs = {0};

	expect_one("phones", strings(2, (const char *const[]){"+33123456789", "0123"}),
	           "phones[1]");
	expect_one("phones", strings(2, (const char *const[]){"+33123456789", "+33123456789"}),
	           "phones[1]");
	expect_one("phones", strings(2, (const char *const[]){NULL, "+33123456789"}), "phones[0]");
	expect_n("phones", strings(3, (const char *const[]){"+33123456789", NULL, "+33123456789"}),
	         "phones[1]", 2);
	expect_one("phones", strings(0, NULL), "phones");
	expect_one("phones", strings(9, ok_phones), "phones");
	expect_one("phones", json_string("+33123456789"), "phones");
	expect_one("phones", NULL, "phones");

	expect_one("languages", strings(2, (const char *const[]){"fr", "xx"}), "languages[1]");
	expect_one("languages", strings(2, (const char *const[]){"fr", "FR"}), "languages[1]");
	expect_one("languages", strings(3, (const char *const[]){"fr", "en", "fr"}),
	           "languages[2]");
	expect_one("languages", strings(1, (const char *const[]){NULL}), "languages[0]");
	expect_one("languages", strings(0, NULL), "languages");
	expect_one("languages", strings(9, ok_langs), "languages");
	expect_one("languages", NULL, "languages");

	expect_one("accounts", strings(1, (const char *const[]){"not-an-id"}), "accounts[0]");
	expect_one("accounts",
	           strings(2, (const char *const[]){ACC1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}),
	           "accounts[1]");
	expect_one("accounts", strings(2, (const char *const[]){ACC1, ACC1}), "accounts[1]");
	expect_one("accounts", strings(2, (const char *const[]){NULL, ACC1}), "accounts[0]");
	expect_one("accounts", strings(17, ok_accs), "accounts");
	expect_one("accounts", json_string(ACC1), "accounts");

	/* The largest lists that fit. */
	o = load(full);
	json_object_set_new(o, "phones", strings(8, ok_phones));
	json_object_set_new(o, "languages", strings(8, ok_langs));
	json_object_set_new(o, "accounts", strings(16, ok_accs));
	json_object_set_new(o, "availability",
	                    weekly(slots("{\"days\": [\"mon\"], \"from\": \"09:00\", \"to\": "
	                                 "\"10:00\"}",
	                                 14)));
	assert_int_equal(poc_decode(o, &p, &errs), POCD_OK);
	assert_int_equal(p.nphones, 8);
	assert_int_equal(p.nlangs, 8);
	assert_int_equal(p.naccounts, 16);
	assert_string_equal(p.phones[7], "+74951234567");
	assert_string_equal(p.accounts[15], "aaaaaaaaaaaaaaaaaaaaaaaaap");
	json_object_set_new(o, "accounts", strings(0, NULL));
	assert_int_equal(poc_decode(o, &p, &errs), POCD_OK);
	assert_int_equal(p.naccounts, 0);
	json_decref(o);
}

static void
availability(void **state)
{
	const char *good = "{\"days\": [\"mon\"], \"from\": \"09:00\", \"to\": \"17:00\"}";
	json_t *two;

	expect_one("availability", json_string("9 to 5"), "availability");
	expect_one("availability", json_string("24/7 "), "availability");
	expect_one("availability", json_integer(24), "availability");
	expect_one("availability", json_null(), "availability");
	expect_one("availability", NULL, "availability");
	expect_one("availability", json_object(), "availability.weekly");
	expect_one("availability", weekly(json_array()), "availability.weekly");
	expect_one("availability", weekly(slots(good, 15)), "availability.weekly");
	expect_one("availability", weekly(json_string("mon")), "availability.weekly");
	expect_one("availability",
	           load("{\"weekly\": [{\"days\": [\"mon\"], \"from\": \"09:00\","
	                " \"to\": \"17:00\"}], \"tz\": \"UTC\"}"),
	           "availability");

	/* Slot errors name the slot by its index. */
	expect_one("availability", weekly(json_array()), "availability.weekly");
	two = slots(good, 1);
	json_array_append_new(two, load("{\"days\": [\"mon\", \"mon\"], \"from\": \"09:00\","
	                                " \"to\": \"17:00\"}"));
	expect_one("availability", weekly(two), "availability.weekly[1]");
	expect_one(
	    "availability",
	    weekly(slots("{\"days\": [\"lun\"], \"from\": \"09:00\", \"to\": \"17:00\"}", 1)),
	    "availability.weekly[0]");
	expect_one("availability",
	           weekly(slots("{\"days\": [], \"from\": \"09:00\", \"to\": \"17:00\"}", 1)),
	           "availability.weekly[0]");
	expect_one(
	    "availability",
	    weekly(slots("{\"days\": [\"mon\", 1], \"from\": \"09:00\", \"to\": \"17:00\"}", 1)),
	    "availability.weekly[0]");
	expect_n("availability",
	         weekly(slots("{\"days\": [\"mon\"], \"from\": \"25:00\", \"to\": \"26:00\"}", 1)),
	         "availability.weekly[0]", 2);
	expect_one(
	    "availability",
	    weekly(slots("{\"days\": [\"mon\"], \"from\": \"09:00\", \"to\": \"24:01\"}", 1)),
	    "availability.weekly[0]");
	expect_one(
	    "availability",
	    weekly(slots("{\"days\": [\"mon\"], \"from\": \"17:00\", \"to\": \"09:00\"}", 1)),
	    "availability.weekly[0]");
	expect_one(
	    "availability",
	    weekly(slots("{\"days\": [\"mon\"], \"from\": \"09:00\", \"to\": \"09:00\"}", 1)),
	    "availability.weekly[0]");
	expect_n("availability",
	         weekly(slots("{\"days\": [\"mon\"], \"from\": \"24:00\", \"to\": \"24:00\"}", 1)),
	         "availability.weekly[0]", 2);
	expect_one("availability", weekly(slots("{\"days\": [\"mon\"], \"to\": \"09:00\"}", 1)),
	           "availability.weekly[0]");
	expect_one("availability",
	           weekly(slots("{\"days\": [\"mon\"], \"from\": 9, \"to\": \"17:00\"}", 1)),
	           "availability.weekly[0]");
	expect_one("availability",
	           weekly(slots("{\"days\": [\"mon\"], \"from\": \"09:00\", \"to\": \"17:00\","
	                        " \"note\": \"x\"}",
	                        1)),
	           "availability.weekly[0]");
	expect_one("availability", weekly(slots("[\"mon\"]", 1)), "availability.weekly[0]");
}

static void
unknown_and_many(void **state)
{
	json_t *o;
	struct poc p;
	struct verrs errs = {0};
	int seen = 0;

	expect_one("id", json_string("abcdefghijklmnopqrstuvwxyz"), "id");
	expect_one("state", json_string("FRA"), "state");
	expect_one("revision", json_integer(1), "revision");
	expect_one("Kind", json_string("technical"), "Kind");
	expect_one("created_at", json_string("2026-11-26T03:12:00Z"), "created_at");
	expect_one("updated_at", json_null(), "updated_at");

	/* Every problem is reported, not just the first. */
	o = load(full);
	json_object_set_new(o, "email", json_string("nope"));
	json_object_set_new(o, "phones", strings(2, (const char *const[]){"+33123456789", "x"}));
	json_object_set_new(o, "extra", json_true());
	json_object_del(o, "kind");
	assert_int_equal(poc_decode(o, &p, &errs), POCD_EINVAL);
	assert_int_equal(errs.n, 4);
	for (size_t i = 0; i < errs.n; i++) {
		if (strcmp(errs.v[i].field, "email") == 0 ||
		    strcmp(errs.v[i].field, "phones[1]") == 0 ||
		    strcmp(errs.v[i].field, "extra") == 0 || strcmp(errs.v[i].field, "kind") == 0)
			seen++;
	}
	assert_int_equal(seen, 4);
	json_decref(o);

	/* Not an object at all. */
	memset(&errs, 0, sizeof(errs));
	o = json_array();
	assert_int_equal(poc_decode(o, &p, &errs), POCD_EINVAL);
	assert_int_equal(errs.n, 1);
	json_decref(o);
	memset(&errs, 0, sizeof(errs));
	o = json_string("{}");
	assert_int_equal(poc_decode(o, &p, &errs), POCD_EINVAL);
	json_decref(o);
}

/* Removes what the server adds, leaving what a client may send. */
static void
strip_server_fields(json_t *o)
{
	json_object_del(o, "id");
	json_object_del(o, "state");
	json_object_del(o, "revision");
	json_object_del(o, "created_at");
	json_object_del(o, "updated_at");
}

static void
assert_client_fields_equal(const struct poc *a, const struct poc *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->rank, b->rank);
	assert_string_equal(a->organisation, b->organisation);
	assert_string_equal(a->role_title, b->role_title);
	assert_string_equal(a->person_name, b->person_name);
	assert_string_equal(a->email, b->email);
	assert_int_equal(a->nphones, b->nphones);
	for (size_t i = 0; i < a->nphones; i++)
		assert_string_equal(a->phones[i], b->phones[i]);
	assert_int_equal(a->nlangs, b->nlangs);
	for (size_t i = 0; i < a->nlangs; i++)
		assert_string_equal(a->languages[i], b->languages[i]);
	assert_string_equal(a->time_zone, b->time_zone);
	assert_string_equal(a->availability, b->availability);
	assert_string_equal(a->pgp_fingerprint, b->pgp_fingerprint);
	assert_string_equal(a->review_by, b->review_by);
}

static void
round_trip_of(const char *text)
{
	json_t *o = load(text), *enc;
	struct poc a, b;
	struct verrs errs = {0};
	char *dumped;

	memset(&a, 0, sizeof(a));
	assert_int_equal(poc_decode(o, &a, &errs), POCD_OK);
	strlcpy(a.id, "abcdefghijklmnopqrstuvwxyz", sizeof(a.id));
	strlcpy(a.state, "FRA", sizeof(a.state));
	a.revision = 3;
	a.created_at = 1795662720;
	a.updated_at = 1795662780;

	/* With the accounts, through text, as a client would see and send it back. */
	enc = poc_encode(&a, true, NULL);
	assert_non_null(enc);
	assert_string_equal(json_string_value(json_object_get(enc, "id")), a.id);
	assert_string_equal(json_string_value(json_object_get(enc, "state")), "FRA");
	assert_int_equal(json_integer_value(json_object_get(enc, "revision")), 3);
	assert_string_equal(json_string_value(json_object_get(enc, "created_at")),
	                    "2026-11-26T03:12:00Z");
	assert_string_equal(json_string_value(json_object_get(enc, "updated_at")),
	                    "2026-11-26T03:13:00Z");
	assert_non_null(json_object_get(enc, "accounts"));
	strip_server_fields(enc);
	dumped = json_dumps(enc, JSON_COMPACT);
	assert_non_null(dumped);
	json_decref(enc);
	enc = load(dumped);
	free(dumped);
	memset(&b, 0, sizeof(b));
	assert_int_equal(poc_decode(enc, &b, &errs), POCD_OK);
	assert_int_equal(errs.n, 0);
	assert_client_fields_equal(&a, &b);
	assert_int_equal(b.naccounts, a.naccounts);
	for (size_t i = 0; i < a.naccounts; i++)
		assert_string_equal(a.accounts[i], b.accounts[i]);
	json_decref(enc);

	/* Without them, for readers of other states. */
	enc = poc_encode(&a, false, NULL);
	assert_non_null(enc);
	assert_null(json_object_get(enc, "accounts"));
	strip_server_fields(enc);
	memset(&b, 0, sizeof(b));
	assert_int_equal(poc_decode(enc, &b, &errs), POCD_OK);
	assert_client_fields_equal(&a, &b);
	assert_int_equal(b.naccounts, 0);
	json_decref(enc);
	json_decref(o);
}

static void
round_trip(void **state)
{
	round_trip_of(full);
	round_trip_of(minimal);
}

static void
encode_optional(void **state)
{
	json_t *o = load(minimal), *enc;
	struct poc p;
	struct verrs errs = {0};

	memset(&p, 0, sizeof(p));
	assert_int_equal(poc_decode(o, &p, &errs), POCD_OK);
	enc = poc_encode(&p, true, NULL);
	assert_non_null(enc);
	/* Absent optional fields are left out, not sent as "". */
	assert_null(json_object_get(enc, "person_name"));
	assert_null(json_object_get(enc, "pgp_fingerprint"));
	assert_null(json_object_get(enc, "review_by"));
	assert_true(json_is_array(json_object_get(enc, "accounts")));
	assert_int_equal(json_array_size(json_object_get(enc, "accounts")), 0);
	assert_string_equal(json_string_value(json_object_get(enc, "availability")), "24/7");
	assert_string_equal(json_string_value(json_object_get(enc, "kind")), "diplomatic");
	assert_string_equal(json_string_value(json_object_get(enc, "rank")), "primary");
	json_decref(enc);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(decode_full),   cmocka_unit_test(decode_minimal),
	    cmocka_unit_test(scalar_fields), cmocka_unit_test(list_fields),
	    cmocka_unit_test(availability),  cmocka_unit_test(unknown_and_many),
	    cmocka_unit_test(round_trip),    cmocka_unit_test(encode_optional),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
