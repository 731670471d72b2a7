/*
 * Checking a receipt offline, with no server: the log's signature on its checkpoint, the
 * witnesses' cosignatures, the inclusion proof of its leaf, and the leaf's commitment to a
 * content. What `poc verify` runs; pure, so that anyone can rebuild it.
 */
#ifndef POCD_CORE_RECEIPT_CHECK_H
#define POCD_CORE_RECEIPT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/note.h"
#include "lib/model.h"

struct receipt_check {
	const struct note_key *log_keys; /* type NOTE_ED25519: any of them may have signed */
	size_t nlog_keys;
	const struct note_key *witnesses;
	size_t nwitnesses;
	size_t min_witnesses; /* cosignatures required among witnesses */
	const char *content;  /* NULL: the commitment is not checked */
	size_t content_len;
};

/* What a receipt that holds proves. */
struct receipt_facts {
	char event[48];
	char event_id[ID_SIZE];
	char object[48];
	char party[STATE_SIZE + 1];
	char actor_state[STATE_SIZE];
	int64_t time;
	uint64_t index, size;
	size_t cosigned; /* how many of the witnesses cosigned */
	char log_name[NOTE_NAME_MAX];
};

/* Checks the receipt in text (its JSON object, or an answer holding it as "receipt").
 * True when every check holds; otherwise false with what failed in msg. */
bool receipt_check(const char *text, size_t len, const struct receipt_check *chk,
                   struct receipt_facts *out, char *msg, size_t msglen);

#endif
