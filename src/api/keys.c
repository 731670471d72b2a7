/* PoCs' OpenPGP keys, and what the service publishes about itself. */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "core/authz.h"
#include "core/keys.h"
#include "core/openpgp.h"
#include "core/poc_changes.h"
#include "lib/timeutil.h"

struct key_req {
	struct key_op op;
	char *armored; /* owned; freed by the request's cleanup */
};

static void
free_key_req(void *state)
{
	free(((struct key_req *)state)->armored);
}

static void
key_cont(struct api_req *req, struct api_resp *resp)
{
	struct key_req *kr = req->state;
	json_t *o;

	if (kr->op.status == POCD_EINVAL) {
		problem_fields(resp, &kr->op.errs);
		return;
	}
	if (kr->op.status != POCD_OK) {
		problem(resp, kr->op.status,
		        kr->op.status == POCD_ENOTFOUND ? "there is no PoC with this id" : NULL);
		return;
	}
	o = json_pack("{s:s,s:s,s:n}", "poc", kr->op.poc_id, "fingerprint", kr->op.fingerprint,
	              "expires_at");
	if (o != NULL)
		json_set_time(o, "expires_at", kr->op.expires);
	/* A key of another fingerprint changes the entry's key: it waits for a second
	 * administrator. */
	if (o != NULL && kr->op.proposed.id[0] != '\0') {
		json_object_set_new(o, "pending_change", poc_change_encode(&kr->op.proposed));
		resp_json(resp, 202, o);
		resp_header(resp, "Location", "/api/v1/pocs/%s/changes/%s", kr->op.poc_id,
		            kr->op.proposed.id);
		return;
	}
	resp_json(resp, 200, o);
}

/* PUT /api/v1/pocs/{id}/key {"key": "-----BEGIN PGP PUBLIC KEY BLOCK-----..."} */
enum api_result
h_poc_key_put(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"key", NULL};
	struct store_conn *c = reader(req, resp);
	struct key_req *kr;
	struct verrs errs = {0};
	struct poc poc;
	struct openpgp_key key;
	char when[RFC3339_SIZE];
	const char *text, *why = NULL;
	enum pocd_err err;
	json_t *o;

	if (c == NULL)
		return API_DONE;
	err = id_valid(req->params[0]) ? store_poc_get(c, req->params[0], &poc) : POCD_ENOTFOUND;
	if (err == POCD_OK && authz_write_pocs(&req->who, poc.state) != POCD_OK)
		err = POCD_EFORBIDDEN;
	if (err != POCD_OK) {
		problem(resp, err,
		        err == POCD_ENOTFOUND ? "there is no PoC with this id"
		        : err == POCD_EFORBIDDEN
		            ? "only this state's administrators attach keys to "
		              "its entries, while it takes part"
		            : NULL);
		return API_DONE;
	}
	if ((kr = req_state(req, resp, sizeof(*kr))) == NULL ||
	    (o = body_object(req, resp)) == NULL)
		return API_DONE;
	req_state_cleanup(req, free_key_req);
	json_refuse_unknown(o, fields, "a key", &errs);
	text = json_member_str(o, "key", true, OPENPGP_ARMOR_MAX, &errs);
	if (text != NULL && openpgp_key_read(text, strlen(text), &key, &why) == POCD_EINVAL)
		verr_add(&errs, "key", "must be an ASCII-armored OpenPGP public key: it %s", why);
	kr->op.now = core_now(req->api->core);
	if (text != NULL && why == NULL && key.expires != 0 && key.expires <= kr->op.now) {
		fmt_rfc3339(key.expires, when);
		verr_add(&errs, "key", "expired at %s: attach a renewed key", when);
	}
	if (text != NULL && why == NULL) {
		memcpy(kr->op.fingerprint, key.fpr, FPR_SIZE);
		kr->op.expires = key.expires;
	}
	if (errs.n == 0 && (kr->armored = strdup(text)) == NULL)
		err = POCD_ENOMEM;
	json_decref(o);
	if (errs.n > 0 || err != POCD_OK) {
		if (errs.n > 0)
			problem_fields(resp, &errs);
		else
			problem(resp, err, NULL);
		return API_DONE;
	}
	kr->op.armored = kr->armored;
	kr->op.actor = req->who;
	memcpy(kr->op.poc_id, poc.id, ID_SIZE);
	kr->op.done = req_wake;
	kr->op.arg = req;
	return req_pending(req, resp, keys_attach(req->api->core, &kr->op), key_cont);
}

/* GET /api/v1/service: the fingerprints of the keys that sign the service's mail, so that
 * PoCs can check a signature against what they read here over TLS. */
enum api_result
h_service(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c = reader(req, resp);
	char fpr[FPR_SIZE] = "", prev[FPR_SIZE] = "", until[24] = "";
	long long until_s;
	json_t *keys, *o;

	if (c == NULL)
		return API_DONE;
	if (store_meta_get(c, "mail_key", fpr, sizeof(fpr)) != POCD_OK)
		fpr[0] = '\0';
	if (store_meta_get(c, "mail_key_previous", prev, sizeof(prev)) != POCD_OK ||
	    store_meta_get(c, "mail_key_previous_until", until, sizeof(until)) != POCD_OK ||
	    sscanf(until, "%lld", &until_s) != 1)
		prev[0] = '\0';
	keys = json_array();
	if (fpr[0] != '\0')
		json_array_append_new(
		    keys, json_pack("{s:s,s:s}", "fingerprint", fpr, "status", "current"));
	/* A rotation's previous key, with the end of the transition in which it signs too. */
	if (prev[0] != '\0') {
		o = json_pack("{s:s,s:s}", "fingerprint", prev, "status", "previous");
		json_set_time(o, "until", (int64_t)until_s);
		json_array_append_new(keys, o);
	}
	resp_json(resp, 200,
	          json_pack("{s:s,s:s?,s:o}", "name", "pocd", "mail_openpgp_fingerprint",
	                    fpr[0] ? fpr : NULL, "mail_openpgp_keys", keys));
	resp_header(resp, "Cache-Control", "no-cache");
	return API_DONE;
}
