/*
 * libmicrohttpd glue: request bodies with a cap, the request's life (including suspension
 * while a commit or a password hash is pending), responses with the headers every answer
 * carries, and one log line per request.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "lib/log.h"
#include "lib/ratelimit.h"
#include "lib/timeutil.h"

/* Bodies up to this much past the body limit are read and dropped before the 413; larger
 * ones are cut off. */
#define DISCARD_MAX (16u << 20)
/* Connections from one address at a time (a proxy in front counts as one address). */
#define PER_ADDRESS_MAX 256
/* A certificate chain or a key larger than this is not one. */
#define TLS_FILE_MAX (1u << 20)
/* TLS 1.2 and 1.3 only, AEAD ciphers only, and in TLS 1.2 only ephemeral elliptic-curve
 * Diffie-Hellman: every session has forward secrecy, and nothing is offered that current
 * browsers, curl and Python do not already prefer. */
#define TLS_PRIORITIES                                                                             \
	"SECURE:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+CHACHA20-POLY1305:"  \
	"+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE"
/* A year: browsers that once reached pocd over TLS never try plain HTTP for it again. */
#define HSTS_VALUE "max-age=31536000"

struct http_server {
	struct MHD_Daemon *d;
	struct api *api;
	int quiet;
	size_t body_limit;
	struct ratelimit *by_addr; /* NULL: no rate limit */
	struct ratelimit *by_token;
	struct in6_addr trusted[HTTP_TRUSTED_MAX];
	size_t ntrusted;
	bool tls;
	char *tls_cert; /* PEM, kept for the daemon's life; the key is wiped when freed */
	char *tls_key;
	size_t tls_key_len;
	struct http_config cfg;
	int fd; /* the listening socket, until the daemon owns it */
	unsigned threads;
	_Atomic long inflight; /* requests begun and not yet completed */
	_Atomic bool ready;    /* until then, requests get 503 */
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
	size_t limit;     /* of this body: the body limit, or the sink's */
	size_t streamed;  /* bytes given to the sink */
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

/* s[0..n) as an address, IPv4 mapped into ::ffff:0:0/96 so that one comparison serves both. */
static bool
parse_ip(const char *s, size_t n, struct in6_addr *out)
{
	char buf[INET6_ADDRSTRLEN];
	struct in_addr a4;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, out) == 1)
		return true;
	if (inet_pton(AF_INET, buf, &a4) != 1)
		return false;
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = 0xff;
	out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], &a4, sizeof(a4));
	return true;
}

static bool
is_trusted(const struct http_server *srv, const struct in6_addr *a)
{
	for (size_t i = 0; i < srv->ntrusted; i++)
		if (memcmp(&srv->trusted[i], a, sizeof(*a)) == 0)
			return true;
	return false;
}

static enum MHD_Result
last_forwarded_for(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	if (strcasecmp(key, "X-Forwarded-For") == 0)
		*(const char **)cls = value;
	return MHD_YES;
}

/* The client's address, written to out: the TCP peer's, unless the peer is a trusted proxy.
 * Then it is the right-most address of X-Forwarded-For (its last header) that is not itself
 * a trusted proxy, or the left-most when all are: entries left of that one were written by
 * the client and prove nothing. An entry that is not an address stops the walk at the
 * proxy that passed it on. *proxied tells whether a trusted proxy forwarded the request. */
