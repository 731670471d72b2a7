/* Unit tests of the pure parts of mail (src/mail/render.h, src/mail/mime.h): every kind renders
 * in every language with its placeholders filled, a line without its value is left out, a
 * payload value that could change a mail's shape is refused; messages have proper headers,
 * encoded-word subjects that never split a character, and a base64 body in canonical form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "mail/mime.h"
#include "mail/render.h"

static const char *const kinds[] = {
    "comm_new",      "comm_escalated", "comm_overdue", "comm_acknowledged", "comm_answered", "ping",
    "ping_reminder", "task",           "review",       "key_expiry"};
static const char *const langs[] = {"ar", "zh", "en", "fr", "ru", "es"};

#define FULL                                                                                       \
	"{\"comm\":\"bhchbminyqgf6ry3utfilvzjhv\",\"urgency\":\"urgent\","                         \
	"\"ack_due\":\"2026-11-27T03:09:13Z\",\"answer_due\":\"2026-11-28T01:00:00Z\","            \
	"\"at\":\"2026-11-27T02:00:00Z\",\"link\":\"/"                                             \
	"ack#kQykHqQtKSNUcNQZVJAdVQ0UDH93_j5I2W6f3Lmo1wA\","                                       \
	"\"escalation\":\"diplomatic\",\"ping\":\"ddqrywjp2tu7tauqspziktlsgc\","                   \
	"\"challenge\":\"X3BBBA\",\"due\":\"2026-11-30T01:09:36Z\",\"task\":\"t\","                \
	"\"kind\":\"mail_failed\",\"poc\":\"p\",\"review_by\":\"2027-11-30\","                     \
	"\"expires\":\"2026-12-20\"}"

static void
every_kind_renders_in_every_language(void **state)
{
	struct mail_text t;
	char why[256];

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t l = 0; l < 6; l++) {
			assert_int_equal(mail_render(kinds[k], langs[l], FULL, "https://p.example",
			                             &t, why, sizeof(why)),
			                 POCD_OK);
			assert_string_equal(t.lang, langs[l]);
			assert_null(strchr(t.subject, '{'));
			assert_null(strchr(t.body, '{'));
			assert_null(strchr(t.subject, '\n'));
			assert_non_null(strstr(t.body, "https://p.example/"));
			if (strcmp(kinds[k], "comm_new") == 0 ||
			    strcmp(kinds[k], "comm_escalated") == 0)
				assert_non_null(strstr(
				    t.body, "https://p.example/"
				            "ack#kQykHqQtKSNUcNQZVJAdVQ0UDH93_j5I2W6f3Lmo1wA"));
			mail_text_free(&t);
		}
}

static void
values_are_worded_in_the_language(void **state)
{
	struct mail_text t;
	char why[256];

	assert_int_equal(
	    mail_render("comm_escalated", "fr", FULL, "https://p", &t, why, sizeof(why)), POCD_OK);
	assert_non_null(strstr(t.body, "point de contact diplomatique"));
	assert_non_null(strstr(t.body, "2026-11-27 03:09 UTC"));
	mail_text_free(&t);
	assert_int_equal(mail_render("task", "es", FULL, "https://p", &t, why, sizeof(why)),
	                 POCD_OK);
	assert_non_null(strstr(t.body, "no se puede entregar el correo"));
	mail_text_free(&t);
	/* A language that is not a UN language reads English. */
	assert_int_equal(mail_render("review", "de", FULL, "https://p", &t, why, sizeof(why)),
	                 POCD_OK);
	assert_string_equal(t.lang, "en");
	assert_string_equal(t.subject, "Directory entry due for review by 2027-11-30");
	mail_text_free(&t);
}

