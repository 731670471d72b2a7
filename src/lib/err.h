/* Typed failures shared by every layer, and the per-field validation list. */
#ifndef POCD_LIB_ERR_H
#define POCD_LIB_ERR_H

#include <stddef.h>

enum pocd_err {
	POCD_OK = 0,
	POCD_EINVAL,       /* the input failed validation; details in a struct verrs */
	POCD_EAUTH,        /* no valid credentials were presented */
	POCD_EFORBIDDEN,   /* the caller is known but may not do this */
	POCD_ENOTFOUND,    /* no such object, or not one the caller may see */
	POCD_ECONFLICT,    /* the write collides with existing data (a taken username) */
	POCD_EPRECOND,     /* If-Match named a revision that is no longer current */
	POCD_EPRECOND_REQ, /* the write needs If-Match and none was sent */
	POCD_ETHROTTLED,   /* too many attempts; try later */
	POCD_EGONE,        /* a one-time link was used or has expired */
	POCD_EUNAVAILABLE, /* overloaded or shutting down; retry */
	POCD_ESTORE,       /* the database failed; nothing was written */
	POCD_ENOMEM,       /* out of memory */
};

/* A stable short name for logs and problem types, e.g. "not-found". */
const char *pocd_err_name(enum pocd_err e);

#define VERR_MAX    32
#define VERR_FIELD  96
#define VERR_REASON 384

/* The fields that failed validation, each with a reason a person can act on. */
struct verrs {
	size_t n;
	struct {
		char field[VERR_FIELD];
		char reason[VERR_REASON];
	} v[VERR_MAX];
};

/* Appends one failure; extra ones past VERR_MAX are dropped. Returns POCD_EINVAL. */
enum pocd_err verr_add(struct verrs *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like verr_add with the field given as prefix + name or prefix[index]. */
enum pocd_err verr_addf(struct verrs *e, const char *prefix, const char *name, long index,
                        const char *reason);

#endif
