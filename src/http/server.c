/*
 * libmicrohttpd glue: request bodies with a cap, the request's life (including suspension
 * while a commit or a password hash is pending), responses with the headers every answer
 * carries, and one log line per request.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api.h"
#include "lib/log.h"
#include "lib/timeutil.h"

/* Bodies between API_BODY_MAX and this are read and dropped before the 413; larger ones are
 * cut off. */
#define DISCARD_MAX (16u << 20)
/* Connections from one address at a time (a proxy in front counts as one address). */
#define PER_ADDRESS_MAX 256

struct http_server {
	struct MHD_Daemon *d;
	struct api *api;
	int quiet;
	_Atomic long inflight; /* requests begun and not yet completed */
	_Atomic bool stopping; /* new requests get 503 */
};

struct request {
	struct api_req req;
	struct api_resp resp;
	struct http_server *srv;
	struct MHD_Connection *conn;
	char *body;
	size_t body_len;
	bool too_large;
	size_t discarded; /* bytes dropped past the limit */
	bool answered;    /* a response is queued: later calls only drain the body */
	bool pending;
	uint64_t start_us;
	const char *method;
	char client[64];
	pthread_mutex_t lk;
	bool finished;  /* the asynchronous work called wake */
	bool suspended; /* the connection is suspended, waiting for wake */
};

static enum api_method
parse_method(const char *m)
{
	static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};

	for (int i = 0; i < 6; i++)
		if (strcmp(m, names[i]) == 0)
			return (enum api_method)i;
	return M_OTHER;
}

static const char *
get_query(const struct api_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->http, MHD_GET_ARGUMENT_KIND, key);
}

static const char *
get_header(const struct api_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->http, MHD_HEADER_KIND, name);
}

static void
client_addr(struct MHD_Connection *c, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	strlcpy(out, "unknown", outlen);
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		          (socklen_t)outlen);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		          out, (socklen_t)outlen);
}

static void
wake(struct api_req *req)
{
	struct request *r = (struct request *)req;
	struct MHD_Connection *conn = r->conn;
	bool resume;

	/* Resumed after the unlock: once resumed, the request may be answered and r freed on
	 * its thread at once. While it stays suspended nothing frees it. */
	pthread_mutex_lock(&r->lk);
	r->finished = true;
	resume = r->suspended;
	r->suspended = false;
	pthread_mutex_unlock(&r->lk);
	if (resume)
		MHD_resume_connection(conn);
}

static void
free_blob(void *cls)
{
	api_blob_release(cls);
}

static enum MHD_Result
send_resp(struct request *r)
{
	struct api_resp *resp = &r->resp;
	struct MHD_Response *mr;
	enum MHD_Result ret;
	bool cache_set = false, csp_set = false;

	if (resp->status == 0)
		resp->status = 500;
	if (resp->blob != NULL) {
		const char *data = api_blob_data(resp->blob, &resp->len);
		mr = MHD_create_response_from_buffer_with_free_callback_cls(resp->len, (void *)data,
		                                                            free_blob, resp->blob);
		if (mr != NULL)
			resp->blob = NULL;
	} else if (resp->fixed != NULL) {
		mr = MHD_create_response_from_buffer(resp->len, (void *)resp->fixed,
		                                     MHD_RESPMEM_PERSISTENT);
	} else if (resp->body != NULL) {
		mr = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
		if (mr != NULL)
			resp->body = NULL;
	} else {
		mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (mr == NULL)
		return MHD_NO;
	if (resp->content_type != NULL && resp->status != 304 && resp->status != 204)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	if (resp->etag[0] != '\0')
		MHD_add_response_header(mr, MHD_HTTP_HEADER_ETAG, resp->etag);
	for (size_t i = 0; i < resp->nhdr; i++) {
		MHD_add_response_header(mr, resp->hdr[i].name, resp->hdr[i].value);
		cache_set |= strcmp(resp->hdr[i].name, "Cache-Control") == 0;
		csp_set |= strcmp(resp->hdr[i].name, "Content-Security-Policy") == 0;
	}
	if (!cache_set)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL,
		                        resp->etag[0] != '\0' ? "private, no-cache" : "no-store");
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
	/* Pages of the web interface set their own policy; nothing else may run anything. */
	if (!csp_set)
		MHD_add_response_header(mr, "Content-Security-Policy",
		                        "default-src 'none'; frame-ancestors 'none'");
	ret = MHD_queue_response(r->conn, resp->status, mr);
	MHD_destroy_response(mr);
	r->answered = true;
	return ret;
}

