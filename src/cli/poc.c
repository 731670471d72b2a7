/* poc, the command-line client of pocd: argument parsing, dispatch, what the commands share
 * (cli/commands.h), and the account and directory commands. The pocs subcommands are in
 * cli/pocs.c, the communication commands in cli/comms.c and cli/template.c, the HTTP and the
 * token file in cli/client.c, the terminal in cli/term.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "cli/term.h"

#define DEFAULT_SERVER "http://127.0.0.1:8080"
#define LINE_SIZE      1024  /* a username or password typed in, with its NUL */
#define ARG_SIZE       512   /* one escaped path segment or query value */
#define PAGES_MAX      10000 /* pages followed through "next" cursors */

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
    {"status", required_argument, NULL, OPT_STATUS},
    {"text", required_argument, NULL, OPT_TEXT},
    {"state", required_argument, NULL, OPT_STATE},
    {"codes", no_argument, NULL, OPT_CODES},
    {"scope", required_argument, NULL, OPT_SCOPE},
    {"kinds", required_argument, NULL, OPT_KINDS},
    {"window-hours", required_argument, NULL, OPT_WINDOW_HOURS},
    {"reminders", required_argument, NULL, OPT_REMINDERS},
    {"no-challenge", no_argument, NULL, OPT_NO_CHALLENGE},
    {"all", no_argument, NULL, OPT_ALL},
    {"key", required_argument, NULL, OPT_KEY},
    {"witness", required_argument, NULL, OPT_WITNESS},
    {"min", required_argument, NULL, OPT_MIN},
    {"content", required_argument, NULL, OPT_CONTENT},
    {"name", required_argument, NULL, OPT_NAME},
    {"log-key", required_argument, NULL, OPT_LOG_KEY},
    {"state-file", required_argument, NULL, OPT_STATE_FILE},
    {"attach", required_argument, NULL, OPT_ATTACH},
    {"attachment", required_argument, NULL, OPT_ATTACHMENT},
    {NULL, 0, NULL, 0},
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
    "  pocs confirm ID           confirm that a PoC is still right: renews its review-by\n"
    "                            date and closes its correction tasks\n"
    "  export --format csv|vcard|json [--output FILE] [STATE] [--kind K] [--lang L] [--q T]\n"
    "                            write the directory to FILE (new files get mode 0600)\n"
    "  send FILE [--attach PATH]...\n"
    "                            send the communication in FILE (- for standard input),\n"
    "                            uploading each PATH as an attachment first; prints its\n"
    "                            id and each recipient's deadlines\n"
    "  inbox [--status S]        list the communications to your state\n"
    "  outbox [--status S]       list those your state sent; S is sent, acknowledged,\n"
    "                            answered, closed or overdue\n"
    "  show ID                   show a communication: recipients, content, history, thread\n"
    "  ack ID                    acknowledge a communication to your state\n"
    "  reply ID --text TEXT --lang LL [--state STATE] [--file F] [--attach PATH]...\n"
    "                            reply; F holds indicators ([{\"type\": ..., \"value\": ...}])\n"
    "                            or the whole reply, which the options override; the sender\n"
    "                            picks one recipient's thread with --state, else writes to\n"
    "                            every open one\n"
    "  close ID                  close, for every recipient, a communication your state sent\n"
    "  template [--lang LL] [--codes]\n"
    "                            print a fillable communication on standard output and the\n"
    "                            codes of its fields, labelled in LL (ar, zh, en, fr, ru, es;\n"
    "                            default en), on standard error; --codes prints only the\n"
    "                            codes, on standard output\n"
    "  campaign start [--scope all|FRA,KEN] [--kinds technical,diplomatic]\n"
    "                 [--window-hours N] [--reminders 24,4] [--no-challenge]\n"
    "                            start a ping test (Secretariat); --reminders '' sends none\n"
    "  campaign list             list the ping campaigns\n"
    "  campaign show ID          show a campaign and its counts\n"
    "  campaign results ID [--format json|csv] [--output FILE]\n"
    "                            each ping's outcome: a table, or JSON or CSV into FILE\n"
    "  pings [--status S]        list the pings you may answer; S is open, answered, late\n"
    "                            or unanswered\n"
    "  ping answer ID [CODE]     answer a ping with the code it shows\n"
    "  ping link TOKEN [CODE]    answer through a ping's single-use link, without logging\n"
    "                            in; TOKEN is the link (.../ping#TOKEN) or what follows '#'\n"
    "  tasks [--all]             your state's correction tasks and entries due for review;\n"
    "                            --all includes closed tasks\n"
    "  report pings [--state STATE]\n"
    "                            the ping results of each campaign for a state (your own,\n"
    "                            or any or all for the Secretariat)\n"
    "  attachment get ID [--output FILE]\n"
    "                            download an attachment, checking its SHA-256\n"
    "  receipt EVENT_ID [--output FILE]\n"
    "                            fetch your state's receipt of a logged event\n"
    "  verify RECEIPT --key LOG_KEY [--witness KEY]... [--min N] [--content FILE]\n"
    "         [--attachment FILE]...\n"
    "                            check a receipt offline: the log's signature, N witness\n"
    "                            cosignatures (default: every --witness), the inclusion\n"
    "                            proof, the commitment to the content in FILE, and that\n"
    "                            the content lists each attachment FILE's SHA-256; keys are\n"
    "                            vkeys (NAME+ID+BASE64) or files holding one\n"
    "  witness keygen --name NAME --key FILE\n"
    "                            make a witness key in FILE (mode 0600); prints its vkey\n"
    "                            for POST /api/v1/log/witnesses\n"
    "  witness --key FILE --log-key LOG_KEY --state-file FILE\n"
    "                            check the log's newest checkpoint against the last one\n"
    "                            cosigned (kept in the state file) and cosign it\n"
    "  help                      show this help\n"
    "\n"
    "options:\n"
    "  --server URL   the pocd service; otherwise $POC_SERVER, then the one logged in to,\n"
    "                 then " DEFAULT_SERVER "\n"
    "  --json         print the server's JSON answers as they are\n"
    "\n"
    "The token is kept in $XDG_CONFIG_HOME/pocd/token.json (~/.config/pocd/token.json).\n"
    "A machine sends an API key instead: $POC_API_KEY (pocd_...), within its scopes.\n"
    "Exit status: 0 done, 1 failed, 2 usage error.\n";

