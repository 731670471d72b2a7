/*
 * What the core may ask of the database, named by purpose. SQLite implements it today.
 *
 * Reads run on the calling thread's own read-only connection (store_reader). Writes run
 * only on the writer thread: the caller fills a store_job and submits it; the writer runs
 * every waiting job in one transaction (each under its own savepoint, so one failing job
 * does not undo the others), commits once, then calls each job's done callback with the
 * job's final status. A job is acknowledged only after the commit that holds it.
 */
#ifndef POCD_STORE_STORE_H
#define POCD_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/model.h"

struct store;
struct store_conn;

struct store_job {
	/* Runs on the writer thread inside the open transaction; a non-OK status rolls
	 * back this job's changes only. */
	enum pocd_err (*run)(struct store_conn *w, struct store_job *job);
	/* Runs on the writer thread after the commit (or its failure); the job may be
	 * freed from here on. */
	void (*done)(struct store_job *job, enum pocd_err status);
	/* Set by run when the job changed the directory, so cached responses are dropped. */
	bool directory_changed;
	struct store_job *next;
};

struct store_stats {
	uint64_t commits;
	uint64_t jobs;
	uint64_t max_batch;
	uint64_t db_bytes;
};

/* Creates a new database file with the current schema; fails if path exists. */
enum pocd_err store_create(const char *path, bool test_db, char *msg, size_t msglen);
/* Opens an existing database, upgrades its schema and starts the writer thread. */
enum pocd_err store_open(const char *path, struct store **out, char *msg, size_t msglen);
/* Copies the database at path, while it may be in use, as one consistent snapshot into a new
 * file dst (mode 0600; POCD_ECONFLICT if it exists). */
enum pocd_err store_copy(const char *path, const char *dst, char *msg, size_t msglen);
/* Stops the writer after the queued jobs, closes every connection, frees s. */
void store_close(struct store *s);

/* The calling thread's read connection to s, opened on first use; NULL on failure. */
struct store_conn *store_reader(struct store *s);
/* Queues a job; POCD_EUNAVAILABLE when the queue is full or the store is closing. */
enum pocd_err store_submit(struct store *s, struct store_job *job);
/* Submits and waits for the commit; for start-up and tools, never on a request thread.
 * job->done may be NULL here. */
enum pocd_err store_run_sync(struct store *s, struct store_job *job);
/* Changes whenever a committed job changed the directory. */
uint64_t store_directory_generation(struct store *s);
/* Changes whenever a committed job wrote to a communication, or changed the directory (which
 * decides whose accounts read TLP:RED content). */
uint64_t store_comms_generation(struct store *s);
void store_get_stats(struct store *s, struct store_stats *out);
bool store_is_test(struct store *s);

/* states */
enum pocd_err store_state_put(struct store_conn *w, const struct state_rec *st);
enum pocd_err store_state_get(struct store_conn *c, const char *code, struct state_rec *out);
enum pocd_err store_states_list(struct store_conn *c,
                                int (*cb)(const struct state_rec *st, void *arg), void *arg);
enum pocd_err store_state_set_participation(struct store_conn *w, const char *code, bool on,
                                            int64_t since);

/* accounts; pwhash is libsodium's argon2id string */
enum pocd_err store_account_insert(struct store_conn *w, const struct account *a,
                                   const char *pwhash);
/* Fills out and pwhash (of size pwsize) for the account named username. */
enum pocd_err store_account_by_username(struct store_conn *c, const char *username,
                                        struct account *out, char *pwhash, size_t pwsize);
enum pocd_err store_account_get(struct store_conn *c, const char *id, struct account *out);
enum pocd_err store_accounts_list(struct store_conn *c, const char *state,
                                  int (*cb)(const struct account *a, void *arg), void *arg);
/* Sets or clears the account's disabled flag; a disabling also records when (now). */
enum pocd_err store_account_set_disabled(struct store_conn *w, const char *id, bool disabled,
                                         int64_t now);
enum pocd_err store_account_set_password(struct store_conn *w, const char *id, const char *pwhash);
/* Counts the enabled accounts of state with role (to know whether a state has an admin). */
enum pocd_err store_accounts_count(struct store_conn *c, const char *state, enum role role,
                                   int64_t *out);
