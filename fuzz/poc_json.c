/*
 * Fuzzes poc_decode (src/core/poc.h) on arbitrary JSON text. A PoC that decodes must encode,
 * print and decode again to the same fields, and export to CSV and vCard within their rules:
 * one CRLF-terminated CSV row, vCard lines of at most 75 octets that never cut a UTF-8
 * sequence.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/export.h"
#include "core/poc.h"
#include "core/validate.h"

#define INPUT_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same_client_fields(const struct poc *a, const struct poc *b)
{
	bool same = a->kind == b->kind && a->rank == b->rank &&
	            strcmp(a->organisation, b->organisation) == 0 &&
	            strcmp(a->role_title, b->role_title) == 0 &&
	            strcmp(a->person_name, b->person_name) == 0 &&
	            strcmp(a->email, b->email) == 0 && a->nphones == b->nphones &&
	            a->nlangs == b->nlangs && strcmp(a->time_zone, b->time_zone) == 0 &&
	            strcmp(a->availability, b->availability) == 0 &&
	            strcmp(a->pgp_fingerprint, b->pgp_fingerprint) == 0 &&
	            a->naccounts == b->naccounts && strcmp(a->review_by, b->review_by) == 0;

	for (size_t i = 0; same && i < a->nphones; i++)
		same = strcmp(a->phones[i], b->phones[i]) == 0;
	for (size_t i = 0; same && i < a->nlangs; i++)
		same = strcmp(a->languages[i], b->languages[i]) == 0;
	for (size_t i = 0; same && i < a->naccounts; i++)
		same = strcmp(a->accounts[i], b->accounts[i]) == 0;
	if (!same)
		abort();
}

/* Encodes p as the API shows it, removes the server's fields and decodes the printed text. */
static void
round_trip(const struct poc *p)
{
	static struct poc again;
	struct verrs errs = {0};
	json_t *o = poc_encode(p, true, NULL), *back;
	char *text;

	if (o == NULL)
		abort();
	json_object_del(o, "id");
	json_object_del(o, "state");
	json_object_del(o, "revision");
	json_object_del(o, "created_at");
	json_object_del(o, "updated_at");
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		abort();
	back = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	if (back == NULL)
		abort();
	memset(&again, 0, sizeof(again));
	if (poc_decode(back, &again, &errs) != POCD_OK || errs.n != 0)
		abort();
	json_decref(back);
	same_client_fields(p, &again);
}

static void
check_vcard(const char *v)
{
	char line[80];
	const char *p = v, *eol;

	while (*p != '\0') {
		eol = strstr(p, "\r\n");
		if (eol == NULL || eol - p > 75 || eol == p)
			abort();
		memcpy(line, p, (size_t)(eol - p));
		line[eol - p] = '\0';
		if (!valid_text(line[0] == ' ' ? line + 1 : line, 75))
			abort();
		p = eol + 2;
	}
}

static void
exports(const struct poc *p)
{
	struct buf b;
	char avail[AVAIL_SIZE];

	buf_init(&b);
	export_csv_row(&b, p);
	if (b.oom || b.len < 2 || strcmp(b.p + b.len - 2, "\r\n") != 0 || strlen(b.p) != b.len)
		abort();
	buf_free(&b);
	buf_init(&b);
	export_vcard(&b, p);
	if (b.oom || strncmp(b.p, "BEGIN:VCARD\r\n", 13) != 0)
		abort();
	check_vcard(b.p);
	buf_free(&b);
	export_availability_text(p->availability, avail, sizeof(avail));
	if (avail[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct poc p;
	struct verrs errs = {0};
	json_t *in;

	if (size > INPUT_MAX)
		return 0;
	in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (in == NULL)
		return 0;
	memset(&p, 0, sizeof(p));
	if (poc_decode(in, &p, &errs) != POCD_OK) {
		if (errs.n == 0 || errs.n > VERR_MAX)
			abort();
		json_decref(in);
		return 0;
	}
	json_decref(in);
	if (errs.n != 0)
		abort();
	strlcpy(p.id, "abcdefghijklmnopqrstuvwxyz", sizeof(p.id));
	strlcpy(p.state, "FRA", sizeof(p.state));
	p.revision = 1;
	p.created_at = 1795662720;
	p.updated_at = 1795662720;
	round_trip(&p);
	exports(&p);
	return 0;
}
