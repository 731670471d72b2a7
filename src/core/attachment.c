#include "core/attachment.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/authz.h"
#include "core/validate.h"
#include "lib/log.h"

#define TMP_PREFIX "upload."
/* Uploads queued for their final steps at most, beyond which the caller answers 503. */
#define FINISH_QUEUE_MAX 64

struct attach_store {
	char dir[1100];
	int dirfd;
	/* Uploads between their rename and their commit: the sweep leaves their files alone. */
	pthread_mutex_t lk;
	struct upload *inflight;
};

bool
attachment_dir(const char *db_path, char *out, size_t outlen)
{
	return (size_t)snprintf(out, outlen, "%s.attachments", db_path) < outlen;
}

/* Removes the temporary files of uploads a stop or a crash cut short. */
static void
remove_leftovers(struct attach_store *s)
{
	DIR *d = fdopendir(dup(s->dirfd));
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
			unlinkat(s->dirfd, e->d_name, 0);
	closedir(d);
}

bool
attachments_open(struct core *c, const char *db_path, uid_t owner, gid_t group, char *msg,
                 size_t msglen)
{
	struct attach_store *s = calloc(1, sizeof(*s));
	struct stat st;

	if (s == NULL) {
		snprintf(msg, msglen, "out of memory");
		return false;
	}
	s->dirfd = -1;
	if (!attachment_dir(db_path, s->dir, sizeof(s->dir))) {
		snprintf(msg, msglen, "--db: the path is too long");
		goto fail;
	}
	if (mkdir(s->dir, 0700) != 0 && errno != EEXIST) {
		snprintf(msg, msglen, "cannot make %s: %s", s->dir, strerror(errno));
		goto fail;
	}
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0 || fstat(s->dirfd, &st) != 0) {
		snprintf(msg, msglen, "cannot open %s: %s", s->dir, strerror(errno));
		goto fail;
	}
	if (owner != (uid_t)-1 && st.st_uid != owner && fchown(s->dirfd, owner, group) != 0) {
		snprintf(msg, msglen, "cannot give %s to the service user: %s", s->dir,
		         strerror(errno));
		goto fail;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(msg, msglen, "%s may be read by others (mode %03o): chmod 700 %s", s->dir,
		         (unsigned)(st.st_mode & 0777), s->dir);
		goto fail;
	}
	remove_leftovers(s);
	pthread_mutex_init(&s->lk, NULL);
	c->attach = s;
	return true;
fail:
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s);
	return false;
}

void
attachments_close(struct core *c)
{
	struct attach_store *s = c->attach;

	if (s == NULL)
		return;
	close(s->dirfd);
	pthread_mutex_destroy(&s->lk);
	free(s);
	c->attach = NULL;
}

