/* The ping-test and freshness commands of poc: campaign (start, list, show, results), pings,
 * ping (answer, link), tasks, report pings and pocs confirm, over /api/v1/ping-campaigns,
 * /api/v1/pings, /api/v1/tasks, /api/v1/reports/pings and /api/v1/pocs/{id}/confirm. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "cli/term.h"

#define CAMPAIGNS_PATH "/api/v1/ping-campaigns"
#define PINGS_PATH     "/api/v1/pings"
#define PAGE_LIMIT     "1000" /* pings asked for per page */
#define SCOPE_MAX      193    /* states in one scope, as pocd allows */
#define HOURS_MAX      720    /* hours of a window, as pocd allows */
#define REMINDERS_MAX  4      /* reminders of one campaign, as pocd allows */
#define ITEM_SIZE      32     /* one item of a comma-separated option, with its NUL */
#define TOKEN_MAX      256    /* characters of a link's token */
#define CELL_SIZE      512    /* a cell or a line built here */
#define LABEL_WIDTH    15     /* the column where the values of campaign show start */

/* The options a command takes, as bits. */
enum takes {
	T_CAMPAIGN = 1 << 0, /* --scope, --kinds, --window-hours, --reminders, --no-challenge */
	T_RESULTS = 1 << 1,  /* --format, --output */
	T_STATUS = 1 << 2,   /* --status */
	T_ALL = 1 << 3,      /* --all */
	T_STATE = 1 << 4,    /* --state */
	T_ANON = 1 << 5,     /* no option: connect without the saved token */
};

/* The command line of one command of this file. */
struct args {
	const char *arg[2]; /* the arguments, NULL when not given */
	const char *scope, *kinds, *reminders, *format, *output, *status;
	long window_hours; /* 0 when not given */
	bool no_challenge, all;
	char state[4]; /* --state, upper-cased; empty when not given */
};

static const char *const ping_statuses[] = {"open", "answered", "late", "unanswered"};

/* Reads the whole number s of hours, 1 to HOURS_MAX, into *out; false if it is not one. */
static bool
hours(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > HOURS_MAX)
		return false;
	*out = v;
	return true;
}

/* Copies the next item of the comma-separated list *list into item and moves *list past it
 * (to NULL after the last). 0 at the end of the list, -1 when the item is empty or does not
 * fit len bytes, else 1. */
static int
next_item(const char **list, char *item, size_t len)
{
	const char *s = *list, *comma;
	size_t n;

	if (s == NULL)
		return 0;
	comma = strchr(s, ',');
	n = comma != NULL ? (size_t)(comma - s) : strlen(s);
	*list = comma != NULL ? comma + 1 : NULL;
	if (n == 0 || n >= len)
		return -1;
	memcpy(item, s, n);
	item[n] = '\0';
	return 1;
}

/* Parses the options a command takes (enum takes bits) and from min to max arguments, what
 * naming them; then connects, with the saved token unless T_ANON. -1 to go on, or the exit
 * code to return. */
static int
setup(struct ctx *x, int argc, char **argv, unsigned takes, int min, int max, const char *what,
      struct args *a)
{
	int ch, rc = POC_USAGE;
	bool known;