static void
a_line_without_its_value_is_left_out(void **state)
{
	struct mail_text t;
	char why[256];

	assert_int_equal(mail_render("ping", "en",
	                             "{\"ping\":\"p1\",\"due\":\"2026-11-30T01:09:36Z\","
	                             "\"link\":\"/ping#abc\"}",
	                             "https://p", &t, why, sizeof(why)),
	                 POCD_OK);
	assert_null(strstr(t.body, "Your code"));
	assert_non_null(strstr(t.body, "https://p/ping#abc"));
	mail_text_free(&t);
	/* Sent once without its link (a resend after a crash): the link's line goes. */
	assert_int_equal(mail_render("comm_new", "en",
	                             "{\"comm\":\"c\",\"urgency\":\"routine\","
	                             "\"ack_due\":\"2026-11-30T01:09:36Z\"}",
	                             "https://p", &t, why, sizeof(why)),
	                 POCD_OK);
	assert_null(strstr(t.body, "/ack#"));
	mail_text_free(&t);
}

static void
payloads_that_could_shape_a_mail_are_refused(void **state)
{
	static const char *const bad[] = {
	    "[]",
	    "{\"comm\":\"a\\r\\nBcc: x@y\"}",
	    "{\"comm\":\"a b\"}",
	    "{\"comm\":1}",
	    "{\"comm\":\"\"}",
	    "{\"comm\":\"a\\u0000b\"}",
	    "{\"comm\":\"<script>\"}",
	    "{\"link\":\"https://evil.example/\"}",
	    "{\"comm\":"
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaa\"}",
	    "{\"comm\":\"a\",\"comm\":\"b\"}",
	    "not json",
	    /* Nothing to put in the subject. */
	    "{\"comm\":\"c\"}",
	};
	struct mail_text t;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    mail_render("comm_new", "en", bad[i], "https://p", &t, why, sizeof(why)),
		    POCD_EINVAL);
		assert_null(t.subject);
		assert_true(why[0] != '\0');
	}
	assert_int_equal(mail_render("nope", "en", "{}", "https://p", &t, why, sizeof(why)),
	                 POCD_EINVAL);
}

static void
content_for_sealed_mail(void **state)
{
	char *t = mail_render_content("fr", "FRA", "request_assistance", "urgent", "AMBER",
	                              "{\"description\":{\"lang\":\"en\",\"text\":\"Two "
	                              "substations.\\nSee below.\"},\"subject\":{\"lang\":"
	                              "\"en\",\"text\":\"Wiper\"}}");

	assert_non_null(t);
	assert_non_null(strstr(t, "\nFRA\n"));
	assert_non_null(strstr(t, "TLP:AMBER"));
	assert_non_null(strstr(t, "Wiper\n\nTwo substations.\nSee below.\n"));
	free(t);
	assert_null(mail_render_content("en", "FRA", "x", "y", "z", "{}"));
	assert_null(mail_render_content("en", "FRA", "x", "y", "z", "not json"));
}

static void
addresses(void **state)
{
	assert_true(mime_addr_ok("duty@cert-deu.example"));
	assert_true(mime_addr_ok("a+b@x.y"));
	assert_false(mime_addr_ok("no-at.example"));
	assert_false(mime_addr_ok("@x.y"));
	assert_false(mime_addr_ok("a@"));
	assert_false(mime_addr_ok("a@b@c"));
	assert_false(mime_addr_ok("a b@c.d"));
	assert_false(mime_addr_ok("a@c.d\r\nBcc: e@f.g"));
	assert_false(mime_addr_ok("<a@c.d>"));
	assert_false(mime_addr_ok("a,b@c.d"));
	assert_false(mime_addr_ok("é@c.d"));
	assert_string_equal(mime_addr_domain("pocd@pocd.example"), "pocd.example");
	assert_string_equal(mime_addr_domain("none"), "");
}