/* Answers a request that failed before reaching the API (limits). */
static enum MHD_Result
send_limit(struct request *r, unsigned status, const char *title, const char *detail)
{
	char text[384];
	int n = snprintf(text, sizeof(text),
	                 "{\"type\":\"urn:pocd:problem:too-large\",\"title\":\"%s\",\"status\":%u,"
	                 "\"detail\":\"%s\"}",
	                 title, status, detail);

	r->resp.status = status;
	r->resp.content_type = "application/problem+json";
	r->resp.body = strndup(text, (size_t)n);
	r->resp.len = r->resp.body != NULL ? (size_t)n : 0;
	return send_resp(r);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct request *r = *con_cls;
	const char *cl;
	enum api_result res;

	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return MHD_NO;
		pthread_mutex_init(&r->lk, NULL);
		r->srv = srv;
		r->conn = conn;
		r->start_us = mono_us();
		r->method = method;
		client_addr(conn, r->client, sizeof(r->client));
		r->req.api = srv->api;
		r->req.method = parse_method(method);
		r->req.path = url;
		r->req.query = get_query;
		r->req.header = get_header;
		r->req.http = conn;
		r->req.client = r->client;
		r->req.wake = wake;
		*con_cls = r;
		atomic_fetch_add(&srv->inflight, 1);
		if (atomic_load(&srv->stopping))
			return send_limit(r, 503, "Service unavailable",
			                  "the service is stopping: retry shortly");
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
		/* Far too large: refused before a byte of it is read (the client may see the
		 * connection close before it reads the answer). */
		if (cl != NULL && strtoull(cl, NULL, 10) > DISCARD_MAX)
			return send_limit(r, 413, "Payload too large",
			                  "the body exceeds the limit of 1 MiB");
		/* Unknown routes and callers without credentials are answered before their
		 * body is read: nobody makes the server hold a body it would not take. */
		if (api_refuse_early(&r->req, &r->resp))
			return send_resp(r);
		return MHD_YES;
	}
	/* Answered already (refused before its body): the rest of the body is read and dropped,
	 * and nothing of the request runs. */
	if (r->answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (r->too_large || r->body_len + n > API_BODY_MAX) {
			/* Read and dropped, so the client gets its 413 on a sane connection. */
			r->too_large = true;
			r->discarded += n;
			return r->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
		}
		char *nb = realloc(r->body, r->body_len + n + 1);
		if (nb == NULL)
			return MHD_NO;
		memcpy(nb + r->body_len, upload_data, n);
		r->body = nb;
		r->body_len += n;
		r->body[r->body_len] = '\0';
		return MHD_YES;
	}
	if (r->too_large)
		return send_limit(r, 413, "Payload too large",
		                  "the body exceeds the limit of 1 MiB");
	if (r->pending) {
		/* Resumed: the asynchronous work is done; build the answer here. */
		r->pending = false;
		r->req.cont(&r->req, &r->resp);
		return send_resp(r);
	}
	r->req.body = r->body;
	r->req.body_len = r->body_len;
	res = api_handle(&r->req, &r->resp);
	if (res == API_DONE)
		return send_resp(r);
	r->pending = true;
	pthread_mutex_lock(&r->lk);
	if (!r->finished) {
		r->suspended = true;
		MHD_suspend_connection(conn);
		pthread_mutex_unlock(&r->lk);
		return MHD_YES;
	}
	pthread_mutex_unlock(&r->lk);
	r->pending = false;
	r->req.cont(&r->req, &r->resp);
	return send_resp(r);
}