	memset(a, 0, sizeof(*a));
	while ((ch = next_option(x, argc, argv, false, &rc)) != -1) {
		if (ch == 0)
			return rc;
		if (ch == OPT_SCOPE && (takes & T_CAMPAIGN)) {
			a->scope = optarg;
		} else if (ch == OPT_KINDS && (takes & T_CAMPAIGN)) {
			a->kinds = optarg;
		} else if (ch == OPT_WINDOW_HOURS && (takes & T_CAMPAIGN)) {
			if (!hours(optarg, &a->window_hours))
				return usage_error(
				    "the window is a whole number of hours, 1 to %d, "
				    "not %s",
				    HOURS_MAX, optarg);
		} else if (ch == OPT_REMINDERS && (takes & T_CAMPAIGN)) {
			a->reminders = optarg;
		} else if (ch == OPT_NO_CHALLENGE && (takes & T_CAMPAIGN)) {
			a->no_challenge = true;
		} else if (ch == OPT_FORMAT && (takes & T_RESULTS)) {
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "csv") != 0)
				return usage_error("the format is json or csv, not %s", optarg);
			a->format = optarg;
		} else if (ch == OPT_OUTPUT && (takes & T_RESULTS)) {
			a->output = optarg;
		} else if (ch == OPT_STATUS && (takes & T_STATUS)) {
			known = false;
			for (size_t i = 0; i < sizeof(ping_statuses) / sizeof(ping_statuses[0]);
			     i++)
				known |= strcmp(optarg, ping_statuses[i]) == 0;
			if (!known)
				return usage_error("the status is open, answered, late or "
				                   "unanswered, not %s",
				                   optarg);
			a->status = optarg;
		} else if (ch == OPT_ALL && (takes & T_ALL)) {
			a->all = true;
		} else if (ch == OPT_STATE && (takes & T_STATE)) {
			if (!state_code(optarg, a->state))
				return usage_error("a state is an ISO 3166-1 alpha-3 code such as "
				                   "FRA, not %s",
				                   optarg);
		} else {
			return refuse_option(x, argv);
		}
	}
	if (argc - optind < min || argc - optind > max)
		return max == 0 ? usage_error("%s takes no arguments", argv[0])
		                : usage_error("%s takes %s", argv[0], what);
	for (int i = 0; i < argc - optind; i++)
		a->arg[i] = argv[optind + i];
	if (a->output != NULL && a->format == NULL)
		return usage_error("--output needs --format json or csv");
	rc = connect_to(x, !(takes & T_ANON));
	return rc == POC_OK ? -1 : rc;
}

/* What the items of a list option are. */
enum item_kind {
	I_STATE, /* a state code, upper-cased */
	I_KIND,  /* technical or diplomatic */
	I_HOURS, /* a whole number of hours */
};

/* Adds to body, as name, the array of the max items at most of the comma-separated list, each
 * of kind. False after printing a usage error that says, in usage, what the list holds. */
static bool
add_list(json_t *body, const char *name, const char *list, enum item_kind kind, size_t max,
         const char *usage)
{
	const char *p = list;
	char item[ITEM_SIZE], code[4];
	json_t *a = json_array(), *v;
	size_t n = 0;
	long h;
	int got;

	if (a == NULL || json_object_set_new(body, name, a) != 0) {
		fputs("poc: out of memory\n", stderr);
		return false;
	}
	while ((got = next_item(&p, item, sizeof(item))) != 0) {
		v = NULL;
		if (got > 0 && kind == I_STATE && state_code(item, code))
			v = json_string(code);
		else if (got > 0 && kind == I_KIND &&
		         (strcmp(item, "technical") == 0 || strcmp(item, "diplomatic") == 0))
			v = json_string(item);
		else if (got > 0 && kind == I_HOURS && hours(item, &h))
			v = json_integer(h);
		if (v == NULL || ++n > max || json_array_append_new(a, v) != 0) {
			usage_error("%s (%zu at most), not %s", usage, max, list);
			return false;
		}
	}
	return true;
}

/* The body of a new campaign from a; the caller owns it. NULL after saying why not. */
static json_t *
campaign_body(const struct args *a)
{
	json_t *body = json_object();
	bool ok = body != NULL;

	if (a->scope == NULL || strcmp(a->scope, "all") == 0)
		ok = ok && json_object_set_new(body, "scope", json_string("all")) == 0;
	else
		ok = ok && add_list(body, "scope", a->scope, I_STATE, SCOPE_MAX,
		                    "the scope is all or ISO 3166-1 alpha-3 codes such as FRA,KEN");
	if (ok && a->kinds != NULL)
		ok = add_list(body, "kinds", a->kinds, I_KIND, 2,
		              "the kinds are technical, diplomatic or both");
	/* "" or "none": no reminders at all. */
	if (ok && a->reminders != NULL &&
	    (a->reminders[0] == '\0' || strcmp(a->reminders, "none") == 0))
		ok = json_object_set_new(body, "reminders_hours", json_array()) == 0;
	else if (ok && a->reminders != NULL)
		ok = add_list(body, "reminders_hours", a->reminders, I_HOURS, REMINDERS_MAX,
		              "the reminders are hours before the window closes, such as 24,4");
	if (ok && a->window_hours > 0)
		ok = json_object_set_new(body, "window_hours", json_integer(a->window_hours)) == 0;
	if (ok && a->no_challenge)
		ok = json_object_set_new(body, "challenge", json_false()) == 0;
	if (!ok)
		json_decref(body);
	return ok ? body : NULL;
}

