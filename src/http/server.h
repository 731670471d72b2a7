/* The HTTP front: libmicrohttpd with an epoll thread pool, over the API layer. */
#ifndef POCD_HTTP_SERVER_H
#define POCD_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

struct api;
struct http_server;

struct http_config {
	const char *listen;    /* "127.0.0.1:8080" or "[::1]:8080" */
	unsigned threads;      /* request threads; 0 for one per core */
	unsigned conn_limit;   /* open connections at most */
	unsigned conn_timeout; /* seconds of silence before a connection is closed */
	size_t header_limit;   /* bytes of request headers (libmicrohttpd's connection memory) */
	size_t body_limit;     /* bytes of a request body; more gets 413 */
	unsigned rate_limit;   /* requests per second per address and per session; 0: no limit */
	const char *tls_cert;  /* PEM certificate chain file; NULL to serve plain HTTP */
	const char *tls_key;   /* PEM private key file, with tls_cert */
	/* IPv4 or IPv6 literals of proxies whose X-Forwarded-For and X-Forwarded-Proto are
	 * believed; at most HTTP_TRUSTED_MAX */
	const char *const *trusted_proxies;
	size_t ntrusted;
	int quiet; /* no per-request log lines */
};

#define HTTP_TRUSTED_MAX 16

/* What needs the privileges pocd started with: binds the listening socket and, when
 * cfg->tls_cert is set, reads, checks and keeps the certificate and key. cfg's strings must
 * outlive the server. NULL with a reason in msg on failure. */
struct http_server *http_bind(const struct http_config *cfg, struct api *api, char *msg,
                              size_t msglen);
/* Starts the request threads on the bound socket. Until http_ready, every request is answered
 * 503, so that none is served before the process is confined. False with a reason in msg on
 * failure, and srv freed. */
bool http_start(struct http_server *srv, char *msg, size_t msglen);
void http_ready(struct http_server *srv);
/* Stops accepting, lets the requests in flight finish, stops the threads, frees srv. */
void http_stop(struct http_server *srv);

#endif
