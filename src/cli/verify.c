/* The record from the outside: receipts fetched and checked offline, and witnessing. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/merkle.h"
#include "core/receipt_check.h"

#define FILE_MAX   (1u << 20)
#define WITNESSES  16
#define MERKLE_B64 sodium_base64_ENCODED_LEN(MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL)

/* The whole of file ("-": standard input), NUL-terminated, at most FILE_MAX bytes; the caller
 * frees it. NULL after saying why not. */
static char *
slurp(const char *file, size_t *len)
{
	bool is_stdin = strcmp(file, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(file, "re");
	char *buf;

	if (f == NULL) {
		fprintf(stderr, "poc: cannot open %s: %s\n", file, strerror(errno));
		return NULL;
	}
	buf = malloc(FILE_MAX + 1);
	*len = buf != NULL ? fread(buf, 1, FILE_MAX + 1, f) : 0;
	if (buf == NULL || ferror(f) || *len > FILE_MAX) {
		fprintf(stderr, "poc: cannot read %s: %s\n", file,
		        buf == NULL       ? "out of memory"
		        : *len > FILE_MAX ? "larger than 1 MiB"
		                          : strerror(errno));
		free(buf);
		buf = NULL;
	} else {
		buf[*len] = '\0';
	}
	if (!is_stdin)
		fclose(f);
	return buf;
}

/* A vkey given as its text or as a file holding it. */
static bool
load_key(const char *arg, enum note_key_type type, struct note_key *k)
{
	char text[NOTE_KEY_TEXT], msg[96], *file = NULL;
	size_t len;

	if (access(arg, R_OK) == 0 && (file = slurp(arg, &len)) != NULL) {
		snprintf(text, sizeof(text), "%s", file);
		text[strcspn(text, "\r\n")] = '\0';
		free(file);
	} else {
		snprintf(text, sizeof(text), "%s", arg);
	}
	if (!note_key_parse(text, k, msg, sizeof(msg))) {
		fprintf(stderr, "poc: the key %s %s\n", arg, msg);
		return false;
	}
	if (k->type != type) {
		fprintf(stderr, "poc: %s is a %s, not a %s\n", arg,
		        k->type == NOTE_COSIG ? "witness key" : "log key",
		        type == NOTE_COSIG ? "witness key" : "log key");
		return false;
	}
	return true;
}

#define ATTACHMENTS_MAX 20

/* Whether the content (a communication or reply as stored) lists the file's SHA-256 among
 * its attachments; says which when it does not. */
static bool
content_lists(const char *content, size_t len, const char *file)
{
	crypto_hash_sha256_state st;
	unsigned char buf[65536], h[crypto_hash_sha256_BYTES];
	char hex[65];
	const char *listed;
	json_t *doc, *a;
	bool found = false, read_ok;
	size_t n, i;
	FILE *f = fopen(file, "rb");

	if (f == NULL) {
		fprintf(stderr, "poc: cannot read %s: %s\n", file, strerror(errno));
		return false;
	}
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	read_ok = !ferror(f);
	fclose(f);
	if (!read_ok) {
		fprintf(stderr, "poc: cannot read %s\n", file);
		return false;
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	doc = json_loadb(content, len, 0, NULL);
	json_array_foreach(json_object_get(doc, "attachments"), i, a)
	{
		listed = json_string_value(json_object_get(a, "sha256"));
		found |= listed != NULL && strcmp(listed, hex) == 0;
	}
	json_decref(doc);
	if (!found)
		printf("attachment %s (sha256 %s) is NOT in the content\n", file, hex);
	return found;
}

int
cmd_verify(struct ctx *x, int argc, char **argv)
{
	const char *attachments[ATTACHMENTS_MAX];
	size_t nattachments = 0;
	struct note_key log_keys[WITNESSES], wit[WITNESSES];
	struct receipt_check chk = {.log_keys = log_keys, .witnesses = wit};
	struct receipt_facts f;
	const char *content_file = NULL;
	char *text = NULL, *content = NULL, msg[256], when[32], *end;
	size_t len, clen = 0;
	long min = -1;
	int ch, rc = POC_USAGE;
	time_t t;

	while ((ch = next_option(x, argc, argv, false, &rc)) != -1) {
		if (ch == 0)
			return rc;
		if (ch == OPT_KEY) {
			if (chk.nlog_keys == WITNESSES)
				return usage_error("verify takes at most %d log keys", WITNESSES);
			if (!load_key(optarg, NOTE_ED25519, &log_keys[chk.nlog_keys++]))
				return POC_USAGE;
		} else if (ch == OPT_WITNESS) {
			if (chk.nwitnesses == WITNESSES)
				return usage_error("verify takes at most %d witnesses", WITNESSES);
			if (!load_key(optarg, NOTE_COSIG, &wit[chk.nwitnesses++]))
				return POC_USAGE;
		} else if (ch == OPT_MIN) {
			min = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || min < 0 || min > WITNESSES)
				return usage_error("--min takes a number from 0 to %d", WITNESSES);
		} else if (ch == OPT_CONTENT) {
			content_file = optarg;
		} else if (ch == OPT_ATTACHMENT) {
			if (nattachments == ATTACHMENTS_MAX)
				return usage_error("verify takes at most %d attachments",
				                   ATTACHMENTS_MAX);
			attachments[nattachments++] = optarg;
		} else {
			return refuse_option(x, argv);
		}
	}
	if (argc - optind != 1 || chk.nlog_keys == 0 || (nattachments > 0 && content_file == NULL))
		return usage_error(
		    "verify takes RECEIPT --key LOG_KEY... [--witness KEY]... [--min N] "
		    "[--content FILE [--attachment FILE]...]");
	chk.min_witnesses = min >= 0 ? (size_t)min : chk.nwitnesses;
	if (chk.min_witnesses > chk.nwitnesses)
		return usage_error("--min %ld asks for more witnesses than the %zu given", min,
		                   chk.nwitnesses);
	rc = POC_FAIL;
	if ((text = slurp(argv[optind], &len)) == NULL)
		goto out;
	if (content_file != NULL) {
		if ((content = slurp(content_file, &clen)) == NULL)
			goto out;
		chk.content = content;
		chk.content_len = clen;
	}
	if (!receipt_check(text, len, &chk, &f, msg, sizeof(msg))) {
		printf("receipt does NOT hold: %s\n", msg);
		goto out;
	}
	t = (time_t)f.time;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	printf("receipt holds: %s of %s at %s, for %s (acting state %s)\n", f.event, f.object, when,
	       f.party, f.actor_state[0] != '\0' ? f.actor_state : "none");
	printf("  leaf %llu of a log of %llu, signed by %s", (unsigned long long)f.index,
	       (unsigned long long)f.size, f.log_name);
	if (chk.nwitnesses > 0)
		printf("; cosigned by %zu of %zu witnesses", f.cosigned, chk.nwitnesses);
	printf("%s\n", content != NULL ? "; the content matches its commitment" : "");
	for (size_t i = 0; i < nattachments; i++)
		if (!content_lists(content, clen, attachments[i]))
			goto out;
	if (nattachments > 0)
		printf("  the content lists the SHA-256 of every attachment given\n");
	rc = POC_OK;
out:
	free(text);
	free(content);
	return rc;
}

int
cmd_receipt(struct ctx *x, int argc, char **argv)
{
	const char *output = NULL;
	struct client_resp r = {0};
	char path[PATH_SIZE];
	int ch, rc = POC_USAGE;

	while ((ch = next_option(x, argc, argv, false, &rc)) != -1) {
		if (ch == 0)
			return rc;
		if (ch != OPT_OUTPUT)
			return refuse_option(x, argv);
		output = optarg;
	}
	if (argc - optind != 1)
		return usage_error("receipt takes EVENT_ID [--output FILE]");
	if ((rc = connect_to(x, true)) != POC_OK)
		return rc;
	rc = POC_FAIL;
	if (id_path(x, "/api/v1/receipts", argv[optind], "", path, sizeof(path)) &&
	    call(x, "GET", path, NULL, 0, NULL, &r) && write_output(output, r.body, r.len, "\n"))
		rc = POC_OK;
	client_resp_free(&r);
	return rc;
}

/* The witness's secret key file: 64 bytes of Ed25519 secret key, then its name. */
static bool
read_witness(const char *file, uint8_t sk[crypto_sign_SECRETKEYBYTES], struct note_key *k)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	char name[NOTE_NAME_MAX];
	struct stat sb;
	size_t len;
	char *buf;
	bool ok;

	if (stat(file, &sb) == 0 && (sb.st_mode & 077) != 0) {
		fprintf(stderr, "poc: the witness key %s may be read by others: chmod 600 it\n",
		        file);
		return false;
	}
	if ((buf = slurp(file, &len)) == NULL)
		return false;
	ok = len > crypto_sign_SECRETKEYBYTES && len - crypto_sign_SECRETKEYBYTES < sizeof(name);
	if (ok) {
		memcpy(sk, buf, crypto_sign_SECRETKEYBYTES);
		memcpy(name, buf + crypto_sign_SECRETKEYBYTES, len - crypto_sign_SECRETKEYBYTES);
		name[len - crypto_sign_SECRETKEYBYTES] = '\0';
		crypto_sign_ed25519_sk_to_pk(pk, sk);
		note_key_make(name, NOTE_COSIG, pk, k);
	} else {
		fprintf(stderr, "poc: %s is not a witness key that 'poc witness keygen' made\n",
		        file);
	}
	sodium_memzero(buf, len);
	free(buf);
	return ok;
}