/* The string items of array a joined by sep into buf, each followed by suffix; "-" when
 * none. A string a instead of an array is copied as it is. */
static const char *
join(const json_t *a, const char *sep, const char *suffix, char *buf, size_t len)
{
	const json_t *v;
	size_t i;

	if (json_is_string(a))
		return json_string_value(a);
	buf[0] = '\0';
	json_array_foreach(a, i, v)
	{
		if (buf[0] != '\0')
			strlcat(buf, sep, len);
		if (json_is_string(v))
			strlcat(buf, json_string_value(v), len);
		else if (json_is_integer(v))
			snprintf(buf + strlen(buf), len - strlen(buf), "%" JSON_INTEGER_FORMAT,
			         json_integer_value(v));
		strlcat(buf, suffix, len);
	}
	return buf[0] != '\0' ? buf : "-";
}

/* The integer member name of o as text in buf; "-" when it is not an integer. */
static const char *
count(const json_t *o, const char *name, char *buf, size_t len)
{
	const json_t *v = json_object_get(o, name);

	if (!json_is_integer(v))
		return "-";
	snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	return buf;
}

/* The share (0 to 1) member name of o as a percentage in buf; "-" when it is null. */
static const char *
percent(const json_t *o, const char *name, char *buf, size_t len)
{
	const json_t *v = json_object_get(o, name);

	if (!json_is_number(v))
		return "-";
	snprintf(buf, len, "%.1f%%", json_number_value(v) * 100.0);
	return buf;
}

/* The member name of o, seconds, as a duration such as 3h07m in buf; "-" when it is null. */
static const char *
duration(const json_t *o, const char *name, char *buf, size_t len)
{
	const json_t *v = json_object_get(o, name);
	long long s;

	if (!json_is_integer(v))
		return "-";
	s = (long long)json_integer_value(v);
	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
	return buf;
}

/* Prints one line of campaign show: name padded to LABEL_WIDTH, then value. */
static void
field(const char *name, const char *value)
{
	printf("%-*s", LABEL_WIDTH, name);
	term_put_clean(stdout, value);
	fputc('\n', stdout);
}

/* Prints what campaign c is: its id, scope, kinds, challenge, times and reminders. */
static void
print_campaign(const json_t *c)
{
	char buf[CELL_SIZE];

	field("Campaign", str(c, "id"));
	field("Scope", join(json_object_get(c, "scope"), ", ", "", buf, sizeof(buf)));
	field("Kinds", join(json_object_get(c, "kinds"), ", ", "", buf, sizeof(buf)));
	field("Challenge", json_is_true(json_object_get(c, "challenge"))
	                       ? "yes: each ping shows a code the answer must return"
	                       : "no");
	field("Created", str(c, "created_at"));
	field("Due", str(c, "due"));
	field("Late until", str(c, "grace_end"));
	field("Reminders",
	      join(json_object_get(c, "reminders_hours"), ", ", "h", buf, sizeof(buf)));
	if (json_is_integer(json_object_get(c, "pings")))
		field("Pings", count(c, "pings", buf, sizeof(buf)));
}

typedef const char *(*figure_fn)(const json_t *o, const char *name, char *buf, size_t len);

/* The figures of a set of pings: a label for campaign show, a column for report pings (NULL:
 * not there), the member of the figures and how it is shown. */
static const struct figure {
	const char *label, *column, *member;
	figure_fn fmt;
} figures[] = {
    {"pings", "PINGS", "pings", count},
    {"open", NULL, "open", count},
    {"answered in time", "IN TIME", "answered", count},
    {"answered late", "LATE", "late", count},
    {"unanswered", "UNANSWERED", "unanswered", count},
    {"right code", NULL, "correct", count},
    {"share answered in time", "ANSWERED", "share_answered", percent},
    {"share right in time", "RIGHT", "share_answered_correctly", percent},
    {"latency, median", "MEDIAN", "latency_median_seconds", duration},
    {"latency, 90th percentile", "P90", "latency_p90_seconds", duration},
};

#define NFIGURES (sizeof(figures) / sizeof(figures[0]))

/* Prints the figures of a set of pings, all (every state the caller sees) and own (the
 * caller's state; NULL for the Secretariat), as a table. */
