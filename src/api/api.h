/*
 * The API layer: one handler per route, over a request and a response that know nothing of
 * the HTTP library. src/http fills an api_req, calls api_handle, and sends the api_resp.
 *
 * A handler either fills resp and returns API_DONE, or starts asynchronous work (a commit,
 * a password hash) and returns API_PENDING after setting req->cont. When the work is done,
 * whatever thread finished it calls req->wake(req) exactly once; the HTTP layer then calls
 * req->cont(req, resp) on a request thread to build the response. req->state, if set, is
 * freed with req->state_free when the request ends, whatever happened.
 */
#ifndef POCD_API_API_H
#define POCD_API_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "lib/err.h"
#include "lib/model.h"

#define API_PARAMS_MAX 3
#define API_PARAM_SIZE 64

enum api_method { M_GET, M_HEAD, M_POST, M_PUT, M_PATCH, M_DELETE, M_OTHER };
enum api_result { API_DONE, API_PENDING };

struct api_resp;
struct blob; /* a shared, immutable, reference-counted response body (api/cache.h) */
struct api;

/* A request body taken as it arrives instead of whole (uploads): the route's opener sets
 * req->sink before the body is read, the HTTP layer hands it each piece, and the handler runs
 * once the body is complete, with req->body NULL. */
struct api_sink {
	/* Takes the next n bytes; false when they cannot be kept (the handler then answers). */
	bool (*write)(struct api_sink *s, const char *data, size_t n);
	size_t limit; /* bytes at most; a longer body is answered 413 and the handler never runs */
};

struct api_req {
	struct api *api;
	enum api_method method;
	const char *path; /* decoded, without the query */
	/* Reads a query argument or a header of this request; NULL if absent. */
	const char *(*query)(const struct api_req *req, const char *key);
	const char *(*header)(const struct api_req *req, const char *name);
	void *http; /* the HTTP layer's handle, for query and header */
	const char *body;
	size_t body_len;
	const char *client; /* the client's address, for throttling and logs */
	bool tls;

	/* filled by the router */
	char params[API_PARAMS_MAX][API_PARAM_SIZE];
	bool authenticated;
	bool by_cookie;
	const void *route; /* the route found, once routing and authentication passed */
	struct principal who;
	char token[APIKEY_SIZE]; /* a session's token or an API key */
	struct api_sink *sink;   /* set by a streaming route's opener; owned by req->state */

	/* asynchronous completion */
	void (*wake)(struct api_req *req);
	void (*cont)(struct api_req *req, struct api_resp *resp);
	void *state;
	void (*state_free)(void *state);
};

#define API_HDR_MAX 4

struct api_resp {
	unsigned status;
	const char *content_type; /* static string */
	char *body;               /* owned (malloc), or NULL with blob or empty */
	size_t len;
	struct blob *blob; /* a shared body; its reference is the response's */
	const char *fixed; /* or bytes that outlive the response (embedded files) */
	int fd;            /* or, with has_fd, len bytes of this file (the response closes it) */
	bool has_fd;
	char etag[72];
	struct {
		const char *name; /* static string */
		char value[512];
	} hdr[API_HDR_MAX];
	size_t nhdr;
};

struct api_config {
	const char *metrics_token; /* may read /metrics besides the Secretariat; NULL for none */
};

/* The API's shared state over a running core. NULL on failure. */
struct api *api_new(struct core *core, const struct api_config *cfg);
void api_free(struct api *a);
struct core *api_core(struct api *a);

/* Whether req is refused before its body is read (unknown route, wrong method, missing or
 * bad credentials), with the answer in resp; the HTTP layer asks as soon as the headers are
 * in, so nobody makes the server hold a body it would not take. */
bool api_refuse_early(struct api_req *req, struct api_resp *resp);
/* Routes, authenticates and runs the handler for req. */
enum api_result api_handle(struct api_req *req, struct api_resp *resp);
/* The bytes of a shared body, and the release of the response's reference to it. */
const char *api_blob_data(struct blob *b, size_t *len);
void api_blob_release(struct blob *b);
/* Releases what resp owns. */
void api_resp_free(struct api_resp *resp);
/* Records a finished request for /metrics. */
void api_observe(struct api *a, unsigned status, uint64_t micros);

#endif
