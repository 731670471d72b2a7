/* The communication commands of poc: send, inbox, outbox, show, ack, reply and close, over
 * /api/v1/communications; and the helpers for POSTs and tables the other commands share
 * (cli/commands.h). The template command is in cli/template.c. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "cli/term.h"

#define COMMS_PATH  "/api/v1/communications"
#define PAGE_LIMIT  "200" /* communications asked for per page of a box */
#define CELL_SIZE   512   /* a cell made of several values, such as one per recipient */
#define LABEL_WIDTH 15    /* the column where the values of show start */

/* The options a command takes, as bits. */
enum takes {
	T_STATUS = 1 << 0, /* --status */
	T_REPLY = 1 << 1,  /* --text, --lang, --state, --file */
	T_ATTACH = 1 << 2, /* --attach, repeated */
};

#define ATTACH_FILES_MAX 20 /* the server's limit of attachments per communication or reply */

/* The command line of one communication command. */
struct args {
	const char *arg; /* the one argument (a file or an id), or NULL */
	const char *status;
	const char *text;
	const char *lang;
	const char *file;
	char state[4]; /* --state, upper-cased; empty when not given */
	char *attach[ATTACH_FILES_MAX];
	size_t nattach;
};

static const char *const statuses[] = {"sent", "acknowledged", "answered", "closed", "overdue"};

/* Parses the options a command takes (enum takes bits) and its nargs arguments, 0 or 1,
 * naming the argument what. -1 to go on, or the exit code to return. */
static int
parse_args(struct ctx *x, int argc, char **argv, unsigned takes, int nargs, const char *what,
           struct args *a)
{
	int ch, rc = POC_USAGE;
	bool known;

	memset(a, 0, sizeof(*a));
	while ((ch = next_option(x, argc, argv, false, &rc)) != -1) {
		if (ch == 0)
			return rc;
		if (ch == OPT_STATUS && (takes & T_STATUS)) {
			known = false;
			for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
				known |= strcmp(optarg, statuses[i]) == 0;
			if (!known)
				return usage_error("the status is sent, acknowledged, answered, "
				                   "closed or overdue, not %s",
				                   optarg);
			a->status = optarg;
		} else if (ch == OPT_LANG && (takes & T_REPLY)) {
			a->lang = optarg;
		} else if (ch == OPT_TEXT && (takes & T_REPLY)) {
			a->text = optarg;
		} else if (ch == OPT_ATTACH && (takes & T_ATTACH)) {
			if (a->nattach == ATTACH_FILES_MAX)
				return usage_error("at most %d files are attached at once",
				                   ATTACH_FILES_MAX);
			a->attach[a->nattach++] = optarg;
		} else if (ch == OPT_FILE && (takes & T_REPLY)) {
			a->file = optarg;
		} else if (ch == OPT_STATE && (takes & T_REPLY)) {
			if (!state_code(optarg, a->state))
				return usage_error("a state is an ISO 3166-1 alpha-3 code such as "
				                   "DEU, not %s",
				                   optarg);
		} else {
			return refuse_option(x, argv);
		}
	}
	if (argc - optind != nargs)
		return nargs == 0 ? usage_error("%s takes no arguments", argv[0])
		                  : usage_error("%s takes one %s", argv[0], what);
	a->arg = nargs == 1 ? argv[optind] : NULL;
	return -1;
}

json_t *
post_object(struct ctx *x, const char *path, const json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	struct client_resp r;
	json_t *o = NULL;

	if (text == NULL) {
		fputs("poc: out of memory\n", stderr);
		return NULL;
	}
	if (call(x, "POST", path, text, strlen(text), NULL, &r)) {
		o = answer_object(x, &r);
		client_resp_free(&r);
	}
	free(text);
	return o;
}

bool
table_init(struct table *t, size_t ncols, size_t nrows)
{
	t->ncols = ncols;
	t->nrows = nrows;
	t->cells = calloc(ncols * nrows + 1, sizeof(*t->cells));
	t->owned = calloc(ncols * nrows + 1, sizeof(*t->owned));
	if (t->cells == NULL || t->owned == NULL) {
		fputs("poc: out of memory\n", stderr);
		return false;
	}
	for (size_t i = 0; i < ncols * nrows; i++)
		t->cells[i] = "-";
	return true;
}

