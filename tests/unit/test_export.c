/* Unit tests of src/api/export.h: CSV (RFC 4180) and vCard 4.0 (RFC 6350) output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/export.h"
#include "core/validate.h"

#define NCOLS    16
#define CELL_MAX 2048

/* One parsed CSV row: its unquoted cells. */
struct row {
	size_t n;
	char cell[NCOLS + 4][CELL_MAX];
};

/* Parses one RFC 4180 row from *p (which must end with CRLF) and moves *p past it. Fails
 * the test on a malformed row. */
static void
parse_row(const char **p, struct row *r)
{
	const char *s = *p;
	size_t o;

	memset(r, 0, sizeof(*r));
	for (;;) {
		assert_true(r->n < NCOLS + 4);
		o = 0;
		if (*s == '"') {
			s++;
			for (;;) {
				assert_true(*s != '\0');
				if (s[0] == '"' && s[1] == '"') {
					r->cell[r->n][o++] = '"';
					s += 2;
				} else if (s[0] == '"') {
					s++;
					break;
				} else {
					r->cell[r->n][o++] = *s++;
				}
				assert_true(o < CELL_MAX);
			}
		} else {
			while (*s != ',' && *s != '\r' && *s != '\0') {
				assert_true(*s != '"' && *s != '\n');
				r->cell[r->n][o++] = *s++;
				assert_true(o < CELL_MAX);
			}
		}
		r->cell[r->n][o] = '\0';
		r->n++;
		if (*s == ',') {
			s++;
			continue;
		}
		assert_true(s[0] == '\r' && s[1] == '\n');
		*p = s + 2;
		return;
	}
}

static void
sample(struct poc *p)
{
	memset(p, 0, sizeof(*p));
	strlcpy(p->id, "abcdefghijklmnopqrstuvwxyz", sizeof(p->id));
	strlcpy(p->state, "FRA", sizeof(p->state));
	p->kind = POC_TECHNICAL;
	p->rank = POC_PRIMARY;
	strlcpy(p->organisation, "CERT-FR", sizeof(p->organisation));
	strlcpy(p->role_title, "Duty officer", sizeof(p->role_title));
	strlcpy(p->person_name, "Jos\xc3\xa9 Dupont", sizeof(p->person_name));
	strlcpy(p->email, "duty@cert.example", sizeof(p->email));
	p->nphones = 2;
	strlcpy(p->phones[0], "+33123456789", PHONE_SIZE);
	strlcpy(p->phones[1], "+33987654321", PHONE_SIZE);
	p->nlangs = 2;
	strlcpy(p->languages[0], "fr", 3);
	strlcpy(p->languages[1], "en", 3);
	strlcpy(p->time_zone, "Europe/Paris", sizeof(p->time_zone));
	strlcpy(p->availability,
	        "{\"weekly\":[{\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"from\":"
	        "\"09:00\",\"to\":\"17:00\"},{\"days\":[\"sat\"],\"from\":\"10:00\",\"to\":"
	        "\"12:00\"}]}",
	        sizeof(p->availability));
	strlcpy(p->pgp_fingerprint, "0123456789ABCDEF0123456789ABCDEF01234567",
	        sizeof(p->pgp_fingerprint));
	strlcpy(p->review_by, "2027-01-31", sizeof(p->review_by));
	p->revision = 7;
	p->created_at = 1795662720;
	p->updated_at = 1795662720; /* 2026-11-26T03:12:00Z */
}

static void
csv_header(void **state)
{
	struct buf b;
	struct row r;
	const char *p;

	buf_init(&b);
	export_csv_header(&b);
	assert_false(b.oom);
	assert_string_equal(b.p, "id,state,kind,rank,organisation,role_title,person_name,email,"
	                         "phones,languages,time_zone,availability,pgp_fingerprint,"
	                         "review_by,revision,updated_at\r\n");
	p = b.p;
	parse_row(&p, &r);
	assert_int_equal(r.n, NCOLS);
	assert_string_equal(p, "");
	buf_free(&b);
}

