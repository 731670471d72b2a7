/*
 * Accounts' second factor: enrolling a TOTP key (begin, then confirm with a code from the app),
 * and removing it. Logins check it (src/core/accounts.c). A deployment may require it of the
 * Secretariat and of states' administrators: until they enrol, their sessions may only enrol.
 */
#ifndef POCD_CORE_TWOFACTOR_H
#define POCD_CORE_TWOFACTOR_H

#include "core/core.h"
#include "core/totp.h"

enum twofactor_action { TWOFACTOR_BEGIN, TWOFACTOR_CONFIRM, TWOFACTOR_REMOVE };

struct twofactor_op {
	struct principal actor;
	enum twofactor_action action;
	char code[TOTP_DIGITS + 2]; /* CONFIRM, REMOVE */
	int64_t now;
	/* out: POCD_ECONFLICT (BEGIN: one is enrolled already; CONFIRM: none being enrolled;
	 * REMOVE: none enrolled), POCD_EAUTH (wrong code), POCD_EFORBIDDEN (REMOVE where the
	 * deployment requires one) */
	enum pocd_err status;
	char key[TOTP_BASE32_MAX]; /* BEGIN: the new key, base32 */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

enum pocd_err twofactor_submit(struct core *c, struct twofactor_op *op);

/* Whether the deployment requires a second factor of this account's role. */
bool twofactor_required(const struct core *c, enum role role);

/* Whether a session of p may do only what enrolling needs: a required second factor is
 * missing. */
bool twofactor_must_enrol(const struct core *c, const struct principal *p);

#endif