void
table_set(struct table *t, size_t row, size_t col, const char *s)
{
	t->cells[row * t->ncols + col] = s;
}

void
table_copy(struct table *t, size_t row, size_t col, const char *s)
{
	size_t i = row * t->ncols + col;

	free(t->owned[i]);
	t->owned[i] = strdup(s);
	t->cells[i] = t->owned[i] != NULL ? t->owned[i] : "-";
}

void
table_free(struct table *t)
{
	for (size_t i = 0; t->owned != NULL && i < t->ncols * t->nrows; i++)
		free(t->owned[i]);
	free(t->owned);
	free(t->cells);
	t->owned = NULL;
	t->cells = NULL;
}

void
table_print(struct table *t, const char *const *head)
{
	term_print_table(t->ncols, head, t->cells, t->nrows);
	table_free(t);
}

/* The string items of array a joined by sep into buf (truncated to len); "-" when none. */
static const char *
join(const json_t *a, const char *sep, char *buf, size_t len)
{
	const json_t *v;
	size_t i;

	buf[0] = '\0';
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			continue;
		if (buf[0] != '\0')
			strlcat(buf, sep, len);
		strlcat(buf, json_string_value(v), len);
	}
	return buf[0] != '\0' ? buf : "-";
}

/* How late recipient r is or was: "ack" (to acknowledge), "answer", "ack+answer", "no", or
 * "yes" when the server says overdue without saying which. */
static const char *
lateness(const json_t *r)
{
	bool ack = json_is_true(json_object_get(r, "ack_late"));
	bool answer = json_is_true(json_object_get(r, "answer_late"));

	if (ack || answer)
		return ack && answer ? "ack+answer" : ack ? "ack" : "answer";
	return json_is_true(json_object_get(r, "overdue")) ? "yes" : "no";
}

static const char *
status_of(const json_t *r)
{
	return str(r, "status");
}

/* What of(recipient) says of the recipients recs, into buf: of the recipient of state mine
 * when there is one, else the value they share, else "STATE:value" for each. */
static const char *
about(const json_t *recs, const char *mine, const char *(*of)(const json_t *), char *buf,
      size_t len)
{
	const json_t *r;
	bool same = true;
	size_t i;

	json_array_foreach(recs, i, r)
	{
		if (mine != NULL && strcmp(str(r, "state"), mine) == 0)
			return of(r);
		same &= strcmp(of(r), of(json_array_get(recs, 0))) == 0;
	}
	if (json_array_size(recs) == 0)
		return "-";
	if (same)
		return of(json_array_get(recs, 0));
	buf[0] = '\0';
	json_array_foreach(recs, i, r)
	{
		if (i > 0)
			strlcat(buf, ",", len);
		strlcat(buf, str(r, "state"), len);
		strlcat(buf, ":", len);
		strlcat(buf, of(r), len);
	}
	return buf;
}

/* The subject's text of communication c, or why there is none. */
static const char *
subject_of(const json_t *c)
{
	const char *s = json_string_value(json_object_get(json_object_get(c, "subject"), "text"));

	if (s != NULL)
		return s;
	return json_is_string(json_object_get(c, "content_withheld")) ? "(withheld: TLP:RED)" : "-";
}

