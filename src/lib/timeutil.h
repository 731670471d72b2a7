/* Times are int64 seconds since the epoch inside pocd and RFC 3339 UTC outside. */
#ifndef POCD_LIB_TIMEUTIL_H
#define POCD_LIB_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#define RFC3339_SIZE 21 /* "2026-11-26T03:12:00Z" */
#define DATE_SIZE    11 /* "2026-11-26" */

int64_t now_s(void);
/* Monotonic microseconds, for latency. */
uint64_t mono_us(void);
void fmt_rfc3339(int64_t t, char out[RFC3339_SIZE]);
/* Parses "YYYY-MM-DDTHH:MM:SSZ" (UTC only). */
bool parse_rfc3339(const char *s, int64_t *out);
/* Parses a calendar date "YYYY-MM-DD" and checks that the day exists. */
bool parse_date(const char *s, int *y, int *m, int *d);

/* The calendar date of t (UTC), "YYYY-MM-DD". */
void fmt_date(int64_t t, char out[DATE_SIZE]);
/* The date months after that of t, the day clamped to the month's end (Feb 29 + 12 months is
 * Feb 28). */
void date_plus_months(int64_t t, int months, char out[DATE_SIZE]);

#endif
