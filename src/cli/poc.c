/* poc, the command-line client of pocd: argument parsing and the commands. The HTTP and the
 * token file are in cli/client.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/client.h"

#define DEFAULT_SERVER "http://127.0.0.1:8080"
#define INPUT_MAX      ((size_t)1 << 20) /* bytes of a PoC file */
#define LINE_SIZE      1024              /* a username or password typed in, with its NUL */
#define PATH_SIZE      2048              /* a request path with its query */
#define ARG_SIZE       512               /* one escaped path segment or query value */
#define PAGES_MAX      10000             /* pages followed through "next" cursors */
#define SETS_MAX       32                /* --set options of one edit */
#define COLUMN_MAX     64                /* display width a table column pads to, at most */
#define COLUMNS_MAX    8                 /* columns of a table */

enum exit_code {
	POC_OK = 0,   /* done */
	POC_FAIL = 1, /* the server refused, could not be reached, or a file failed */
	POC_USAGE = 2 /* the command line is wrong */
};

enum opt {
	OPT_JSON = 256,
	OPT_SERVER,
	OPT_FILE,
	OPT_SET,
	OPT_KIND,
	OPT_LANG,
	OPT_Q,
	OPT_FORMAT,
	OPT_OUTPUT,
};

/* Every long option of every command; each command refuses those it does not take. */
static const struct option options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"server", required_argument, NULL, OPT_SERVER},
    {"help", no_argument, NULL, 'h'},
    {"file", required_argument, NULL, OPT_FILE},
    {"set", required_argument, NULL, OPT_SET},
    {"kind", required_argument, NULL, OPT_KIND},
    {"lang", required_argument, NULL, OPT_LANG},
    {"q", required_argument, NULL, OPT_Q},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {NULL, 0, NULL, 0},
};

struct ctx {
	const char *server_opt;                     /* --server, or NULL */
	bool json;                                  /* --json: print the server's JSON */
	struct client cl;                           /* set up by connect_to */
	bool login_hint;                            /* after a 401, suggest "poc login" */
	const char *option;                         /* the long option next_option last read */
	char no_token[CLIENT_SERVER_SIZE * 2 + 64]; /* why no token is sent; empty if one is */
};

/* The filters of directory and export. */
struct filter {
	const char *state;
	const char *kind;
	const char *lang;
	const char *q;
};

static const char usage_text[] =
    "usage: poc [--server URL] [--json] COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  login [USERNAME]          log in; the password is read from the terminal without\n"
    "                            echo, from standard input, or from $POC_PASSWORD\n"
    "  logout                    end the session and delete the saved token\n"
    "  whoami                    show the account logged in\n"
    "  states                    list the states and whether they take part\n"
    "  directory [STATE] [--kind diplomatic|technical] [--lang LL] [--q TEXT]\n"
    "                            list the points of contact\n"
    "  pocs show ID              print one PoC as JSON\n"
    "  pocs add STATE --file F   create a PoC from the JSON in F (- for standard input)\n"
    "  pocs edit ID [--file F] [--set FIELD=VALUE]...\n"
    "                            replace a PoC with F, or with itself, changing FIELDs:\n"
    "                            kind, rank, organisation, role_title, person_name, email,\n"
    "                            time_zone, pgp_fingerprint, review_by (empty VALUE drops\n"
    "                            person_name, pgp_fingerprint and review_by)\n"
    "  pocs rm ID                delete a PoC\n"
    "  export --format csv|vcard|json [--output FILE] [STATE] [--kind K] [--lang L] [--q T]\n"
    "                            write the directory to FILE (new files get mode 0600)\n"
    "  help                      show this help\n"
    "\n"
    "options:\n"
    "  --server URL   the pocd service; otherwise $POC_SERVER, then the one logged in to,\n"
    "                 then " DEFAULT_SERVER "\n"
    "  --json         print the server's JSON answers as they are\n"
    "\n"
    "The token is kept in $XDG_CONFIG_HOME/pocd/token.json (~/.config/pocd/token.json).\n"
    "Exit status: 0 done, 1 failed, 2 usage error.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a usage error and returns POC_USAGE. */
static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("poc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'poc --help'.\n", stderr);
	return POC_USAGE;
}

/* Writes s to f with control characters, which a server could use to drive the terminal,
 * shown as '?'. */
static void
put_clean(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			fputc('?', f);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fputc('?', f);
			p++;
		} else {
			fputc(*p, f);
		}
	}
}

/* The next option of argv: global ones (before the command) if global, else a command's.
 * Handles the options every command takes. Returns the option, -1 at the end of the options,
 * or 0 when the command must stop and return *rc: after --help, or after a usage error it
 * printed. */
static int
next_option(struct ctx *x, int argc, char **argv, bool global, int *rc)
{
	int ch, index;

	opterr = 0;
	for (;;) {
		index = -1;
		ch = getopt_long(argc, argv, global ? "+:h" : ":h", options, &index);
		x->option = index >= 0 ? options[index].name : "-h";
		switch (ch) {
		case OPT_JSON:
			x->json = true;
			break;
		case OPT_SERVER:
			x->server_opt = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			*rc = POC_OK;
			return 0;
		case ':':
			*rc = usage_error("option %s needs a value", argv[optind - 1]);
			return 0;
		case '?':
			if (optopt != 0)
				*rc = usage_error("unknown option -%c", optopt);
			else
				*rc = usage_error("unknown option %s", argv[optind - 1]);
			return 0;
		default:
			return ch;
		}
	}
}

/* Prints that the command argv[0] does not take the option just read; returns POC_USAGE. */
static int
refuse_option(const struct ctx *x, char **argv)
{
	return usage_error("%s does not take --%s", argv[0], x->option);
}

/* Parses the options of a command that takes only the common ones, and at most max_args
 * arguments. -1 to go on, or the exit code to return. */
