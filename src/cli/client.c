#include "cli/client.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <malloc.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOGIN_FILE_MAX  65536 /* bytes of a token file */
#define BODY_FIRST_CAP  16384 /* bytes first allocated for a response body */
#define RETRY_AFTER_MAX 86400L
#define USER_AGENT      "poc/0.1.0"

/* Frees jansson's blocks after wiping them: login bodies hold the password, token files and
 * login answers the token. */
static void
wiping_free(void *p)
{
	if (p == NULL)
		return;
	sodium_memzero(p, malloc_usable_size(p));
	free(p);
}

bool
client_global_init(void)
{
	if (sodium_init() < 0)
		return false;
	json_set_alloc_funcs(malloc, wiping_free);
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

void
client_global_cleanup(void)
{
	curl_global_cleanup();
}

enum client_err
client_init(struct client *c, const char *server)
{
	size_t scheme, n;

	memset(c, 0, sizeof(*c));
	if (strncasecmp(server, "http://", 7) == 0)
		scheme = 7;
	else if (strncasecmp(server, "https://", 8) == 0)
		scheme = 8;
	else
		return CLIENT_EBADURL;
	if (strlcpy(c->server, server, sizeof(c->server)) >= sizeof(c->server))
		return CLIENT_ETOOLONG;
	n = strlen(c->server);
	while (n > scheme && c->server[n - 1] == '/')
		c->server[--n] = '\0';
	/* A host is needed, and nothing that would end the path early. */
	if (n == scheme || strpbrk(c->server, "?# \t\r\n") != NULL)
		return CLIENT_EBADURL;
	c->curl = curl_easy_init();
	return c->curl != NULL ? CLIENT_OK : CLIENT_ENOMEM;
}

void
client_free(struct client *c)
{
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
	sodium_memzero(c->token, sizeof(c->token));
}

struct sink {
	CURL *curl;
	FILE *out; /* a 2xx answer's body goes here, hashed, when set */
	crypto_hash_sha256_state *hash;
	bool write_failed;
	FILE *in; /* the request's body is read from here, in_len bytes, when set */
	long long in_len;
	char *p;
	size_t len;
	size_t cap;
	bool too_big;
	bool oom;
};

/* libcurl's write callback: appends to the sink, refusing to pass CLIENT_BODY_MAX. */
static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n, cap;
	long status = 0;
	char *p;

	if (s->out != NULL) {
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300) {
			if (fwrite(data, 1, len, s->out) != len) {
				s->write_failed = true;
				return 0;
			}
			crypto_hash_sha256_update(s->hash, (const unsigned char *)data, len);
			return len;
		}
	}
	if (len > CLIENT_BODY_MAX - s->len) {
		s->too_big = true;
		return 0;
	}
	if (s->len + len + 1 > s->cap) {
		cap = s->cap > 0 ? s->cap : BODY_FIRST_CAP;
		while (cap < s->len + len + 1)
			cap *= 2;
		if (cap > CLIENT_BODY_MAX + 1)
			cap = CLIENT_BODY_MAX + 1;
		p = realloc(s->p, cap);
		if (p == NULL) {
			s->oom = true;
			return 0;
		}
		s->p = p;
		s->cap = cap;
	}
	memcpy(s->p + s->len, data, len);
	s->len += len;
	s->p[s->len] = '\0';
	return len;
}

/* Copies the value of header line (len bytes, CRLF included) into out if it is named name;
 * true if it was. A value too long for out leaves out empty. */
static bool
header_value(const char *line, size_t len, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return false;
	line += n + 1;
	len -= n + 1;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && strchr(" \t\r\n", line[len - 1]) != NULL)
		len--;
	out[0] = '\0';
	if (len < outlen && memchr(line, '\0', len) == NULL) {
		memcpy(out, line, len);
		out[len] = '\0';
	}
	return true;
}

