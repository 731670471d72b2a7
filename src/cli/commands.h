/* The commands of poc and what they share: the state of one run, option parsing, requests
 * that report their own failures, and tables. poc.c holds main, these shared parts and the
 * directory commands; pocs.c holds the pocs subcommands; comms.c and template.c the
 * communication commands (comms.c also the table helpers); pings.c the ping tests, tasks and
 * confirmations. */
#ifndef POCD_CLI_COMMANDS_H
#define POCD_CLI_COMMANDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli/client.h"

#define PATH_SIZE 2048 /* a request path with its query */

enum exit_code {
	POC_OK = 0,   /* done */
	POC_FAIL = 1, /* the server refused, could not be reached, or a file failed */
	POC_USAGE = 2 /* the command line is wrong */
};

/* The long options without a short form, as next_option returns them. */
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
	OPT_STATUS,
	OPT_TEXT,
	OPT_STATE,
	OPT_CODES,
	OPT_SCOPE,
	OPT_KINDS,
	OPT_WINDOW_HOURS,
	OPT_REMINDERS,
	OPT_NO_CHALLENGE,
	OPT_ALL,
	OPT_KEY,
	OPT_WITNESS,
	OPT_MIN,
	OPT_CONTENT,
	OPT_NAME,
	OPT_LOG_KEY,
	OPT_STATE_FILE,
	OPT_ATTACH,
	OPT_ATTACHMENT,
};

/* The state of one run of poc. */
struct ctx {
	const char *server_opt;                     /* --server, or NULL */
	bool json;                                  /* --json: print the server's JSON */
	struct client cl;                           /* set up by connect_to */
	bool login_hint;                            /* after a 401, suggest "poc login" */
	const char *option;                         /* the long option next_option last read */
	char no_token[CLIENT_SERVER_SIZE * 2 + 64]; /* why no token is sent; empty if one is */
};

/* A command (or a subcommand): fn gets argv from the command's name on and returns the exit
 * code. */
struct command {
	const char *name;
	int (*fn)(struct ctx *x, int argc, char **argv);
};

/* Runs the subcommand argv[1] of the command argv[0], one of the n of subs, with argv from
 * the subcommand's name on; names lists them for the usage errors. */
int run_subcommand(struct ctx *x, int argc, char **argv, const struct command *subs, size_t n,
                   const char *names);

/* Prints a usage error and returns POC_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The next option of argv: global ones (before the command) if global, else a command's.
 * Handles the options every command takes. Returns the option, -1 at the end of the options,
 * or 0 when the command must stop and return *rc: after --help, or after a usage error it
 * printed. */
int next_option(struct ctx *x, int argc, char **argv, bool global, int *rc);

/* Prints that the command argv[0] does not take the option just read; returns POC_USAGE. */
int refuse_option(const struct ctx *x, char **argv);

/* Upper-cases the alpha-3 code s into out; false if s is not three letters. */
bool state_code(const char *s, char out[4]);

/* Chooses the server (--server, then $POC_SERVER, then the one logged in to, then the
 * default) and, if with_token, the saved token when it was given by that server and has not
 * expired. Returns POC_OK, or an exit code after printing why not. */
int connect_to(struct ctx *x, bool with_token);

/* Sends one request; true only for a 2xx answer, which is then in resp (release it with
 * client_resp_free). False after saying why not: other answers are reported and released. */
bool call(struct ctx *x, const char *method, const char *path, const char *body, size_t len,
          const char *const *headers, struct client_resp *resp);

/* Like call, for files (client_stream): the body read from in, len bytes; with out, a 2xx
 * answer's body is written there and hashed into hash. */
bool call_file(struct ctx *x, const char *method, const char *path, FILE *in, long long len,
               const char *const *headers, FILE *out, crypto_hash_sha256_state *hash,
               struct client_resp *resp);

/* Uploads each of the n files (POST /api/v1/attachments), checks the hash each answer
 * gives against the file's, and appends each id to the array ids. False after saying why
 * not. */
bool upload_files(struct ctx *x, char *const *files, size_t n, json_t *ids);

/* The answer's body as a JSON object, owned by the caller; NULL after saying why not. */
json_t *answer_object(const struct ctx *x, const struct client_resp *r);

/* GETs path; its answer as a JSON object owned by the caller, with its ETag copied into etag
 * unless etag is NULL. NULL after saying why not. */
json_t *get_object(struct ctx *x, const char *path, char *etag, size_t etaglen);

/* Appends "/" and the escaped segment to path; false after saying why not. */
bool path_add(struct ctx *x, char *path, size_t pathlen, const char *segment);

