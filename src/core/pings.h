/*
 * Ping tests: campaigns the Secretariat launches over states' PoCs, each ping answered by a
 * human who returns its challenge code (logged in, or through a single-use link), reminders
 * before the window closes, and a correction task for the state when a ping goes unanswered
 * or is answered wrongly.
 */
#ifndef POCD_CORE_PINGS_H
#define POCD_CORE_PINGS_H

#include <jansson.h>

#include "core/core.h"

#define PING_WINDOW_DEFAULT (72 * 3600)
#define PING_GRACE          (24 * 3600) /* links and late answers after the window */

struct campaign_op {
	struct principal actor;
	/* in: scope ("all" or codes), kinds, due (as window), reminders, challenge; out: the
	 * stored campaign */
	struct ping_campaign pc;
	int64_t window;
	int64_t now;
	size_t npings; /* out */
	bool complete; /* every PoC has its ping: no chunk is left to make */
	enum pocd_err status;
	struct verrs errs; /* with POCD_EINVAL: scope states that do not take part */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

/* Reads a campaign as the Secretariat sends it, {"scope": "all" | ["FRA", ...], "kinds",
 * "window_hours", "reminders_hours", "challenge"} (all but scope optional), into op->pc and
 * op->window. Every problem goes to errs with its field ("scope[2]"). */
void campaign_decode(const json_t *o, struct campaign_op *op, struct verrs *errs);
/* Authorization (authz_run_pings) is the caller's. */
enum pocd_err pings_create_campaign(struct core *c, struct campaign_op *op);

struct answer_op {
	struct principal actor; /* by app; unused by link */
	bool by_link;
	char ping_id[ID_SIZE];  /* by app */
	char token[TOKEN_SIZE]; /* by link: any text; unknown, used or expired all answer 410 */
	char challenge[32];
	int64_t now;
	enum pocd_err status; /* POCD_ECONFLICT: answered already; POCD_EGONE: closed / link dead */
	struct ping ping;     /* out */
	struct leaf_ref mine; /* out: the answering state's leaf in the log */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

/* By app, authorization (authz_answer_ping on the ping read) is the caller's and is checked
 * again in the transaction. */
enum pocd_err pings_answer(struct core *c, struct answer_op *op);

/* Reminders and unanswered pings whose time has come by now. Blocking; for the scheduler. */
enum pocd_err pings_process_due(struct core *c, int64_t now);

/* When a ping needs the scheduler next (0 for never): its next reminder, else the end of
 * its grace period while unanswered. */
int64_t ping_next_due(const struct ping *p, const struct ping_campaign *pc);

/* The sentence shown with a challenge code, in lang (one of the six; English otherwise). */
const char *ping_instruction(const char *lang);

/* open, answered, late, unanswered, at now. */
const char *ping_status(const struct ping *p, int64_t now);

#endif
