/*
 * C2SP signed notes as the log uses them: checkpoints (tlog-checkpoint), their Ed25519
 * signatures, witness cosignatures (tlog-cosignature v1) and verifier keys ("vkeys").
 * Pure functions over text, shared by pocd and the offline `poc verify`.
 */
#ifndef POCD_CORE_NOTE_H
#define POCD_CORE_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define NOTE_NAME_MAX 128  /* a key or origin name, with its NUL */
#define NOTE_KEY_TEXT 256  /* a vkey's text, with its NUL */
#define NOTE_SIG_LINE 256  /* one signature line, with its newline and NUL */
#define NOTE_MAX      8192 /* a checkpoint with its cosignatures */

enum note_key_type {
	NOTE_ED25519 = 0x01, /* the log's own signature */
	NOTE_COSIG = 0x04,   /* a witness cosignature (timestamped) */
};

struct note_key {
	char name[NOTE_NAME_MAX];
	uint8_t type;
	uint8_t id[4];
	uint8_t pk[32];
};

/* A checkpoint body: origin, tree size, root hash. */
struct checkpoint {
	char origin[NOTE_NAME_MAX];
	uint64_t size;
	uint8_t root[32];
};

/* A key of type for name and pk, with its C2SP key id. */
void note_key_make(const char *name, enum note_key_type type, const uint8_t pk[32],
                   struct note_key *out);
/* "NAME+KEYID+BASE64(type || key)". */
void note_key_format(const struct note_key *k, char out[NOTE_KEY_TEXT]);
/* Reads a vkey; false (with a reason in msg) if it is not one of the two types. */
bool note_key_parse(const char *text, struct note_key *out, char *msg, size_t msglen);

/* "ORIGIN\nSIZE\nBASE64(ROOT)\n" into out (NOTE_NAME_MAX + 80 bytes suffice). */
void checkpoint_body(const struct checkpoint *cp, char *out, size_t outlen);

/* Splits a signed note into its checkpoint and the length of its body (through the body's
 * last newline); false (with a reason in msg) when text is not a checkpoint note. */
bool note_parse(const char *text, size_t len, struct checkpoint *cp, size_t *body_len, char *msg,
                size_t msglen);

/* The signature line of body by k (type NOTE_ED25519) with secret key sk. */
void note_sign(const char *body, size_t body_len, const struct note_key *k, const uint8_t sk[64],
               char out[NOTE_SIG_LINE]);
/* The cosignature line of body by k (type NOTE_COSIG) made at time ts. */
void note_cosign(const char *body, size_t body_len, const struct note_key *k, const uint8_t sk[64],
                 uint64_t ts, char out[NOTE_SIG_LINE]);

/* Whether the note text (body and signature lines) carries a valid signature by k; for a
 * cosignature, its time goes to *ts (may be NULL). */
bool note_verify(const char *text, size_t len, const struct note_key *k, uint64_t *ts);

/* Checks one signature line (without its newline) by k over body; for a cosignature, its time
 * goes to *ts (may be NULL). */
bool note_line_verify(const char *body, size_t body_len, const char *line, size_t line_len,
                      const struct note_key *k, uint64_t *ts);

#endif
