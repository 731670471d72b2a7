#include "core/backup.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/timeutil.h"
#include "store/store.h"

#define DIR_NAME     "pocd-backup/"
#define DB_MEMBER    "pocd.db"
#define KEY_MEMBER   "pocd.db.logkey"
#define MANIFEST     "MANIFEST.json"
#define KEY_MAX      4096
#define MANIFEST_MAX 65536
#define CHUNK        65536
#define PATH_MAX_LEN 1100

static bool
path_with(char *out, const char *base, const char *suffix, char *msg, size_t msglen)
{
	if ((size_t)snprintf(out, PATH_MAX_LEN, "%s%s", base, suffix) >= PATH_MAX_LEN) {
		snprintf(msg, msglen, "the path %s is too long", base);
		return false;
	}
	return true;
}

/* Reads a small private file whole; false with the reason in msg. */
static bool
read_small(const char *path, uint8_t *buf, size_t cap, size_t *len, char *msg, size_t msglen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t got;

	if (fd < 0) {
		snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
		return false;
	}
	got = read(fd, buf, cap);
	close(fd);
	if (got < 0 || (size_t)got == cap) {
		snprintf(msg, msglen, "cannot read %s: %s", path,
		         got < 0 ? strerror(errno) : "larger than expected");
		return false;
	}
	*len = (size_t)got;
	return true;
}

static void
hex32(const uint8_t h[32], char out[65])
{
	sodium_bin2hex(out, 65, h, 32);
}

static bool
add_member(struct archive *a, const char *name, const uint8_t *data, size_t len, int fd,
           uint64_t fsize, char *msg, size_t msglen)
{
	struct archive_entry *e = archive_entry_new();
	char full[256];
	uint8_t buf[CHUNK];
	uint64_t left = fsize;
	bool ok;

	snprintf(full, sizeof(full), DIR_NAME "%s", name);
	archive_entry_set_pathname(e, full);
	archive_entry_set_size(e, fd >= 0 ? (la_int64_t)fsize : (la_int64_t)len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_mtime(e, now_s(), 0);
	ok = archive_write_header(a, e) == ARCHIVE_OK;
	if (ok && fd < 0)
		ok = archive_write_data(a, data, len) == (la_ssize_t)len;
	while (ok && fd >= 0 && left > 0) {
		ssize_t got = read(fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf));
		ok = got > 0 && archive_write_data(a, buf, (size_t)got) == (la_ssize_t)got;
		left -= got > 0 ? (uint64_t)got : 0;
	}
	if (!ok)
		snprintf(msg, msglen, "cannot write %s into the archive: %s", name,
		         archive_error_string(a) ? archive_error_string(a) : strerror(errno));
	archive_entry_free(e);
	return ok;
}

/* SHA-256 and size of a file, read whole. */
static bool
hash_file(const char *path, uint8_t out[32], uint64_t *size, char *msg, size_t msglen)
{
	crypto_hash_sha256_state st;
	uint8_t buf[CHUNK];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0) {
		snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
		return false;
	}
	*size = 0;
	crypto_hash_sha256_init(&st);
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		crypto_hash_sha256_update(&st, buf, (size_t)got);
		*size += (uint64_t)got;
	}
	close(fd);
	crypto_hash_sha256_final(&st, out);
	if (got < 0)
		snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
	return got == 0;
}

static char *
manifest_text(const struct backup_member *m, size_t n)
{
	char when[RFC3339_SIZE], hex[65];
	json_t *files = json_object(), *o;
	char *text;

	fmt_rfc3339(now_s(), when);
	for (size_t i = 0; files != NULL && i < n; i++) {
		hex32(m[i].sha256, hex);
		json_object_set_new(
		    files, m[i].name,
		    json_pack("{s:I,s:s}", "size", (json_int_t)m[i].size, "sha256", hex));
	}
	o = json_pack("{s:s,s:s,s:o}", "format", BACKUP_FORMAT, "created_at", when, "files", files);
	text = o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return text;
}

