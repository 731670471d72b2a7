/*
 * Fuzzes the CSV and vCard exports (src/api/export.h) with hostile field values: the input is
 * split at 0xff bytes (never in UTF-8) into cells.
 *
 * CSV: any cells without NUL, through export_csv_cells, give one record that an RFC 4180
 * reader parses back to as many cells; each is the value as given, or, for a value a
 * spreadsheet would run as a formula (it starts with =, +, -, @, tab or CR), the value behind
 * a quote mark; no cell read back starts with one of those.
 *
 * vCard: the cells become a PoC's organisation, role title and person name where they are
 * text the API accepts (valid_text), and its e-mail and time zone where valid; the card, once
 * unfolded, is BEGIN:VCARD, VERSION:4.0, then lines "NAME[;PARAMS]:VALUE" and END:VCARD once,
 * with no CR or LF inside a line; FN, ORG and TITLE unescape to the values given and hold no
 * unescaped comma or semicolon. The CSV row of that PoC holds its 16 columns.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/export.h"
#include "core/validate.h"

#define INPUT_MAX 8192
#define CELLS_MAX 32
#define NCOLS     16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char danger[] = "=+-@\t\r";

/* Reads one RFC 4180 record from *p into cells (each malloc'd); its count, or -1 when the
 * text is not one well-formed CRLF-terminated record. */
static int
csv_read(const char **p, const char *end, char **cells, size_t max)
{
	const char *s = *p;
	size_t n = 0;

	for (;;) {
		char *cell = malloc((size_t)(end - s) + 1);
		size_t o = 0;

		if (cell == NULL || n == max) {
			free(cell);
			return -1;
		}
		if (s < end && *s == '"') {
			for (s++;; s++) {
				if (s == end) {
					free(cell);
					return -1;
				}
				if (*s == '"') {
					if (s + 1 < end && s[1] == '"')
						s++;
					else
						break;
				}
				cell[o++] = *s;
			}
			s++;
		} else {
			while (s < end && *s != ',' && *s != '\r' && *s != '\n' && *s != '"')
				cell[o++] = *s++;
		}
		cell[o] = '\0';
		cells[n++] = cell;
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (end - s >= 2 && s[0] == '\r' && s[1] == '\n') {
			*p = s + 2;
			return (int)n;
		}
		return -1;
	}
}

static void
free_cells(char **cells, int n)
{
	for (int i = 0; i < n; i++)
		free(cells[i]);
}

/* Whether cell is what export wrote for v: v itself, or v behind a quote mark when it would
 * run as a formula. */
static bool
same_cell(const char *cell, const char *v)
{
	bool neutral = v[0] != '\0' && strchr(danger, v[0]) != NULL;

	return neutral ? cell[0] == '\'' && strcmp(cell + 1, v) == 0 : strcmp(cell, v) == 0;
}

static void
check_csv(const char *const *cells, size_t n)
{
	struct buf b;
	char *back[CELLS_MAX];
	const char *p;
	int got;

	buf_init(&b);
	export_csv_cells(&b, cells, n);
	if (b.oom)
		abort();
	p = b.p;
	got = csv_read(&p, b.p + b.len, back, CELLS_MAX);
	if (got != (int)n || p != b.p + b.len)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (!same_cell(back[i], cells[i]))
			abort();
		if (back[i][0] != '\0' && strchr(danger, back[i][0]) != NULL)
			abort();
	}
	free_cells(back, got);
	buf_free(&b);
}

/* Undoes RFC 6350 text escaping into out; false on a raw comma or semicolon, or a stray
 * backslash. */
static bool
vunescape(const char *v, char *out)
{
	for (; *v != '\0'; v++) {
		if (*v == ',' || *v == ';')
			return false;
		if (*v == '\\') {
			v++;
			if (*v == 'n' || *v == 'N')
				*out++ = '\n';
			else if (*v == '\\' || *v == ',' || *v == ';')
				*out++ = *v;
			else
				return false;
		} else {
			*out++ = *v;
		}
	}
	*out = '\0';
	return true;
}

/* The unfolded card, its CRLFs turned into NULs between lines; the number of lines. */
static size_t
unfold(const char *card, size_t len, char *out, char **lines, size_t max)
{
	size_t n = 0, o = 0;

	lines[n++] = out;
	for (size_t i = 0; i < len; i++) {
		if (card[i] == '\r' && i + 1 < len && card[i + 1] == '\n') {
			i++;
			if (i + 1 < len && card[i + 1] == ' ') {
				i++; /* a fold: the line goes on */
				continue;
			}
			out[o++] = '\0';
			if (i + 1 < len) {
				if (n == max)
					abort();
				lines[n++] = out + o;
			}
			continue;
		}
		if (card[i] == '\r' || card[i] == '\n')
			abort();
		out[o++] = card[i];
	}
	if (len < 2 || card[len - 2] != '\r' || card[len - 1] != '\n')
		abort();
	return n;
}

