/* Unit tests of the web interface's file table and handler (src/api/web.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "api/handlers.h"
#include "api/web.h"

static const char *if_none_match;

static const char *
fake_header(const struct api_req *req, const char *name)
{
	return strcasecmp(name, "If-None-Match") == 0 ? if_none_match : NULL;
}

static const char *
hdr(const struct api_resp *resp, const char *name)
{
	for (size_t i = 0; i < resp->nhdr; i++)
		if (strcmp(resp->hdr[i].name, name) == 0)
			return resp->hdr[i].value;
	return NULL;
}

static unsigned
get(const char *path, struct api_resp *resp)
{
	struct api_req req = {.method = M_GET, .path = path, .header = fake_header};

	memset(resp, 0, sizeof(*resp));
	assert_int_equal(h_web(&req, resp), API_DONE);
	return resp->status;
}

static void
table_is_sorted_and_typed(void **state)
{
	assert_true(web_nfiles > 10);
	for (size_t i = 0; i < web_nfiles; i++) {
		const struct web_file *f = &web_files[i];
		assert_true(f->path[0] == '/');
		assert_null(strstr(f->path, ".."));
		assert_true(strlen(f->etag) == 34 && f->etag[0] == '"');
		assert_non_null(f->type);
		if (i > 0)
			assert_true(strcmp(web_files[i - 1].path, f->path) < 0);
	}
}

static void
pages_are_the_index(void **state)
{
	static const char *const pages[] = {"/", "/login", "/directory", "/ping", "/enrol"};
	const struct web_file *index = web_find("/index.html");

	assert_non_null(index);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		assert_ptr_equal(web_find(pages[i]), index);
	assert_string_equal(web_find("/app.js")->type, "text/javascript; charset=utf-8");
	assert_string_equal(web_find("/style.css")->type, "text/css; charset=utf-8");
}

static void
other_paths_are_nothing(void **state)
{
	static const char *const paths[] = {
	    "",        "/..",      "/../app.js",   "/./app.js",   "//app.js", "/app.js/",
	    "/APP.JS", "app.js",   "/i18n",        "/i18n/",      "/lib",     "/meson.build",
	    "/login/", "/enrol/x", "/index.html~", "/web/app.js",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		assert_null(web_find(paths[i]));
}

static void
answers_with_policy_and_etag(void **state)
{
	struct api_resp resp;
	const struct web_file *index = web_find("/index.html");

	if_none_match = NULL;
	assert_int_equal(get("/directory", &resp), 200);
	assert_ptr_equal(resp.fixed, index->data);
	assert_int_equal(resp.len, index->len);
	assert_string_equal(resp.etag, index->etag);
	assert_string_equal(hdr(&resp, "Cache-Control"), "no-cache");
	assert_non_null(strstr(hdr(&resp, "Content-Security-Policy"), "script-src 'self'"));

	assert_int_equal(get("/app.js", &resp), 200);
	assert_null(hdr(&resp, "Content-Security-Policy"));

	if_none_match = web_find("/app.js")->etag;
	assert_int_equal(get("/app.js", &resp), 304);
	assert_null(resp.fixed);
	if_none_match = NULL;

	assert_int_equal(get("/nope", &resp), 404);
	api_resp_free(&resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(table_is_sorted_and_typed),
	    cmocka_unit_test(pages_are_the_index),
	    cmocka_unit_test(other_paths_are_nothing),
	    cmocka_unit_test(answers_with_policy_and_etag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
