/*
 * A communication as clients send it, checked against the template: decoding with every
 * field validated, the indicators by their type, and the canonical JSON of its content.
 */
#ifndef POCD_CORE_COMM_H
#define POCD_CORE_COMM_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/err.h"
#include "lib/model.h"

#define SUBJECT_MAX     200   /* characters */
#define DESCRIPTION_MAX 20000 /* characters */
#define REPLY_MAX       20000 /* characters */
#define INDICATORS_MAX  100

/*
 * Fills cm's header (type, urgency, tlp, open_distribution, template_version), its
 * recipients (state and kinds only) and cm->content (canonical JSON, malloc'd; the caller
 * frees it) from in. Every problem goes to errs with its JSON path ("indicators[0].value")
 * and the result is POCD_EINVAL. now is the server's clock, for reply_by in the past.
 */
enum pocd_err comm_decode(const json_t *in, int64_t now, struct comm *cm, struct verrs *errs);

/* A reply {"text", "lang", "indicators"?, "state"?}: body gets its canonical JSON (malloc'd)
 * and state the thread the sender addresses ("" when absent). */
enum pocd_err reply_decode(const json_t *in, char **body, char state[STATE_SIZE],
                           struct verrs *errs);

/* Whether value is a valid indicator of the type ("ipv4", "sha256", ...); why gets the rule
 * when not. */
bool indicator_valid(const char *type, const char *value, const char **why);

#endif
