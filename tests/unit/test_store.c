/* Unit tests of src/store/store.h against a real SQLite file in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>
#include <sodium.h>

#include "lib/rand.h"
#include "lib/timeutil.h"
#include "store/store.h"

#define NOW 1795662720 /* 2026-11-26T03:12:00Z */

struct fixture {
	char dir[64];
	char path[96];
	struct store *s;
};

/* A write job that calls fn(w, arg) and reports the directory change it is told to. */
struct fn_job {
	struct store_job job; /* first: a struct store_job * is a struct fn_job * */
	enum pocd_err (*fn)(struct store_conn *w, void *arg);
	void *arg;
	bool dir;
};

static enum pocd_err
fn_run(struct store_conn *w, struct store_job *j)
{
	struct fn_job *fj = (struct fn_job *)j;
	enum pocd_err err = fj->fn(w, fj->arg);

	j->directory_changed = fj->dir;
	return err;
}

/* Runs fn(w, arg) as one committed job; returns the job's final status. */
static enum pocd_err
run(struct store *s, enum pocd_err (*fn)(struct store_conn *w, void *arg), void *arg, bool dir)
{
	struct fn_job fj = {.job.run = fn_run, .fn = fn, .arg = arg, .dir = dir};

	return store_run_sync(s, &fj.job);
}

