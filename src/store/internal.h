/* Shared by the files of src/store only: the connection and its statement cache. */
#ifndef POCD_STORE_INTERNAL_H
#define POCD_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

enum stmt_id {
	ST_META_GET,
	ST_META_PUT,
	ST_STATE_PUT,
	ST_STATE_GET,
	ST_STATES_LIST,
	ST_STATE_PART,
	ST_ACC_INSERT,
	ST_ACC_BY_NAME,
	ST_ACC_GET,
	ST_ACC_LIST,
	ST_ACC_DISABLE,
	ST_ACC_PASSWORD,
	ST_ACC_COUNT,
	ST_SESS_INSERT,
	ST_SESS_LOOKUP,
	ST_TOTP_GET,
	ST_BROADCAST_INSERT,
	ST_BROADCAST_GET,
	ST_BROADCAST_LIST,
	ST_TOTP_PUT,
	ST_TOTP_USE,
	ST_SESS_DELETE,
	ST_SESS_DELETE_ACC,
	ST_SESS_DELETE_OTHERS,
	ST_ENR_INSERT,
	ST_ENR_GET,
	ST_ENR_USE,
	ST_POC_INSERT,
	ST_POC_UPDATE,
	ST_POC_DELETE,
	ST_POC_GET,
	ST_POC_LIST,
	ST_POC_ACC_CLEAR,
	ST_POC_ACC_ADD,
	ST_POC_REV_INSERT,
	ST_POC_HISTORY,
	ST_EVENT_APPEND,
	ST_EVENT_COUNT,
	ST_COMM_INSERT,
	ST_COMM_RCPT_INSERT,
	ST_COMM_GET,
	ST_COMM_SUMMARY,
	ST_COMM_RCPTS,
	ST_COMM_RCPT_UPDATE,
	ST_COMM_STEP_ADD,
	ST_COMM_STEPS,
	ST_COMM_REPLY_ADD,
	ST_COMM_REPLIES,
	ST_COMM_INBOX,
	ST_COMM_OUTBOX,
	ST_COMM_DUE,
	ST_COMM_NEXT_DUE,
	ST_COMM_STATS,
	ST_ACC_POC_KINDS,
	ST_STATE_POC_RANKS,
	ST_CAMP_INSERT,
	ST_CAMP_GET,
	ST_CAMP_LIST,
	ST_CAMP_POCS,
	ST_CAMP_FILL_GET,
	ST_CAMP_FILL_SET,
	ST_CAMP_FILLING,
	ST_CAMP_PINGED,
	ST_PING_INSERT,
	ST_PING_GET,
	ST_PING_BY_TOKEN,
	ST_PING_UPDATE,
	ST_PING_LIST,
	ST_PING_DUE,
	ST_PING_NEXT_DUE,
	ST_TASK_INSERT,
	ST_TASK_CLOSE,
	ST_TASK_LIST,
	ST_OUTBOX_ADD,
	ST_POC_HAS_ACCOUNT,
	ST_ENR_SPEND,
	ST_PING_STOP_POC,
	ST_PING_LIST_STATE,
	ST_LOG_SIZE,
	ST_LOG_LEAF_ADD,
	ST_LOG_LEAF_GET,
	ST_LOG_NODE_GET,
	ST_LOG_NODE_GET0,
	ST_LOG_NODE_PUT,
	ST_LOG_CP_ADD,
	ST_LOG_CP_LAST,
	ST_LOG_CP_LIST,
	ST_EVENT_GET,
	ST_LOG_COSIGS,
	ST_LOG_COSIGNED,
	ST_LOG_COSIG_PUT,
	ST_LOG_WITNESS_ADD,
	ST_LOG_WITNESSES,
	ST_ACK_LINK_INSERT,
	ST_ACK_LINK_GET,
	ST_ACK_LINK_DROP,
	ST_MAIL_POCS_KIND,
	ST_MAIL_POCS_ACCOUNT,
	ST_MAIL_POCS_ADMINS,
	ST_OUTBOX_NEXT,
	ST_OUTBOX_NEXT_TRY,
	ST_OUTBOX_SENT,
	ST_OUTBOX_RETRY,
	ST_OUTBOX_FAILED,
	ST_OUTBOX_OWED,
	ST_OUTBOX_TASK_DONE,
	ST_TASK_INSERT_ONCE,
	ST_REVIEW_DUE,
	ST_REVIEW_NEXT,
	ST_REVIEW_WARNED,
	ST_POC_KEY_PUT,
	ST_POC_KEY_GET,
	ST_KEYS_EXPIRING,
	ST_KEYS_NEXT_EXPIRY,
	ST_KEY_WARNED,
	ST_ENR_SPEND_TARGET,
	ST_NOTICE_INSERT,
	ST_NOTICE_LIST,
	ST_CHANGE_INSERT,
	ST_CHANGE_GET,
	ST_CHANGE_ARMORED,
	ST_CHANGE_LIST,
	ST_CHANGE_DECIDE,
	ST_CHANGE_SUPERSEDE,
	ST_CHANGE_DUE,
	ST_CHANGE_NEXT_DUE,
	ST_CHANGE_MARK,
	ST_MAIL_POCS_CHANGE,
	ST_ATT_INSERT,
	ST_ATT_GET,
	ST_ATT_REFERENCE,
	ST_ATT_STALE,
	ST_ATT_DELETE,
	ST_ATT_SHA_USED,
	ST_ATT_PENDING,
	ST_APIKEY_INSERT,
	ST_APIKEY_LOOKUP,
	ST_APIKEY_LIST,
	ST_APIKEY_REVOKE,
	ST_APIKEY_TOUCH,
	ST_HOOK_INSERT,
	ST_HOOK_LIST,
	ST_HOOK_DELETE,
	ST_HOOK_GET,
	ST_HOOK_DROP,
	ST_HOOK_QUEUE,
	ST_HOOK_DELIVERIES,
	ST_HOOK_RESULT,
	ST_ACC_COUNT_RECENT,
	ST_ENR_RESET_USED,
	ST_ENR_CANCEL,
	ST_ENR_PENDING,
	ST_APIKEY_COUNT,
	ST_HOOK_COUNT,
	ST__COUNT
};

