/* GET /api/v1/directory: the whole directory, filtered, as JSON, CSV or vCard. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/cache.h"
#include "api/export.h"
#include "api/handlers.h"
#include "core/authz.h"
#include "core/poc.h"
#include "core/validate.h"
#include "lib/timeutil.h"

#define PAGE_DEFAULT 1000
#define PAGE_MAX     5000

enum format { F_JSON, F_CSV, F_VCARD };

static const char *const types[] = {"application/json", "text/csv; charset=utf-8",
                                    "text/vcard; charset=utf-8"};

/* ?format= wins; otherwise the first of text/csv or text/vcard that Accept names. */
static bool
pick_format(struct api_req *req, struct verrs *errs, enum format *out)
{
	const char *f = req->query(req, "format"), *accept = req->header(req, "Accept");

	*out = F_JSON;
	if (f != NULL) {
		if (strcmp(f, "csv") == 0)
			*out = F_CSV;
		else if (strcmp(f, "vcard") == 0)
			*out = F_VCARD;
		else if (strcmp(f, "json") != 0) {
			verr_add(errs, "format", "must be json, csv or vcard");
			return false;
		}
		return true;
	}
	if (accept != NULL) {
		const char *csv = strcasestr(accept, "text/csv");
		const char *vcard = strcasestr(accept, "text/vcard");
		const char *json = strcasestr(accept, "application/json");
		if (csv != NULL && (vcard == NULL || csv < vcard) && (json == NULL || csv < json))
			*out = F_CSV;
		else if (vcard != NULL && (json == NULL || vcard < json))
			*out = F_VCARD;
	}
	return true;
}

/* Reads the filters of the query into f; every malformed one is added to errs. */
static void
read_filter(struct api_req *req, struct poc_filter *f, struct verrs *errs)
{
	const char *v;

	if ((v = req->query(req, "state")) != NULL) {
		if (!valid_state_code(v))
			verr_add(errs, "state", "must be an ISO 3166-1 alpha-3 code, such as FRA");
		else
			strlcpy(f->state, v, sizeof(f->state));
	}
	if ((v = req->query(req, "kind")) != NULL) {
		if (strcmp(v, "diplomatic") == 0)
			f->kind = POC_DIPLOMATIC;
		else if (strcmp(v, "technical") == 0)
			f->kind = POC_TECHNICAL;
		else
			verr_add(errs, "kind", "must be diplomatic or technical");
	}
	if ((v = req->query(req, "lang")) != NULL) {
		if (!valid_lang(v))
			verr_add(errs, "lang", "must be an ISO 639-1 code, such as fr");
		else
			strlcpy(f->lang, v, sizeof(f->lang));
	}
	if ((v = req->query(req, "q")) != NULL) {
		if (!valid_text(v, 100))
			verr_add(errs, "q", "must be 1 to 100 characters of text");
		else
			strlcpy(f->q, v, sizeof(f->q));
	}
	if ((v = req->query(req, "cursor")) != NULL &&
	    !cursor_decode(v, f->after_state, f->after_key))
		verr_add(errs, "cursor", "is not a cursor this service gave out");
}

struct encode_ctx {
	enum format fmt;
	char today[DATE_SIZE];
	struct buf out;
	json_t *items;
	size_t n;
	char last_state[STATE_SIZE];
	char last_key[SORTKEY_SIZE];
};

static int
encode_one(const struct poc *p, void *arg)
{
	struct encode_ctx *ec = arg;

	ec->n++;
	memcpy(ec->last_state, p->state, sizeof(p->state));
	store_poc_sortkey(p, ec->last_key);
	switch (ec->fmt) {
	case F_JSON:
		return json_array_append_new(ec->items, poc_encode(p, false, ec->today));
	case F_CSV:
		export_csv_row(&ec->out, p);
		break;
	case F_VCARD:
		export_vcard(&ec->out, p);
		break;
	}
	return ec->out.oom ? -1 : 0;
}