static void
client_addr(const struct http_server *srv, struct MHD_Connection *c, char *out, size_t outlen,
            bool *proxied)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;
	const char *xff = NULL, *start, *end, *b, *e;
	struct in6_addr a, hop;

	*proxied = false;
	strlcpy(out, "unknown", outlen);
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	} else if (sa->sa_family == AF_INET) {
		memset(&a, 0, sizeof(a));
		a.s6_addr[10] = 0xff;
		a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		       4);
	} else {
		return;
	}
	if (srv->ntrusted > 0 && is_trusted(srv, &a)) {
		*proxied = true;
		MHD_get_connection_values(c, MHD_HEADER_KIND, last_forwarded_for, &xff);
		for (end = xff != NULL ? xff + strlen(xff) : NULL; end != NULL; end = start - 1) {
			for (start = end; start > xff && start[-1] != ','; start--)
				;
			for (b = start; b < end && (*b == ' ' || *b == '\t'); b++)
				;
			for (e = end; e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
				;
			if (!parse_ip(b, (size_t)(e - b), &hop))
				break;
			a = hop;
			if (!is_trusted(srv, &hop) || start == xff)
				break;
		}
	}
	if (IN6_IS_ADDR_V4MAPPED(&a))
		inet_ntop(AF_INET, &a.s6_addr[12], out, (socklen_t)outlen);
	else
		inet_ntop(AF_INET6, &a, out, (socklen_t)outlen);
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
	} else if (resp->has_fd) {
		mr = MHD_create_response_from_fd64(resp->len, resp->fd);
		if (mr != NULL)
			resp->has_fd = false;
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
	if (r->req.tls)
		MHD_add_response_header(mr, "Strict-Transport-Security", HSTS_VALUE);
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

/* Answers a request that failed before reaching the API (limits): a problem of type
 * urn:pocd:problem:NAME, with Retry-After when retry_after is not 0. */
static enum MHD_Result
send_limit(struct request *r, unsigned status, const char *name, const char *title,
           const char *detail, unsigned retry_after)
{
	char text[384];
	int n = snprintf(text, sizeof(text),
	                 "{\"type\":\"urn:pocd:problem:%s\",\"title\":\"%s\",\"status\":%u,"
	                 "\"detail\":\"%s\"}",
	                 name, title, status, detail);

	r->resp.status = status;
	r->resp.content_type = "application/problem+json";
	r->resp.body = strndup(text, (size_t)n);
	r->resp.len = r->resp.body != NULL ? (size_t)n : 0;
	if (retry_after != 0) {
		r->resp.hdr[0].name = "Retry-After";
		snprintf(r->resp.hdr[0].value, sizeof(r->resp.hdr[0].value), "%u", retry_after);
		r->resp.nhdr = 1;
	}
	return send_resp(r);
}

/* "1 MiB", "512 KiB" or "1000 bytes". */
static void
size_text(size_t n, char *out, size_t outlen)
{
	if (n % (1u << 20) == 0)
		snprintf(out, outlen, "%zu MiB", n >> 20);
	else if (n % 1024 == 0)
		snprintf(out, outlen, "%zu KiB", n >> 10);
	else
		snprintf(out, outlen, "%zu bytes", n);
}

static enum MHD_Result
send_too_large(struct request *r)
{
	char detail[96], limit[32];

	size_text(r->limit, limit, sizeof(limit));
	snprintf(detail, sizeof(detail), "the body exceeds the limit of %s", limit);
	return send_limit(r, 413, "too-large", "Payload too large", detail, 0);
}

/* Whether the request may go on under the rate limit of key; if not, it is answered 429. */
static bool
within_rate(struct request *r, struct ratelimit *rl, const char *key, const char *detail,
            enum MHD_Result *ret)
{
	unsigned retry;

	if (rl == NULL || ratelimit_take(rl, key, r->start_us, &retry))
		return true;
	*ret = send_limit(r, 429, "rate-limited", "Too many requests", detail, retry);
	return false;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct request *r = *con_cls;
	const char *cl, *proto;
	enum api_result res;
	enum MHD_Result ret;
	bool proxied, counted;

	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return MHD_NO;
		pthread_mutex_init(&r->lk, NULL);
		r->srv = srv;
		r->conn = conn;
		r->start_us = mono_us();
		r->method = method;
		client_addr(srv, conn, r->client, sizeof(r->client), &proxied);
		r->req.api = srv->api;
		r->req.method = parse_method(method);
		r->req.path = url;
		r->req.query = get_query;
		r->req.header = get_header;
		r->req.http = conn;
		r->req.client = r->client;
		proto = proxied ? MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                              "X-Forwarded-Proto")
		                : NULL;
		r->req.tls = srv->tls || (proto != NULL && strcasecmp(proto, "https") == 0);
		r->req.wake = wake;
		*con_cls = r;
		atomic_fetch_add(&srv->inflight, 1);
		if (!atomic_load(&srv->ready) || atomic_load(&srv->stopping))
			return send_limit(r, 503, "unavailable", "Service unavailable",
			                  atomic_load(&srv->stopping)
			                      ? "the service is stopping: retry shortly"
			                      : "the service is starting: retry shortly",
			                  0);
		/* Only the API is counted: the web interface's files, /healthz and /metrics cost
		 * no more than a refusal would, and a first page load fetches some forty files. */
		counted = strncmp(url, "/api/", 5) == 0;
		if (counted &&
		    !within_rate(r, srv->by_addr, r->client,
		                 "too many requests from your address: wait, then retry", &ret))
			return ret;
		/* Unknown routes and callers without credentials are answered before their
		 * body is read: nobody makes the server hold a body it would not take. */
		if (api_refuse_early(&r->req, &r->resp))
			return send_resp(r);
		r->limit = r->req.sink != NULL ? r->req.sink->limit : srv->body_limit;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
		/* Far too large: refused before a byte of it is read (the client may see the
		 * connection close before it reads the answer). */
		if (cl != NULL && strtoull(cl, NULL, 10) > r->limit + DISCARD_MAX)
			return send_too_large(r);
		/* A session is limited apart from its address: many officers behind one
		 * gateway share an address, and one session on many addresses is one caller. */
		if (counted && r->req.authenticated &&
		    !within_rate(r, srv->by_token, r->req.token,
		                 "too many requests with this session: wait, then retry", &ret))
			return ret;
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
		if (r->too_large || r->body_len + r->streamed + n > r->limit) {
			/* Read and dropped, so the client gets its 413 on a sane connection. */
			r->too_large = true;
			r->discarded += n;
			return r->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
		}
		/* An upload goes on to its sink piece by piece, never held whole. */
		if (r->req.sink != NULL) {
			r->req.sink->write(r->req.sink, upload_data, n);
			r->streamed += n;
			return MHD_YES;
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
		return send_too_large(r);
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
		log_info("%s %s %s %u %llu %s", r->client,
		         r->req.method == M_OTHER ? "OTHER" : r->method, path, r->resp.status,
		         (unsigned long long)us,
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

/* Reads a PEM file named by option into *out (malloc'd, NUL-terminated, the caller frees it).
 * A private key must not be readable by group or others. False with a reason in msg. */
static bool
read_pem(const char *option, const char *path, bool private, char **out, size_t *len, char *msg,
         size_t msglen)
{
	struct stat st;
	char *b = NULL;
	size_t n = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(msg, msglen, "%s %s: cannot read it: %s", option, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0 || (uintmax_t)st.st_size > TLS_FILE_MAX) {
		snprintf(msg, msglen, "%s %s: expected a PEM file of at most 1 MiB", option, path);
		goto out;
	}
	if (private && (st.st_mode & 077) != 0) {
		snprintf(msg, msglen, "%s %s: others may read this private key: chmod 600 %s",
		         option, path, path);
		goto out;
	}
	b = malloc((size_t)st.st_size + 1);
	if (b == NULL) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	while (n < (size_t)st.st_size &&
	       ((got = read(fd, b + n, (size_t)st.st_size - n)) > 0 || (got < 0 && errno == EINTR)))
		n += got > 0 ? (size_t)got : 0;
	if (n != (size_t)st.st_size) {
		snprintf(msg, msglen, "%s %s: cannot read it: %s", option, path,
		         n < (size_t)st.st_size ? "it shrank while read" : strerror(errno));
		goto out;
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	b = NULL;
out:
	if (b != NULL) {
		sodium_memzero(b, (size_t)st.st_size);
		free(b);
	}
	if (fd >= 0)
		close(fd);
	return *out != NULL;
}

/* Whether the certificate and key parse and belong together, asked of GnuTLS itself so that
 * the operator gets its reason rather than libmicrohttpd's failure to start. */
static bool
tls_check(const struct http_config *cfg, struct http_server *srv, char *msg, size_t msglen)
{
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	gnutls_datum_t cert, key;
	size_t cert_len;
	int rc;

	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(msg, msglen,
		         "--tls-cert: this libmicrohttpd was built without TLS: install "
		         "Debian's libmicrohttpd12, or serve plain HTTP behind a TLS proxy");
		return false;
	}
	if (cfg->tls_cert == NULL || cfg->tls_key == NULL) {
		snprintf(msg, msglen, "--tls-cert and --tls-key go together: give both");
		return false;
	}
	if (!read_pem("--tls-cert", cfg->tls_cert, false, &srv->tls_cert, &cert_len, msg, msglen) ||
	    !read_pem("--tls-key", cfg->tls_key, true, &srv->tls_key, &srv->tls_key_len, msg,
	              msglen))
		return false;
	cert.data = (unsigned char *)srv->tls_cert;
	cert.size = (unsigned)cert_len;
	key.data = (unsigned char *)srv->tls_key;
	key.size = (unsigned)srv->tls_key_len;
	if (gnutls_certificate_allocate_credentials(&cred) != GNUTLS_E_SUCCESS) {
		snprintf(msg, msglen, "out of memory");
		return false;
	}
	rc = gnutls_certificate_set_x509_key_mem2(cred, &cert, &key, GNUTLS_X509_FMT_PEM, NULL, 0);
	gnutls_certificate_free_credentials(cred);
	if (rc < 0) {
		snprintf(msg, msglen,
		         "--tls-cert %s, --tls-key %s: %s (expected a PEM certificate "
		         "chain and the unencrypted PEM key of its first certificate)",
		         cfg->tls_cert, cfg->tls_key, gnutls_strerror(rc));
		return false;
	}
	if (gnutls_priority_init(&prio, TLS_PRIORITIES, NULL) != GNUTLS_E_SUCCESS) {
		snprintf(msg, msglen,
		         "this GnuTLS does not know the TLS 1.2/1.3 AEAD cipher suites");
		return false;
	}
	gnutls_priority_deinit(prio);
	return true;
}

static void
server_free(struct http_server *srv)
{
	if (srv->fd >= 0)
		close(srv->fd);
	ratelimit_free(srv->by_addr);
	ratelimit_free(srv->by_token);
	if (srv->tls_key != NULL)
		sodium_memzero(srv->tls_key, srv->tls_key_len);
	free(srv->tls_key);
	free(srv->tls_cert);
	free(srv);
}

/* A socket bound to ss and listening, or -1 with the reason in msg. */
static int
bind_socket(const struct sockaddr_storage *ss, const char *listen_addr, char *msg, size_t msglen)
{
	int one = 1;
	socklen_t len =
	    ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (ss->ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
	    bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, SOMAXCONN) != 0) {
		snprintf(msg, msglen, "cannot listen on %s: %s", listen_addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct http_server *
http_bind(const struct http_config *cfg, struct api *api, char *msg, size_t msglen)
{
	struct http_server *srv;
	struct sockaddr_storage ss;

	if (!parse_listen(cfg->listen, &ss, msg, msglen))
		return NULL;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	srv->fd = -1;
	srv->cfg = *cfg;
	srv->api = api;
	srv->quiet = cfg->quiet;
	srv->threads = cfg->threads;
	if (srv->threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		srv->threads = n > 0 && n < 64 ? (unsigned)n : 2;
	}
	srv->body_limit = cfg->body_limit;
	for (size_t i = 0; i < cfg->ntrusted; i++) {
		const char *t = cfg->trusted_proxies[i];
		if (i == HTTP_TRUSTED_MAX || !parse_ip(t, strlen(t), &srv->trusted[i])) {
			snprintf(
			    msg, msglen,
			    i == HTTP_TRUSTED_MAX
			        ? "--trusted-proxy %s: at most 16 trusted proxies"
			        : "--trusted-proxy %s: expected an IPv4 or IPv6 address, such as "
			          "127.0.0.1 or ::1",
			    t);
			goto fail;
		}
		srv->ntrusted++;
	}
	if (cfg->rate_limit > 0) {
		srv->by_addr = ratelimit_new(cfg->rate_limit);
		srv->by_token = ratelimit_new(cfg->rate_limit);
		if (srv->by_addr == NULL || srv->by_token == NULL) {
			snprintf(msg, msglen, "--rate-limit %u: out of memory", cfg->rate_limit);
			goto fail;
		}
	}
	if (cfg->tls_cert != NULL || cfg->tls_key != NULL) {
		if (!tls_check(cfg, srv, msg, msglen))
			goto fail;
		srv->tls = true;
	}
	srv->fd = bind_socket(&ss, cfg->listen, msg, msglen);
	if (srv->fd < 0)
		goto fail;
	return srv;
fail:
	server_free(srv);
	return NULL;
}

bool
http_start(struct http_server *srv, char *msg, size_t msglen)
{
	const struct http_config *cfg = &srv->cfg;
	struct MHD_OptionItem tls_opts[] = {
	    {MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
	    {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES},
	    {MHD_OPTION_END, 0, NULL},
	};
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO |
	                 MHD_USE_ERROR_LOG | (srv->tls ? MHD_USE_TLS : 0);

	MHD_set_panic_func(panic, NULL);
	srv->d = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, srv->fd,
	    MHD_OPTION_THREAD_POOL_SIZE, srv->threads, MHD_OPTION_CONNECTION_LIMIT, cfg->conn_limit,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_ADDRESS_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, cfg->conn_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    cfg->header_limit, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_ARRAY,
	    srv->tls ? tls_opts : tls_opts + 3 /* the end alone */, MHD_OPTION_END);
	if (srv->d == NULL) {
		snprintf(msg, msglen,
		         "cannot serve on %s: libmicrohttpd did not start (its reason "
		         "is logged above)",
		         cfg->listen);
		server_free(srv);
		return false;
	}
	srv->fd = -1; /* the daemon closes it */
	return true;
}

void
http_ready(struct http_server *srv)
{
	atomic_store(&srv->ready, true);
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
	if (srv->d != NULL)
		MHD_stop_daemon(srv->d);
	server_free(srv);
}