struct store_conn {
	sqlite3 *db;
	sqlite3_stmt *st[ST__COUNT];
	struct store_conn *next; /* in the store's list of readers */
	/* Set by every write to a communication's tables, so that the writer moves the
	 * communications generation on whichever job wrote it. */
	bool comms_touched;
};

/* The cached statement id of c, prepared from sql on first use, reset and unbound.
 * Returns NULL if it cannot be prepared (a bug: logged). */
sqlite3_stmt *stmt(struct store_conn *c, enum stmt_id id, const char *sql);
/* Resets s so it holds no read snapshot; returns err, for "return stmt_end(s, err)". */
enum pocd_err stmt_end(sqlite3_stmt *s, enum pocd_err err);
/* Maps an SQLite result code of a step to a status. */
enum pocd_err sql_err(struct store_conn *c, int rc);
/* Steps an UPDATE or DELETE of one row: POCD_ENOTFOUND when it touched none. Resets s. */
enum pocd_err step_one_changed(struct store_conn *w, sqlite3_stmt *s);
/* Steps a query of one integer (a count, a min or max): 0 when it yields no row. Resets s. */
enum pocd_err step_int64(struct store_conn *c, sqlite3_stmt *s, int64_t *out);
/* Binds text, or NULL for an empty string. */
int bind_text_or_null(sqlite3_stmt *s, int i, const char *v);
/* Binds a time, or NULL for 0 ("not yet"). */
int bind_time(sqlite3_stmt *s, int i, int64_t t);
/* Copies column i as text into out; "" for NULL. */
void col_text(sqlite3_stmt *s, int i, char *out, size_t outlen);

/* Connections, for writer.c. */
struct store_conn *store_conn_open_reader(const char *path);
void store_conn_close(struct store_conn *c);
int64_t store_conn_db_bytes(struct store_conn *c);
/* Runs sql that returns no rows; logs and returns the SQLite code on failure. */
int store_conn_exec(struct store_conn *c, const char *sql);
/* Starts the writer thread on w (which it then owns); NULL on failure. */
struct store *writer_start(const char *path, struct store_conn *w, bool test_db);

#endif
