/*
 * Fuzzes backup_restore (src/core/backup.c), what `pocd restore` runs, on arbitrary archive
 * bytes: gzip'd or plain tar, members of any name, type and size. Whatever the archive, a
 * restore that fails leaves nothing behind (no database, key, journal, tree or staging
 * directory) and writes nothing outside the paths it was given; one that succeeds leaves the
 * database and its key, the key no larger than a log key file, and otherwise only names that
 * begin with the database's (its trees), every file mode 0600 and directory 0700.
 */
#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/backup.h"

#define INPUT_MAX (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
	char top[64];
	char dir[80];     /* where the restore writes: it must hold nothing else afterwards */
	char archive[96]; /* the input, outside dir */
	char db[96];
	char key[112];
} g;

static void
cleanup(void)
{
	unlink(g.archive);
	rmdir(g.dir);
	rmdir(g.top);
}

static void
setup(void)
{
	strlcpy(g.top, "/tmp/pocd-fuzz-backup-XXXXXX", sizeof(g.top));
	if (mkdtemp(g.top) == NULL)
		abort();
	snprintf(g.archive, sizeof(g.archive), "%s/in.tar.gz", g.top);
	snprintf(g.dir, sizeof(g.dir), "%s/out", g.top);
	snprintf(g.db, sizeof(g.db), "%s/pocd.db", g.dir);
	snprintf(g.key, sizeof(g.key), "%s.logkey", g.db);
	if (mkdir(g.dir, 0700) != 0)
		abort();
	atexit(cleanup);
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	/* Nothing the restore made may be readable by others. */
	if (ftw->level > 0 && (sb->st_mode & 077) != 0)
		abort();
	(void)flag;
	return ftw->level > 0 ? remove(path) : 0;
}

/* The names in dir, and removes them (trees too); their count. */
static size_t
sweep(bool *db, bool *key)
{
	DIR *d = opendir(g.dir);
	struct dirent *e;
	size_t n = 0;

	*db = *key = false;
	if (d == NULL)
		abort();
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		*db |= strcmp(e->d_name, "pocd.db") == 0;
		*key |= strcmp(e->d_name, "pocd.db.logkey") == 0;
		if (strncmp(e->d_name, "pocd.db", 7) != 0 || strstr(e->d_name, ".restore") != NULL)
			abort();
	}
	closedir(d);
	if (nftw(g.dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		abort();
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[512];
	struct stat sb;
	FILE *f;
	bool db, key;
	size_t n;
	enum pocd_err err;

	if (size > INPUT_MAX)
		return 0;
	if (g.dir[0] == '\0')
		setup();
	f = fopen(g.archive, "wb");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	msg[0] = '\0';
	err = backup_restore(g.archive, g.db, msg, sizeof(msg));
	if (err == POCD_OK && (stat(g.key, &sb) != 0 || sb.st_size > 4096 ||
	                       (sb.st_mode & 077) != 0 || stat(g.db, &sb) != 0))
		abort();
	n = sweep(&db, &key);
	if (err == POCD_OK ? n < 2 || !db || !key : n != 0 || msg[0] == '\0')
		abort();
	return 0;
}