static int
witness_keygen(const char *name, const char *file)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES] = {0}, sk[crypto_sign_SECRETKEYBYTES];
	char vkey[NOTE_KEY_TEXT], msg[96];
	struct note_key k;
	int fd;
	bool ok;

	note_key_make(name, NOTE_COSIG, pk, &k);
	note_key_format(&k, vkey);
	if (!note_key_parse(vkey, &k, msg, sizeof(msg)))
		return usage_error("the witness name %s cannot be used: no spaces or '+'", name);
	crypto_sign_keypair(pk, sk);
	note_key_make(name, NOTE_COSIG, pk, &k);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ok = fd >= 0 && write(fd, sk, sizeof(sk)) == (ssize_t)sizeof(sk) &&
	     write(fd, name, strlen(name)) == (ssize_t)strlen(name) && fsync(fd) == 0;
	sodium_memzero(sk, sizeof(sk));
	if (fd >= 0)
		close(fd);
	if (!ok) {
		fprintf(stderr, "poc: cannot write %s: %s\n", file, strerror(errno));
		return POC_FAIL;
	}
	note_key_format(&k, vkey);
	printf("%s\n", vkey);
	return POC_OK;
}

/* The last checkpoint the witness cosigned, as "SIZE BASE64ROOT" in its state file. */
static bool
read_last(const char *file, uint64_t *size, uint8_t root[MERKLE_HASH])
{
	char b64[MERKLE_B64 + 1];
	unsigned long long n;
	size_t len;
	FILE *f = fopen(file, "re");
	bool ok;

	*size = 0;
	if (f == NULL)
		return errno == ENOENT;
	ok = fscanf(f, "%llu %45s", &n, b64) == 2 &&
	     sodium_base642bin(root, MERKLE_HASH, b64, strlen(b64), NULL, &len, NULL,
	                       sodium_base64_VARIANT_ORIGINAL) == 0 &&
	     len == MERKLE_HASH;
	fclose(f);
	if (!ok)
		fprintf(stderr, "poc: %s is not a witness state file\n", file);
	*size = ok ? n : 0;
	return ok;
}

