#include "core/openpgp.h"

#include <nettle/sha1.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BEGIN "-----BEGIN PGP PUBLIC KEY BLOCK-----"
#define END   "-----END PGP PUBLIC KEY BLOCK-----"

#define TAG_PUBLIC_KEY 6

/* RFC 4880 section 6.1. */
static uint32_t
crc24(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xB704CEu;

	while (n-- > 0) {
		crc ^= (uint32_t)*p++ << 16;
		for (int i = 0; i < 8; i++) {
			crc <<= 1;
			if (crc & 0x1000000u)
				crc ^= 0x1864CFBu;
		}
	}
	return crc & 0xFFFFFFu;
}

/* The line starting at *p (within end): its length without the line end; *p moves past it. */
static size_t
next_line(const char **p, const char *end, const char **line)
{
	const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
	size_t n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);

	*line = s;
	*p = nl != NULL ? nl + 1 : end;
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

/* The armor's payload (base64 text joined) and its checksum line, if any. */
static const char *
dearmor(const char *in, size_t len, char *b64, size_t b64size, size_t *b64len, char crc[5])
{
	const char *p = in, *end = in + len, *line;
	size_t n;

	*b64len = 0;
	crc[0] = '\0';
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	n = next_line(&p, end, &line);
	if (n != strlen(BEGIN) || memcmp(line, BEGIN, n) != 0)
		return "must start with -----BEGIN PGP PUBLIC KEY BLOCK-----";
	/* Armor headers ("Comment: ..."), then one empty line. */
	for (;;) {
		if (p >= end)
			return "ends before the key data";
		n = next_line(&p, end, &line);
		if (n == 0)
			break;
		if (memchr(line, ':', n) == NULL)
			return "has an armor header line without a colon (or no empty line before "
			       "the key data)";
	}
	for (;;) {
		if (p >= end)
			return "has no -----END PGP PUBLIC KEY BLOCK----- line";
		n = next_line(&p, end, &line);
		if (n == strlen(END) && memcmp(line, END, n) == 0)
			break;
		if (n > 0 && line[0] == '=') {
			if (n != 5 || crc[0] != '\0')
				return "has a malformed checksum line";
			memcpy(crc, line + 1, 4);
			crc[4] = '\0';
			continue;
		}
		if (crc[0] != '\0')
			return "has key data after its checksum";
		if (*b64len + n >= b64size)
			return "is too long";
		memcpy(b64 + *b64len, line, n);
		*b64len += n;
	}
	b64[*b64len] = '\0';
	return NULL;
}

/* The packet at the start of buf: its tag, its body, and the bytes it takes in all. */
static const char *
packet(const uint8_t *buf, size_t n, int *tag, const uint8_t **body, size_t *blen, size_t *used)
{
	size_t hdr, len;

	if (n < 2 || (buf[0] & 0x80) == 0)
		return "does not hold an OpenPGP packet";
	if (buf[0] & 0x40) {
		*tag = buf[0] & 0x3f;
		if (buf[1] < 192) {
			len = buf[1];
			hdr = 2;
		} else if (buf[1] < 224) {
			if (n < 3)
				return "is cut short";
			len = ((size_t)(buf[1] - 192) << 8) + buf[2] + 192;
			hdr = 3;
		} else if (buf[1] == 255) {
			if (n < 6)
				return "is cut short";
			len = ((size_t)buf[2] << 24) | ((size_t)buf[3] << 16) |
			      ((size_t)buf[4] << 8) | buf[5];
			hdr = 6;
		} else {
			return "has a key packet of partial length";
		}
	} else {
		int lt = buf[0] & 3;
		*tag = (buf[0] >> 2) & 0xf;
		if (lt == 3)
			return "has a key packet of indeterminate length";
		hdr = 1 + (lt == 0 ? 1 : lt == 1 ? 2 : 4);
		if (n < hdr)
			return "is cut short";
		len = 0;
		for (size_t i = 1; i < hdr; i++)
			len = (len << 8) | buf[i];
	}
	if (len > n - hdr)
		return "is cut short";
	*body = buf + hdr;
	*blen = len;
	*used = hdr + len;
	return NULL;
}

static int64_t
be32(const uint8_t *p)
{
	return ((int64_t)p[0] << 24) | ((int64_t)p[1] << 16) | ((int64_t)p[2] << 8) | p[3];
}

/* What a signature's subpackets say: when it was made, the key's lifetime, and whether the
 * key whose id is keyid issued it. at and life are NULL for the unhashed area, whose values
 * nothing protects. */
static void
subpackets(const uint8_t *p, size_t n, const uint8_t keyid[8], int64_t *at, int64_t *life,
           bool *self)
{
	const uint8_t *d;
	size_t len, hdr, dl;
	uint8_t type;

	while (n > 0) {
		if (p[0] < 192) {
			len = p[0];
			hdr = 1;
		} else if (p[0] < 255) {
			if (n < 2)
				return;
			len = ((size_t)(p[0] - 192) << 8) + p[1] + 192;
			hdr = 2;
		} else {
			if (n < 5)
				return;
			len = (size_t)be32(p + 1);
			hdr = 5;
		}
		if (len == 0 || len > n - hdr)
			return;
		type = p[hdr] & 0x7f;
		d = p + hdr + 1;
		dl = len - 1;
		if (type == 2 && dl == 4 && at != NULL)
			*at = be32(d);
		else if (type == 9 && dl == 4 && life != NULL)
			*life = be32(d);
		else if (type == 16 && dl == 8 && memcmp(d, keyid, 8) == 0)
			*self = true;
		else if (type == 33 && dl == 21 && d[0] == 4 && memcmp(d + 13, keyid, 8) == 0)
			*self = true;
		p += hdr + len;
		n -= hdr + len;
	}
}