static void
print_figures(const json_t *all, const json_t *own)
{
	static const char *const head_all[] = {"FIGURE", "ALL"};
	static const char *const head_own[] = {"FIGURE", "ALL STATES", "YOUR STATE"};
	const json_t *sets[] = {all, own};
	size_t ncols = own != NULL ? 3 : 2;
	struct table t = {0};
	char buf[32];

	if (!table_init(&t, ncols, NFIGURES)) {
		table_free(&t);
		return;
	}
	for (size_t i = 0; i < NFIGURES; i++) {
		table_set(&t, i, 0, figures[i].label);
		for (size_t k = 0; k + 1 < ncols; k++)
			table_copy(&t, i, k + 1,
			           figures[i].fmt(sets[k], figures[i].member, buf, sizeof(buf)));
	}
	table_print(&t, own != NULL ? head_own : head_all);
}

static int
campaign_start(struct ctx *x, int argc, char **argv)
{
	struct args a;
	json_t *body, *doc;
	int rc = setup(x, argc, argv, T_CAMPAIGN, 0, 0, NULL, &a);

	if (rc >= 0)
		return rc;
	if ((body = campaign_body(&a)) == NULL)
		return POC_USAGE;
	doc = post_object(x, CAMPAIGNS_PATH, body);
	json_decref(body);
	if (doc == NULL)
		return POC_FAIL;
	if (x->json)
		print_json(doc);
	else
		print_campaign(doc);
	json_decref(doc);
	return POC_OK;
}

static int
campaign_list(struct ctx *x, int argc, char **argv)
{
	static const char *const head[] = {"ID",  "CREATED",   "SCOPE",    "KINDS",
	                                   "DUE", "CHALLENGE", "REMINDERS"};
	const json_t *items, *c;
	char buf[CELL_SIZE];
	struct table t = {0};
	struct args a;
	json_t *doc;
	size_t i;
	int rc = setup(x, argc, argv, 0, 0, 0, NULL, &a);

	if (rc >= 0)
		return rc;
	if ((doc = fetch_all(x, CAMPAIGNS_PATH)) == NULL)
		return POC_FAIL;
	if (x->json) {
		print_json(doc);
		json_decref(doc);
		return POC_OK;
	}
	items = json_object_get(doc, "items");
	if (!table_init(&t, 7, json_array_size(items))) {
		table_free(&t);
		json_decref(doc);
		return POC_FAIL;
	}
	json_array_foreach(items, i, c)
	{
		table_set(&t, i, 0, str(c, "id"));
		table_set(&t, i, 1, str(c, "created_at"));
		table_copy(&t, i, 2, join(json_object_get(c, "scope"), ",", "", buf, sizeof(buf)));
		table_copy(&t, i, 3, join(json_object_get(c, "kinds"), ",", "", buf, sizeof(buf)));
		table_set(&t, i, 4, str(c, "due"));
		table_set(&t, i, 5, json_is_true(json_object_get(c, "challenge")) ? "yes" : "no");
		table_copy(&t, i, 6,
		           join(json_object_get(c, "reminders_hours"), ",", "h", buf, sizeof(buf)));
	}
	table_print(&t, head);
	if (json_array_size(items) == 0)
		fputs("poc: no ping campaigns\n", stderr);
	json_decref(doc);
	return POC_OK;
}

static int
campaign_show(struct ctx *x, int argc, char **argv)
{
	char path[PATH_SIZE];
	struct args a;
	json_t *doc;
	int rc = setup(x, argc, argv, 0, 1, 1, "one campaign id", &a);

	if (rc >= 0)
		return rc;
	if (!id_path(x, CAMPAIGNS_PATH, a.arg[0], "", path, sizeof(path)) ||
	    (doc = get_object(x, path, NULL, 0)) == NULL)
		return POC_FAIL;
	if (x->json) {
		print_json(doc);
	} else {
		print_campaign(doc);
		fputc('\n', stdout);
		print_figures(json_object_get(doc, "summary"), json_object_get(doc, "own"));
	}
	json_decref(doc);
	return POC_OK;
}

