#include "mail/worker.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "core/notify.h"
#include "core/webhooks.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "mail/mime.h"
#include "mail/pgp.h"
#include "mail/render.h"
#include "store/store.h"

#define POLL_MS       500 /* how often an idle sender looks for new rows */
#define STORE_RETRY_S 5   /* after a database error */

int64_t
mail_retry_delay(int64_t base, int attempts)
{
	int64_t d = base;

	for (int i = 1; i < attempts && d < MAIL_RETRY_MAX_DELAY; i++)
		d *= 2;
	return d < MAIL_RETRY_MAX_DELAY ? d : MAIL_RETRY_MAX_DELAY;
}

/* Waits up to ms for SIGTERM or SIGINT; true when one came. */
static bool
wait_signal(const sigset_t *set, long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	return sigtimedwait(set, NULL, &ts) > 0;
}

static void
tell_parent(const struct mail_worker_config *cfg)
{
	if (cfg->notify_fd >= 0 && write(cfg->notify_fd, "t", 1) < 0)
		log_info("mail: cannot tell pocd that a correction task is owed: %s",
		         strerror(errno));
}

/* A message that will never go out. A correction task is owed for an address that cannot be
 * reached, except for mail about a task (which would only open another). */
static enum pocd_err
give_up(struct store_conn *c, const struct mail_worker_config *cfg, const struct outbox_msg *m,
        int attempts, const char *why, bool address)
{
	bool owe = address && strcmp(m->kind, MAIL_TASK) != 0;
	enum pocd_err err = store_outbox_failed(c, m->id, attempts, now_s(), why, owe);

	log_info("mail: %s to PoC %s failed for good: %s", m->id, m->poc_id, why);
	if (err == POCD_OK && owe)
		tell_parent(cfg);
	return err;
}

static enum pocd_err
retry_later(struct store_conn *c, const struct mail_worker_config *cfg, const struct outbox_msg *m,
            int attempts, const char *why)
{
	int64_t delay = mail_retry_delay(cfg->retry_base, attempts);

	if (attempts >= MAIL_MAX_ATTEMPTS)
		return give_up(c, cfg, m, attempts, why, false);
	log_info("mail: %s to PoC %s: %s; retry %d in %llds", m->id, m->poc_id, why, attempts,
	         (long long)delay);
	return store_outbox_retry(c, m->id, attempts, now_s() + delay, why);
}

/* The text of a mail only the PoC can read: body, then the content of the communication it is
 * about (for mail of other kinds, body alone). *out is malloc'd; the caller wipes and frees
 * it. The plain mail's body is left as it is, so no content reaches a mail sent in clear. */
static enum pocd_err
sealed_text(struct store_conn *c, const struct outbox_msg *m, const struct mail_text *text,
            char **out)
{
	struct comm cm = {.content = NULL};
	char *extra = NULL;
	size_t n;
	enum pocd_err err = POCD_OK;

	*out = NULL;
	if (strcmp(m->kind, MAIL_COMM_NEW) == 0 || strcmp(m->kind, MAIL_COMM_ESCALATED) == 0 ||
	    strcmp(m->kind, MAIL_COMM_OVERDUE) == 0) {
		err = store_comm_get(c, m->ref_id, &cm);
		if (err == POCD_OK) {
			extra = mail_render_content(text->lang, cm.sender_state, cm.type,
			                            cm.urgency, cm.tlp, cm.content);
			if (extra == NULL)
				err = POCD_ENOMEM;
		} else if (err == POCD_ENOTFOUND) {
			err = POCD_OK; /* the notice alone */
		}
	}
	if (err == POCD_OK) {
		n = strlen(text->body) + (extra != NULL ? strlen(extra) : 0) + 1;
		*out = malloc(n);
		if (*out != NULL)
			snprintf(*out, n, "%s%s", text->body, extra != NULL ? extra : "");
		else
			err = POCD_ENOMEM;
	}
	if (extra != NULL) {
		sodium_memzero(extra, strlen(extra));
		free(extra);
	}
	if (cm.content != NULL) {
		sodium_memzero(cm.content, strlen(cm.content));
		free(cm.content);
	}
	return err;
}

/* The mail's text encrypted to the PoC's key, when one is attached under the fingerprint the
 * entry names; *cipher stays NULL otherwise, and when the key cannot be used (then the plain
 * mail, which holds no content, goes). POCD_EUNAVAILABLE when gpg failed: try again later. */