static void
csv_plain_row(void **state)
{
	struct poc p;
	struct buf b;
	struct row r;
	const char *s;

	sample(&p);
	buf_init(&b);
	export_csv_row(&b, &p);
	assert_true(b.len > 2 && b.p[b.len - 2] == '\r' && b.p[b.len - 1] == '\n');
	/* One row: the only line break is the final CRLF. */
	assert_ptr_equal(strchr(b.p, '\n'), b.p + b.len - 1);
	s = b.p;
	parse_row(&s, &r);
	assert_string_equal(s, "");
	assert_int_equal(r.n, NCOLS);
	assert_string_equal(r.cell[0], "abcdefghijklmnopqrstuvwxyz");
	assert_string_equal(r.cell[1], "FRA");
	assert_string_equal(r.cell[2], "technical");
	assert_string_equal(r.cell[3], "primary");
	assert_string_equal(r.cell[4], "CERT-FR");
	assert_string_equal(r.cell[5], "Duty officer");
	assert_string_equal(r.cell[6], "Jos\xc3\xa9 Dupont");
	assert_string_equal(r.cell[7], "duty@cert.example");
	/* A list of phones starts with "+": neutralised like any formula. */
	assert_string_equal(r.cell[8], "'+33123456789 +33987654321");
	assert_string_equal(r.cell[9], "fr en");
	assert_string_equal(r.cell[10], "Europe/Paris");
	assert_string_equal(r.cell[11], "mon,tue,wed,thu,fri 09:00-17:00; sat 10:00-12:00");
	assert_string_equal(r.cell[12], "0123456789ABCDEF0123456789ABCDEF01234567");
	assert_string_equal(r.cell[13], "2027-01-31");
	assert_string_equal(r.cell[14], "7");
	assert_string_equal(r.cell[15], "2026-11-26T03:12:00Z");
	buf_free(&b);
}

static void
csv_quoting(void **state)
{
	static const char *const orgs[] = {
	    "Ministry, of Foreign Affairs",
	    "The \"CERT\"",
	    "\"",
	    "line one\r\nline two",
	    "bare\nnewline",
	    "carriage\rreturn",
	    "a,\"b\",\r\nc",
	    "trailing,",
	};
	struct poc p;
	struct buf b;
	struct row r;
	const char *s;

	for (size_t i = 0; i < sizeof(orgs) / sizeof(orgs[0]); i++) {
		sample(&p);
		strlcpy(p.organisation, orgs[i], sizeof(p.organisation));
		strlcpy(p.role_title, orgs[i], sizeof(p.role_title));
		p.person_name[0] = '\0';
		buf_init(&b);
		export_csv_row(&b, &p);
		s = b.p;
		parse_row(&s, &r);
		assert_string_equal(s, "");
		assert_int_equal(r.n, NCOLS);
		assert_string_equal(r.cell[4], orgs[i]);
		assert_string_equal(r.cell[5], orgs[i]);
		assert_string_equal(r.cell[6], "");
		/* Quoted: the cell's raw form starts with a quote right after the comma. */
		assert_non_null(strstr(b.p, ",\""));
		buf_free(&b);
	}
	/* The exact form of one. */
	sample(&p);
	strlcpy(p.organisation, "a \"b\", c", sizeof(p.organisation));
	buf_init(&b);
	export_csv_row(&b, &p);
	assert_non_null(strstr(b.p, ",primary,\"a \"\"b\"\", c\",Duty officer,"));
	buf_free(&b);
}

static void
csv_formulas(void **state)
{
	static const char *const evil[] = {
	    "=HYPERLINK(\"http://evil.example\",\"x\")",
	    "+1+1",
	    "-2+3",
	    "@SUM(A1:A2)",
	    "=1,2",
	    "\tindented",
	};
	struct poc p;
	struct buf b;
	struct row r;
	char want[CELL_MAX];
	const char *s;

	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		sample(&p);
		strlcpy(p.organisation, evil[i], sizeof(p.organisation));
		strlcpy(p.person_name, evil[i], sizeof(p.person_name));
		buf_init(&b);
		export_csv_row(&b, &p);
		s = b.p;
		parse_row(&s, &r);
		assert_int_equal(r.n, NCOLS);
		snprintf(want, sizeof(want), "'%s", evil[i]);
		assert_string_equal(r.cell[4], want);
		assert_string_equal(r.cell[6], want);
		/* No cell may start with a formula character once parsed. */
		for (size_t k = 0; k < r.n; k++)
			assert_true(r.cell[k][0] == '\0' ||
			            strchr("=+-@\t\r", r.cell[k][0]) == NULL);
		buf_free(&b);
	}
	/* Formula characters inside a value are harmless and kept as they are. */
	sample(&p);
	strlcpy(p.organisation, "CERT-FR = ANSSI @ Paris", sizeof(p.organisation));
	buf_init(&b);
	export_csv_row(&b, &p);
	s = b.p;
	parse_row(&s, &r);
	assert_string_equal(r.cell[4], "CERT-FR = ANSSI @ Paris");
	buf_free(&b);
}

static void
csv_many_rows(void **state)
{
	struct poc p;
	struct buf b;
	struct row r;
	const char *s;
	size_t rows = 0;

	buf_init(&b);
	export_csv_header(&b);
	sample(&p);
	for (int i = 0; i < 50; i++) {
		p.revision = i + 1;
		export_csv_row(&b, &p);
	}
	for (s = b.p; *s != '\0'; rows++) {
		parse_row(&s, &r);
		assert_int_equal(r.n, NCOLS);
	}
	assert_int_equal(rows, 51);
	buf_free(&b);
}