/* The whole answer as bytes, or NULL with a problem in resp. */
static struct blob *
build(struct api_req *req, struct api_resp *resp, enum format fmt, struct poc_filter *f)
{
	struct encode_ctx ec = {.fmt = fmt};
	struct store_conn *c = reader(req, resp);
	struct blob *b = NULL;
	char next[96];
	char *text;
	json_t *page;
	enum pocd_err err;

	if (c == NULL)
		return NULL;
	fmt_date(core_now(req->api->core), ec.today);
	buf_init(&ec.out);
	if (fmt == F_CSV)
		export_csv_header(&ec.out);
	if (fmt == F_JSON && (ec.items = json_array()) == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return NULL;
	}
	err = store_pocs_list(c, f, encode_one, &ec);
	if (err == POCD_OK && ec.out.oom)
		err = POCD_ENOMEM;
	if (err != POCD_OK) {
		problem(resp, err, NULL);
		goto out;
	}
	if (fmt == F_JSON) {
		bool more = ec.n == f->limit;
		if (more)
			cursor_encode(ec.last_state, ec.last_key, next, sizeof(next));
		page = json_pack("{s:O,s:s?}", "items", ec.items, "next", more ? next : NULL);
		text = page != NULL ? json_dumps(page, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(page);
		if (text != NULL) {
			b = blob_new(text, strlen(text), types[fmt]);
			free(text);
		}
	} else {
		b = blob_new(ec.out.p != NULL ? ec.out.p : "", ec.out.len, types[fmt]);
	}
	if (b == NULL)
		problem(resp, POCD_ENOMEM, NULL);
out:
	json_decref(ec.items);
	buf_free(&ec.out);
	return b;
}

enum api_result
h_directory(struct api_req *req, struct api_resp *resp)
{
	struct poc_filter f = {.kind = -1};
	struct verrs errs = {0};
	uint64_t gen = store_directory_generation(req->api->core->store);
	enum format fmt;
	struct blob *b;
	char key[512], today[DATE_SIZE];
	bool cacheable;

	if (authz_read_directory(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN,
		        "your state does not take part in the directory yet: ask the Secretariat");
		return API_DONE;
	}
	pick_format(req, &errs, &fmt);
	read_filter(req, &f, &errs);
	if (errs.n > 0) {
		problem_fields(resp, &errs);
		return API_DONE;
	}
	if (!query_limit(req, resp, PAGE_DEFAULT, PAGE_MAX, &f.limit))
		return API_DONE;
	/* Exports are whole; pages are for JSON clients. */
	if (fmt != F_JSON) {
		f.limit = SIZE_MAX / 2;
		f.after_state[0] = '\0';
	}
	fmt_date(core_now(req->api->core), today);
	cacheable = (size_t)snprintf(key, sizeof(key), "dir:%s:%d:%s:%d:%s:%s:%s:%s:%zu", today,
	                             (int)fmt, f.state, f.kind, f.lang, f.q, f.after_state,
	                             f.after_key, f.limit) < sizeof(key);
	b = cacheable ? cache_get(req->api->cache, key, gen) : NULL;
	if (b == NULL) {
		b = build(req, resp, fmt, &f);
		if (b == NULL)
			return API_DONE;
		if (cacheable)
			cache_put(req->api->cache, key, gen, b);
	}
	strlcpy(resp->etag, b->etag, sizeof(resp->etag));
	resp_header(resp, "Vary", "Accept");
	if (fmt != F_JSON)
		resp_header(resp, "Content-Disposition",
		            "attachment; filename=\"pocd-directory.%s\"",
		            fmt == F_CSV ? "csv" : "vcf");
	if (etag_matches(req->header(req, "If-None-Match"), b->etag)) {
		resp->status = 304;
		blob_unref(b);
		return API_DONE;
	}
	resp->status = 200;
	resp->content_type = b->content_type;
	resp->blob = b;
	return API_DONE;
}