static enum pocd_err
encrypt_for(struct store_conn *c, struct pgp *pgp, const struct outbox_msg *m,
            const struct poc *poc, const struct mail_text *text, char **cipher, char *why,
            size_t whylen)
{
	char fpr[FPR_SIZE], *armored = NULL, *entity = NULL, *sealed = NULL;
	size_t elen = 0, clen = 0;
	enum pocd_err err;

	*cipher = NULL;
	if (pgp == NULL || poc->pgp_fingerprint[0] == '\0')
		return POCD_OK;
	err = store_poc_key_get(c, poc->id, fpr, &armored);
	if (err == POCD_ENOTFOUND || (err == POCD_OK && strcmp(fpr, poc->pgp_fingerprint) != 0)) {
		free(armored);
		return POCD_OK;
	}
	if (err == POCD_OK)
		err = sealed_text(c, m, text, &sealed);
	if (err == POCD_OK)
		err = mime_entity(text->lang, sealed, &entity, &elen);
	if (err == POCD_OK)
		err = pgp_encrypt(pgp, armored, fpr, entity, elen, cipher, &clen, why, whylen);
	if (err == POCD_EINVAL) {
		log_info("mail: to PoC %s in clear: %s", poc->id, why);
		err = POCD_OK;
	}
	if (entity != NULL) {
		sodium_memzero(entity, elen);
		free(entity);
	}
	if (sealed != NULL) {
		sodium_memzero(sealed, strlen(sealed));
		free(sealed);
	}
	free(armored);
	return err;
}

/* A broadcast's mail: its texts are read here, as the payload only names it. */
static enum pocd_err
broadcast_mail(struct store_conn *c, const struct mail_worker_config *cfg,
               const struct outbox_msg *m, struct mail_text *text, char *why, size_t whylen)
{
	json_t *p = json_loads(m->payload, 0, NULL);
	const char *id = json_string_value(json_object_get(p, "broadcast"));
	char *texts = NULL;
	enum pocd_err err = id != NULL ? store_broadcast_get(c, id, &texts) : POCD_ENOTFOUND;

	if (err == POCD_OK)
		err = mail_render_broadcast(m->lang, texts, cfg->public_url, text, why, whylen);
	else if (err == POCD_ENOTFOUND) {
		snprintf(why, whylen, "the broadcast it names does not exist");
		err = POCD_EINVAL;
	}
	free(texts);
	json_decref(p);
	return err;
}

/* One webhook event: post it signed with its webhook's secret, record the outcome. */
static enum pocd_err
deliver_webhook(struct store_conn *c, const struct mail_worker_config *cfg,
                const struct outbox_msg *m)
{
	struct webhook h;
	char secret[TOKEN_SIZE], why[512];
	json_t *p;
	const char *event;
	int attempts = m->attempts + 1, status = 0;
	int64_t now = now_s();
	enum webhook_result res;
	enum pocd_err err = store_webhook_get(c, m->poc_id, NULL, &h, secret);

	if (err == POCD_ENOTFOUND)
		return store_outbox_failed(c, m->id, attempts, now, "the webhook was deleted",
		                           false);
	if (err != POCD_OK)
		return err;
	p = json_loads(m->payload, 0, NULL);
	event = json_string_value(json_object_get(p, "type"));
	/* Into a header only a name it knows: the row is not trusted to be well formed. */
	if (event == NULL || webhook_event_parse(event) == 0)
		event = "";
	if (m->id[0] == '\0' ||
	    strspn(m->id, "0123456789abcdefghijklmnopqrstuvwxyz") != strlen(m->id)) {
		json_decref(p);
		sodium_memzero(secret, sizeof(secret));
		return store_outbox_failed(c, m->id, attempts, now, "a malformed outbox row",
		                           false);
	}
	res = webhook_post(&cfg->webhook, h.url, secret, event, m->id, m->payload, now, &status,
	                   why, sizeof(why));
	json_decref(p);
	sodium_memzero(secret, sizeof(secret));
	err = store_webhook_tried(c, m->id, attempts, status, now);
	if (err == POCD_OK && res == WEBHOOK_SENT)
		return store_outbox_sent(c, m->id, now);
	if (err != POCD_OK)
		return err;
	if (attempts >= MAIL_MAX_ATTEMPTS) {
		log_info("webhook: %s to %s failed for good: %s", m->id, h.id, why);
		return store_outbox_failed(c, m->id, attempts, now, why, false);
	}
	log_info("webhook: %s to %s: %s; retry %d", m->id, h.id, why, attempts);
	return store_outbox_retry(c, m->id, attempts,
	                          now + mail_retry_delay(cfg->retry_base, attempts), why);
}