/* RFC 9110 token characters. */
static bool
tchar(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

void
attachment_meta(const char *filename, const char *content_type, struct attachment *a,
                struct verrs *errs)
{
	const char *p;
	size_t n, slash = 0;

	if (filename == NULL || strlen(filename) > ATTACH_NAME_MAX ||
	    !valid_text(filename, ATTACH_NAME_MAX) || strpbrk(filename, "/\\") != NULL ||
	    strcmp(filename, ".") == 0 || strcmp(filename, "..") == 0)
		verr_add(errs, "filename",
		         "must be the file's name: 1 to %d bytes of text on one line, without / or "
		         "\\ (send it as the query parameter ?filename=)",
		         ATTACH_NAME_MAX);
	else
		strlcpy(a->filename, filename, sizeof(a->filename));
	if (content_type == NULL || content_type[0] == '\0') {
		strlcpy(a->media_type, "application/octet-stream", sizeof(a->media_type));
		return;
	}
	/* type "/" subtype, then parameters, which are not kept. slash is the position of the
	 * one "/" plus one (0: none yet). */
	for (p = content_type, n = 0; tchar((unsigned char)*p) || (*p == '/' && slash == 0); p++) {
		if (*p == '/')
			slash = n + 1;
		n++;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (slash <= 1 || slash == n || n > ATTACH_TYPE_MAX || (*p != '\0' && *p != ';')) {
		verr_add(errs, "Content-Type",
		         "must be a media type such as application/pdf (or leave it out)");
		return;
	}
	for (size_t i = 0; i < n; i++)
		a->media_type[i] = (char)tolower((unsigned char)content_type[i]);
	a->media_type[n] = '\0';
}

void
attachment_ids_decode(const json_t *v, char ids[ATTACH_MAX][ID_SIZE], size_t *n, struct verrs *errs)
{
	char f[VERR_FIELD];
	const char *id;

	*n = 0;
	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > ATTACH_MAX) {
		verr_add(
		    errs, "attachments",
		    "must be an array of 1 to %d attachment ids (from POST /api/v1/attachments)",
		    ATTACH_MAX);
		return;
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		snprintf(f, sizeof(f), "attachments[%zu]", i);
		id = json_string_value(json_array_get(v, i));
		if (id == NULL || !id_valid(id)) {
			verr_add(errs, f,
			         "must be an attachment id (from POST /api/v1/attachments)");
			continue;
		}
		for (size_t k = 0; k < *n; k++)
			if (strcmp(ids[k], id) == 0) {
				verr_add(errs, f, "is listed twice");
				id = NULL;
				break;
			}
		if (id != NULL)
			strlcpy(ids[(*n)++], id, ID_SIZE);
	}
}

enum pocd_err
upload_begin(struct core *c, struct upload *u, const struct principal *who)
{
	struct attach_store *s = c->attach;
	char name[sizeof(TMP_PREFIX) + ID_SIZE];

	u->core = c;
	u->fd = -1;
	u->tmp[0] = '\0';
	crypto_hash_sha256_init(&u->hash);
	strlcpy(u->a.owner_state, who->state, sizeof(u->a.owner_state));
	strlcpy(u->a.uploader, who->account_id, sizeof(u->a.uploader));
	if (s == NULL)
		return POCD_EUNAVAILABLE;
	rand_id(u->a.id);
	snprintf(name, sizeof(name), TMP_PREFIX "%s", u->a.id);
	u->fd = openat(s->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (u->fd < 0)
		return POCD_EUNAVAILABLE;
	strlcpy(u->tmp, name, sizeof(u->tmp));
	return POCD_OK;
}

bool
upload_write(struct upload *u, const void *data, size_t n)
{
	const char *p = data;

	if (u->write_failed || u->fd < 0)
		return false;
	crypto_hash_sha256_update(&u->hash, data, n);
	u->a.size += (int64_t)n;
	while (n > 0) {
		ssize_t w = write(u->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			u->write_failed = true;
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void
inflight_remove(struct attach_store *s, struct upload *u)
{
	pthread_mutex_lock(&s->lk);
	for (struct upload **pp = &s->inflight; *pp != NULL; pp = &(*pp)->next_inflight)
		if (*pp == u) {
			*pp = u->next_inflight;
			break;
		}
	u->inflight = false;
	pthread_mutex_unlock(&s->lk);
}

enum pocd_err
attachment_quota_check(struct core *c, struct store_conn *conn, const char *state, int64_t adding,
                       char *why, size_t whylen)
{
	int64_t bytes, count;
	uint64_t quota = c->cfg.attachment_quota;
	enum pocd_err err = store_attachments_pending(conn, state, &bytes, &count);

	if (err != POCD_OK)
		return err;
	if (count >= ATTACH_QUOTA_FILES) {
		snprintf(why, whylen,
		         "your state keeps %d uploads that no communication or reply references "
		         "yet, the most it may: reference them, or wait a day for them to go",
		         ATTACH_QUOTA_FILES);
		return POCD_ETHROTTLED;
	}
	if ((uint64_t)bytes + (uint64_t)(adding > 0 ? adding : 1) > quota) {
		snprintf(why, whylen,
		         "your state's uploads that nothing references yet would pass its quota of "
		         "%llu MiB (%llu MiB kept): reference them, or wait a day for them to go",
		         (unsigned long long)(quota >> 20), (unsigned long long)(bytes >> 20));
		return POCD_ETHROTTLED;
	}
	return POCD_OK;
}

/* On the writer: the row, unless it passes the quota; then the file goes too, unless a row
 * or another upload holds the same content (under the lock the sweep takes). */
static enum pocd_err
insert_run(struct store_conn *w, struct store_job *j)
{
	struct upload *u = container_of(j, struct upload, job);
	struct attach_store *s = u->core->attach;
	enum pocd_err err =
	    attachment_quota_check(u->core, w, u->a.owner_state, u->a.size, u->why, sizeof(u->why));
	bool keep = false;

	if (err != POCD_ETHROTTLED)
		return err == POCD_OK ? store_attachment_insert(w, &u->a) : err;
	pthread_mutex_lock(&s->lk);
	for (struct upload *o = s->inflight; o != NULL; o = o->next_inflight)
		keep |= o != u && strcmp(o->a.sha256, u->a.sha256) == 0;
	if (!keep && store_attachment_sha_used(w, u->a.sha256, &keep) == POCD_OK && !keep)
		unlinkat(s->dirfd, u->a.sha256, 0);
	pthread_mutex_unlock(&s->lk);
	return POCD_ETHROTTLED;
}

static void
insert_done(struct store_job *j, enum pocd_err st)
{
	struct upload *u = container_of(j, struct upload, job);

	inflight_remove(u->core->attach, u);
	u->status = st;
	u->done(u->arg);
}

/* On a pool thread: the file made durable under its hash, then its row submitted. */
static void
finish_work(struct work *wk)
{
	struct upload *u = container_of(wk, struct upload, work);
	struct attach_store *s = u->core->attach;
	uint8_t h[crypto_hash_sha256_BYTES];
	enum pocd_err err = POCD_EUNAVAILABLE;

	crypto_hash_sha256_final(&u->hash, h);
	hex_encode(h, sizeof(h), u->a.sha256);
	if (u->write_failed || fsync(u->fd) != 0 || close(u->fd) != 0) {
		u->fd = -1;
		goto fail;
	}
	u->fd = -1;
	pthread_mutex_lock(&s->lk);
	u->next_inflight = s->inflight;
	s->inflight = u;
	u->inflight = true;
	pthread_mutex_unlock(&s->lk);
	/* The same content under the same name: replacing it changes nothing. */
	if (renameat(s->dirfd, u->tmp, s->dirfd, u->a.sha256) != 0 || fsync(s->dirfd) != 0) {
		inflight_remove(s, u);
		goto fail;
	}
	u->tmp[0] = '\0';
	u->a.created_at = core_now(u->core);
	u->job.run = insert_run;
	u->job.done = insert_done;
	err = store_submit(u->core->store, &u->job);
	if (err == POCD_OK)
		return;
	inflight_remove(s, u);
fail:
	u->status = err;
	u->done(u->arg);
}

enum pocd_err
upload_finish(struct upload *u)
{
	u->work.fn = finish_work;
	if (workq_submit(u->core->attachq, &u->work, FINISH_QUEUE_MAX) != 0)
		return POCD_EUNAVAILABLE;
	return POCD_OK;
}

void
upload_discard(struct upload *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	if (u->tmp[0] != '\0' && u->core != NULL && u->core->attach != NULL)
		unlinkat(u->core->attach->dirfd, u->tmp, 0);
	u->tmp[0] = '\0';
}

enum pocd_err
attachment_open_for(struct core *c, struct store_conn *rd, const struct principal *who,
                    const char *id, struct attachment *a, int *fd)
{
	struct comm *cm = NULL;
	unsigned linked = 0;
	bool ok;
	enum pocd_err err;

	*fd = -1;
	if (c->attach == NULL)
		return POCD_EUNAVAILABLE;
	if (!id_valid(id))
		return POCD_ENOTFOUND;
	err = store_attachment_get(rd, id, a);
	if (err != POCD_OK)
		return err;
	if (a->comm_id[0] != '\0') {
		cm = calloc(1, sizeof(*cm));
		if (cm == NULL)
			return POCD_ENOMEM;
		err = store_comm_get(rd, a->comm_id, cm);
		if (err == POCD_OK && strcmp(cm->tlp, "RED") == 0)
			err = store_account_poc_kinds(rd, who->account_id, who->state, &linked);
	}
	ok = err == POCD_OK && authz_attachment_read(who, a, cm, linked);
	if (cm != NULL)
		free(cm->content);
	free(cm);
	if (err != POCD_OK)
		return err;
	if (!ok)
		return POCD_ENOTFOUND;
	*fd = openat(c->attach->dirfd, a->sha256, O_RDONLY | O_CLOEXEC);
	return *fd >= 0 ? POCD_OK : POCD_EUNAVAILABLE;
}

enum pocd_err
attachments_bind(struct store_conn *w, const char ids[ATTACH_MAX][ID_SIZE], size_t n,
                 const char *state, const char *comm_id, const char *thread, bool reply,
                 char **content, struct verrs *errs)
{
	struct attachment a;
	json_t *list, *doc = NULL;
	char f[VERR_FIELD], *text;
	enum pocd_err err = POCD_OK;

	if (n == 0)
		return POCD_OK;
	list = json_array();
	if (list == NULL)
		return POCD_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "attachments[%zu]", i);
		err = store_attachment_get(w, ids[i], &a);
		if (err == POCD_ENOTFOUND ||
		    (err == POCD_OK && strcmp(a.owner_state, state) != 0)) {
			verr_add(errs, f, "is no attachment your state uploaded");
			continue;
		}
		if (err != POCD_OK)
			goto out;
		if (a.comm_id[0] != '\0') {
			verr_add(errs, f, "is attached already: upload the file again");
			continue;
		}
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:I}", "filename", a.filename,
		                                      "id", a.id, "sha256", a.sha256, "size",
		                                      (json_int_t)a.size));
	}
	if (errs->n > 0) {
		err = POCD_EINVAL;
		goto out;
	}
	doc = json_loads(*content, 0, NULL);
	if (doc == NULL || json_object_set(doc, "attachments", list) != 0) {
		err = POCD_ENOMEM;
		goto out;
	}
	/* The form comm_decode gives content: what the leaf commits to. */
	text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL) {
		err = POCD_ENOMEM;
		goto out;
	}
	free(*content);
	*content = text;
	for (size_t i = 0; err == POCD_OK && i < n; i++)
		err = store_attachment_reference(w, ids[i], comm_id, thread, reply);
