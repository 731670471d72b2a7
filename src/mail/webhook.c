#include "mail/webhook.h"

#include <curl/curl.h>
#include <nettle/hmac.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/webhooks.h"
#include "lib/rand.h"

#define CONNECT_TIMEOUT 10
#define POST_TIMEOUT    20
#define ANSWER_MAX      (1024 * 1024) /* bytes of the receiver's answer read, and dropped */

void
webhook_sign(const char *secret, int64_t t, const char *body, size_t len,
             char out[WEBHOOK_SIG_SIZE])
{
	struct hmac_sha256_ctx ctx;
	uint8_t mac[SHA256_DIGEST_SIZE];
	char ts[24], hex[2 * SHA256_DIGEST_SIZE + 1];

	snprintf(ts, sizeof(ts), "%lld", (long long)t);
	hmac_sha256_set_key(&ctx, strlen(secret), (const uint8_t *)secret);
	hmac_sha256_update(&ctx, strlen(ts), (const uint8_t *)ts);
	hmac_sha256_update(&ctx, 1, (const uint8_t *)".");
	hmac_sha256_update(&ctx, len, (const uint8_t *)body);
	hmac_sha256_digest(&ctx, sizeof(mac), mac);
	hex_encode(mac, sizeof(mac), hex);
	snprintf(out, WEBHOOK_SIG_SIZE, "t=%s,v1=%s", ts, hex);
	sodium_memzero(&ctx, sizeof(ctx));
}

struct conn {
	const struct webhook_config *cfg;
	bool refused; /* a resolved address was refused */
};

/* Every address curl is about to connect to, after DNS: refused unless public (or allowed),
 * so a name that resolves to an inside address now, whatever it resolved to at registration,
 * goes nowhere. */
static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct conn *c = arg;
	const void *addr = NULL;

	if (a->family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr;
	else if (a->family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr;
	if (addr == NULL || (!c->cfg->allow_private && webhook_addr_refused(a->family, addr))) {
		c->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

static size_t
drop_answer(char *p, size_t size, size_t n, void *arg)
{
	size_t *got = arg;

	*got += size * n;
	return *got > ANSWER_MAX ? 0 : size * n;
}

enum webhook_result
webhook_post(const struct webhook_config *cfg, const char *url, const char *secret,
             const char *event, const char *delivery, const char *body, int64_t now, int *status,
             char *why, size_t whylen)
{
	char sig[WEBHOOK_SIG_SIZE], h_sig[WEBHOOK_SIG_SIZE + 32], h_ev[96], h_id[96],
	    err[CURL_ERROR_SIZE] = "";
	struct conn c = {.cfg = cfg};
	struct curl_slist *hdrs = NULL;
	size_t got = 0;
	long code = 0;
	CURLcode rc;
	CURL *h = curl_easy_init();

	*status = 0;
	if (h == NULL) {
		snprintf(why, whylen, "out of memory");
		return WEBHOOK_RETRY;
	}
	webhook_sign(secret, now, body, strlen(body), sig);
	snprintf(h_sig, sizeof(h_sig), "X-Pocd-Signature: %s", sig);
	snprintf(h_ev, sizeof(h_ev), "X-Pocd-Event: %s", event);
	snprintf(h_id, sizeof(h_id), "X-Pocd-Delivery: %s", delivery);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, h_sig);
	hdrs = curl_slist_append(hdrs, h_ev);
	hdrs = curl_slist_append(hdrs, h_id);
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, url);
	/* https only, no redirects (a redirect could lead inside), no proxy from the
	 * environment. */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)POST_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &c);
	if (cfg->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "pocd-webhook/1");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, drop_answer);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	*status = (int)code;
	/* One address of several may have been refused and another have answered. */
	if (code >= 200 && code < 300)
		return WEBHOOK_SENT;
	if (c.refused) {
		snprintf(why, whylen,
		         "refused: the host resolves to a private, loopback, link-local "
		         "or reserved address");
		return WEBHOOK_RETRY;
	}
	if (rc != CURLE_OK && code == 0) {
		snprintf(why, whylen, "%s", err[0] != '\0' ? err : curl_easy_strerror(rc));
		return WEBHOOK_RETRY;
	}
	snprintf(why, whylen, "the receiver answered HTTP %ld", code);
	return WEBHOOK_RETRY;
}