int
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

int
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

int
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

int
connect_to(struct ctx *x, bool with_token)
{
	struct client_login l;
	const char *server = x->server_opt, *env = getenv("POC_SERVER"),
	           *key = getenv("POC_API_KEY");
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
	/* A machine's API key, given for this run, goes before any login of the user's. */
	if (key != NULL && key[0] != '\0') {
		if (strlcpy(x->cl.token, key, sizeof(x->cl.token)) >= sizeof(x->cl.token))
			rc = usage_error("POC_API_KEY is too long to be an API key");
		x->login_hint = false;
		goto out;
	}
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
		term_put_clean(stderr, title);
		if (detail != NULL && detail[0] != '\0') {
			fputs(": ", stderr);
			term_put_clean(stderr, detail);
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
			term_put_clean(stderr, field);
			fputs(": ", stderr);
		}
		term_put_clean(stderr, reason != NULL ? reason : "is invalid");
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

/* Whether a request got an answer, whatever its status, (then in resp: release it with
 * client_resp_free); false after printing why none came. */
static bool
report_transfer(struct ctx *x, enum client_err err)
{
	switch (err) {
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

bool
call(struct ctx *x, const char *method, const char *path, const char *body, size_t len,
     const char *const *headers, struct client_resp *resp)
{
	if (!report_transfer(x, client_request(&x->cl, method, path, body, len, headers, resp)))
		return false;
	if (resp->status >= 200 && resp->status < 300)
		return true;
	report_problem(x, resp);
	client_resp_free(resp);
	return false;
}

bool
call_file(struct ctx *x, const char *method, const char *path, FILE *in, long long len,
          const char *const *headers, FILE *out, crypto_hash_sha256_state *hash,
          struct client_resp *resp)
{
	if (!report_transfer(
	        x, client_stream(&x->cl, method, path, in, len, headers, out, hash, resp)))
		return false;
	if (resp->status >= 200 && resp->status < 300)
		return true;
	report_problem(x, resp);
	client_resp_free(resp);
	return false;
}

json_t *
answer_object(const struct ctx *x, const struct client_resp *r)
{
	json_error_t e;
	json_t *o = json_loadb(r->body, r->len, 0, &e);

	if (json_is_object(o))
		return o;
	fprintf(stderr, "poc: %s sent an answer that is not a JSON object", x->cl.server);
	if (o == NULL) {
		fputs(": ", stderr);
		term_put_clean(stderr, e.text);
	}
	fputc('\n', stderr);
	json_decref(o);
	return NULL;
}

json_t *
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

void
print_json(const json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

const char *
str(const json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s != NULL ? s : "-";
}

bool
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

bool
id_path(struct ctx *x, const char *prefix, const char *id, const char *suffix, char *path,
        size_t pathlen)
{
	strlcpy(path, prefix, pathlen);
	if (!path_add(x, path, pathlen, id))
		return false;
	if (strlcat(path, suffix, pathlen) >= pathlen) {
		fputs("poc: the id is too long\n", stderr);
		return false;
	}
	return true;
}

bool
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

json_t *
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

int
cmd_help(struct ctx *x, int argc, char **argv)
{
	(void)x;
	(void)argc;
	(void)argv;
	fputs(usage_text, stdout);
	return POC_OK;
}

int
run_subcommand(struct ctx *x, int argc, char **argv, const struct command *subs, size_t n,
               const char *names)
{
	if (argc < 2)
		return usage_error("%s needs %s", argv[0], names);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(x, argc, argv);
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].fn(x, argc - 1, argv + 1);
	return usage_error("%s takes %s, not %s", argv[0], names, argv[1]);
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
		n = term_read_line(user, userlen);
	}
	if (n <= 0) {
		fputs(n == -2 ? "poc: the username is too long\n" : "poc: no username given\n",
		      stderr);
		return false;
	}
	if (env != NULL)
		n = strlcpy(pw, env, pwlen) < pwlen ? (ssize_t)strlen(pw) : -2;
	else if (tty)
		n = term_read_hidden("Password: ", pw, pwlen);
	else
		n = term_read_line(pw, pwlen);
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
	term_put_clean(stdout, str(account, "username"));
	fputs(" (", stdout);
	term_put_clean(stdout, str(account, "role"));
	if (json_is_string(json_object_get(account, "state"))) {
		fputs(" of ", stdout);
		term_put_clean(stdout, str(account, "state"));
	}
	fputs(") until ", stdout);
	term_put_clean(stdout, str(doc, "expires_at"));
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
		if (report_transfer(
		        x, client_request(&x->cl, "POST", "/api/v1/logout", NULL, 0, NULL, &r))) {
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

int
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
	term_print_table(ncols, head, cells, json_array_size(items));
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
		term_put_clean(stdout, str(doc, keys[i]));
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

bool
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

/* A new file gets mode 0600: the directory is for the participating states only. */
bool
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

static const struct command commands[] = {
    {"login", cmd_login},           {"logout", cmd_logout},       {"whoami", cmd_whoami},
    {"states", cmd_states},         {"directory", cmd_directory}, {"pocs", cmd_pocs},
    {"export", cmd_export},         {"send", cmd_send},           {"inbox", cmd_inbox},
    {"outbox", cmd_outbox},         {"show", cmd_show},           {"ack", cmd_ack},
    {"reply", cmd_reply},           {"close", cmd_close},         {"template", cmd_template},
    {"campaign", cmd_campaign},     {"pings", cmd_pings},         {"ping", cmd_ping},
    {"tasks", cmd_tasks},           {"report", cmd_report},       {"help", cmd_help},
    {"verify", cmd_verify},         {"receipt", cmd_receipt},     {"witness", cmd_witness},
    {"attachment", cmd_attachment},
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
