#include "mail/smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#define CONNECT_TIMEOUT 15  /* seconds */
#define SEND_TIMEOUT    120 /* seconds for a whole message */

struct upload {
	const char *p;
	size_t left;
	char last_cmd[8]; /* the verb of the last command sent: which one a refusal answers */
};

static size_t
read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;

	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

static int
debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct upload *u = arg;
	size_t n = 0;

	if (type != CURLINFO_HEADER_OUT)
		return 0;
	/* QUIT and RSET follow a refusal; the command refused came before them. */
	if (size >= 4 && (memcmp(data, "QUIT", 4) == 0 || memcmp(data, "RSET", 4) == 0))
		return 0;
	while (n < size && n < sizeof(u->last_cmd) - 1 && data[n] >= 'A' && data[n] <= 'Z')
		n++;
	memcpy(u->last_cmd, data, n);
	u->last_cmd[n] = '\0';
	return 0;
}

enum smtp_result
smtp_send(const struct smtp_config *cfg, const char *rcpt, const char *msg, size_t len, char *why,
          size_t whylen)
{
	struct upload u = {.p = msg, .left = len};
	struct curl_slist *to = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	enum smtp_result res = SMTP_RETRY;
	long code = 0;
	CURLcode rc;
	CURL *h;

	why[0] = '\0';
	h = curl_easy_init();
	to = curl_slist_append(NULL, rcpt);
	if (h == NULL || to == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, cfg->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)SEND_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	                 cfg->starttls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	if (cfg->user != NULL) {
		curl_easy_setopt(h, CURLOPT_USERNAME, cfg->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->password != NULL ? cfg->password : "");
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, cfg->from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	/* The debug callback sees each command as it goes out; nothing is printed. */
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, &u);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK) {
		res = SMTP_SENT;
		goto out;
	}
	snprintf(why, whylen, "%s (SMTP %ld after %s)", errbuf[0] ? errbuf : curl_easy_strerror(rc),
	         code, u.last_cmd[0] ? u.last_cmd : "connecting");
	if (code >= 500 && code < 600 && strcmp(u.last_cmd, "RCPT") == 0)
		res = SMTP_REFUSED_ADDRESS;
	else if (code >= 500 && code < 600 && strcmp(u.last_cmd, "DATA") == 0)
		res = SMTP_REFUSED_MESSAGE;
out:
	curl_slist_free_all(to);
	curl_easy_cleanup(h);
	return res;
}
