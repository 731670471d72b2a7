/* Operations: the health check and Prometheus metrics. */
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "api/handlers.h"
#include "core/authz.h"
#include "lib/buf.h"
#include "lib/timeutil.h"

const uint64_t latency_bounds_us[LATENCY_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 5000000,
};

void
api_observe(struct api *a, unsigned status, uint64_t micros)
{
	size_t b = 0;

	if (status / 100 < 6)
		atomic_fetch_add_explicit(&a->by_class[status / 100], 1, memory_order_relaxed);
	while (b < LATENCY_BUCKETS && micros > latency_bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&a->latency[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&a->latency_sum_us, micros, memory_order_relaxed);
}

bool
metrics_token_ok(struct api *a, const char *authorization)
{
	size_t n;

	if (a->metrics_token == NULL || authorization == NULL ||
	    strncasecmp(authorization, "Bearer ", 7) != 0)
		return false;
	authorization += 7;
	n = strlen(a->metrics_token);
	return strlen(authorization) == n && sodium_memcmp(authorization, a->metrics_token, n) == 0;
}

enum api_result
h_healthz(struct api_req *req, struct api_resp *resp)
{
	resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}

enum api_result
h_metrics(struct api_req *req, struct api_resp *resp)
{
	struct api *a = req->api;
	struct store_stats st;
	struct buf b;
	uint64_t cum = 0, total = 0;

	if (req->authenticated && authz_read_metrics(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN, "metrics are for the Secretariat");
		return API_DONE;
	}
	store_get_stats(a->core->store, &st);
	buf_init(&b);
	buf_puts(&b, "# HELP pocd_http_responses_total HTTP responses by status class.\n"
	             "# TYPE pocd_http_responses_total counter\n");
	for (int i = 1; i < 6; i++)
		buf_printf(&b, "pocd_http_responses_total{class=\"%dxx\"} %llu\n", i,
		           (unsigned long long)atomic_load(&a->by_class[i]));
	buf_puts(&b, "# HELP pocd_http_request_duration_seconds Time to answer a request.\n"
	             "# TYPE pocd_http_request_duration_seconds histogram\n");
	for (int i = 0; i <= LATENCY_BUCKETS; i++) {
		cum += atomic_load(&a->latency[i]);
		if (i < LATENCY_BUCKETS)
			buf_printf(&b,
			           "pocd_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			           (double)latency_bounds_us[i] / 1e6, (unsigned long long)cum);
	}
	total = cum;
	buf_printf(&b,
	           "pocd_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
	           "pocd_http_request_duration_seconds_sum %.6f\n"
	           "pocd_http_request_duration_seconds_count %llu\n",
	           (unsigned long long)total, (double)atomic_load(&a->latency_sum_us) / 1e6,
	           (unsigned long long)total);
	buf_printf(&b,
	           "# HELP pocd_db_commits_total Write transactions committed.\n"
	           "# TYPE pocd_db_commits_total counter\npocd_db_commits_total %llu\n"
	           "# HELP pocd_db_jobs_total Writes carried by those commits.\n"
	           "# TYPE pocd_db_jobs_total counter\npocd_db_jobs_total %llu\n"
	           "# HELP pocd_db_batch_max Most writes in one commit.\n"
	           "# TYPE pocd_db_batch_max gauge\npocd_db_batch_max %llu\n"
	           "# HELP pocd_db_bytes Size of the database file.\n"
	           "# TYPE pocd_db_bytes gauge\npocd_db_bytes %llu\n",
	           (unsigned long long)st.commits, (unsigned long long)st.jobs,
	           (unsigned long long)st.max_batch, (unsigned long long)st.db_bytes);
	resp->body = buf_steal(&b, &resp->len);
	if (resp->body == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp_header(resp, "Cache-Control", "no-store");
	return API_DONE;
}

enum api_result
h_test_clock(struct api_req *req, struct api_resp *resp)
{
	struct core *c = req->api->core;
	struct verrs errs = {0};
	char now[RFC3339_SIZE];
	json_t *o, *v;

	/* Without --test-clock the route does not exist. */
	if (!c->cfg.test_clock) {
		problem_status(resp, 404, "not-found", "Not found", "there is no such resource");
		return API_DONE;
	}
	if ((o = body_object(req, resp)) == NULL)
		return API_DONE;
	json_refuse_unknown(o, (const char *const[]){"advance_seconds", NULL}, "a clock change",
	                    &errs);
	v = json_object_get(o, "advance_seconds");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 10 * 365 * 24 * 3600)
		verr_add(&errs, "advance_seconds",
		         "must be a whole number of seconds, 0 to 10 years");
	if (errs.n == 0)
		core_advance_clock(c, json_integer_value(v));
	json_decref(o);
	if (errs.n > 0) {
		problem_fields(resp, &errs);
		return API_DONE;
	}
	fmt_rfc3339(core_now(c), now);
	resp_json(resp, 200, json_pack("{s:s}", "now", now));
	return API_DONE;
}
