/* Unit tests of src/core/webhooks.h: which addresses a webhook may reach, which URLs it may
 * have, and the names of its events (and of API key scopes, src/core/apikeys.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <sys/socket.h>

#include "core/apikeys.h"
#include "core/webhooks.h"

static bool
refused(const char *text)
{
	uint8_t a[16];

	if (inet_pton(AF_INET, text, a) == 1)
		return webhook_addr_refused(AF_INET, a);
	assert_int_equal(inet_pton(AF_INET6, text, a), 1);
	return webhook_addr_refused(AF_INET6, a);
}

static void
addresses(void **state)
{
	static const char *const inside[] = {"0.0.0.0",
	                                     "10.1.2.3",
	                                     "127.0.0.1",
	                                     "127.255.0.9",
	                                     "100.64.0.1",
	                                     "100.127.255.254",
	                                     "169.254.169.254",
	                                     "172.16.0.1",
	                                     "172.31.255.255",
	                                     "192.168.0.1",
	                                     "192.0.0.8",
	                                     "192.0.2.1",
	                                     "198.18.0.1",
	                                     "198.51.100.7",
	                                     "203.0.113.9",
	                                     "224.0.0.1",
	                                     "239.1.2.3",
	                                     "240.0.0.1",
	                                     "255.255.255.255",
	                                     "::",
	                                     "::1",
	                                     "::ffff:127.0.0.1",
	                                     "::ffff:10.0.0.1",
	                                     "::127.0.0.1",
	                                     "64:ff9b::a00:1",
	                                     "fe80::1",
	                                     "febf::1",
	                                     "fec0::1",
	                                     "fc00::1",
	                                     "fd12::1",
	                                     "ff02::1",
	                                     "2001:db8::1",
	                                     "192.88.99.1",
	                                     "2002:a00:1::1",
	                                     "2002:7f00:1::",
	                                     "2002:c0a8:101::1",
	                                     "2001:0:4136:e378::1",
	                                     "2001::ffff:ffff",
	                                     "64:ff9b:1::a00:1",
	                                     "64:ff9b:1:808:8:800::",
	                                     "100::1",
	                                     "100::ffff:ffff:ffff:ffff"};
	static const char *const outside[] = {
	    "1.1.1.1",        "8.8.8.8",        "100.63.255.255",   "100.128.0.1",
	    "172.15.255.255", "172.32.0.1",     "192.167.1.1",      "192.169.1.1",
	    "198.17.0.1",     "198.20.0.1",     "223.255.255.254",  "2606:4700::1111",
	    "2a00:1450::1",   "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
	    "192.88.98.1",    "192.88.100.1",   "2001:1::1",        "100:0:0:1::1"};

	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
		if (!refused(inside[i]))
			fail_msg("%s is not public, yet it is not refused", inside[i]);
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		if (refused(outside[i]))
			fail_msg("%s is public, yet it is refused", outside[i]);
}

static bool
url_ok(const char *url, bool allow)
{
	char host[256], why[160];

	return webhook_url_check(url, allow, host, sizeof(host), why, sizeof(why));
}

static void
urls(void **state)
{
	char host[256], why[160], longer[600];

	assert_true(url_ok("https://hooks.example.org/pocd?x=1", false));
	assert_true(url_ok("https://hooks.example.org:8443", false));
	assert_true(url_ok("https://8.8.8.8/x", false));
	assert_true(url_ok("https://[2606:4700::1111]:443/x", false));
	assert_true(webhook_url_check("https://[2606:4700::1111]:443/x", false, host, sizeof(host),
	                              why, sizeof(why)));
	assert_string_equal(host, "2606:4700::1111");
	/* refused whatever the deployment */
	assert_false(url_ok("http://hooks.example.org/", true));
	assert_false(url_ok("HTTPS://hooks.example.org/", true));
	assert_false(url_ok("https://u:p@hooks.example.org/", true));
	assert_false(url_ok("https://hooks.example.org/#f", true));
	assert_false(url_ok("https://hooks.example.org:0/", true));
	assert_false(url_ok("https://hooks.example.org:65536/", true));
	assert_false(url_ok("https://hooks.example.org:/", true));
	assert_false(url_ok("https://hooks.example.org:1x/", true));
	assert_false(url_ok("https://hooks example.org/", true));
	assert_false(url_ok("https://hooks_example.org/", true));
	assert_false(url_ok("https://[::1/", true));
	assert_false(url_ok("https://[::1]x/", true));
	assert_false(url_ok("https://[example.org]/", true));
	assert_false(url_ok("https:///x", true));
	assert_false(url_ok("https://h\xc3\xa9.org/", true));
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memcpy(longer, "https://", 8);
	assert_false(url_ok(longer, true));
	/* refused unless the deployment allows private targets */
	assert_false(url_ok("https://127.0.0.1:8443/", false));
	assert_true(url_ok("https://127.0.0.1:8443/", true));
	assert_false(url_ok("https://[::1]/", false));
	assert_true(url_ok("https://[::1]/", true));
	assert_false(url_ok("https://localhost/", false));
	assert_false(url_ok("https://LocalHost/", false));
	assert_false(url_ok("https://a.localhost/", false));
	assert_true(url_ok("https://localhost/", true));
	assert_true(url_ok("https://notlocalhost/", false));
}

static void
names(void **state)
{
	assert_int_equal(webhook_event_parse("ping"), WEBHOOK_EV_PING);
	assert_int_equal(webhook_event_parse("Ping"), 0);
	assert_int_equal(apikey_scope_parse("communications:ack"), APIKEY_SCOPE_COMMS_ACK);
	assert_int_equal(apikey_scope_parse("communications"), 0);
	for (unsigned b = 1; b <= WEBHOOK_EVS_ALL; b <<= 1)
		assert_int_equal(webhook_event_parse(webhook_event_name(b)), b);
	for (unsigned b = 1; b <= APIKEY_SCOPES_ALL; b <<= 1)
		assert_int_equal(apikey_scope_parse(apikey_scope_name(b)), b);
	assert_null(apikey_scope_name(APIKEY_SCOPES_ALL + 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(addresses),
	    cmocka_unit_test(urls),
	    cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