static bool
write_last(const char *file, uint64_t size, const uint8_t root[MERKLE_HASH])
{
	char tmp[PATH_SIZE], b64[MERKLE_B64];
	FILE *f;
	bool ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	sodium_bin2base64(b64, sizeof(b64), root, MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL);
	f = fopen(tmp, "we");
	ok = f != NULL && fprintf(f, "%llu %s\n", (unsigned long long)size, b64) > 0;
	ok = f != NULL && fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
	if (f != NULL)
		ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, file) != 0) {
		fprintf(stderr, "poc: cannot write %s: %s\n", file, strerror(errno));
		return false;
	}
	return true;
}

/* Whether the log's tree of size with root extends the one the witness last cosigned. */
static bool
consistent(struct ctx *x, uint64_t old, const uint8_t old_root[MERKLE_HASH], uint64_t size,
           const uint8_t root[MERKLE_HASH])
{
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH];
	char path[PATH_SIZE];
	json_t *doc, *hs;
	size_t n, len;
	bool whole;

	if (old == 0)
		return true;
	if (size < old) {
		fprintf(stderr,
		        "poc: the log shrank from %llu to %llu leaves: it is not append-only\n",
		        (unsigned long long)old, (unsigned long long)size);
		return false;
	}
	if (size == old)
		return memcmp(root, old_root, MERKLE_HASH) == 0;
	snprintf(path, sizeof(path), "/api/v1/log/proof/consistency?first=%llu&second=%llu",
	         (unsigned long long)old, (unsigned long long)size);
	if ((doc = get_object(x, path, NULL, 0)) == NULL)
		return false;
	hs = json_object_get(doc, "hashes");
	for (n = 0; n < json_array_size(hs) && n < MERKLE_PROOF_MAX; n++) {
		const char *h = json_string_value(json_array_get(hs, n));
		if (h == NULL ||
		    sodium_base642bin(proof[n], MERKLE_HASH, h, strlen(h), NULL, &len, NULL,
		                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    len != MERKLE_HASH)
			break;
	}
	whole = n == json_array_size(hs);
	json_decref(doc);
	return whole &&
	       merkle_verify_consistency(old, size, old_root, root, (const uint8_t(*)[32])proof, n);
}