/* libcurl's header callback: keeps ETag, Content-Type and Retry-After of the final answer. */
static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct client_resp *r = arg;
	size_t len = size * n;
	char value[32], *end;
	long v;

	/* A status line starts an answer; an interim one (100 Continue) has headers too. */
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		r->etag[0] = '\0';
		r->content_type[0] = '\0';
		r->retry_after = -1;
		r->sha256[0] = '\0';
		return len;
	}
	if (header_value(data, len, "ETag", r->etag, sizeof(r->etag)) ||
	    header_value(data, len, "X-Pocd-Sha256", r->sha256, sizeof(r->sha256)) ||
	    header_value(data, len, "Content-Type", r->content_type, sizeof(r->content_type)))
		return len;
	if (header_value(data, len, "Retry-After", value, sizeof(value)) && value[0] != '\0') {
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno == 0 && *end == '\0' && v >= 0 && v <= RETRY_AFTER_MAX)
			r->retry_after = v;
	}
	return len;
}

/* Appends "Name: value" to list; NULL (and list freed) when out of memory. */
static struct curl_slist *
add_header(struct curl_slist *list, const char *line)
{
	struct curl_slist *l = curl_slist_append(list, line);

	if (l == NULL)
		curl_slist_free_all(list);
	return l;
}

/* Wipes every header line, then frees the list: one of them carries the token. */
static void
free_headers(struct curl_slist *list)
{
	for (struct curl_slist *h = list; h != NULL; h = h->next)
		sodium_memzero(h->data, strlen(h->data));
	curl_slist_free_all(list);
}

/* libcurl's read callback of a streamed upload. */
static size_t
on_read(char *data, size_t size, size_t n, void *arg)
{
	size_t got = fread(data, size, n, arg);

	return got == 0 && ferror((FILE *)arg) ? CURL_READFUNC_ABORT : got;
}

/* Sets the options of one request on c->curl; false when libcurl refused one. */
static bool
set_options(struct client *c, const char *url, const char *method, const char *body, size_t len,
            struct curl_slist *headers, struct sink *s, struct client_resp *resp)
{
	CURL *h = c->curl;
	curl_off_t max = (curl_off_t)CLIENT_BODY_MAX;
	bool ok = true;

	ok &= curl_easy_setopt(h, CURLOPT_URL, url) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	if (s->out != NULL || s->in != NULL) {
		/* A file may take longer than one request should; a stalled one may not. */
		ok &= curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK;
		ok &= curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, CLIENT_TIMEOUT_S) == CURLE_OK;
	} else {
		ok &= curl_easy_setopt(h, CURLOPT_TIMEOUT, CLIENT_TIMEOUT_S) == CURLE_OK;
	}
	ok &= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->error) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT) == CURLE_OK;
	/* Refuses early an answer whose Content-Length is over the cap; on_body checks the rest. */
	if (s->out == NULL)
		ok &= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, max) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_WRITEDATA, s) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_HEADERDATA, resp) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers) == CURLE_OK;
	if (s->in != NULL) {
		ok &= curl_easy_setopt(h, CURLOPT_POST, 1L) == CURLE_OK;
		ok &= curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read) == CURLE_OK;
		ok &= curl_easy_setopt(h, CURLOPT_READDATA, s->in) == CURLE_OK;
		ok &= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->in_len) ==
		      CURLE_OK;
	} else if (body == NULL && (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0)) {
		body = "";
		len = 0;
	}
	if (body != NULL) {
		ok &= curl_easy_setopt(h, CURLOPT_POSTFIELDS, body) == CURLE_OK;
		ok &= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) == CURLE_OK;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		ok &= curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK;
	return ok;
}