/* Lists a box, inbox or outbox, following its pages: as a table, or as JSON with --json. */
static int
list_box(struct ctx *x, int argc, char **argv, bool outbox)
{
	const char *head[] = {"ID",     "CREATED", outbox ? "TO" : "FROM",
	                      "TYPE",   "URGENCY", "TLP",
	                      "STATUS", "OVERDUE", "SUBJECT"};
	char path[PATH_SIZE] = COMMS_PATH, buf[CELL_SIZE];
	json_t *me = NULL, *doc = NULL, *items, *c, *recs;
	const char *mine = NULL;
	struct table t = {0};
	struct args a;
	size_t i;
	int rc = parse_args(x, argc, argv, T_STATUS, 0, NULL, &a);

	if (rc >= 0)
		return rc;
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	rc = POC_FAIL;
	if (!query_add(x, path, sizeof(path), "box", outbox ? "outbox" : "inbox") ||
	    !query_add(x, path, sizeof(path), "status", a.status) ||
	    !query_add(x, path, sizeof(path), "limit", PAGE_LIMIT))
		goto out;
	/* In an open distribution the inbox shows every recipient: the status is one's own. */
	if (!outbox && !x->json) {
		if ((me = get_object(x, "/api/v1/me", NULL, 0)) == NULL)
			goto out;
		mine = json_string_value(json_object_get(me, "state"));
	}
	if ((doc = fetch_all(x, path)) == NULL)
		goto out;
	rc = POC_OK;
	if (x->json) {
		print_json(doc);
		goto out;
	}
	items = json_object_get(doc, "items");
	if (!table_init(&t, 9, json_array_size(items))) {
		table_free(&t);
		rc = POC_FAIL;
		goto out;
	}
	json_array_foreach(items, i, c)
	{
		recs = json_object_get(c, "recipients");
		table_set(&t, i, 0, str(c, "id"));
		table_set(&t, i, 1, str(c, "created_at"));
		if (outbox) {
			buf[0] = '\0';
			for (size_t k = 0; k < json_array_size(recs); k++) {
				if (k > 0)
					strlcat(buf, ",", sizeof(buf));
				strlcat(buf, str(json_array_get(recs, k), "state"), sizeof(buf));
			}
			table_copy(&t, i, 2, buf[0] != '\0' ? buf : "-");
		} else {
			table_set(&t, i, 2, str(json_object_get(c, "sender"), "state"));
		}
		table_set(&t, i, 3, str(c, "type"));
		table_set(&t, i, 4, str(c, "urgency"));
		table_set(&t, i, 5, str(c, "tlp"));
		table_copy(&t, i, 6, about(recs, mine, status_of, buf, sizeof(buf)));
		table_copy(&t, i, 7, about(recs, mine, lateness, buf, sizeof(buf)));
		table_set(&t, i, 8, subject_of(c));
	}
	table_print(&t, head);
	if (json_array_size(items) == 0)
		fprintf(stderr, "poc: no communications in the %s%s%s\n",
		        outbox ? "outbox" : "inbox", a.status != NULL ? " with status " : "",
		        a.status != NULL ? a.status : "");
out:
	json_decref(doc);
	json_decref(me);
	return rc;
}

int
cmd_inbox(struct ctx *x, int argc, char **argv)
{
	return list_box(x, argc, argv, false);
}

int
cmd_outbox(struct ctx *x, int argc, char **argv)
{
	return list_box(x, argc, argv, true);
}

/* Prints the recipients of communication c that the caller sees: with full, their kinds and
 * escalation too. */
static void
print_recipients(const json_t *c, bool full)
{
	static const char *const head_full[] = {"STATE",      "KINDS",   "STATUS",    "ACK DUE",
	                                        "ANSWER DUE", "OVERDUE", "ESCALATION"};
	static const char *const head_short[] = {"STATE", "STATUS", "ACK DUE", "ANSWER DUE",
	                                         "OVERDUE"};
	const json_t *recs = json_object_get(c, "recipients"), *r;
	size_t n = full ? 7 : 5, i, k;
	struct table t = {0};
	char buf[CELL_SIZE];

	if (!table_init(&t, n, json_array_size(recs))) {
		table_free(&t);
		return;
	}
	json_array_foreach(recs, i, r)
	{
		k = 0;
		table_set(&t, i, k++, str(r, "state"));
		if (full)
			table_copy(&t, i, k++,
			           join(json_object_get(r, "kinds"), "+", buf, sizeof(buf)));
		table_set(&t, i, k++, str(r, "status"));
		table_set(&t, i, k++, str(r, "ack_due"));
		table_set(&t, i, k++, str(r, "answer_due"));
		table_set(&t, i, k++, lateness(r));
		if (full)
			table_set(&t, i, k, str(r, "escalation"));
	}
	table_print(&t, full ? head_full : head_short);
}

/* Prints one line of show: name padded to LABEL_WIDTH, then value; nothing when value is
 * NULL. */
static void
field(const char *name, const char *value)
{
	if (value == NULL)
		return;
	printf("%-*s", LABEL_WIDTH, name);
	term_put_clean(stdout, value);
	fputc('\n', stdout);
}

/* Prints a "text"/"lang" object o under name: on the line when inline, else as an indented
 * block below. */