static void
availability(void **state)
{
	char out[AVAIL_SIZE];

	export_availability_text("\"24/7\"", out, sizeof(out));
	assert_string_equal(out, "24/7");
	export_availability_text("{\"weekly\":[{\"days\":[\"mon\",\"tue\",\"wed\",\"thu\","
	                         "\"fri\"],\"from\":\"09:00\",\"to\":\"17:00\"}]}",
	                         out, sizeof(out));
	assert_string_equal(out, "mon,tue,wed,thu,fri 09:00-17:00");
	export_availability_text("{\"weekly\":[{\"days\":[\"mon\"],\"from\":\"00:00\",\"to\":"
	                         "\"24:00\"},{\"days\":[\"sat\",\"sun\"],\"from\":\"10:00\","
	                         "\"to\":\"12:00\"}]}",
	                         out, sizeof(out));
	assert_string_equal(out, "mon 00:00-24:00; sat,sun 10:00-12:00");
	/* What is not an availability gives an empty text, never garbage. */
	export_availability_text("", out, sizeof(out));
	assert_string_equal(out, "");
	export_availability_text("not json", out, sizeof(out));
	assert_string_equal(out, "");
	export_availability_text("42", out, sizeof(out));
	assert_string_equal(out, "");
	/* A small buffer is filled, not overrun. */
	export_availability_text("\"24/7\"", out, 3);
	assert_string_equal(out, "24");
}

/* Checks the physical form of a vCard: CRLF lines of at most 75 octets, each valid UTF-8 on
 * its own, continuation lines starting with one space. Returns the unfolded text (free it). */
static char *
check_vcard(const char *v)
{
	size_t len = strlen(v), o = 0;
	char *unfolded = malloc(len + 1), line[256];
	const char *p = v, *eol;

	assert_non_null(unfolded);
	assert_true(strncmp(v, "BEGIN:VCARD\r\nVERSION:4.0\r\n", 26) == 0);
	assert_true(len >= 11 && strcmp(v + len - 11, "END:VCARD\r\n") == 0);
	while (*p != '\0') {
		eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 75);
		assert_true(eol - p >= 1);
		memcpy(line, p, (size_t)(eol - p));
		line[eol - p] = '\0';
		assert_null(strchr(line, '\n'));
		assert_null(strchr(line, '\r'));
		/* Never a cut UTF-8 sequence at either end of a physical line. */
		assert_true(valid_text(line[0] == ' ' ? line + 1 : line, 256));
		if (line[0] == ' ') {
			assert_true(o > 0);
			memcpy(unfolded + o, line + 1, strlen(line + 1));
			o += strlen(line + 1);
		} else {
			if (o > 0)
				unfolded[o++] = '\n';
			memcpy(unfolded + o, line, strlen(line));
			o += strlen(line);
		}
		p = eol + 2;
	}
	unfolded[o++] = '\n';
	unfolded[o] = '\0';
	return unfolded;
}

static void
vcard_fields(void **state)
{
	struct poc p;
	struct buf b;
	char *u;

	sample(&p);
	buf_init(&b);
	export_vcard(&b, &p);
	assert_false(b.oom);
	u = check_vcard(b.p);
	assert_string_equal(u, "BEGIN:VCARD\n"
	                       "VERSION:4.0\n"
	                       "FN:Jos\xc3\xa9 Dupont\n"
	                       "ORG:CERT-FR\n"
	                       "TITLE:Duty officer\n"
	                       "EMAIL;TYPE=work:duty@cert.example\n"
	                       "TEL;VALUE=uri;TYPE=work,voice:tel:+33123456789\n"
	                       "TEL;VALUE=uri;TYPE=work,voice:tel:+33987654321\n"
	                       "LANG;PREF=1:fr\n"
	                       "LANG;PREF=2:en\n"
	                       "TZ;VALUE=text:Europe/Paris\n"
	                       "CATEGORIES:technical,primary\n"
	                       "UID:urn:pocd:poc:abcdefghijklmnopqrstuvwxyz\n"
	                       "REV:20261126T031200Z\n"
	                       "X-POCD-STATE:FRA\n"
	                       "X-POCD-PGP-FINGERPRINT:0123456789ABCDEF0123456789ABCDEF01234567\n"
	                       "END:VCARD\n");
	free(u);
	buf_free(&b);

	/* Without a person, FN is the organisation; without a key, no key line. */
	p.person_name[0] = '\0';
	p.pgp_fingerprint[0] = '\0';
	p.kind = POC_DIPLOMATIC;
	p.rank = POC_ALTERNATE;
	buf_init(&b);
	export_vcard(&b, &p);
	u = check_vcard(b.p);
	assert_non_null(strstr(u, "\nFN:CERT-FR\n"));
	assert_non_null(strstr(u, "\nCATEGORIES:diplomatic,alternate\n"));
	assert_null(strstr(u, "PGP"));
	free(u);
	buf_free(&b);
}

