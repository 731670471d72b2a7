#include "core/note.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DASH     "\xe2\x80\x94 " /* U+2014 and a space open every signature line */
#define DASH_LEN 4
#define B64      sodium_base64_VARIANT_ORIGINAL

void
note_key_make(const char *name, enum note_key_type type, const uint8_t pk[32], struct note_key *out)
{
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES], t = (uint8_t)type;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->type = t;
	memcpy(out->pk, pk, 32);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)out->name, strlen(out->name));
	crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
	crypto_hash_sha256_update(&st, &t, 1);
	crypto_hash_sha256_update(&st, pk, 32);
	crypto_hash_sha256_final(&st, h);
	memcpy(out->id, h, 4);
}

void
note_key_format(const struct note_key *k, char out[NOTE_KEY_TEXT])
{
	uint8_t raw[33];
	char b64[sodium_base64_ENCODED_LEN(sizeof(raw), B64)], hex[9];

	raw[0] = k->type;
	memcpy(raw + 1, k->pk, 32);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), B64);
	sodium_bin2hex(hex, sizeof(hex), k->id, 4);
	snprintf(out, NOTE_KEY_TEXT, "%s+%s+%s", k->name, hex, b64);
}

/* C2SP names: non-empty, printable, without spaces or '+'. */
static bool
name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= NOTE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == '+' || s[i] == 0x7f)
			return false;
	return true;
}

bool
note_key_parse(const char *text, struct note_key *out, char *msg, size_t msglen)
{
	const char *p1 = strchr(text, '+'), *p2 = p1 != NULL ? strchr(p1 + 1, '+') : NULL;
	uint8_t raw[34], id[4];
	char name[NOTE_NAME_MAX], again[NOTE_KEY_TEXT];
	size_t n, hexlen;

	if (p1 == NULL || p2 == NULL || !name_ok(text, (size_t)(p1 - text))) {
		snprintf(msg, msglen, "is not a key of the form NAME+KEYID+BASE64");
		return false;
	}
	hexlen = (size_t)(p2 - p1 - 1);
	if (hexlen != 8 || sodium_hex2bin(id, 4, p1 + 1, hexlen, NULL, &n, NULL) != 0 || n != 4) {
		snprintf(msg, msglen, "has a key id that is not 8 hexadecimal digits");
		return false;
	}
	if (sodium_base642bin(raw, sizeof(raw), p2 + 1, strlen(p2 + 1), NULL, &n, NULL, B64) != 0 ||
	    n != 33 || (raw[0] != NOTE_ED25519 && raw[0] != NOTE_COSIG)) {
		snprintf(msg, msglen,
		         "is not an Ed25519 key (type 0x01) or cosignature key (0x04)");
		return false;
	}
	memcpy(name, text, (size_t)(p1 - text));
	name[p1 - text] = '\0';
	note_key_make(name, raw[0], raw + 1, out);
	if (memcmp(out->id, id, 4) != 0) {
		snprintf(msg, msglen, "has a key id that does not match its name and key");
		return false;
	}
	/* One key, one spelling: other base64 or hex spellings of it are refused. */
	note_key_format(out, again);
	if (strcmp(again, text) != 0) {
		snprintf(msg, msglen, "is not written in its canonical form");
		return false;
	}
	return true;
}

void
checkpoint_body(const struct checkpoint *cp, char *out, size_t outlen)
{
	char root[sodium_base64_ENCODED_LEN(32, B64)];

	sodium_bin2base64(root, sizeof(root), cp->root, 32, B64);
	snprintf(out, outlen, "%s\n%llu\n%s\n", cp->origin, (unsigned long long)cp->size, root);
}

/* The newline ending the line at p, before end; NULL if there is none. */
static const char *
line_end(const char *p, const char *end)
{
	return memchr(p, '\n', (size_t)(end - p));
}

bool
note_parse(const char *text, size_t len, struct checkpoint *cp, size_t *body_len, char *msg,
           size_t msglen)
{
	const char *end = text + len, *p = text, *nl;
	char num[24], root[sodium_base64_ENCODED_LEN(32, B64)];
	size_t n;

	memset(cp, 0, sizeof(*cp));
	if (memchr(text, '\0', len) != NULL) {
		snprintf(msg, msglen, "contains a NUL byte");
		return false;
	}
	if ((nl = line_end(p, end)) == NULL || !name_ok(p, (size_t)(nl - p))) {
		snprintf(msg, msglen, "does not start with the log's origin line");
		return false;
	}
	memcpy(cp->origin, p, (size_t)(nl - p));
	p = nl + 1;
	nl = line_end(p, end);
	n = nl != NULL ? (size_t)(nl - p) : 0;
	if (n == 0 || n > 19 || (p[0] == '0' && n > 1) || strspn(p, "0123456789") < n) {
		snprintf(msg, msglen, "has no tree size on its second line");
		return false;
	}
	memcpy(num, p, n);
	num[n] = '\0';
	cp->size = strtoull(num, NULL, 10);
	p = nl + 1;
	nl = line_end(p, end);
	if (nl == NULL || nl - p != 44 ||
	    sodium_base642bin(cp->root, 32, p, 44, NULL, &n, NULL, B64) != 0 || n != 32) {
		snprintf(msg, msglen, "has no root hash on its third line");
		return false;
	}
	sodium_bin2base64(root, sizeof(root), cp->root, 32, B64);
	if (memcmp(root, p, 44) != 0) {
		snprintf(msg, msglen, "has a root hash that is not in canonical base64");
		return false;
	}
	/* Extension lines may follow; the body ends at the blank line. */
	for (p = nl + 1; (nl = line_end(p, end)) != NULL && nl != p; p = nl + 1)
		;
	if (nl == NULL) {
		snprintf(msg, msglen, "has no blank line before its signatures");
		return false;
	}
	*body_len = (size_t)(p - text);
	return true;
}

