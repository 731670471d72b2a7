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
/* Admitting a state or ending its participation: the Secretariat. */
enum pocd_err authz_set_participation(const struct principal *p);
/* Reading /metrics: the Secretariat (or the metrics token, checked by the caller). */
enum pocd_err authz_read_metrics(const struct principal *p);

#endif