/* As store_accounts_count, also counting the accounts disabled at or after since. */
enum pocd_err store_accounts_count_since(struct store_conn *c, const char *state, enum role role,
                                         int64_t since, int64_t *out);

/* sessions: only the SHA-256 of a token is ever stored */
enum pocd_err store_session_insert(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN],
                                   const char *account_id, int64_t now, int64_t expires_at);
/* Fills the principal of a live session on an enabled account, or POCD_ENOTFOUND. */
/* An account's second factor. Keys are 20 bytes (TOTP_KEY_SIZE). */
struct totp_state {
	bool enabled;
	uint8_t key[32];
	bool has_pending; /* a key being enrolled, not yet confirmed with a code */
	uint8_t pending[32];
	int64_t last_step; /* the newest step whose code was accepted */
};
enum pocd_err store_totp_get(struct store_conn *c, const char *account_id, struct totp_state *out);
enum pocd_err store_totp_put(struct store_conn *w, const char *account_id,
                             const struct totp_state *t);
/* Spends the code of step: POCD_ECONFLICT if that step or a later one was spent already. */
enum pocd_err store_totp_use(struct store_conn *w, const char *account_id, int64_t step);
enum pocd_err store_session_lookup(struct store_conn *c, const uint8_t hash[TOKEN_HASH_LEN],
                                   int64_t now, struct principal *out, int64_t *expires_at);
enum pocd_err store_session_delete(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN]);
enum pocd_err store_sessions_delete_account(struct store_conn *w, const char *account_id);
/* Ends every session of the account but the one whose hash is keep. */
enum pocd_err store_sessions_delete_others(struct store_conn *w, const char *account_id,
                                           const uint8_t keep[TOKEN_HASH_LEN]);

/* enrolments: one-time links to create an account */
enum pocd_err store_enrolment_insert(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN],
                                     const struct enrolment *e, int64_t now);
enum pocd_err store_enrolment_get(struct store_conn *c, const uint8_t hash[TOKEN_HASH_LEN],
                                  struct enrolment *out);
/* Spends every unused link an account issued (when it is disabled). */
enum pocd_err store_enrolments_spend(struct store_conn *w, const char *created_by, int64_t now);
/* Marks the enrolment used by account_id; POCD_ENOTFOUND if it was used already. */
enum pocd_err store_enrolment_use(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN],
                                  int64_t now, const char *account_id);
/* Spends every unused recovery link for the account target (a newer one replaces them). */
enum pocd_err store_enrolments_spend_target(struct store_conn *w, const char *target, int64_t now);
/* Whether a recovery link for account was used (set its password) at or after since. */
enum pocd_err store_enrolment_reset_used_since(struct store_conn *c, const char *account,
                                               int64_t since, bool *out);
/* Spends the unused link id of kind for state; POCD_ENOTFOUND if there is none. */
enum pocd_err store_enrolment_cancel(struct store_conn *w, const char *id, const char *state,
                                     enum enrolment_kind kind, int64_t now);
/* Whether the link id of kind for state is still unused and unexpired at now. */
enum pocd_err store_enrolment_pending(struct store_conn *c, const char *id, const char *state,
                                      enum enrolment_kind kind, int64_t now, bool *out);

/* notices: what the service tells an account in the app (a re-enrolment of its state) */
enum pocd_err store_notice_insert(struct store_conn *w, const char *account_id, const char *kind,
                                  int64_t now, const char *details);
/* The account's notices, newest first, at most limit; details is JSON text. */
enum pocd_err store_notices_list(struct store_conn *c, const char *account_id, size_t limit,
                                 int (*cb)(const char *id, const char *kind, int64_t at,
                                           const char *details, void *arg),
                                 void *arg);

/* points of contact */
enum pocd_err store_poc_insert(struct store_conn *w, const struct poc *p);
/* Replaces the row with p's contents (revision, accounts and all). */
enum pocd_err store_poc_update(struct store_conn *w, const struct poc *p);
enum pocd_err store_poc_delete(struct store_conn *w, const char *id);
enum pocd_err store_poc_get(struct store_conn *c, const char *id, struct poc *out);
/* Whether account_id acts for the PoC. */
enum pocd_err store_poc_has_account(struct store_conn *c, const char *poc_id,
                                    const char *account_id, bool *out);