/* The decoded text of every encoded-word in the Subject header of msg. */
static void
decode_subject(const char *msg, char *out, size_t outlen)
{
	const char *p = strstr(msg, "Subject:"), *end = strstr(p, "\r\n\r\n");
	size_t n = 0, got;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL && p < end) {
		const char *q = strstr(p + 10, "?=");
		char word[128];
		unsigned char raw[128];
		size_t wl = (size_t)(q - p - 10);
		assert_true(q - p + 2 <= 75);
		memcpy(word, p + 10, wl);
		word[wl] = '\0';
		assert_int_equal(sodium_base642bin(raw, sizeof(raw), word, wl, NULL, &got, NULL,
		                                   sodium_base64_VARIANT_ORIGINAL),
		                 0);
		/* No word ends inside a UTF-8 character. */
		assert_true(got == 0 || (raw[got - 1] & 0xC0) != 0xC0);
		memcpy(out + n, raw, got);
		n += got;
		assert_true(n < outlen);
		p = q + 2;
	}
	out[n] = '\0';
}

static void
messages(void **state)
{
	const char *subject =
	    "تصعيد: رسالة (عاجلة) لم يُقَر باستلامها — Эскалация 升级：未确认收到的通信";
	struct mime_in in = {.from = "pocd@pocd.example",
	                     .to = "duty@cert-egy.example",
	                     .message_id = "abc@pocd.example",
	                     .date = 0,
	                     .lang = "ar",
	                     .subject = subject,
	                     .body = "line one\nline two\n"};
	char *msg, decoded[1024];
	unsigned char body[256];
	size_t len, got;
	const char *b;

	assert_int_equal(mime_build(&in, &msg, &len), POCD_OK);
	assert_int_equal(strlen(msg), len);
	assert_non_null(strstr(msg, "From: pocd <pocd@pocd.example>\r\n"));
	assert_non_null(strstr(msg, "To: <duty@cert-egy.example>\r\n"));
	assert_non_null(strstr(msg, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
	assert_non_null(strstr(msg, "Message-ID: <abc@pocd.example>\r\n"));
	assert_non_null(strstr(msg, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(msg, "Content-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(msg, "Content-Language: ar\r\n"));
	for (const char *p = msg; *p != '\0'; p++)
		if (*p == '\n')
			assert_true(p > msg && p[-1] == '\r');
	decode_subject(msg, decoded, sizeof(decoded));
	assert_string_equal(decoded, subject);
	b = strstr(msg, "\r\n\r\n") + 4;
	assert_int_equal(sodium_base642bin(body, sizeof(body), b, strlen(b), "\r\n", &got, NULL,
	                                   sodium_base64_VARIANT_ORIGINAL),
	                 0);
	assert_int_equal(got, strlen("line one\r\nline two\r\n"));
	assert_memory_equal(body, "line one\r\nline two\r\n", got);
	free(msg);
}

static void
messages_refused(void **state)
{
	struct mime_in ok = {.from = "pocd@pocd.example",
	                     .to = "a@b.example",
	                     .message_id = "abc@pocd.example",
	                     .lang = "en",
	                     .subject = "s",
	                     .body = ""};
	struct mime_in in;
	char *msg;
	size_t len;

	in = ok;
	in.subject = "a\r\nBcc: x@y";
	assert_int_equal(mime_build(&in, &msg, &len), POCD_EINVAL);
	assert_null(msg);
	in = ok;
	in.to = "a@b.example>\r\nBcc: <x@y";
	assert_int_equal(mime_build(&in, &msg, &len), POCD_EINVAL);
	in = ok;
	in.message_id = "abc>\r\nX: <y@z";
	assert_int_equal(mime_build(&in, &msg, &len), POCD_EINVAL);
	in = ok;
	in.lang = "e\n";
	assert_int_equal(mime_build(&in, &msg, &len), POCD_EINVAL);
	in = ok;
	in.subject = "";
	assert_int_equal(mime_build(&in, &msg, &len), POCD_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_kind_renders_in_every_language),
	    cmocka_unit_test(values_are_worded_in_the_language),
	    cmocka_unit_test(a_line_without_its_value_is_left_out),
	    cmocka_unit_test(payloads_that_could_shape_a_mail_are_refused),
	    cmocka_unit_test(content_for_sealed_mail),
	    cmocka_unit_test(addresses),
	    cmocka_unit_test(messages),
	    cmocka_unit_test(messages_refused),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
