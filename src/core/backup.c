#include "core/backup.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/durable.h"
#include "lib/timeutil.h"
#include "store/store.h"

#define DIR_NAME     "pocd-backup/"
#define DB_MEMBER    "pocd.db"
#define KEY_MEMBER   "pocd.db.logkey"
#define PREV_MEMBER  "pocd.db.logkey.previous"
#define MANIFEST     "MANIFEST.json"
#define KEY_MAX      4096
#define MANIFEST_MAX (64 * 1024 * 1024)
#define CHUNK        65536
#define PATH_MAX_LEN 1100
#define NAME_MAX_LEN 512
#define TREE_DEPTH   16
#define MEMBERS_MAX  1000000

/* The directory trees beside the database that a backup carries whole when they exist: the
 * service's OpenPGP home and the attachment store. Members are named as if the database were
 * "pocd.db"; a restore puts "pocd.db<suffix>" at db_path<suffix>. */
static const char *const trees[] = {".gnupg", ".attachments"};

/* The members of one archive; names are malloc'd and owned here. */
struct members {
	struct backup_member *m;
	size_t n, cap;
};

static void
members_free(struct members *ms)
{
	for (size_t i = 0; i < ms->n; i++)
		free((char *)ms->m[i].name);
	free(ms->m);
	memset(ms, 0, sizeof(*ms));
}

static struct backup_member *
members_add(struct members *ms, const char *name, char *msg, size_t msglen)
{
	struct backup_member *grown;
	char *dup;

	if (ms->n >= MEMBERS_MAX) {
		snprintf(msg, msglen, "more than %d files: more than a pocd backup holds",
		         MEMBERS_MAX);
		return NULL;
	}
	if (ms->n == ms->cap) {
		size_t cap = ms->cap ? ms->cap * 2 : 16;
		grown = realloc(ms->m, cap * sizeof(*grown));
		if (grown == NULL)
			goto oom;
		ms->m = grown;
		ms->cap = cap;
	}
	if ((dup = strdup(name)) == NULL)
		goto oom;
	memset(&ms->m[ms->n], 0, sizeof(ms->m[0]));
	ms->m[ms->n].name = dup;
	return &ms->m[ms->n++];
oom:
	snprintf(msg, msglen, "out of memory");
	return NULL;
}

static bool
path_with(char *out, const char *base, const char *suffix, char *msg, size_t msglen)
{
	if ((size_t)snprintf(out, PATH_MAX_LEN, "%s%s", base, suffix) >= PATH_MAX_LEN) {
		snprintf(msg, msglen, "the path %s%s is too long", base, suffix);
		return false;
	}
	return true;
}

/* a/b into out: a path inside a directory. */
static bool
path_in(char *out, const char *dir, const char *name, char *msg, size_t msglen)
{
	if ((size_t)snprintf(out, PATH_MAX_LEN, "%s/%s", dir, name) >= PATH_MAX_LEN) {
		snprintf(msg, msglen, "the path %s/%s is too long", dir, name);
		return false;
	}
	return true;
}

static void
hex32(const uint8_t h[32], char out[65])
{
	sodium_bin2hex(out, 65, h, 32);
}

static bool
write_header(struct archive *a, const char *name, int type, uint64_t size, char *msg, size_t msglen)
{
	struct archive_entry *e = archive_entry_new();
	char full[NAME_MAX_LEN + 32];
	bool ok;

	snprintf(full, sizeof(full), DIR_NAME "%s", name);
	archive_entry_set_pathname(e, full);
	archive_entry_set_size(e, type == AE_IFREG ? (la_int64_t)size : 0);
	archive_entry_set_filetype(e, (unsigned)type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0700 : 0600);
	archive_entry_set_mtime(e, now_s(), 0);
	ok = archive_write_header(a, e) == ARCHIVE_OK;
	if (!ok)
		snprintf(msg, msglen, "cannot write %s into the archive: %s", name,
		         archive_error_string(a) ? archive_error_string(a) : "unknown error");
	archive_entry_free(e);
	return ok;
}

/* Writes the file at path as member name, hashing what it writes into m: the size is the
 * open file's, so a file replaced meanwhile is read whole as it was opened. */
