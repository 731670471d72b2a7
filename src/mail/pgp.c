#include "mail/pgp.h"

#include <errno.h>
#include <fcntl.h>
#include <gpgme.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/durable.h"
#include "lib/timeutil.h"

#define SIGNERS_FILE "pocd-signers"
#define SIGNERS_MAX  512

struct pgp {
	gpgme_ctx_t ctx;
	gpgme_key_t signer;
	gpgme_key_t prev; /* during a transition, the previous key signs too */
	struct pgp_keys keys;
};

static gpgme_error_t
new_ctx(const char *home, gpgme_ctx_t *ctx)
{
	gpgme_error_t e = gpgme_new(ctx);

	if (e == 0)
		e = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP);
	if (e == 0)
		e = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_OpenPGP, NULL, home);
	if (e == 0)
		e = gpgme_set_pinentry_mode(*ctx, GPGME_PINENTRY_MODE_LOOPBACK);
	if (e == 0)
		gpgme_set_armor(*ctx, 1);
	return e;
}

/* The first secret key of the keyring, or NULL. */
static gpgme_key_t
secret_key(gpgme_ctx_t ctx)
{
	gpgme_key_t key = NULL;

	if (gpgme_op_keylist_start(ctx, NULL, 1) == 0 && gpgme_op_keylist_next(ctx, &key) != 0)
		key = NULL;
	gpgme_op_keylist_end(ctx);
	return key;
}

static bool
fpr_ok(const char *f)
{
	if (strlen(f) != FPR_SIZE - 1)
		return false;
	for (const char *p = f; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'F')))
			return false;
	return true;
}

/* Reads home's signers file into keys: POCD_ENOTFOUND when there is none. */
static enum pocd_err
signers_read(const char *home, struct pgp_keys *keys, char *msg, size_t msglen)
{
	char path[1200], text[SIGNERS_MAX], cur[64] = "", prev[64] = "";
	long long until = 0;
	FILE *f;
	size_t n;
	int got;

	memset(keys, 0, sizeof(*keys));
	snprintf(path, sizeof(path), "%s/" SIGNERS_FILE, home);
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return POCD_ENOTFOUND;
		snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
		return POCD_ESTORE;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	got = sscanf(text, "current %63s previous %63s %lld", cur, prev, &until);
	if ((got != 1 && got != 3) || !fpr_ok(cur) || (got == 3 && (!fpr_ok(prev) || until < 0))) {
		snprintf(msg, msglen,
		         "%s is damaged: expected \"current FPR\" and perhaps \"previous FPR "
		         "UNTIL\" lines",
		         path);
		return POCD_EINVAL;
	}
	memcpy(keys->current, cur, FPR_SIZE);
	if (got == 3) {
		memcpy(keys->previous, prev, FPR_SIZE);
		keys->previous_until = until;
	}
	return POCD_OK;
}

/* Replaces home's signers file with keys, atomically, mode 0600. */
static enum pocd_err
signers_write(const char *home, const struct pgp_keys *keys, char *msg, size_t msglen)
{
	char path[1200], tmp[1210], text[SIGNERS_MAX];
	int fd, n;
	bool ok;

	snprintf(path, sizeof(path), "%s/" SIGNERS_FILE, home);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = snprintf(text, sizeof(text), "current %s\nprevious %s %lld\n", keys->current,
	             keys->previous, (long long)keys->previous_until);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ok = fd >= 0 && write(fd, text, (size_t)n) == n && fsync(fd) == 0;
	if (fd >= 0)
		ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		snprintf(msg, msglen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return POCD_ESTORE;
	}
	/* The rename is durable once the keyring directory is. */
	if (!durable_sync(home)) {
		snprintf(msg, msglen, "cannot sync %s: %s", home, strerror(errno));
		return POCD_ESTORE;
	}
	return POCD_OK;
}

