/* Plain records passed between core and store: no behaviour, no pointers to own. */
#ifndef POCD_LIB_MODEL_H
#define POCD_LIB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/rand.h"

#define STATE_SIZE       4 /* "FRA" */
#define USERNAME_MAX     64
#define TEXT_MAX         200                /* organisation, role title, person name: characters */
#define TEXT_SIZE        (TEXT_MAX * 4 + 1) /* in UTF-8 bytes */
#define EMAIL_SIZE       255
#define PHONE_SIZE       17 /* "+" and up to 15 digits */
#define TZ_SIZE          65
#define AVAIL_SIZE       1024 /* the canonical JSON text of an availability */
#define FPR_SIZE         41
#define POC_MAX_PHONES   8
#define POC_MAX_LANGS    8
#define POC_MAX_ACCOUNTS 16
#define NLANGS           6 /* the UN languages, in the order of un_langs[] */
#define NAME_SIZE        256
#define SORTKEY_SIZE     48 /* kind, rank digit and id: a listing's order within a state */

enum role { ROLE_SECRETARIAT, ROLE_STATE_ADMIN, ROLE_OFFICER };
enum poc_kind { POC_DIPLOMATIC, POC_TECHNICAL };
enum poc_rank { POC_PRIMARY, POC_ALTERNATE };

struct state_rec {
	char code[STATE_SIZE];
	char alpha2[3];
	char names[NLANGS][NAME_SIZE]; /* ar, zh, en, fr, ru, es */
	bool participating;
	int64_t participating_since; /* 0 when not participating */
};

struct account {
	char id[ID_SIZE];
	char username[USERNAME_MAX + 1];
	enum role role;
	char state[STATE_SIZE]; /* "" for the Secretariat */
	bool disabled;
	int64_t created_at;
};

/* Who is calling: an authenticated account with what authorization needs of it. */
struct principal {
	char account_id[ID_SIZE];
	char username[USERNAME_MAX + 1];
	enum role role;
	char state[STATE_SIZE];
	bool participating; /* the account's state takes part (always true for the Secretariat) */
};

struct enrolment {
	char id[ID_SIZE];
	char state[STATE_SIZE];
	enum role role;
	char created_by[ID_SIZE];
	int64_t expires_at;
	int64_t used_at;
};

struct poc {
	char id[ID_SIZE];
	char state[STATE_SIZE];
	enum poc_kind kind;
	enum poc_rank rank;
	char organisation[TEXT_SIZE];
	char role_title[TEXT_SIZE];
	char person_name[TEXT_SIZE]; /* "" when not given */
	char email[EMAIL_SIZE];
	size_t nphones;
	char phones[POC_MAX_PHONES][PHONE_SIZE];
	size_t nlangs;
	char languages[POC_MAX_LANGS][3];
	char time_zone[TZ_SIZE];
	char availability[AVAIL_SIZE];
	char pgp_fingerprint[FPR_SIZE]; /* "" when not given */
	size_t naccounts;
	char accounts[POC_MAX_ACCOUNTS][ID_SIZE];
	char review_by[11]; /* "" when not given */
	int64_t revision;
	int64_t created_at;
	int64_t updated_at;
};

/* What a directory listing asks for; empty strings mean "any". */
struct poc_filter {
	char state[STATE_SIZE];
	int kind; /* -1 for any, else enum poc_kind */
	char lang[3];
	char q[TEXT_SIZE];
	char after_state[STATE_SIZE]; /* keyset cursor: rows after (state, sortkey) */
	char after_key[SORTKEY_SIZE];
	size_t limit;
};

/* One row of the events table, appended in the transaction of the change it records. */
struct event {
	const char *type;          /* "poc.created", "account.enrolled", ... */
	const char *actor_account; /* NULL for the system */
	const char *actor_state;   /* NULL for the Secretariat and the system */
	const char *states;        /* the states concerned, comma-separated */
	const char *object_id;
	const char *details; /* JSON text, "{}" when nothing more */
};

#endif
