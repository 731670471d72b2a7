/*
 * Fuzzes campaign_decode (src/core/pings.h) on arbitrary JSON text, into a zeroed campaign_op
 * as the API hands it. A refusal names 1 to VERR_MAX fields, each with a reason. An accepted
 * campaign has a scope of "all" or 1 to 193 distinct three-letter codes joined by commas, one
 * or both kinds, a window of whole hours from 1 to 720, at most PING_MAX_REMINDERS reminders of
 * whole hours, furthest first and each inside the window, the challenge flag as sent (true when
 * absent); and written back as JSON it decodes again to the same campaign.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pings.h"

#define INPUT_MAX 65536
#define H         INT64_C(3600)
#define BOTH      (KIND_BIT(POC_TECHNICAL) | KIND_BIT(POC_DIPLOMATIC))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_scope(const char *scope)
{
	size_t n = strlen(scope), codes;

	if (strcmp(scope, "all") == 0)
		return;
	if (n < 3 || (n + 1) % 4 != 0 || (codes = (n + 1) / 4) > 193)
		abort();
	for (size_t i = 0; i < codes; i++) {
		const char *c = scope + i * 4;
		for (size_t k = 0; k < 3; k++)
			if (c[k] < 'A' || c[k] > 'Z')
				abort();
		if (c[3] != (i + 1 == codes ? '\0' : ','))
			abort();
		for (size_t k = 0; k < i; k++)
			if (memcmp(scope + k * 4, c, 3) == 0)
				abort();
	}
}

static void
check_campaign(const json_t *in, const struct campaign_op *op)
{
	const struct ping_campaign *pc = &op->pc;
	const json_t *ch = json_object_get(in, "challenge");

	check_scope(pc->scope);
	if (pc->kinds == 0 || (pc->kinds & ~BOTH) != 0)
		abort();
	if (op->window < H || op->window > 720 * H || op->window % H != 0)
		abort();
	if (pc->nreminders > PING_MAX_REMINDERS)
		abort();
	for (size_t i = 0; i < pc->nreminders; i++) {
		if (pc->reminders[i] < H || pc->reminders[i] >= op->window ||
		    pc->reminders[i] % H != 0)
			abort();
		if (i > 0 && pc->reminders[i] >= pc->reminders[i - 1])
			abort();
	}
	/* Without a list, the default: a day and four hours before, where the window is longer. */
	if (json_object_get(in, "reminders_hours") == NULL &&
	    pc->nreminders != (size_t)(op->window > 24 * H) + (size_t)(op->window > 4 * H))
		abort();
	if (pc->challenge != (ch == NULL || json_is_true(ch)))
		abort();
}

/* The campaign as a body the Secretariat could send; decoding it gives the same campaign. */
static void
round_trip(const struct campaign_op *op)
{
	static struct campaign_op again;
	struct verrs errs = {0};
	json_t *o = json_object(), *scope, *kinds = json_array(), *rem = json_array();
	char code[4];

	if (strcmp(op->pc.scope, "all") == 0) {
		scope = json_string("all");
	} else {
		scope = json_array();
		for (size_t i = 0; op->pc.scope[i * 4] != '\0'; i++) {
			memcpy(code, op->pc.scope + i * 4, 3);
			code[3] = '\0';
			json_array_append_new(scope, json_string(code));
		}
	}
	if (op->pc.kinds & KIND_BIT(POC_DIPLOMATIC))
		json_array_append_new(kinds, json_string("diplomatic"));
	if (op->pc.kinds & KIND_BIT(POC_TECHNICAL))
		json_array_append_new(kinds, json_string("technical"));
	/* Nearest first: the order given must not matter. */
	for (size_t i = op->pc.nreminders; i > 0; i--)
		json_array_append_new(rem, json_integer(op->pc.reminders[i - 1] / H));
	json_object_set_new(o, "scope", scope);
	json_object_set_new(o, "kinds", kinds);
	json_object_set_new(o, "window_hours", json_integer(op->window / H));
	json_object_set_new(o, "reminders_hours", rem);
	json_object_set_new(o, "challenge", json_boolean(op->pc.challenge));
	memset(&again, 0, sizeof(again));
	campaign_decode(o, &again, &errs);
	json_decref(o);
	if (errs.n != 0 || strcmp(again.pc.scope, op->pc.scope) != 0 ||
	    again.pc.kinds != op->pc.kinds || again.window != op->window ||
	    again.pc.nreminders != op->pc.nreminders || again.pc.challenge != op->pc.challenge)
		abort();
	for (size_t i = 0; i < op->pc.nreminders; i++)
		if (again.pc.reminders[i] != op->pc.reminders[i])
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct campaign_op op;
	struct verrs errs = {0};
	json_t *in;

	if (size > INPUT_MAX)
		return 0;
	in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (in == NULL)
		return 0;
	memset(&op, 0, sizeof(op));
	campaign_decode(in, &op, &errs);
	if (errs.n > VERR_MAX)
		abort();
	/* Every problem has a reason; an unknown field's path is its name, which may be "". */
	for (size_t i = 0; i < errs.n; i++)
		if (errs.v[i].reason[0] == '\0')
			abort();
	/* Only an object can be a campaign. */
	if (errs.n == 0 && !json_is_object(in))
		abort();
	if (errs.n == 0) {
		check_campaign(in, &op);
		round_trip(&op);
	}
	json_decref(in);
	return 0;
}
