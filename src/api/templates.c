/* GET /api/v1/templates: the communication template with its codes' labels. */
#include <string.h>

#include "api/cache.h"
#include "api/handlers.h"
#include "core/exchange.h"
#include "core/template.h"
#include "core/validate.h"

/* A label in one language, or an object of all six. */
static json_t *
label(const char *const l[NLANGS], int lang)
{
	json_t *o;

	if (lang >= 0)
		return json_string(l[lang]);
	o = json_object();
	for (int i = 0; o != NULL && i < NLANGS; i++)
		json_object_set_new(o, un_langs[i], json_string(l[i]));
	return o;
}

static json_t *
deadlines(const struct core_config *cfg)
{
	const struct tset *u = template_set("urgency");
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < u->n && i < 3; i++)
		json_object_set_new(o, u->codes[i].code,
		                    json_pack("{s:I,s:I}", "acknowledge_seconds",
		                              (json_int_t)cfg->ack_after[i], "answer_seconds",
		                              (json_int_t)cfg->answer_after[i]));
	return o;
}

enum api_result
h_templates(struct api_req *req, struct api_resp *resp)
{
	const char *lang = req->query(req, "lang");
	int li = lang != NULL ? un_lang_index(lang) : -1;
	json_t *sets, *codes, *o;
	char key[16];
	struct blob *b;

	if (lang != NULL && li < 0) {
		struct verrs e = {0};
		verr_add(&e, "lang", "must be one of ar, zh, en, fr, ru, es");
		problem_fields(resp, &e);
		return API_DONE;
	}
	snprintf(key, sizeof(key), "tpl:%d", li);
	/* Deadlines are settings of the running service: generation 0 lasts its lifetime. */
	b = cache_get(req->api->cache, key, 0);
	if (b != NULL) {
		resp_blob(req, resp, b);
		return API_DONE;
	}
	sets = json_array();
	for (size_t s = 0; sets != NULL && s < template_nsets; s++) {
		const struct tset *ts = &template_sets[s];
		codes = json_array();
		for (size_t i = 0; codes != NULL && i < ts->n; i++)
			json_array_append_new(codes,
			                      json_pack("{s:s,s:o*}", "code", ts->codes[i].code,
			                                "label", label(ts->codes[i].label, li)));
		json_array_append_new(sets, json_pack("{s:s,s:o*,s:o*}", "name", ts->name, "label",
		                                      label(ts->label, li), "codes", codes));
	}
	o = json_pack("{s:i,s:s?,s:o*,s:o*}", "template_version", TEMPLATE_VERSION, "lang", lang,
	              "sets", sets, "deadlines", deadlines(&req->api->core->cfg));
	resp_json(resp, 200, o);
	resp_cache_store(req, resp, req->api->cache, key, 0);
	return API_DONE;
}