out:
	json_decref(doc);
	json_decref(list);
	return err;
}

struct sweep_job {
	struct store_job job;
	int64_t before;
	char shas[64][65];
	size_t n;
};

static int
collect(const char *sha256, void *arg)
{
	struct sweep_job *sj = arg;

	if (sj->n < 64)
		strlcpy(sj->shas[sj->n++], sha256, sizeof(sj->shas[0]));
	return 0;
}

static enum pocd_err
sweep_run(struct store_conn *w, struct store_job *j)
{
	struct sweep_job *sj = container_of(j, struct sweep_job, job);

	sj->n = 0;
	return store_attachments_sweep(w, sj->before, 64, collect, sj);
}

/* True when name is a file name the store gives: 64 lowercase hex digits. */
static bool
hash_name(const char *name)
{
	return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

/* Removes what no row names and nothing writes any more, last written before cutoff: files
 * under a hash no attachment holds (a sweep whose unlinks did not happen, an upload whose row
 * did not commit after its rename) and temporary files of uploads long gone. Names of any
 * other form are not the store's and are left alone. */
static enum pocd_err
remove_orphans(struct attach_store *s, struct store_conn *rd, int64_t cutoff)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	enum pocd_err err = POCD_OK;
	bool used, busy;
	/* A descriptor of its own for the listing (dup is not among serve's system calls). */
	int fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return POCD_EUNAVAILABLE;
	}
	while (err == POCD_OK && (e = readdir(d)) != NULL) {
		bool tmp = strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0;
		if ((!tmp && !hash_name(e->d_name)) ||
		    fstatat(s->dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime >= cutoff)
			continue;
		if (tmp) {
			unlinkat(s->dirfd, e->d_name, 0);
			continue;
		}
		pthread_mutex_lock(&s->lk);
		busy = false;
		for (struct upload *u = s->inflight; u != NULL; u = u->next_inflight)
			busy |= strcmp(u->a.sha256, e->d_name) == 0;
		err = busy ? POCD_OK : store_attachment_sha_used(rd, e->d_name, &used);
		if (err == POCD_OK && !busy && !used) {
			log_info("attachments: removed %s, a file no attachment holds", e->d_name);
			unlinkat(s->dirfd, e->d_name, 0);
		}
		pthread_mutex_unlock(&s->lk);
	}
	closedir(d);
	return err;
}

