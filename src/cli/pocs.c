/* The pocs subcommands of poc: show, add, edit and rm, one PoC at a time (confirm is in
 * cli/pings.c); and the reading of the JSON files that poc sends. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "cli/term.h"

#define INPUT_MAX ((size_t)1 << 20) /* bytes of an input file */
#define SETS_MAX  32                /* --set options of one edit */

json_t *
read_input(const char *file, bool array_ok)
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
	else if (!json_is_object(o) && !(array_ok && json_is_array(o)))
		fprintf(stderr, "poc: %s does not hold a JSON %s\n", name,
		        array_ok ? "object or array" : "object");
	if (!json_is_object(o) && !(array_ok && json_is_array(o))) {
		json_decref(o);
		o = NULL;
	}
out:
	free(text);
	if (!is_stdin)
		fclose(f);
	return o;
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
	if (!id_path(x, "/api/v1/pocs", id, "", path, sizeof(path)) ||
	    (doc = get_object(x, path, NULL, 0)) == NULL)
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
		term_put_clean(stdout, str(doc, "id"));
		if (with_revision)
			printf(" revision %" JSON_INTEGER_FORMAT,
			       json_integer_value(json_object_get(doc, "revision")));
		fputc('\n', stdout);
		/* 202: the e-mail address or key waits for a second administrator. */
		if (json_object_get(doc, "pending_change") != NULL) {
			fputs("e-mail or key change ", stdout);
			term_put_clean(stdout, str(json_object_get(doc, "pending_change"), "id"));
			fputs(" waits for a second state_admin\n", stdout);
		}
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
	if ((body = read_input(file, false)) == NULL)
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
	static const char *const server_fields[] = {"id",         "state", "revision", "created_at",
	                                            "updated_at", "stale", "changed"};
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
	if (file != NULL && (body = read_input(file, false)) == NULL)
		goto out;
	if (!id_path(x, "/api/v1/pocs", id, "", path, sizeof(path)) ||
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
	if (!id_path(x, "/api/v1/pocs", id, "", path, sizeof(path)) ||
	    (cur = get_object(x, path, etag, sizeof(etag))) == NULL)
		return POC_FAIL;
	json_decref(cur);
	if (!if_match(x, etag, header, sizeof(header)) ||
	    !call(x, "DELETE", path, NULL, 0, headers, &r))
		return POC_FAIL;
	client_resp_free(&r);
	if (!x->json) {
		fputs("deleted ", stdout);
		term_put_clean(stdout, id);
		fputc('\n', stdout);
	}
	return POC_OK;
}

int
cmd_pocs(struct ctx *x, int argc, char **argv)
{
	static const struct command subs[] = {{"show", pocs_show},
	                                      {"add", pocs_add},
	                                      {"edit", pocs_edit},
	                                      {"rm", pocs_rm},
	                                      {"confirm", pocs_confirm}};

	return run_subcommand(x, argc, argv, subs, sizeof(subs) / sizeof(subs[0]),
	                      "show, add, edit, rm or confirm");
}
