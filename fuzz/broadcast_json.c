/*
 * Fuzzes broadcast_decode (src/core/broadcast.c), which reads the Secretariat's announcements,
 * on arbitrary JSON. What it accepts is canonical: decoding it again gives the same text, and
 * every language in it yields a subject and a body within the limits.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/broadcast.h"
#include "core/validate.h"

#define INPUT_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verrs errs = {0}, errs2 = {0};
	json_t *in, *again, *o;
	const char *subject, *body;
	char *text, *text2;

	if (size > INPUT_MAX)
		return 0;
	in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (in == NULL)
		return 0;
	text = broadcast_decode(in, &errs);
	json_decref(in);
	if (text == NULL) {
		if (errs.n == 0)
			abort();
		return 0;
	}
	again = json_pack("{s:o}", "texts", json_loads(text, 0, NULL));
	text2 = again != NULL ? broadcast_decode(again, &errs2) : NULL;
	if (text2 == NULL || strcmp(text, text2) != 0)
		abort();
	for (int i = 0; i < 6; i++) {
		o = broadcast_text(text, un_langs[i], &subject, &body);
		if (o == NULL || !valid_text(subject, BROADCAST_SUBJECT_MAX) ||
		    !valid_multiline(body, BROADCAST_BODY_MAX))
			abort();
		json_decref(o);
	}
	json_decref(again);
	free(text);
	free(text2);
	return 0;
}