static void
sig_line(const struct note_key *k, const uint8_t *sig, size_t siglen, char out[NOTE_SIG_LINE])
{
	uint8_t raw[4 + 8 + crypto_sign_BYTES];
	char b64[sodium_base64_ENCODED_LEN(sizeof(raw), B64)];

	memcpy(raw, k->id, 4);
	memcpy(raw + 4, sig, siglen);
	sodium_bin2base64(b64, sizeof(b64), raw, 4 + siglen, B64);
	snprintf(out, NOTE_SIG_LINE, DASH "%s %s\n", k->name, b64);
}

void
note_sign(const char *body, size_t body_len, const struct note_key *k, const uint8_t sk[64],
          char out[NOTE_SIG_LINE])
{
	uint8_t sig[crypto_sign_BYTES];

	crypto_sign_detached(sig, NULL, (const uint8_t *)body, body_len, sk);
	sig_line(k, sig, sizeof(sig), out);
}

/* The message a cosignature signs: "cosignature/v1\ntime TS\n" and the body. */
static bool
cosig_message(const char *body, size_t body_len, uint64_t ts, uint8_t *out, size_t cap, size_t *len)
{
	int n = snprintf((char *)out, cap, "cosignature/v1\ntime %llu\n", (unsigned long long)ts);

	if (n < 0 || (size_t)n + body_len > cap)
		return false;
	memcpy(out + n, body, body_len);
	*len = (size_t)n + body_len;
	return true;
}

void
note_cosign(const char *body, size_t body_len, const struct note_key *k, const uint8_t sk[64],
            uint64_t ts, char out[NOTE_SIG_LINE])
{
	uint8_t msg[NOTE_MAX], sig[8 + crypto_sign_BYTES];
	size_t len;

	out[0] = '\0';
	if (!cosig_message(body, body_len, ts, msg, sizeof(msg), &len))
		return;
	for (int i = 0; i < 8; i++)
		sig[i] = (uint8_t)(ts >> (56 - 8 * i));
	crypto_sign_detached(sig + 8, NULL, msg, len, sk);
	sig_line(k, sig, sizeof(sig), out);
}

bool
note_line_verify(const char *body, size_t body_len, const char *line, size_t line_len,
                 const struct note_key *k, uint64_t *ts)
{
	size_t nlen = strlen(k->name), n, want;
	uint8_t raw[4 + 8 + crypto_sign_BYTES + 1], msg[NOTE_MAX];
	uint64_t t = 0;
	size_t mlen;

	if (line_len < DASH_LEN + nlen + 1 || memcmp(line, DASH, DASH_LEN) != 0 ||
	    memcmp(line + DASH_LEN, k->name, nlen) != 0 || line[DASH_LEN + nlen] != ' ')
		return false;
	line += DASH_LEN + nlen + 1;
	line_len -= DASH_LEN + nlen + 1;
	want = 4 + (k->type == NOTE_COSIG ? 8 : 0) + crypto_sign_BYTES;
	if (sodium_base642bin(raw, sizeof(raw), line, line_len, NULL, &n, NULL, B64) != 0 ||
	    n != want || memcmp(raw, k->id, 4) != 0)
		return false;
	if (k->type == NOTE_ED25519)
		return crypto_sign_verify_detached(raw + 4, (const uint8_t *)body, body_len,
		                                   k->pk) == 0;
	for (int i = 0; i < 8; i++)
		t = t << 8 | raw[4 + i];
	if (t > INT64_MAX || !cosig_message(body, body_len, t, msg, sizeof(msg), &mlen) ||
	    crypto_sign_verify_detached(raw + 12, msg, mlen, k->pk) != 0)
		return false;
	if (ts != NULL)
		*ts = t;
	return true;
}

bool
note_verify(const char *text, size_t len, const struct note_key *k, uint64_t *ts)
{
	struct checkpoint cp;
	char msg[96];
	const char *p, *end = text + len, *nl;
	size_t body_len;

	if (!note_parse(text, len, &cp, &body_len, msg, sizeof(msg)))
		return false;
	for (p = text + body_len + 1; p < end && (nl = line_end(p, end)) != NULL; p = nl + 1)
		if (note_line_verify(text, body_len, p, (size_t)(nl - p), k, ts))
			return true;
	return false;
}