/* The key a listing is ordered by within a state; a cursor resumes after it. */
void store_poc_sortkey(const struct poc *p, char out[SORTKEY_SIZE]);
/* Calls cb for each PoC of a participating state matching f, in directory order (state,
 * kind, rank, id), at most f->limit of them; stops early when cb returns non-zero. */
enum pocd_err store_pocs_list(struct store_conn *c, const struct poc_filter *f,
                              int (*cb)(const struct poc *p, void *arg), void *arg);
enum pocd_err store_poc_revision_insert(struct store_conn *w, const char *poc_id, int64_t revision,
                                        const char *op, const char *actor, int64_t at,
                                        const char *doc);
enum pocd_err store_poc_history(struct store_conn *c, const char *poc_id,
                                int (*cb)(int64_t revision, const char *op, const char *actor,
                                          int64_t at, const char *doc, void *arg),
                                void *arg);

/* communications */
enum pocd_err store_comm_insert(struct store_conn *w, const struct comm *cm);
/* Fills out with the communication and all its recipients; out->content is malloc'd (the
 * caller frees it, also on failure it is NULL). */
enum pocd_err store_comm_get(struct store_conn *c, const char *id, struct comm *out);
/* As store_comm_get, with content holding only {"subject": ...}. */
enum pocd_err store_comm_summary(struct store_conn *c, const char *id, struct comm *out);
/* Writes back one recipient's lifecycle fields (status, lateness, escalation, due times). */
enum pocd_err store_comm_recipient_update(struct store_conn *w, const char *comm_id,
                                          const struct comm_recipient *r);
enum pocd_err store_comm_step_add(struct store_conn *w, const char *comm_id,
                                  const struct comm_step *st);
enum pocd_err store_comm_steps(struct store_conn *c, const char *comm_id,
                               int (*cb)(const struct comm_step *st, void *arg), void *arg);
enum pocd_err store_comm_reply_add(struct store_conn *w, const char *comm_id,
                                   const struct comm_reply *rp);
/* Calls cb for each reply in time order; rp->body is only valid during the call. */
enum pocd_err store_comm_replies(struct store_conn *c, const char *comm_id,
                                 int (*cb)(const struct comm_reply *rp, void *arg), void *arg);
/* The ids of a state's inbox or outbox matching f, newest first, at most f->limit. */
enum pocd_err store_comms_list(struct store_conn *c, const struct comm_filter *f,
                               int (*cb)(const char *id, int64_t created_at, void *arg), void *arg);
/* The (communication, state) pairs whose next_due has come by now. */
enum pocd_err store_comm_due(struct store_conn *c, int64_t now,
                             int (*cb)(const char *comm_id, const char *state, void *arg),
                             void *arg);
/* The earliest next_due of all, or 0 when nothing is waiting. */
enum pocd_err store_comm_next_due(struct store_conn *c, int64_t *out);
/* Calls cb for each recipient row of communications created since (for the reports). */
enum pocd_err store_comm_stats(struct store_conn *c, int64_t since,
                               int (*cb)(const char *state, int64_t created_at,
                                         const struct comm_recipient *r, void *arg),
                               void *arg);
/* KIND_BIT()s of the PoCs of state that account_id acts for. */
enum pocd_err store_account_poc_kinds(struct store_conn *c, const char *account_id,
                                      const char *state, unsigned *kinds);
/* Bits (kind * 2 + rank) of the PoCs a state has. */
enum pocd_err store_state_poc_ranks(struct store_conn *c, const char *state, unsigned *ranks);

/* ping campaigns, pings, correction tasks */
enum pocd_err store_campaign_insert(struct store_conn *w, const struct ping_campaign *pc);
enum pocd_err store_campaign_get(struct store_conn *c, const char *id, struct ping_campaign *out);
/* A campaign's pings are created in chunks, each its own job, so that a campaign over a large
 * directory never holds the writer for long. The fill cursor is the last PoC (state, sortkey)
 * pinged; *filling is false once every PoC has its ping. */