/* A v4 self-signature on a user id or on the key itself: the newest one's lifetime holds. */
static void
self_signature(const uint8_t *b, size_t n, const uint8_t keyid[8], struct openpgp_key *k,
               int64_t *newest)
{
	int64_t at = -1, life = 0;
	bool self = false;
	size_t hl, ul;

	if (n < 6 || b[0] != 4 || !((b[1] >= 0x10 && b[1] <= 0x13) || b[1] == 0x1F))
		return;
	hl = ((size_t)b[4] << 8) | b[5];
	if (hl + 8 > n)
		return;
	ul = ((size_t)b[6 + hl] << 8) | b[7 + hl];
	if (hl + ul + 8 > n)
		return;
	subpackets(b + 6, hl, keyid, &at, &life, &self);
	subpackets(b + 8 + hl, ul, keyid, NULL, NULL, &self);
	if (!self || at < *newest)
		return;
	*newest = at;
	k->expires = life != 0 ? k->created + life : 0;
}

/* The self-signatures between the primary key and its first subkey. */
static void
lifetime(const uint8_t *p, size_t n, const uint8_t keyid[8], struct openpgp_key *k)
{
	const uint8_t *body;
	size_t blen, used;
	int64_t newest = -1;
	int tag;

	while (n > 0 && packet(p, n, &tag, &body, &blen, &used) == NULL && tag != 14) {
		if (tag == 2)
			self_signature(body, blen, keyid, k, &newest);
		p += used;
		n -= used;
	}
}

enum pocd_err
openpgp_key_read(const char *armored, size_t len, struct openpgp_key *k, const char **why)
{
	char *b64 = NULL, crc_text[5];
	uint8_t *bin = NULL, crc_bin[3], md[SHA1_DIGEST_SIZE], prefix[3];
	const uint8_t *body;
	size_t b64len, n = 0, blen, crcn, used;
	struct sha1_ctx ctx;
	int tag;
	enum pocd_err err = POCD_EINVAL;

	*why = NULL;
	memset(k, 0, sizeof(*k));
	if (len > OPENPGP_ARMOR_MAX) {
		*why = "is longer than 64 KiB";
		return POCD_EINVAL;
	}
	b64 = malloc(len + 1);
	bin = malloc(len + 1);
	if (b64 == NULL || bin == NULL) {
		err = POCD_ENOMEM;
		goto out;
	}
	*why = dearmor(armored, len, b64, len + 1, &b64len, crc_text);
	if (*why != NULL)
		goto out;
	if (sodium_base642bin(bin, len + 1, b64, b64len, NULL, &n, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0) {
		*why = "has key data that is not base64";
		goto out;
	}
	if (crc_text[0] != '\0' &&
	    (sodium_base642bin(crc_bin, sizeof(crc_bin), crc_text, 4, NULL, &crcn, NULL,
	                       sodium_base64_VARIANT_ORIGINAL) != 0 ||
	     crcn != 3 ||
	     (((uint32_t)crc_bin[0] << 16) | ((uint32_t)crc_bin[1] << 8) | crc_bin[2]) !=
	         crc24(bin, n))) {
		*why = "has a checksum that does not match its data (damaged in transit?)";
		goto out;
	}
	*why = packet(bin, n, &tag, &body, &blen, &used);
	if (*why != NULL)
		goto out;
	if (tag != TAG_PUBLIC_KEY) {
		*why = "does not start with a public key packet (a secret key? never send one)";
		goto out;
	}
	if (blen < 6 || body[0] != 4) {
		*why = "is not a version 4 key (the kind whose 40-digit fingerprint entries hold)";
		goto out;
	}
	if (blen > 0xFFFF) {
		*why = "has a key packet too long for a v4 fingerprint";
		goto out;
	}
	/* RFC 4880 section 12.2: SHA-1 over 0x99, the two-octet length and the packet body. */
	prefix[0] = 0x99;
	prefix[1] = (uint8_t)(blen >> 8);
	prefix[2] = (uint8_t)blen;
	sha1_init(&ctx);
	sha1_update(&ctx, sizeof(prefix), prefix);
	sha1_update(&ctx, blen, body);
	sha1_digest(&ctx, sizeof(md), md);
	for (unsigned i = 0; i < SHA1_DIGEST_SIZE; i++) {
		static const char hex[] = "0123456789ABCDEF";
		k->fpr[2 * i] = hex[md[i] >> 4];
		k->fpr[2 * i + 1] = hex[md[i] & 0xf];
	}
	k->fpr[40] = '\0';
	k->created = be32(body + 1);
	/* A v4 key id is the fingerprint's last eight bytes. */
	lifetime(bin + used, n - used, md + SHA1_DIGEST_SIZE - 8, k);
	err = POCD_OK;
out:
	free(b64);
	free(bin);
	return err;
}
