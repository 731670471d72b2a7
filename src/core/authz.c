#include "core/authz.h"

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
authz_set_participation(const struct principal *p)
{
	return p->role == ROLE_SECRETARIAT ? POCD_OK : POCD_EFORBIDDEN;
}

enum pocd_err
authz_read_metrics(const struct principal *p)
{
	return p->role == ROLE_SECRETARIAT ? POCD_OK : POCD_EFORBIDDEN;
}