/* One message: render, encrypt where a key is on file, build, send, record the outcome. */
static enum pocd_err
deliver(struct store_conn *c, const struct mail_worker_config *cfg, struct pgp *pgp,
        const struct outbox_msg *m)
{
	struct poc *poc = malloc(sizeof(*poc));
	struct mail_text text = {0};
	struct mime_in in;
	char why[512], msgid[ID_SIZE + MIME_ADDR_MAX + 2], *msg = NULL, *cipher = NULL;
	const char *domain = mime_addr_domain(cfg->smtp.from);
	enum smtp_result res;
	enum pocd_err err;
	size_t len = 0;
	int attempts = m->attempts + 1;

	if (poc == NULL)
		return POCD_ENOMEM;
	err = store_poc_get(c, m->poc_id, poc);
	if (err == POCD_ENOTFOUND) {
		err = give_up(c, cfg, m, attempts, "the PoC was removed", false);
		goto out;
	}
	if (err != POCD_OK)
		goto out;
	if (strcmp(m->kind, "broadcast") == 0)
		err = broadcast_mail(c, cfg, m, &text, why, sizeof(why));
	else
		err = mail_render(m->kind, m->lang, m->payload, cfg->public_url, &text, why,
		                  sizeof(why));
	if (err == POCD_EINVAL) {
		err = give_up(c, cfg, m, attempts, why, false);
		goto out;
	}
	if (err == POCD_OK)
		err = encrypt_for(c, pgp, m, poc, &text, &cipher, why, sizeof(why));
	if (err == POCD_EUNAVAILABLE) {
		err = retry_later(c, cfg, m, attempts, why);
		goto out;
	}
	if (err != POCD_OK)
		goto out;
	snprintf(msgid, sizeof(msgid), "%s@%s", m->id, domain[0] ? domain : "pocd.invalid");
	in = (struct mime_in){.from = cfg->smtp.from,
	                      .to = poc->email,
	                      .message_id = msgid,
	                      .date = m->created_at,
	                      .lang = text.lang,
	                      .subject = text.subject,
	                      .body = text.body,
	                      .pgp = cipher};
	err = mime_build(&in, &msg, &len);
	if (err == POCD_EINVAL) {
		err = give_up(c, cfg, m, attempts,
		              "the PoC's address cannot be written in a header", true);
		goto out;
	}
	if (err != POCD_OK)
		goto out;
	res = smtp_send(&cfg->smtp, poc->email, msg, len, why, sizeof(why));
	switch (res) {
	case SMTP_SENT:
		err = store_outbox_sent(c, m->id, now_s());
		break;
	case SMTP_REFUSED_ADDRESS:
	case SMTP_REFUSED_MESSAGE:
		err = give_up(c, cfg, m, attempts, why, res == SMTP_REFUSED_ADDRESS);
		break;
	case SMTP_RETRY:
		err = retry_later(c, cfg, m, attempts, why);
		break;
	}
out:
	if (msg != NULL) {
		sodium_memzero(msg, len);
		free(msg);
	}
	free(cipher);
	mail_text_free(&text);
	free(poc);
	return err;
}

/* One sending loop: the mail loop (every kind but webhook events; it alone has the keyring)
 * or the webhook loop (webhook events only), each on its own thread and connection so that a
 * slow receiver never holds up mail. The mail loop's thread takes the signals and tells the
 * other to stop. */
struct stop;

struct sender {
	const struct mail_worker_config *cfg;
	struct store_conn *c;
	struct pgp *pgp;      /* NULL in the webhook loop */
	bool webhooks;        /* this loop sends webhook events, and nothing else */
	const sigset_t *sigs; /* waited on by the signal-taking loop; NULL in the other */
	struct stop *stop;
};

struct stop {
	pthread_mutex_t lk;
	pthread_cond_t cv;
	bool now;
};

static void
stop_all(struct stop *st)
{
	pthread_mutex_lock(&st->lk);
	st->now = true;
	pthread_cond_broadcast(&st->cv);
	pthread_mutex_unlock(&st->lk);
}