static void
check_vcard(const struct poc *p)
{
	struct buf b;
	char *lines[64], *unfolded, *val;
	size_t n, begins = 0, ends = 0;
	const char *fn = p->person_name[0] != '\0' ? p->person_name : p->organisation;

	buf_init(&b);
	export_vcard(&b, p);
	if (b.oom)
		abort();
	unfolded = malloc(b.len + 1);
	val = malloc(b.len + 1);
	if (unfolded == NULL || val == NULL)
		abort();
	n = unfold(b.p, b.len, unfolded, lines, 64);
	if (n < 4 || strcmp(lines[0], "BEGIN:VCARD") != 0 || strcmp(lines[1], "VERSION:4.0") != 0 ||
	    strcmp(lines[n - 1], "END:VCARD") != 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *colon = strchr(lines[i], ':');
		size_t name = strcspn(lines[i], ";:");
		begins += strncmp(lines[i], "BEGIN:", 6) == 0;
		ends += strncmp(lines[i], "END:", 4) == 0;
		if (colon == NULL || name == 0)
			abort();
		for (size_t k = 0; k < name; k++)
			if (!((lines[i][k] >= 'A' && lines[i][k] <= 'Z') || lines[i][k] == '-'))
				abort();
		if (strncmp(lines[i], "FN:", 3) == 0 &&
		    (!vunescape(colon + 1, val) || strcmp(val, fn) != 0))
			abort();
		if (strncmp(lines[i], "ORG:", 4) == 0 &&
		    (!vunescape(colon + 1, val) || strcmp(val, p->organisation) != 0))
			abort();
		if (strncmp(lines[i], "TITLE:", 6) == 0 &&
		    (!vunescape(colon + 1, val) || strcmp(val, p->role_title) != 0))
			abort();
		if (strncmp(lines[i], "EMAIL;", 6) == 0 && strcmp(colon + 1, p->email) != 0)
			abort();
	}
	if (begins != 1 || ends != 1)
		abort();
	free(val);
	free(unfolded);
	buf_free(&b);
}

static void
check_row(const struct poc *p)
{
	struct buf b;
	char *back[CELLS_MAX];
	const char *s;
	int got;

	buf_init(&b);
	export_csv_row(&b, p);
	s = b.p;
	got = csv_read(&s, b.p + b.len, back, CELLS_MAX);
	if (b.oom || got != NCOLS || s != b.p + b.len)
		abort();
	if (!same_cell(back[4], p->organisation) || !same_cell(back[5], p->role_title) ||
	    !same_cell(back[6], p->person_name) || !same_cell(back[7], p->email))
		abort();
	free_cells(back, got);
	buf_free(&b);
}

static void
set_text(char *dst, size_t size, const char *v, bool may_be_empty)
{
	if ((may_be_empty && v[0] == '\0') || valid_text(v, TEXT_MAX))
		strlcpy(dst, v, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct poc p;
	char *text, *cells[CELLS_MAX];
	size_t n = 0;

	if (size > INPUT_MAX)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* Cells end at 0xff; a NUL ends the input, as C strings hold no NUL. */
	cells[n++] = text;
	for (char *q = text; *q != '\0' && n < CELLS_MAX; q++)
		if ((unsigned char)*q == 0xff) {
			*q = '\0';
			cells[n++] = q + 1;
		}
	check_csv((const char *const *)cells, n);

	memset(&p, 0, sizeof(p));
	strlcpy(p.id, "abcdefghijklmnopqrstuvwxyz", sizeof(p.id));
	strlcpy(p.state, "FRA", sizeof(p.state));
	strlcpy(p.organisation, "CERT-FR (fictional)", sizeof(p.organisation));
	strlcpy(p.role_title, "Duty officer", sizeof(p.role_title));
	strlcpy(p.email, "duty@cert-fr.example", sizeof(p.email));
	strlcpy(p.time_zone, "Europe/Paris", sizeof(p.time_zone));
	strlcpy(p.availability, "\"24/7\"", sizeof(p.availability));
	p.revision = 1;
	p.updated_at = 1795662720;
	set_text(p.organisation, sizeof(p.organisation), cells[0], false);
	if (n > 1)
		set_text(p.role_title, sizeof(p.role_title), cells[1], false);
	if (n > 2)
		set_text(p.person_name, sizeof(p.person_name), cells[2], true);
	if (n > 3 && valid_email(cells[3]))
		strlcpy(p.email, cells[3], sizeof(p.email));
	check_vcard(&p);
	check_row(&p);
	free(text);
	return 0;
}
