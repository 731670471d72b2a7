/* Attachments in poc: the uploads behind `send --attach` and `reply --attach`, and
 * `attachment get`, which saves a file only when its bytes hash to what the server lists. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/commands.h"

#define ATTACH_PATH "/api/v1/attachments"

/* The SHA-256 of the open file f in lowercase hex, leaving f at its start; false on a read
 * error. */
static bool
file_sha256(FILE *f, char hex[65])
{
	crypto_hash_sha256_state st;
	unsigned char buf[65536], h[crypto_hash_sha256_BYTES];
	size_t n;

	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	if (ferror(f) || fseek(f, 0, SEEK_SET) != 0)
		return false;
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 65, h, sizeof(h));
	return true;
}

/* Uploads one file; its id appended to ids. */
static bool
upload_one(struct ctx *x, const char *file, json_t *ids)
{
	static const char *const headers[] = {"Content-Type: application/octet-stream", NULL};
	char path[PATH_SIZE] = ATTACH_PATH, local[65], copy[PATH_SIZE];
	struct client_resp r = {0};
	struct stat sb;
	json_t *doc = NULL;
	const char *sha;
	bool ok = false;
	FILE *f = fopen(file, "rb");

	if (f == NULL || fstat(fileno(f), &sb) != 0) {
		fprintf(stderr, "poc: cannot read %s: %s\n", file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		fprintf(stderr, "poc: %s is not a regular file\n", file);
		goto out;
	}
	if (!file_sha256(f, local)) {
		fprintf(stderr, "poc: cannot read %s: %s\n", file, strerror(errno));
		goto out;
	}
	strlcpy(copy, file, sizeof(copy));
	if (!query_add(x, path, sizeof(path), "filename", basename(copy)) ||
	    !call_file(x, "POST", path, f, (long long)sb.st_size, headers, NULL, NULL, &r))
		goto out;
	doc = answer_object(x, &r);
	sha = json_string_value(json_object_get(doc, "sha256"));
	if (doc == NULL || sha == NULL || strcmp(sha, local) != 0) {
		fprintf(stderr, "poc: %s: the server's hash of the upload is not the file's\n",
		        file);
		goto out;
	}
	ok = json_array_append(ids, json_object_get(doc, "id")) == 0;
	if (!ok)
		fputs("poc: out of memory\n", stderr);
out:
	json_decref(doc);
	client_resp_free(&r);
	if (f != NULL)
		fclose(f);
	return ok;
}

bool
upload_files(struct ctx *x, char *const *files, size_t n, json_t *ids)
{
	for (size_t i = 0; i < n; i++)
		if (!upload_one(x, files[i], ids))
			return false;
	return true;
}

/* attachment get ID [--output FILE]: the file is written under a temporary name beside
 * FILE and renamed only when its hash is the one the server gave. */
static int
attachment_get(struct ctx *x, int argc, char **argv)
{
	const char *output = NULL;
	struct client_resp r = {0};
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	char path[PATH_SIZE], tmp[PATH_SIZE], got[65];
	int ch, fd = -1, rc = POC_USAGE;
	FILE *out = NULL;

	while ((ch = next_option(x, argc, argv, false, &rc)) != -1) {
		if (ch == 0)
			return rc;
		if (ch != OPT_OUTPUT)
			return refuse_option(x, argv);
		output = optarg;
	}
	if (argc - optind != 1)
		return usage_error("attachment get takes ID [--output FILE]");
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	rc = POC_FAIL;
	if (!id_path(x, ATTACH_PATH, argv[optind], "", path, sizeof(path)))
		return rc;
	if (output != NULL && strcmp(output, "-") != 0) {
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", output) >= sizeof(tmp)) {
			fprintf(stderr, "poc: the file name %s is too long\n", output);
			return rc;
		}
		fd = mkstemp(tmp);
		out = fd >= 0 ? fdopen(fd, "wb") : NULL;
		if (out == NULL) {
			fprintf(stderr, "poc: cannot write next to %s: %s\n", output,
			        strerror(errno));
			if (fd >= 0)
				close(fd);
			return rc;
		}
	} else {
		out = stdout;
	}
	crypto_hash_sha256_init(&st);
	if (!call_file(x, "GET", path, NULL, 0, NULL, out, &st, &r))
		goto out;
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(got, sizeof(got), h, sizeof(h));
	if (strcmp(got, r.sha256) != 0) {
		fprintf(stderr,
		        "poc: the bytes received hash to %s, not to %s as the server says\n", got,
		        r.sha256[0] != '\0' ? r.sha256 : "(no hash given)");
		goto out;
	}
	if (out != stdout) {
		if (fflush(out) != 0 || fsync(fileno(out)) != 0 || fclose(out) != 0) {
			out = NULL;
			fprintf(stderr, "poc: cannot write %s: %s\n", output, strerror(errno));
			goto out;
		}
		out = NULL;
		if (rename(tmp, output) != 0) {
			fprintf(stderr, "poc: cannot write %s: %s\n", output, strerror(errno));
			goto out;
		}
		tmp[0] = '\0';
		fprintf(stderr, "saved %s (sha256 %s)\n", output, got);
	}
	rc = POC_OK;
out:
	if (out != NULL && out != stdout)
		fclose(out);
	if (fd >= 0 && tmp[0] != '\0')
		unlink(tmp);
	client_resp_free(&r);
	return rc;
}

int
cmd_attachment(struct ctx *x, int argc, char **argv)
{
	static const struct command subs[] = {{"get", attachment_get}};

	return run_subcommand(x, argc, argv, subs, 1, "get");
}
