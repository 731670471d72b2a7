#include "core/fields.h"

#include <stdio.h>
#include <string.h>

bool
fields_in(const char *key, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(key, list[i]) == 0)
			return true;
	return false;
}

void
fields_refuse_unknown(const json_t *o, const char *const *allowed, const char *prefix,
                      struct verrs *errs)
{
	const char *key;
	json_t *v;
	char field[VERR_FIELD];

	json_object_foreach((json_t *)o, key, v)
	{
		if (fields_in(key, allowed))
			continue;
		snprintf(field, sizeof(field), "%s%s%.40s", prefix, *prefix ? "." : "", key);
		verr_add(errs, field, "is not a field here");
	}
}
