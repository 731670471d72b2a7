/*
 * Fuzzes what an attachment's upload and references are read from (src/core/attachment.c):
 * the file name and Content-Type of an upload, and the "attachments" member of a
 * communication or reply. The input is the name, a NUL, the Content-Type, a NUL, then JSON.
 *
 * Whatever the input: a name that is taken is 1 to ATTACH_NAME_MAX bytes without / or \ or a
 * control character, and a media type that is taken is lowercase "type/subtype" of at most
 * ATTACH_TYPE_MAX bytes; ids that are taken are ids, distinct, at most ATTACH_MAX of them,
 * and none at all when there is an error.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/attachment.h"

#define INPUT_MAX 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_meta(const char *name, const char *type)
{
	struct attachment a;
	struct verrs errs = {0};
	const char *slash;

	memset(&a, 0, sizeof(a));
	attachment_meta(name, type, &a, &errs);
	if (a.filename[0] != '\0') {
		if (strlen(a.filename) > ATTACH_NAME_MAX || strpbrk(a.filename, "/\\") != NULL ||
		    strcmp(a.filename, name) != 0)
			abort();
		for (const unsigned char *p = (const unsigned char *)a.filename; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				abort();
	}
	if (errs.n == 0 && a.filename[0] == '\0')
		abort();
	if (a.media_type[0] != '\0') {
		slash = strchr(a.media_type, '/');
		if (strlen(a.media_type) > ATTACH_TYPE_MAX || slash == NULL ||
		    slash == a.media_type || slash[1] == '\0' || strchr(a.media_type, ' ') != NULL)
			abort();
		for (const char *p = a.media_type; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				abort();
	}
}

static void
check_ids(const char *text, size_t len)
{
	char ids[ATTACH_MAX][ID_SIZE];
	struct verrs errs = {0};
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, NULL);
	size_t n = 0;

	attachment_ids_decode(v, ids, &n, &errs);
	if (n > ATTACH_MAX)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (!id_valid(ids[i]))
			abort();
		for (size_t k = 0; k < i; k++)
			if (strcmp(ids[i], ids[k]) == 0)
				abort();
	}
	/* An array with errors references nothing: the request is refused whole. */
	if (errs.n == 0 && v != NULL && !json_is_null(v) && n != json_array_size(v))
		abort();
	json_decref(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[INPUT_MAX + 1];
	const char *name, *type, *json;
	size_t nl, tl;

	if (size > INPUT_MAX)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	name = text;
	nl = strlen(name);
	type = nl < size ? name + nl + 1 : "";
	tl = strlen(type);
	json = type + tl < text + size ? type + tl + 1 : text + size;
	check_meta(name, type);
	check_ids(json, (size_t)(text + size - json));
	return 0;
}
