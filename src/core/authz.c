#include "core/authz.h"

#include "core/exchange.h"

#include <string.h>

static bool
is_admin_of(const struct principal *p, const char *state)
{
	return p->role == ROLE_STATE_ADMIN && strcmp(p->state, state) == 0;
}

enum pocd_err
authz_read_directory(const struct principal *p)
{
	if (p->role == ROLE_SECRETARIAT || p->participating)
		return POCD_OK;
	return POCD_EFORBIDDEN;
}

enum pocd_err
authz_write_pocs(const struct principal *p, const char *state)
{
	return is_admin_of(p, state) && p->participating ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_list_accounts(const struct principal *p, const char *state)
{
	return p->role == ROLE_SECRETARIAT || is_admin_of(p, state) ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_manage_account(const struct principal *p, const char *state)
{
	return is_admin_of(p, state) ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_create_enrolment(const struct principal *p, const char *state)
{
	return p->role == ROLE_SECRETARIAT || is_admin_of(p, state) ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_reset_account(const struct principal *p, const struct account *target)
{
	if (p->role == ROLE_SECRETARIAT)
		return target == NULL || target->role == ROLE_SECRETARIAT ? POCD_OK
		                                                          : POCD_EFORBIDDEN;
	if (p->role != ROLE_STATE_ADMIN)
		return POCD_EFORBIDDEN;
	if (target == NULL)
		return POCD_OK;
	return target->role != ROLE_SECRETARIAT && is_admin_of(p, target->state) ? POCD_OK
	                                                                         : POCD_ENOTFOUND;
}

bool
authz_reset_link_valid(const struct account *issuer, const struct account *target)
{
	if (issuer->disabled)
		return false;
	if (issuer->role == ROLE_SECRETARIAT)
		return target->role == ROLE_SECRETARIAT;
	return issuer->role == ROLE_STATE_ADMIN && target->role != ROLE_SECRETARIAT &&
	       strcmp(issuer->state, target->state) == 0;
}

enum pocd_err
authz_reenrol(const struct principal *p)
{
	return p->role == ROLE_SECRETARIAT ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_cancel_reenrol(const struct principal *p, const char *state)
{
	if (p->role == ROLE_SECRETARIAT || strcmp(p->state, state) != 0)
		return p->role == ROLE_SECRETARIAT ? POCD_EFORBIDDEN : POCD_ENOTFOUND;
	return is_admin_of(p, state) ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_set_participation(const struct principal *p)
{
	return p->role == ROLE_SECRETARIAT ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_read_metrics(const struct principal *p)
{
	return p->role == ROLE_SECRETARIAT ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_send_comm(const struct principal *p)
{
	return p->role != ROLE_SECRETARIAT && p->participating ? POCD_OK : POCD_EFORBIDDEN;
}

enum comm_party
authz_comm_party(const struct principal *p, const struct comm *cm)
{
	if (p->role == ROLE_SECRETARIAT)
		return PARTY_NONE;
	if (strcmp(p->state, cm->sender_state) == 0)
		return PARTY_SENDER;
	for (size_t i = 0; i < cm->nrecipients; i++)
		if (strcmp(p->state, cm->r[i].state) == 0)
			return PARTY_RECIPIENT;
	return PARTY_NONE;
}

enum pocd_err
authz_comm_act(const struct principal *p, const struct comm *cm, int action)
{
	enum comm_party party = authz_comm_party(p, cm);

	if (party == PARTY_NONE)
		return POCD_ENOTFOUND;
	if ((action == EX_ACKNOWLEDGE && party != PARTY_RECIPIENT) ||
	    (action == EX_CLOSE && party != PARTY_SENDER))
		return POCD_EFORBIDDEN;
	return POCD_OK;
}

/* The kinds a recipient's PoCs are addressed as, escalation included. */
static unsigned
addressed(const struct comm_recipient *r)
{
	return r->kinds | (r->escalation >= 2 ? KIND_BIT(POC_DIPLOMATIC) : 0);
}

bool
authz_comm_content(const struct principal *p, const struct comm *cm, unsigned linked)
{
	enum comm_party party = authz_comm_party(p, cm);
	unsigned kinds = 0;

	if (party == PARTY_NONE)
		return false;
	if (strcmp(cm->tlp, "RED") != 0)
		return true;
	/* An API key acts for its creator but is no person: TLP:RED is for people only. */
	if (p->key_id[0] != '\0')
		return false;
	/* On the sending side only the author; on a receiving side the accounts acting for the
	 * PoCs addressed (escalation included). */
	if (party == PARTY_SENDER)
		return strcmp(p->account_id, cm->sender_account) == 0;
	for (size_t i = 0; i < cm->nrecipients; i++)
		if (strcmp(cm->r[i].state, p->state) == 0)
			kinds |= addressed(&cm->r[i]);
	return (linked & kinds) != 0;
}

bool
authz_attachment_read(const struct principal *p, const struct attachment *a, const struct comm *cm,
                      unsigned linked)
{
	if (p->role == ROLE_SECRETARIAT)
		return false;
	if (cm == NULL)
		return a->comm_id[0] == '\0' && strcmp(p->state, a->owner_state) == 0;
	if (strcmp(a->comm_id, cm->id) != 0 || !authz_comm_content(p, cm, linked))
		return false;
	return a->thread[0] == '\0' || strcmp(p->state, cm->sender_state) == 0 ||
	       strcmp(p->state, a->thread) == 0;
}

bool
authz_comm_sees_all(const struct principal *p, const struct comm *cm)
{
	enum comm_party party = authz_comm_party(p, cm);

	return party == PARTY_SENDER || (party == PARTY_RECIPIENT && cm->open_distribution);
}

bool
authz_report_all_states(const struct principal *p)
{
	return p->role == ROLE_SECRETARIAT;
}

enum pocd_err
authz_run_pings(const struct principal *p)
{
	return p->role == ROLE_SECRETARIAT ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_answer_pings(const struct principal *p)
{
	return p->role != ROLE_SECRETARIAT ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_read_tasks(const struct principal *p)
{
	return p->role == ROLE_STATE_ADMIN ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_register_witness(const struct principal *p)
{
	return p->role == ROLE_STATE_ADMIN && p->participating ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_cosign(const struct principal *p, const char *state)
{
	return p->role != ROLE_SECRETARIAT && p->participating && strcmp(p->state, state) == 0
	           ? POCD_OK
	           : POCD_EFORBIDDEN;
}

enum pocd_err
authz_broadcast(const struct principal *p)
{
	return p->role == ROLE_SECRETARIAT ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_read_broadcasts(const struct principal *p)
{
	return p->role == ROLE_SECRETARIAT || p->participating ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_read_poc_changes(const struct principal *p, const char *state)
{
	if (p->role == ROLE_SECRETARIAT || strcmp(p->state, state) != 0)
		return POCD_ENOTFOUND;
	return p->participating ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_decide_poc_change(const struct principal *p, const struct poc_change *ch, bool confirm)
{
	enum pocd_err err = authz_read_poc_changes(p, ch->state);

	if (err != POCD_OK)
		return err;
	if (authz_write_pocs(p, ch->state) != POCD_OK)
		return POCD_EFORBIDDEN;
	/* The second person must be another person. */
	return confirm && strcmp(p->account_id, ch->proposed_by) == 0 ? POCD_EFORBIDDEN : POCD_OK;
}

enum pocd_err
authz_manage_machines(const struct principal *p)
{
	return p->role == ROLE_STATE_ADMIN && p->participating && p->key_id[0] == '\0'
	           ? POCD_OK
	           : POCD_EFORBIDDEN;
}
