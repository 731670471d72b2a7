/* The communication template: the one versioned schema of a communication's coded fields, with
 * every code's label in the six UN languages. Static data; safe to read from any thread. */
#ifndef POCD_CORE_TEMPLATE_H
#define POCD_CORE_TEMPLATE_H

#include <stddef.h>

#include "lib/model.h"

/* Bump when a set or a code is added, removed or renamed (a label's wording is not a change). */
#define TEMPLATE_VERSION 1

/* One code: its wire value and its label in ar, zh, en, fr, ru, es (the order of un_langs[]). */
struct tcode {
	const char *code;
	const char *label[NLANGS];
};

/* One coded field: its name, its label in the six languages and its n codes, in display order. */
struct tset {
	const char *name;
	const char *label[NLANGS];
	size_t n;
	const struct tcode *codes;
};

/* Every coded set, in the order the template shows them. */
extern const struct tset template_sets[];
extern const size_t template_nsets;

/* The set named name ("type", "urgency", "tlp", "sector", "incident_status", "impact",
 * "indicator_type", "requested_action"), or NULL; names match exactly, case included. NULL name
 * gives NULL. */
const struct tset *template_set(const char *name);
/* The index of code in set, or -1; codes match exactly, case included ("AMBER", not "amber").
 * A NULL set or code gives -1. */
int template_code(const struct tset *set, const char *code);

#endif
