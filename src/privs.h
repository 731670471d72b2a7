/*
 * The serving process's files and user: the database files must be private to their owner,
 * and with --user pocd gives up root for that user once it has bound its socket and opened
 * its files, before it makes its mail key and starts its mail sender (which so run as the
 * user too).
 */
#ifndef POCD_PRIVS_H
#define POCD_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct privs_user {
	char name[64];
	uid_t uid;
	gid_t gid;
};

/* Whether the database at db, and its -wal, -shm and .logkey files where they exist, are
 * regular files that neither group nor others may read or write; if not, the reason (with
 * the chmod that fixes it) is in msg. */
bool privs_files_private(const char *db, char *msg, size_t msglen);

/* Looks up the account name and checks that the database files, their directory and the
 * mail keyring (DB.gnupg, where it exists) belong to it, so that it can go on using them once
 * pocd and its mail sender run as it. False with the reason in msg
 * (no such user, not started as root, a file that belongs to someone else). */
bool privs_user_check(const char *name, const char *db, struct privs_user *u, char *msg,
                      size_t msglen);

/* Becomes u for good: its group alone, then its user id, in every thread. False with the
 * reason in msg when any step fails or root could be regained. */
bool privs_drop(const struct privs_user *u, char *msg, size_t msglen);

#endif
