#include "api/export.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "lib/timeutil.h"

static const char *const csv_cols[] = {
    "id",
    "state",
    "kind",
    "rank",
    "organisation",
    "role_title",
    "person_name",
    "email",
    "phones",
    "languages",
    "time_zone",
    "availability",
    "pgp_fingerprint",
    "review_by",
    "revision",
    "updated_at",
    NULL,
};

static void
csv_cell(struct buf *b, const char *v, bool last)
{
	bool quote = strpbrk(v, ",\"\r\n") != NULL;
	/* A leading =, +, -, @ (or tab, CR) makes spreadsheets evaluate the cell. */
	bool neutral = v[0] != '\0' && strchr("=+-@\t\r", v[0]) != NULL;

	if (quote || neutral)
		buf_add(b, "\"", 1);
	if (neutral)
		buf_add(b, "'", 1);
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			buf_add(b, "\"", 1);
		buf_add(b, p, 1);
	}
	if (quote || neutral)
		buf_add(b, "\"", 1);
	buf_puts(b, last ? "\r\n" : ",");
}

void
export_csv_cells(struct buf *b, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		csv_cell(b, cells[i], i + 1 == n);
}

void
export_csv_header(struct buf *b)
{
	for (size_t i = 0; csv_cols[i] != NULL; i++)
		csv_cell(b, csv_cols[i], csv_cols[i + 1] == NULL);
}

static void
join(const char *items, size_t width, size_t n, const char *sep, char *out, size_t outlen)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strlcat(out, sep, outlen);
		strlcat(out, items + i * width, outlen);
	}
}

/* Stored availabilities are canonical; this keeps a damaged one from crashing an export. */
static const char *
str_or_empty(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "";
}

void
export_availability_text(const char *json, char *out, size_t outlen)
{
	json_t *v = json_loads(json, JSON_DECODE_ANY, NULL), *slot;
	size_t i;

	out[0] = '\0';
	if (json_is_string(v)) {
		strlcpy(out, json_string_value(v), outlen);
	} else if (json_is_object(v)) {
		json_array_foreach(json_object_get(v, "weekly"), i, slot)
		{
			json_t *d;
			size_t k;
			if (i > 0)
				strlcat(out, "; ", outlen);
			json_array_foreach(json_object_get(slot, "days"), k, d)
			{
				if (k > 0)
					strlcat(out, ",", outlen);
				strlcat(out, str_or_empty(d), outlen);
			}
			strlcat(out, " ", outlen);
			strlcat(out, str_or_empty(json_object_get(slot, "from")), outlen);
			strlcat(out, "-", outlen);
			strlcat(out, str_or_empty(json_object_get(slot, "to")), outlen);
		}
	}
	json_decref(v);
}

void
export_csv_row(struct buf *b, const struct poc *p)
{
	char phones[POC_MAX_PHONES * PHONE_SIZE], langs[POC_MAX_LANGS * 3], avail[AVAIL_SIZE];
	char rev[24], updated[RFC3339_SIZE];

	join(&p->phones[0][0], PHONE_SIZE, p->nphones, " ", phones, sizeof(phones));
	join(&p->languages[0][0], 3, p->nlangs, " ", langs, sizeof(langs));
	export_availability_text(p->availability, avail, sizeof(avail));
	snprintf(rev, sizeof(rev), "%lld", (long long)p->revision);
	fmt_rfc3339(p->updated_at, updated);
	csv_cell(b, p->id, false);
	csv_cell(b, p->state, false);
	csv_cell(b, poc_kind_name(p->kind), false);
	csv_cell(b, poc_rank_name(p->rank), false);
	csv_cell(b, p->organisation, false);
	csv_cell(b, p->role_title, false);
	csv_cell(b, p->person_name, false);
	csv_cell(b, p->email, false);
	csv_cell(b, phones, false);
	csv_cell(b, langs, false);
	csv_cell(b, p->time_zone, false);
	csv_cell(b, avail, false);
	csv_cell(b, p->pgp_fingerprint, false);
	csv_cell(b, p->review_by, false);
	csv_cell(b, rev, false);
	csv_cell(b, updated, true);
}

/* A content line, folded so that no physical line exceeds 75 octets, never inside a UTF-8
 * sequence (RFC 6350 section 3.2). */
static void
vline(struct buf *b, const char *line)
{
	size_t col = 0;

	for (const unsigned char *p = (const unsigned char *)line; *p;) {
		size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
		for (size_t k = 1; k < len; k++)
			if (p[k] == '\0')
				len = k; /* a sequence cut short: never step past the end */
		if (col + len > 75) {
			buf_puts(b, "\r\n ");
			col = 1;
		}
		buf_add(b, p, len);
		col += len;
		p += len;
	}
	buf_puts(b, "\r\n");
}

/* Escapes a text value: backslash, comma, semicolon and newlines. */
static void
vescape(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (const char *p = in; *p && o + 3 < outlen; p++) {
		if (*p == '\\' || *p == ',' || *p == ';')
			out[o++] = '\\';
		if (*p == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

static void
vprop(struct buf *b, const char *name, const char *value)
{
	char esc[TEXT_SIZE * 2], line[TEXT_SIZE * 2 + 64];

	vescape(value, esc, sizeof(esc));
	snprintf(line, sizeof(line), "%s:%s", name, esc);
	vline(b, line);
}

void
export_vcard(struct buf *b, const struct poc *p)
{
	char line[512], rev[RFC3339_SIZE], compact[17];

	buf_puts(b, "BEGIN:VCARD\r\nVERSION:4.0\r\n");
	vprop(b, "FN", p->person_name[0] != '\0' ? p->person_name : p->organisation);
	vprop(b, "ORG", p->organisation);
	vprop(b, "TITLE", p->role_title);
	snprintf(line, sizeof(line), "EMAIL;TYPE=work:%s", p->email);
	vline(b, line);
	for (size_t i = 0; i < p->nphones; i++) {
		snprintf(line, sizeof(line), "TEL;VALUE=uri;TYPE=work,voice:tel:%s", p->phones[i]);
		vline(b, line);
	}
	for (size_t i = 0; i < p->nlangs; i++) {
		snprintf(line, sizeof(line), "LANG;PREF=%zu:%s", i + 1, p->languages[i]);
		vline(b, line);
	}
	snprintf(line, sizeof(line), "TZ;VALUE=text:%s", p->time_zone);
	vline(b, line);
	snprintf(line, sizeof(line), "CATEGORIES:%s,%s", poc_kind_name(p->kind),
	         poc_rank_name(p->rank));
	vline(b, line);
	snprintf(line, sizeof(line), "UID:urn:pocd:poc:%s", p->id);
	vline(b, line);
	fmt_rfc3339(p->updated_at, rev);
	/* REV is a timestamp in basic format: 20261126T031200Z. */
	snprintf(compact, sizeof(compact), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", rev, rev + 5, rev + 8,
	         rev + 11, rev + 14, rev + 17);
	snprintf(line, sizeof(line), "REV:%s", compact);
	vline(b, line);
	snprintf(line, sizeof(line), "X-POCD-STATE:%s", p->state);
	vline(b, line);
	if (p->pgp_fingerprint[0] != '\0') {
		snprintf(line, sizeof(line), "X-POCD-PGP-FINGERPRINT:%s", p->pgp_fingerprint);
		vline(b, line);
	}
	buf_puts(b, "END:VCARD\r\n");
}
