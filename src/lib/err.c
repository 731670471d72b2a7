#include "lib/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *
pocd_err_name(enum pocd_err e)
{
	switch (e) {
	case POCD_OK:
		return "ok";
	case POCD_EINVAL:
		return "validation";
	case POCD_EAUTH:
		return "unauthenticated";
	case POCD_EFORBIDDEN:
		return "forbidden";
	case POCD_ENOTFOUND:
		return "not-found";
	case POCD_ECONFLICT:
		return "conflict";
	case POCD_EPRECOND:
		return "precondition-failed";
	case POCD_EPRECOND_REQ:
		return "precondition-required";
	case POCD_ETHROTTLED:
		return "too-many-requests";
	case POCD_EGONE:
		return "gone";
	case POCD_EUNAVAILABLE:
		return "unavailable";
	case POCD_ESTORE:
		return "storage";
	case POCD_ENOMEM:
		return "out-of-memory";
	}
	return "unknown";
}

enum pocd_err
verr_add(struct verrs *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->n >= VERR_MAX)
		return POCD_EINVAL;
	strlcpy(e->v[e->n].field, field, sizeof(e->v[e->n].field));
	va_start(ap, fmt);
	vsnprintf(e->v[e->n].reason, sizeof(e->v[e->n].reason), fmt, ap);
	va_end(ap);
	e->n++;
	return POCD_EINVAL;
}

enum pocd_err
verr_addf(struct verrs *e, const char *prefix, const char *name, long index, const char *reason)
{
	char field[VERR_FIELD];

	if (name != NULL)
		snprintf(field, sizeof(field), "%s%s%s", prefix, *prefix ? "." : "", name);
	else
		snprintf(field, sizeof(field), "%s[%ld]", prefix, index);
	return verr_add(e, field, "%s", reason);
}