/* Prints the rows of a results document: one per ping the caller sees, then the figures. */
static void
print_results(const json_t *doc)
{
	static const char *const head[] = {"PING",     "STATE",   "KIND",    "POC", "STATUS",
	                                   "ANSWERED", "LATENCY", "CHANNEL", "CODE"};
	const json_t *items = json_object_get(doc, "items"), *p, *correct;
	struct table t = {0};
	char buf[32];
	size_t i;

	if (!table_init(&t, 9, json_array_size(items))) {
		table_free(&t);
		return;
	}
	json_array_foreach(items, i, p)
	{
		correct = json_object_get(p, "correct");
		table_set(&t, i, 0, str(p, "ping"));
		table_set(&t, i, 1, str(p, "state"));
		table_set(&t, i, 2, str(p, "kind"));
		table_set(&t, i, 3, str(p, "poc"));
		table_set(&t, i, 4, str(p, "status"));
		table_set(&t, i, 5, str(p, "answered_at"));
		table_copy(&t, i, 6, duration(p, "latency_seconds", buf, sizeof(buf)));
		table_set(&t, i, 7, str(p, "channel"));
		table_set(&t, i, 8,
		          !json_is_boolean(correct) ? "-"
		          : json_is_true(correct)   ? "right"
		                                    : "wrong");
	}
	table_print(&t, head);
	fputc('\n', stdout);
	print_figures(json_object_get(doc, "summary"), json_object_get(doc, "own"));
}

static int
campaign_results(struct ctx *x, int argc, char **argv)
{
	struct client_resp r = {0};
	char path[PATH_SIZE], *text = NULL;
	json_t *doc = NULL;
	struct args a;
	bool csv;
	int rc = setup(x, argc, argv, T_RESULTS, 1, 1, "one campaign id", &a);

	if (rc >= 0)
		return rc;
	rc = POC_FAIL;
	csv = a.format != NULL && strcmp(a.format, "csv") == 0;
	if (!id_path(x, CAMPAIGNS_PATH, a.arg[0], "/results", path, sizeof(path)) ||
	    !query_add(x, path, sizeof(path), "format", csv ? "csv" : "json"))
		goto out;
	if (csv) {
		if (call(x, "GET", path, NULL, 0, NULL, &r) &&
		    write_output(a.output, r.body, r.len, ""))
			rc = POC_OK;
		goto out;
	}
	if ((doc = get_object(x, path, NULL, 0)) == NULL)
		goto out;
	rc = POC_OK;
	if (a.format != NULL) {
		text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (text == NULL)
			fputs("poc: out of memory\n", stderr);
		if (text == NULL || !write_output(a.output, text, strlen(text), "\n"))
			rc = POC_FAIL;
	} else if (x->json) {
		print_json(doc);
	} else {
		print_results(doc);
	}
out:
	client_resp_free(&r);
	free(text);
	json_decref(doc);
	return rc;
}

int
cmd_campaign(struct ctx *x, int argc, char **argv)
{
	static const struct command subs[] = {{"start", campaign_start},
	                                      {"list", campaign_list},
	                                      {"show", campaign_show},
	                                      {"results", campaign_results}};

	return run_subcommand(x, argc, argv, subs, 4, "start, list, show or results");
}

static void
ping_row(const json_t *p, const char **row)
{
	row[0] = str(p, "id");
	row[1] = str(p, "poc");
	row[2] = str(p, "kind");
	row[3] = str(p, "status");
	row[4] = str(p, "due");
	row[5] = str(p, "challenge");
}

int
cmd_pings(struct ctx *x, int argc, char **argv)
{
	static const char *const head[] = {"ID", "POC", "KIND", "STATUS", "DUE", "CHALLENGE"};
	char path[PATH_SIZE] = PINGS_PATH;
	struct args a;
	json_t *doc;
	int rc = setup(x, argc, argv, T_STATUS, 0, 0, NULL, &a);

	if (rc >= 0)
		return rc;
	if (!query_add(x, path, sizeof(path), "status", a.status) ||
	    !query_add(x, path, sizeof(path), "limit", PAGE_LIMIT) ||
	    (doc = fetch_all(x, path)) == NULL)
		return POC_FAIL;
	rc = print_items(x, doc, 6, head, ping_row);
	if (rc == POC_OK && !x->json && json_array_size(json_object_get(doc, "items")) == 0)
		fprintf(stderr, "poc: no pings for you%s%s\n",
		        a.status != NULL ? " with status " : "", a.status != NULL ? a.status : "");
	json_decref(doc);
	return rc;
}

