/*
 * Flags with names: a table of (bit, name) rows, looked up either way. API key scopes and
 * webhook events are such tables.
 */
#ifndef POCD_LIB_NAMES_H
#define POCD_LIB_NAMES_H

#include <stddef.h>

struct bit_name {
	unsigned bit;
	const char *name;
};

/* The name of bit in the n rows of t, or NULL if it has none. */
const char *bit_name(const struct bit_name *t, size_t n, unsigned bit);
/* The bit named name in the n rows of t, or 0 if none is. */
unsigned bit_parse(const struct bit_name *t, size_t n, const char *name);

#endif
