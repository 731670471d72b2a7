/* Unit tests of the pure parts of ping tests (src/core/pings.h): a campaign body read into the
 * campaign with every problem on its JSON path, when a ping next needs the scheduler, its status
 * around the window, the challenge's sentence per language; and the review-by date arithmetic
 * they rely on (src/lib/timeutil.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/pings.h"
#include "lib/timeutil.h"

#define H   INT64_C(3600)
#define DUE INT64_C(1795921200) /* 2026-11-29T03:00:00Z: a campaign of 2026-11-26T03:00Z + 72 h */

static json_t *
load(const char *text)
{
	json_error_t e;
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &e);

	if (o == NULL)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	return o;
}

/* Decodes text into a zeroed op (what the API hands campaign_decode) and errs. */
static void
decode(const char *text, struct campaign_op *op, struct verrs *errs)
{
	json_t *o = load(text);

	memset(op, 0, sizeof(*op));
	memset(errs, 0, sizeof(*errs));
	campaign_decode(o, op, errs);
	json_decref(o);
}

/* Decodes text and requires that it is accepted. */
static void
expect_ok(const char *text, struct campaign_op *op)
{
	struct verrs errs;

	decode(text, op, &errs);
	if (errs.n != 0)
		fail_msg("%s: want no error, got %zu, first on \"%s\": %s", text, errs.n,
		         errs.v[0].field, errs.v[0].reason);
}

/* Decodes text and checks that it is refused with exactly the field paths in want (NULL-ended),
 * in order, each with a reason. */
static void
expect_fields(const char *text, const char *const *want)
{
	static struct campaign_op op;
	struct verrs errs;
	size_t n = 0;
	char got[1024] = "";

	decode(text, &op, &errs);
	while (want[n] != NULL)
		n++;
	for (size_t i = 0; i < errs.n; i++) {
		strlcat(got, i ? ", " : "", sizeof(got));
		strlcat(got, errs.v[i].field, sizeof(got));
	}
	if (errs.n != n)
		fail_msg("%s: want %zu error(s), got %zu: [%s]", text, n, errs.n, got);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(errs.v[i].field, want[i]) != 0)
			fail_msg("%s: error %zu on \"%s\", want \"%s\": [%s]", text, i,
			         errs.v[i].field, want[i], got);
		if (errs.v[i].reason[0] == '\0')
			fail_msg("%s: error %zu on \"%s\" has no reason", text, i, want[i]);
	}
}

/* op->pc's reminders, in hours, are exactly want (n of them). */
static void
expect_reminders(const char *what, const struct campaign_op *op, const int64_t *want, size_t n)
{
	if (op->pc.nreminders != n)
		fail_msg("%s: want %zu reminder(s), got %zu", what, n, op->pc.nreminders);
	for (size_t i = 0; i < n; i++)
		if (op->pc.reminders[i] != want[i] * H)
			fail_msg("%s: reminder %zu is %lld s, want %lld h", what, i,
			         (long long)op->pc.reminders[i], (long long)want[i]);
}

static void
decode_all(void **state)
{
	static struct campaign_op op;
	static const int64_t dflt[] = {24, 4};

	/* Scope alone: both kinds, 72 hours, reminders a day and four hours before, a challenge. */
	expect_ok("{\"scope\": \"all\"}", &op);
	assert_string_equal(op.pc.scope, "all");
	assert_int_equal(op.pc.kinds, KIND_BIT(POC_TECHNICAL) | KIND_BIT(POC_DIPLOMATIC));
	assert_int_equal(op.window, PING_WINDOW_DEFAULT);
	assert_int_equal(op.window, 72 * H);
	expect_reminders("defaults", &op, dflt, 2);
	assert_true(op.pc.challenge);

	/* Every field given; null challenge is not a boolean (see bad_bodies), true is. */
	expect_ok("{\"challenge\": true, \"reminders_hours\": [24, 4], \"window_hours\": 72,"
	          " \"kinds\": [\"technical\", \"diplomatic\"], \"scope\": \"all\"}",
	          &op);
	assert_string_equal(op.pc.scope, "all");
	assert_int_equal(op.pc.kinds, KIND_BIT(POC_TECHNICAL) | KIND_BIT(POC_DIPLOMATIC));
	assert_int_equal(op.window, 72 * H);
	expect_reminders("explicit defaults", &op, dflt, 2);
	assert_true(op.pc.challenge);
}

