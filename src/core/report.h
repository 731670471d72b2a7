/* Responsiveness figures, measured from the record of communications, not self-reported. */
#ifndef POCD_CORE_REPORT_H
#define POCD_CORE_REPORT_H

#include <jansson.h>

#include "core/core.h"

/* One state's figures (or the aggregate of all states). Times are seconds; -1 when there
 * is nothing to measure. */
struct resp_figures {
	char state[STATE_SIZE]; /* "" for the aggregate */
	int64_t received;
	int64_t due; /* received and past its acknowledgement deadline, or acknowledged */
	int64_t acknowledged;
	int64_t acknowledged_in_time;
	int64_t answered;
	int64_t ack_median, ack_p90;
	int64_t answer_median, answer_p90;
};

/* The p-th percentile (0..100, nearest rank) of n sorted values; -1 when n is 0. */
int64_t percentile(const int64_t *sorted, size_t n, int p);

/*
 * Builds the report of communications received since `since`: {"since", "states": [...],
 * "all": {...}}, with every state's figures when all_states, else only viewer's (and the
 * aggregate either way). Returns a new reference, or NULL with *err set.
 */
json_t *report_responsiveness(struct core *c, int64_t since, const char *viewer, bool all_states,
                              enum pocd_err *err);

#endif
