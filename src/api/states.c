/* The states of the directory: their codes, names in the six languages, participation. */
#include <stdlib.h>
#include <string.h>

#include "api/cache.h"
#include "api/handlers.h"
#include "core/authz.h"
#include "core/states.h"
#include "core/validate.h"
#include "lib/timeutil.h"

static json_t *
state_json(const struct state_rec *st)
{
	char since[RFC3339_SIZE];
	json_t *names = json_object();

	for (int i = 0; names != NULL && i < NLANGS; i++)
		json_object_set_new(names, un_langs[i], json_string(st->names[i]));
	fmt_rfc3339(st->participating_since, since);
	return json_pack("{s:s,s:s,s:o*,s:b,s:s?}", "code", st->code, "alpha2", st->alpha2, "names",
	                 names, "participating", st->participating, "participating_since",
	                 st->participating ? since : NULL);
}

static int
add_state(const struct state_rec *st, void *arg)
{
	return json_array_append_new(arg, state_json(st));
}

enum api_result
h_states(struct api_req *req, struct api_resp *resp)
{
	uint64_t gen = store_directory_generation(req->api->core->store);
	struct blob *b = cache_get(req->api->cache, "states", gen);
	struct store_conn *c;
	json_t *items;
	enum pocd_err err;

	if (b != NULL) {
		resp_blob(req, resp, b);
		return API_DONE;
	}
	if ((c = reader(req, resp)) == NULL)
		return API_DONE;
	items = json_array();
	err = items != NULL ? store_states_list(c, add_state, items) : POCD_ENOMEM;
	if (err != POCD_OK) {
		json_decref(items);
		problem(resp, err, NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", items, "next"));
	resp_cache_store(req, resp, req->api->cache, "states", gen);
	return API_DONE;
}

/* Finds the state named by the path; false with a 404 in resp when there is none. */
static bool
path_state(struct api_req *req, struct api_resp *resp, struct store_conn *c, struct state_rec *st)
{
	enum pocd_err err = POCD_ENOTFOUND;

	if (valid_state_code(req->params[0]))
		err = store_state_get(c, req->params[0], st);
	if (err != POCD_OK) {
		problem(
		    resp, err,
		    err == POCD_ENOTFOUND
		        ? "no UN member state has this code: use ISO 3166-1 alpha-3, such as FRA"
		        : NULL);
		return false;
	}
	return true;
}

enum api_result
h_state(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c = reader(req, resp);
	struct state_rec st;

	if (c != NULL && path_state(req, resp, c, &st))
		resp_json(resp, 200, state_json(&st));
	return API_DONE;
}

static void
part_cont(struct api_req *req, struct api_resp *resp)
{
	struct participation_op *op = req->state;

	if (op->status != POCD_OK)
		problem(resp, op->status, NULL);
	else
		resp_json(resp, 200, state_json(&op->result));
}

enum api_result
h_state_patch(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"participating", NULL};
	struct verrs errs = {0};
	struct store_conn *c;
	struct state_rec st;
	struct participation_op *op;
	json_t *o, *v;

	if (authz_set_participation(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN, "only the Secretariat admits states");
		return API_DONE;
	}
	c = reader(req, resp);
	if (c == NULL || !path_state(req, resp, c, &st))
		return API_DONE;
	o = body_object(req, resp);
	if (o == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "a state", &errs);
	v = json_object_get(o, "participating");
	if (v == NULL)
		verr_add(&errs, "participating", "is required");
	else if (!json_is_boolean(v))
		verr_add(&errs, "participating", "must be true or false");
	if (errs.n > 0) {
		json_decref(o);
		problem_fields(resp, &errs);
		return API_DONE;
	}
	op = req_state(req, resp, sizeof(*op));
	if (op == NULL) {
		json_decref(o);
		return API_DONE;
	}
	op->actor = req->who;
	memcpy(op->state, st.code, sizeof(st.code));
	op->participating = json_is_true(v);
	json_decref(o);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, states_set_participation(req->api->core, op), part_cont);
}
