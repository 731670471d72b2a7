/*
 * pocd backup and pocd restore: the database as one consistent snapshot, taken while pocd
 * serves, with the log's signing key, in one archive (gzip'd POSIX tar) whose manifest holds
 * each member's size and SHA-256, so that a restore notices any damage before it writes.
 */
#ifndef POCD_CORE_BACKUP_H
#define POCD_CORE_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define BACKUP_FORMAT "pocd-backup/1"

/* Writes the archive to a new file (mode 0600; refused if it exists). */
enum pocd_err backup_write(const char *db_path, const char *archive, char *msg, size_t msglen);

/* Restores an archive into db_path and db_path.logkey, which must not exist yet. Nothing is
 * left behind when it fails. */
enum pocd_err backup_restore(const char *archive, const char *db_path, char *msg, size_t msglen);

struct backup_member {
	const char *name;
	uint64_t size;
	uint8_t sha256[32];
};

/* Checks a manifest's text against the members read (n of them): the format, and that it lists
 * exactly these members with these sizes and hashes. False with the reason in msg. */
bool backup_manifest_check(const char *text, size_t len, const struct backup_member *m, size_t n,
                           char *msg, size_t msglen);

#endif