static bool
add_file(struct archive *a, struct members *ms, const char *name, const char *path, uint64_t max,
         char *msg, size_t msglen)
{
	crypto_hash_sha256_state st;
	struct backup_member *m;
	uint8_t buf[CHUNK];
	struct stat sb;
	uint64_t left;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	bool ok = false;

	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if ((uint64_t)sb.st_size > max) {
		snprintf(msg, msglen, "%s is larger than expected", path);
		goto out;
	}
	if ((m = members_add(ms, name, msg, msglen)) == NULL ||
	    !write_header(a, name, AE_IFREG, (uint64_t)sb.st_size, msg, msglen))
		goto out;
	crypto_hash_sha256_init(&st);
	for (left = (uint64_t)sb.st_size; left > 0;) {
		ssize_t got = read(fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf));
		if (got <= 0 || archive_write_data(a, buf, (size_t)got) != (la_ssize_t)got) {
			snprintf(msg, msglen, "cannot copy %s into the archive: %s", path,
			         got < 0    ? strerror(errno)
			         : got == 0 ? "it shrank while being read"
			                    : archive_error_string(a));
			goto out;
		}
		crypto_hash_sha256_update(&st, buf, (size_t)got);
		left -= (uint64_t)got;
	}
	crypto_hash_sha256_final(&st, m->sha256);
	m->size = (uint64_t)sb.st_size;
	ok = true;
out:
	if (fd >= 0)
		close(fd);
	return ok;
}

enum member_kind {
	MEMBER_BAD,   /* not a name a pocd backup holds */
	MEMBER_FIXED, /* the manifest, the database, its keys: files */
	MEMBER_ROOT,  /* a tree itself ("pocd.db.gnupg"): a directory */
	MEMBER_TREE,  /* a plain relative path inside a tree: a file or a directory */
};

/* What name (after DIR_NAME) is in a pocd backup. */
static enum member_kind
member_kind(const char *name)
{
	const char *p;
	size_t tn;

	if (strcmp(name, MANIFEST) == 0 || strcmp(name, DB_MEMBER) == 0 ||
	    strcmp(name, KEY_MEMBER) == 0 || strcmp(name, PREV_MEMBER) == 0)
		return MEMBER_FIXED;
	if (strlen(name) >= NAME_MAX_LEN || strncmp(name, DB_MEMBER, strlen(DB_MEMBER)) != 0)
		return MEMBER_BAD;
	p = name + strlen(DB_MEMBER);
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		tn = strlen(trees[i]);
		if (strncmp(p, trees[i], tn) != 0 || (p[tn] != '\0' && p[tn] != '/'))
			continue;
		if (p[tn] == '\0')
			return MEMBER_ROOT;
		for (p += tn; *p == '/';) {
			size_t n = strcspn(++p, "/");
			if (n == 0 || (n == 1 && p[0] == '.') ||
			    (n == 2 && p[0] == '.' && p[1] == '.'))
				return MEMBER_BAD;
			/* Printable ASCII without a space or a backslash: what gpg and the
			 * attachment store name their files, and nothing a terminal or a shell
			 * trips on. */
			for (size_t k = 0; k < n; k++)
				if (p[k] <= ' ' || p[k] > '~' || p[k] == '\\')
					return MEMBER_BAD;
			p += n;
		}
		return *p == '\0' ? MEMBER_TREE : MEMBER_BAD;
	}
	return MEMBER_BAD;
}

/* Adds the tree at path as members under name: directories and regular files; sockets (a
 * gpg-agent's), links and the like are not part of a backup. */
