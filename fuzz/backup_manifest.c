/*
 * Fuzzes backup_manifest_check (src/core/backup.c), which reads the manifest of an archive
 * given to pocd restore, against two fixed members. A manifest it accepts must name both
 * members with their exact hashes.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"

#define INPUT_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct backup_member m[2] = {{.name = "pocd.db", .size = 3},
	                             {.name = "pocd.db.logkey", .size = 1}};
	char msg[256], hex[65], *text;

	if (size > INPUT_MAX)
		return 0;
	crypto_hash_sha256(m[0].sha256, (const uint8_t *)"abc", 3);
	crypto_hash_sha256(m[1].sha256, (const uint8_t *)"k", 1);
	if (!backup_manifest_check((const char *)data, size, m, 2, msg, sizeof(msg)))
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (int i = 0; i < 2; i++) {
		sodium_bin2hex(hex, sizeof(hex), m[i].sha256, 32);
		if (strstr(text, hex) == NULL && memchr(data, '\0', size) == NULL)
			abort();
	}
	free(text);
	return 0;
}
