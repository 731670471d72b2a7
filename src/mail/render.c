#include "mail/render.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broadcast.h"
#include "core/template.h"
#include "core/validate.h"
#include "lib/buf.h"
#include "lib/timeutil.h"
#include "mail/catalog.h"

#define PLACEHOLDER_MAX 16 /* bytes of a {name} */

int
mail_kind_known(const char *kind)
{
	return catalog_entry(kind) != NULL;
}

void
mail_text_free(struct mail_text *t)
{
	free(t->subject);
	free(t->body);
	t->subject = t->body = NULL;
}

static void why_set(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* The characters of ids, codes, dates, times and link paths; nothing that could end a line
 * or a header, or be taken for markup. */
static int
value_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > MAIL_VALUE_MAX)
		return 0;
	for (const char *p = v; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("-_:.+/#@", *p) != NULL))
			return 0;
	return 1;
}

struct ctx {
	json_t *payload;
	int lang;
	const char *base;
	char scratch[MAIL_BASE_MAX + MAIL_VALUE_MAX + 64];
};

/* The text a placeholder stands for in this mail, or NULL when the payload has no value
 * for it (the line holding it is left out). */
static const char *
value_of(struct ctx *c, const char *name)
{
	const char *v;
	int64_t t;
	const struct catalog_phrase *ph;
	const struct tset *urg;
	int i;

	if (strcmp(name, "base") == 0) {
		snprintf(c->scratch, sizeof(c->scratch), "%s/", c->base);
		return c->scratch;
	}
	v = json_string_value(
	    json_object_get(c->payload, strcmp(name, "task_kind") == 0 ? "kind" : name));
	if (v == NULL)
		return NULL;
	if (strcmp(name, "link") == 0) {
		snprintf(c->scratch, sizeof(c->scratch), "%s%s", c->base, v);
		return c->scratch;
	}
	if (strcmp(name, "urgency") == 0) {
		urg = template_set("urgency");
		i = template_code(urg, v);
		return i >= 0 ? urg->codes[i].label[c->lang] : v;
	}
	if (strcmp(name, "escalation") == 0 || strcmp(name, "task_kind") == 0 ||
	    strcmp(name, "changes") == 0) {
		ph = catalog_phrase(v);
		return ph != NULL ? ph->text[c->lang] : v;
	}
	if (strlen(v) == RFC3339_SIZE - 1 && parse_rfc3339(v, &t)) {
		/* "2026-11-27T03:12:00Z" reads as "2026-11-27 03:12 UTC". */
		snprintf(c->scratch, sizeof(c->scratch), "%.10s %.5s UTC", v, v + 11);
		return c->scratch;
	}
	return v;
}

/* Fills one line of a template into out; false when a placeholder had no value. */
static int
fill_line(struct ctx *c, const char *line, size_t len, struct buf *out, char *why, size_t whylen)
{
	char name[PLACEHOLDER_MAX];
	const char *p = line, *end = line + len, *close, *v;

	while (p < end) {
		const char *open = memchr(p, '{', (size_t)(end - p));
		if (open == NULL) {
			buf_add(out, p, (size_t)(end - p));
			break;
		}
		buf_add(out, p, (size_t)(open - p));
		close = memchr(open, '}', (size_t)(end - open));
		if (close == NULL || (size_t)(close - open - 1) >= sizeof(name)) {
			why_set(why, whylen, "the catalog has a malformed placeholder");
			return -1;
		}
		memcpy(name, open + 1, (size_t)(close - open - 1));
		name[close - open - 1] = '\0';
		v = value_of(c, name);
		if (v == NULL)
			return 0;
		buf_add(out, v, strlen(v));
		p = close + 1;
	}
	return 1;
}

/* Renders tmpl line by line into a new string; NULL with why on failure. */
static char *
fill(struct ctx *c, const char *tmpl, char *why, size_t whylen)
{
	struct buf out;
	size_t mark;
	int rc = 1;

	buf_init(&out);
	for (const char *p = tmpl; *p != '\0' && rc >= 0;) {
		size_t n = strcspn(p, "\n");
		mark = out.len;
		rc = fill_line(c, p, n, &out, why, whylen);
		if (rc == 0 && out.p != NULL) {
			out.len = mark;
			out.p[mark] = '\0';
		} else if (rc > 0 && p[n] == '\n') {
			buf_add(&out, "\n", 1);
		}
		p += n + (p[n] == '\n');
	}
	buf_add(&out, "", 0);
	if (rc < 0 || out.oom) {
		if (rc >= 0)
			why_set(why, whylen, "out of memory");
		buf_free(&out);
		return NULL;
	}
	return buf_steal(&out, NULL);
}

