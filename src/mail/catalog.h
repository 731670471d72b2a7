/* The texts of notifications in the six UN languages (ar, zh, en, fr, ru, es: the order of
 * un_langs[]), with {name} placeholders that render.c fills from a payload. */
#ifndef POCD_MAIL_CATALOG_H
#define POCD_MAIL_CATALOG_H

#include "lib/model.h"

struct catalog_entry {
	const char *kind;
	const char *subject[NLANGS];
	const char *body[NLANGS];
};

/* A code of a payload with its wording in each language ({escalation}, {task_kind}). */
struct catalog_phrase {
	const char *code;
	const char *text[NLANGS];
};

/* The entry of kind, or NULL. */
const struct catalog_entry *catalog_entry(const char *kind);
/* The wording of code, or NULL. */
const struct catalog_phrase *catalog_phrase(const char *code);

#endif
