/* A growable byte buffer for building responses (CSV, vCard, JSON text). */
#ifndef POCD_LIB_BUF_H
#define POCD_LIB_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *p; /* NUL-terminated contents; owned, freed by buf_free */
	size_t len;
	size_t cap;
	bool oom; /* set once an append failed; later appends are no-ops */
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the contents to the caller (free() them); the buffer is left empty. NULL after OOM. */
char *buf_steal(struct buf *b, size_t *len);

#endif
