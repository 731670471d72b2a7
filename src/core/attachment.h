/*
 * Attachments: evidence files uploaded by a state's account, stored by their SHA-256 in the
 * directory DB_PATH.attachments beside the database, then referenced by a communication or a
 * reply, whose content (and so its leaf's commitment) then holds each file's name, size and
 * hash.
 *
 * An upload is written to a temporary file in that directory while it arrives, hashed as it
 * goes; when it is complete the file is synced, renamed to its hash and the directory synced
 * before its row is committed, so an interrupted upload leaves no file under a hash and no
 * row. Temporary files a crash left behind are removed when the directory is opened.
 */
#ifndef POCD_CORE_ATTACHMENT_H
#define POCD_CORE_ATTACHMENT_H

#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <sys/types.h>

#include "core/core.h"
#include "lib/workq.h"

#define ATTACH_LIMIT_DEFAULT (25u << 20)         /* bytes of one file unless configured */
#define ATTACH_SWEEP_AGE     86400               /* seconds an unreferenced upload is kept */
#define ATTACH_QUOTA_DEFAULT ((uint64_t)1 << 30) /* a state's unreferenced bytes by default */
#define ATTACH_QUOTA_FILES   1000                /* a state's unreferenced uploads at most */
#define ATTACH_THREADS       2 /* uploads synced and renamed at once (core->attachq) */

/* The directory of attachment files for the database at db_path: db_path + ".attachments".
 * False when it does not fit in out. */
bool attachment_dir(const char *db_path, char *out, size_t outlen);

/* Creates the directory (mode 0700) when absent, refuses one others may read, gives it to
 * owner:group unless owner is (uid_t)-1 (the --user pocd becomes), removes the temporary
 * files of interrupted uploads, and lets c store attachments. False with a reason in msg on
 * failure. Until it succeeds, uploads are answered POCD_EUNAVAILABLE. */
bool attachments_open(struct core *c, const char *db_path, uid_t owner, gid_t group, char *msg,
                      size_t msglen);
/* Frees what attachments_open made (core_free calls it). */
void attachments_close(struct core *c);

/*
 * Checks an upload's declared name and type: filename 1 to ATTACH_NAME_MAX bytes of text on
 * one line, without "/" or "\", not "." or ".."; content_type a media type "type/subtype"
 * (parameters are dropped; NULL or "" means application/octet-stream). Fills a->filename and
 * a->media_type (lowercase); every problem goes to errs under "filename" or "Content-Type".
 */
void attachment_meta(const char *filename, const char *content_type, struct attachment *a,
                     struct verrs *errs);

/* Reads the "attachments" member of a communication or reply: absent, or an array of 1 to
 * ATTACH_MAX distinct attachment ids. Problems go to errs as "attachments[i]". */
void attachment_ids_decode(const json_t *v, char ids[ATTACH_MAX][ID_SIZE], size_t *n,
                           struct verrs *errs);

/*
 * Whether state may keep one more upload that nothing references, of adding bytes (0 when
 * not known yet), beside those it keeps already: at most c->cfg.attachment_quota bytes and
 * ATTACH_QUOTA_FILES uploads. POCD_OK, or POCD_ETHROTTLED with the bound it would pass in
 * why; conn is a reader, or the writer inside the upload's insert.
 */
enum pocd_err attachment_quota_check(struct core *c, struct store_conn *conn, const char *state,
                                     int64_t adding, char *why, size_t whylen);

/* One upload in progress; the request that carries it owns it. */
struct upload {
	struct core *core;
	struct attachment a; /* filename, media_type, owner_state, uploader set by upload_begin */
	int fd;              /* the temporary file; -1 once closed */
	char tmp[1200];      /* its path; "" once renamed or removed */
	crypto_hash_sha256_state hash;
	bool write_failed;
	enum pocd_err status; /* of upload_finish, when done runs */
	char why[200];        /* with status POCD_ETHROTTLED: the quota it would pass */
	struct work work;
	struct store_job job;
	struct upload *next_inflight;
	bool inflight;
	void (*done)(void *arg);
	void *arg;
};

/* Starts an upload by who (whose state then owns it) into a new temporary file.
 * POCD_EUNAVAILABLE when attachments are not open or the file cannot be made. */
enum pocd_err upload_begin(struct core *c, struct upload *u, const struct principal *who);
/* Appends n bytes: hashed and written. False once a write failed (the upload then ends
 * POCD_EUNAVAILABLE). */
bool upload_write(struct upload *u, const void *data, size_t n);
/* Completes the upload off the request thread (on core->attachq): sync, rename to the hash,
 * sync the directory, commit the row (a->id, sha256, size, created_at set) unless that passes
 * the state's quota (then POCD_ETHROTTLED, u->why, and the file goes unless another row or
 * upload holds it). u->done(u->arg) runs when it is over, with u->status. POCD_EUNAVAILABLE
 * when it cannot be queued (done does not run then). */
enum pocd_err upload_finish(struct upload *u);
/* Ends whatever the upload left: its temporary file is closed and removed. Safe to call
 * more than once and after upload_finish completed. */
void upload_discard(struct upload *u);

/*
 * Looks up attachment id for who: POCD_ENOTFOUND for unknown ids and those who may not read
 * (authz_attachment_read). On POCD_OK, *fd is the file opened for reading (the caller closes
 * it) and a its row.
 */
enum pocd_err attachment_open_for(struct core *c, struct store_conn *rd,
                                  const struct principal *who, const char *id, struct attachment *a,
                                  int *fd);

/*
 * On the writer, inside the job of a communication or a reply by state: checks that each of
 * ids is an unreferenced attachment of state (else errs "attachments[i]" and POCD_EINVAL),
 * sets the "attachments" member of the canonical JSON *content to their
 * [{"filename","id","sha256","size"}] (replacing *content, still the caller's to free), and
 * references them for comm_id (thread and reply as in store_attachment_reference). Nothing
 * changes when n is 0.
 */
enum pocd_err attachments_bind(struct store_conn *w, const char ids[ATTACH_MAX][ID_SIZE], size_t n,
                               const char *state, const char *comm_id, const char *thread,
                               bool reply, char **content, struct verrs *errs);

/* Deletes the unreferenced uploads older than ATTACH_SWEEP_AGE at now, and their files
 * when no other row holds the same content; then any file in the directory last written more
 * than ATTACH_SWEEP_AGE before now that no row names (left by a failure between a file and
 * its row), and temporary files as old. Blocking; for the scheduler thread. */
enum pocd_err attachments_sweep(struct core *c, int64_t now);

#endif