/* Sends the answer body (its text is wiped after) to path and prints the outcome. */
static int
send_answer(struct ctx *x, const char *path, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	struct client_resp r = {0};
	json_t *doc = NULL;
	bool correct, late;
	int rc = POC_FAIL;

	if (text == NULL) {
		fputs("poc: out of memory\n", stderr);
		return POC_FAIL;
	}
	if (!call(x, "POST", path, text, strlen(text), NULL, &r) ||
	    (doc = answer_object(x, &r)) == NULL)
		goto out;
	rc = POC_OK;
	if (x->json) {
		print_json(doc);
		goto out;
	}
	correct = json_is_true(json_object_get(doc, "correct"));
	late = json_is_true(json_object_get(doc, "late"));
	fputs("answered ping ", stdout);
	term_put_clean(stdout, str(doc, "ping"));
	printf("%s%s\n", late ? ", late (after the window closed)" : ", in time",
	       correct ? ""
	               : "; the code was wrong: a correction task is open for the state's "
	                 "administrators");
out:
	sodium_memzero(text, strlen(text));
	free(text);
	client_resp_free(&r);
	json_decref(doc);
	return rc;
}

/* The answer {"challenge": code}, and {"token": token} too unless token is NULL; the caller
 * owns it. NULL after saying why not. */
static json_t *
answer_body(const char *token, const char *code)
{
	json_t *body = json_object();

	if (body == NULL ||
	    (code != NULL && json_object_set_new(body, "challenge", json_string(code)) != 0) ||
	    (token != NULL && json_object_set_new(body, "token", json_string(token)) != 0)) {
		fputs("poc: the code must be UTF-8 text\n", stderr);
		json_decref(body);
		return NULL;
	}
	return body;
}

/* The token of link, a whole link (".../ping#TOKEN") or the token alone, into out; false
 * after printing a usage error. */
static bool
link_token(const char *link, char *out, size_t len)
{
	const char *hash = strrchr(link, '#'), *t = hash != NULL ? hash + 1 : link;
	size_t n = strlen(t);

	if (n == 0 || n >= len ||
	    strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	              "0123456789-_") != n) {
		usage_error("give the ping link (.../ping#TOKEN) or its token");
		return false;
	}
	memcpy(out, t, n + 1);
	return true;
}

/* ping answer ID [CODE] or, by_link, ping link TOKEN [CODE]. A link stands for its PoC: no
 * session is sent with it, whoever is logged in here. */
static int
answer(struct ctx *x, int argc, char **argv, bool by_link)
{
	char path[PATH_SIZE] = "/api/v1/pings/answer", token[TOKEN_MAX + 1] = "";
	json_t *body = NULL;
	struct args a;
	int rc = setup(x, argc, argv, by_link ? T_ANON : 0, 1, 2,
	               by_link ? "the ping link or its token, and the code"
	                       : "a ping id and the code it shows",
	               &a);

	if (rc >= 0)
		return rc;
	x->login_hint = !by_link;
	if (by_link && !link_token(a.arg[0], token, sizeof(token)))
		return POC_USAGE;
	rc = POC_FAIL;
	if ((by_link || id_path(x, PINGS_PATH, a.arg[0], "/answer", path, sizeof(path))) &&
	    (body = answer_body(by_link ? token : NULL, a.arg[1])) != NULL)
		rc = send_answer(x, path, body);
	json_decref(body);
	sodium_memzero(token, sizeof(token));
	return rc;
}

static int
ping_answer(struct ctx *x, int argc, char **argv)
{
	return answer(x, argc, argv, false);
}

static int
ping_link(struct ctx *x, int argc, char **argv)
{
	return answer(x, argc, argv, true);
}

int
cmd_ping(struct ctx *x, int argc, char **argv)
{
	static const struct command subs[] = {{"answer", ping_answer}, {"link", ping_link}};

	return run_subcommand(x, argc, argv, subs, 2, "answer or link");
}

static void
task_row(const json_t *t, const char **row)
{
	row[0] = str(t, "id");
	row[1] = str(t, "kind");
	row[2] = str(t, "poc");
	row[3] = str(t, "ping");
	row[4] = str(t, "review_by");
	row[5] = str(t, "created_at");
	row[6] = str(t, "closed_at");
	row[7] = str(t, "closed_reason");
}

