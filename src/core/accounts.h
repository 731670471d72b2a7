/*
 * Accounts, logins and one-time enrolment links.
 *
 * Operations that hash a password or write run asynchronously: the caller fills an op,
 * submits it, and op->done is called exactly once, on a pool or writer thread, when
 * op->status holds the outcome. A submit that fails returns the error and never calls done.
 */
#ifndef POCD_CORE_ACCOUNTS_H
#define POCD_CORE_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "core/password.h"
#include "core/totp.h"
#include "lib/workq.h"

#define ADDR_SIZE 64

struct login_op {
	char username[USERNAME_MAX + 1];
	char password[PASSWORD_MAX + 1];
	char totp[TOTP_DIGITS + 2]; /* the second factor's code, "" if none was given */
	char client[ADDR_SIZE];     /* the client address, for throttling */
	/* results */
	enum pocd_err status;
	bool totp_missing;      /* with POCD_EAUTH: the account has a second factor, no code came */
	int64_t totp_step;      /* private: the step of the code accepted */
	int64_t retry_after;    /* with POCD_ETHROTTLED */
	char token[TOKEN_SIZE]; /* with POCD_OK */
	int64_t expires_at;
	struct principal who;
	/* private */
	struct core *core;
	struct work work;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

enum pocd_err accounts_login(struct core *c, struct login_op *op);

struct logout_op {
	char token[TOKEN_SIZE];
	struct principal who;
	enum pocd_err status;
	struct core *core;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

enum pocd_err accounts_logout(struct core *c, struct logout_op *op);

struct enrol_op {
	char token[TOKEN_SIZE];
	char username[USERNAME_MAX + 1];
	char password[PASSWORD_MAX + 1];
	enum pocd_err status;   /* POCD_EFORBIDDEN: a re-enrolment link not usable yet */
	struct account account; /* with POCD_OK */
	int64_t usable_at;      /* with POCD_EFORBIDDEN: when the link starts to work */
	/* private */
	char pwhash[PWHASH_SIZE];
	struct core *core;
	struct work work;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

/* The Secretariat's re-enrolment link works this long after its issue, so that the state's
 * administrators, all told, can cancel it before anyone uses it. */
#define REENROL_DELAY (24 * 3600)

/* The username and password must have passed accounts_check_new(). */
enum pocd_err accounts_enrol(struct core *c, struct enrol_op *op);
/* Validates a new username and password, adding reasons to errs. */
enum pocd_err accounts_check_new(const char *username, const char *password, struct verrs *errs);

struct enrolment_op {
	struct principal actor;
	char state[STATE_SIZE];
	enum role role;
	enum pocd_err status;
	char token[TOKEN_SIZE]; /* with POCD_OK: shown once, never stored */
	struct enrolment enrolment;
	struct core *core;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

/* Authorization (authz_create_enrolment) is the caller's; this checks the rules: the
 * Secretariat issues only state_admin links, and only to a state without an admin. */
enum pocd_err accounts_create_enrolment(struct core *c, struct enrolment_op *op);

struct account_op {
	struct principal actor;
	char account_id[ID_SIZE];
	bool disabled;
	enum pocd_err status;
	struct account account; /* with POCD_OK, as it now is */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

/* Disables or re-enables an account of the actor's state (not the actor's own). */
enum pocd_err accounts_set_disabled(struct core *c, struct account_op *op);

struct password_op {
	struct principal actor;
	char token[TOKEN_SIZE]; /* the session asking: every other session is ended */
	char client[ADDR_SIZE]; /* for throttling wrong current passwords */
	char current[PASSWORD_MAX + 1];
	char next[PASSWORD_MAX + 1];
	enum pocd_err status; /* POCD_EAUTH: current is wrong */
	int64_t retry_after;  /* with POCD_ETHROTTLED */
	char pwhash[PWHASH_SIZE];
	struct core *core;
	struct work work;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

/* Checks the current password (failures count towards login throttling), stores the new
 * one and ends the account's other sessions. */
enum pocd_err accounts_change_password(struct core *c, struct password_op *op);

/* Creates an account directly, blocking (for pocd init and the demo data, never requests). */
enum pocd_err accounts_create_sync(struct core *c, const char *username, const char *password,
                                   enum role role, const char *state, struct account *out);

#endif