/* One request, its body from body/len or from s->in, its answer into resp or s->out. */
static enum client_err
perform(struct client *c, const char *method, const char *path, const char *body, size_t len,
        const char *const *headers, struct sink *sk, struct client_resp *resp)
{
	struct curl_slist *list = NULL;
	struct sink s = *sk;
	char url[CLIENT_URL_SIZE], auth[CLIENT_TOKEN_SIZE + 32];
	enum client_err err = CLIENT_ENOMEM;
	CURLcode rc;
	int n;

	memset(resp, 0, sizeof(*resp));
	resp->retry_after = -1;
	c->error[0] = '\0';
	n = snprintf(url, sizeof(url), "%s%s", c->server, path);
	if (n < 0 || (size_t)n >= sizeof(url))
		return CLIENT_ETOOLONG;
	/* Without this, libcurl waits a second for "100 Continue" before a large body. */
	list = add_header(list, "Expect:");
	if (list != NULL && body != NULL)
		list = add_header(list, "Content-Type: application/json");
	s.curl = c->curl;
	if (list != NULL && c->token[0] != '\0') {
		n = snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->token);
		list = n > 0 && (size_t)n < sizeof(auth) ? add_header(list, auth) : list;
		sodium_memzero(auth, sizeof(auth));
	}
	for (size_t i = 0; list != NULL && headers != NULL && headers[i] != NULL; i++)
		list = add_header(list, headers[i]);
	if (list == NULL)
		goto out;
	curl_easy_reset(c->curl);
	if (!set_options(c, url, method, body, len, list, &s, resp)) {
		strlcpy(c->error, "libcurl refused an option", sizeof(c->error));
		err = CLIENT_ECONNECT;
		goto out;
	}
	rc = curl_easy_perform(c->curl);
	sk->write_failed = s.write_failed;
	if (s.oom) {
		err = CLIENT_ENOMEM;
	} else if (s.write_failed) {
		strlcpy(c->error, "the output file could not be written", sizeof(c->error));
		err = CLIENT_ECONNECT;
	} else if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		err = CLIENT_ETOOBIG;
	} else if (rc != CURLE_OK) {
		if (c->error[0] == '\0')
			strlcpy(c->error, curl_easy_strerror(rc), sizeof(c->error));
		err = CLIENT_ECONNECT;
	} else if (s.p == NULL && (s.p = calloc(1, 1)) == NULL) {
		err = CLIENT_ENOMEM;
	} else {
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
		resp->body = s.p;
		resp->len = s.len;
		s.p = NULL;
		err = CLIENT_OK;
	}
out:
	/* The handle keeps pointers to the list and the sink: take them back before freeing. */
	if (c->curl != NULL)
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	free(s.p);
	free_headers(list);
	return err;
}

enum client_err
client_request(struct client *c, const char *method, const char *path, const char *body, size_t len,
               const char *const *headers, struct client_resp *resp)
{
	struct sink s = {0};

	return perform(c, method, path, body, len, headers, &s, resp);
}

enum client_err
client_stream(struct client *c, const char *method, const char *path, FILE *in, long long in_len,
              const char *const *headers, FILE *out, crypto_hash_sha256_state *hash,
              struct client_resp *resp)
{
	struct sink s = {.in = in, .in_len = in_len, .out = out, .hash = hash};

	return perform(c, method, path, NULL, 0, headers, &s, resp);
}

void
client_resp_free(struct client_resp *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}

enum client_err
client_escape(struct client *c, const char *s, char *out, size_t outlen)
{
	char *e = curl_easy_escape(c->curl, s, 0);
	enum client_err err = CLIENT_OK;

	if (e == NULL)
		return CLIENT_ENOMEM;
	if (strlcpy(out, e, outlen) >= outlen)
		err = CLIENT_ETOOLONG;
	curl_free(e);
	return err;
}

/* The directory that holds the token file, and the one above it (for creating both). */
static enum client_err
login_dirs(char *dir, size_t dirlen, char *parent, size_t parentlen)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct passwd *pw;
	int n, m;

	if (xdg != NULL && xdg[0] == '/') {
		n = snprintf(parent, parentlen, "%s", xdg);
	} else {
		if (home == NULL || home[0] != '/') {
			pw = getpwuid(getuid());
			home = pw != NULL ? pw->pw_dir : NULL;
		}
		if (home == NULL || home[0] != '/') {
			errno = ENOENT;
			return CLIENT_ESYS;
		}
		n = snprintf(parent, parentlen, "%s/.config", home);
	}
	if (n < 0 || (size_t)n >= parentlen)
		return CLIENT_ETOOLONG;
	m = snprintf(dir, dirlen, "%s/pocd", parent);
	if (m < 0 || (size_t)m >= dirlen)
		return CLIENT_ETOOLONG;
	return CLIENT_OK;
}

enum client_err
client_login_path(char *out, size_t outlen)
{
	char dir[PATH_MAX], parent[PATH_MAX];
	enum client_err err = login_dirs(dir, sizeof(dir), parent, sizeof(parent));
	int n;

	if (err != CLIENT_OK)
		return err;
	n = snprintf(out, outlen, "%s/token.json", dir);
	return n >= 0 && (size_t)n < outlen ? CLIENT_OK : CLIENT_ETOOLONG;
}