enum pocd_err
backup_write(const char *db_path, const char *archive, char *msg, size_t msglen)
{
	char copy[PATH_MAX_LEN], keypath[PATH_MAX_LEN], tmp[PATH_MAX_LEN], *manifest = NULL;
	uint8_t key[KEY_MAX];
	struct backup_member m[2] = {{.name = DB_MEMBER}, {.name = KEY_MEMBER}};
	struct archive *a = NULL;
	struct stat sb;
	size_t keylen = 0;
	int fd = -1, dbfd = -1;
	enum pocd_err err = POCD_ESTORE;

	if (!path_with(copy, archive, ".db.tmp", msg, msglen) ||
	    !path_with(tmp, archive, ".tmp", msg, msglen) ||
	    !path_with(keypath, db_path, ".logkey", msg, msglen))
		return POCD_EINVAL;
	if (stat(archive, &sb) == 0) {
		snprintf(msg, msglen, "%s exists: a backup never overwrites a file", archive);
		return POCD_ECONFLICT;
	}
	if (!read_small(keypath, key, sizeof(key), &keylen, msg, msglen))
		return POCD_ENOTFOUND;
	err = store_copy(db_path, copy, msg, msglen);
	if (err != POCD_OK)
		goto out;
	err = POCD_ESTORE;
	m[1].size = keylen;
	crypto_hash_sha256(m[1].sha256, key, keylen);
	if (!hash_file(copy, m[0].sha256, &m[0].size, msg, msglen) ||
	    (manifest = manifest_text(m, 2)) == NULL)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	dbfd = open(copy, O_RDONLY | O_CLOEXEC);
	a = archive_write_new();
	if (fd < 0 || dbfd < 0 || a == NULL || archive_write_set_format_pax_restricted(a) != 0 ||
	    archive_write_add_filter_gzip(a) != 0 || archive_write_open_fd(a, fd) != 0) {
		snprintf(msg, msglen, "cannot write %s: %s", tmp,
		         a != NULL && archive_error_string(a) ? archive_error_string(a)
		                                              : strerror(errno));
		goto out;
	}
	/* The manifest first, so that a restore knows what to expect before it writes. */
	if (!add_member(a, MANIFEST, (const uint8_t *)manifest, strlen(manifest), -1, 0, msg,
	                msglen) ||
	    !add_member(a, KEY_MEMBER, key, keylen, -1, 0, msg, msglen) ||
	    !add_member(a, DB_MEMBER, NULL, 0, dbfd, m[0].size, msg, msglen))
		goto out;
	if (archive_write_close(a) != ARCHIVE_OK || fsync(fd) != 0) {
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
	if (dbfd >= 0)
		close(dbfd);
	if (err != POCD_OK)
		unlink(tmp);
	unlink(copy);
	free(manifest);
	sodium_memzero(key, sizeof(key));
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
	if (format == NULL || strcmp(format, BACKUP_FORMAT) != 0 || !json_is_object(files)) {
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
			         "%s is damaged: its size or SHA-256 is not the manifest's",
			         m[i].name);
			goto out;
		}
	}
	ok = true;
out:
	json_decref(o);
	return ok;
}

