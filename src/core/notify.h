/*
 * Mail notifications: the outbox rows an event causes, written in the event's transaction,
 * one per recipient PoC in its first UN language (English otherwise). The sender process
 * (src/mail) delivers them. A payload holds references and deadlines, never a
 * communication's content; a one-time link's token is in it in clear only until the mail
 * is sent.
 */
#ifndef POCD_CORE_NOTIFY_H
#define POCD_CORE_NOTIFY_H

#include "core/core.h"

/* Outbox kinds, as the sender renders them. */
#define MAIL_COMM_NEW       "comm_new"
#define MAIL_COMM_ESCALATED "comm_escalated"
#define MAIL_COMM_OVERDUE   "comm_overdue"
#define MAIL_COMM_ACKED     "comm_acknowledged"
#define MAIL_COMM_ANSWERED  "comm_answered"
#define MAIL_TASK           "task"
#define MAIL_REVIEW         "review"
#define MAIL_KEY_EXPIRY     "key_expiry"
#define MAIL_POC_CHANGE     "poc_change"

#define REVIEW_WARNING_SECONDS (30 * 24 * 3600) /* administrators are warned this long before */
#define KEY_WARNING_SECONDS    (30 * 24 * 3600) /* ... and this long before a key expires */

/* A new communication reached recipient r: mail with a one-time acknowledgement link to its
 * primary PoCs of the kinds addressed (the alternates where a kind has no primary). */
enum pocd_err notify_comm_sent(struct store_conn *w, const struct comm *cm,
                               const struct comm_recipient *r, int64_t now);
/* r was escalated (r->escalation 1: alternate technical PoCs, 2: diplomatic PoCs): mail with a
 * link of their own to those PoCs. */
enum pocd_err notify_comm_escalated(struct store_conn *w, const struct comm *cm,
                                    const struct comm_recipient *r, int64_t now);
/* r's answer is overdue: a reminder to the PoCs addressed. */
enum pocd_err notify_comm_overdue(struct store_conn *w, const struct comm *cm,
                                  const struct comm_recipient *r, int64_t now);
/* r acknowledged or answered (kind MAIL_COMM_ACKED or MAIL_COMM_ANSWERED): mail to the
 * sender's PoCs (those its sending account acts for, else its primary technical PoCs). r is
 * the recipient that moved; the mail does not name it. */
enum pocd_err notify_comm_progress(struct store_conn *w, const struct comm *cm,
                                   const struct comm_recipient *r, const char *kind, int64_t now);
/* A correction task t was opened: mail to the PoCs the state's administrators act for (else
 * its primary diplomatic PoCs). */
enum pocd_err notify_task(struct store_conn *w, const struct task *t, int64_t now);
/* A change of a PoC's e-mail or key was proposed: mail to the PoC at its current address and
 * to the PoCs its state's other accounts act for, saying what changes and, in a state with a
 * single administrator, when it takes effect by itself. */
enum pocd_err notify_poc_change(struct store_conn *w, const struct poc_change *ch, int64_t now);

/* The PoC's first UN language among its comma-joined languages, else "en". */
void notify_lang(const char *languages, char out[3]);
/* The same for a PoC's list of languages. */
void notify_poc_lang(const struct poc *poc, char out[3]);

/* The scheduler's part: correction tasks owed for mail that failed for good, and review-by and
 * key expiry warnings whose time has come by now. Blocking; for the scheduler thread. */
enum pocd_err notify_process_due(struct core *c, int64_t now);
/* When notify_process_due has work next: now when tasks are owed, else the next review or key
 * expiry warning's time, 0 for never. */
enum pocd_err notify_next_due(struct store_conn *rd, int64_t now, int64_t *out);

#endif