static void
decode_list(void **state)
{
	static struct campaign_op op;
	static const int64_t sorted[] = {36, 12, 2};
	static const int64_t four[] = {47, 30, 2, 1};

	/* Codes joined in the order given; reminders go out furthest from the deadline first. */
	expect_ok(
	    "{\"scope\": [\"KEN\", \"FRA\"], \"kinds\": [\"technical\"], \"window_hours\": 48,"
	    " \"reminders_hours\": [2, 36, 12], \"challenge\": false}",
	    &op);
	assert_string_equal(op.pc.scope, "KEN,FRA");
	assert_int_equal(op.pc.kinds, KIND_BIT(POC_TECHNICAL));
	assert_int_equal(op.window, 48 * H);
	expect_reminders("sorted", &op, sorted, 3);
	assert_false(op.pc.challenge);

	expect_ok("{\"scope\": [\"FRA\"], \"kinds\": [\"diplomatic\"]}", &op);
	assert_string_equal(op.pc.scope, "FRA");
	assert_int_equal(op.pc.kinds, KIND_BIT(POC_DIPLOMATIC));

	/* Both kinds the other way round; up to four reminders, the last an hour before. */
	expect_ok("{\"scope\": \"all\", \"kinds\": [\"diplomatic\", \"technical\"],"
	          " \"window_hours\": 48, \"reminders_hours\": [1, 47, 2, 30]}",
	          &op);
	assert_int_equal(op.pc.kinds, KIND_BIT(POC_TECHNICAL) | KIND_BIT(POC_DIPLOMATIC));
	expect_reminders("four", &op, four, 4);

	/* An empty list: no reminders at all. */
	expect_ok("{\"scope\": \"all\", \"reminders_hours\": []}", &op);
	expect_reminders("none", &op, NULL, 0);
}

