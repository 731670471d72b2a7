/*
 * Who may do what: one function per action, each the only place that decides it. Each
 * returns POCD_OK or POCD_EFORBIDDEN. Callers decide before they look at a request body.
 */
#ifndef POCD_CORE_AUTHZ_H
#define POCD_CORE_AUTHZ_H

#include "lib/err.h"
#include "lib/model.h"

/* Reading states' PoCs and exports: the Secretariat and participating states' accounts. */
enum pocd_err authz_read_directory(const struct principal *p);
/* Creating, changing, removing a PoC of state: that state's state_admin, if it takes part. */
enum pocd_err authz_write_pocs(const struct principal *p, const char *state);
/* Listing a state's accounts: its state_admin and the Secretariat. */
enum pocd_err authz_list_accounts(const struct principal *p, const char *state);
/* Disabling or enabling an account of state: that state's state_admin. */
enum pocd_err authz_manage_account(const struct principal *p, const char *state);
/* Issuing an enrolment link for state: its state_admin, or the Secretariat (first admin). */
enum pocd_err authz_create_enrolment(const struct principal *p, const char *state);
/* Issuing a recovery link for target (NULL: for any account at all): a state_admin for an
 * account of its state, the Secretariat for a Secretariat account (POCD_OK); POCD_ENOTFOUND
 * for an account a state_admin is not told of (another state's, or the Secretariat's); else
 * POCD_EFORBIDDEN (officers; the Secretariat for a state's account). */
enum pocd_err authz_reset_account(const struct principal *p, const struct account *target);
/* Whether a recovery link that issuer made for target may still be used: the same rule,
 * on the issuer as it is now, which must still be enabled. */
bool authz_reset_link_valid(const struct account *issuer, const struct account *target);
/* Re-enrolling a state's administrator (with notice to the state): the Secretariat. */
enum pocd_err authz_reenrol(const struct principal *p);
/* Cancelling a re-enrolment link: the state's administrators (404 for other states). */
enum pocd_err authz_cancel_reenrol(const struct principal *p, const char *state);
/* Admitting a state or ending its participation: the Secretariat. */
enum pocd_err authz_set_participation(const struct principal *p);
/* Reading /metrics: the Secretariat (or the metrics token, checked by the caller). */
enum pocd_err authz_read_metrics(const struct principal *p);

/* Sending a communication: an officer or state_admin of a participating state. */
enum pocd_err authz_send_comm(const struct principal *p);

enum comm_party { PARTY_NONE, PARTY_SENDER, PARTY_RECIPIENT };
/* The caller's part in a communication. PARTY_NONE (answered 404: a third state, the
 * Secretariat) is not told that it exists. */
enum comm_party authz_comm_party(const struct principal *p, const struct comm *cm);
/* Acknowledging (a recipient), replying (either party), closing (the sender): POCD_OK,
 * POCD_EFORBIDDEN for the wrong party, POCD_ENOTFOUND for no party. action is an
 * enum exchange_action. */
enum pocd_err authz_comm_act(const struct principal *p, const struct comm *cm, int action);
/* Whether the caller may read the content, not only the header and the lifecycle. Under
 * TLP:RED only the author on the sending side, and on a receiving side the accounts acting
 * for the PoCs addressed (linked holds the KIND_BIT()s of the PoCs of its state the caller
 * acts for); otherwise every party. */
bool authz_comm_content(const struct principal *p, const struct comm *cm, unsigned linked);
/* Whether a recipient of cm sees the other recipients and their threads. */
bool authz_comm_sees_all(const struct principal *p, const struct comm *cm);
/* Reading an attachment. Unreferenced (cm NULL): the accounts of the state that uploaded it.
 * Referenced: the parties who may read cm's content (authz_comm_content, linked as there);
 * one in a reply's thread, only the sender and that thread's recipient. */
bool authz_attachment_read(const struct principal *p, const struct attachment *a,
                           const struct comm *cm, unsigned linked);
/* The responsiveness report of every state: the Secretariat; others see their own. */
bool authz_report_all_states(const struct principal *p);

/* Launching a ping campaign and reading every state's results: the Secretariat. */
enum pocd_err authz_run_pings(const struct principal *p);
/* Listing and answering pings: accounts of states (the Secretariat has none to answer). Which
 * pings is decided with the ping: its state's admins, or the accounts acting for its PoC. */
enum pocd_err authz_answer_pings(const struct principal *p);
/* A state's correction tasks: its state_admins. */
enum pocd_err authz_read_tasks(const struct principal *p);
/* Confirming an entry is a write to it: authz_write_pocs. */
/* Reading the pending changes of a state's PoCs: that state's accounts while it takes part;
 * POCD_ENOTFOUND for other states and the Secretariat, which are not told they exist. */
enum pocd_err authz_read_poc_changes(const struct principal *p, const char *state);
/* Confirming (confirm) or cancelling a change: a state_admin of its state, while it takes part;
 * a confirmation by another one than its proposer. POCD_ENOTFOUND as for reading. */
enum pocd_err authz_decide_poc_change(const struct principal *p, const struct poc_change *ch,
                                      bool confirm);

/* Sending a broadcast to every participating state: the Secretariat. */
enum pocd_err authz_broadcast(const struct principal *p);
/* Reading the broadcasts: the Secretariat and participating states' accounts. */
enum pocd_err authz_read_broadcasts(const struct principal *p);

/* Registering a witness key of the log for its state: a state_admin of a participating state. */
enum pocd_err authz_register_witness(const struct principal *p);
/* Posting a cosignature by a witness of state: an account of that state, while it takes part. */
enum pocd_err authz_cosign(const struct principal *p, const char *state);

/* A state's API keys and webhooks: its state_admins, in a session of their own (never by a key). */
enum pocd_err authz_manage_machines(const struct principal *p);

#endif
