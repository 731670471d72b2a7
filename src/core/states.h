/* The 193 UN member states, as data kept in the project (data/states.tsv). */
#ifndef POCD_CORE_STATES_H
#define POCD_CORE_STATES_H

#include "core/core.h"

#define STATES_COUNT 193

/* Writes every state (codes and names in the six languages) into the store, keeping each
 * one's participation. Blocking; for pocd init. */
enum pocd_err states_seed(struct core *c);
/* Calls cb for each state of the embedded list in code order (for the demo data). */
void states_each(void (*cb)(const struct state_rec *st, size_t index, void *arg), void *arg);

struct participation_op {
	struct principal actor;
	char state[STATE_SIZE];
	bool participating;
	enum pocd_err status;
	struct state_rec result; /* with POCD_OK */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg); /* called once with arg when status is final */
	void *arg;
};

/* Admits a state or ends its participation; authz_set_participation is the caller's.
 * Sessions are re-read afterwards, so the change applies to logged-in accounts at once. */
enum pocd_err states_set_participation(struct core *c, struct participation_op *op);

#endif
