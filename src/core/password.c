#include "core/password.h"

#include <pthread.h>
#include <string.h>

#include "core/validate.h"

#define OPSLIMIT 2
#define MEMLIMIT (19u * 1024 * 1024)

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[PWHASH_SIZE];

static void
make_dummy(void)
{
	if (crypto_pwhash_str_alg(dummy_hash, "pocd-dummy-password", 19, OPSLIMIT, MEMLIMIT,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		dummy_hash[0] = '\0';
}

enum pocd_err
password_hash(const char *pw, char out[PWHASH_SIZE])
{
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), OPSLIMIT, MEMLIMIT,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		return POCD_ENOMEM;
	return POCD_OK;
}

bool
password_verify(const char *hash, const char *pw)
{
	if (hash == NULL || hash[0] == '\0') {
		pthread_once(&dummy_once, make_dummy);
		/* Spent for its cost only: an unknown account is never a match. */
		int spent = dummy_hash[0] != '\0'
		                ? crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw))
		                : -1;
		(void)spent;
		return false;
	}
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

const char *
password_weakness(const char *pw)
{
	if (strlen(pw) > PASSWORD_MAX)
		return "must be at most 256 bytes long";
	if (!valid_text(pw, PASSWORD_MAX))
		return "must be UTF-8 text without control characters";
	if (utf8_chars(pw) < PASSWORD_MIN)
		return "must be at least 12 characters long";
	return NULL;
}