static void
tagged(const char *name, const json_t *o, bool inline_text)
{
	const char *text = json_string_value(json_object_get(o, "text"));
	char label[64];
	int n;

	if (text == NULL)
		return;
	n = snprintf(label, sizeof(label), "%s (%s)", name, str(o, "lang"));
	if (n < 0 || (size_t)n >= sizeof(label))
		strlcpy(label, name, sizeof(label));
	if (inline_text) {
		field(label, text);
		return;
	}
	fputc('\n', stdout);
	term_put_clean(stdout, label);
	fputc('\n', stdout);
	term_put_block(stdout, text, "    ");
}

/* Prints the incident object inc on one line, of the parts it has. */
static void
incident(const json_t *inc)
{
	static const char *const parts[][2] = {{"status", "status "},
	                                       {"impact", "impact "},
	                                       {"first_seen", "first seen "},
	                                       {"detected", "detected "}};
	char line[CELL_SIZE] = "";

	if (!json_is_object(inc))
		return;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (!json_is_string(json_object_get(inc, parts[i][0])))
			continue;
		if (line[0] != '\0')
			strlcat(line, ", ", sizeof(line));
		strlcat(line, parts[i][1], sizeof(line));
		strlcat(line, str(inc, parts[i][0]), sizeof(line));
	}
	field("Incident", line[0] != '\0' ? line : NULL);
}

/* Prints the indicators of inds as a table indented by indent (empty: as a table). */
static void
indicators(const json_t *inds, const char *indent)
{
	static const char *const head[] = {"TYPE", "VALUE"};
	const json_t *d;
	struct table t = {0};
	size_t i;

	if (json_array_size(inds) == 0)
		return;
	if (indent[0] != '\0') {
		json_array_foreach(inds, i, d)
		{
			fputs(indent, stdout);
			term_put_clean(stdout, str(d, "type"));
			fputc(' ', stdout);
			term_put_clean(stdout, str(d, "value"));
			fputc('\n', stdout);
		}
		return;
	}
	if (!table_init(&t, 2, json_array_size(inds))) {
		table_free(&t);
		return;
	}
	json_array_foreach(inds, i, d)
	{
		table_set(&t, i, 0, str(d, "type"));
		table_set(&t, i, 1, str(d, "value"));
	}
	table_print(&t, head);
}

/* Prints the history of communication c: each recipient's steps, oldest first. */
static void
history(const json_t *c)
{
	static const char *const head[] = {"AT", "STATE", "EVENT", "BY", "ACCOUNT", "DETAIL"};
	const json_t *steps = json_object_get(c, "history"), *s;
	struct table t = {0};
	size_t i;

	if (!table_init(&t, 6, json_array_size(steps))) {
		table_free(&t);
		return;
	}
	json_array_foreach(steps, i, s)
	{
		table_set(&t, i, 0, str(s, "at"));
		table_set(&t, i, 1, str(s, "state"));
		table_set(&t, i, 2, str(s, "what"));
		table_set(&t, i, 3,
		          json_is_string(json_object_get(s, "by")) ? str(s, "by") : "pocd");
		table_set(&t, i, 4, str(s, "account"));
		table_set(&t, i, 5, str(s, "detail"));
	}
	table_print(&t, head);
}

/* Prints the replies of communication c, each under who wrote it to whom, and when. */
static void
thread(const json_t *c)
{
	const json_t *replies = json_object_get(c, "thread"), *rp;
	const char *sender = str(json_object_get(c, "sender"), "state"), *author, *to;
	size_t i;

	if (json_array_size(replies) == 0)
		puts("(no replies)");
	json_array_foreach(replies, i, rp)
	{
		author = str(rp, "author_state");
		to = strcmp(author, str(rp, "thread")) == 0 ? sender : str(rp, "thread");
		if (i > 0)
			fputc('\n', stdout);
		term_put_clean(stdout, str(rp, "at"));
		fputs("  ", stdout);
		term_put_clean(stdout, author);
		fputs(" to ", stdout);
		term_put_clean(stdout, to);
		if (json_is_string(json_object_get(rp, "content_withheld"))) {
			fputs("\n    (withheld: TLP:RED)\n", stdout);
			continue;
		}
		fputs(" (", stdout);
		term_put_clean(stdout, str(rp, "lang"));
		fputs(")\n", stdout);
		term_put_block(stdout, str(rp, "text"), "    ");
		indicators(json_object_get(rp, "indicators"), "    indicator ");
	}
}

