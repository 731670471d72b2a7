/* Reading request bodies, query arguments and conditional headers; writing JSON. */
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/cache.h"
#include "api/handlers.h"
#include "lib/timeutil.h"
#include "store/store.h"

static bool
is_json(const char *ct)
{
	size_t n = strlen("application/json");

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* The length of the valid UTF-8 sequence b starts with (shortest form, no surrogate, at most
 * U+10FFFF, as jansson reads it), or 0. */
static size_t
utf8_seq(const unsigned char *b, size_t n)
{
	unsigned c = b[0], cp;
	size_t len;

	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		len = 2, cp = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		len = 3, cp = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((b[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (b[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Appends to path (of size size, holding used bytes) the name of the first string in v that
 * holds a NUL; false, with path as it was, if none does. */
static bool
nul_path(const json_t *v, char *path, size_t used, size_t size)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_string(v))
		return strlen(json_string_value(v)) != json_string_length(v);
	json_object_foreach((json_t *)v, key, m)
	{
		if ((size_t)snprintf(path + used, size - used, "%s%s", used > 0 ? "." : "", key) <
		        size - used &&
		    nul_path(m, path, strlen(path), size))
			return true;
		path[used] = '\0';
	}
	json_array_foreach(v, i, m)
	{
		if ((size_t)snprintf(path + used, size - used, "[%zu]", i) < size - used &&
		    nul_path(m, path, strlen(path), size))
			return true;
		path[used] = '\0';
	}
	return false;
}

/* The code unit of the JSON escape "\\uXXXX" at s (n bytes available), or -1. */
static long
escape_unit(const unsigned char *s, size_t n)
{
	long v = 0;

	if (n < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	for (size_t i = 2; i < 6; i++) {
		int c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* For the escape that starts at s inside a string: its length in *n, and whether it is a
 * surrogate without its pair, which jansson refuses as it would a stray byte. */
static bool
lone_surrogate(const unsigned char *s, size_t avail, size_t *n)
{
	long u = escape_unit(s, avail), lo;

	*n = u >= 0 ? 6 : avail < 2 ? avail : 2;
	if (u >= 0xd800 && u <= 0xdbff) {
		lo = escape_unit(s + 6, avail - 6);
		if (lo >= 0xdc00 && lo <= 0xdfff) {
			*n = 12;
			return false;
		}
		return true;
	}
	return u >= 0xdc00 && u <= 0xdfff;
}

/* Copies body into out (NULL to only count), with every byte that is not part of valid
 * UTF-8, and every unpaired surrogate escape inside a string, written \u0000; the length
 * written. Counting and copying take the same steps, so the count is the copy's size. */
static size_t
mark_bad_text(const unsigned char *b, size_t len, char *out)
{
	size_t o = 0, n;
	bool in_string = false;

	for (size_t i = 0; i < len; i += n) {
		bool bad = (n = utf8_seq(b + i, len - i)) == 0;
		if (bad)
			n = 1;
		else if (b[i] == '"')
			in_string = !in_string;
		else if (in_string && b[i] == '\\')
			bad = lone_surrogate(b + i, len - i, &n);
		if (out != NULL)
			memcpy(out + o, bad ? "\\u0000" : (const char *)b + i, bad ? 6 : n);
		o += bad ? 6 : n;
	}
	return o;
}

/*
 * For a body jansson refused: the member whose string holds a NUL (\u0000), bytes that are not
 * UTF-8 (overlong forms, surrogates, stray bytes) or an unpaired surrogate escape, into field,
 * so that the answer names it. The body is read again with each of those written \u0000 and
 * NULs allowed. False when the body has no such string or is malformed otherwise.
 */
static bool
bad_text_member(const char *body, size_t len, char field[VERR_FIELD])
{
	const unsigned char *b = (const unsigned char *)body;
	size_t size = mark_bad_text(b, len, NULL);
	char *copy;
	json_t *doc;
	bool found;

	if (size == len && memmem(body, len, "\\u", 2) == NULL)
		return false;
	copy = malloc(size + 1);
	if (copy == NULL)
		return false;
	mark_bad_text(b, len, copy);
	doc = json_loadb(copy, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
	free(copy);
	field[0] = '\0';
	found = json_is_object(doc) && nul_path(doc, field, 0, VERR_FIELD);
	json_decref(doc);
	return found;
}

json_t *
body_object(struct api_req *req, struct api_resp *resp)
{
	json_error_t e;
	json_t *o;
	char detail[256], field[VERR_FIELD];
	struct verrs errs = {0};

	if (!is_json(req->header(req, "Content-Type"))) {
		problem_status(resp, 415, "unsupported-media-type", "Unsupported media type",
		               "send the body as Content-Type: application/json");
		return NULL;
	}
	if (req->body_len == 0) {
		problem_status(resp, 400, "validation", "Invalid request",
		               "the request needs a JSON object as its body");
		return NULL;
	}
	o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &e);
	if (o == NULL && bad_text_member(req->body, req->body_len, field)) {
		verr_add(&errs, field, "must be UTF-8 text without NUL characters");
		problem_fields(resp, &errs);
		return NULL;
	}
	if (o == NULL) {
		snprintf(detail, sizeof(detail),
		         "the body is not valid JSON: %s at line %d column %d", e.text, e.line,
		         e.column);
		/* jansson quotes the body near the error, which may cut a character or hold bytes
		 * that are not UTF-8: a problem document holds text only. */
		for (size_t i = 0, n, len = strlen(detail); i < len; i += n)
			if ((n = utf8_seq((unsigned char *)detail + i, len - i)) == 0) {
				detail[i] = '?';
				n = 1;
			}
		problem_status(resp, 400, "malformed", "Malformed JSON", detail);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		problem_status(resp, 400, "validation", "Invalid request",
		               "the body must be a JSON object");
		return NULL;
	}
	return o;
}

void
json_refuse_unknown(const json_t *o, const char *const *allowed, const char *what,
                    struct verrs *errs)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v)
	{
		bool ok = false;
		for (size_t i = 0; allowed[i] != NULL; i++)
			ok |= strcmp(key, allowed[i]) == 0;
		if (!ok)
			verr_add(errs, key, "is not a field of %s", what);
	}
}

const char *
json_member_str(const json_t *o, const char *name, bool required, size_t maxlen, struct verrs *errs)
{
	json_t *v = json_object_get(o, name);

	if (v == NULL) {
		if (required)
			verr_add(errs, name, "is required");
		return NULL;
	}
	if (!json_is_string(v)) {
		verr_add(errs, name, "must be a string");
		return NULL;
	}
	if (json_string_length(v) > maxlen ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		verr_add(errs, name, "must be at most %zu bytes, without NUL", maxlen);
		return NULL;
	}
	return json_string_value(v);
}

void
resp_json(struct api_resp *resp, unsigned status, json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	free(resp->body);
	resp->body = text;
	resp->len = text != NULL ? strlen(text) : 0;
	resp->status = text != NULL ? status : 503;
	resp->content_type = "application/json";
}

void
resp_header(struct api_resp *resp, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (resp->nhdr >= API_HDR_MAX)
		return;
	resp->hdr[resp->nhdr].name = name;
	va_start(ap, fmt);
	vsnprintf(resp->hdr[resp->nhdr].value, sizeof(resp->hdr[0].value), fmt, ap);
	va_end(ap);
	resp->nhdr++;
}

void
cursor_pack(const char *a, const char *b, char *out, size_t outlen)
{
	char raw[CURSOR_RAW_MAX + 1];
	int n = snprintf(raw, sizeof(raw), "%s|%s", a, b);

	if (n < 0 || (size_t)n >= sizeof(raw))
		n = 0;
	sodium_bin2base64(out, outlen, (const uint8_t *)raw, (size_t)n,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
cursor_unpack(const char *cursor, char *a, size_t asize, char *b, size_t bsize)
{
	uint8_t raw[CURSOR_RAW_MAX + 1];
	size_t n, alen;
	const char *bar;

	if (strlen(cursor) > CURSOR_MAX ||
	    sodium_base642bin(raw, sizeof(raw) - 1, cursor, strlen(cursor), NULL, &n, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return false;
	raw[n] = '\0';
	if (memchr(raw, '\0', n) != NULL)
		return false;
	bar = strchr((const char *)raw, '|');
	if (bar == NULL)
		return false;
	alen = (size_t)(bar - (const char *)raw);
	if (alen == 0 || alen >= asize || strlen(bar + 1) == 0 || strlen(bar + 1) >= bsize)
		return false;
	memcpy(a, raw, alen);
	a[alen] = '\0';
	strlcpy(b, bar + 1, bsize);
	return true;
}

void
cursor_encode(const char *state, const char *key, char *out, size_t outlen)
{
	cursor_pack(state, key, out, outlen);
}

bool
cursor_decode(const char *cursor, char state[STATE_SIZE], char key[SORTKEY_SIZE])
{
	return cursor_unpack(cursor, state, STATE_SIZE, key, SORTKEY_SIZE) &&
	       strlen(state) == STATE_SIZE - 1;
}

bool
query_limit(struct api_req *req, struct api_resp *resp, size_t def, size_t max, size_t *out)
{
	const char *v = req->query(req, "limit");
	char *end;
	unsigned long n;
	char detail[96];

	*out = def;
	if (v == NULL)
		return true;
	n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || n < 1 || n > max) {
		struct verrs e = {0};
		snprintf(detail, sizeof(detail), "must be a whole number from 1 to %zu", max);
		verr_add(&e, "limit", "%s", detail);
		problem_fields(resp, &e);
		return false;
	}
	*out = n;
	return true;
}

int64_t
if_match_revision(const char *header, const char *id)
{
	size_t idlen = strlen(id);
	char *end;
	long long rev;

	/* Our ETags are "ID-REVISION"; a weak validator never matches for a write. */
	if (header == NULL || header[0] != '"' || strncmp(header + 1, id, idlen) != 0 ||
	    header[1 + idlen] != '-')
		return -1;
	if (header[2 + idlen] < '1' || header[2 + idlen] > '9')
		return -1;
	errno = 0;
	rev = strtoll(header + 2 + idlen, &end, 10);
	if (errno != 0)
		return -1;
	if (end == header + 2 + idlen || (strcmp(end, "\"") != 0 && strcmp(end, ".stale\"") != 0) ||
	    rev < 1)
		return -1;
	return rev;
}

bool
etag_matches(const char *header, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = header;

	if (header == NULL)
		return false;
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

struct store_conn *
reader(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c = store_reader(req->api->core->store);

	if (c == NULL)
		problem(resp, POCD_EUNAVAILABLE, "the database cannot be read now: retry shortly");
	return c;
}

/* The size sits in front of the state, aligned for whatever the state holds. */
struct state_head {
	size_t size;
	void (*cleanup)(void *state);
	max_align_t align[];
};

static struct state_head *
head_of(void *state)
{
	return (struct state_head *)((char *)state - offsetof(struct state_head, align));
}

static void
state_free(void *state)
{
	struct state_head *h = head_of(state);

	if (h->cleanup != NULL)
		h->cleanup(state);
	sodium_memzero(h, sizeof(*h) + h->size);
	free(h);
}

void
req_state_cleanup(struct api_req *req, void (*cleanup)(void *state))
{
	head_of(req->state)->cleanup = cleanup;
}

void *
req_state(struct api_req *req, struct api_resp *resp, size_t size)
{
	struct state_head *h = calloc(1, sizeof(*h) + size);

	if (h == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return NULL;
	}
	h->size = size;
	h->cleanup = NULL;
	req->state = h->align;
	req->state_free = state_free;
	return req->state;
}

void
req_wake(void *arg)
{
	struct api_req *req = arg;

	req->wake(req);
}

enum api_result
req_pending(struct api_req *req, struct api_resp *resp, enum pocd_err err,
            void (*cont)(struct api_req *req, struct api_resp *resp))
{
	if (err != POCD_OK) {
		problem(resp, err, NULL);
		return API_DONE;
	}
	req->cont = cont;
	return API_PENDING;
}

void
resp_blob(struct api_req *req, struct api_resp *resp, struct blob *b)
{
	strlcpy(resp->etag, b->etag, sizeof(resp->etag));
	if (etag_matches(req->header(req, "If-None-Match"), b->etag)) {
		resp->status = 304;
		blob_unref(b);
		return;
	}
	resp->status = 200;
	resp->content_type = b->content_type;
	resp->blob = b;
}

void
resp_cache_store(struct api_req *req, struct api_resp *resp, struct resp_cache *cache,
                 const char *key, uint64_t gen)
{
	struct blob *b;

	if (resp->status != 200 || resp->body == NULL)
		return;
	b = blob_new(resp->body, resp->len, resp->content_type);
	if (b == NULL)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
	cache_put(cache, key, gen, b);
	resp_blob(req, resp, b);
}

void
json_set_time(json_t *o, const char *key, int64_t t)
{
	char s[RFC3339_SIZE];

	if (t == 0)
		return;
	fmt_rfc3339(t, s);
	json_object_set_new(o, key, json_string(s));
}

json_t *
json_kinds(unsigned kinds)
{
	json_t *a = json_array();

	if (a != NULL && (kinds & KIND_BIT(POC_TECHNICAL)))
		json_array_append_new(a, json_string("technical"));
	if (a != NULL && (kinds & KIND_BIT(POC_DIPLOMATIC)))
		json_array_append_new(a, json_string("diplomatic"));
	return a;
}

unsigned
json_member_names(const json_t *o, const char *name, unsigned (*parse)(const char *), unsigned dflt,
                  struct verrs *errs)
{
	json_t *v = json_object_get(o, name), *e;
	unsigned bits = 0, bit;
	size_t i;

	if (v == NULL)
		return dflt;
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 32) {
		verr_add(errs, name, "must be a non-empty list of names");
		return 0;
	}
	json_array_foreach(v, i, e)
	{
		bit = json_is_string(e) ? parse(json_string_value(e)) : 0;
		if (bit == 0) {
			verr_add(errs, name, "item %zu is not one of the names this service knows",
			         i);
			return 0;
		}
		if ((bits & bit) != 0) {
			verr_add(errs, name, "item %zu repeats %s", i, json_string_value(e));
			return 0;
		}
		bits |= bit;
	}
	return bits;
}

json_t *
json_names(unsigned bits, const char *(*name_of)(unsigned))
{
	json_t *a = json_array();

	for (unsigned b = 1; a != NULL && b != 0 && b <= bits; b <<= 1)
		if ((bits & b) != 0 && name_of(b) != NULL)
			json_array_append_new(a, json_string(name_of(b)));
	return a;
}
