/*
 * One communication in the formats other tools read: IODEF version 2 (RFC 7970) XML, and a
 * STIX 2.1 bundle. Both are built from the communication as its readers see it: its header,
 * its content (canonical JSON, as comm_decode made it) and the names of the states.
 *
 * Mappings (docs/api.md has the table):
 * - IODEF: one Incident (purpose from the type, restriction from the TLP, IncidentID the
 *   communication's id), the sender as Contact role "creator" and each recipient as
 *   role "irt", subject and description as Description, each indicator as an Indicator with an
 *   Observable (Address for addresses, e-mail, URLs and AS numbers; AdditionalData for
 *   domains, hashes and CVEs), each attachment as AdditionalData with its SHA-256.
 * - STIX: an identity per state, an incident, an indicator per typed indicator (a
 *   vulnerability for a CVE) related to the incident, a file object per attachment, and the
 *   TLP as STIX's TLP marking (CLEAR as WHITE, AMBER+STRICT as AMBER; the TLP 2.0 label also
 *   in x_pocd_tlp). Ids are UUIDv4-shaped but derived from the communication's id, so the same
 *   communication always exports the same ids.
 */
#ifndef POCD_CORE_COMM_EXPORT_H
#define POCD_CORE_COMM_EXPORT_H

#include <jansson.h>

#include "lib/model.h"

/* The states' names (English) for the export, by code; a missing name is the code. */
struct export_names {
	size_t n;
	struct {
		char code[STATE_SIZE];
		char name[NAME_SIZE];
	} s[COMM_MAX_RECIPIENTS + 1];
};

/* The IODEF-Document of cm with content, generated at now, naming issuer (the service) as
 * the IncidentID's namespace. A malloc'd NUL-terminated text (*len bytes), NULL when memory
 * is short. */
char *comm_iodef(const struct comm *cm, const json_t *content, const struct export_names *names,
                 const char *issuer, int64_t now, size_t *len);

/* The STIX 2.1 bundle of cm with content, as compact JSON. Malloc'd, NULL when memory is
 * short. */
char *comm_stix(const struct comm *cm, const json_t *content, const struct export_names *names,
                size_t *len);

#endif