struct pgp *
pgp_open(const char *home, const char *uid, char fpr[FPR_SIZE], char *msg, size_t msglen)
{
	struct pgp *p = calloc(1, sizeof(*p));
	gpgme_genkey_result_t gr;
	gpgme_error_t e;

	if (p == NULL) {
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	gpgme_check_version(NULL);
	if (mkdir(home, 0700) != 0 && errno != EEXIST) {
		snprintf(msg, msglen, "cannot make the keyring directory %s: %s", home,
		         strerror(errno));
		goto fail;
	}
	e = new_ctx(home, &p->ctx);
	if (e != 0) {
		snprintf(msg, msglen, "cannot use gpg with %s: %s", home, gpgme_strerror(e));
		goto fail;
	}
	switch (signers_read(home, &p->keys, msg, msglen)) {
	case POCD_OK:
		if (gpgme_get_key(p->ctx, p->keys.current, &p->signer, 1) != 0) {
			snprintf(msg, msglen,
			         "the mail key %s that %s/" SIGNERS_FILE
			         " names is not in the keyring",
			         p->keys.current, home);
			goto fail;
		}
		break;
	case POCD_ENOTFOUND:
		p->signer = secret_key(p->ctx);
		break;
	default:
		goto fail;
	}
	if (p->signer == NULL) {
		e = gpgme_op_createkey(p->ctx, uid, "ed25519", 0, 0, NULL,
		                       GPGME_CREATE_SIGN | GPGME_CREATE_NOPASSWD |
		                           GPGME_CREATE_NOEXPIRE);
		gr = e == 0 ? gpgme_op_genkey_result(p->ctx) : NULL;
		if (gr == NULL || gr->fpr == NULL ||
		    gpgme_get_key(p->ctx, gr->fpr, &p->signer, 1) != 0) {
			snprintf(msg, msglen, "cannot make the service's mail key in %s: %s", home,
			         gpgme_strerror(e));
			goto fail;
		}
	}
	if (p->signer->subkeys == NULL || p->signer->subkeys->fpr == NULL ||
	    strlen(p->signer->subkeys->fpr) != FPR_SIZE - 1) {
		snprintf(msg, msglen, "the mail key in %s is not an OpenPGP v4 key", home);
		goto fail;
	}
	memcpy(fpr, p->signer->subkeys->fpr, FPR_SIZE);
	memcpy(p->keys.current, fpr, FPR_SIZE);
	if (gpgme_signers_add(p->ctx, p->signer) != 0) {
		snprintf(msg, msglen, "cannot sign with the mail key in %s", home);
		goto fail;
	}
	if (p->keys.previous[0] != '\0' && p->keys.previous_until > now_s()) {
		if (gpgme_get_key(p->ctx, p->keys.previous, &p->prev, 1) != 0 ||
		    gpgme_signers_add(p->ctx, p->prev) != 0) {
			snprintf(msg, msglen,
			         "cannot sign with the previous mail key %s in %s during its "
			         "transition",
			         p->keys.previous, home);
			goto fail;
		}
	}
	return p;
fail:
	pgp_close(p);
	return NULL;
}

void
pgp_close(struct pgp *p)
{
	if (p == NULL)
		return;
	if (p->signer != NULL)
		gpgme_key_unref(p->signer);
	if (p->prev != NULL)
		gpgme_key_unref(p->prev);
	if (p->ctx != NULL)
		gpgme_release(p->ctx);
	free(p);
}

enum pocd_err
pgp_encrypt(struct pgp *p, const char *armored, const char *fpr, const char *plain, size_t len,
            char **out, size_t *outlen, char *why, size_t whylen)
{
	gpgme_data_t kd = NULL, in = NULL, cipher = NULL;
	gpgme_key_t rcpt[2] = {NULL, NULL};
	gpgme_error_t e;
	enum pocd_err err = POCD_EUNAVAILABLE;
	char *mem;
	size_t n;

	*out = NULL;
	*outlen = 0;
	e = gpgme_data_new_from_mem(&kd, armored, strlen(armored), 0);
	if (e == 0)
		e = gpgme_op_import(p->ctx, kd);
	if (e != 0) {
		snprintf(why, whylen, "gpg cannot import the PoC's key: %s", gpgme_strerror(e));
		goto out;
	}
	/* Only the key the entry names: whatever else the armor held is not used. */
	e = gpgme_get_key(p->ctx, fpr, &rcpt[0], 0);
	if (e != 0 || rcpt[0] == NULL || !rcpt[0]->can_encrypt || rcpt[0]->revoked ||
	    rcpt[0]->expired || rcpt[0]->disabled) {
		snprintf(why, whylen,
		         "the PoC's key %s cannot be encrypted to (expired, revoked "
		         "or without an encryption subkey)",
		         fpr);
		err = POCD_EINVAL;
		goto out;
	}
	e = gpgme_data_new_from_mem(&in, plain, len, 0);
	if (e == 0)
		e = gpgme_data_new(&cipher);
	if (e == 0)
		e = gpgme_op_encrypt_sign(p->ctx, rcpt, GPGME_ENCRYPT_ALWAYS_TRUST, in, cipher);
	if (e != 0) {
		snprintf(why, whylen, "gpg cannot encrypt and sign: %s", gpgme_strerror(e));
		goto out;
	}
	mem = gpgme_data_release_and_get_mem(cipher, &n);
	cipher = NULL;
	*out = mem != NULL ? malloc(n + 1) : NULL;
	if (*out != NULL) {
		memcpy(*out, mem, n);
		(*out)[n] = '\0';
		*outlen = n;
		err = POCD_OK;
	} else {
		err = POCD_ENOMEM;
	}
	gpgme_free(mem);
out:
	if (rcpt[0] != NULL)
		gpgme_key_unref(rcpt[0]);
	gpgme_data_release(kd);
	gpgme_data_release(in);
	gpgme_data_release(cipher);
	return err;
}

void
pgp_keys(const struct pgp *p, struct pgp_keys *out)
{
	*out = p->keys;
}

enum pocd_err
pgp_rotate(const char *home, int64_t transition, struct pgp_keys *keys, char *msg, size_t msglen)
{
	struct pgp *p = NULL;
	gpgme_genkey_result_t gr;
	char fpr[FPR_SIZE], until[RFC3339_SIZE], ring[1200];
	struct stat sb;
	gpgme_error_t e;
	enum pocd_err err = POCD_EUNAVAILABLE;

	snprintf(ring, sizeof(ring), "%s/pubring.kbx", home);
	if (stat(home, &sb) != 0 || stat(ring, &sb) != 0) {
		snprintf(msg, msglen,
		         "%s holds no mail key yet: pocd serve with --smtp makes it on first start",
		         home);
		return POCD_ENOTFOUND;
	}
	p = pgp_open(home, "pocd", fpr, msg, msglen);
	if (p == NULL)
		return POCD_EUNAVAILABLE;
	if (p->keys.previous[0] != '\0' && p->keys.previous_until > now_s()) {
		fmt_rfc3339(p->keys.previous_until, until);
		snprintf(msg, msglen,
		         "the previous key %s signs beside %s until %s: rotate again after that",
		         p->keys.previous, fpr, until);
		err = POCD_ECONFLICT;
		goto out;
	}
	if (p->signer->uids == NULL || p->signer->uids->uid == NULL) {
		snprintf(msg, msglen, "the mail key %s has no user id to give its successor", fpr);
		goto out;
	}
	e = gpgme_op_createkey(p->ctx, p->signer->uids->uid, "ed25519", 0, 0, NULL,
	                       GPGME_CREATE_SIGN | GPGME_CREATE_NOPASSWD | GPGME_CREATE_NOEXPIRE |
	                           GPGME_CREATE_FORCE);
	gr = e == 0 ? gpgme_op_genkey_result(p->ctx) : NULL;
	if (gr == NULL || gr->fpr == NULL || !fpr_ok(gr->fpr)) {
		snprintf(msg, msglen, "cannot make a new mail key in %s: %s", home,
		         gpgme_strerror(e));
		goto out;
	}
	memset(keys, 0, sizeof(*keys));
	memcpy(keys->current, gr->fpr, FPR_SIZE);
	memcpy(keys->previous, fpr, FPR_SIZE);
	keys->previous_until = now_s() + transition;
	err = signers_write(home, keys, msg, msglen);
out:
	pgp_close(p);
	return err;
}