/* Prints communication c as show does: header, content, recipients, history, thread. */
static void
print_comm(const json_t *c)
{
	const json_t *sender = json_object_get(c, "sender");
	const char *account = json_string_value(json_object_get(sender, "account"));
	char buf[CELL_SIZE];
	int n;

	field("Communication", str(c, "id"));
	/* The sending account is shown to the sending state only. */
	n = snprintf(buf, sizeof(buf), "%s (account %s)", str(sender, "state"),
	             account != NULL ? account : "");
	field("From",
	      account != NULL && n > 0 && (size_t)n < sizeof(buf) ? buf : str(sender, "state"));
	field("Created", str(c, "created_at"));
	field("Type", str(c, "type"));
	field("Urgency", str(c, "urgency"));
	field("TLP", str(c, "tlp"));
	field("Distribution", json_is_true(json_object_get(c, "open_distribution"))
	                          ? "open: each recipient sees the others"
	                          : "restricted: each recipient sees only the sender and itself");
	snprintf(buf, sizeof(buf), "version %" JSON_INTEGER_FORMAT,
	         json_integer_value(json_object_get(c, "template_version")));
	field("Template", buf);
	if (json_is_string(json_object_get(c, "content_withheld"))) {
		field("Content", "withheld (TLP:RED: only the accounts linked to the addressed "
		                 "PoCs see it)");
	} else {
		tagged("Subject", json_object_get(c, "subject"), true);
		if (json_array_size(json_object_get(c, "sectors")) > 0)
			field("Sectors",
			      join(json_object_get(c, "sectors"), ", ", buf, sizeof(buf)));
		incident(json_object_get(c, "incident"));
		if (json_array_size(json_object_get(c, "requested_action")) > 0)
			field("Requested",
			      join(json_object_get(c, "requested_action"), ", ", buf, sizeof(buf)));
		field("Reply by", json_string_value(json_object_get(c, "reply_by")));
		if (json_array_size(json_object_get(c, "reply_languages")) > 0)
			field("Reply in",
			      join(json_object_get(c, "reply_languages"), ", ", buf, sizeof(buf)));
		tagged("Description", json_object_get(c, "description"), false);
		if (json_array_size(json_object_get(c, "indicators")) > 0) {
			puts("\nIndicators");
			indicators(json_object_get(c, "indicators"), "");
		}
	}
	puts("\nRecipients");
	print_recipients(c, true);
	puts("\nHistory");
	history(c);
	puts("\nThread");
	thread(c);
}

int
cmd_show(struct ctx *x, int argc, char **argv)
{
	char path[PATH_SIZE];
	struct args a;
	json_t *doc;
	int rc = parse_args(x, argc, argv, 0, 1, "communication id", &a);

	if (rc >= 0)
		return rc;
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	if (!id_path(x, COMMS_PATH, a.arg, "", path, sizeof(path)) ||
	    (doc = get_object(x, path, NULL, 0)) == NULL)
		return POC_FAIL;
	if (x->json)
		print_json(doc);
	else
		print_comm(doc);
	json_decref(doc);
	return POC_OK;
}

/* Prints the answer c to an action on a communication: whole with --json, else done and the
 * communication's id on a line, then the recipients. */
static void
print_done(const struct ctx *x, const json_t *c, const char *done)
{
	if (x->json) {
		print_json(c);
		return;
	}
	if (done != NULL)
		printf("%s ", done);
	term_put_clean(stdout, str(c, "id"));
	fputc('\n', stdout);
	print_recipients(c, false);
}

/* Uploads the files of --attach and adds their ids to the "attachments" of body (after those
 * it lists already); false after saying why not. */
static bool
attach_files(struct ctx *x, const struct args *a, json_t *body)
{
	json_t *ids = json_object_get(body, "attachments");

	if (a->nattach == 0)
		return true;
	if (ids == NULL) {
		ids = json_array();
		if (ids == NULL || json_object_set_new(body, "attachments", ids) != 0) {
			fputs("poc: out of memory\n", stderr);
			return false;
		}
	} else if (!json_is_array(ids)) {
		fputs("poc: \"attachments\" must be an array of ids\n", stderr);
		return false;
	}
	return upload_files(x, a->attach, a->nattach, ids);
}

