/*
 * Fuzzes the template's lookups (src/core/template.h) on arbitrary text: the input is a set
 * name, a NUL, and a code. A set found is the one of that exact name; a code found is that
 * set's code of that exact spelling, and looking it up again by its index gives the same
 * code. Every set and code of the template is found under its own name, and every label is
 * one line of UTF-8 text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/template.h"
#include "core/validate.h"

#define INPUT_MAX 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The template is static data: every set and code finds itself, every label is text. */
static void
check_template(void)
{
	for (size_t i = 0; i < template_nsets; i++) {
		const struct tset *s = &template_sets[i];
		if (template_set(s->name) != s || s->n == 0)
			abort();
		for (size_t l = 0; l < NLANGS; l++)
			if (!valid_text(s->label[l], 200))
				abort();
		for (size_t k = 0; k < s->n; k++) {
			if (template_code(s, s->codes[k].code) != (int)k)
				abort();
			for (size_t l = 0; l < NLANGS; l++)
				if (!valid_text(s->codes[k].label[l], 200))
					abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool checked;
	char text[INPUT_MAX + 2];
	const char *name = text, *code;
	const struct tset *s;
	int k;

	if (!checked) {
		check_template();
		checked = true;
	}
	if (size > INPUT_MAX)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	text[size + 1] = '\0';
	code = text + strlen(text) + 1;
	if (code > text + size)
		code = text + size + 1;
	s = template_set(name);
	if (s != NULL && strcmp(s->name, name) != 0)
		abort();
	k = template_code(s, code);
	if (k >= 0 && (s == NULL || (size_t)k >= s->n || strcmp(s->codes[k].code, code) != 0))
		abort();
	/* A code of one set is not found in another by accident of a shared prefix. */
	for (size_t i = 0; i < template_nsets; i++) {
		int j = template_code(&template_sets[i], code);
		if (j >= 0 && strcmp(template_sets[i].codes[j].code, code) != 0)
			abort();
	}
	if (template_code(NULL, code) != -1 || template_set(NULL) != NULL)
		abort();
	return 0;
}
