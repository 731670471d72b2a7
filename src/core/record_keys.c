#include "core/record_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/timeutil.h"

/* Reads a secret key from path; POCD_ENOTFOUND when there is none. */
static enum pocd_err
read_secret(const char *path, uint8_t sk[crypto_sign_SECRETKEYBYTES], char *msg, size_t msglen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	ssize_t got;

	if (fd < 0 && errno == ENOENT)
		return POCD_ENOTFOUND;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(msg, msglen, "cannot read the log key %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return POCD_ESTORE;
	}
	if ((sb.st_mode & 077) != 0) {
		snprintf(msg, msglen, "the log key %s may be read by others: chmod 600 it", path);
		close(fd);
		return POCD_EFORBIDDEN;
	}
	got = read(fd, sk, crypto_sign_SECRETKEYBYTES);
	close(fd);
	if (got != crypto_sign_SECRETKEYBYTES) {
		snprintf(msg, msglen, "the log key %s is not a key of this service", path);
		return POCD_ESTORE;
	}
	return POCD_OK;
}

static bool
write_secret(const char *path, const uint8_t sk[crypto_sign_SECRETKEYBYTES], char *msg,
             size_t msglen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	bool ok = fd >= 0 &&
	          write(fd, sk, crypto_sign_SECRETKEYBYTES) == crypto_sign_SECRETKEYBYTES &&
	          fsync(fd) == 0;

	if (!ok)
		snprintf(msg, msglen, "cannot write the log key %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Reads the secret key from path, or makes one there (mode 0600) when it is absent and the
 * log has signed nothing yet: a lost key is an error, not a fresh start. Then the previous key,
 * kept beside it during a rotation's transition. */
enum pocd_err
record_load_keys(struct record *r, const char *path, struct store *st, char *msg, size_t msglen)
{
	struct store_conn *rd;
	int64_t size = 0;
	char *note = NULL, prev[1200];
	enum pocd_err err = read_secret(path, r->sk, msg, msglen);

	if (err == POCD_ENOTFOUND) {
		rd = store_reader(st);
		if (rd == NULL || store_log_checkpoint_last(rd, &size, &note) != POCD_ENOTFOUND) {
			free(note);
			snprintf(
			    msg, msglen,
			    "the log key %s is missing but the log has checkpoints signed with "
			    "it: restore the key from the backup",
			    path);
			return POCD_ENOTFOUND;
		}
		crypto_sign_keypair(r->key.pk, r->sk);
		return write_secret(path, r->sk, msg, msglen) ? POCD_OK : POCD_ESTORE;
	}
	if (err != POCD_OK)
		return err;
	crypto_sign_ed25519_sk_to_pk(r->key.pk, r->sk);
	snprintf(prev, sizeof(prev), "%s.previous", path);
	err = read_secret(prev, r->prev_sk, msg, msglen);
	if (err == POCD_OK) {
		crypto_sign_ed25519_sk_to_pk(r->prev_key.pk, r->prev_sk);
		r->has_prev = true;
	}
	return err == POCD_ENOTFOUND ? POCD_OK : err;
}

/* Adds the vkey of k to the list of every key the log has used, unless it is there. */
static enum pocd_err
remember_key(struct store_conn *w, struct record *r, const struct note_key *k)
{
	char vkey[NOTE_KEY_TEXT], list[RECORD_KEYS_MAX * NOTE_KEY_TEXT];
	enum pocd_err err = store_meta_get(w, "log_keys", list, sizeof(list));
	size_t n;

	if (err == POCD_ENOTFOUND) {
		list[0] = '\0';
		err = POCD_OK;
	}
	note_key_format(k, vkey);
	if (err != POCD_OK || strstr(list, vkey) != NULL)
		return err;
	n = strlen(list);
	if (r->nknown == RECORD_KEYS_MAX || n + strlen(vkey) + 2 > sizeof(list))
		return POCD_ECONFLICT;
	snprintf(list + n, sizeof(list) - n, "%s%s", n > 0 ? "\n" : "", vkey);
	r->known[r->nknown++] = *k;
	return store_meta_put(w, "log_keys", list);
}

/* The keys by name; the ones the log used before, for its old checkpoints; whether the previous
 * key still signs (a rotation's transition). */
enum pocd_err
record_keys_run(struct store_conn *w, struct record *r)
{
	char list[RECORD_KEYS_MAX * NOTE_KEY_TEXT], until[24], msg[96], *line, *save = NULL;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	enum pocd_err err;

	memcpy(pk, r->key.pk, sizeof(pk));
	note_key_make(r->origin, NOTE_ED25519, pk, &r->key);
	if (r->has_prev) {
		memcpy(pk, r->prev_key.pk, sizeof(pk));
		note_key_make(r->origin, NOTE_ED25519, pk, &r->prev_key);
		r->has_prev =
		    store_meta_get(w, "log_previous_until", until, sizeof(until)) == POCD_OK &&
		    strtoll(until, NULL, 10) > now_s();
	}
	err = store_meta_get(w, "log_keys", list, sizeof(list));
	for (line = err == POCD_OK ? strtok_r(list, "\n", &save) : NULL;
	     line != NULL && r->nknown < RECORD_KEYS_MAX; line = strtok_r(NULL, "\n", &save))
		if (note_key_parse(line, &r->known[r->nknown], msg, sizeof(msg)))
			r->nknown++;
	return remember_key(w, r, &r->key);
}

struct rotate_job {
	struct store_job job;
	struct record *r;
	struct note_key next;
	int64_t until;
};

static enum pocd_err
rotate_run(struct store_conn *w, struct store_job *j)
{
	struct rotate_job *rj = (struct rotate_job *)j;
	char until[24];
	enum pocd_err err = remember_key(w, rj->r, &rj->next);

	snprintf(until, sizeof(until), "%lld", (long long)rj->until);
	return err == POCD_OK ? store_meta_put(w, "log_previous_until", until) : err;
}

enum pocd_err
record_rotate_key(struct core *c, const char *db_path, int64_t transition, char *msg, size_t msglen)
{
	struct record *r = c->record;
	struct rotate_job rj = {.job.run = rotate_run, .r = r, .until = now_s() + transition};
	uint8_t sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	char path[1100], prev[1200], next[1200];
	struct stat sb;
	enum pocd_err err = POCD_ESTORE;

	snprintf(path, sizeof(path), "%s.logkey", db_path);
	snprintf(prev, sizeof(prev), "%s.previous", path);
	snprintf(next, sizeof(next), "%s.next", path);
	if (r->has_prev) {
		snprintf(msg, msglen,
		         "the previous key still signs beside the current one: rotate "
		         "again once its transition is over");
		return POCD_ECONFLICT;
	}
	/* A previous key whose transition is over signs nothing more. */
	if (stat(prev, &sb) == 0 && unlink(prev) != 0) {
		snprintf(msg, msglen, "cannot remove %s: %s", prev, strerror(errno));
		return POCD_ESTORE;
	}
	crypto_sign_keypair(pk, sk);
	note_key_make(r->origin, NOTE_ED25519, pk, &rj.next);
	/* The list of keys first: a log that signs with a key it does not list fails to verify. */
	if (!write_secret(next, sk, msg, msglen))
		goto out;
	err = store_run_sync(c->store, &rj.job);
	if (err != POCD_OK) {
		snprintf(msg, msglen, "cannot record the new key: %s", pocd_err_name(err));
		unlink(next);
		goto out;
	}
	err = POCD_ESTORE;
	if (rename(path, prev) != 0 || rename(next, path) != 0) {
		snprintf(msg, msglen, "cannot put the new key in place (%s): check %s and %s",
		         strerror(errno), path, prev);
		goto out;
	}
	err = POCD_OK;
out:
	sodium_memzero(sk, sizeof(sk));
	return err;
}
