/* The plumbing of the poc command: one HTTP request to pocd over libcurl, and the login that
 * poc keeps between runs in $XDG_CONFIG_HOME/pocd/token.json. */
#ifndef POCD_CLI_CLIENT_H
#define POCD_CLI_CLIENT_H

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>

#define CLIENT_BODY_MAX    ((size_t)64 << 20) /* bytes of one response body */
#define CLIENT_TIMEOUT_S   30L                /* seconds for one whole request */
#define CLIENT_URL_SIZE    4096               /* a whole URL: server, path and query */
#define CLIENT_SERVER_SIZE 1024               /* a server's base URL */
#define CLIENT_TOKEN_SIZE  256                /* a bearer token */
#define CLIENT_NAME_SIZE   256                /* a username, an expiry time */

enum client_err {
	CLIENT_OK = 0,   /* done; for a request: an answer arrived, whatever its status */
	CLIENT_ENOMEM,   /* out of memory */
	CLIENT_ETOOLONG, /* a URL or a file name does not fit its buffer */
	CLIENT_EBADURL,  /* the server URL does not start with http:// or https:// */
	CLIENT_ECONNECT, /* no answer arrived: client->error says why */
	CLIENT_ETOOBIG,  /* the answer's body exceeds CLIENT_BODY_MAX */
	CLIENT_ENOENT,   /* there is no token file */
	CLIENT_ESYS,     /* a system call on the token file failed: errno says why */
	CLIENT_EFORMAT,  /* the token file is not one that client_login_save wrote */
};

/* A connection to one pocd; client_init fills it, client_free releases it. */
struct client {
	CURL *curl;                      /* reused, so that its connection is kept alive */
	char server[CLIENT_SERVER_SIZE]; /* base URL, without a trailing slash */
	char token[CLIENT_TOKEN_SIZE];   /* sent as a bearer token unless empty */
	char error[CURL_ERROR_SIZE];     /* why the last request got no answer */
};

/* One answer. client_request fills it; client_resp_free releases it. */
struct client_resp {
	long status;            /* the HTTP status */
	char *body;             /* NUL-terminated, never NULL after CLIENT_OK; owned */
	size_t len;             /* bytes of body, without the NUL */
	char etag[128];         /* the ETag header as sent, quotes included; empty if none */
	char content_type[128]; /* the Content-Type header; empty if none */
	long retry_after;       /* Retry-After in seconds; -1 when absent or not a number */
	char sha256[65];        /* X-Pocd-Sha256 (an attachment's hash); empty if none */
};

/* The login kept between runs. */
struct client_login {
	char server[CLIENT_SERVER_SIZE];
	char token[CLIENT_TOKEN_SIZE];
	char expires_at[CLIENT_NAME_SIZE]; /* RFC 3339, as the server gave it; may be empty */
	char username[CLIENT_NAME_SIZE];   /* may be empty */
};

/* Sets up libcurl and makes jansson wipe every block it frees, since some hold the password
 * or the token. Call once, first; false if libcurl could not start. */
bool client_global_init(void);
void client_global_cleanup(void);

/* Prepares c to talk to the server at base URL server (trailing slashes are dropped), with no
 * token. CLIENT_EBADURL or CLIENT_ETOOLONG for an unusable URL, CLIENT_ENOMEM. On failure c
 * holds nothing to free; on success release it with client_free. */
enum client_err client_init(struct client *c, const char *server);
/* Releases c and wipes its token. Safe on a zeroed or already freed client. */
void client_free(struct client *c);

/* Sends one request: method ("GET", "POST", "PUT", "DELETE") to path (starting with '/',
 * query included, already escaped) on c's server, with body of len bytes as
 * application/json when body is not NULL, c's token as a bearer token when it has one, and
 * headers, a NULL-terminated list of "Name: value" lines (or NULL). Waits at most
 * CLIENT_TIMEOUT_S seconds and never follows redirects.
 * CLIENT_OK whenever an answer arrived, whatever its status: resp then holds it and must be
 * released with client_resp_free. On any other result resp holds nothing to free. */
enum client_err client_request(struct client *c, const char *method, const char *path,
                               const char *body, size_t len, const char *const *headers,
                               struct client_resp *resp);
/* Like client_request for files: with in, the body is len bytes read from it (as they are
 * sent; headers should name the Content-Type); with out, a 2xx answer's body is written to it
 * and hashed into hash instead of kept (other answers are kept in resp as usual). No overall
 * time limit: a transfer that stalls for CLIENT_TIMEOUT_S seconds fails. */
enum client_err client_stream(struct client *c, const char *method, const char *path, FILE *in,
                              long long len, const char *const *headers, FILE *out,
                              crypto_hash_sha256_state *hash, struct client_resp *resp);
void client_resp_free(struct client_resp *resp);

/* Writes s percent-encoded (RFC 3986 unreserved characters stay) into out, NUL-terminated.
 * CLIENT_ETOOLONG if it does not fit, CLIENT_ENOMEM. */
enum client_err client_escape(struct client *c, const char *s, char *out, size_t outlen);

/* The token file's name: $XDG_CONFIG_HOME/pocd/token.json, or ~/.config/pocd/token.json when
 * XDG_CONFIG_HOME is unset or relative. CLIENT_ETOOLONG, or CLIENT_ESYS with errno ENOENT
 * when there is no home directory. */
enum client_err client_login_path(char *out, size_t outlen);
/* Reads the token file into l. CLIENT_ENOENT when there is none, CLIENT_EFORMAT when it is
 * malformed or lacks server or token, CLIENT_ESYS (errno) when it cannot be read. */
enum client_err client_login_load(struct client_login *l);
/* Writes l to the token file, creating its directory (mode 0700) and the file (mode 0600)
 * as needed and replacing what it held. CLIENT_ESYS (errno) or CLIENT_ENOMEM on failure. */
enum client_err client_login_save(const struct client_login *l);
/* Deletes the token file. CLIENT_ENOENT when there was none, CLIENT_ESYS (errno). */
enum client_err client_login_remove(void);

#endif
