/*
 * Fuzzes cursor_decode and cursor_unpack (src/api/json.c) on arbitrary text. A cursor that
 * decodes must encode back to one that decodes to the same parts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"

#define INPUT_MAX   4096 /* cursors longer than 64 characters are refused at once */
#define CURSOR_SIZE (CURSOR_MAX + 64)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The generic form: parts of any size that fits, packed back to the same text. */
static void
check_unpack(const char *text)
{
	char a[CURSOR_RAW_MAX], b[CURSOR_RAW_MAX], a2[CURSOR_RAW_MAX], b2[CURSOR_RAW_MAX];
	char enc[CURSOR_SIZE];

	if (!cursor_unpack(text, a, sizeof(a), b, sizeof(b)))
		return;
	if (a[0] == '\0' || b[0] == '\0' || strchr(a, '|') != NULL)
		abort();
	cursor_pack(a, b, enc, sizeof(enc));
	if (strlen(enc) > CURSOR_MAX || !cursor_unpack(enc, a2, sizeof(a2), b2, sizeof(b2)) ||
	    strcmp(a, a2) != 0 || strcmp(b, b2) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[INPUT_MAX + 1], enc[CURSOR_SIZE], enc2[CURSOR_SIZE];
	char st[STATE_SIZE], key[SORTKEY_SIZE], st2[STATE_SIZE], key2[SORTKEY_SIZE];

	if (size > INPUT_MAX)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_unpack(text);
	if (!cursor_decode(text, st, key))
		return 0;
	if (strlen(st) != 3 || strlen(key) == 0 || strlen(key) >= SORTKEY_SIZE)
		abort();
	cursor_encode(st, key, enc, sizeof(enc));
	if (!cursor_decode(enc, st2, key2) || strcmp(st, st2) != 0 || strcmp(key, key2) != 0)
		abort();
	/* The encoded form is a fixed point. */
	cursor_encode(st2, key2, enc2, sizeof(enc2));
	if (strcmp(enc, enc2) != 0)
		abort();
	return 0;
}