/* prefix, then "/" and the escaped id, then suffix (such as "/close" or "") into path; false
 * after saying why not. */
bool id_path(struct ctx *x, const char *prefix, const char *id, const char *suffix, char *path,
             size_t pathlen);

/* Appends "?name=value" or "&name=value", escaped, to path unless value is NULL; false after
 * saying why not. */
bool query_add(struct ctx *x, char *path, size_t pathlen, const char *name, const char *value);

/* GETs path and, while an answer names a "next" cursor, the pages after it. Returns the
 * first page's document holding the items of every page, with "next" null; the caller owns
 * it (json_decref). NULL after saying why not. */
json_t *fetch_all(struct ctx *x, const char *path);

/* POSTs body to path; the answer as a JSON object the caller owns, or NULL after saying why
 * not. */
json_t *post_object(struct ctx *x, const char *path, const json_t *body);

/* Writes len bytes of data, then tail, to file (NULL or "-": standard output). A new file
 * gets mode 0600. False after saying why not. */
bool write_output(const char *file, const char *data, size_t len, const char *tail);

/* Fills row, one cell per column, from item; the cells point into item. */
typedef void (*row_fn)(const json_t *item, const char **row);

/* Prints doc as it is with --json, else its items as a table under the ncols columns of
 * head, each row filled by fill. POC_OK, or POC_FAIL when out of memory. */
int print_items(const struct ctx *x, const json_t *doc, size_t ncols, const char *const *head,
                row_fn fill);

/* A table being filled: nrows rows of ncols cells. A cell points into the JSON it shows or,
 * when built here, into owned, which frees it. */
struct table {
	size_t ncols, nrows;
	const char **cells;
	char **owned;
};

/* Sets up t for nrows rows of ncols cells, all "-"; false after saying why not (then release
 * t with table_free all the same). */
bool table_init(struct table *t, size_t ncols, size_t nrows);
/* Makes s, which outlives t, the cell at row, col. */
void table_set(struct table *t, size_t row, size_t col, const char *s);
/* Makes a copy of s the cell at row, col; keeps "-" if out of memory. */
void table_copy(struct table *t, size_t row, size_t col, const char *s);
/* Releases what t holds; safe after a failed table_init. */
void table_free(struct table *t);
/* Prints t under head, then releases it. */
void table_print(struct table *t, const char *const *head);

/* Reads the JSON object in file ("-": standard input), or also a JSON array if array_ok, of
 * 1 MiB at most; the caller owns it. NULL after saying why not. */
json_t *read_input(const char *file, bool array_ok);

/* Prints j on standard output, indented, in its own order. */
void print_json(const json_t *j);

/* The string member name of o, or "-" when it is missing or not a string. */
const char *str(const json_t *o, const char *name);

/* The commands: help prints the usage; pocs runs the pocs subcommand argv[1]; send to
 * template are the communication commands of the same name, in comms.c (template in
 * template.c); campaign to report are the ping and freshness commands of pings.c, where
 * pocs_confirm, the pocs confirm subcommand, is too. */
int cmd_help(struct ctx *x, int argc, char **argv);
int cmd_pocs(struct ctx *x, int argc, char **argv);
int cmd_send(struct ctx *x, int argc, char **argv);
int cmd_inbox(struct ctx *x, int argc, char **argv);
int cmd_outbox(struct ctx *x, int argc, char **argv);
int cmd_show(struct ctx *x, int argc, char **argv);
int cmd_ack(struct ctx *x, int argc, char **argv);
int cmd_reply(struct ctx *x, int argc, char **argv);
int cmd_close(struct ctx *x, int argc, char **argv);
int cmd_template(struct ctx *x, int argc, char **argv);
int cmd_campaign(struct ctx *x, int argc, char **argv);
int cmd_pings(struct ctx *x, int argc, char **argv);
int cmd_ping(struct ctx *x, int argc, char **argv);
int cmd_tasks(struct ctx *x, int argc, char **argv);
int cmd_report(struct ctx *x, int argc, char **argv);
int pocs_confirm(struct ctx *x, int argc, char **argv);
/* The record, in verify.c: verify checks a receipt offline, receipt fetches one, witness
 * cosigns the log's checkpoint (or makes a witness key). */
int cmd_verify(struct ctx *x, int argc, char **argv);
int cmd_receipt(struct ctx *x, int argc, char **argv);
int cmd_witness(struct ctx *x, int argc, char **argv);
int cmd_attachment(struct ctx *x, int argc, char **argv);

#endif