static bool
add_tree(struct archive *a, struct members *ms, const char *name, const char *path, int depth,
         char *msg, size_t msglen)
{
	char sub[PATH_MAX_LEN], subname[NAME_MAX_LEN];
	struct dirent *e;
	struct stat sb;
	DIR *d;
	bool ok = true;

	if (depth > TREE_DEPTH) {
		snprintf(msg, msglen, "%s is nested deeper than %d levels", path, TREE_DEPTH);
		return false;
	}
	if ((d = opendir(path)) == NULL) {
		snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
		return false;
	}
	if (!write_header(a, name, AE_IFDIR, 0, msg, msglen))
		ok = false;
	while (ok && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(subname, sizeof(subname), "%s/%s", name, e->d_name) >=
		        sizeof(subname) ||
		    !path_in(sub, path, e->d_name, msg, msglen)) {
			snprintf(msg, msglen, "the name %s/%s is too long", path, e->d_name);
			ok = false;
			break;
		}
		if (member_kind(subname) != MEMBER_TREE) {
			snprintf(msg, msglen,
			         "%s: a restore would refuse this name (a space, a backslash or a "
			         "character beyond ASCII): rename or remove it",
			         sub);
			ok = false;
		} else if (lstat(sub, &sb) != 0) {
			/* Gone since it was listed (a lock file): nothing to keep. */
			if (errno == ENOENT)
				continue;
			snprintf(msg, msglen, "cannot read %s: %s", sub, strerror(errno));
			ok = false;
		} else if (S_ISDIR(sb.st_mode)) {
			ok = add_tree(a, ms, subname, sub, depth + 1, msg, msglen);
		} else if (S_ISREG(sb.st_mode)) {
			ok = add_file(a, ms, subname, sub, UINT64_MAX, msg, msglen);
		}
	}
	closedir(d);
	return ok;
}

static char *
manifest_text(const struct members *ms)
{
	char when[RFC3339_SIZE], hex[65];
	json_t *files = json_object(), *o;
	char *text;

	fmt_rfc3339(now_s(), when);
	for (size_t i = 0; files != NULL && i < ms->n; i++) {
		hex32(ms->m[i].sha256, hex);
		json_object_set_new(
		    files, ms->m[i].name,
		    json_pack("{s:I,s:s}", "size", (json_int_t)ms->m[i].size, "sha256", hex));
	}
	o = json_pack("{s:s,s:s,s:o}", "format", BACKUP_FORMAT, "created_at", when, "files", files);
	text = o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return text;
}

/* The snapshot, the log's keys, then the trees: a tree is read after the snapshot was taken,
 * so every attachment a row of the snapshot names (written before its row commits) is in it. */
static bool
add_all(struct archive *a, struct members *ms, const char *db_path, const char *copy, char *msg,
        size_t msglen)
{
	char path[PATH_MAX_LEN];
	struct stat sb;

	if (!add_file(a, ms, DB_MEMBER, copy, UINT64_MAX, msg, msglen) ||
	    !path_with(path, db_path, ".logkey", msg, msglen) ||
	    !add_file(a, ms, KEY_MEMBER, path, KEY_MAX - 1, msg, msglen) ||
	    !path_with(path, db_path, ".logkey.previous", msg, msglen))
		return false;
	if (lstat(path, &sb) == 0 && !add_file(a, ms, PREV_MEMBER, path, KEY_MAX - 1, msg, msglen))
		return false;
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		char name[64];
		if (!path_with(path, db_path, trees[i], msg, msglen))
			return false;
		if (lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
			continue;
		snprintf(name, sizeof(name), DB_MEMBER "%s", trees[i]);
		if (!add_tree(a, ms, name, path, 1, msg, msglen))
			return false;
	}
	return true;
}