/* Waits up to ms, less when told to stop; true when the loop is to stop. */
static bool
pause_ms(struct sender *s, long ms)
{
	struct timespec ts;
	bool stop;

	if (s->sigs != NULL) {
		if (wait_signal(s->sigs, ms))
			stop_all(s->stop);
		pthread_mutex_lock(&s->stop->lk);
		stop = s->stop->now;
		pthread_mutex_unlock(&s->stop->lk);
		return stop;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->stop->lk);
	while (!s->stop->now && pthread_cond_timedwait(&s->stop->cv, &s->stop->lk, &ts) == 0)
		;
	stop = s->stop->now;
	pthread_mutex_unlock(&s->stop->lk);
	return stop;
}

/* How long to sleep when nothing is due: until the next retry, at most POLL_MS. */
static long
idle_ms(struct sender *s)
{
	int64_t next = 0, now = now_s();

	if (store_outbox_next_try(s->c, WEBHOOK_OUTBOX, !s->webhooks, &next) != POCD_OK ||
	    next == 0 || next > now + 1)
		return POLL_MS;
	return next <= now ? 0 : POLL_MS;
}

static void *
send_loop(void *arg)
{
	struct sender *s = arg;
	struct outbox_msg m;
	enum pocd_err err;
	bool stop = false;

	while (!stop) {
		err = store_outbox_next(s->c, now_s(), WEBHOOK_OUTBOX, !s->webhooks, &m);
		if (err == POCD_ENOTFOUND) {
			stop = pause_ms(s, idle_ms(s));
			continue;
		}
		if (err == POCD_OK)
			err = s->webhooks ? deliver_webhook(s->c, s->cfg, &m)
			                  : deliver(s->c, s->cfg, s->pgp, &m);
		if (m.payload != NULL) {
			sodium_memzero(m.payload, strlen(m.payload));
			free(m.payload);
		}
		if (err != POCD_OK) {
			log_info("%s: the outbox cannot be read or written: %s",
			         s->webhooks ? "webhook" : "mail", pocd_err_name(err));
			stop = pause_ms(s, STORE_RETRY_S * 1000L);
			continue;
		}
		stop = pause_ms(s, 0);
	}
	return NULL;
}

int
mail_worker_run(const struct mail_worker_config *cfg)
{
	struct stop st = {.now = false};
	struct sender mail = {.cfg = cfg, .stop = &st}, hooks = {.cfg = cfg, .stop = &st};
	pthread_t th;
	sigset_t set;
	char msg[512], uid[MIME_ADDR_MAX + 16], fpr[FPR_SIZE];
	int status = 1;
	bool threaded = false;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A sender whose pocd died stops too: it never runs unsupervised. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_info("mail: cannot initialise libcurl");
		return 1;
	}
	pthread_mutex_init(&st.lk, NULL);
	pthread_cond_init(&st.cv, NULL);
	hooks.webhooks = true;
	if (store_outbox_open(cfg->db, &hooks.c, msg, sizeof(msg)) != POCD_OK) {
		log_info("mail: %s", msg);
		goto out;
	}
	/* Without a relay, mail waits in the outbox and only webhook events leave, on this
	 * thread; with one, webhook events go on a thread of their own. */
	if (cfg->smtp.url == NULL) {
		log_info("mail: no relay: sending webhook events only");
		hooks.sigs = &set;
		send_loop(&hooks);
		status = 0;
		goto out;
	}
	if (store_outbox_open(cfg->db, &mail.c, msg, sizeof(msg)) != POCD_OK) {
		log_info("mail: %s", msg);
		goto out;
	}
	snprintf(uid, sizeof(uid), "pocd <%s>", cfg->smtp.from);
	mail.pgp = pgp_open(cfg->gnupg_home, uid, fpr, msg, sizeof(msg));
	if (mail.pgp == NULL) {
		log_info("mail: %s", msg);
		goto out;
	}
	if (pthread_create(&th, NULL, send_loop, &hooks) != 0) {
		log_info("mail: cannot start the webhook thread");
		goto out;
	}
	threaded = true;
	log_info("mail: sending through %s as %s", cfg->smtp.url, cfg->smtp.from);
	mail.sigs = &set;
	send_loop(&mail);
	status = 0;
out:
	if (threaded) {
		stop_all(&st);
		pthread_join(th, NULL);
	}
	pgp_close(mail.pgp);
	store_outbox_close(mail.c);
	store_outbox_close(hooks.c);
	pthread_cond_destroy(&st.cv);
	pthread_mutex_destroy(&st.lk);
	curl_global_cleanup();
	log_info("mail: stopped");
	return status;
}