enum pocd_err store_campaign_fill_get(struct store_conn *w, const char *id, bool *filling,
                                      char after_state[STATE_SIZE], char after_key[SORTKEY_SIZE]);
/* after_state NULL: the campaign is complete. */
enum pocd_err store_campaign_fill_set(struct store_conn *w, const char *id, const char *after_state,
                                      const char *after_key);
/* The ids of at most max campaigns still being filled, oldest first. */
enum pocd_err store_campaigns_filling(struct store_conn *c, char (*ids)[ID_SIZE], size_t max,
                                      size_t *n);
/* The PoCs of pc's scope and kinds after (after_state, after_key), in that order, at most
 * limit; cb gets each with its sortkey. */
enum pocd_err store_campaign_pocs(struct store_conn *w, const struct ping_campaign *pc,
                                  const char *after_state, const char *after_key, size_t limit,
                                  int (*cb)(const struct poc *p, const char *sortkey, void *arg),
                                  void *arg);
/* How many pings a campaign made, and (unless states is NULL) their states comma-separated in
 * code order. */
enum pocd_err store_campaign_pinged(struct store_conn *c, const char *id, size_t *n, char *states,
                                    size_t len);
/* Newest first. */
enum pocd_err store_campaigns_list(struct store_conn *c,
                                   int (*cb)(const struct ping_campaign *pc, void *arg), void *arg);
/* hash is the SHA-256 of the ping's single-use link token. */
enum pocd_err store_ping_insert(struct store_conn *w, const struct ping *p,
                                const uint8_t hash[TOKEN_HASH_LEN]);
enum pocd_err store_ping_get(struct store_conn *c, const char *id, struct ping *out);
enum pocd_err store_ping_by_token(struct store_conn *c, const uint8_t hash[TOKEN_HASH_LEN],
                                  struct ping *out);
/* Writes back the answer, reminder and task fields. */
enum pocd_err store_ping_update(struct store_conn *w, const struct ping *p);
/* The pings matching f, in id order, at most f->limit: of f->campaign if set, else of
 * f->state (one of them is required). */
enum pocd_err store_pings_list(struct store_conn *c, const struct ping_filter *f,
                               int (*cb)(const struct ping *p, void *arg), void *arg);
enum pocd_err store_ping_due(struct store_conn *c, int64_t now,
                             int (*cb)(const char *id, void *arg), void *arg);
/* The earliest next_due of all pings, or 0. */
enum pocd_err store_ping_next_due(struct store_conn *c, int64_t *out);
/* A removed PoC's open pings get no more reminders and open no task. */
enum pocd_err store_pings_stop_poc(struct store_conn *w, const char *poc_id);
enum pocd_err store_task_insert(struct store_conn *w, const struct task *t);
/* Closes the open tasks of a PoC, giving the reason ("changed", "confirmed", "removed"). */
enum pocd_err store_tasks_close_poc(struct store_conn *w, const char *poc_id, const char *reason,
                                    int64_t now);
enum pocd_err store_tasks_list(struct store_conn *c, const char *state, bool open_only,
                               int (*cb)(const struct task *t, void *arg), void *arg);
/* A message for the mail sender (a later part): written in the transaction of its cause. */
/* broadcasts: the Secretariat's announcements, texts as canonical JSON by language */
enum pocd_err store_broadcast_insert(struct store_conn *w, const char *id, const char *by,
                                     int64_t at, const char *texts);
/* The texts of broadcast id (malloc'd; the caller frees). */
enum pocd_err store_broadcast_get(struct store_conn *c, const char *id, char **texts);
/* The newest limit broadcasts, newest first. */
enum pocd_err store_broadcasts_list(struct store_conn *c, size_t limit,
                                    int (*cb)(const char *id, int64_t at, const char *texts,
                                              void *arg),
                                    void *arg);
enum pocd_err store_outbox_add(struct store_conn *w, const char *kind, const char *ref_id,
                               const char *poc_id, const char *state, const char *lang,
                               const char *payload, int64_t now);

