/* Checks shared by the core's JSON decoders. */
#ifndef POCD_CORE_FIELDS_H
#define POCD_CORE_FIELDS_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/err.h"

/* Adds "PREFIX.KEY is not a field here" for every member of o not in allowed (a NULL-ended
 * list). */
void fields_refuse_unknown(const json_t *o, const char *const *allowed, const char *prefix,
                           struct verrs *errs);
/* Whether key is in the NULL-ended list. */
bool fields_in(const char *key, const char *const *list);

#endif