static void
remove_db(struct fixture *f)
{
	char p[128];

	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char msg[256];

	if (f == NULL)
		return -1;
	strlcpy(f->dir, "/tmp/pocd-test-store-XXXXXX", sizeof(f->dir));
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/pocd.db", f->dir);
	if (store_create(f->path, true, msg, sizeof(msg)) != POCD_OK ||
	    store_open(f->path, &f->s, msg, sizeof(msg)) != POCD_OK) {
		fprintf(stderr, "store: %s\n", msg);
		remove_db(f);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	remove_db(f);
	free(f);
	return 0;
}

static struct store_conn *
rd(void **state)
{
	struct fixture *f = *state;
	struct store_conn *c = store_reader(f->s);

	assert_non_null(c);
	return c;
}

static struct store *
st(void **state)
{
	return ((struct fixture *)*state)->s;
}

/* ---- states ---- */

static void
state_rec(struct state_rec *r, const char *code, const char *alpha2, const char *en,
          bool participating)
{
	memset(r, 0, sizeof(*r));
	strlcpy(r->code, code, sizeof(r->code));
	strlcpy(r->alpha2, alpha2, sizeof(r->alpha2));
	for (int i = 0; i < NLANGS; i++)
		snprintf(r->names[i], sizeof(r->names[i]), "%s-%d", en, i);
	strlcpy(r->names[2], en, sizeof(r->names[2]));
	strlcpy(r->names[0], "\xd9\x81\xd8\xb1\xd9\x86\xd8\xb3\xd8\xa7", sizeof(r->names[0]));
	r->participating = participating;
	r->participating_since = participating ? NOW : 0;
}

static enum pocd_err
put_state(struct store_conn *w, void *arg)
{
	return store_state_put(w, arg);
}

static void
add_state(void **state, const char *code, const char *alpha2, const char *en, bool on)
{
	struct state_rec r;

	state_rec(&r, code, alpha2, en, on);
	assert_int_equal(run(st(state), put_state, &r, true), POCD_OK);
}

struct state_list {
	size_t n;
	char codes[8][STATE_SIZE];
};

static int
collect_state(const struct state_rec *r, void *arg)
{
	struct state_list *l = arg;

	if (l->n < 8)
		strlcpy(l->codes[l->n], r->code, STATE_SIZE);
	l->n++;
	return 0;
}

struct participation {
	const char *code;
	bool on;
};

static enum pocd_err
set_part(struct store_conn *w, void *arg)
{
	struct participation *p = arg;

	return store_state_set_participation(w, p->code, p->on, NOW + 5);
}

static void
states(void **state)
{
	struct state_rec r, got;
	struct state_list l = {0};
	struct participation p = {"DEU", true};

	add_state(state, "FRA", "FR", "France", true);
	add_state(state, "DEU", "DE", "Germany", false);
	assert_int_equal(store_state_get(rd(state), "FRA", &got), POCD_OK);
	state_rec(&r, "FRA", "FR", "France", true);
	assert_string_equal(got.code, "FRA");
	assert_string_equal(got.alpha2, "FR");
	for (int i = 0; i < NLANGS; i++)
		assert_string_equal(got.names[i], r.names[i]);
	assert_true(got.participating);
	assert_int_equal(got.participating_since, NOW);
	assert_int_equal(store_state_get(rd(state), "DEU", &got), POCD_OK);
	assert_false(got.participating);
	assert_int_equal(got.participating_since, 0);
	assert_int_equal(store_state_get(rd(state), "XYZ", &got), POCD_ENOTFOUND);

	assert_int_equal(store_states_list(rd(state), collect_state, &l), POCD_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.codes[0], "DEU");
	assert_string_equal(l.codes[1], "FRA");

	/* A second put renames but keeps participation as it was. */
	state_rec(&r, "FRA", "FR", "French Republic", false);
	assert_int_equal(run(st(state), put_state, &r, true), POCD_OK);
	assert_int_equal(store_state_get(rd(state), "FRA", &got), POCD_OK);
	assert_string_equal(got.names[2], "French Republic");
	assert_true(got.participating);

	assert_int_equal(run(st(state), set_part, &p, true), POCD_OK);
	assert_int_equal(store_state_get(rd(state), "DEU", &got), POCD_OK);
	assert_true(got.participating);
	assert_int_equal(got.participating_since, NOW + 5);
	p.on = false;
	assert_int_equal(run(st(state), set_part, &p, true), POCD_OK);
	assert_int_equal(store_state_get(rd(state), "DEU", &got), POCD_OK);
	assert_false(got.participating);
	assert_int_equal(got.participating_since, 0);
	p.code = "XYZ";
	assert_int_equal(run(st(state), set_part, &p, true), POCD_ENOTFOUND);

	/* Another state with the same alpha2 collides. */
	state_rec(&r, "FRX", "FR", "Elsewhere", false);
	assert_int_equal(run(st(state), put_state, &r, true), POCD_ECONFLICT);
}

/* ---- accounts ---- */

struct acc_insert {
	struct account a;
	const char *pwhash;
};

static enum pocd_err
insert_account(struct store_conn *w, void *arg)
{
	struct acc_insert *ai = arg;

	return store_account_insert(w, &ai->a, ai->pwhash);
}

static void
account(struct account *a, const char *username, enum role role, const char *state)
{
	memset(a, 0, sizeof(*a));
	rand_id(a->id);
	strlcpy(a->username, username, sizeof(a->username));
	a->role = role;
	strlcpy(a->state, state, sizeof(a->state));
	a->created_at = NOW;
}

static void
add_account(void **state, struct account *a, const char *username, enum role role,
            const char *st_code)
{
	struct acc_insert ai = {.pwhash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"};

	account(&ai.a, username, role, st_code);
	assert_int_equal(run(st(state), insert_account, &ai, false), POCD_OK);
	*a = ai.a;
}

struct acc_list {
	size_t n;
	char names[8][USERNAME_MAX + 1];
};

static int
collect_account(const struct account *a, void *arg)
{
	struct acc_list *l = arg;

	if (l->n < 8)
		strlcpy(l->names[l->n], a->username, sizeof(l->names[0]));
	l->n++;
	return 0;
}

struct acc_flag {
	const char *id;
	bool disabled;
	const char *pwhash;
};

static enum pocd_err
disable_account(struct store_conn *w, void *arg)
{
	struct acc_flag *af = arg;

	return store_account_set_disabled(w, af->id, af->disabled, 0);
}

static enum pocd_err
set_password(struct store_conn *w, void *arg)
{
	struct acc_flag *af = arg;

	return store_account_set_password(w, af->id, af->pwhash);
}

static void
accounts(void **state)
{
	struct account admin, sec, got;
	struct acc_insert dup = {.pwhash = "$argon2id$other"};
	struct acc_list l = {0};
	struct acc_flag af;
	char pwhash[256];
	int64_t n;

	add_state(state, "FRA", "FR", "France", true);
	add_account(state, &admin, "fra.admin", ROLE_STATE_ADMIN, "FRA");
	add_account(state, &sec, "secretariat", ROLE_SECRETARIAT, "");

	assert_int_equal(
	    store_account_by_username(rd(state), "fra.admin", &got, pwhash, sizeof(pwhash)),
	    POCD_OK);
	assert_string_equal(got.id, admin.id);
	assert_string_equal(got.username, "fra.admin");
	assert_int_equal(got.role, ROLE_STATE_ADMIN);
	assert_string_equal(got.state, "FRA");
	assert_false(got.disabled);
	assert_int_equal(got.created_at, NOW);
	assert_string_equal(pwhash, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
	assert_int_equal(
	    store_account_by_username(rd(state), "nobody", &got, pwhash, sizeof(pwhash)),
	    POCD_ENOTFOUND);
	assert_int_equal(
	    store_account_by_username(rd(state), "FRA.ADMIN", &got, pwhash, sizeof(pwhash)),
	    POCD_ENOTFOUND);
	assert_int_equal(store_account_get(rd(state), sec.id, &got), POCD_OK);
	assert_int_equal(got.role, ROLE_SECRETARIAT);
	assert_string_equal(got.state, "");
	assert_int_equal(store_account_get(rd(state), "aaaaaaaaaaaaaaaaaaaaaaaaaa", &got),
	                 POCD_ENOTFOUND);

	/* A taken username, whatever the rest. */
	account(&dup.a, "fra.admin", ROLE_OFFICER, "FRA");
	assert_int_equal(run(st(state), insert_account, &dup, false), POCD_ECONFLICT);
	/* An account of a state that does not exist, and a state account without a state. */
	account(&dup.a, "ghost", ROLE_OFFICER, "XYZ");
	assert_int_equal(run(st(state), insert_account, &dup, false), POCD_ECONFLICT);
	account(&dup.a, "stateless", ROLE_OFFICER, "");
	assert_int_equal(run(st(state), insert_account, &dup, false), POCD_ECONFLICT);
	assert_int_equal(
	    store_account_by_username(rd(state), "ghost", &got, pwhash, sizeof(pwhash)),
	    POCD_ENOTFOUND);

	add_account(state, &got, "fra.officer", ROLE_OFFICER, "FRA");
	assert_int_equal(store_accounts_list(rd(state), "FRA", collect_account, &l), POCD_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.names[0], "fra.admin");
	assert_string_equal(l.names[1], "fra.officer");
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_accounts_list(rd(state), "", collect_account, &l), POCD_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.names[0], "secretariat");

	assert_int_equal(store_accounts_count(rd(state), "FRA", ROLE_STATE_ADMIN, &n), POCD_OK);
	assert_int_equal(n, 1);
	af = (struct acc_flag){.id = admin.id, .disabled = true};
	assert_int_equal(run(st(state), disable_account, &af, false), POCD_OK);
	assert_int_equal(store_accounts_count(rd(state), "FRA", ROLE_STATE_ADMIN, &n), POCD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_account_get(rd(state), admin.id, &got), POCD_OK);
	assert_true(got.disabled);
	af.id = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
	assert_int_equal(run(st(state), disable_account, &af, false), POCD_ENOTFOUND);

	af = (struct acc_flag){.id = admin.id, .pwhash = "$argon2id$new"};
	assert_int_equal(run(st(state), set_password, &af, false), POCD_OK);
	assert_int_equal(
	    store_account_by_username(rd(state), "fra.admin", &got, pwhash, sizeof(pwhash)),
	    POCD_OK);
	assert_string_equal(pwhash, "$argon2id$new");
	af.id = "bbbbbbbbbbbbbbbbbbbbbbbbbb";
	assert_int_equal(run(st(state), set_password, &af, false), POCD_ENOTFOUND);
}

/* ---- sessions ---- */

struct sess {
	uint8_t hash[TOKEN_HASH_LEN];
	const char *account_id;
	int64_t now, expires_at;
};

static enum pocd_err
insert_session(struct store_conn *w, void *arg)
{
	struct sess *s = arg;

	return store_session_insert(w, s->hash, s->account_id, s->now, s->expires_at);
}

static enum pocd_err
delete_session(struct store_conn *w, void *arg)
{
	return store_session_delete(w, ((struct sess *)arg)->hash);
}

static enum pocd_err
delete_sessions_of(struct store_conn *w, void *arg)
{
	return store_sessions_delete_account(w, ((struct sess *)arg)->account_id);
}

static void
sessions(void **state)
{
	struct account officer, sec;
	struct principal who;
	struct sess s1 = {.now = NOW, .expires_at = NOW + 3600}, s2, s3;
	struct participation part = {"FRA", false};
	struct acc_flag af;
	char token[TOKEN_SIZE];
	int64_t exp = 0;

	add_state(state, "FRA", "FR", "France", true);
	add_account(state, &officer, "fra.officer", ROLE_OFFICER, "FRA");
	add_account(state, &sec, "secretariat", ROLE_SECRETARIAT, "");
	rand_token(token);
	token_hash(token, s1.hash);
	s1.account_id = officer.id;
	assert_int_equal(run(st(state), insert_session, &s1, false), POCD_OK);
	assert_int_equal(run(st(state), insert_session, &s1, false), POCD_ECONFLICT);

	assert_int_equal(store_session_lookup(rd(state), s1.hash, NOW + 1, &who, &exp), POCD_OK);
	assert_string_equal(who.account_id, officer.id);
	assert_string_equal(who.username, "fra.officer");
	assert_int_equal(who.role, ROLE_OFFICER);
	assert_string_equal(who.state, "FRA");
	assert_true(who.participating);
	assert_int_equal(exp, NOW + 3600);
	/* Expired at its expiry second and after. */
	assert_int_equal(store_session_lookup(rd(state), s1.hash, NOW + 3599, &who, &exp), POCD_OK);
	assert_int_equal(store_session_lookup(rd(state), s1.hash, NOW + 3600, &who, &exp),
	                 POCD_ENOTFOUND);
	assert_int_equal(store_session_lookup(rd(state), s1.hash, NOW + 99999, &who, &exp),
	                 POCD_ENOTFOUND);

	/* A state that stops taking part shows in the principal. */
	assert_int_equal(run(st(state), set_part, &part, true), POCD_OK);
	assert_int_equal(store_session_lookup(rd(state), s1.hash, NOW, &who, &exp), POCD_OK);
	assert_false(who.participating);

	/* The Secretariat always takes part. */
	s2 = s1;
	s2.hash[0] ^= 1;
	s2.account_id = sec.id;
	assert_int_equal(run(st(state), insert_session, &s2, false), POCD_OK);
	assert_int_equal(store_session_lookup(rd(state), s2.hash, NOW, &who, &exp), POCD_OK);
	assert_int_equal(who.role, ROLE_SECRETARIAT);
	assert_string_equal(who.state, "");
	assert_true(who.participating);

	/* Unknown hash, deleted session. */
	s3 = s1;
	s3.hash[31] ^= 0x80;
	assert_int_equal(store_session_lookup(rd(state), s3.hash, NOW, &who, &exp), POCD_ENOTFOUND);
	assert_int_equal(run(st(state), delete_session, &s2, false), POCD_OK);
	assert_int_equal(store_session_lookup(rd(state), s2.hash, NOW, &who, &exp), POCD_ENOTFOUND);

	/* A disabled account's sessions do not hold. */
	af = (struct acc_flag){.id = officer.id, .disabled = true};
	assert_int_equal(run(st(state), disable_account, &af, false), POCD_OK);
	assert_int_equal(store_session_lookup(rd(state), s1.hash, NOW, &who, &exp), POCD_ENOTFOUND);
	af.disabled = false;
	assert_int_equal(run(st(state), disable_account, &af, false), POCD_OK);
	assert_int_equal(store_session_lookup(rd(state), s1.hash, NOW, &who, &exp), POCD_OK);
	assert_int_equal(run(st(state), delete_sessions_of, &s1, false), POCD_OK);
	assert_int_equal(store_session_lookup(rd(state), s1.hash, NOW, &who, &exp), POCD_ENOTFOUND);

	/* A session for an account that does not exist is refused. */
	s3.account_id = "cccccccccccccccccccccccccc";
	assert_int_equal(run(st(state), insert_session, &s3, false), POCD_ECONFLICT);
}

/* ---- enrolments ---- */

struct enr {
	uint8_t hash[TOKEN_HASH_LEN];
	struct enrolment e;
	const char *account_id;
};

static enum pocd_err
insert_enrolment(struct store_conn *w, void *arg)
{
	struct enr *en = arg;

	return store_enrolment_insert(w, en->hash, &en->e, NOW);
}

static enum pocd_err
use_enrolment(struct store_conn *w, void *arg)
{
	struct enr *en = arg;

	return store_enrolment_use(w, en->hash, NOW + 10, en->account_id);
}

static void
enrolments(void **state)
{
	struct account sec, officer;
	struct enr en = {0};
	struct enrolment got;
	uint8_t other[TOKEN_HASH_LEN];

	add_state(state, "FRA", "FR", "France", true);
	add_account(state, &sec, "secretariat", ROLE_SECRETARIAT, "");
	token_hash("enrolment-token", en.hash);
	rand_id(en.e.id);
	strlcpy(en.e.state, "FRA", sizeof(en.e.state));
	en.e.role = ROLE_STATE_ADMIN;
	strlcpy(en.e.created_by, sec.id, sizeof(en.e.created_by));
	en.e.expires_at = NOW + 86400;
	assert_int_equal(run(st(state), insert_enrolment, &en, false), POCD_OK);

	assert_int_equal(store_enrolment_get(rd(state), en.hash, &got), POCD_OK);
	assert_string_equal(got.id, en.e.id);
	assert_string_equal(got.state, "FRA");
	assert_int_equal(got.role, ROLE_STATE_ADMIN);
	assert_string_equal(got.created_by, sec.id);
	assert_int_equal(got.expires_at, NOW + 86400);
	assert_int_equal(got.used_at, 0);
	token_hash("another-token", other);
	assert_int_equal(store_enrolment_get(rd(state), other, &got), POCD_ENOTFOUND);

	add_account(state, &officer, "fra.admin", ROLE_STATE_ADMIN, "FRA");
	en.account_id = officer.id;
	assert_int_equal(run(st(state), use_enrolment, &en, false), POCD_OK);
	assert_int_equal(store_enrolment_get(rd(state), en.hash, &got), POCD_OK);
	assert_int_equal(got.used_at, NOW + 10);
	/* One time only. */
	assert_int_equal(run(st(state), use_enrolment, &en, false), POCD_ENOTFOUND);
	memcpy(en.hash, other, sizeof(other));
	assert_int_equal(run(st(state), use_enrolment, &en, false), POCD_ENOTFOUND);
}

/* ---- points of contact ---- */

static void
make_poc(struct poc *p, const char *state, enum poc_kind kind, enum poc_rank rank, const char *org,
         const char *lang)
{
	memset(p, 0, sizeof(*p));
	rand_id(p->id);
	strlcpy(p->state, state, sizeof(p->state));
	p->kind = kind;
	p->rank = rank;
	strlcpy(p->organisation, org, sizeof(p->organisation));
	strlcpy(p->role_title, "Duty officer", sizeof(p->role_title));
	snprintf(p->email, sizeof(p->email), "duty@%s.example", state);
	p->nphones = 2;
	strlcpy(p->phones[0], "+33123456789", PHONE_SIZE);
	strlcpy(p->phones[1], "+33987654321", PHONE_SIZE);
	p->nlangs = 2;
	strlcpy(p->languages[0], lang, 3);
	strlcpy(p->languages[1], "en", 3);
	strlcpy(p->time_zone, "Europe/Paris", sizeof(p->time_zone));
	strlcpy(p->availability, "\"24/7\"", sizeof(p->availability));
	p->revision = 1;
	p->created_at = NOW;
	p->updated_at = NOW;
}

static enum pocd_err
insert_poc(struct store_conn *w, void *arg)
{
	return store_poc_insert(w, arg);
}

static enum pocd_err
update_poc(struct store_conn *w, void *arg)
{
	return store_poc_update(w, arg);
}

static enum pocd_err
delete_poc(struct store_conn *w, void *arg)
{
	return store_poc_delete(w, arg);
}

static void
add_poc(void **state, struct poc *p)
{
	assert_int_equal(run(st(state), insert_poc, p, true), POCD_OK);
}

static void
assert_poc_equal(const struct poc *a, const struct poc *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->state, b->state);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->rank, b->rank);
	assert_string_equal(a->organisation, b->organisation);
	assert_string_equal(a->role_title, b->role_title);
	assert_string_equal(a->person_name, b->person_name);
	assert_string_equal(a->email, b->email);
	assert_int_equal(a->nphones, b->nphones);
	for (size_t i = 0; i < a->nphones; i++)
		assert_string_equal(a->phones[i], b->phones[i]);
	assert_int_equal(a->nlangs, b->nlangs);
	for (size_t i = 0; i < a->nlangs; i++)
		assert_string_equal(a->languages[i], b->languages[i]);
	assert_string_equal(a->time_zone, b->time_zone);
	assert_string_equal(a->availability, b->availability);
	assert_string_equal(a->pgp_fingerprint, b->pgp_fingerprint);
	assert_int_equal(a->naccounts, b->naccounts);
	for (size_t i = 0; i < a->naccounts; i++)
		assert_string_equal(a->accounts[i], b->accounts[i]);
	assert_string_equal(a->review_by, b->review_by);
	assert_int_equal(a->revision, b->revision);
	assert_int_equal(a->created_at, b->created_at);
	assert_int_equal(a->updated_at, b->updated_at);
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
pocs_crud(void **state)
{
	struct account a1, a2;
	struct poc *p = calloc(1, sizeof(*p)), *got = calloc(1, sizeof(*got));

	assert_non_null(p);
	assert_non_null(got);
	add_state(state, "FRA", "FR", "France", true);
	add_account(state, &a1, "fra.one", ROLE_OFFICER, "FRA");
	add_account(state, &a2, "fra.two", ROLE_OFFICER, "FRA");
	make_poc(p, "FRA", POC_TECHNICAL, POC_PRIMARY,
	         "ANSSI \xe2\x80\x94 CERT-FR, \"quoted\"; semi", "fr");
	strlcpy(p->person_name, "Jos\xc3\xa9 Dupont", sizeof(p->person_name));
	strlcpy(p->pgp_fingerprint, "0123456789ABCDEF0123456789ABCDEF01234567",
	        sizeof(p->pgp_fingerprint));
	strlcpy(p->review_by, "2027-01-31", sizeof(p->review_by));
	strlcpy(p->availability,
	        "{\"weekly\":[{\"days\":[\"mon\",\"fri\"],\"from\":\"09:00\",\"to\":\"17:00\"}]}",
	        sizeof(p->availability));
	/* Accounts come back sorted by id. */
	p->naccounts = 2;
	strlcpy(p->accounts[0], a1.id, ID_SIZE);
	strlcpy(p->accounts[1], a2.id, ID_SIZE);
	qsort(p->accounts, 2, ID_SIZE, cmp_id);
	add_poc(state, p);
	assert_int_equal(store_poc_get(rd(state), p->id, got), POCD_OK);
	assert_poc_equal(got, p);
	assert_int_equal(run(st(state), insert_poc, p, true), POCD_ECONFLICT);

	/* Update: optional fields cleared, lists changed, revision moved on. */
	p->kind = POC_DIPLOMATIC;
	p->rank = POC_ALTERNATE;
	p->person_name[0] = '\0';
	p->pgp_fingerprint[0] = '\0';
	p->review_by[0] = '\0';
	p->nphones = 1;
	strlcpy(p->phones[0], "+4930123456", PHONE_SIZE);
	p->nlangs = 1;
	strlcpy(p->languages[0], "de", 3);
	p->naccounts = 1;
	strlcpy(p->accounts[0], a2.id, ID_SIZE);
	p->revision = 2;
	p->updated_at = NOW + 60;
	assert_int_equal(run(st(state), update_poc, p, true), POCD_OK);
	assert_int_equal(store_poc_get(rd(state), p->id, got), POCD_OK);
	assert_poc_equal(got, p);
	assert_int_equal(got->created_at, NOW);

	/* An account that does not exist cannot act for a PoC: the whole update is undone. */
	p->revision = 3;
	strlcpy(p->accounts[0], "dddddddddddddddddddddddddd", ID_SIZE);
	assert_int_equal(run(st(state), update_poc, p, true), POCD_ECONFLICT);
	assert_int_equal(store_poc_get(rd(state), p->id, got), POCD_OK);
	assert_int_equal(got->revision, 2);
	assert_string_equal(got->accounts[0], a2.id);

	assert_int_equal(run(st(state), delete_poc, p->id, true), POCD_OK);
	assert_int_equal(store_poc_get(rd(state), p->id, got), POCD_ENOTFOUND);
	assert_int_equal(run(st(state), delete_poc, p->id, true), POCD_ENOTFOUND);
	assert_int_equal(run(st(state), update_poc, p, true), POCD_ENOTFOUND);

	/* A PoC of a state that does not exist. */
	make_poc(p, "XYZ", POC_TECHNICAL, POC_PRIMARY, "Nowhere", "fr");
	assert_int_equal(run(st(state), insert_poc, p, true), POCD_ECONFLICT);
	free(p);
	free(got);
}

struct poc_list {
	size_t n;
	char ids[16][ID_SIZE];
	char states[16][STATE_SIZE];
	char keys[16][SORTKEY_SIZE];
	size_t stop_after; /* 0: never */
};

static int
collect_poc(const struct poc *p, void *arg)
{
	struct poc_list *l = arg;

	if (l->n < 16) {
		strlcpy(l->ids[l->n], p->id, ID_SIZE);
		strlcpy(l->states[l->n], p->state, STATE_SIZE);
		store_poc_sortkey(p, l->keys[l->n]);
	}
	l->n++;
	return l->stop_after != 0 && l->n >= l->stop_after;
}

static void
filter(struct poc_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = -1;
	f->limit = 100;
}

static void
list(void **state, const struct poc_filter *f, struct poc_list *l)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(store_pocs_list(rd(state), f, collect_poc, l), POCD_OK);
}