/* mail: one-time acknowledgement links (only the SHA-256 of a token is stored) */
enum pocd_err store_ack_link_insert(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN],
                                    const char *comm_id, const char *state, const char *poc_id,
                                    int64_t now, int64_t expires_at);
/* The communication and recipient state of a link that has not expired by now. */
enum pocd_err store_ack_link_get(struct store_conn *c, const uint8_t hash[TOKEN_HASH_LEN],
                                 int64_t now, char comm_id[ID_SIZE], char state[STATE_SIZE]);
/* Spends every link of one recipient state of a communication. */
enum pocd_err store_ack_links_drop(struct store_conn *w, const char *comm_id, const char *state);
/* Whom a mail goes to: each PoC's id and its languages (comma-joined), in directory order.
 * Of a state's kind (rank -1: either); linked to an account; linked to an enabled
 * administrator of the state. */
enum pocd_err
store_mail_pocs_of_kind(struct store_conn *c, const char *state, enum poc_kind kind, int rank,
                        int (*cb)(const char *poc_id, const char *languages, void *arg), void *arg);
enum pocd_err
store_mail_pocs_of_account(struct store_conn *c, const char *account_id, const char *state,
                           int (*cb)(const char *poc_id, const char *languages, void *arg),
                           void *arg);
enum pocd_err store_mail_pocs_of_admins(struct store_conn *c, const char *state,
                                        int (*cb)(const char *poc_id, const char *languages,
                                                  void *arg),
                                        void *arg);
/* A correction task, unless one of its kind is open for the PoC already (*inserted false). */
enum pocd_err store_task_insert_once(struct store_conn *w, const struct task *t, bool *inserted);
/* PoCs whose review-by date is on or before cutoff ("YYYY-MM-DD") and not yet warned of. */
enum pocd_err store_review_due(struct store_conn *c, const char *cutoff,
                               int (*cb)(const char *poc_id, const char *state,
                                         const char *review_by, void *arg),
                               void *arg);
/* The earliest review-by date not yet warned of, "" when none. */
enum pocd_err store_review_next(struct store_conn *c, char out[11]);
enum pocd_err store_review_warned(struct store_conn *w, const char *poc_id, const char *review_by,
                                  int64_t now);
/* A PoC's ASCII-armored OpenPGP key, its fingerprint and expiry (0: never), replacing any
 * before (and its expiry warning). */
enum pocd_err store_poc_key_put(struct store_conn *w, const char *poc_id, const char *fingerprint,
                                const char *armored, int64_t expires_at, int64_t now);
/* Keys in use (the entry names their fingerprint) that expire by before and whose warning has
 * not gone out; each with its PoC's state and expiry. */
enum pocd_err store_keys_expiring(struct store_conn *c, int64_t before,
                                  int (*cb)(const char *poc_id, const char *state,
                                            int64_t expires_at, void *arg),
                                  void *arg);
/* The earliest expiry of those keys, 0 when none. */
enum pocd_err store_keys_next_expiry(struct store_conn *c, int64_t *out);
enum pocd_err store_key_warned(struct store_conn *w, const char *poc_id);
/* The PoC's key: its fingerprint and the armored text (malloc'd, the caller frees it; NULL on
 * failure); POCD_ENOTFOUND without one. */
enum pocd_err store_poc_key_get(struct store_conn *c, const char *poc_id, char fpr[FPR_SIZE],
                                char **armored);

/* Proposed changes of a PoC's e-mail or key (struct poc_change). */
const char *store_poc_change_status_name(enum poc_change_status st);
/* Inserts ch as pending, with the armored key to attach on apply (NULL for none). */
enum pocd_err store_poc_change_insert(struct store_conn *w, const struct poc_change *ch,
                                      const char *armored);
enum pocd_err store_poc_change_get(struct store_conn *c, const char *id, struct poc_change *out);
/* The change's armored key (malloc'd, the caller frees it); POCD_ENOTFOUND without one. */
enum pocd_err store_poc_change_armored(struct store_conn *c, const char *id, char **out);
/* A state's changes, newest first (at most limit), of one PoC unless poc_id is NULL; cb
 * returns non-zero to stop. */
