#include "mail/pgp.h"

#include <errno.h>
#include <gpgme.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct pgp {
	gpgme_ctx_t ctx;
	gpgme_key_t signer;
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
	p->signer = secret_key(p->ctx);
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
	if (gpgme_signers_add(p->ctx, p->signer) != 0) {
		snprintf(msg, msglen, "cannot sign with the mail key in %s", home);
		goto fail;
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
