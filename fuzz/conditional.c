/*
 * Fuzzes the conditional-request headers (src/api/json.c) on arbitrary text: If-Match, which
 * names the revision a write expects ("ID-REV" or "ID-REV.stale", quoted), and If-None-Match,
 * a list of ETags or "*". A revision read from If-Match is at least 1 and is the one the
 * header spells: written back in that form it reads the same, and it is never read from a
 * weak validator or under another id. An ETag always matches a list that holds it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"

#define INPUT_MAX 1024
#define ID        "abcdefghijklmnopqrstuvwxyz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_if_match(const char *h)
{
	int64_t rev = if_match_revision(h, ID), again;
	char back[INPUT_MAX + 64];

	if (rev == -1)
		return;
	if (rev < 1 || h[0] != '"' || strncmp(h + 1, ID, strlen(ID)) != 0)
		abort();
	snprintf(back, sizeof(back), "\"%s-%" PRId64 "%s", ID, rev,
	         strstr(h, ".stale\"") != NULL ? ".stale\"" : "\"");
	if (strcmp(back, h) != 0)
		abort();
	again = if_match_revision(back, ID);
	if (again != rev || if_match_revision(h, "bcdefghijklmnopqrstuvwxyza") != -1)
		abort();
}

static void
check_if_none_match(const char *h)
{
	char list[INPUT_MAX + 128];

	/* The header's first token, as an ETag, matches the header. */
	size_t n = strcspn(h, ", ");
	char etag[INPUT_MAX + 1];

	if (n > 0 && h[0] != '*' && strncmp(h, "W/", 2) != 0) {
		memcpy(etag, h, n);
		etag[n] = '\0';
		if (!etag_matches(h, etag))
			abort();
	}
	/* A list with the ETag in it matches, wherever it stands. */
	snprintf(list, sizeof(list), "%s, \"" ID "-7\"", h);
	if (!etag_matches(list, "\"" ID "-7\""))
		abort();
	snprintf(list, sizeof(list), "W/\"" ID "-7\", %s", h);
	if (!etag_matches(list, "\"" ID "-7\""))
		abort();
	etag_matches(h, "\"" ID "-7\"");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[INPUT_MAX + 1];

	if (size > INPUT_MAX)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_if_match(text);
	check_if_none_match(text);
	return 0;
}