enum pocd_err store_poc_changes_list(struct store_conn *c, const char *state, const char *poc_id,
                                     bool pending_only, size_t limit,
                                     int (*cb)(const struct poc_change *ch, void *arg), void *arg);
/* Moves a pending change to status, decided by `by` ("" for none) at `at`; POCD_ENOTFOUND when
 * it is not pending (any more). */
enum pocd_err store_poc_change_decide(struct store_conn *w, const char *id,
                                      enum poc_change_status status, const char *by, int64_t at);
/* Moves to status every pending change of the PoC that changes the e-mail (with email) or the
 * key (with key). */
enum pocd_err store_poc_changes_supersede(struct store_conn *w, const char *poc_id, bool email,
                                          bool key, enum poc_change_status status, const char *by,
                                          int64_t at);
/* Pending changes whose effective_at has come by now, the earliest first, at most max. */
enum pocd_err store_poc_changes_due(struct store_conn *c, int64_t now, size_t max,
                                    int (*cb)(const struct poc_change *ch, void *arg), void *arg);
/* The earliest effective_at of pending changes, 0 when none. */
enum pocd_err store_poc_changes_next_due(struct store_conn *c, int64_t *out);
/* Marks when the PoC's e-mail (with email) and key (with key) last changed. */
enum pocd_err store_poc_contact_changed(struct store_conn *w, const char *poc_id, bool email,
                                        bool key, int64_t at);
/* The PoCs told of a proposed change: the PoC itself (at its current address) and the PoCs
 * its state's other enabled accounts act for. */
enum pocd_err store_mail_pocs_of_change(
    struct store_conn *c, const char *poc_id, const char *state, const char *except_account,
    int (*cb)(const char *poc_id, const char *languages, void *arg), void *arg);

/* the outbox as the sender process sees it */
struct outbox_msg {
	char id[ID_SIZE]; /* also the stable part of the mail's Message-ID */
	char kind[24];
	char ref_id[ID_SIZE];
	char poc_id[ID_SIZE];
	char state[STATE_SIZE];
	char lang[3];
	char *payload; /* JSON text; malloc'd, the caller frees (NULL on failure) */
	int64_t created_at;
	int attempts;
};

/* Opens path for the sender process: one connection that may write the outbox table and no
 * other (an SQLite authorizer refuses the rest). No writer thread, no migration. */
enum pocd_err store_outbox_open(const char *path, struct store_conn **out, char *msg,
                                size_t msglen);
void store_outbox_close(struct store_conn *c);
/* The oldest message waiting whose next try has come by now: of any kind when kind is NULL,
 * else of kind, or with but of any kind except kind. POCD_ENOTFOUND when none. */
enum pocd_err store_outbox_next(struct store_conn *c, int64_t now, const char *kind, bool but,
                                struct outbox_msg *out);
/* The earliest next try of the waiting messages store_outbox_next would choose among, 0 when
 * none. */
enum pocd_err store_outbox_next_try(struct store_conn *c, const char *kind, bool but, int64_t *out);
/* Marks a message sent and wipes its link and challenge from the payload. */
enum pocd_err store_outbox_sent(struct store_conn *c, const char *id, int64_t now);
enum pocd_err store_outbox_retry(struct store_conn *c, const char *id, int attempts,
                                 int64_t next_try, const char *error);
/* Marks a message failed for good (wiping its link); owe_task: a correction task is owed
 * to the PoC's state, which the serving process opens (store_outbox_owed). */
enum pocd_err store_outbox_failed(struct store_conn *c, const char *id, int attempts, int64_t now,
                                  const char *error, bool owe_task);
enum pocd_err store_outbox_owed(struct store_conn *c,
                                int (*cb)(const char *id, const char *poc_id, const char *state,
                                          void *arg),
                                void *arg);
enum pocd_err store_outbox_task_done(struct store_conn *w, const char *id);

/* API keys: only the SHA-256 of a key's text is stored */
enum pocd_err store_apikey_insert(struct store_conn *w, const uint8_t hash[TOKEN_HASH_LEN],
                                  const struct apikey *k);
