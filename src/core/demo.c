#include "core/demo.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/accounts.h"
#include "core/directory.h"
#include "core/states.h"
#include "lib/log.h"
#include "lib/timeutil.h"

/* Eight states with logins, from five UN regional groups. */
static const struct {
	const char *code, *lang, *tz;
} login_states[] = {
    {"FRA", "fr", "Europe/Paris"},  {"DEU", "de", "Europe/Berlin"},
    {"RUS", "ru", "Europe/Moscow"}, {"KEN", "sw", "Africa/Nairobi"},
    {"EGY", "ar", "Africa/Cairo"},  {"BRA", "pt", "America/Sao_Paulo"},
    {"JPN", "ja", "Asia/Tokyo"},    {"IND", "hi", "Asia/Kolkata"},
};

/* Number ranges set aside for drama and fiction: UK Ofcom 07700 900xxx, US 555-01xx,
 * France 01 99 00 xx xx, Australia 0491 570 xxx. */
static void
fiction_phone(size_t n, char out[PHONE_SIZE])
{
	switch (n % 4) {
	case 0:
		snprintf(out, PHONE_SIZE, "+447700900%03zu", n % 1000);
		break;
	case 1:
		snprintf(out, PHONE_SIZE, "+1202555%04zu", 100 + n % 100);
		break;
	case 2:
		snprintf(out, PHONE_SIZE, "+3319900%04zu", n % 10000);
		break;
	default:
		snprintf(out, PHONE_SIZE, "+61491570%03zu", n % 1000);
		break;
	}
}

struct demo {
	struct core *c;
	enum pocd_err err;
	size_t participating;
	size_t npocs;
	json_t *states; /* the credentials, by state */
};

static const char *
lang_of(const char *code)
{
	for (size_t i = 0; i < sizeof(login_states) / sizeof(login_states[0]); i++)
		if (strcmp(login_states[i].code, code) == 0)
			return login_states[i].lang;
	return NULL;
}

static const char *
tz_of(const char *code)
{
	for (size_t i = 0; i < sizeof(login_states) / sizeof(login_states[0]); i++)
		if (strcmp(login_states[i].code, code) == 0)
			return login_states[i].tz;
	return "UTC";
}

static enum pocd_err
add_poc(struct demo *d, const char *code, enum poc_kind kind, enum poc_rank rank, const char *acc1,
        const char *acc2)
{
	struct poc_op op;
	struct poc *p = &op.poc;
	char lower[4];
	const char *lang = lang_of(code);

	for (int i = 0; i < 4; i++)
		lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] - 'A' + 'a' : code[i]);
	memset(&op, 0, sizeof(op));
	op.kind = POC_CREATE;
	op.now = core_now(d->c);
	op.actor.role = ROLE_STATE_ADMIN;
	memcpy(op.actor.state, code, STATE_SIZE);
	memcpy(p->state, code, STATE_SIZE);
	p->kind = kind;
	p->rank = rank;
	if (kind == POC_TECHNICAL) {
		snprintf(p->organisation, sizeof(p->organisation), "CERT-%s (fictional)", code);
		strlcpy(p->role_title, rank == POC_PRIMARY ? "Duty officer" : "Deputy duty officer",
		        sizeof(p->role_title));
		snprintf(p->email, sizeof(p->email), "%s@cert-%s.example",
		         rank == POC_PRIMARY ? "duty" : "deputy", lower);
		strlcpy(p->availability, "\"24/7\"", sizeof(p->availability));
	} else {
		snprintf(p->organisation, sizeof(p->organisation),
		         "Ministry of Foreign Affairs of %s (fictional)", code);
		strlcpy(p->role_title,
		        rank == POC_PRIMARY ? "Cyber diplomacy focal point"
		                            : "Alternate focal point",
		        sizeof(p->role_title));
		snprintf(p->email, sizeof(p->email), "%s@mfa-%s.example",
		         rank == POC_PRIMARY ? "cyber" : "cyber-alt", lower);
		strlcpy(p->availability,
		        "{\"weekly\":[{\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],"
		        "\"from\":\"09:00\",\"to\":\"17:00\"}]}",
		        sizeof(p->availability));
	}
	snprintf(p->person_name, sizeof(p->person_name), "%s %s Example",
	         kind == POC_TECHNICAL ? "Alex" : "Sam",
	         rank == POC_PRIMARY ? "Primary" : "Alternate");
	fiction_phone(d->npocs, p->phones[0]);
	p->nphones = 1;
	p->nlangs = 0;
	if (lang != NULL && strcmp(lang, "en") != 0)
		strlcpy(p->languages[p->nlangs++], lang, 3);
	strlcpy(p->languages[p->nlangs++], "en", 3);
	strlcpy(p->time_zone, tz_of(code), sizeof(p->time_zone));
	strlcpy(p->review_by, "2027-11-30", sizeof(p->review_by));
	if (acc1 != NULL)
		strlcpy(p->accounts[p->naccounts++], acc1, ID_SIZE);
	if (acc2 != NULL)
		strlcpy(p->accounts[p->naccounts++], acc2, ID_SIZE);
	d->npocs++;
	return directory_apply_sync(d->c, &op);
}

