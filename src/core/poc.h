/* A point of contact in its JSON form: decoding with every field checked, and encoding. */
#ifndef POCD_CORE_POC_H
#define POCD_CORE_POC_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/err.h"
#include "lib/model.h"

/*
 * Fills the client fields of p from in, as clients send a PoC. Every problem is added to
 * errs with its JSON path ("phones[1]") and the function returns POCD_EINVAL; the server
 * fields of p (id, state, revision, times) are left as they were.
 */
enum pocd_err poc_decode(const json_t *in, struct poc *p, struct verrs *errs);

/* The PoC as the API shows it (new reference; NULL on OOM). The accounts acting for it
 * are shown only with with_accounts: they are the owning state's business. With today
 * ("YYYY-MM-DD"), "stale" tells whether its review-by date has passed. */
json_t *poc_encode(const struct poc *p, bool with_accounts, const char *today);

#endif