/* The principal of a live key (not revoked, not expired by now, its creator enabled) acting
 * as an officer of its state; its last use in *last_used (0: never); POCD_ENOTFOUND. */
enum pocd_err store_apikey_lookup(struct store_conn *c, const uint8_t hash[TOKEN_HASH_LEN],
                                  int64_t now, struct principal *out, int64_t *expires_at,
                                  int64_t *last_used);
/* The state's keys not revoked, newest first. */
enum pocd_err store_apikeys_list(struct store_conn *c, const char *state,
                                 int (*cb)(const struct apikey *k, void *arg), void *arg);
/* How many keys of state are not revoked. */
enum pocd_err store_apikeys_count(struct store_conn *c, const char *state, int64_t *out);
/* Revokes key id of state; POCD_ENOTFOUND if it has none such (or it is revoked already). */
enum pocd_err store_apikey_revoke(struct store_conn *w, const char *id, const char *state,
                                  int64_t now);
enum pocd_err store_apikey_touch(struct store_conn *w, const char *id, int64_t at);

/* webhooks */
enum pocd_err store_webhook_insert(struct store_conn *w, const struct webhook *h,
                                   const char *secret);
enum pocd_err store_webhooks_list(struct store_conn *c, const char *state,
                                  int (*cb)(const struct webhook *h, void *arg), void *arg);
/* How many webhooks of state are not deleted. */
enum pocd_err store_webhooks_count(struct store_conn *c, const char *state, int64_t *out);
/* Deletes webhook id of state (its waiting deliveries fail); POCD_ENOTFOUND if none such. */
enum pocd_err store_webhook_delete(struct store_conn *w, const char *id, const char *state,
                                   int64_t now);
/* A live webhook of state (any state when state is NULL) and its secret (size TOKEN_SIZE). */
enum pocd_err store_webhook_get(struct store_conn *c, const char *id, const char *state,
                                struct webhook *out, char secret[TOKEN_SIZE]);
/* Queues payload (the event's JSON) for each live webhook of state subscribed to event_bit,
 * in the transaction of its cause. */
enum pocd_err store_webhook_queue(struct store_conn *w, const char *state, unsigned event_bit,
                                  const char *ref_id, const char *payload, int64_t now);
/* A webhook's deliveries, newest first, at most limit. */
enum pocd_err store_webhook_deliveries(struct store_conn *c, const char *webhook_id, size_t limit,
                                       int (*cb)(const struct webhook_delivery *d, void *arg),
                                       void *arg);
/* The sender's record of attempt number attempts, at at: the HTTP status (0: none); then
 * store_outbox_sent, _retry or _failed as for mail. */
enum pocd_err store_webhook_tried(struct store_conn *c, const char *id, int attempts,
                                  int http_status, int64_t at);

/* the transparency log: leaves, stored complete subtrees, signed checkpoints */
enum pocd_err store_log_size(struct store_conn *c, int64_t *out);
enum pocd_err store_log_leaf_add(struct store_conn *w, int64_t idx, const char *event_id,
                                 const char *party, const char *salt, const char *commitment,
                                 const uint8_t hash[32]);
/* The leaf at idx with its event's columns (has_event false when the event is gone). */
enum pocd_err store_log_leaf_get(struct store_conn *c, int64_t idx, struct log_leaf *out);
enum pocd_err store_log_node_get(struct store_conn *c, unsigned level, uint64_t idx,
                                 uint8_t hash[32]);
enum pocd_err store_log_node_put(struct store_conn *w, unsigned level, uint64_t idx,
                                 const uint8_t hash[32]);
enum pocd_err store_log_checkpoint_add(struct store_conn *w, int64_t size, const uint8_t root[32],
                                       const char *note, int64_t at);
/* The newest checkpoint: its size and signed note (malloc'd); POCD_ENOTFOUND if none. */
enum pocd_err store_log_checkpoint_last(struct store_conn *c, int64_t *size, char **note);
/* Every checkpoint in size order. */
enum pocd_err store_log_checkpoints(struct store_conn *c,
                                    int (*cb)(int64_t size, const uint8_t root[32],
                                              const char *note, void *arg),
                                    void *arg);