static int
common_options(struct ctx *x, int argc, char **argv, int max_args)
{
	int ch, rc = POC_USAGE;

	if ((ch = next_option(x, argc, argv, false, &rc)) != -1)
		return ch == 0 ? rc : refuse_option(x, argv);
	if (argc - optind > max_args)
		return usage_error("%s takes %s", argv[0],
		                   max_args == 0 ? "no arguments" : "one argument at most");
	return -1;
}

/* True if the RFC 3339 UTC time s is past; false if it is not, or cannot be read. */
static bool
expired(const char *s)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	time_t t;

	if (end == NULL || *end != '\0')
		return false;
	t = timegm(&tm);
	return t != (time_t)-1 && t <= time(NULL);
}

/* Chooses the server (--server, then $POC_SERVER, then the one logged in to, then the
 * default) and, if with_token, the saved token when it was given by that server and has not
 * expired. Returns POC_OK, or an exit code after printing why not. */
static int
connect_to(struct ctx *x, bool with_token)
{
	struct client_login l;
	const char *server = x->server_opt, *env = getenv("POC_SERVER");
	enum client_err err = client_login_load(&l);
	char path[PATH_SIZE];
	bool have = err == CLIENT_OK;
	int rc = POC_OK;

	if (err == CLIENT_EFORMAT && client_login_path(path, sizeof(path)) == CLIENT_OK)
		fprintf(stderr, "poc: ignoring %s: it is not a token file; run: poc login\n", path);
	else if (err == CLIENT_ESYS)
		fprintf(stderr, "poc: ignoring the token file: %s\n", strerror(errno));
	if (server == NULL && env != NULL && env[0] != '\0')
		server = env;
	if (server == NULL)
		server = have ? l.server : DEFAULT_SERVER;
	err = client_init(&x->cl, server);
	if (err == CLIENT_EBADURL || err == CLIENT_ETOOLONG) {
		rc = usage_error("the server must be a URL such as %s, not %s", DEFAULT_SERVER,
		                 server);
		goto out;
	}
	if (err != CLIENT_OK) {
		fputs("poc: out of memory\n", stderr);
		rc = POC_FAIL;
		goto out;
	}
	x->login_hint = true;
	if (!with_token)
		goto out;
	if (!have)
		snprintf(x->no_token, sizeof(x->no_token), "you are not logged in");
	else if (strcmp(l.server, x->cl.server) != 0)
		snprintf(x->no_token, sizeof(x->no_token), "you are logged in to %s, not to %s",
		         l.server, x->cl.server);
	else if (expired(l.expires_at))
		snprintf(x->no_token, sizeof(x->no_token), "your session ended at %s",
		         l.expires_at);
	else
		strlcpy(x->cl.token, l.token, sizeof(x->cl.token));
out:
	sodium_memzero(&l, sizeof(l));
	return rc;
}

/* Prints the failure an error answer describes: its problem document's title, detail and
 * field errors, or its status when it has none; then what to do about a 401 or a 429. */
static void
report_problem(const struct ctx *x, const struct client_resp *r)
{
	json_t *doc = json_loadb(r->body, r->len, 0, NULL), *e;
	const char *title = json_string_value(json_object_get(doc, "title"));
	const char *detail = json_string_value(json_object_get(doc, "detail"));
	const char *field, *reason;
	size_t i;

	fputs("poc: ", stderr);
	if (title != NULL) {
		put_clean(stderr, title);
		if (detail != NULL && detail[0] != '\0') {
			fputs(": ", stderr);
			put_clean(stderr, detail);
		}
	} else {
		fprintf(stderr, "%s answered HTTP %ld", x->cl.server, r->status);
	}
	fputc('\n', stderr);
	json_array_foreach(json_object_get(doc, "errors"), i, e)
	{
		field = json_string_value(json_object_get(e, "field"));
		reason = json_string_value(json_object_get(e, "reason"));
		fputs("  ", stderr);
		if (field != NULL && field[0] != '\0') {
			put_clean(stderr, field);
			fputs(": ", stderr);
		}
		put_clean(stderr, reason != NULL ? reason : "is invalid");
		fputc('\n', stderr);
	}
	if (r->status == 401 && x->login_hint) {
		if (x->no_token[0] != '\0')
			fprintf(stderr, "poc: %s\n", x->no_token);
		fputs("poc: run: poc login\n", stderr);
	}
	if (r->status == 429 && r->retry_after >= 0)
		fprintf(stderr, "poc: retry in %ld seconds\n", r->retry_after);
	json_decref(doc);
}

/* Sends one request; true when an answer, whatever its status, is in resp (release it with
 * client_resp_free), false after printing why none came. */
static bool
request(struct ctx *x, const char *method, const char *path, const char *body, size_t len,
        const char *const *headers, struct client_resp *resp)
{
	switch (client_request(&x->cl, method, path, body, len, headers, resp)) {
	case CLIENT_OK:
		return true;
	case CLIENT_ECONNECT:
		fprintf(stderr, "poc: cannot reach %s: %s\n", x->cl.server, x->cl.error);
		break;
	case CLIENT_ETOOBIG:
		fprintf(stderr, "poc: the answer of %s exceeds %zu MiB\n", x->cl.server,
		        CLIENT_BODY_MAX >> 20);
		break;
	case CLIENT_ETOOLONG:
		fputs("poc: the request is too long for a URL\n", stderr);
		break;
	default:
		fputs("poc: out of memory\n", stderr);
		break;
	}
	return false;
}

/* Like request, but true only for a 2xx answer; other answers are reported and released. */
static bool
call(struct ctx *x, const char *method, const char *path, const char *body, size_t len,
     const char *const *headers, struct client_resp *resp)
{
	if (!request(x, method, path, body, len, headers, resp))
		return false;
	if (resp->status >= 200 && resp->status < 300)
		return true;
	report_problem(x, resp);
	client_resp_free(resp);
	return false;
}