static void
decode_windows(void **state)
{
	static struct campaign_op op;
	static const int64_t dflt[] = {24, 4}, four[] = {4}, last[] = {719};
	static const struct {
		const char *text;
		int64_t window;
		const int64_t *want;
		size_t n;
	} cases[] = {
	    /* Default reminders only where the window is longer than they are. */
	    {"{\"scope\": \"all\", \"window_hours\": 1}", 1, NULL, 0},
	    {"{\"scope\": \"all\", \"window_hours\": 4}", 4, NULL, 0},
	    {"{\"scope\": \"all\", \"window_hours\": 5}", 5, four, 1},
	    {"{\"scope\": \"all\", \"window_hours\": 24}", 24, four, 1},
	    {"{\"scope\": \"all\", \"window_hours\": 25}", 25, dflt, 2},
	    {"{\"scope\": \"all\", \"window_hours\": 720}", 720, dflt, 2},
	    /* A reminder just inside the window. */
	    {"{\"scope\": \"all\", \"window_hours\": 720, \"reminders_hours\": [719]}", 720, last,
	     1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_ok(cases[i].text, &op);
		if (op.window != cases[i].window * H)
			fail_msg("%s: window %lld s, want %lld h", cases[i].text,
			         (long long)op.window, (long long)cases[i].window);
		expect_reminders(cases[i].text, &op, cases[i].want, cases[i].n);
	}
}

/* {"scope": [n codes]} into text, the codes joined by commas into joined. */
static void
scope_of(int n, char *text, size_t size, char *joined, size_t jsize)
{
	char code[4];

	text[0] = joined[0] = '\0';
	strlcat(text, "{\"scope\": [", size);
	for (int k = 0; k < n; k++) {
		code[0] = (char)('A' + k / 26 / 26);
		code[1] = (char)('A' + k / 26 % 26);
		code[2] = (char)('A' + k % 26);
		code[3] = '\0';
		strlcat(text, k == 0 ? "\"" : ", \"", size);
		strlcat(text, code, size);
		strlcat(text, "\"", size);
		strlcat(joined, k == 0 ? "" : ",", jsize);
		strlcat(joined, code, jsize);
	}
	strlcat(text, "]}", size);
}

/* 193 distinct codes (every member of the UN) fill the scope exactly; one more is refused. */
static void
decode_scope_limit(void **state)
{
	static struct campaign_op op;
	static char text[4096], joined[2 * STATES_SCOPE_SIZE];

	scope_of(193, text, sizeof(text), joined, sizeof(joined));
	expect_ok(text, &op);
	assert_string_equal(op.pc.scope, joined);
	assert_int_equal(strlen(op.pc.scope), STATES_SCOPE_SIZE - 2);
	scope_of(194, text, sizeof(text), joined, sizeof(joined));
	expect_fields(text, (const char *const[]){"scope", NULL});
}

static const struct {
	const char *text;
	const char *fields[6];
} bad[] = {
    /* scope */
    {"{}", {"scope"}},
    {"{\"scope\": null}", {"scope"}},
    {"{\"scope\": \"ALL\"}", {"scope"}},
    {"{\"scope\": \"FRA\"}", {"scope"}},
    {"{\"scope\": []}", {"scope"}},
    {"{\"scope\": {\"FRA\": true}}", {"scope"}},
    {"{\"scope\": [\"FRA\", \"fra\"]}", {"scope[1]"}},
    {"{\"scope\": [\"FRA\", \"FR\"]}", {"scope[1]"}},
    {"{\"scope\": [\"FRA\", \"FRAN\"]}", {"scope[1]"}},
    {"{\"scope\": [\"FRA\", 250]}", {"scope[1]"}},
    {"{\"scope\": [\"FRA\", null]}", {"scope[1]"}},
    {"{\"scope\": [\"all\"]}", {"scope[0]"}},
    {"{\"scope\": [\"FRA\", \"FRA\"]}", {"scope[1]"}},
    {"{\"scope\": [\"FRA\", \"KEN\", \"FRA\"]}", {"scope[2]"}},
    {"{\"scope\": [\"FR\", \"KEN\", \"FR\", \"KEN\"]}", {"scope[0]", "scope[2]", "scope[3]"}},
    /* kinds */
    {"{\"scope\": \"all\", \"kinds\": [\"technicals\"]}", {"kinds[0]"}},
    {"{\"scope\": \"all\", \"kinds\": [\"Technical\"]}", {"kinds[0]"}},
    {"{\"scope\": \"all\", \"kinds\": [1]}", {"kinds[0]"}},
    {"{\"scope\": \"all\", \"kinds\": [\"technical\", \"technical\"]}", {"kinds[1]"}},
    {"{\"scope\": \"all\", \"kinds\": [\"diplomatic\", \"both\"]}", {"kinds[1]"}},
    {"{\"scope\": \"all\", \"kinds\": []}", {"kinds"}},
    {"{\"scope\": \"all\", \"kinds\": \"technical\"}", {"kinds"}},
    {"{\"scope\": \"all\", \"kinds\": null}", {"kinds"}},
    {"{\"scope\": \"all\", \"kinds\": [\"technical\", \"diplomatic\", \"technical\"]}",
     {"kinds", "kinds[2]"}},
    /* window_hours */
    {"{\"scope\": \"all\", \"window_hours\": 0}", {"window_hours"}},
    {"{\"scope\": \"all\", \"window_hours\": -1}", {"window_hours"}},
    {"{\"scope\": \"all\", \"window_hours\": 721}", {"window_hours"}},
    {"{\"scope\": \"all\", \"window_hours\": 1.5}", {"window_hours"}},
    {"{\"scope\": \"all\", \"window_hours\": 72.0}", {"window_hours"}},
    {"{\"scope\": \"all\", \"window_hours\": \"72\"}", {"window_hours"}},
    {"{\"scope\": \"all\", \"window_hours\": true}", {"window_hours"}},
    {"{\"scope\": \"all\", \"window_hours\": null}", {"window_hours"}},
    {"{\"scope\": \"all\", \"window_hours\": 9223372036854775807}", {"window_hours"}},
    /* reminders_hours: within the window (72 h by default), whole, once, at most four */
    {"{\"scope\": \"all\", \"reminders_hours\": [72]}", {"reminders_hours[0]"}},
    {"{\"scope\": \"all\", \"reminders_hours\": [73]}", {"reminders_hours[0]"}},
    {"{\"scope\": \"all\", \"window_hours\": 24, \"reminders_hours\": [24]}",
     {"reminders_hours[0]"}},
    {"{\"scope\": \"all\", \"window_hours\": 24, \"reminders_hours\": [4, 30]}",
     {"reminders_hours[1]"}},
    {"{\"scope\": \"all\", \"reminders_hours\": [0]}", {"reminders_hours[0]"}},
    {"{\"scope\": \"all\", \"reminders_hours\": [-4]}", {"reminders_hours[0]"}},
    {"{\"scope\": \"all\", \"reminders_hours\": [1.5]}", {"reminders_hours[0]"}},
    {"{\"scope\": \"all\", \"reminders_hours\": [\"4\"]}", {"reminders_hours[0]"}},
    {"{\"scope\": \"all\", \"reminders_hours\": [null]}", {"reminders_hours[0]"}},
    {"{\"scope\": \"all\", \"reminders_hours\": [2147483648]}", {"reminders_hours[0]"}},
    {"{\"scope\": \"all\", \"reminders_hours\": [24, 24]}", {"reminders_hours[1]"}},
    {"{\"scope\": \"all\", \"reminders_hours\": [4, 24, 4]}", {"reminders_hours[2]"}},
    {"{\"scope\": \"all\", \"reminders_hours\": [1, 2, 3, 4, 5]}", {"reminders_hours"}},
    {"{\"scope\": \"all\", \"reminders_hours\": 24}", {"reminders_hours"}},
    {"{\"scope\": \"all\", \"reminders_hours\": null}", {"reminders_hours"}},
    {"{\"scope\": \"all\", \"reminders_hours\": {\"0\": 24}}", {"reminders_hours"}},
    /* A refused window: the reminders are held to the default 72 h. */
    {"{\"scope\": \"all\", \"window_hours\": 0, \"reminders_hours\": [100, 48]}",
     {"window_hours", "reminders_hours[0]"}},
    /* challenge */
    {"{\"scope\": \"all\", \"challenge\": 1}", {"challenge"}},
    {"{\"scope\": \"all\", \"challenge\": \"true\"}", {"challenge"}},
    {"{\"scope\": \"all\", \"challenge\": null}", {"challenge"}},
    /* unknown fields, named as sent, before the others */
    {"{\"scope\": \"all\", \"window\": 72}", {"window"}},
    {"{\"scope\": \"all\", \"Scope\": \"all\"}", {"Scope"}},
    {"{\"scope\": \"all\", \"reminders\": [4], \"kind\": \"technical\"}", {"reminders", "kind"}},
    /* everything at once, in the order of the fields */
    {"{\"extra\": 1, \"challenge\": 1, \"window_hours\": 0, \"kinds\": [\"x\"],"
     " \"scope\": [\"FRA\", \"XX\"]}",
     {"extra", "scope[1]", "kinds[0]", "window_hours", "challenge"}},
};

static void
bad_bodies(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_fields(bad[i].text, bad[i].fields);
}

/* An hour count whose seconds do not fit in 64 bits is out of the window too, not wrapped
 * round into it (5124095576030432 * 3600 = 2^64 + 3584). */
static void
reminders_huge(void **state)
{
	expect_fields("{\"scope\": \"all\", \"reminders_hours\": [5124095576030432]}",
	              (const char *const[]){"reminders_hours[0]", NULL});
	expect_fields("{\"scope\": \"all\", \"reminders_hours\": [9223372036854775807]}",
	              (const char *const[]){"reminders_hours[0]", NULL});
}

static void
ping_at(struct ping *p, struct ping_campaign *pc, size_t nreminders, int sent)
{
	memset(p, 0, sizeof(*p));
	memset(pc, 0, sizeof(*pc));
	pc->nreminders = nreminders;
	pc->reminders[0] = 24 * H;
	pc->reminders[1] = 4 * H;
	pc->due = DUE;
	pc->grace_end = DUE + PING_GRACE;
	p->created_at = DUE - 72 * H;
	p->due = pc->due;
	p->grace_end = pc->grace_end;
	p->reminders_sent = sent;
}

static void
next_due(void **state)
{
	struct ping p;
	struct ping_campaign pc;

	/* No reminders: the end of the grace period. */
	ping_at(&p, &pc, 0, 0);
	assert_int_equal(ping_next_due(&p, &pc), DUE + PING_GRACE);
	/* Reminders pending: the next one, furthest first. */
	ping_at(&p, &pc, 2, 0);
	assert_int_equal(ping_next_due(&p, &pc), DUE - 24 * H);
	ping_at(&p, &pc, 2, 1);
	assert_int_equal(ping_next_due(&p, &pc), DUE - 4 * H);
	/* All sent: the end of the grace period. */
	ping_at(&p, &pc, 2, 2);
	assert_int_equal(ping_next_due(&p, &pc), DUE + PING_GRACE);
	/* Answered, in time or late: never again. */
	ping_at(&p, &pc, 2, 0);
	p.answered_at = DUE - 50 * H;
	assert_int_equal(ping_next_due(&p, &pc), 0);
	ping_at(&p, &pc, 2, 2);
	p.answered_at = DUE + 1;
	p.late = true;
	assert_int_equal(ping_next_due(&p, &pc), 0);
	/* A correction task was opened (unanswered): never again. */
	ping_at(&p, &pc, 2, 2);
	p.task_opened = true;
	assert_int_equal(ping_next_due(&p, &pc), 0);
	ping_at(&p, &pc, 0, 0);
	p.task_opened = true;
	assert_int_equal(ping_next_due(&p, &pc), 0);
}

static void
status(void **state)
{
	struct ping p;
	struct ping_campaign pc;

	ping_at(&p, &pc, 2, 0);
	assert_string_equal(ping_status(&p, p.created_at), "open");
	assert_string_equal(ping_status(&p, DUE - 1), "open");
	assert_string_equal(ping_status(&p, DUE), "open");
	assert_string_equal(ping_status(&p, DUE + 1), "unanswered");
	assert_string_equal(ping_status(&p, DUE + PING_GRACE + 1), "unanswered");
	/* Answered in time stays answered whenever asked; answered late stays late. */
	p.answered_at = DUE - H;
	assert_string_equal(ping_status(&p, DUE - 1), "answered");
	assert_string_equal(ping_status(&p, DUE + PING_GRACE + 1), "answered");
	p.answered_at = DUE + H;
	p.late = true;
	assert_string_equal(ping_status(&p, DUE + H), "late");
	assert_string_equal(ping_status(&p, DUE + PING_GRACE + 1), "late");
}

static void
instruction(void **state)
{
	static const struct {
		const char *lang, *want;
	} cases[] = {
	    {"ar", "يرجى إدخال هذا الرمز لتأكيد أنك تلقيت اختبار الاتصال."},
	    {"zh", "请输入此代码，以确认您已收到本次联络测试。"},
	    {"en", "Please enter this code to confirm that you received this ping test."},
	    {"fr", "Veuillez saisir ce code pour confirmer que vous avez reçu ce test de contact."},
	    {"ru", "Введите этот код, чтобы подтвердить получение проверочного запроса."},
	    {"es",
	     "Introduzca este código para confirmar que ha recibido esta prueba de contacto."},
	};
	static const char *const others[] = {"de", "", "EN", "Fr", "eng", "en-GB", "pt"};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(ping_instruction(cases[i].lang), cases[i].want);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(ping_instruction(cases[k].lang),
			                        ping_instruction(cases[i].lang));
	}
	/* Any other language, or a near miss, reads the English sentence. */
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_string_equal(ping_instruction(others[i]), cases[2].want);
}