/* Holds one snapshot of the database on reader c for many reads (a long check), instead of
 * one per statement; end it with store_snapshot_end. */
enum pocd_err store_snapshot_begin(struct store_conn *c);
void store_snapshot_end(struct store_conn *c);

/* The cosignature lines of the checkpoint of size, in witness order. */
enum pocd_err store_log_cosignatures(struct store_conn *c, int64_t size,
                                     int (*cb)(const char *line, void *arg), void *arg);
/* The newest cosigned checkpoint size of at least min; 0 if there is none. */
enum pocd_err store_log_cosigned_size(struct store_conn *c, int64_t min, int64_t *out);
/* A witness's cosignature of size, replacing an earlier one of that size if it is newer. */
enum pocd_err store_log_cosignature_put(struct store_conn *w, int64_t size, const char *witness,
                                        const char *line, int64_t signed_at);
/* A witness key of a state; POCD_ECONFLICT when the name or the public key is taken. */
enum pocd_err store_log_witness_add(struct store_conn *w, const char *name, const char *state,
                                    const char *key, const uint8_t public_key[32], const char *by,
                                    int64_t at);
enum pocd_err store_log_witnesses(struct store_conn *c,
                                  int (*cb)(const char *name, const char *state, const char *key,
                                            int64_t created_at, void *arg),
                                  void *arg);
/* Calls on the writer thread that let state kept in memory (the log's right edge) follow
 * the transaction: every member may be NULL. */
struct store_hooks {
	void *arg;
	void (*job_begin)(void *arg);  /* a job's savepoint was taken */
	void (*job_undone)(void *arg); /* that job failed and its savepoint was rolled back */
	/* At the end of every batch, inside its transaction, before the commit; a failing
	 * batch_end fails the whole batch. */
	enum pocd_err (*batch_end)(struct store_conn *w, void *arg);
	void (*batch_done)(void *arg, bool committed);
};
/* Sets the hooks (copied), or clears them with NULL. */
void store_set_hooks(struct store *s, const struct store_hooks *h);

/* events: the record of every mutation */
enum pocd_err store_event_append(struct store_conn *w, const struct event *e, int64_t at);
/* An event of the log, whose leaves start at log_index. */
enum pocd_err store_event_append_logged(struct store_conn *w, const struct event *e, int64_t at,
                                        int64_t log_index);
/* A logged event's first leaf and its party states; POCD_ENOTFOUND if it has none. */
enum pocd_err store_event_log_index(struct store_conn *c, const char *id, int64_t *log_index,
                                    char *states, size_t stateslen);
enum pocd_err store_events_count(struct store_conn *c, const char *type, int64_t *out);

/* settings kept in the database */
enum pocd_err store_meta_get(struct store_conn *c, const char *key, char *out, size_t outlen);
enum pocd_err store_meta_put(struct store_conn *w, const char *key, const char *value);

/* Attachments (store/attachments.c). The row of an upload whose file is in place. */
enum pocd_err store_attachment_insert(struct store_conn *w, const struct attachment *a);
enum pocd_err store_attachment_get(struct store_conn *c, const char *id, struct attachment *out);
/* Makes an unreferenced attachment the communication's (reply false, thread "") or a
 * reply's; POCD_ENOTFOUND when it is unknown or referenced already. */
enum pocd_err store_attachment_reference(struct store_conn *w, const char *id, const char *comm_id,
                                         const char *thread, bool reply);
/* Deletes up to max (at most 64) unreferenced attachments created before before, calling cb
 * with each one's hash after the deletes (non-zero stops the calls). */
enum pocd_err store_attachments_sweep(struct store_conn *w, int64_t before, size_t max,
                                      int (*cb)(const char *sha256, void *arg), void *arg);
/* Whether any attachment row holds this content. */
enum pocd_err store_attachment_sha_used(struct store_conn *c, const char *sha256, bool *used);
/* The bytes and number of state's uploads that nothing references yet. */
enum pocd_err store_attachments_pending(struct store_conn *c, const char *state, int64_t *bytes,
                                        int64_t *count);

#endif