/* Copies the current member's data to fd, hashing it; at most max bytes. */
static bool
extract(struct archive *a, int fd, uint8_t *mem, size_t max, struct backup_member *m, char *msg,
        size_t msglen)
{
	crypto_hash_sha256_state st;
	uint8_t buf[CHUNK];
	la_ssize_t got;

	m->size = 0;
	crypto_hash_sha256_init(&st);
	while ((got = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (m->size + (uint64_t)got > max) {
			snprintf(msg, msglen, "%s is larger than a pocd backup holds", m->name);
			return false;
		}
		if (fd >= 0 && write(fd, buf, (size_t)got) != got) {
			snprintf(msg, msglen, "cannot write %s: %s", m->name, strerror(errno));
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

/* Writes data to a new file path (mode 0600) and syncs it. */
static bool
write_new(const char *path, const uint8_t *data, size_t len, char *msg, size_t msglen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	bool ok = fd >= 0 && write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;

	if (!ok)
		snprintf(msg, msglen, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ok;
}

enum pocd_err
backup_restore(const char *archive, const char *db_path, char *msg, size_t msglen)
{
	char keypath[PATH_MAX_LEN], tmp[PATH_MAX_LEN], wal[PATH_MAX_LEN];
	uint8_t key[KEY_MAX];
	char manifest[MANIFEST_MAX];
	struct backup_member m[2] = {{.name = DB_MEMBER}, {.name = KEY_MEMBER}},
	                     man = {.name = MANIFEST};
	bool seen[3] = {false, false, false};
	struct archive *a = NULL;
	struct archive_entry *e;
	struct stat sb;
	int fd = -1, rc;
	enum pocd_err err = POCD_EINVAL;
	bool wrote_key = false;

	if (!path_with(keypath, db_path, ".logkey", msg, msglen) ||
	    !path_with(tmp, db_path, ".restore.tmp", msg, msglen) ||
	    !path_with(wal, db_path, "-wal", msg, msglen))
		return POCD_EINVAL;
	if (stat(db_path, &sb) == 0 || stat(keypath, &sb) == 0 || stat(wal, &sb) == 0) {
		snprintf(msg, msglen,
		         "%s (or its key or journal) exists: restore into a fresh path only",
		         db_path);
		return POCD_ECONFLICT;
	}
	a = archive_read_new();
	if (a == NULL || archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_open_filename(a, archive, CHUNK) != ARCHIVE_OK) {
		snprintf(msg, msglen, "cannot read %s: %s", archive,
		         a != NULL && archive_error_string(a) ? archive_error_string(a)
		                                              : "out of memory");
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(msg, msglen, "cannot create %s: %s", tmp, strerror(errno));
		err = POCD_ESTORE;
		goto out;
	}
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		int which = -1;
		bool ok;
		if (name != NULL && strncmp(name, DIR_NAME, strlen(DIR_NAME)) == 0) {
			name += strlen(DIR_NAME);
			which = strcmp(name, DB_MEMBER) == 0    ? 0
			        : strcmp(name, KEY_MEMBER) == 0 ? 1
			        : strcmp(name, MANIFEST) == 0   ? 2
			                                        : -1;
		}
		if (which < 0 || seen[which] || archive_entry_filetype(e) != AE_IFREG) {
			snprintf(msg, msglen, "the archive holds %s, which a pocd backup does not",
			         archive_entry_pathname(e) ? archive_entry_pathname(e)
			                                   : "an unnamed entry");
			goto out;
		}
		seen[which] = true;
		if (which == 0)
			ok = extract(a, fd, NULL, UINT64_MAX, &m[0], msg, msglen);
		else if (which == 1)
			ok = extract(a, -1, key, sizeof(key), &m[1], msg, msglen);
		else
			ok = extract(a, -1, (uint8_t *)manifest, sizeof(manifest) - 1, &man, msg,
			             msglen);
		if (!ok)
			goto out;
	}
	if (rc != ARCHIVE_EOF) {
		snprintf(msg, msglen, "the archive is damaged: %s", archive_error_string(a));
		goto out;
	}
	if (!seen[0] || !seen[1] || !seen[2]) {
		snprintf(msg, msglen, "the archive lacks %s",
		         !seen[2]   ? MANIFEST
		         : !seen[0] ? DB_MEMBER
		                    : KEY_MEMBER);
		goto out;
	}
	if (!backup_manifest_check(manifest, (size_t)man.size, m, 2, msg, msglen))
		goto out;
	err = POCD_ESTORE;
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		snprintf(msg, msglen, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (!write_new(keypath, key, (size_t)m[1].size, msg, msglen))
		goto out;
	wrote_key = true;
	if (rename(tmp, db_path) != 0) {
		snprintf(msg, msglen, "cannot rename %s to %s: %s", tmp, db_path, strerror(errno));
		goto out;
	}
	err = POCD_OK;
out:
	if (a != NULL)
		archive_read_free(a);
	if (fd >= 0)
		close(fd);
	if (err != POCD_OK) {
		unlink(tmp);
		if (wrote_key)
			unlink(keypath);
	}
	sodium_memzero(key, sizeof(key));
	return err;
}
