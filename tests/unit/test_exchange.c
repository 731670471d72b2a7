/* Unit tests of the pure parts of the exchange: a recipient's next deadline (src/core/exchange.h),
 * the urgency order, the nearest-rank percentile of the reports (src/core/report.h), and the
 * multi-line text checks they rely on (src/core/validate.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/exchange.h"
#include "core/report.h"
#include "core/validate.h"

#define ACK    INT64_C(1795669200) /* sent at 2026-11-26T03:00:00Z, urgent: +2 h */
#define ANSWER INT64_C(1795748400) /* +24 h */
#define WINDOW INT64_C(7200)

static struct comm_recipient
rcpt(enum comm_status status, bool ack_late, bool answer_late, int escalation)
{
	struct comm_recipient r;

	memset(&r, 0, sizeof(r));
	strlcpy(r.state, "DEU", sizeof(r.state));
	r.status = status;
	r.ack_late = ack_late;
	r.answer_late = answer_late;
	r.escalation = escalation;
	r.ack_due = ACK;
	r.answer_due = ANSWER;
	return r;
}

static const struct {
	const char *name;
	enum comm_status status;
	bool ack_late, answer_late;
	int escalation;
	int64_t want;
} due[] = {
    {"sent, on time", COMM_SENT, false, false, 0, ACK},
    {"sent, ack late, alternate PoC", COMM_SENT, true, false, 1, ACK + WINDOW},
    {"sent, ack late, diplomatic PoC", COMM_SENT, true, false, 2, ANSWER},
    {"sent, both late, diplomatic PoC", COMM_SENT, true, true, 2, 0},
    {"acknowledged", COMM_ACKNOWLEDGED, false, false, 0, ANSWER},
    {"acknowledged after escalation", COMM_ACKNOWLEDGED, true, false, 1, ANSWER},
    {"acknowledged, answer late", COMM_ACKNOWLEDGED, false, true, 0, 0},
    {"answered", COMM_ANSWERED, false, false, 0, 0},
    {"answered late", COMM_ANSWERED, true, true, 2, 0},
    {"closed", COMM_CLOSED, false, false, 0, 0},
    {"closed while late", COMM_CLOSED, true, false, 1, 0},
};

static void
next_due(void **state)
{
	struct comm_recipient r;

	for (size_t i = 0; i < sizeof(due) / sizeof(due[0]); i++) {
		int64_t got;
		r = rcpt(due[i].status, due[i].ack_late, due[i].answer_late, due[i].escalation);
		got = recipient_next_due(&r, WINDOW);
		if (got != due[i].want)
			fail_msg("%s: want %lld, got %lld", due[i].name, (long long)due[i].want,
			         (long long)got);
	}

	/* The earlier of the two deadlines wins: a reply_by sooner than the acknowledgement. */
	r = rcpt(COMM_SENT, false, false, 0);
	r.answer_due = ACK - 60;
	assert_int_equal(recipient_next_due(&r, WINDOW), ACK - 60);
	/* ... and sooner than the step to the diplomatic PoC. */
	r = rcpt(COMM_SENT, true, false, 1);
	r.answer_due = ACK + WINDOW - 1;
	assert_int_equal(recipient_next_due(&r, WINDOW), ACK + WINDOW - 1);
	/* Equal deadlines: that one time. */
	r = rcpt(COMM_SENT, false, false, 0);
	r.answer_due = ACK;
	assert_int_equal(recipient_next_due(&r, WINDOW), ACK);
	/* An answer deadline already passed is not looked at again while acknowledgement is due. */
	r = rcpt(COMM_SENT, false, true, 0);
	r.answer_due = ACK - 60;
	assert_int_equal(recipient_next_due(&r, WINDOW), ACK);
	/* The window is the deployment's. */
	r = rcpt(COMM_SENT, true, false, 1);
	assert_int_equal(recipient_next_due(&r, 43200), ACK + 43200);
}

static void
urgency(void **state)
{
	assert_int_equal(urgency_index("routine"), 0);
	assert_int_equal(urgency_index("priority"), 1);
	assert_int_equal(urgency_index("urgent"), 2);
	/* Unknown codes fall back to the first. */
	assert_int_equal(urgency_index("Urgent"), 0);
	assert_int_equal(urgency_index(""), 0);
	assert_int_equal(urgency_index("immediate"), 0);
}