/* The answer's body as a JSON object, owned by the caller; NULL after saying why not. */
static json_t *
answer_object(const struct ctx *x, const struct client_resp *r)
{
	json_error_t e;
	json_t *o = json_loadb(r->body, r->len, 0, &e);

	if (json_is_object(o))
		return o;
	fprintf(stderr, "poc: %s sent an answer that is not a JSON object", x->cl.server);
	if (o == NULL) {
		fputs(": ", stderr);
		put_clean(stderr, e.text);
	}
	fputc('\n', stderr);
	json_decref(o);
	return NULL;
}

/* GETs path; its answer as a JSON object owned by the caller, with its ETag copied into etag
 * unless etag is NULL. NULL after saying why not. */
static json_t *
get_object(struct ctx *x, const char *path, char *etag, size_t etaglen)
{
	struct client_resp r;
	json_t *o;

	if (!call(x, "GET", path, NULL, 0, NULL, &r))
		return NULL;
	o = answer_object(x, &r);
	if (o != NULL && etag != NULL)
		strlcpy(etag, r.etag, etaglen);
	client_resp_free(&r);
	return o;
}

static void
print_json(const json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

/* The string member name of o, or "-" when it is missing or not a string. */
static const char *
str(const json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s != NULL ? s : "-";
}

/* Appends "/" and the escaped segment to path; false after saying why not. */
static bool
path_add(struct ctx *x, char *path, size_t pathlen, const char *segment)
{
	char esc[ARG_SIZE];

	if (client_escape(&x->cl, segment, esc, sizeof(esc)) != CLIENT_OK ||
	    strlcat(path, "/", pathlen) >= pathlen || strlcat(path, esc, pathlen) >= pathlen) {
		fputs("poc: an argument is too long\n", stderr);
		return false;
	}
	return true;
}

/* Appends "?name=value" or "&name=value", escaped, to path unless value is NULL; false after
 * saying why not. */
static bool
query_add(struct ctx *x, char *path, size_t pathlen, const char *name, const char *value)
{
	char esc[ARG_SIZE];
	size_t n = strlen(path);
	int m;

	if (value == NULL)
		return true;
	if (client_escape(&x->cl, value, esc, sizeof(esc)) != CLIENT_OK)
		goto fail;
	m = snprintf(path + n, pathlen - n, "%c%s=%s", strchr(path, '?') ? '&' : '?', name, esc);
	if (m < 0 || (size_t)m >= pathlen - n)
		goto fail;
	return true;
fail:
	fprintf(stderr, "poc: the value of %s is too long\n", name);
	return false;
}

/* GETs path and, while an answer names a "next" cursor, the pages after it. Returns the
 * first page's document holding the items of every page, with "next" null; the caller owns
 * it (json_decref). NULL after saying why not. */
static json_t *
fetch_all(struct ctx *x, const char *path)
{
	char page[PATH_SIZE], cursor[ARG_SIZE] = "";
	json_t *doc = NULL, *o = NULL, *items, *next;
	bool ok = false;

	for (size_t n = 0;; n++) {
		if (n == PAGES_MAX) {
			fprintf(stderr, "poc: more than %d pages: giving up\n", PAGES_MAX);
			goto out;
		}
		if (strlcpy(page, path, sizeof(page)) >= sizeof(page) ||
		    (n > 0 && !query_add(x, page, sizeof(page), "cursor", cursor)))
			goto out;
		if ((o = get_object(x, page, NULL, 0)) == NULL)
			goto out;
		items = json_object_get(o, "items");
		next = json_object_get(o, "next");
		if (!json_is_array(items) ||
		    (next != NULL && !json_is_null(next) && !json_is_string(next))) {
			fprintf(stderr, "poc: %s sent a page without items\n", x->cl.server);
			goto out;
		}
		if (doc != NULL && json_array_extend(json_object_get(doc, "items"), items) != 0)
			goto out;
		if (!json_is_string(next))
			break;
		if (strcmp(cursor, json_string_value(next)) == 0 ||
		    strlcpy(cursor, json_string_value(next), sizeof(cursor)) >= sizeof(cursor)) {
			fprintf(stderr, "poc: %s sent an unusable cursor\n", x->cl.server);
			goto out;
		}
		if (doc == NULL) {
			doc = o;
			o = NULL;
		}
		json_decref(o);
		o = NULL;
	}
	if (doc == NULL) {
		doc = o;
		o = NULL;
	}
	ok = json_object_set_new(doc, "next", json_null()) == 0;
out:
	json_decref(o);
	if (!ok) {
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

/* Display width of s, counted in code points: right for the Latin, Cyrillic and Arabic
 * scripts; CJK names come out narrower than they are. */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Prints a table of nrows rows of ncols cells (row after row in cells) under head, columns
 * padded to their widest cell up to COLUMN_MAX (longer cells push the rest of their row),
 * two spaces apart.
 * Prints nothing unless ncols is 1 to COLUMNS_MAX. */
static void
print_table(size_t ncols, const char *const *head, const char *const *cells, size_t nrows)
{
	size_t w[COLUMNS_MAX] = {0}, pad;

	if (ncols == 0 || ncols > COLUMNS_MAX)
		return;
	for (size_t c = 0; c < ncols; c++)
		w[c] = width(head[c]);
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++)
			if (width(cells[r * ncols + c]) > w[c])
				w[c] = width(cells[r * ncols + c]);
	for (size_t r = 0; r <= nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *s = r == 0 ? head[c] : cells[(r - 1) * ncols + c];
			put_clean(stdout, s);
			if (c + 1 == ncols)
				break;
			pad = w[c] < COLUMN_MAX ? w[c] : COLUMN_MAX;
			pad = width(s) < pad ? pad - width(s) + 2 : 2;
			while (pad-- > 0)
				fputc(' ', stdout);
		}
		fputc('\n', stdout);
	}
}

static int
cmd_help(struct ctx *x, int argc, char **argv)
{
	(void)x;
	(void)argc;
	(void)argv;
	fputs(usage_text, stdout);
	return POC_OK;
}

/* Reads a line of the terminal, or of standard input, into out without its line end, a byte
 * at a time so that nothing after it is consumed. The length, -1 on a read failure or at the
 * end of input, -2 when the line does not fit out (which is then wiped). */
static ssize_t
read_line(char *out, size_t outlen)
{
	size_t n = 0;
	ssize_t got;
	char ch;

	for (;;) {
		got = read(STDIN_FILENO, &ch, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || (got == 0 && n == 0))
			return -1;
		if (got == 0 || ch == '\n')
			break;
		if (n + 1 >= outlen) {
			sodium_memzero(out, outlen);
			return -2;
		}
		out[n++] = ch;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return (ssize_t)n;
}

static struct termios saved_tio;
static volatile sig_atomic_t tio_changed;

/* Puts echo back on before a signal ends poc in the middle of a password. */
static void
restore_tty(int sig)
{
	if (tio_changed)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Prompts on standard error and reads a line from the terminal on standard input with echo
 * off; as read_line. The terminal is restored even if a signal ends poc meanwhile. */
static ssize_t
read_hidden(const char *prompt, char *out, size_t outlen)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa, old[4];
	struct termios t;
	ssize_t n;

	fputs(prompt, stderr);
	if (tcgetattr(STDIN_FILENO, &saved_tio) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_tty;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	t.c_lflag |= ECHONL;
	tio_changed = 1;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) != 0)
		n = -1;
	else
		n = read_line(out, outlen);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	tio_changed = 0;
	for (size_t i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	return n;
}

/* Fills user and pw from the command line, $POC_PASSWORD, the terminal or standard input;
 * false after saying why not. */
static bool
credentials(const char *arg, char *user, size_t userlen, char *pw, size_t pwlen)
{
	const char *env = getenv("POC_PASSWORD");
	bool tty = isatty(STDIN_FILENO);
	ssize_t n;

	if (arg != NULL) {
		n = strlcpy(user, arg, userlen) < userlen ? (ssize_t)strlen(user) : -2;
	} else {
		if (tty)
			fputs("Username: ", stderr);
		n = read_line(user, userlen);
	}
	if (n <= 0) {
		fputs(n == -2 ? "poc: the username is too long\n" : "poc: no username given\n",
		      stderr);
		return false;
	}
	if (env != NULL)
		n = strlcpy(pw, env, pwlen) < pwlen ? (ssize_t)strlen(pw) : -2;
	else if (tty)
		n = read_hidden("Password: ", pw, pwlen);
	else
		n = read_line(pw, pwlen);
	if (n <= 0) {
		fputs(n == -2 ? "poc: the password is too long\n" : "poc: no password given\n",
		      stderr);
		return false;
	}
	return true;
}

/* Saves the login answer doc for x's server; false after saying why not. */
static bool
save_login(const struct ctx *x, const json_t *doc, const char *user)
{
	struct client_login l;
	const char *token = json_string_value(json_object_get(doc, "token"));
	const char *name =
	    json_string_value(json_object_get(json_object_get(doc, "account"), "username"));
	char path[PATH_SIZE] = "the token file";
	bool ok = false;

	memset(&l, 0, sizeof(l));
	if (token == NULL || token[0] == '\0' ||
	    strlcpy(l.token, token, sizeof(l.token)) >= sizeof(l.token)) {
		fprintf(stderr, "poc: %s sent no usable token\n", x->cl.server);
		goto out;
	}
	strlcpy(l.server, x->cl.server, sizeof(l.server));
	if (json_is_string(json_object_get(doc, "expires_at")))
		strlcpy(l.expires_at, str(doc, "expires_at"), sizeof(l.expires_at));
	strlcpy(l.username, name != NULL ? name : user, sizeof(l.username));
	switch (client_login_save(&l)) {
	case CLIENT_OK:
		ok = true;
		break;
	case CLIENT_ESYS:
		client_login_path(path, sizeof(path));
		fprintf(stderr, "poc: cannot save %s: %s\n", path, strerror(errno));
		break;
	case CLIENT_ETOOLONG:
		fputs("poc: the token file's name is too long\n", stderr);
		break;
	default:
		fputs("poc: out of memory\n", stderr);
		break;
	}
out:
	sodium_memzero(&l, sizeof(l));
	return ok;
}

static int
cmd_login(struct ctx *x, int argc, char **argv)
{
	char user[LINE_SIZE], pw[LINE_SIZE], *text = NULL;
	struct client_resp r = {0};
	json_t *body = NULL, *doc = NULL, *account;
	int rc = common_options(x, argc, argv, 1);

	if (rc >= 0)
		return rc;
	if ((rc = connect_to(x, false)) != POC_OK)
		return rc;
	rc = POC_FAIL;
	x->login_hint = false;
	if (!credentials(optind < argc ? argv[optind] : NULL, user, sizeof(user), pw, sizeof(pw)))
		goto out;
	body = json_pack("{s:s,s:s}", "username", user, "password", pw);
	if (body == NULL) {
		fputs("poc: the username and the password must be UTF-8 text\n", stderr);
		goto out;
	}
	text = json_dumps(body, JSON_COMPACT);
	if (text == NULL || !call(x, "POST", "/api/v1/login", text, strlen(text), NULL, &r))
		goto out;
	doc = answer_object(x, &r);
	if (doc == NULL || !save_login(x, doc, user))
		goto out;
	rc = POC_OK;
	account = json_object_get(doc, "account");
	if (x->json) {
		json_object_del(doc, "token");
		json_object_del(doc, "csrf_token");
		print_json(doc);
		goto out;
	}
	printf("Logged in to %s as ", x->cl.server);
	put_clean(stdout, str(account, "username"));
	fputs(" (", stdout);
	put_clean(stdout, str(account, "role"));
	if (json_is_string(json_object_get(account, "state"))) {
		fputs(" of ", stdout);
		put_clean(stdout, str(account, "state"));
	}
	fputs(") until ", stdout);
	put_clean(stdout, str(doc, "expires_at"));
	fputc('\n', stdout);
out:
	sodium_memzero(pw, sizeof(pw));
	if (text != NULL)
		sodium_memzero(text, strlen(text));
	free(text);
	if (r.body != NULL)
		sodium_memzero(r.body, r.len);
	client_resp_free(&r);
	json_decref(body);
	json_decref(doc);
	return rc;
}

static int
cmd_logout(struct ctx *x, int argc, char **argv)
{
	struct client_login l;
	struct client_resp r = {0};
	enum client_err err;
	bool ended = false;
	int rc = common_options(x, argc, argv, 0);

	if (rc >= 0)
		return rc;
	rc = POC_OK;
	err = client_login_load(&l);
	if (err == CLIENT_ENOENT) {
		fputs("poc: you were not logged in\n", stderr);
		return POC_OK;
	}
	/* The session lives on the server that gave the token, whatever --server says. */
	if (err == CLIENT_OK && client_init(&x->cl, l.server) == CLIENT_OK) {
		strlcpy(x->cl.token, l.token, sizeof(x->cl.token));
		if (request(x, "POST", "/api/v1/logout", NULL, 0, NULL, &r)) {
			ended = r.status == 204 || r.status == 401;
			if (!ended)
				report_problem(x, &r);
			client_resp_free(&r);
		}
	}
	/* A malformed token file holds no session to end. */
	ended |= err == CLIENT_EFORMAT;
	err = client_login_remove();
	if (err != CLIENT_OK && err != CLIENT_ENOENT) {
		fprintf(stderr, "poc: cannot delete the token file: %s\n",
		        err == CLIENT_ESYS ? strerror(errno) : "its name is too long");
		rc = POC_FAIL;
	} else if (!ended) {
		fprintf(stderr,
		        "poc: the token is deleted here, but the session may last on the "
		        "server until %s\n",
		        l.expires_at[0] != '\0' ? l.expires_at : "it expires");
		rc = POC_FAIL;
	}
	sodium_memzero(&l, sizeof(l));
	return rc;
}

/* For commands that take the common options and no arguments: parses them, connects and
 * GETs path, following its pages when paged. NULL with *rc set when the command must stop. */
static json_t *
simple_get(struct ctx *x, int argc, char **argv, const char *path, bool paged, int *rc)
{
	json_t *doc;

	if ((*rc = common_options(x, argc, argv, 0)) >= 0)
		return NULL;
	if ((*rc = connect_to(x, true)) != POC_OK)
		return NULL;
	doc = paged ? fetch_all(x, path) : get_object(x, path, NULL, 0);
	*rc = doc != NULL ? POC_OK : POC_FAIL;
	return doc;
}

typedef void (*row_fn)(const json_t *item, const char **row);

/* Prints doc as it is with --json, else its items as a table under the ncols columns of
 * head, each row filled by fill. POC_OK, or POC_FAIL when out of memory. */
static int
print_items(const struct ctx *x, const json_t *doc, size_t ncols, const char *const *head,
            row_fn fill)
{
	const json_t *items = json_object_get(doc, "items"), *item;
	const char **cells;
	size_t i;

	if (x->json) {
		print_json(doc);
		return POC_OK;
	}
	cells = calloc(json_array_size(items) * ncols + 1, sizeof(*cells));
	if (cells == NULL) {
		fputs("poc: out of memory\n", stderr);
		return POC_FAIL;
	}
	json_array_foreach(items, i, item)
	{
		fill(item, cells + i * ncols);
	}
	print_table(ncols, head, cells, json_array_size(items));
	free(cells);
	return POC_OK;
}

static int
cmd_whoami(struct ctx *x, int argc, char **argv)
{
	static const char *const keys[] = {"username", "role", "state", "id"};
	int rc = POC_FAIL;
	json_t *doc = simple_get(x, argc, argv, "/api/v1/me", false, &rc);

	if (doc == NULL)
		return rc;
	if (x->json) {
		print_json(doc);
		json_decref(doc);
		return POC_OK;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		printf("%-15s", keys[i]);
		put_clean(stdout, str(doc, keys[i]));
		fputc('\n', stdout);
	}
	printf("%-15s%s\n", "participating",
	       json_is_true(json_object_get(doc, "participating")) ? "yes" : "no");
	printf("%-15s%s\n", "server", x->cl.server);
	json_decref(doc);
	return POC_OK;
}

static void
state_row(const json_t *st, const char **row)
{
	row[0] = str(st, "code");
	row[1] = json_is_true(json_object_get(st, "participating")) ? "yes" : "no";
	row[2] = str(json_object_get(st, "names"), "en");
}

static int
cmd_states(struct ctx *x, int argc, char **argv)
{
	static const char *const head[] = {"CODE", "PART", "NAME"};
	int rc = POC_FAIL;
	json_t *doc = simple_get(x, argc, argv, "/api/v1/states", true, &rc);

	if (doc == NULL)
		return rc;
	rc = print_items(x, doc, 3, head, state_row);
	json_decref(doc);
	return rc;
}

/* What directory and export list, and how export writes it. */
struct listing {
	struct filter f;
	char state[4];      /* f.state points here when a state is given */
	const char *format; /* export: csv, vcard or json */
	const char *output; /* export: a file name, or NULL for standard output */
};

/* Upper-cases the alpha-3 code s into out; false if s is not three letters. */
static bool
state_code(const char *s, char out[4])
{
	for (size_t i = 0; i < 3; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return false;
		out[i] = c;
	}
	out[3] = '\0';
	return s[3] == '\0';
}

/* Parses the options and the optional STATE of directory, or of export when export is set.
 * -1 to go on, or the exit code to return. */
static int
parse_listing(struct ctx *x, int argc, char **argv, bool export, struct listing *l)
{
	int ch, rc = POC_USAGE;

	while ((ch = next_option(x, argc, argv, false, &rc)) != -1) {
		switch (ch) {
		case 0:
			return rc;
		case OPT_KIND:
			l->f.kind = optarg;
			break;
		case OPT_LANG:
			l->f.lang = optarg;
			break;
		case OPT_Q:
			l->f.q = optarg;
			break;
		case OPT_FORMAT:
			if (!export)
				return refuse_option(x, argv);
			l->format = optarg;
			break;
		case OPT_OUTPUT:
			if (!export)
				return refuse_option(x, argv);
			l->output = optarg;
			break;
		default:
			return refuse_option(x, argv);
		}
	}
	if (argc - optind > 1)
		return usage_error("%s takes one state at most", argv[0]);
	if (optind < argc) {
		if (!state_code(argv[optind], l->state))
			return usage_error(
			    "a state is an ISO 3166-1 alpha-3 code such as FRA, not %s",
			    argv[optind]);
		l->f.state = l->state;
	}
	if (export && l->format == NULL)
		return usage_error("export needs --format csv, vcard or json");
	if (export && strcmp(l->format, "csv") != 0 && strcmp(l->format, "vcard") != 0 &&
	    strcmp(l->format, "json") != 0)
		return usage_error("the format is csv, vcard or json, not %s", l->format);
	return -1;
}

/* The path that lists l: the state's own list for a state without filters or format (it
 * includes the accounts of one's own entries), the directory with a query otherwise. False
 * after saying why not. */
static bool
listing_path(struct ctx *x, const struct listing *l, char *path, size_t len)
{
	const struct filter *f = &l->f;

	if (f->state != NULL && f->kind == NULL && f->lang == NULL && f->q == NULL &&
	    l->format == NULL)
		return (size_t)snprintf(path, len, "/api/v1/states/%s/pocs", l->state) < len;
	strlcpy(path, "/api/v1/directory", len);
	return query_add(x, path, len, "format", l->format) &&
	       query_add(x, path, len, "state", f->state) &&
	       query_add(x, path, len, "kind", f->kind) &&
	       query_add(x, path, len, "lang", f->lang) && query_add(x, path, len, "q", f->q);
}

static void
poc_row(const json_t *p, const char **row)
{
	const char *phone = json_string_value(json_array_get(json_object_get(p, "phones"), 0));

	row[0] = str(p, "state");
	row[1] = str(p, "kind");
	row[2] = str(p, "rank");
	row[3] = str(p, "email");
	row[4] = phone != NULL ? phone : "-";
	row[5] = str(p, "organisation");
	row[6] = str(p, "id");
}

static int
cmd_directory(struct ctx *x, int argc, char **argv)
{
	static const char *const head[] = {"STATE", "KIND",         "RANK", "EMAIL",
	                                   "PHONE", "ORGANISATION", "ID"};
	struct listing l = {0};
	char path[PATH_SIZE];
	json_t *doc;
	int rc = parse_listing(x, argc, argv, false, &l);

	if (rc >= 0)
		return rc;
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	if (!listing_path(x, &l, path, sizeof(path)) || (doc = fetch_all(x, path)) == NULL)
		return POC_FAIL;
	rc = print_items(x, doc, 7, head, poc_row);
	json_decref(doc);
	return rc;
}

/* Writes all of data to fd; false (errno) on failure. */
static bool
write_all(int fd, const char *data, size_t len)
{
	ssize_t put;

	while (len > 0) {
		put = write(fd, data, len);
		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			return false;
		data += put;
		len -= (size_t)put;
	}
	return true;
}

/* Writes len bytes of data, then tail, to file (NULL or "-": standard output). A new file
 * gets mode 0600: the directory is for the participating states only. False after saying
 * why not. */
static bool
write_output(const char *file, const char *data, size_t len, const char *tail)
{
	bool to_stdout = file == NULL || strcmp(file, "-") == 0;
	int fd = STDOUT_FILENO;
	bool ok;

	fflush(stdout);
	if (!to_stdout && (fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "poc: cannot create %s: %s\n", file, strerror(errno));
		return false;
	}
	ok = write_all(fd, data, len) && write_all(fd, tail, strlen(tail));
	if (!to_stdout && close(fd) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "poc: cannot write %s: %s\n", to_stdout ? "the output" : file,
		        strerror(errno));
	return ok;
}

static int
cmd_export(struct ctx *x, int argc, char **argv)
{
	struct listing l = {0};
	struct client_resp r = {0};
	char path[PATH_SIZE], *text = NULL;
	json_t *doc = NULL;
	int rc = parse_listing(x, argc, argv, true, &l);

	if (rc >= 0)
		return rc;
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	rc = POC_FAIL;
	if (!listing_path(x, &l, path, sizeof(path)))
		goto out;
	/* JSON comes in pages; CSV and vCard whole. */
	if (strcmp(l.format, "json") == 0) {
		doc = fetch_all(x, path);
		text = doc != NULL ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		if (text != NULL && write_output(l.output, text, strlen(text), "\n"))
			rc = POC_OK;
		else if (doc != NULL && text == NULL)
			fputs("poc: out of memory\n", stderr);
	} else if (call(x, "GET", path, NULL, 0, NULL, &r)) {
		if (write_output(l.output, r.body, r.len, ""))
			rc = POC_OK;
	}
out:
	client_resp_free(&r);
	free(text);
	json_decref(doc);
	return rc;
}

/* Reads the JSON object in file ("-": standard input), of INPUT_MAX bytes at most; the
 * caller owns it. NULL after saying why not. */
static json_t *
read_input(const char *file)
{
	bool is_stdin = strcmp(file, "-") == 0;
	const char *name = is_stdin ? "standard input" : file;
	FILE *f = is_stdin ? stdin : fopen(file, "re");
	json_t *o = NULL;
	json_error_t e;
	char *text;
	size_t len;

	if (f == NULL) {
		fprintf(stderr, "poc: cannot open %s: %s\n", file, strerror(errno));
		return NULL;
	}
	text = malloc(INPUT_MAX + 1);
	if (text == NULL) {
		fputs("poc: out of memory\n", stderr);
		goto out;
	}
	len = fread(text, 1, INPUT_MAX + 1, f);
	if (ferror(f))
		fprintf(stderr, "poc: cannot read %s: %s\n", name, strerror(errno));
	else if (len > INPUT_MAX)
		fprintf(stderr, "poc: %s is larger than %zu KiB\n", name, INPUT_MAX >> 10);
	else if ((o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e)) == NULL)
		fprintf(stderr, "poc: %s:%d:%d: %s\n", name, e.line, e.column, e.text);
	else if (!json_is_object(o))
		fprintf(stderr, "poc: %s does not hold a JSON object\n", name);
	if (!json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
out:
	free(text);
	if (!is_stdin)
		fclose(f);
	return o;
}

/* The path of PoC id; false after saying why not. */
static bool
poc_path(struct ctx *x, const char *id, char *path, size_t len)
{
	strlcpy(path, "/api/v1/pocs", len);
	return path_add(x, path, len, id);
}

/* "If-Match: etag" into line; false after saying why not. */
static bool
if_match(const struct ctx *x, const char *etag, char *line, size_t len)
{
	int n = snprintf(line, len, "If-Match: %s", etag);

	for (const char *p = etag; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			n = -1;
	if (etag[0] == '\0' || n < 0 || (size_t)n >= len) {
		fprintf(stderr, "poc: %s sent no usable ETag for the PoC\n", x->cl.server);
		return false;
	}
	return true;
}

/* Parses the options of a pocs subcommand into *file and sets (NULL when not taken), and its
 * one argument into *arg. -1 to go on, or the exit code to return. */
static int
parse_pocs(struct ctx *x, int argc, char **argv, const char **file, const char **sets,
           size_t *nsets, const char **arg)
{
	static const char *const settable[] = {
	    "kind",  "rank",      "organisation",    "role_title", "person_name",
	    "email", "time_zone", "pgp_fingerprint", "review_by"};
	const char *eq;
	bool known;
	int ch, rc = POC_USAGE;

	while ((ch = next_option(x, argc, argv, false, &rc)) != -1) {
		if (ch == 0)
			return rc;
		if (ch == OPT_FILE && file != NULL) {
			*file = optarg;
			continue;
		}
		if (ch != OPT_SET || sets == NULL)
			return refuse_option(x, argv);
		eq = strchr(optarg, '=');
		known = false;
		for (size_t i = 0; eq != NULL && i < sizeof(settable) / sizeof(settable[0]); i++)
			known |= strlen(settable[i]) == (size_t)(eq - optarg) &&
			         strncmp(settable[i], optarg, (size_t)(eq - optarg)) == 0;
		if (!known)
			return usage_error("--set takes FIELD=VALUE with a FIELD of text, not %s",
			                   optarg);
		if (*nsets == SETS_MAX)
			return usage_error("more than %d --set options", SETS_MAX);
		sets[(*nsets)++] = optarg;
	}
	if (argc - optind != 1)
		return usage_error("pocs %s takes one %s", argv[0],
		                   strcmp(argv[0], "add") == 0 ? "state" : "PoC id");
	*arg = argv[optind];
	return -1;
}

static int
pocs_show(struct ctx *x, int argc, char **argv)
{
	char path[PATH_SIZE];
	const char *id;
	json_t *doc;
	int rc = parse_pocs(x, argc, argv, NULL, NULL, NULL, &id);

	if (rc >= 0)
		return rc;
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	if (!poc_path(x, id, path, sizeof(path)) || (doc = get_object(x, path, NULL, 0)) == NULL)
		return POC_FAIL;
	print_json(doc);
	json_decref(doc);
	return POC_OK;
}

/* Sends body (a PoC) with method to path, with header unless NULL, and prints the answer:
 * whole with --json, else its id, and its revision if with_revision. POC_OK or POC_FAIL. */
static int
send_poc(struct ctx *x, const char *method, const char *path, const json_t *body,
         const char *header, bool with_revision)
{
	const char *headers[] = {header, NULL};
	struct client_resp r;
	char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_t *doc = NULL;
	int rc = POC_FAIL;

	if (text == NULL) {
		fputs("poc: out of memory\n", stderr);
		return POC_FAIL;
	}
	if (!call(x, method, path, text, strlen(text), headers, &r))
		goto out;
	doc = answer_object(x, &r);
	client_resp_free(&r);
	if (doc == NULL)
		goto out;
	if (x->json) {
		print_json(doc);
	} else {
		put_clean(stdout, str(doc, "id"));
		if (with_revision)
			printf(" revision %" JSON_INTEGER_FORMAT,
			       json_integer_value(json_object_get(doc, "revision")));
		fputc('\n', stdout);
	}
	rc = POC_OK;
out:
	free(text);
	json_decref(doc);
	return rc;
}

static int
pocs_add(struct ctx *x, int argc, char **argv)
{
	char path[PATH_SIZE], state[4];
	const char *file = NULL, *arg;
	json_t *body;
	int rc = parse_pocs(x, argc, argv, &file, NULL, NULL, &arg);

	if (rc >= 0)
		return rc;
	if (file == NULL)
		return usage_error("pocs add needs --file F.json (- for standard input)");
	if (!state_code(arg, state))
		return usage_error("a state is an ISO 3166-1 alpha-3 code such as FRA, not %s",
		                   arg);
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	if ((body = read_input(file)) == NULL)
		return POC_FAIL;
	snprintf(path, sizeof(path), "/api/v1/states/%s/pocs", state);
	rc = send_poc(x, "POST", path, body, NULL, false);
	json_decref(body);
	return rc;
}

/* Refuses a file that holds another PoC, or an older revision than the current one cur: the
 * edit would undo the changes made since. */
static bool
file_current(const json_t *file, const char *fname, const json_t *cur, const char *id)
{
	const json_t *fid = json_object_get(file, "id"), *frev = json_object_get(file, "revision");
	json_int_t rev = json_integer_value(json_object_get(cur, "revision"));

	if (json_is_string(fid) && strcmp(json_string_value(fid), id) != 0) {
		fprintf(stderr, "poc: %s holds another PoC than %s\n", fname, id);
		return false;
	}
	if (json_is_integer(frev) && json_integer_value(frev) != rev) {
		fprintf(stderr,
		        "poc: %s holds revision %" JSON_INTEGER_FORMAT
		        ", but the PoC is at revision %" JSON_INTEGER_FORMAT
		        " now: read it again, then retry\n",
		        fname, json_integer_value(frev), rev);
		return false;
	}
	return true;
}

/* Turns o into the body of a PUT: drops the fields the server keeps, then applies each
 * "FIELD=VALUE" of sets (an empty VALUE drops an optional field). False after saying why
 * not. */
static bool
edit_body(json_t *o, const char *const *sets, size_t nsets)
{
	static const char *const server_fields[] = {"id", "state", "revision", "created_at",
	                                            "updated_at"};
	static const char *const optional[] = {"person_name", "pgp_fingerprint", "review_by"};
	char name[32];
	const char *value;
	bool drop;
	size_t n;

	for (size_t i = 0; i < sizeof(server_fields) / sizeof(server_fields[0]); i++)
		json_object_del(o, server_fields[i]);
	for (size_t i = 0; i < nsets; i++) {
		value = strchr(sets[i], '=') + 1;
		n = (size_t)(value - 1 - sets[i]);
		if (n >= sizeof(name)) {
			fputs("poc: a --set field name is too long\n", stderr);
			return false;
		}
		memcpy(name, sets[i], n);
		name[n] = '\0';
		drop = false;
		for (size_t k = 0; value[0] == '\0' && k < 3; k++)
			drop |= strcmp(name, optional[k]) == 0;
		if (drop) {
			json_object_del(o, name);
		} else if (json_object_set_new(o, name, json_string(value)) != 0) {
			fprintf(stderr, "poc: the value of %s is not UTF-8 text\n", name);
			return false;
		}
	}
	return true;
}

static int
pocs_edit(struct ctx *x, int argc, char **argv)
{
	const char *sets[SETS_MAX], *file = NULL, *id;
	char path[PATH_SIZE], etag[128], header[160];
	json_t *cur = NULL, *body = NULL;
	size_t nsets = 0;
	int rc = parse_pocs(x, argc, argv, &file, sets, &nsets, &id);

	if (rc >= 0)
		return rc;
	if (file == NULL && nsets == 0)
		return usage_error("pocs edit needs --file F.json or --set FIELD=VALUE");
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	rc = POC_FAIL;
	if (file != NULL && (body = read_input(file)) == NULL)
		goto out;
	if (!poc_path(x, id, path, sizeof(path)) ||
	    (cur = get_object(x, path, etag, sizeof(etag))) == NULL ||
	    !if_match(x, etag, header, sizeof(header)))
		goto out;
	if (body != NULL &&
	    !file_current(body, strcmp(file, "-") == 0 ? "standard input" : file, cur, id))
		goto out;
	if (body == NULL)
		body = json_incref(cur);
	if (edit_body(body, sets, nsets))
		rc = send_poc(x, "PUT", path, body, header, true);
out:
	json_decref(body);
	json_decref(cur);
	return rc;
}

static int
pocs_rm(struct ctx *x, int argc, char **argv)
{
	char path[PATH_SIZE], etag[128], header[160];
	const char *headers[] = {header, NULL}, *id;
	struct client_resp r;
	json_t *cur;
	int rc = parse_pocs(x, argc, argv, NULL, NULL, NULL, &id);

	if (rc >= 0)
		return rc;
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	if (!poc_path(x, id, path, sizeof(path)) ||
	    (cur = get_object(x, path, etag, sizeof(etag))) == NULL)
		return POC_FAIL;
	json_decref(cur);
	if (!if_match(x, etag, header, sizeof(header)) ||
	    !call(x, "DELETE", path, NULL, 0, headers, &r))
		return POC_FAIL;
	client_resp_free(&r);
	if (!x->json) {
		fputs("deleted ", stdout);
		put_clean(stdout, id);
		fputc('\n', stdout);
	}
	return POC_OK;
}

struct command {
	const char *name;
	int (*fn)(struct ctx *x, int argc, char **argv);
};

static int
cmd_pocs(struct ctx *x, int argc, char **argv)
{
	static const struct command subs[] = {
	    {"show", pocs_show}, {"add", pocs_add}, {"edit", pocs_edit}, {"rm", pocs_rm}};

	if (argc < 2)
		return usage_error("pocs needs show, add, edit or rm");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(x, argc, argv);
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].fn(x, argc - 1, argv + 1);
	return usage_error("pocs takes show, add, edit or rm, not %s", argv[1]);
}

static const struct command commands[] = {
    {"login", cmd_login},   {"logout", cmd_logout},       {"whoami", cmd_whoami},
    {"states", cmd_states}, {"directory", cmd_directory}, {"pocs", cmd_pocs},
    {"export", cmd_export}, {"help", cmd_help},
};

int
main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct ctx x;
	int ch, rc = POC_USAGE;

	memset(&x, 0, sizeof(x));
	if (!client_global_init()) {
		fputs("poc: cannot start libcurl or libsodium\n", stderr);
		return POC_FAIL;
	}
	while ((ch = next_option(&x, argc, argv, true, &rc)) != -1) {
		if (ch == 0)
			goto out;
		rc = usage_error("--%s goes after the command", x.option);
		goto out;
	}
	if (optind >= argc) {
		rc = usage_error("no command given");
		goto out;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		rc = usage_error("unknown command %s", argv[optind]);
		goto out;
	}
	argc -= optind;
	argv += optind;
	/* Zero makes getopt start over, on the command's own arguments. */
	optind = 0;
	rc = cmd->fn(&x, argc, argv);
out:
	client_free(&x.cl);
	client_global_cleanup();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "poc: cannot write the output: %s\n", strerror(errno));
		if (rc == POC_OK)
			rc = POC_FAIL;
	}
	return rc;
}