static void
vcard_escaping(void **state)
{
	struct poc p;
	struct buf b;
	char *u;

	sample(&p);
	strlcpy(p.organisation, "Foreign Affairs, Cyber; Unit \\ 2\nSecond line",
	        sizeof(p.organisation));
	strlcpy(p.role_title, "a;b,c\\d", sizeof(p.role_title));
	strlcpy(p.person_name, "Dupont, Jos\xc3\xa9", sizeof(p.person_name));
	buf_init(&b);
	export_vcard(&b, &p);
	u = check_vcard(b.p);
	assert_non_null(strstr(u, "\nORG:Foreign Affairs\\, Cyber\\; Unit \\\\ 2\\nSecond line\n"));
	assert_non_null(strstr(u, "\nTITLE:a\\;b\\,c\\\\d\n"));
	assert_non_null(strstr(u, "\nFN:Dupont\\, Jos\xc3\xa9\n"));
	free(u);
	buf_free(&b);
}

/* Folds a long value of the multi-byte character ch (n times) and checks the unfolded ORG. */
static void
fold_check(const char *ch, size_t n, const char *prefix)
{
	struct poc p;
	struct buf b;
	char want[TEXT_SIZE + 16], *u, *org;
	size_t cl = strlen(ch), lines = 0;

	sample(&p);
	strlcpy(p.organisation, prefix, sizeof(p.organisation));
	for (size_t i = 0; i < n; i++)
		strlcat(p.organisation, ch, sizeof(p.organisation));
	assert_int_equal(strlen(p.organisation), strlen(prefix) + n * cl);
	buf_init(&b);
	export_vcard(&b, &p);
	u = check_vcard(b.p);
	snprintf(want, sizeof(want), "\nORG:%s\n", p.organisation);
	org = strstr(u, want);
	assert_non_null(org);
	for (const char *s = b.p; (s = strstr(s, "\r\n ")) != NULL; s += 3)
		lines++;
	assert_true(lines >= (strlen(p.organisation) + 4) / 75);
	free(u);
	buf_free(&b);
}

/* Checks that an ORG of n ASCII octets is written as before, its first (at most 71) octets,
 * then after. */
static void
fold_ascii(size_t n, const char *before, const char *after)
{
	struct poc p;
	struct buf b;
	char want[TEXT_SIZE + 32], *u;
	size_t first = n > 71 ? 71 : n;

	sample(&p);
	memset(p.organisation, 'o', n);
	p.organisation[n] = '\0';
	strlcpy(want, before, sizeof(want));
	for (size_t i = 0; i < first; i++)
		strlcat(want, "o", sizeof(want));
	strlcat(want, after, sizeof(want));
	buf_init(&b);
	export_vcard(&b, &p);
	u = check_vcard(b.p);
	assert_non_null(strstr(b.p, want));
	free(u);
	buf_free(&b);
}

static void
vcard_folding(void **state)
{
	/* 200 Arabic letters (2 bytes each), 200 Chinese characters (3), 200 emoji (4). */
	fold_check("\xd8\xb9", 200, "");
	fold_check("\xe4\xb8\xad", 200, "");
	fold_check("\xf0\x9f\x9b\xa1", 190, "");
	/* Every alignment of a multi-byte character against the fold. */
	for (size_t k = 0; k < 8; k++) {
		char prefix[16];
		memset(prefix, 'x', k);
		prefix[k] = '\0';
		fold_check("\xe4\xb8\xad", 150, prefix);
		fold_check("\xd8\xb9", 150, prefix);
		fold_check("\xf0\x9f\x9b\xa1", 120, prefix);
	}
	/* Plain ASCII: exactly 75 octets stay on one line, 76 fold. */
	fold_ascii(71, "\r\nORG:", "\r\nTITLE");
	fold_ascii(72, "\r\nORG:", "\r\n o\r\nTITLE");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(csv_header),    cmocka_unit_test(csv_plain_row),
	    cmocka_unit_test(csv_quoting),   cmocka_unit_test(csv_formulas),
	    cmocka_unit_test(csv_many_rows), cmocka_unit_test(availability),
	    cmocka_unit_test(vcard_fields),  cmocka_unit_test(vcard_escaping),
	    cmocka_unit_test(vcard_folding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
