/*
 * Getting back into an account: a state_admin's one-time recovery link for another account
 * of its state, and the Secretariat's re-enrolment of a state's administrator, which every
 * account of that state is told of (in the app and by mail to its PoCs) and which the record
 * logs. Both are rows of the enrolment links' table (core/accounts.h), random 256-bit
 * tokens stored as their SHA-256, single use, living enrolment_ttl seconds.
 *
 * As in core/accounts.h, an op is submitted and op->done is called once when op->status
 * holds the outcome; a submit that fails returns the error and never calls done.
 */
#ifndef POCD_CORE_RECOVERY_H
#define POCD_CORE_RECOVERY_H

#include "core/accounts.h"
#include "core/record.h"

/* The in-app notice and the mail kind of a re-enrolment. */
#define NOTICE_REENROLMENT "reenrolment"
/* The notice and mail kinds of a recovery link issued and used: the account it is for, its
 * state's administrators and the PoCs the account acts for are told of both. */
#define NOTICE_RECOVERY_LINK "recovery_link"
#define NOTICE_RECOVERED     "recovered"

struct reset_link_op {
	struct principal actor;
	char account_id[ID_SIZE];
	enum pocd_err status;   /* POCD_ECONFLICT: the actor's own account */
	char token[TOKEN_SIZE]; /* with POCD_OK: shown once, never stored */
	struct enrolment link;
	struct core *core;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

/* Issues a recovery link for account_id, which must be of the actor's state and not the
 * actor's own; earlier unused links for that account are spent. Authorization
 * (authz_reset_account) is the caller's. */
enum pocd_err recovery_create_link(struct core *c, struct reset_link_op *op);

struct reset_op {
	char token[TOKEN_SIZE];
	char password[PASSWORD_MAX + 1]; /* must have passed password_weakness() */
	char client[ADDR_SIZE];          /* for throttling unknown links */
	enum pocd_err status;            /* POCD_EGONE: unknown, used, expired or revoked link */
	int64_t retry_after;             /* with POCD_ETHROTTLED */
	struct account account;          /* with POCD_OK: the account recovered */
	char pwhash[PWHASH_SIZE];
	struct core *core;
	struct work work;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

/* Uses a recovery link: the account gets the new password, and loses its sessions, its
 * second factor (its owner enrols one again) and every other recovery link. Unknown links
 * count as failed logins of the client. */
enum pocd_err recovery_reset(struct core *c, struct reset_op *op);

struct reenrol_op {
	struct principal actor;
	char state[STATE_SIZE];
	int64_t now;
	enum pocd_err status;
	char token[TOKEN_SIZE]; /* with POCD_OK: shown once, never stored */
	struct enrolment link;
	char event_id[ID_SIZE]; /* with POCD_OK: the logged event, for its receipt */
	size_t notices, mails;  /* with POCD_OK: how many accounts and PoCs were told */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

/* Issues a state_admin enrolment link for state whether or not it has an administrator,
 * usable REENROL_DELAY after its issue (until then any administrator of the state may cancel
 * it),
 * in one transaction with a notice to every account of the state, a mail to each of its
 * PoCs and the event "account.reenrolment" in the record. Authorization (authz_reenrol) is
 * the caller's. */
enum pocd_err recovery_reenrol(struct core *c, struct reenrol_op *op);

struct reenrol_cancel_op {
	struct principal actor;
	char state[STATE_SIZE];
	char link_id[ID_SIZE];
	int64_t now;
	enum pocd_err status; /* POCD_ENOTFOUND: no unused re-enrolment link of state has this id */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

/* Cancels an unused re-enrolment link of state (spends it) and logs
 * "account.reenrolment_cancelled" in the record. Authorization (authz_cancel_reenrol) is
 * the caller's. */
enum pocd_err recovery_reenrol_cancel(struct core *c, struct reenrol_cancel_op *op);

#endif