/* Copies string member name of o into out; false if it is missing (when required), not a
 * string, or too long. */
static bool
member(const json_t *o, const char *name, bool required, char *out, size_t outlen)
{
	json_t *v = json_object_get(o, name);

	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return !required;
	if (!json_is_string(v) || json_string_length(v) >= outlen ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return false;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return !required || out[0] != '\0';
}

enum client_err
client_login_load(struct client_login *l)
{
	char path[PATH_MAX], *text = NULL;
	enum client_err err;
	struct stat st;
	json_t *o = NULL;
	ssize_t got;
	size_t size = 0, len = 0;
	int fd, saved;

	memset(l, 0, sizeof(*l));
	if ((err = client_login_path(path, sizeof(path))) != CLIENT_OK)
		return err;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? CLIENT_ENOENT : CLIENT_ESYS;
	err = CLIENT_ESYS;
	if (fstat(fd, &st) != 0)
		goto out;
	err = CLIENT_EFORMAT;
	if (!S_ISREG(st.st_mode) || st.st_size > LOGIN_FILE_MAX)
		goto out;
	size = (size_t)st.st_size;
	err = CLIENT_ENOMEM;
	if ((text = malloc(size + 1)) == NULL)
		goto out;
	err = CLIENT_ESYS;
	while (len < size) {
		got = read(fd, text + len, size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto out;
		if (got == 0)
			break;
		len += (size_t)got;
	}
	err = CLIENT_EFORMAT;
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o))
		goto out;
	if (member(o, "server", true, l->server, sizeof(l->server)) &&
	    member(o, "token", true, l->token, sizeof(l->token)) &&
	    member(o, "expires_at", false, l->expires_at, sizeof(l->expires_at)) &&
	    member(o, "username", false, l->username, sizeof(l->username)))
		err = CLIENT_OK;
out:
	saved = errno;
	json_decref(o);
	if (text != NULL)
		sodium_memzero(text, size + 1);
	free(text);
	close(fd);
	if (err != CLIENT_OK)
		sodium_memzero(l, sizeof(*l));
	errno = saved;
	return err;
}

/* Creates directory path with mode 0700 unless it exists; false (errno) on failure or when
 * path names something other than a directory. */
static bool
make_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return true;
	if (errno != EEXIST)
		return false;
	if (stat(path, &st) != 0)
		return false;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	return true;
}

enum client_err
client_login_save(const struct client_login *l)
{
	char dir[PATH_MAX], parent[PATH_MAX], path[PATH_MAX], *text = NULL;
	enum client_err err;
	json_t *o = NULL;
	size_t len, done = 0;
	ssize_t put;
	int fd = -1, saved, n;

	if ((err = login_dirs(dir, sizeof(dir), parent, sizeof(parent))) != CLIENT_OK)
		return err;
	n = snprintf(path, sizeof(path), "%s/token.json", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return CLIENT_ETOOLONG;
	if (!make_dir(parent) || !make_dir(dir))
		return CLIENT_ESYS;
	err = CLIENT_ENOMEM;
	o = json_pack("{s:s,s:s,s:s,s:s}", "server", l->server, "token", l->token, "expires_at",
	              l->expires_at, "username", l->username);
	if (o == NULL || (text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL)
		goto out;
	len = strlen(text);
	err = CLIENT_ESYS;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0)
		goto out;
	while (done < len) {
		put = write(fd, text + done, len - done);
		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			goto out;
		done += (size_t)put;
	}
	if (write(fd, "\n", 1) != 1)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	err = CLIENT_OK;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (text != NULL)
		sodium_memzero(text, strlen(text));
	free(text);
	json_decref(o);
	errno = saved;
	return err;
}

enum client_err
client_login_remove(void)
{
	char path[PATH_MAX];
	enum client_err err = client_login_path(path, sizeof(path));

	if (err != CLIENT_OK)
		return err;
	if (unlink(path) == 0)
		return CLIENT_OK;
	return errno == ENOENT ? CLIENT_ENOENT : CLIENT_ESYS;
}
