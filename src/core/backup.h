/*
 * pocd backup and pocd restore: the database as one consistent snapshot, taken while pocd
 * serves, with the log's signing keys (PATH.logkey, PATH.logkey.previous during a rotation),
 * the service's OpenPGP home (PATH.gnupg/) and the attachment store (PATH.attachments/), in
 * one archive (gzip'd POSIX tar) whose manifest holds each file's size and SHA-256, so that a
 * restore notices any damage before anything lands in place.
 */
#ifndef POCD_CORE_BACKUP_H
#define POCD_CORE_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define BACKUP_FORMAT   "pocd-backup/2"
#define BACKUP_FORMAT_1 "pocd-backup/1" /* the database and its key only; still restored */

/* Writes the archive to a new file (mode 0600; refused if it exists). */
enum pocd_err backup_write(const char *db_path, const char *archive, char *msg, size_t msglen);

/* Restores an archive into db_path, db_path.logkey and whatever else it holds (directories
 * mode 0700, files 0600), none of which may exist yet. Every member is staged in
 * db_path.restore/ and checked against the manifest first. Nothing is left behind when it
 * fails. */
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