static int64_t
at(const char *rfc3339)
{
	int64_t t;

	if (!parse_rfc3339(rfc3339, &t))
		fail_msg("bad test time %s", rfc3339);
	return t;
}

static void
dates(void **state)
{
	static const struct {
		const char *from;
		int months;
		const char *want;
	} cases[] = {
	    {"2026-11-26T03:00:00Z", 12, "2027-11-26"},
	    {"2026-11-26T03:00:00Z", 0, "2026-11-26"},
	    /* The day clamped to the month's end. */
	    {"2027-01-31T12:00:00Z", 1, "2027-02-28"},
	    {"2028-01-31T12:00:00Z", 1, "2028-02-29"},
	    {"2000-01-31T12:00:00Z", 1, "2000-02-29"},
	    {"2026-03-31T00:00:00Z", 1, "2026-04-30"},
	    {"2026-08-31T00:00:00Z", 6, "2027-02-28"},
	    {"2026-10-31T00:00:00Z", 13, "2027-11-30"},
	    {"2028-02-29T23:59:59Z", 12, "2029-02-28"},
	    {"2028-02-29T00:00:00Z", 24, "2030-02-28"},
	    {"2028-02-29T00:00:00Z", 48, "2032-02-29"},
	    {"2096-02-29T00:00:00Z", 48, "2100-02-28"},
	    /* Across the year's end. */
	    {"2026-12-15T08:00:00Z", 1, "2027-01-15"},
	    {"2026-12-31T23:59:59Z", 1, "2027-01-31"},
	    {"2026-12-31T23:59:59Z", 2, "2027-02-28"},
	    {"2026-11-30T00:00:00Z", 3, "2027-02-28"},
	    {"2026-01-01T00:00:00Z", 11, "2026-12-01"},
	    {"2026-01-01T00:00:00Z", 12, "2027-01-01"},
	    {"2026-12-01T00:00:00Z", 25, "2029-01-01"},
	};
	char out[DATE_SIZE];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		date_plus_months(at(cases[i].from), cases[i].months, out);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("%s + %d months: %s, want %s", cases[i].from, cases[i].months, out,
			         cases[i].want);
	}

	fmt_date(0, out);
	assert_string_equal(out, "1970-01-01");
	fmt_date(at("2026-11-26T03:00:00Z"), out);
	assert_string_equal(out, "2026-11-26");
	fmt_date(at("2026-11-26T23:59:59Z"), out);
	assert_string_equal(out, "2026-11-26");
	fmt_date(at("2026-11-26T23:59:59Z") + 1, out);
	assert_string_equal(out, "2026-11-27");
	fmt_date(at("2028-02-29T12:00:00Z"), out);
	assert_string_equal(out, "2028-02-29");
	fmt_date(at("9999-12-31T23:59:59Z"), out);
	assert_string_equal(out, "9999-12-31");
	assert_int_equal(strlen(out), DATE_SIZE - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(decode_all),     cmocka_unit_test(decode_list),
	    cmocka_unit_test(decode_windows), cmocka_unit_test(decode_scope_limit),
	    cmocka_unit_test(bad_bodies),     cmocka_unit_test(next_due),
	    cmocka_unit_test(status),         cmocka_unit_test(instruction),
	    cmocka_unit_test(dates),          cmocka_unit_test(reminders_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
