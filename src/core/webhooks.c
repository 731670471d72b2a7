#include "core/webhooks.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "lib/names.h"
#include "lib/timeutil.h"

static const struct bit_name events[] = {
    {WEBHOOK_EV_COMM_NEW, "communication.new"},
    {WEBHOOK_EV_COMM_REPLY, "communication.reply"},
    {WEBHOOK_EV_COMM_OVERDUE, "communication.overdue"},
    {WEBHOOK_EV_COMM_ESCALATED, "communication.escalated"},
    {WEBHOOK_EV_PING, "ping"},
};

const char *
webhook_event_name(unsigned bit)
{
	return bit_name(events, sizeof(events) / sizeof(events[0]), bit);
}

unsigned
webhook_event_parse(const char *name)
{
	return bit_parse(events, sizeof(events) / sizeof(events[0]), name);
}

static bool
v4_refused(const uint8_t a[4])
{
	return a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 ||  /* this, private, loop,
	                                                                    multicast, reserved */
	       (a[0] == 100 && (a[1] & 0xc0) == 64) ||                   /* shared (CGNAT) */
	       (a[0] == 169 && a[1] == 254) ||                           /* link-local */
	       (a[0] == 172 && (a[1] & 0xf0) == 16) ||                   /* private */
	       (a[0] == 192 && a[1] == 168) ||                           /* private */
	       (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) || /* IETF, TEST-NET-1 */
	       (a[0] == 192 && a[1] == 88 && a[2] == 99) ||              /* 6to4 relay anycast */
	       (a[0] == 198 && (a[1] & 0xfe) == 18) ||                   /* benchmarking */
	       (a[0] == 198 && a[1] == 51 && a[2] == 100) ||             /* TEST-NET-2 */
	       (a[0] == 203 && a[1] == 0 && a[2] == 113);                /* TEST-NET-3 */
}

bool
webhook_addr_refused(int family, const void *addr)
{
	static const uint8_t zero[12] = {0};
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};
	static const uint8_t nat64_local[6] = {0, 0x64, 0xff, 0x9b, 0, 1};
	static const uint8_t discard[8] = {0x01, 0};
	const uint8_t *a = addr;

	if (family == AF_INET)
		return v4_refused(a);
	if (family != AF_INET6)
		return true;
	/* IPv4 in IPv6 clothes: mapped, compatible (and ::, ::1), NAT64's well-known prefix. */
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, zero, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return v4_refused(a + 12) || memcmp(a, zero, 12) == 0;
	/* 6to4 carries its IPv4 in bits 16-47. */
	if (a[0] == 0x20 && a[1] == 0x02)
		return v4_refused(a + 2);
	/* Teredo tunnels to an address of its own choosing; the local-use NAT64 prefix
	 * (64:ff9b:1::/48) embeds IPv4 at a length each site picks, so there is no one place to
	 * check: both are refused whole, as is the discard-only prefix. */
	if ((a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0) ||
	    memcmp(a, nat64_local, 6) == 0 || memcmp(a, discard, 8) == 0)
		return true;
	return a[0] == 0xff ||                            /* multicast */
	       (a[0] & 0xfe) == 0xfc ||                   /* unique local */
	       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || /* link-local */
	       (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) || /* site-local (deprecated) */
	       (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8); /* documentation */
}

/* Whether name is a DNS name of letters, digits, hyphens and dots (labels of 1..63). */
static bool
dns_name(const char *name)
{
	size_t label = 0;

	if (*name == '\0' || *name == '.' || strlen(name) > 253)
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		           (*p >= '0' && *p <= '9') || *p == '-') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