static int
witness_cosign(struct ctx *x, const char *keyfile, const char *log_key_arg, const char *state)
{
	uint8_t sk[crypto_sign_SECRETKEYBYTES], old_root[MERKLE_HASH];
	struct note_key wk, lk;
	struct client_resp r = {0};
	struct checkpoint cp;
	char line[NOTE_SIG_LINE], msg[96];
	size_t body_len;
	uint64_t old;
	json_t *body = NULL, *ans = NULL;
	int rc = POC_FAIL;

	if (!read_witness(keyfile, sk, &wk) || !load_key(log_key_arg, NOTE_ED25519, &lk))
		return POC_USAGE;
	if (!read_last(state, &old, old_root) || (rc = connect_to(x, true)) != POC_OK)
		goto out;
	rc = POC_FAIL;
	if (!call(x, "GET", "/api/v1/log/checkpoint", NULL, 0, NULL, &r))
		goto out;
	if (!note_parse(r.body, r.len, &cp, &body_len, msg, sizeof(msg)) ||
	    strcmp(cp.origin, lk.name) != 0 || !note_verify(r.body, r.len, &lk, NULL)) {
		fprintf(stderr, "poc: the checkpoint is not signed by the log key %s\n", lk.name);
		goto out;
	}
	if (!consistent(x, old, old_root, cp.size, cp.root)) {
		fprintf(
		    stderr,
		    "poc: INCONSISTENT: the log's tree of %llu leaves does not extend the one of "
		    "%llu leaves this witness cosigned: keep %s and both checkpoints as evidence\n",
		    (unsigned long long)cp.size, (unsigned long long)old, state);
		goto out;
	}
	note_cosign(r.body, body_len, &wk, sk, (uint64_t)time(NULL), line);
	line[strcspn(line, "\n")] = '\0';
	body = json_pack("{s:I,s:s}", "size", (json_int_t)cp.size, "cosignature", line);
	if (body == NULL || (ans = post_object(x, "/api/v1/log/cosignatures", body)) == NULL)
		goto out;
	if (!write_last(state, cp.size, cp.root))
		goto out;
	printf("cosigned the checkpoint of %llu leaves as %s\n", (unsigned long long)cp.size,
	       wk.name);
	rc = POC_OK;
out:
	sodium_memzero(sk, sizeof(sk));
	client_resp_free(&r);
	json_decref(body);
	json_decref(ans);
	return rc;
}

int
cmd_witness(struct ctx *x, int argc, char **argv)
{
	const char *name = NULL, *key = NULL, *log_key = NULL, *state = NULL;
	bool keygen = argc > 1 && strcmp(argv[1], "keygen") == 0;
	int ch, rc = POC_USAGE;

	if (keygen) {
		argc--;
		argv++;
	}
	while ((ch = next_option(x, argc, argv, false, &rc)) != -1) {
		if (ch == 0)
			return rc;
		if (ch == OPT_NAME && keygen)
			name = optarg;
		else if (ch == OPT_KEY)
			key = optarg;
		else if (ch == OPT_LOG_KEY && !keygen)
			log_key = optarg;
		else if (ch == OPT_STATE_FILE && !keygen)
			state = optarg;
		else
			return refuse_option(x, argv);
	}
	if (argc - optind != 0)
		return usage_error("witness takes no arguments");
	if (keygen) {
		if (name == NULL || key == NULL)
			return usage_error("witness keygen takes --name NAME --key FILE");
		return witness_keygen(name, key);
	}
	if (key == NULL || log_key == NULL || state == NULL)
		return usage_error("witness takes --key FILE --log-key LOG_KEY --state-file FILE");
	return witness_cosign(x, key, log_key, state);
}
