/*
 * Files and user of the serving process. The checks run before the database is opened; the
 * switch of user runs after the socket is bound and every file pocd needs at start is open,
 * when the threads already run: glibc applies setgroups, setgid and setuid to every thread of
 * the process, not only the caller.
 */
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The database and the files that go with it. */
static const char *const suffixes[] = {"", "-wal", "-shm", ".logkey"};
#define NSUFFIXES (sizeof(suffixes) / sizeof(suffixes[0]))
#define PATH_SIZE 1100

static bool
file_path(const char *db, const char *suffix, char out[PATH_SIZE], char *msg, size_t msglen)
{
	if ((size_t)snprintf(out, PATH_SIZE, "%s%s", db, suffix) < PATH_SIZE)
		return true;
	snprintf(msg, msglen, "--db %s: the path is too long", db);
	return false;
}

bool
privs_files_private(const char *db, char *msg, size_t msglen)
{
	char path[PATH_SIZE];
	struct stat st;

	for (size_t i = 0; i < NSUFFIXES; i++) {
		if (!file_path(db, suffixes[i], path, msg, msglen))
			return false;
		if (stat(path, &st) != 0) {
			/* A missing database is reported by the store, with how to create it. */
			if (errno == ENOENT)
				continue;
			snprintf(msg, msglen, "cannot check %s: %s", path, strerror(errno));
			return false;
		}
		if (!S_ISREG(st.st_mode)) {
			snprintf(msg, msglen, "%s is not a regular file", path);
			return false;
		}
		if ((st.st_mode & 077) != 0) {
			snprintf(msg, msglen,
			         "%s may be read or written by others (mode %03o): chmod 600 %s",
			         path, (unsigned)(st.st_mode & 0777), path);
			return false;
		}
	}
	return true;
}

static bool
owned_by(const char *path, const struct privs_user *u, bool must_exist, char *msg, size_t msglen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT && !must_exist)
			return true;
		snprintf(msg, msglen, "--user %s: cannot check %s: %s", u->name, path,
		         strerror(errno));
		return false;
	}
	if (st.st_uid == u->uid)
		return true;
	snprintf(msg, msglen, "--user %s: %s belongs to uid %u, not to %s: chown %s %s", u->name,
	         path, (unsigned)st.st_uid, u->name, u->name, path);
	return false;
}

bool
privs_user_check(const char *name, const char *db, struct privs_user *u, char *msg, size_t msglen)
{
	struct passwd pw, *found = NULL;
	char buf[4096], path[PATH_SIZE];

	memset(u, 0, sizeof(*u));
	if (geteuid() != 0) {
		snprintf(msg, msglen,
		         "--user %s: only root can become another user: start pocd as root, or "
		         "without --user",
		         name);
		return false;
	}
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &found) != 0 || found == NULL) {
		snprintf(msg, msglen, "--user %s: there is no such user (see getent passwd)", name);
		return false;
	}
	if (pw.pw_uid == 0) {
		snprintf(msg, msglen, "--user %s: that is root; name an unprivileged account",
		         name);
		return false;
	}
	if (strlcpy(u->name, name, sizeof(u->name)) >= sizeof(u->name)) {
		snprintf(msg, msglen, "--user: the name is too long");
		return false;
	}
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	/* SQLite creates and removes the -wal and -shm files beside the database. */
	if (!file_path(db, "", path, msg, msglen) || !owned_by(dirname(path), u, true, msg, msglen))
		return false;
	for (size_t i = 0; i < NSUFFIXES; i++)
		if (!file_path(db, suffixes[i], path, msg, msglen) ||
		    !owned_by(path, u, i == 0, msg, msglen))
			return false;
	/* The mail key's keyring, which the mail sender uses as the user (made by the user on
	 * first start with --smtp). */
	if (!file_path(db, ".gnupg", path, msg, msglen) || !owned_by(path, u, false, msg, msglen)) {
		if (strstr(msg, "chown ") != NULL)
			snprintf(msg, msglen,
			         "--user %s: %s belongs to another user: chown -R %s %s", u->name,
			         path, u->name, path);
		return false;
	}
	return true;
}

bool
privs_drop(const struct privs_user *u, char *msg, size_t msglen)
{
	if (setgroups(1, &u->gid) != 0 || setgid(u->gid) != 0 || setuid(u->uid) != 0) {
		snprintf(msg, msglen, "--user %s: cannot become it: %s", u->name, strerror(errno));
		return false;
	}
	if (setuid(0) == 0 || geteuid() != u->uid || getegid() != u->gid) {
		snprintf(msg, msglen, "--user %s: root could be regained: refusing to serve",
		         u->name);
		return false;
	}
	return true;
}