enum pocd_err
attachments_sweep(struct core *c, int64_t now)
{
	struct attach_store *s = c->attach;
	struct sweep_job *sj;
	struct store_conn *rd;
	enum pocd_err err;
	bool used, busy;

	if (s == NULL)
		return POCD_OK;
	sj = calloc(1, sizeof(*sj));
	if (sj == NULL)
		return POCD_ENOMEM;
	sj->before = now - ATTACH_SWEEP_AGE;
	sj->job.run = sweep_run;
	err = store_run_sync(c->store, &sj->job);
	rd = store_reader(c->store);
	if (err == POCD_OK && rd == NULL)
		err = POCD_ESTORE;
	/* A file goes only when no row holds it and no upload is renaming onto it. */
	for (size_t i = 0; err == POCD_OK && i < sj->n; i++) {
		pthread_mutex_lock(&s->lk);
		busy = false;
		for (struct upload *u = s->inflight; u != NULL; u = u->next_inflight)
			busy |= strcmp(u->a.sha256, sj->shas[i]) == 0;
		err = busy ? POCD_OK : store_attachment_sha_used(rd, sj->shas[i], &used);
		if (err == POCD_OK && !busy && !used)
			unlinkat(s->dirfd, sj->shas[i], 0);
		pthread_mutex_unlock(&s->lk);
	}
	free(sj);
	if (err == POCD_OK)
		err = remove_orphans(s, rd, now - ATTACH_SWEEP_AGE);
	return err;
}
