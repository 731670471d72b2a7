/* Checks of single values against the formats the directory promises its readers. */
#ifndef POCD_CORE_VALIDATE_H
#define POCD_CORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* E.164: "+" then 8 to 15 digits, the first not 0. */
bool valid_e164(const char *s);
/* A practical address check: one "@", a local part and a dotted domain of sane characters,
 * 254 bytes at most. */
bool valid_email(const char *s);
/* An ISO 639-1 code in lowercase, as Debian's iso-codes lists them. */
bool valid_lang(const char *s);
/* One of the six UN languages: ar, zh, en, fr, ru, es. Returns its index or -1. */
int un_lang_index(const char *s);
extern const char *const un_langs[6];
/* An IANA time zone that tzdata on this machine knows ("Europe/Paris", "UTC"). */
bool valid_tz(const char *s);
/* 40 hexadecimal digits (an OpenPGP v4 fingerprint); out gets it in uppercase. */
bool valid_fingerprint(const char *s, char out[41]);
/* "YYYY-MM-DD" naming a real day. */
bool valid_date(const char *s);
/* "HH:MM", 00:00 to 24:00. Returns minutes since midnight or -1. */
int parse_hhmm(const char *s);
/* 3 to 64 of a-z, 0-9, ".", "_", "-", starting with a letter or digit. */
bool valid_username(const char *s);
/* Free text: valid UTF-8 without control characters, 1 to max characters. */
bool valid_text(const char *s, size_t max);
/* Like valid_text, but line breaks and tabs are allowed: descriptions and replies. */
bool valid_multiline(const char *s, size_t max);
/* The number of characters (code points) of valid UTF-8 text. */
size_t utf8_chars(const char *s);
/* "ABC": three uppercase ASCII letters (existence is the store's question). */
bool valid_state_code(const char *s);

#endif
