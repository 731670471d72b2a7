/* RFC 9457 problem documents: the one table from a failure to an HTTP status. */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"

static const struct {
	unsigned status;
	const char *title;
	const char *detail;
} table[] = {
    [POCD_OK] = {200, "OK", ""},
    [POCD_EINVAL] = {400, "Invalid request", "the request has invalid fields"},
    [POCD_EAUTH] = {401, "Unauthenticated", "log in first"},
    [POCD_EFORBIDDEN] = {403, "Forbidden", "your account may not do this"},
    [POCD_ENOTFOUND] = {404, "Not found", "there is no such object"},
    [POCD_ECONFLICT] = {409, "Conflict", "this collides with existing data"},
    [POCD_EPRECOND] = {412, "Precondition failed",
                       "the entry changed since you read it: read it again, then retry"},
    [POCD_EPRECOND_REQ] = {428, "Precondition required",
                           "send If-Match with the ETag of the entry you read"},
    [POCD_ETHROTTLED] = {429, "Too many requests", "too many attempts: wait, then retry"},
    [POCD_EGONE] = {410, "Gone", "this link is unknown, used or expired: ask for a new one"},
    [POCD_EUNAVAILABLE] = {503, "Service unavailable", "the service is busy: retry shortly"},
    [POCD_ESTORE] = {500, "Storage failure", "the database failed; nothing was written"},
    [POCD_ENOMEM] = {503, "Out of memory", "the service is short of memory: retry shortly"},
};

unsigned
problem_http_status(enum pocd_err err)
{
	return table[err].status;
}

static json_t *
problem_doc(unsigned status, const char *name, const char *title, const char *detail)
{
	char type[64];

	snprintf(type, sizeof(type), "urn:pocd:problem:%s", name);
	return json_pack("{s:s,s:s,s:i,s:s}", "type", type, "title", title, "status", (int)status,
	                 "detail", detail);
}

static void
send(struct api_resp *resp, unsigned status, json_t *doc)
{
	resp_json(resp, status, doc);
	resp->content_type = "application/problem+json";
}

void
problem_status(struct api_resp *resp, unsigned status, const char *name, const char *title,
               const char *detail)
{
	send(resp, status, problem_doc(status, name, title, detail));
}

void
problem(struct api_resp *resp, enum pocd_err err, const char *detail)
{
	send(resp, table[err].status,
	     problem_doc(table[err].status, pocd_err_name(err), table[err].title,
	                 detail != NULL ? detail : table[err].detail));
}

void
problem_fields(struct api_resp *resp, const struct verrs *errs)
{
	json_t *doc = problem_doc(400, "validation", "Invalid request", "");
	json_t *list = json_array();
	char detail[VERR_FIELD + VERR_REASON + 8];

	for (size_t i = 0; list != NULL && i < errs->n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s}", "field", errs->v[i].field,
		                                      "reason", errs->v[i].reason));
	if (errs->n > 0) {
		snprintf(detail, sizeof(detail), "%s%s%s", errs->v[0].field,
		         errs->v[0].field[0] ? " " : "", errs->v[0].reason);
		json_object_set_new(doc, "detail", json_string(detail));
	}
	json_object_set_new(doc, "errors", list);
	send(resp, 400, doc);
}

void
problem_field(struct api_resp *resp, enum pocd_err err, const char *field, const char *reason)
{
	json_t *doc;
	char detail[VERR_FIELD + VERR_REASON + 2];

	snprintf(detail, sizeof(detail), "%s %s", field, reason);
	doc = problem_doc(table[err].status, pocd_err_name(err), table[err].title, detail);
	if (doc != NULL)
		json_object_set_new(doc, "errors",
		                    json_pack("[{s:s,s:s}]", "field", field, "reason", reason));
	send(resp, table[err].status, doc);
}
