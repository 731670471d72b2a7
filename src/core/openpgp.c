#include "core/openpgp.h"

#include <nettle/sha1.h>
#include <sodium.h>
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

/* The first packet's tag, and its body within buf. */
static const char *
first_packet(const uint8_t *buf, size_t n, int *tag, const uint8_t **body, size_t *blen)
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
	return NULL;
}

enum pocd_err
openpgp_key_fingerprint(const char *armored, size_t len, char fpr[FPR_SIZE], const char **why)
{
	char *b64 = NULL, crc_text[5];
	uint8_t *bin = NULL, crc_bin[3], md[SHA1_DIGEST_SIZE], prefix[3];
	const uint8_t *body;
	size_t b64len, n = 0, blen, crcn;
	struct sha1_ctx ctx;
	int tag;
	enum pocd_err err = POCD_EINVAL;

	*why = NULL;
	fpr[0] = '\0';
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
	*why = first_packet(bin, n, &tag, &body, &blen);
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
		fpr[2 * i] = hex[md[i] >> 4];
		fpr[2 * i + 1] = hex[md[i] & 0xf];
	}
	fpr[40] = '\0';
	err = POCD_OK;
out:
	free(b64);
	free(bin);
	return err;
}