#define LOG_PATH_MAX 512

/* The path as a log can hold it: bytes that could forge or garble a line (controls, spaces,
 * non-ASCII, '%') are percent-encoded; long paths are cut with "...". */
static void
log_path(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (o + 4 >= outlen) {
			memcpy(out + outlen - 4, "...", 4);
			return;
		}
		if (*p <= 0x20 || *p >= 0x7f || *p == '%') {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = '\0';
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct request *r = *con_cls;
	char path[LOG_PATH_MAX];
	uint64_t us;

	if (r == NULL)
		return;
	us = mono_us() - r->start_us;
	api_observe(srv->api, r->resp.status, us);
	if (!srv->quiet) {
		log_path(r->req.path, path, sizeof(path));
		log_info("%s %s %u %llu %s", r->req.method == M_OTHER ? "OTHER" : r->method, path,
		         r->resp.status, (unsigned long long)us,
		         r->req.authenticated ? r->req.who.account_id : "-");
	}
	if (r->req.state_free != NULL)
		r->req.state_free(r->req.state);
	api_resp_free(&r->resp);
	/* Bodies hold passwords and tokens (logins, enrolments). */
	if (r->body != NULL)
		sodium_memzero(r->body, r->body_len);
	free(r->body);
	pthread_mutex_destroy(&r->lk);
	sodium_memzero(r, sizeof(*r));
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

/* Parses "HOST:PORT" or "[V6]:PORT" into ss. */
static bool
parse_listen(const char *s, struct sockaddr_storage *ss, char *msg, size_t msglen)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL)
		goto bad;
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || port > 65535)
		goto bad;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		if (hl - 2 >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, hl - 2);
		host[hl - 2] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			goto bad;
		return true;
	}
	if (hl >= sizeof(host))
		goto bad;
	memcpy(host, s, hl);
	host[hl] = '\0';
	{
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			goto bad;
	}
	return true;
bad:
	snprintf(msg, msglen, "--listen %s: expected ADDRESS:PORT, such as 127.0.0.1:8080", s);
	return false;
}

/* libmicrohttpd's last word before it aborts: written out at once, not left in a buffer. */
static void
panic(void *cls, const char *file, unsigned int line, const char *reason)
{
	fflush(stderr);
	fprintf(stderr, "pocd: libmicrohttpd: %s (%s:%u)\n", reason != NULL ? reason : "panic",
	        file != NULL ? file : "?", line);
	fflush(stderr);
	abort();
}

struct http_server *
http_start(const struct http_config *cfg, struct api *api, char *msg, size_t msglen)
{
	struct http_server *srv;
	struct sockaddr_storage ss;
	unsigned threads = cfg->threads;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO |
	                 MHD_USE_ERROR_LOG;

	if (!parse_listen(cfg->listen, &ss, msg, msglen))
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 && n < 64 ? (unsigned)n : 2;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	srv->api = api;
	srv->quiet = cfg->quiet;
	MHD_set_panic_func(panic, NULL);
	srv->d = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, cfg->conn_limit,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_ADDRESS_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, cfg->conn_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)16 * 1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
	if (srv->d == NULL) {
		snprintf(msg, msglen,
		         "cannot listen on %s (in use, or not an address of this host)",
		         cfg->listen);
		free(srv);
		return NULL;
	}
	return srv;
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	atomic_store(&srv->stopping, true);
	/* Requests in flight finish (suspended ones once their commit or hash is done); new ones
	 * get 503: libmicrohttpd must not stop with one suspended. No MHD_quiesce_daemon: with
	 * an epoll thread pool it can race its workers and abort ("Failed to remove listen FD
	 * from epoll set"), and the 503s make it unneeded. */
	while (atomic_load(&srv->inflight) > 0)
		usleep(10000);
	MHD_stop_daemon(srv->d);
	free(srv);
}
