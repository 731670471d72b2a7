/*
 * Fuzzes openpgp_key_read (src/core/openpgp.h), the reader of the keys administrators upload,
 * on arbitrary bytes. It reads nothing past the input; a key it accepts has a fingerprint of
 * 40 uppercase hex digits and expires (if ever) after it was made; a refusal has a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/openpgp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct openpgp_key k;
	char *copy;
	const char *why = NULL;
	enum pocd_err err;

	if (size > OPENPGP_ARMOR_MAX + 16)
		return 0;
	/* An exact-size copy, so that ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	err = openpgp_key_read(copy, size, &k, &why);
	if (err == POCD_OK) {
		if (strlen(k.fpr) != 40 || strspn(k.fpr, "0123456789ABCDEF") != 40)
			abort();
		if (k.expires != 0 && k.expires <= k.created)
			abort();
	} else if (err != POCD_EINVAL || why == NULL || why[0] == '\0') {
		abort();
	}
	free(copy);
	return 0;
}