bool
webhook_url_check(const char *url, bool allow_private, char *host, size_t hostlen, char *why,
                  size_t whylen)
{
	const char *auth, *end, *h, *hend, *port = NULL;
	uint8_t addr[16];
	char *stop;
	long pn;
	size_t n = strlen(url), hn;

	host[0] = '\0';
	if (n > WEBHOOK_URL_MAX) {
		snprintf(why, whylen, "is longer than %d bytes", WEBHOOK_URL_MAX);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f) {
			snprintf(why, whylen,
			         "must be printable ASCII without spaces "
			         "(percent-encode the rest)");
			return false;
		}
	if (strncmp(url, "https://", 8) != 0) {
		snprintf(why, whylen, "must start with https://: events go over TLS only");
		return false;
	}
	auth = url + 8;
	end = auth + strcspn(auth, "/?#");
	if (strchr(url, '#') != NULL) {
		snprintf(why, whylen, "must not have a fragment (#...)");
		return false;
	}
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL) {
		snprintf(why, whylen, "must not carry a user name or password");
		return false;
	}
	h = auth;
	if (*h == '[') {
		hend = memchr(h, ']', (size_t)(end - h));
		if (hend == NULL) {
			snprintf(why, whylen, "has an IPv6 address without its closing ]");
			return false;
		}
		h++;
		if (hend + 1 < end && hend[1] == ':')
			port = hend + 2;
		else if (hend + 1 != end) {
			snprintf(why, whylen,
			         "has something after the IPv6 address that is not a port");
			return false;
		}
	} else {
		hend = memchr(h, ':', (size_t)(end - h));
		if (hend != NULL)
			port = hend + 1;
		else
			hend = end;
	}
	hn = (size_t)(hend - h);
	if (hn == 0 || hn >= hostlen) {
		snprintf(why, whylen, hn == 0 ? "has no host" : "has a host name that is too long");
		return false;
	}
	memcpy(host, h, hn);
	host[hn] = '\0';
	if (port != NULL) {
		if (port == end || *port < '0' || *port > '9') {
			snprintf(why, whylen, "has a port that is not a number");
			return false;
		}
		pn = strtol(port, &stop, 10);
		if (stop != end || pn < 1 || pn > 65535) {
			snprintf(why, whylen, "has a port outside 1..65535");
			return false;
		}
	}
	if (auth[0] == '[') {
		if (inet_pton(AF_INET6, host, addr) != 1) {
			snprintf(why, whylen, "has [%s], which is not an IPv6 address", host);
			return false;
		}
		if (!allow_private && webhook_addr_refused(AF_INET6, addr)) {
			snprintf(why, whylen,
			         "names a private, loopback, link-local or reserved "
			         "address: events go to public addresses only");
			return false;
		}
		return true;
	}
	if (inet_pton(AF_INET, host, addr) == 1) {
		if (!allow_private && webhook_addr_refused(AF_INET, addr)) {
			snprintf(why, whylen,
			         "names a private, loopback, link-local or reserved "
			         "address: events go to public addresses only");
			return false;
		}
		return true;
	}
	if (!dns_name(host)) {
		snprintf(why, whylen, "has a host that is neither a DNS name nor an IP address");
		return false;
	}
	hn = strlen(host);
	if (!allow_private && (strcasecmp(host, "localhost") == 0 ||
	                       (hn > 10 && strcasecmp(host + hn - 10, ".localhost") == 0))) {
		snprintf(why, whylen, "names localhost: events go to public addresses only");
		return false;
	}
	return true;
}

static enum pocd_err
webhook_run(struct store_conn *w, struct store_job *j)
{
	struct webhook_op *op = container_of(j, struct webhook_op, job);
	char details[WEBHOOK_URL_MAX * 2 + 32];
	json_t *d;
	char *text;
	struct event ev = {.actor_account = op->actor.account_id,
	                   .actor_state = op->actor.state,
	                   .actor_role = actor_role_name(&op->actor),
	                   .states = op->actor.state,
	                   .object_id = op->hook.id,
	                   .details = "{}"};
	int64_t n = 0;
	enum pocd_err err;

	if (op->remove) {
		ev.type = "webhook.deleted";
		err = store_webhook_delete(w, op->hook.id, op->actor.state, op->now);
		return err == POCD_OK ? store_event_append(w, &ev, op->now) : err;
	}
	err = store_webhooks_count(w, op->actor.state, &n);
	if (err == POCD_OK && n >= WEBHOOKS_PER_STATE)
		err = POCD_ECONFLICT;
	if (err == POCD_OK)
		err = store_webhook_insert(w, &op->hook, op->secret);
	if (err != POCD_OK)
		return err;
	ev.type = "webhook.created";
	d = json_pack("{s:s,s:i}", "url", op->hook.url, "events", (json_int_t)op->hook.events);
	text = d != NULL ? json_dumps(d, JSON_COMPACT) : NULL;
	json_decref(d);
	if (text == NULL)
		return POCD_ENOMEM;
	strlcpy(details, text, sizeof(details));
	free(text);
	ev.details = details;
	return store_event_append(w, &ev, op->now);
}

static void
webhook_done(struct store_job *j, enum pocd_err st)
{
	struct webhook_op *op = container_of(j, struct webhook_op, job);

	op->status = st;
	op->done(op->arg);
}

enum pocd_err
webhook_submit(struct core *c, struct webhook_op *op)
{
	if (!op->remove) {
		rand_id(op->hook.id);
		rand_token(op->secret);
		strlcpy(op->hook.state, op->actor.state, sizeof(op->hook.state));
		strlcpy(op->hook.created_by, op->actor.account_id, sizeof(op->hook.created_by));
		op->hook.created_at = op->now;
	}
	op->core = c;
	op->job.run = webhook_run;
	op->job.done = webhook_done;
	return store_submit(c->store, &op->job);
}

enum pocd_err
webhook_queue(struct store_conn *w, unsigned ev, const char *state, const char *ref_id,
              json_t *data, int64_t now)
{
	char id[ID_SIZE], at[RFC3339_SIZE], *text;
	json_t *o;
	enum pocd_err err;

	rand_id(id);
	fmt_rfc3339(now, at);
	o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", id, "type", webhook_event_name(ev), "time", at,
	              "state", state, "data", data != NULL ? data : json_object());
	text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (text == NULL)
		return POCD_ENOMEM;
	err = store_webhook_queue(w, state, ev, ref_id, text, now);
	free(text);
	return err;
}

enum pocd_err
webhook_comm(struct store_conn *w, unsigned ev, const char *state, const struct comm *cm,
             int64_t now)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/communications/%s", cm->id);
	return webhook_queue(w, ev, state, cm->id,
	                     json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "communication", cm->id, "from",
	                               cm->sender_state, "type", cm->type, "urgency", cm->urgency,
	                               "tlp", cm->tlp, "href", path),
	                     now);
}
