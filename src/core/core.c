#include "core/core.h"

#include <stdlib.h>
#include <string.h>

#include "core/attachment.h"
#include "core/record.h"
#include "core/scheduler.h"
#include "core/sessions.h"
#include "core/throttle.h"
#include "lib/timeutil.h"
#include "lib/workq.h"

static const char *const roles[] = {"secretariat", "state_admin", "officer"};

void
core_config_defaults(struct core_config *cfg)
{
	/* Every switch off and every field set, whatever the caller's memory held. */
	memset(cfg, 0, sizeof(*cfg));
	cfg->session_ttl = 12 * 3600;
	cfg->enrolment_ttl = 7 * 24 * 3600;
	cfg->hash_threads = 2;
	cfg->login_attempts = 5;
	cfg->login_window = 15 * 60;
	cfg->ack_after[0] = 72 * 3600;
	cfg->answer_after[0] = 14 * 24 * 3600;
	cfg->ack_after[1] = 12 * 3600;
	cfg->answer_after[1] = 72 * 3600;
	cfg->ack_after[2] = 2 * 3600;
	cfg->answer_after[2] = 24 * 3600;
	cfg->attachment_limit = ATTACH_LIMIT_DEFAULT;
	cfg->attachment_quota = ATTACH_QUOTA_DEFAULT;
	cfg->campaign_chunk = 1000;
}

struct core *
core_new(struct store *st, const struct core_config *cfg)
{
	struct core *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->store = st;
	c->cfg = *cfg;
	c->hashq = workq_new(cfg->hash_threads);
	c->attachq = workq_new(ATTACH_THREADS);
	c->sessions = session_cache_new();
	c->throttle = throttle_new(cfg->login_attempts, cfg->login_window);
	atomic_init(&c->clock_offset, 0);
	if (c->hashq == NULL || c->attachq == NULL || c->sessions == NULL || c->throttle == NULL) {
		core_free(c);
		return NULL;
	}
	return c;
}

void
core_free(struct core *c)
{
	if (c == NULL)
		return;
	scheduler_stop(c->scheduler);
	record_close(c);
	attachments_close(c);
	workq_free(c->hashq);
	workq_free(c->attachq);
	session_cache_free(c->sessions);
	throttle_free(c->throttle);
	free(c);
}

int64_t
core_now(struct core *c)
{
	return now_s() + atomic_load(&c->clock_offset);
}

enum pocd_err
core_advance_clock(struct core *c, int64_t seconds)
{
	if (!c->cfg.test_clock)
		return POCD_EFORBIDDEN;
	atomic_fetch_add(&c->clock_offset, seconds);
	if (c->scheduler != NULL)
		scheduler_kick(c->scheduler);
	return POCD_OK;
}

const char *
role_name(enum role r)
{
	return roles[r];
}

const char *
actor_role_name(const struct principal *p)
{
	return p->key_id[0] != '\0' ? "api_key" : roles[p->role];
}

int
role_parse_name(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, roles[i]) == 0)
			return i;
	return -1;
}

const char *
poc_kind_name(enum poc_kind k)
{
	return k == POC_TECHNICAL ? "technical" : "diplomatic";
}

const char *
poc_rank_name(enum poc_rank r)
{
	return r == POC_ALTERNATE ? "alternate" : "primary";
}
