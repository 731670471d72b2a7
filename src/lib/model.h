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
	bool second_factor; /* the account has a TOTP key enrolled */
	/* An API key acting for its state: its id and scopes (APIKEY_SCOPE_ bits, core/apikeys.h);
	 * key_id is "" for a login session. */
	char key_id[ID_SIZE];
	unsigned scopes;
};

/* An API key as listed: never its secret. */
struct apikey {
	char id[ID_SIZE];
	char state[STATE_SIZE];
	char name[TEXT_SIZE];
	unsigned scopes;
	char created_by[ID_SIZE];
	int64_t created_at;
	int64_t expires_at;
	int64_t last_used_at; /* 0: never */
};

#define WEBHOOK_URL_MAX 512

/* A webhook as listed: never its secret. */
struct webhook {
	char id[ID_SIZE];
	char state[STATE_SIZE];
	char url[WEBHOOK_URL_MAX + 1];
	unsigned events; /* WEBHOOK_EV_ bits (core/webhooks.h) */
	char created_by[ID_SIZE];
	int64_t created_at;
};

/* One webhook delivery, as the delivery log shows it. */
struct webhook_delivery {
	char id[ID_SIZE]; /* the event's id, the same on every attempt */
	char event[32];
	char ref_id[ID_SIZE];
	int attempts;
	int http_status; /* 0: no answer yet */
	char error[256];
	int64_t created_at, tried_at, sent_at, failed_at, next_try; /* 0: not (yet) */
};

/* One-time links share a table: an enrolment makes an account; a recovery link sets a new
 * password on the account target; a re-enrolment is the Secretariat's link for a new
 * state_admin of a state that has one already. */
enum enrolment_kind { ENROL_NEW, ENROL_RESET, ENROL_REENROL };

struct enrolment {
	char id[ID_SIZE];
	char state[STATE_SIZE];
	enum role role;
	enum enrolment_kind kind;
	char target[ID_SIZE]; /* ENROL_RESET: the account it recovers; "" otherwise */
	char created_by[ID_SIZE];
	int64_t created_at;
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
	char review_by[11];   /* "" when not given */
	int64_t confirmed_at; /* the last time its state confirmed or changed it */
	int64_t revision;
	int64_t created_at;
	int64_t updated_at;
	int64_t email_changed_at; /* the last applied change of email or key; 0 for never */
	int64_t key_changed_at;
};

enum poc_change_status {
	POC_CHANGE_PENDING,
	POC_CHANGE_APPLIED,
	POC_CHANGE_CANCELLED,
	POC_CHANGE_REPLACED /* by a newer proposal for the same field */
};