static enum pocd_err
add_login(struct demo *d, json_t *creds, const char *code, const char *slot, enum role role,
          struct account *out)
{
	char user[USERNAME_MAX + 1], pw[TOKEN_SIZE];
	enum pocd_err err;

	snprintf(user, sizeof(user), "%c%c%c-%s", code[0] | 0x20, code[1] | 0x20, code[2] | 0x20,
	         slot);
	rand_token(pw);
	pw[20] = '\0';
	err = accounts_create_sync(d->c, user, pw, role, code, out);
	if (err == POCD_OK)
		json_object_set_new(creds, slot,
		                    json_pack("{s:s,s:s}", "username", user, "password", pw));
	sodium_memzero(pw, sizeof(pw));
	return err;
}

struct part_job {
	struct store_job job;
	const char *code;
};

static enum pocd_err
part_run(struct store_conn *w, struct store_job *j)
{
	struct part_job *pj = (struct part_job *)j;
	int64_t now = now_s();
	struct event ev = {.type = "state.participation",
	                   .states = pj->code,
	                   .object_id = pj->code,
	                   .details = "{\"participating\":true}"};
	enum pocd_err err = store_state_set_participation(w, pj->code, true, now);

	j->directory_changed = true;
	return err != POCD_OK ? err : store_event_append(w, &ev, now);
}

static void
demo_state(const struct state_rec *st, size_t index, void *arg)
{
	struct demo *d = arg;
	struct part_job pj = {.job.run = part_run, .code = st->code};
	bool logins = lang_of(st->code) != NULL;
	struct account admin, admin2, officer;
	json_t *creds = NULL;

	/* Every state whose place in the list is 2 or 5 modulo 9 stays out: about 150 in. */
	if (d->err != POCD_OK || (!logins && (index % 9 == 2 || index % 9 == 5)))
		return;
	d->err = store_run_sync(d->c->store, &pj.job);
	if (d->err != POCD_OK)
		return;
	d->participating++;
	if (logins) {
		creds = json_object();
		json_object_set_new(d->states, st->code, creds);
		d->err = add_login(d, creds, st->code, "admin", ROLE_STATE_ADMIN, &admin);
		if (d->err == POCD_OK)
			d->err = add_login(d, creds, st->code, "admin2", ROLE_STATE_ADMIN, &admin2);
		if (d->err == POCD_OK)
			d->err = add_login(d, creds, st->code, "officer", ROLE_OFFICER, &officer);
		if (d->err != POCD_OK)
			return;
	}
	d->err = add_poc(d, st->code, POC_DIPLOMATIC, POC_PRIMARY, logins ? admin.id : NULL,
	                 logins ? admin2.id : NULL);
	if (d->err == POCD_OK)
		d->err = add_poc(d, st->code, POC_TECHNICAL, POC_PRIMARY,
		                 logins ? officer.id : NULL, NULL);
	if (d->err == POCD_OK)
		d->err = add_poc(d, st->code, POC_TECHNICAL, POC_ALTERNATE, NULL, NULL);
	if (d->err == POCD_OK && index % 2 == 0)
		d->err = add_poc(d, st->code, POC_DIPLOMATIC, POC_ALTERNATE, NULL, NULL);
}

static int
write_creds(const char *path, json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int fd = -1, rc = -1;
	size_t len;

	if (text == NULL)
		return -1;
	len = strlen(text);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		goto out;
	if (fchmod(fd, 0600) != 0 || write(fd, text, len) != (ssize_t)len ||
	    write(fd, "\n", 1) != 1)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	sodium_memzero(text, len);
	free(text);
	return rc;
}

enum pocd_err
demo_populate(struct core *c, const char *cred_path, const char *secretariat_user,
              const char *secretariat_password)
{
	struct demo d = {.c = c};
	json_t *root;

	d.states = json_object();
	root = json_pack("{s:{s:s,s:s},s:o}", "secretariat", "username", secretariat_user,
	                 "password", secretariat_password, "states", d.states);
	if (root == NULL)
		return POCD_ENOMEM;
	states_each(demo_state, &d);
	if (d.err == POCD_OK && write_creds(cred_path, root) != 0) {
		log_info("cannot write %s: %s", cred_path, strerror(errno));
		d.err = POCD_ESTORE;
	}
	if (d.err == POCD_OK)
		log_info("demo: %zu participating states, %zu PoCs, logins in %s", d.participating,
		         d.npocs, cred_path);
	json_decref(root);
	return d.err;
}