enum pocd_err
backup_write(const char *db_path, const char *archive, char *msg, size_t msglen)
{
	char copy[PATH_MAX_LEN], keypath[PATH_MAX_LEN], tmp[PATH_MAX_LEN], *manifest = NULL;
	struct members ms = {0};
	struct archive *a = NULL;
	struct stat sb;
	int fd = -1;
	enum pocd_err err = POCD_ESTORE;

	if (!path_with(copy, archive, ".db.tmp", msg, msglen) ||
	    !path_with(tmp, archive, ".tmp", msg, msglen) ||
	    !path_with(keypath, db_path, ".logkey", msg, msglen))
		return POCD_EINVAL;
	if (stat(archive, &sb) == 0) {
		snprintf(msg, msglen, "%s exists: a backup never overwrites a file", archive);
		return POCD_ECONFLICT;
	}
	if (stat(keypath, &sb) != 0) {
		snprintf(msg, msglen, "cannot read %s: %s", keypath, strerror(errno));
		return POCD_ENOTFOUND;
	}
	err = store_copy(db_path, copy, msg, msglen);
	if (err != POCD_OK)
		goto out;
	err = POCD_ESTORE;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	a = archive_write_new();
	if (fd < 0 || a == NULL || archive_write_set_format_pax_restricted(a) != 0 ||
	    archive_write_add_filter_gzip(a) != 0 || archive_write_open_fd(a, fd) != 0) {
		snprintf(msg, msglen, "cannot write %s: %s", tmp,
		         a != NULL && archive_error_string(a) ? archive_error_string(a)
		                                              : strerror(errno));
		goto out;
	}
	if (!add_all(a, &ms, db_path, copy, msg, msglen))
		goto out;
	/* The manifest last: it holds the hashes of what was written. A restore stages every
	 * member and checks them all against it before anything lands in place. */
	if ((manifest = manifest_text(&ms)) == NULL) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	if (!write_header(a, MANIFEST, AE_IFREG, strlen(manifest), msg, msglen))
		goto out;
	if (archive_write_data(a, manifest, strlen(manifest)) != (la_ssize_t)strlen(manifest) ||
	    archive_write_close(a) != ARCHIVE_OK || fsync(fd) != 0) {
		snprintf(msg, msglen, "cannot finish %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, archive) != 0) {
		snprintf(msg, msglen, "cannot rename %s to %s: %s", tmp, archive, strerror(errno));
		goto out;
	}
	err = POCD_OK;
out:
	if (a != NULL)
		archive_write_free(a);
	if (fd >= 0)
		close(fd);
	if (err != POCD_OK)
		unlink(tmp);
	unlink(copy);
	free(manifest);
	members_free(&ms);
	return err;
}

bool
backup_manifest_check(const char *text, size_t len, const struct backup_member *m, size_t n,
                      char *msg, size_t msglen)
{
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL), *files, *f;
	const char *format = json_string_value(json_object_get(o, "format")), *h;
	char hex[65];
	bool ok = false;

	files = json_object_get(o, "files");
	/* Format 1 (before the trees) differs only in holding fewer members. */
	if (format == NULL ||
	    (strcmp(format, BACKUP_FORMAT) != 0 && strcmp(format, BACKUP_FORMAT_1) != 0) ||
	    !json_is_object(files)) {
		snprintf(msg, msglen, "the archive is not a pocd backup (format %s)",
		         BACKUP_FORMAT);
		goto out;
	}
	if (json_object_size(files) != n) {
		snprintf(msg, msglen, "the manifest lists %zu files, the archive holds %zu",
		         json_object_size(files), n);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		f = json_object_get(files, m[i].name);
		h = json_string_value(json_object_get(f, "sha256"));
		hex32(m[i].sha256, hex);
		if (!json_is_integer(json_object_get(f, "size")) ||
		    (uint64_t)json_integer_value(json_object_get(f, "size")) != m[i].size ||
		    h == NULL || strcmp(h, hex) != 0) {
			snprintf(msg, msglen,
			         "%.200s is damaged: its size or SHA-256 is not the manifest's",
			         m[i].name);
			goto out;
		}
	}
	ok = true;
out:
	json_decref(o);
	return ok;
}

/* Makes the directories of path below base (mode 0700), path itself too when it is one. */
static bool
make_dirs(const char *path, size_t base, bool last, char *msg, size_t msglen)
{
	char buf[PATH_MAX_LEN];

	strlcpy(buf, path, sizeof(buf));
	for (char *p = buf + base; (p = strchr(p + 1, '/')) != NULL || last;) {
		if (p != NULL)
			*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
			snprintf(msg, msglen, "cannot make %s: %s", buf, strerror(errno));
			return false;
		}
		if (p == NULL)
			break;
		*p = '/';
	}
	return true;
}

/* Copies the current member's data to fd (if >= 0) and mem (if not NULL), hashing it; at most
 * max bytes. */
