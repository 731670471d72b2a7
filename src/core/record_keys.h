/*
 * The log's signing keys, for the files of src/core/record*.c only: reading and writing them,
 * the list of every key the log has used, and rotation (record_rotate_key, in record.h).
 */
#ifndef POCD_CORE_RECORD_KEYS_H
#define POCD_CORE_RECORD_KEYS_H

#include "core/record.h"

/* Reads the log's key from path, or makes one (mode 0600) when it is absent and the log has
 * signed nothing yet; then the previous key kept beside it during a rotation's transition. */
enum pocd_err record_load_keys(struct record *r, const char *path, struct store *st, char *msg,
                               size_t msglen);
/* Once r->origin is known (writer thread): names the keys, reads the list of every key the log
 * has used (adding the current one) and whether the previous key still signs. */
enum pocd_err record_keys_run(struct store_conn *w, struct record *r);

#endif
