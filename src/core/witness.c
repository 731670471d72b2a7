#include "core/witness.h"

#include <stdio.h>
#include <string.h>

#include "core/authz.h"
#include "core/record.h"
#include "lib/timeutil.h"

static enum pocd_err
register_run(struct store_conn *w, struct store_job *j)
{
	struct witness_op *op = container_of(j, struct witness_op, job);
	struct note_key k;
	char msg[96], details[NOTE_KEY_TEXT + 32];
	struct event ev = {.type = "log_witness.registered",
	                   .actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .states = op->actor.state,
	                   .details = details};
	enum pocd_err err;

	note_key_parse(op->key, &k, msg, sizeof(msg));
	err = store_log_witness_add(w, k.name, op->actor.state, op->key, k.pk, op->actor.account_id,
	                            op->now);
	if (err != POCD_OK)
		return err;
	ev.object_id = k.name;
	snprintf(details, sizeof(details), "{\"key\":\"%s\"}", op->key);
	return store_event_append(w, &ev, op->now);
}

static void
job_done(struct store_job *j, enum pocd_err st)
{
	struct witness_op *op = container_of(j, struct witness_op, job);

	op->status = st;
	op->done(op->arg);
}

enum pocd_err
witness_register(struct core *c, struct witness_op *op)
{
	struct note_key k;
	char msg[96];

	op->errs.n = 0;
	if (!note_key_parse(op->key, &k, msg, sizeof(msg)))
		return verr_add(&op->errs, "key", "%s", msg);
	if (k.type != NOTE_COSIG)
		return verr_add(&op->errs, "key",
		                "must be a cosignature key (type 0x04), not a log signing key");
	/* Its lines would read like the log's own signature. */
	if (c->record != NULL && strcmp(k.name, c->record->origin) == 0)
		return verr_add(&op->errs, "key", "must not bear the log's own name");
	op->core = c;
	op->job.run = register_run;
	op->job.done = job_done;
	return store_submit(c->store, &op->job);
}

struct find {
	const char *name;
	char state[STATE_SIZE];
	char key[NOTE_KEY_TEXT];
	bool found;
};

static int
find_witness(const char *name, const char *state, const char *key, int64_t at, void *arg)
{
	struct find *f = arg;

	if (strcmp(name, f->name) != 0)
		return 0;
	strlcpy(f->state, state, sizeof(f->state));
	strlcpy(f->key, key, sizeof(f->key));
	f->found = true;
	return 1;
}

static enum pocd_err
cosign_run(struct store_conn *w, struct store_job *j)
{
	struct cosign_op *op = container_of(j, struct cosign_op, job);
	char line[NOTE_SIG_LINE + 1];

	snprintf(line, sizeof(line), "%s\n", op->line);
	return store_log_cosignature_put(w, (int64_t)op->size, op->witness, line,
	                                 (int64_t)op->signed_at);
}

static void
cosign_done(struct store_job *j, enum pocd_err st)
{
	struct cosign_op *op = container_of(j, struct cosign_op, job);

	op->status = st;
	op->done(op->arg);
}

enum pocd_err
witness_cosign(struct core *c, struct store_conn *rd, struct cosign_op *op)
{
	const char *dash = "\xe2\x80\x94 ", *name = op->line + strlen(dash), *sp;
	struct find f = {.name = op->witness};
	struct checkpoint cp;
	struct note_key k;
	struct buf note;
	size_t body_len;
	uint64_t got;
	char msg[96];
	enum pocd_err err;

	op->errs.n = 0;
	/* The witness is named by its line: "— NAME BASE64". */
	if (strncmp(op->line, dash, strlen(dash)) != 0 || (sp = strchr(name, ' ')) == NULL ||
	    (size_t)(sp - name) >= sizeof(op->witness))
		return verr_add(&op->errs, "cosignature",
		                "is not a signature line \"— NAME BASE64\"");
	memcpy(op->witness, name, (size_t)(sp - name));
	op->witness[sp - name] = '\0';
	err = store_log_witnesses(rd, find_witness, &f);
	if (err != POCD_OK)
		return err;
	if (!f.found)
		return verr_add(&op->errs, "cosignature", "no witness named %s is registered",
		                op->witness);
	if (authz_cosign(&op->actor, f.state) != POCD_OK)
		return POCD_EFORBIDDEN;
	if (!note_key_parse(f.key, &k, msg, sizeof(msg)))
		return POCD_ESTORE;
	buf_init(&note);
	err = record_checkpoint(c, rd, op->size, &note, &got);
	if (err == POCD_ENOTFOUND) {
		buf_free(&note);
		return verr_add(&op->errs, "size", "the log has no checkpoint of this size");
	}
	if (err == POCD_OK && !note_parse(note.p, note.len, &cp, &body_len, msg, sizeof(msg)))
		err = POCD_ESTORE;
	if (err == POCD_OK &&
	    !note_line_verify(note.p, body_len, op->line, strlen(op->line), &k, &op->signed_at))
		err = verr_add(
		    &op->errs, "cosignature",
		    "does not verify with the witness's key over the checkpoint of this size");
	buf_free(&note);
	if (err != POCD_OK)
		return err;
	if (op->signed_at > (uint64_t)(now_s() + WITNESS_CLOCK_SKEW))
		return verr_add(&op->errs, "cosignature", "is dated in the future");
	/* A cosignature states what the witness saw when it signed: an old one says little. */
	if (op->signed_at + WITNESS_MAX_AGE < (uint64_t)now_s())
		return verr_add(&op->errs, "cosignature", "is dated more than a day ago");
	op->core = c;
	op->job.run = cosign_run;
	op->job.done = cosign_done;
	return store_submit(c->store, &op->job);
}
