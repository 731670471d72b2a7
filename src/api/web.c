/* Serving the web interface's embedded files. */
#include "api/web.h"

#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"

/* The pages of the interface (web/app.js routes them in the browser): each is index.html. */
static const char *const pages[] = {
    "/",        "/login",  "/directory",      "/my-state",  "/communications",
    "/compose", "/thread", "/pings",          "/campaigns", "/account",
    "/enrol",   "/ping",   "/responsiveness", "/verify",    "/states",
    "/ack",     "/reset",  "/broadcasts",
};

/* Every HTML answer: scripts and styles only from the files below, nothing inline, no
 * plugins, no framing, forms post only here. */
static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                          "form-action 'self'";

static int
by_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct web_file *)elem)->path);
}

const struct web_file *
web_find(const char *path)
{
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strcmp(path, pages[i]) == 0) {
			path = "/index.html";
			break;
		}
	return bsearch(path, web_files, web_nfiles, sizeof(web_files[0]), by_path);
}

enum api_result
h_web(struct api_req *req, struct api_resp *resp)
{
	const struct web_file *f = web_find(req->path);

	if (f == NULL) {
		problem_status(resp, 404, "not-found", "Not found", "there is no such resource");
		return API_DONE;
	}
	strlcpy(resp->etag, f->etag, sizeof(resp->etag));
	/* Always revalidated: an upgraded pocd serves its new files at once, and an unchanged
	 * file costs a 304. */
	resp_header(resp, "Cache-Control", "no-cache");
	if (strncmp(f->type, "text/html", 9) == 0)
		resp_header(resp, "Content-Security-Policy", "%s", csp);
	if (etag_matches(req->header(req, "If-None-Match"), f->etag)) {
		resp->status = 304;
		return API_DONE;
	}
	resp->status = 200;
	resp->content_type = f->type;
	resp->fixed = (const char *)f->data;
	resp->len = f->len;
	return API_DONE;
}