int
cmd_tasks(struct ctx *x, int argc, char **argv)
{
	static const char *const head[] = {"ID",        "KIND",   "POC",    "PING",
	                                   "REVIEW BY", "OPENED", "CLOSED", "REASON"};
	char path[PATH_SIZE] = "/api/v1/tasks";
	const json_t *t;
	struct args a;
	json_t *doc;
	size_t i, open = 0;
	int rc = setup(x, argc, argv, T_ALL, 0, 0, NULL, &a);

	if (rc >= 0)
		return rc;
	if (!query_add(x, path, sizeof(path), "all", a.all ? "true" : NULL) ||
	    (doc = fetch_all(x, path)) == NULL)
		return POC_FAIL;
	rc = print_items(x, doc, 8, head, task_row);
	json_array_foreach(json_object_get(doc, "items"), i, t)
	{
		open += json_object_get(t, "closed_at") == NULL;
	}
	if (rc == POC_OK && !x->json && json_array_size(json_object_get(doc, "items")) == 0)
		fprintf(stderr, "poc: no %stasks\n", a.all ? "" : "open ");
	else if (rc == POC_OK && !x->json && open > 0)
		fputs("poc: editing an entry (poc pocs edit) or confirming it (poc pocs confirm "
		      "POC) closes its tasks\n",
		      stderr);
	json_decref(doc);
	return rc;
}

static int
report_pings(struct ctx *x, int argc, char **argv)
{
	const char *head[TERM_COLUMNS_MAX] = {"CAMPAIGN", "CREATED"}, *state;
	char path[PATH_SIZE] = "/api/v1/reports/pings", buf[32];
	const json_t *items, *c, *fig;
	struct table t = {0};
	struct args a;
	json_t *doc;
	size_t i, n = 2;
	int rc = setup(x, argc, argv, T_STATE, 0, 0, NULL, &a);

	if (rc >= 0)
		return rc;
	if (!query_add(x, path, sizeof(path), "state", a.state[0] != '\0' ? a.state : NULL) ||
	    (doc = get_object(x, path, NULL, 0)) == NULL)
		return POC_FAIL;
	state = json_string_value(json_object_get(doc, "state"));
	/* A state's account sees its own figures, whatever it asked for. */
	if (a.state[0] != '\0' && (state == NULL || strcmp(state, a.state) != 0))
		fprintf(stderr, "poc: you see the figures of %s only\n",
		        state != NULL ? state : "all states");
	if (x->json) {
		print_json(doc);
		json_decref(doc);
		return POC_OK;
	}
	for (size_t k = 0; k < NFIGURES && n < TERM_COLUMNS_MAX; k++)
		if (figures[k].column != NULL)
			head[n++] = figures[k].column;
	items = json_object_get(doc, "campaigns");
	if (!table_init(&t, n, json_array_size(items))) {
		table_free(&t);
		json_decref(doc);
		return POC_FAIL;
	}
	json_array_foreach(items, i, c)
	{
		fig = json_object_get(c, "figures");
		table_set(&t, i, 0, str(c, "id"));
		table_set(&t, i, 1, str(c, "created_at"));
		for (size_t k = 0, col = 2; k < NFIGURES && col < n; k++)
			if (figures[k].column != NULL)
				table_copy(
				    &t, i, col++,
				    figures[k].fmt(fig, figures[k].member, buf, sizeof(buf)));
	}
	printf("Ping results of %s, newest campaign first\n", state != NULL ? state : "all states");
	table_print(&t, head);
	json_decref(doc);
	return POC_OK;
}

int
cmd_report(struct ctx *x, int argc, char **argv)
{
	static const struct command subs[] = {{"pings", report_pings}};

	return run_subcommand(x, argc, argv, subs, 1, "pings");
}

int
pocs_confirm(struct ctx *x, int argc, char **argv)
{
	struct client_resp r = {0};
	char path[PATH_SIZE];
	struct args a;
	json_t *doc;
	int rc = setup(x, argc, argv, 0, 1, 1, "one PoC id", &a);

	if (rc >= 0)
		return rc;
	if (!id_path(x, "/api/v1/pocs", a.arg[0], "/confirm", path, sizeof(path)) ||
	    !call(x, "POST", path, NULL, 0, NULL, &r))
		return POC_FAIL;
	doc = answer_object(x, &r);
	client_resp_free(&r);
	if (doc == NULL)
		return POC_FAIL;
	if (x->json) {
		print_json(doc);
	} else {
		fputs("confirmed ", stdout);
		term_put_clean(stdout, str(doc, "id"));
		fputs(", to review by ", stdout);
		term_put_clean(stdout, str(doc, "review_by"));
		fputc('\n', stdout);
	}
	json_decref(doc);
	return POC_OK;
}
