/*
 * The exchange of communications between states: sending, acknowledging, replying and
 * closing, the deadlines each recipient runs against, and their escalation. Every
 * transition is a step of the recipient's history and an event, in one transaction.
 */
#ifndef POCD_CORE_EXCHANGE_H
#define POCD_CORE_EXCHANGE_H

#include "core/core.h"

struct send_op {
	struct principal actor;
	/* in: as comm_decode() filled it (cm.content is owned by the op's owner, who frees it
	 * after done); out: the stored communication with ids, deadlines and statuses */
	struct comm cm;
	/* in: attachments the sending references (attachment_ids_decode); the content then
	 * lists them with their hashes */
	char attach[ATTACH_MAX][ID_SIZE];
	size_t nattach;
	int64_t now;
	enum pocd_err status;
	struct verrs errs;    /* with POCD_EINVAL: recipients or attachments that cannot be used */
	struct leaf_ref mine; /* out: the sender's leaf in the log */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

/* Authorization (authz_send_comm) is the caller's. */
enum pocd_err exchange_send(struct core *c, struct send_op *op);

enum exchange_action { EX_ACKNOWLEDGE, EX_REPLY, EX_CLOSE, EX_ACKNOWLEDGE_LINK };

struct act_op {
	struct principal actor;
	enum exchange_action action;
	char comm_id[ID_SIZE];
	char *reply_body;        /* EX_REPLY: canonical JSON from reply_decode (owner frees) */
	char thread[STATE_SIZE]; /* EX_REPLY by the sender: one recipient's thread, "" for all */
	/* EX_REPLY: attachments the reply references; a reply with attachments is logged as
	 * communication.replied, committing to its body with their hashes */
	char attach[ATTACH_MAX][ID_SIZE];
	size_t nattach;
	struct verrs errs; /* with POCD_EINVAL: attachments that cannot be used */
	/* EX_ACKNOWLEDGE_LINK: the mailed link's token (any text; unknown, spent or expired all
	 * give POCD_EGONE); out: the communication (comm_id) and the state it acknowledged for */
	char token[TOKEN_SIZE];
	char link_state[STATE_SIZE];
	int64_t now;
	/* POCD_ECONFLICT: closed; POCD_EINVAL: errs, or with none the thread is no recipient */
	enum pocd_err status;
	struct leaf_ref mine; /* out: the caller's leaf of the last logged step */
	struct core *core;
	struct store_job job;
	void (*done)(void *arg);
	void *arg;
};

/* Authorization (authz_comm_act) is the caller's; the run checks the lifecycle. */
enum pocd_err exchange_act(struct core *c, struct act_op *op);

/* When a recipient needs the scheduler next (0 for never): its acknowledgement deadline, the
 * step after an escalation (one acknowledgement window later), its answer deadline. */
int64_t recipient_next_due(const struct comm_recipient *r, int64_t ack_window);

/* Marks overdue and escalates every recipient whose time has come by now. Blocking; for the
 * scheduler thread. */
enum pocd_err exchange_process_due(struct core *c, int64_t now);

/* The index of the urgency in the template's order (routine, priority, urgent), or 0. */
int urgency_index(const char *urgency);

#endif
