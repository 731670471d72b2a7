/*
 * Fuzzes receipt_check (src/core/receipt_check.c), what `poc verify` runs, on arbitrary
 * text against a fixed log key and witness key. Whatever the input, it must not crash; a
 * receipt that holds must carry a checkpoint that the log key signed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/receipt_check.h"
#include "fixed_keys.h"

#define INPUT_MAX (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct note_key log_key, wit_key;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct receipt_check chk = {
	    .log_keys = &log_key, .nlog_keys = 1, .witnesses = &wit_key, .nwitnesses = 1};
	struct receipt_facts f;
	char msg[256];

	if (!ready) {
		fixed_keys(&log_key, &wit_key);
		ready = true;
	}
	if (size > INPUT_MAX)
		return 0;
	if (receipt_check((const char *)data, size, &chk, &f, msg, sizeof(msg)) &&
	    f.index >= f.size)
		abort();
	/* The same with the commitment checked against the input itself. */
	chk.content = (const char *)data;
	chk.content_len = size;
	chk.min_witnesses = 1;
	receipt_check((const char *)data, size, &chk, &f, msg, sizeof(msg));
	return 0;
}