static void
pocs_listing(void **state)
{
	struct poc *p = calloc(5, sizeof(*p));
	struct poc_filter f;
	struct poc_list l, page;
	char key[SORTKEY_SIZE], cur_state[STATE_SIZE] = "", cur_key[SORTKEY_SIZE] = "";
	size_t seen = 0;

	assert_non_null(p);
	add_state(state, "FRA", "FR", "France", true);
	add_state(state, "DEU", "DE", "Germany", true);
	add_state(state, "ITA", "IT", "Italy", false);
	make_poc(&p[0], "FRA", POC_TECHNICAL, POC_ALTERNATE, "CERT-FR backup", "fr");
	make_poc(&p[1], "FRA", POC_TECHNICAL, POC_PRIMARY, "CERT-FR", "fr");
	make_poc(&p[2], "FRA", POC_DIPLOMATIC, POC_PRIMARY, "Minist\xc3\xa8re", "fr");
	make_poc(&p[3], "DEU", POC_TECHNICAL, POC_PRIMARY, "CERT-Bund", "de");
	make_poc(&p[4], "ITA", POC_TECHNICAL, POC_PRIMARY, "CSIRT Italia", "it");
	for (int i = 0; i < 5; i++)
		add_poc(state, &p[i]);

	store_poc_sortkey(&p[1], key);
	assert_string_equal(key + strlen("technical0"), p[1].id);
	assert_true(strncmp(key, "technical0", 10) == 0);
	store_poc_sortkey(&p[0], key);
	assert_true(strncmp(key, "technical1", 10) == 0);

	/* Everything: participating states only, by state, kind, rank, id. */
	filter(&f);
	list(state, &f, &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.ids[0], p[3].id);
	assert_string_equal(l.ids[1], p[2].id);
	assert_string_equal(l.ids[2], p[1].id);
	assert_string_equal(l.ids[3], p[0].id);

	strlcpy(f.state, "FRA", sizeof(f.state));
	list(state, &f, &l);
	assert_int_equal(l.n, 3);
	strlcpy(f.state, "ITA", sizeof(f.state));
	list(state, &f, &l);
	assert_int_equal(l.n, 0);

	filter(&f);
	f.kind = POC_DIPLOMATIC;
	list(state, &f, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.ids[0], p[2].id);
	f.kind = POC_TECHNICAL;
	list(state, &f, &l);
	assert_int_equal(l.n, 3);

	filter(&f);
	strlcpy(f.lang, "de", sizeof(f.lang));
	list(state, &f, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.ids[0], p[3].id);
	strlcpy(f.lang, "en", sizeof(f.lang));
	list(state, &f, &l);
	assert_int_equal(l.n, 4);
	strlcpy(f.lang, "e", sizeof(f.lang)); /* whole codes only */
	list(state, &f, &l);
	assert_int_equal(l.n, 0);

	/* Free text: case-insensitive, over organisation, title, name and e-mail. */
	filter(&f);
	strlcpy(f.q, "cert-fr", sizeof(f.q));
	list(state, &f, &l);
	assert_int_equal(l.n, 2);
	strlcpy(f.q, "BACKUP", sizeof(f.q));
	list(state, &f, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.ids[0], p[0].id);
	strlcpy(f.q, "duty@deu", sizeof(f.q));
	list(state, &f, &l);
	assert_int_equal(l.n, 1);
	strlcpy(f.q, "italia", sizeof(f.q));
	list(state, &f, &l);
	assert_int_equal(l.n, 0);
	strlcpy(f.q, "minist\xc3\xa8re", sizeof(f.q));
	list(state, &f, &l);
	assert_int_equal(l.n, 1);

	filter(&f);
	f.kind = POC_TECHNICAL;
	strlcpy(f.state, "FRA", sizeof(f.state));
	strlcpy(f.q, "backup", sizeof(f.q));
	list(state, &f, &l);
	assert_int_equal(l.n, 1);

	/* Limit, and a callback that stops early. */
	filter(&f);
	f.limit = 2;
	list(state, &f, &l);
	assert_int_equal(l.n, 2);
	filter(&f);
	memset(&l, 0, sizeof(l));
	l.stop_after = 3;
	assert_int_equal(store_pocs_list(rd(state), &f, collect_poc, &l), POCD_OK);
	assert_int_equal(l.n, 3);

	/* Keyset cursor: after DEU's last row comes FRA's first. */
	filter(&f);
	strlcpy(f.after_state, "DEU", sizeof(f.after_state));
	store_poc_sortkey(&p[3], f.after_key);
	list(state, &f, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.ids[0], p[2].id);
	strlcpy(f.after_state, "FRA", sizeof(f.after_state));
	store_poc_sortkey(&p[1], f.after_key);
	list(state, &f, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.ids[0], p[0].id);
	store_poc_sortkey(&p[0], f.after_key);
	list(state, &f, &l);
	assert_int_equal(l.n, 0);

	/* Paging one by one visits every row once, in order. */
	for (;;) {
		filter(&f);
		f.limit = 1;
		strlcpy(f.after_state, cur_state, sizeof(f.after_state));
		strlcpy(f.after_key, cur_key, sizeof(f.after_key));
		list(state, &f, &page);
		if (page.n == 0)
			break;
		assert_int_equal(page.n, 1);
		filter(&f);
		list(state, &f, &l);
		assert_true(seen < l.n);
		assert_string_equal(page.ids[0], l.ids[seen]);
		strlcpy(cur_state, page.states[0], sizeof(cur_state));
		strlcpy(cur_key, page.keys[0], sizeof(cur_key));
		seen++;
	}
	assert_int_equal(seen, 4);
	free(p);
}

