/*
 * Fuzzes what the machines routes decode before anything is written (src/core/webhooks.c,
 * src/api/json.c): a webhook's URL, and the lists of API key scopes and webhook events. The
 * first byte picks what the rest is. Invariants: an accepted URL is https://, at most
 * WEBHOOK_URL_MAX bytes, its host non-empty, and a literal address in it refused by
 * webhook_addr_refused is never accepted without allow_private; what is accepted without it is
 * accepted with it. A decoded list's bits are known names, and print back to the same set.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "api/handlers.h"
#include "core/apikeys.h"
#include "core/webhooks.h"

#define INPUT_MAX 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_url(const char *url)
{
	char host[256], host2[256], why[160];
	uint8_t addr[16];
	bool strict = webhook_url_check(url, false, host, sizeof(host), why, sizeof(why));
	bool loose = webhook_url_check(url, true, host2, sizeof(host2), why, sizeof(why));

	if (strict && !loose)
		abort();
	if (!loose)
		return;
	if (strncmp(url, "https://", 8) != 0 || strlen(url) > WEBHOOK_URL_MAX || host2[0] == '\0')
		abort();
	if (strict &&
	    ((inet_pton(AF_INET, host, addr) == 1 && webhook_addr_refused(AF_INET, addr)) ||
	     (inet_pton(AF_INET6, host, addr) == 1 && webhook_addr_refused(AF_INET6, addr))))
		abort();
}

static void
check_names(const char *text, unsigned (*parse)(const char *), const char *(*name_of)(unsigned),
            unsigned all)
{
	json_t *o = json_loads(text, JSON_DISABLE_EOF_CHECK, NULL), *back, *again;
	struct verrs errs = {0};
	unsigned bits;

	if (o == NULL)
		return;
	bits = json_member_names(o, "names", parse, 0, &errs);
	if ((bits & ~all) != 0 || (errs.n > 0 && bits != 0))
		abort();
	if (bits != 0) {
		back = json_pack("{s:o}", "names", json_names(bits, name_of));
		if (back == NULL || json_member_names(back, "names", parse, 0, &errs) != bits ||
		    errs.n != 0)
			abort();
		again = json_object_get(back, "names");
		if (json_array_size(again) > 32)
			abort();
		json_decref(back);
	}
	json_decref(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[INPUT_MAX + 1];

	if (size < 1 || size > INPUT_MAX)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		check_url(text);
		break;
	case 1:
		check_names(text, apikey_scope_parse, apikey_scope_name, APIKEY_SCOPES_ALL);
		break;
	default:
		check_names(text, webhook_event_parse, webhook_event_name, WEBHOOK_EVS_ALL);
		break;
	}
	return 0;
}