/* A proposed change of a PoC's e-mail and/or OpenPGP key, waiting for a second state_admin. */
struct poc_change {
	char id[ID_SIZE];
	char poc_id[ID_SIZE];
	char state[STATE_SIZE];
	char email[EMAIL_SIZE];     /* the new address; "" when the address does not change */
	bool key_change;            /* whether the key changes */
	char fingerprint[FPR_SIZE]; /* with key_change: the new fingerprint, "" to remove it */
	bool has_armored;    /* with key_change: an armored key comes with it (stored apart) */
	int64_t key_expires; /* its expiry, 0 for never */
	char proposed_by[ID_SIZE];
	int64_t created_at;
	int64_t effective_at; /* when it applies by itself (a state with one admin); 0: never */
	enum poc_change_status status;
	char decided_by[ID_SIZE]; /* who confirmed, cancelled or replaced it; "" by itself */
	int64_t decided_at;
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

enum comm_status { COMM_SENT, COMM_ACKNOWLEDGED, COMM_ANSWERED, COMM_CLOSED };

#define COMM_MAX_RECIPIENTS 16
#define KIND_BIT(k)         (1u << (k)) /* a set of enum poc_kind */

/* One addressed state of a communication, with its place in the lifecycle. */
struct comm_recipient {
	char state[STATE_SIZE];
	unsigned kinds; /* KIND_BIT()s of the PoCs addressed */
	enum comm_status status;
	bool ack_late;    /* the acknowledgement deadline passed first */
	bool answer_late; /* the answer deadline passed first */
	int escalation;   /* 0: as addressed; 1: alternate technical PoC; 2: diplomatic PoC */
	int64_t ack_due;
	int64_t answer_due;
	int64_t next_due; /* when the scheduler must look at it again; 0 for never */
	int64_t acknowledged_at, answered_at, closed_at; /* 0 until then */
};

/* A communication: its coded header, its content as canonical JSON text, its recipients. */
struct comm {
	char id[ID_SIZE];
	char sender_state[STATE_SIZE];
	char sender_account[ID_SIZE];
	char type[32];
	char urgency[16];
	char tlp[16];
	int template_version;
	bool open_distribution;
	char *content; /* subject, description and the optional fields; owned, free() */
	int64_t created_at;
	size_t nrecipients;
	struct comm_recipient r[COMM_MAX_RECIPIENTS];
};

/* One step in a recipient's history: sent, acknowledged, answered, closed, overdue,
 * escalated. */
struct comm_step {
	char state[STATE_SIZE];
	char what[24];
	char actor_account[ID_SIZE]; /* "" for the scheduler */
	char actor_state[STATE_SIZE];
	int64_t at;
	char detail[64];
	char event_id[ID_SIZE]; /* its event, "" for steps older than the log */
};

struct comm_reply {
	char id[ID_SIZE];
	char thread[STATE_SIZE]; /* the recipient state whose thread holds it */
	char author_account[ID_SIZE];
	char author_state[STATE_SIZE];
	char *body; /* {"text", "lang", "indicators"?} as canonical JSON; owned, free() */
	int64_t at;
};

/* What a list of communications asks for. */
struct comm_filter {
	char state[STATE_SIZE]; /* the caller's state */
	bool outbox;            /* sent by state, else received by it */
	int status;             /* -1 for any, else enum comm_status */
	bool overdue_only;
	int64_t before_at;       /* keyset cursor: created before (at, id) ... */
	char before_id[ID_SIZE]; /* ... "" for the first page */
	size_t limit;
};

#define PING_MAX_REMINDERS 4
#define CHALLENGE_SIZE     7 /* six symbols */
#define STATES_SCOPE_SIZE  (193 * 4 + 1)

/* A ping test campaign, as the Secretariat launched it. */
struct ping_campaign {
	char id[ID_SIZE];
	char created_by[ID_SIZE];
	int64_t created_at;
	char scope[STATES_SCOPE_SIZE]; /* "all" or comma-separated state codes */
	unsigned kinds;                /* KIND_BIT()s */
	int64_t due;                   /* the window closes */
	int64_t grace_end;             /* links and late answers until then */
	size_t nreminders;
	int64_t reminders[PING_MAX_REMINDERS]; /* seconds before due */
	bool challenge;
	bool filling; /* its pings are still being made, chunk by chunk */
};

enum ping_channel { PING_OPEN, PING_APP, PING_LINK };

/* One ping: one PoC, one challenge, one single-use link. */
struct ping {
	char id[ID_SIZE];
	char campaign[ID_SIZE];
	char poc_id[ID_SIZE];
	char state[STATE_SIZE];
	enum poc_kind kind;
	char lang[3];                   /* the UN language the PoC reads the challenge in */
	char challenge[CHALLENGE_SIZE]; /* "" without a challenge */
	int64_t created_at;
	int64_t due;
	int64_t grace_end;
	int64_t next_due; /* the next reminder, or the grace end while unanswered; 0 for none */
	int reminders_sent;
	int64_t answered_at; /* 0 while open */
	enum ping_channel channel;
	char answered_by[ID_SIZE]; /* "" by link */
	bool correct;
	bool late;
	bool task_opened; /* unanswered or wrong: a correction task was opened */
};

struct ping_filter {
	char state[STATE_SIZE]; /* "" for every state */
	char account[ID_SIZE];  /* only the pings of PoCs this account acts for; "" for all */
	char campaign[ID_SIZE]; /* "" for every campaign */
	int status;             /* -1 any; 0 open, 1 answered, 2 late, 3 unanswered */
	int64_t now;            /* for status */
	char after_id[ID_SIZE]; /* keyset cursor, "" first */
	size_t limit;
};

/* A correction task for a state's administrators. */
struct task {
	char id[ID_SIZE];
	char state[STATE_SIZE];
	char poc_id[ID_SIZE];
	char kind[24]; /* ping_unanswered, ping_wrong */
	char ping_id[ID_SIZE];
	int64_t created_at;
	int64_t closed_at;
	char closed_reason[24]; /* changed, confirmed, removed */
};

/* One row of the events table, appended in the transaction of the change it records. */
struct event {
	const char *type;          /* "poc.created", "account.enrolled", ... */
	const char *actor_account; /* NULL for the system */
	const char *actor_state;   /* NULL for the Secretariat and the system */
	const char *states;        /* the states concerned, comma-separated */
	const char *object_id;
	const char *details;    /* JSON text, "{}" when nothing more */
	const char *id;         /* NULL: the store makes one */
	const char *actor_role; /* for the log; NULL for the system */
	const char *content;    /* what the log commits to; NULL: details */
};

/* One leaf of the log as stored: its own columns and those of its event, from which its
 * text is rebuilt. */
struct log_leaf {
	int64_t index;
	char event_id[ID_SIZE];
	char party[STATE_SIZE + 1];
	char salt[33];       /* hex of 16 random bytes */
	char commitment[65]; /* hex of SHA-256(salt || content) */
	uint8_t hash[32];
	bool has_event; /* false: the event row is gone, and the fields below are empty */
	char type[48];
	int64_t at;
	char actor_account[ID_SIZE];
	char actor_role[24];
	char actor_state[STATE_SIZE];
	char object[48];
	int64_t log_index; /* the event's first leaf; -1 when the event says none */
	char states[STATES_SCOPE_SIZE];
};

#define ATTACH_NAME_MAX 128 /* bytes of an attachment's file name */
#define ATTACH_TYPE_MAX 127 /* bytes of its declared media type */
#define ATTACH_MAX      20  /* attachments per communication or reply */

/* A file uploaded as evidence. Unreferenced (comm_id "") it is its state's alone; once a
 * communication or a reply references it, it is that exchange's. */
struct attachment {
	char id[ID_SIZE];
	char sha256[65]; /* lowercase hex */
	int64_t size;
	char filename[ATTACH_NAME_MAX + 1];
	char media_type[ATTACH_TYPE_MAX + 1];
	char owner_state[STATE_SIZE];
	char uploader[ID_SIZE]; /* the account */
	int64_t created_at;
	char comm_id[ID_SIZE];   /* "" until referenced */
	char thread[STATE_SIZE]; /* a reply's thread; "" for the communication or all threads */
	bool reply;              /* referenced by a reply rather than by the communication */
};

#endif