int
cmd_send(struct ctx *x, int argc, char **argv)
{
	struct args a;
	json_t *body, *doc;
	int rc = parse_args(x, argc, argv, T_ATTACH, 1, "file (- for standard input)", &a);

	if (rc >= 0)
		return rc;
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	if ((body = read_input(a.arg, false)) == NULL)
		return POC_FAIL;
	if (!attach_files(x, &a, body)) {
		json_decref(body);
		return POC_FAIL;
	}
	doc = post_object(x, COMMS_PATH, body);
	json_decref(body);
	if (doc == NULL)
		return POC_FAIL;
	/* The id alone on the first line, for scripts. */
	print_done(x, doc, NULL);
	json_decref(doc);
	return POC_OK;
}

/* Runs an action that takes no fields (suffix "/acknowledge" or "/close") on the
 * communication argv names, and reports it as done. */
static int
simple_action(struct ctx *x, int argc, char **argv, const char *suffix, const char *done)
{
	char path[PATH_SIZE];
	struct args a;
	json_t *body, *doc = NULL;
	int rc = parse_args(x, argc, argv, 0, 1, "communication id", &a);

	if (rc >= 0)
		return rc;
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	if (!id_path(x, COMMS_PATH, a.arg, suffix, path, sizeof(path)))
		return POC_FAIL;
	body = json_object();
	if (body != NULL)
		doc = post_object(x, path, body);
	else
		fputs("poc: out of memory\n", stderr);
	json_decref(body);
	if (doc == NULL)
		return POC_FAIL;
	print_done(x, doc, done);
	json_decref(doc);
	return POC_OK;
}

int
cmd_ack(struct ctx *x, int argc, char **argv)
{
	return simple_action(x, argc, argv, "/acknowledge", "acknowledged");
}

int
cmd_close(struct ctx *x, int argc, char **argv)
{
	return simple_action(x, argc, argv, "/close", "closed");
}

/* Sets the string member name of o to value unless value is NULL; false after saying why
 * not. */
static bool
set_text(json_t *o, const char *name, const char *value)
{
	if (value == NULL || json_object_set_new(o, name, json_string(value)) == 0)
		return true;
	fprintf(stderr, "poc: the value of --%s is not UTF-8 text\n", name);
	return false;
}

/* The body of a reply: the object in a->file, or {"indicators": the array in it}, with the
 * text, language and thread of the command line over it. The caller owns it; NULL with *rc
 * set after saying why not. */
static json_t *
reply_body(const struct args *a, int *rc)
{
	json_t *body = NULL, *in = NULL;

	*rc = POC_FAIL;
	if (a->file != NULL && (in = read_input(a->file, true)) == NULL)
		return NULL;
	if (json_is_array(in))
		body = json_pack("{s:o}", "indicators", in);
	else
		body = in != NULL ? in : json_object();
	if (body == NULL) {
		fputs("poc: out of memory\n", stderr);
		return NULL;
	}
	if (!set_text(body, "text", a->text) || !set_text(body, "lang", a->lang) ||
	    !set_text(body, "state", a->state[0] != '\0' ? a->state : NULL))
		goto fail;
	if (json_object_get(body, "text") == NULL || json_object_get(body, "lang") == NULL) {
		*rc = usage_error("reply needs --text and --lang, or a --file that holds them");
		goto fail;
	}
	return body;
fail:
	json_decref(body);
	return NULL;
}

int
cmd_reply(struct ctx *x, int argc, char **argv)
{
	char path[PATH_SIZE];
	struct args a;
	json_t *body, *doc;
	int rc = parse_args(x, argc, argv, T_REPLY | T_ATTACH, 1, "communication id", &a);

	if (rc >= 0)
		return rc;
	if (a.file == NULL && (a.text == NULL || a.lang == NULL))
		return usage_error("reply needs --text TEXT and --lang LL, or --file F");
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	if (!id_path(x, COMMS_PATH, a.arg, "/replies", path, sizeof(path)))
		return POC_FAIL;
	if ((body = reply_body(&a, &rc)) == NULL)
		return rc;
	if (!attach_files(x, &a, body)) {
		json_decref(body);
		return POC_FAIL;
	}
	doc = post_object(x, path, body);
	json_decref(body);
	if (doc == NULL)
		return POC_FAIL;
	print_done(x, doc, "replied to");
	json_decref(doc);
	return POC_OK;
}