static void
percentiles(void **state)
{
	int64_t v[100];
	static const int64_t one[] = {42};

	for (int i = 0; i < 100; i++)
		v[i] = i + 1;
	assert_int_equal(percentile(v, 0, 50), -1);
	assert_int_equal(percentile(NULL, 0, 90), -1);
	assert_int_equal(percentile(one, 1, 0), 42);
	assert_int_equal(percentile(one, 1, 50), 42);
	assert_int_equal(percentile(one, 1, 90), 42);
	assert_int_equal(percentile(one, 1, 100), 42);
	/* 1..10 */
	assert_int_equal(percentile(v, 10, 50), 5);
	assert_int_equal(percentile(v, 10, 90), 9);
	assert_int_equal(percentile(v, 10, 0), 1);
	assert_int_equal(percentile(v, 10, 100), 10);
	assert_int_equal(percentile(v, 10, 91), 10);
	/* 1..100 */
	assert_int_equal(percentile(v, 100, 50), 50);
	assert_int_equal(percentile(v, 100, 90), 90);
	assert_int_equal(percentile(v, 100, 99), 99);
	assert_int_equal(percentile(v, 100, 100), 100);
	/* Nearest rank rounds up: two values, the median is the first; three, the middle. */
	assert_int_equal(percentile(v, 2, 50), 1);
	assert_int_equal(percentile(v, 3, 50), 2);
	assert_int_equal(percentile(v, 3, 90), 3);
}

static void
multiline(void **state)
{
	char big[3 * 5 + 1];

	assert_true(valid_multiline("one line", 100));
	assert_true(valid_multiline("one\ntwo", 100));
	assert_true(valid_multiline("one\r\ntwo\r\n", 100));
	assert_true(valid_multiline("\tindented", 100));
	assert_true(valid_multiline("Jos\xc3\xa9 \xe7\x94\xb5 \xf0\x9f\x93\xa1", 100));
	assert_false(valid_multiline("", 100));
	assert_false(valid_multiline("bell\a", 100));
	assert_false(valid_multiline("esc\x1b[0m", 100));
	assert_false(valid_multiline("vt\v", 100));
	assert_false(valid_multiline("ff\f", 100));
	assert_false(valid_multiline("del\x7f", 100));
	assert_false(valid_multiline("c1 \xc2\x85", 100));       /* U+0085 NEL */
	assert_false(valid_multiline("overlong \xc0\xaf", 100)); /* "/" in two bytes */
	assert_false(valid_multiline("surrogate \xed\xa0\x80", 100));
	assert_false(valid_multiline("beyond \xf4\x90\x80\x80", 100));
	assert_false(valid_multiline("cut \xe7\x94", 100));
	assert_false(valid_multiline("stray \x80", 100));
	assert_false(valid_multiline("\xff", 100));
	/* valid_text stays single-line. */
	assert_true(valid_text("one line", 100));
	assert_false(valid_text("one\ntwo", 100));
	assert_false(valid_text("tab\there", 100));
	assert_false(valid_text("cr\r", 100));

	/* max counts characters, not bytes. */
	for (int i = 0; i < 5; i++)
		memcpy(big + 3 * i, "\xe7\x94\xb5", 3);
	big[15] = '\0';
	assert_true(valid_multiline(big, 5));
	assert_false(valid_multiline(big, 4));
	assert_true(valid_multiline("a\nb", 3));
	assert_false(valid_multiline("a\nb", 2));
}

static void
chars(void **state)
{
	assert_int_equal(utf8_chars(""), 0);
	assert_int_equal(utf8_chars("abc"), 3);
	assert_int_equal(utf8_chars("a\nb"), 3);
	assert_int_equal(utf8_chars("Jos\xc3\xa9"), 4);
	assert_int_equal(utf8_chars("\xe7\x94\xb5\xe7\x94\xb5"), 2);
	assert_int_equal(utf8_chars("\xf0\x9f\x93\xa1!"), 2);
	assert_int_equal(utf8_chars("\xd8\xa7\xd9\x84\xd8\xb7\xd8\xa7\xd9\x82\xd8\xa9"), 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(next_due),  cmocka_unit_test(urgency), cmocka_unit_test(percentiles),
	    cmocka_unit_test(multiline), cmocka_unit_test(chars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