/* ---- revisions and events ---- */

struct rev {
	const char *poc_id;
	int64_t revision;
	const char *op;
};

static enum pocd_err
insert_rev(struct store_conn *w, void *arg)
{
	struct rev *r = arg;
	char doc[64];

	snprintf(doc, sizeof(doc), "{\"revision\":%lld}", (long long)r->revision);
	return store_poc_revision_insert(w, r->poc_id, r->revision, r->op, "actor-id",
	                                 NOW + r->revision, doc);
}

struct history {
	size_t n;
	int64_t revs[8];
	char ops[8][16];
};

static int
collect_rev(int64_t revision, const char *op, const char *actor, int64_t at, const char *doc,
            void *arg)
{
	struct history *h = arg;
	char want[64];

	snprintf(want, sizeof(want), "{\"revision\":%lld}", (long long)revision);
	if (strcmp(actor, "actor-id") != 0 || at != NOW + revision || strcmp(doc, want) != 0)
		return -1;
	if (h->n < 8) {
		h->revs[h->n] = revision;
		strlcpy(h->ops[h->n], op, sizeof(h->ops[0]));
	}
	h->n++;
	return 0;
}

static void
revisions(void **state)
{
	struct rev r3 = {"poc-a", 3, "delete"}, r1 = {"poc-a", 1, "create"},
	           r2 = {"poc-a", 2, "update"}, other = {"poc-b", 1, "create"};
	struct history h = {0};

	assert_int_equal(run(st(state), insert_rev, &r3, false), POCD_OK);
	assert_int_equal(run(st(state), insert_rev, &r1, false), POCD_OK);
	assert_int_equal(run(st(state), insert_rev, &r2, false), POCD_OK);
	assert_int_equal(run(st(state), insert_rev, &other, false), POCD_OK);
	assert_int_equal(run(st(state), insert_rev, &r2, false), POCD_ECONFLICT);
	assert_int_equal(store_poc_history(rd(state), "poc-a", collect_rev, &h), POCD_OK);
	assert_int_equal(h.n, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(h.revs[i], i + 1);
	assert_string_equal(h.ops[0], "create");
	assert_string_equal(h.ops[1], "update");
	assert_string_equal(h.ops[2], "delete");
	memset(&h, 0, sizeof(h));
	assert_int_equal(store_poc_history(rd(state), "poc-none", collect_rev, &h), POCD_OK);
	assert_int_equal(h.n, 0);
}

static enum pocd_err
append_event(struct store_conn *w, void *arg)
{
	return store_event_append(w, arg, NOW);
}

static void
events(void **state)
{
	struct event e1 = {.type = "poc.created",
	                   .actor_account = "acc",
	                   .actor_state = "FRA",
	                   .states = "FRA",
	                   .object_id = "obj",
	                   .details = "{\"x\":1}"};
	struct event e2 = {.type = "state.participation"}; /* the system, no details */
	int64_t n = -1;

	assert_int_equal(store_events_count(rd(state), NULL, &n), POCD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(run(st(state), append_event, &e1, false), POCD_OK);
	assert_int_equal(run(st(state), append_event, &e1, false), POCD_OK);
	assert_int_equal(run(st(state), append_event, &e2, false), POCD_OK);
	assert_int_equal(store_events_count(rd(state), "poc.created", &n), POCD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_events_count(rd(state), "state.participation", &n), POCD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_events_count(rd(state), "poc.deleted", &n), POCD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_events_count(rd(state), NULL, &n), POCD_OK);
	assert_int_equal(n, 3);
}

/* ---- group commit ---- */

struct batch {
	pthread_mutex_t lk;
	pthread_cond_t cv;
	bool open;   /* the gate job may return */
	size_t done; /* jobs whose done ran */
};

struct batch_job {
	struct store_job job; /* first */
	struct batch *b;
	struct state_rec rec;
	enum pocd_err result; /* what run returns after writing */
	bool gate;            /* waits for the gate to open before running */
	enum pocd_err status;
};

static enum pocd_err
batch_run(struct store_conn *w, struct store_job *j)
{
	struct batch_job *bj = (struct batch_job *)j;
	enum pocd_err err;

	if (bj->gate) {
		pthread_mutex_lock(&bj->b->lk);
		while (!bj->b->open)
			pthread_cond_wait(&bj->b->cv, &bj->b->lk);
		pthread_mutex_unlock(&bj->b->lk);
	}
	err = store_state_put(w, &bj->rec);
	if (err != POCD_OK)
		return err;
	j->directory_changed = true;
	return bj->result;
}

static void
batch_done(struct store_job *j, enum pocd_err status)
{
	struct batch_job *bj = (struct batch_job *)j;

	pthread_mutex_lock(&bj->b->lk);
	bj->status = status;
	bj->b->done++;
	pthread_cond_broadcast(&bj->b->cv);
	pthread_mutex_unlock(&bj->b->lk);
}

static void
group_commit(void **state)
{
	static const char *const codes[] = {"AAA", "BBB", "CCC", "DDD", "EEE"};
	static const enum pocd_err results[] = {POCD_OK, POCD_OK, POCD_EINVAL, POCD_OK,
	                                        POCD_EFORBIDDEN};
	struct batch b = {.lk = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	struct batch_job jobs[5];
	struct store_stats stats;
	struct state_rec got;
	uint64_t gen0 = store_directory_generation(st(state));
	char alpha2[3];

	memset(jobs, 0, sizeof(jobs));
	for (size_t i = 0; i < 5; i++) {
		jobs[i].job.run = batch_run;
		jobs[i].job.done = batch_done;
		jobs[i].b = &b;
		jobs[i].result = results[i];
		jobs[i].gate = i == 0;
		snprintf(alpha2, sizeof(alpha2), "%c%c", 'A' + (int)i, 'A' + (int)i);
		state_rec(&jobs[i].rec, codes[i], alpha2, codes[i], true);
	}
	/* The first job holds the writer until the others queue up behind it. */
	assert_int_equal(store_submit(st(state), &jobs[0].job), POCD_OK);
	for (size_t i = 1; i < 5; i++)
		assert_int_equal(store_submit(st(state), &jobs[i].job), POCD_OK);
	pthread_mutex_lock(&b.lk);
	b.open = true;
	pthread_cond_broadcast(&b.cv);
	while (b.done < 5)
		pthread_cond_wait(&b.cv, &b.lk);
	pthread_mutex_unlock(&b.lk);

	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(jobs[i].status, results[i]);
		assert_int_equal(store_state_get(rd(state), codes[i], &got),
		                 results[i] == POCD_OK ? POCD_OK : POCD_ENOTFOUND);
	}
	store_get_stats(st(state), &stats);
	assert_true(stats.max_batch >= 4);
	assert_true(stats.jobs >= 5);
	assert_true(stats.commits >= 1);
	assert_true(stats.db_bytes > 0);
	assert_true(store_directory_generation(st(state)) > gen0);
	pthread_mutex_destroy(&b.lk);
	pthread_cond_destroy(&b.cv);
}

static enum pocd_err
noop(struct store_conn *w, void *arg)
{
	return POCD_OK;
}

static enum pocd_err
refuse(struct store_conn *w, void *arg)
{
	return POCD_EINVAL;
}

static void
generation(void **state)
{
	uint64_t g = store_directory_generation(st(state));

	assert_int_equal(run(st(state), noop, NULL, false), POCD_OK);
	assert_int_equal(store_directory_generation(st(state)), g);
	assert_int_equal(run(st(state), noop, NULL, true), POCD_OK);
	assert_int_equal(store_directory_generation(st(state)), g + 1);
	/* A failed job changed nothing, whatever it said. */
	assert_int_equal(run(st(state), refuse, NULL, true), POCD_EINVAL);
	assert_int_equal(store_directory_generation(st(state)), g + 1);
	assert_int_equal(run(st(state), noop, NULL, true), POCD_OK);
	assert_int_equal(store_directory_generation(st(state)), g + 2);
}

/* ---- files ---- */

static enum pocd_err
put_meta(struct store_conn *w, void *arg)
{
	return store_meta_put(w, "greeting", arg);
}

static void
reopen(void **state)
{
	struct fixture *f = *state;
	struct poc *p = calloc(1, sizeof(*p)), *got = calloc(1, sizeof(*got));
	struct state_rec sr;
	char msg[256], value[32];

	assert_non_null(p);
	assert_non_null(got);
	assert_true(store_is_test(f->s));
	add_state(state, "FRA", "FR", "France", true);
	make_poc(p, "FRA", POC_TECHNICAL, POC_PRIMARY, "CERT-FR", "fr");
	add_poc(state, p);
	assert_int_equal(run(f->s, put_meta, "hello", false), POCD_OK);
	assert_int_equal(run(f->s, put_meta, "bonjour", false), POCD_OK);
	assert_int_equal(store_meta_get(rd(state), "greeting", value, sizeof(value)), POCD_OK);
	assert_string_equal(value, "bonjour");
	assert_int_equal(store_meta_get(rd(state), "missing", value, sizeof(value)),
	                 POCD_ENOTFOUND);

	store_close(f->s);
	f->s = NULL;
	assert_int_equal(store_create(f->path, true, msg, sizeof(msg)), POCD_ECONFLICT);
	assert_int_equal(store_open(f->path, &f->s, msg, sizeof(msg)), POCD_OK);
	assert_true(store_is_test(f->s));
	assert_int_equal(store_state_get(rd(state), "FRA", &sr), POCD_OK);
	assert_true(sr.participating);
	assert_int_equal(store_poc_get(rd(state), p->id, got), POCD_OK);
	assert_poc_equal(got, p);
	assert_int_equal(store_meta_get(rd(state), "greeting", value, sizeof(value)), POCD_OK);
	assert_string_equal(value, "bonjour");
	free(p);
	free(got);
}

static void
open_errors(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	char path[128], msg[256];

	snprintf(path, sizeof(path), "%s/missing.db", f->dir);
	assert_int_equal(store_open(path, &s, msg, sizeof(msg)), POCD_ENOTFOUND);
	assert_null(s);
	assert_true(strlen(msg) > 0);
	snprintf(path, sizeof(path), "%s/no/such/dir.db", f->dir);
	assert_int_not_equal(store_create(path, false, msg, sizeof(msg)), POCD_OK);

	/* A production database says so. */
	snprintf(path, sizeof(path), "%s/prod.db", f->dir);
	assert_int_equal(store_create(path, false, msg, sizeof(msg)), POCD_OK);
	assert_int_equal(store_open(path, &s, msg, sizeof(msg)), POCD_OK);
	assert_false(store_is_test(s));
	store_close(s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/prod.db-wal", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/prod.db-shm", f->dir);
	unlink(path);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(states),       T(accounts),     T(sessions),  T(enrolments),
	    T(pocs_crud),    T(pocs_listing), T(revisions), T(events),
	    T(group_commit), T(generation),   T(reopen),    T(open_errors),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