enum pocd_err
mail_render(const char *kind, const char *lang, const char *payload, const char *base_url,
            struct mail_text *out, char *why, size_t whylen)
{
	const struct catalog_entry *e = catalog_entry(kind);
	struct ctx c = {.base = base_url};
	json_error_t jerr;
	const char *key;
	json_t *v;
	enum pocd_err err = POCD_EINVAL;

	memset(out, 0, sizeof(*out));
	if (e == NULL) {
		why_set(why, whylen, "no mail is known of kind '%.24s'", kind);
		return POCD_EINVAL;
	}
	if (strlen(payload) > MAIL_PAYLOAD_MAX || strlen(base_url) > MAIL_BASE_MAX) {
		why_set(why, whylen, "the payload or the public URL is too long");
		return POCD_EINVAL;
	}
	c.lang = un_lang_index(lang);
	if (c.lang < 0)
		c.lang = un_lang_index("en");
	memcpy(out->lang, un_lang_index(lang) >= 0 ? lang : "en", 3);
	c.payload = json_loads(payload, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(c.payload)) {
		why_set(why, whylen, "the payload is not a JSON object");
		goto out;
	}
	json_object_foreach(c.payload, key, v)
	{
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
		    !value_ok(json_string_value(v))) {
			why_set(why, whylen, "the payload's '%.24s' is not a short plain value",
			        key);
			goto out;
		}
	}
	v = json_object_get(c.payload, "link");
	if (v != NULL && json_string_value(v)[0] != '/') {
		why_set(why, whylen, "the payload's link is not a path");
		goto out;
	}
	out->subject = fill(&c, e->subject[c.lang], why, whylen);
	/* A subject is one line: without its value it would be empty. */
	if (out->subject != NULL && out->subject[0] == '\0') {
		why_set(why, whylen, "the payload lacks a value the subject of '%.24s' needs",
		        kind);
		mail_text_free(out);
		goto out;
	}
	out->body = out->subject != NULL ? fill(&c, e->body[c.lang], why, whylen) : NULL;
	err = out->body != NULL ? POCD_OK : POCD_ENOMEM;
	if (err != POCD_OK)
		mail_text_free(out);
out:
	json_decref(c.payload);
	return err;
}

/* "Label: value" with the set's and the code's wording in language l. */
static void
coded_line(struct buf *b, const char *set, const char *code, int l)
{
	const struct tset *ts = template_set(set);
	int i = template_code(ts, code);

	if (ts != NULL)
		buf_printf(b, "%s: %s\n", ts->label[l], i >= 0 ? ts->codes[i].label[l] : code);
}

char *
mail_render_content(const char *lang, const char *sender_state, const char *type,
                    const char *urgency, const char *tlp, const char *content)
{
	json_t *c = json_loads(content, 0, NULL);
	const char *subject =
	    json_string_value(json_object_get(json_object_get(c, "subject"), "text"));
	const char *desc =
	    json_string_value(json_object_get(json_object_get(c, "description"), "text"));
	int l = un_lang_index(lang) >= 0 ? un_lang_index(lang) : un_lang_index("en");
	struct buf b;

	if (subject == NULL || desc == NULL) {
		json_decref(c);
		return NULL;
	}
	buf_init(&b);
	buf_printf(&b, "\n----\n%s\n", sender_state);
	coded_line(&b, "type", type, l);
	coded_line(&b, "urgency", urgency, l);
	coded_line(&b, "tlp", tlp, l);
	buf_printf(&b, "\n%s\n\n%s\n", subject, desc);
	json_decref(c);
	return buf_steal(&b, NULL);
}

enum pocd_err
mail_render_broadcast(const char *lang, const char *texts, const char *base_url,
                      struct mail_text *out, char *why, size_t whylen)
{
	struct mail_text frame = {0};
	const char *subject, *body;
	json_t *o = broadcast_text(texts, lang, &subject, &body);
	struct buf s, b;
	enum pocd_err err;

	memset(out, 0, sizeof(*out));
	if (o == NULL) {
		why_set(why, whylen, "the broadcast's texts cannot be read");
		return POCD_EINVAL;
	}
	err = mail_render("broadcast", lang, "{}", base_url, &frame, why, whylen);
	if (err != POCD_OK) {
		json_decref(o);
		return err;
	}
	buf_init(&s);
	buf_init(&b);
	buf_printf(&s, "%s: %s", frame.subject, subject);
	buf_printf(&b, "%s\n\n-- \n%s", body, frame.body);
	memcpy(out->lang, frame.lang, sizeof(out->lang));
	out->subject = buf_steal(&s, NULL);
	out->body = buf_steal(&b, NULL);
	mail_text_free(&frame);
	json_decref(o);
	if (out->subject == NULL || out->body == NULL) {
		mail_text_free(out);
		return POCD_ENOMEM;
	}
	return POCD_OK;
}
