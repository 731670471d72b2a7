/* GET /api/v1/reports/responsiveness: figures measured from the record of exchanges. */
#include "api/handlers.h"
#include "core/authz.h"
#include "core/report.h"
#include "lib/timeutil.h"

#define DEFAULT_WINDOW (90 * 24 * 3600) /* without ?since=: the last 90 days */

enum api_result
h_report(struct api_req *req, struct api_resp *resp)
{
	const char *since = req->query(req, "since");
	struct core *c = req->api->core;
	int64_t from = core_now(c) - DEFAULT_WINDOW;
	enum pocd_err err;
	json_t *o;

	if (since != NULL && !parse_rfc3339(since, &from)) {
		struct verrs e = {0};
		verr_add(&e, "since", "must be a UTC time such as 2026-01-01T00:00:00Z");
		problem_fields(resp, &e);
		return API_DONE;
	}
	o = report_responsiveness(c, from, req->who.state, authz_report_all_states(&req->who),
	                          &err);
	if (o == NULL) {
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, o);
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}