static bool
extract(struct archive *a, int fd, uint8_t *mem, uint64_t max, struct backup_member *m, char *msg,
        size_t msglen)
{
	crypto_hash_sha256_state st;
	uint8_t buf[CHUNK];
	la_ssize_t got;

	m->size = 0;
	crypto_hash_sha256_init(&st);
	while ((got = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (m->size + (uint64_t)got > max) {
			snprintf(msg, msglen, "%.200s is larger than a pocd backup holds", m->name);
			return false;
		}
		if (fd >= 0 && write(fd, buf, (size_t)got) != got) {
			snprintf(msg, msglen, "cannot write %.200s: %s", m->name, strerror(errno));
			return false;
		}
		if (mem != NULL)
			memcpy(mem + m->size, buf, (size_t)got);
		crypto_hash_sha256_update(&st, buf, (size_t)got);
		m->size += (uint64_t)got;
	}
	crypto_hash_sha256_final(&st, m->sha256);
	if (got < 0)
		snprintf(msg, msglen, "the archive is damaged: %s", archive_error_string(a));
	return got == 0;
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* Removes path and everything under it. */
static void
remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Extracts one member into the staging directory stage (name checked already), and records
 * its file in ms; the manifest goes to mem instead. */
static bool
stage_member(struct archive *a, struct archive_entry *e, const char *name, const char *stage,
             struct members *ms, char *manifest, struct backup_member *man, char *msg,
             size_t msglen)
{
	char path[PATH_MAX_LEN];
	struct backup_member *m;
	bool is_key = strcmp(name, KEY_MEMBER) == 0 || strcmp(name, PREV_MEMBER) == 0, ok;
	int fd;

	if (strcmp(name, MANIFEST) == 0) {
		if (man->name != NULL) {
			snprintf(msg, msglen, "the archive holds %s twice", MANIFEST);
			return false;
		}
		man->name = MANIFEST;
		return extract(a, -1, (uint8_t *)manifest, MANIFEST_MAX - 1, man, msg, msglen);
	}
	if (!path_in(path, stage, name, msg, msglen))
		return false;
	if (archive_entry_filetype(e) == AE_IFDIR)
		return make_dirs(path, strlen(stage), true, msg, msglen);
	if (!make_dirs(path, strlen(stage), false, msg, msglen))
		return false;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(msg, msglen,
		         errno == EEXIST ? "the archive holds %.200s twice" : "cannot write %.200s",
		         name);
		return false;
	}
	m = members_add(ms, name, msg, msglen);
	ok = m != NULL && extract(a, fd, NULL, is_key ? KEY_MAX - 1 : UINT64_MAX, m, msg, msglen);
	if (ok && fsync(fd) != 0) {
		snprintf(msg, msglen, "cannot write %.200s: %s", name, strerror(errno));
		ok = false;
	}
	close(fd);
	return ok;
}

static bool
has_member(const struct members *ms, const char *name)
{
	for (size_t i = 0; i < ms->n; i++)
		if (strcmp(ms->m[i].name, name) == 0)
			return true;
	return false;
}

static int
sync_dir(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP && !durable_sync(path) ? -1 : 0;
}

/* Moves what was staged into place: the keys and trees first, the database last, so that a
 * database present means a restore that finished. The staged files were synced as they were
 * written; their directories are synced before the moves, and the directory that receives
 * them after, so that a restore reported done survives a power loss. On failure undoes the
 * moves it made. */
static bool
put_in_place(const char *stage, const char *db_path, char *msg, size_t msglen)
{
	static const char *const order[] = {".logkey", ".logkey.previous", ".gnupg", ".attachments",
	                                    ""};
	char from[PATH_MAX_LEN], to[PATH_MAX_LEN];
	size_t moved = 0, n = sizeof(order) / sizeof(order[0]);
	struct stat sb;

	if (nftw(stage, sync_dir, 16, FTW_DEPTH | FTW_PHYS) != 0) {
		snprintf(msg, msglen, "cannot sync %s: %s", stage, strerror(errno));
		return false;
	}
	for (; moved < n; moved++) {
		char leaf[64];
		snprintf(leaf, sizeof(leaf), DB_MEMBER "%s", order[moved]);
		if (!path_in(from, stage, leaf, msg, msglen) ||
		    !path_with(to, db_path, order[moved], msg, msglen))
			break;
		if (lstat(from, &sb) != 0)
			continue;
		if (rename(from, to) != 0) {
			snprintf(msg, msglen, "cannot rename %s to %s: %s", from, to,
			         strerror(errno));
			break;
		}
	}
	if (moved == n && durable_sync_parent(db_path))
		return true;
	if (moved == n)
		snprintf(msg, msglen, "cannot sync the directory of %s: %s", db_path,
		         strerror(errno));
	while (moved-- > 0)
		if (path_with(to, db_path, order[moved], msg, msglen))
			remove_tree(to);
	return false;
}

enum pocd_err
backup_restore(const char *archive, const char *db_path, char *msg, size_t msglen)
{
	static const char *const targets[] = {
	    "", "-wal", ".logkey", ".logkey.previous", ".gnupg", ".attachments", ".restore"};
	char stage[PATH_MAX_LEN], path[PATH_MAX_LEN], *manifest = NULL;
	struct backup_member man = {0};
	struct members ms = {0};
	struct archive *a = NULL;
	struct archive_entry *e;
	struct stat sb;
	int rc;
	enum pocd_err err = POCD_EINVAL;
	bool staged = false;

	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		if (!path_with(path, db_path, targets[i], msg, msglen))
			return POCD_EINVAL;
		if (lstat(path, &sb) == 0) {
			snprintf(
			    msg, msglen,
			    "%s exists: restore into a fresh path only (nothing named %s, %s-wal, "
			    "%s.logkey, %s.gnupg or %s.attachments)",
			    path, db_path, db_path, db_path, db_path, db_path);
			return POCD_ECONFLICT;
		}
	}
	if (!path_with(stage, db_path, ".restore", msg, msglen))
		return POCD_EINVAL;
	manifest = malloc(MANIFEST_MAX);
	a = archive_read_new();
	if (manifest == NULL || a == NULL || archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_open_filename(a, archive, CHUNK) != ARCHIVE_OK) {
		snprintf(msg, msglen, "cannot read %s: %s", archive,
		         a != NULL && archive_error_string(a) ? archive_error_string(a)
		                                              : "out of memory");
		goto out;
	}
	if (mkdir(stage, 0700) != 0) {
		snprintf(msg, msglen, "cannot make %s: %s", stage, strerror(errno));
		err = POCD_ESTORE;
		goto out;
	}
	staged = true;
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *full = archive_entry_pathname(e);
		int type = (int)archive_entry_filetype(e);
		enum member_kind kind = MEMBER_BAD;
		char name[NAME_MAX_LEN];
		size_t n;
		bool ok;
		if (full != NULL && strncmp(full, DIR_NAME, strlen(DIR_NAME)) == 0 &&
		    (n = strlen(full + strlen(DIR_NAME))) < sizeof(name)) {
			memcpy(name, full + strlen(DIR_NAME), n + 1);
			/* tar writes a directory's name with a final slash */
			if (type == AE_IFDIR && n > 0 && name[n - 1] == '/')
				name[n - 1] = '\0';
			kind = member_kind(name);
		}
		ok = type == AE_IFREG   ? kind == MEMBER_FIXED || kind == MEMBER_TREE
		     : type == AE_IFDIR ? kind == MEMBER_ROOT || kind == MEMBER_TREE
		                        : false;
		if (!ok) {
			snprintf(msg, msglen,
			         "the archive holds %.200s, which a pocd backup does not",
			         archive_entry_pathname(e) ? archive_entry_pathname(e)
			                                   : "an unnamed entry");
			goto out;
		}
		if (!stage_member(a, e, name, stage, &ms, manifest, &man, msg, msglen))
			goto out;
	}
	if (rc != ARCHIVE_EOF) {
		snprintf(msg, msglen, "the archive is damaged: %s", archive_error_string(a));
		goto out;
	}
	if (man.name == NULL || !has_member(&ms, DB_MEMBER) || !has_member(&ms, KEY_MEMBER)) {
		snprintf(msg, msglen, "the archive lacks %s",
		         man.name == NULL              ? MANIFEST
		         : !has_member(&ms, DB_MEMBER) ? DB_MEMBER
		                                       : KEY_MEMBER);
		goto out;
	}
	if (!backup_manifest_check(manifest, (size_t)man.size, ms.m, ms.n, msg, msglen))
		goto out;
	err = POCD_ESTORE;
	if (!put_in_place(stage, db_path, msg, msglen))
		goto out;
	err = POCD_OK;
out:
	if (a != NULL)
		archive_read_free(a);
	if (staged)
		remove_tree(stage);
	free(manifest);
	members_free(&ms);
	return err;
}
