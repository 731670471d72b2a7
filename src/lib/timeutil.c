#include "lib/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void
fmt_rfc3339(int64_t t, char out[RFC3339_SIZE])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, RFC3339_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strlcpy(out, "1970-01-01T00:00:00Z", RFC3339_SIZE);
}

static bool
digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

bool
parse_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	if (!digits(s, 4, y) || !digits(s + 5, 2, m) || !digits(s + 8, 2, d))
		return false;
	return *y >= 1970 && *y <= 9999 && *m >= 1 && *m <= 12 && *d >= 1 &&
	       *d <= days_in_month(*y, *m);
}

bool
parse_rfc3339(const char *s, int64_t *out)
{
	char date[DATE_SIZE];
	int y, mo, d, h, mi, se;
	struct tm tm;

	if (strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return false;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!parse_date(date, &y, &mo, &d) || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
	    !digits(s + 17, 2, &se) || h > 23 || mi > 59 || se > 59)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = (int64_t)timegm(&tm);
	return true;
}

void
fmt_date(int64_t t, char out[DATE_SIZE])
{
	/* Asked on every directory read (stale flags): the day changes once a day. */
	static __thread int64_t cached_day = INT64_MIN;
	static __thread char cached[DATE_SIZE];
	int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	char full[RFC3339_SIZE];

	if (day != cached_day) {
		fmt_rfc3339(t, full);
		memcpy(cached, full, DATE_SIZE - 1);
		cached[DATE_SIZE - 1] = '\0';
		cached_day = day;
	}
	memcpy(out, cached, DATE_SIZE);
}

void
date_plus_months(int64_t t, int months, char out[DATE_SIZE])
{
	struct tm tm;
	time_t tt = (time_t)t;
	int y, m, d;

	if (gmtime_r(&tt, &tm) == NULL) {
		strlcpy(out, "1970-01-01", DATE_SIZE);
		return;
	}
	m = tm.tm_mon + months;
	y = tm.tm_year + 1900 + m / 12;
	m = m % 12 + 1;
	d = tm.tm_mday;
	if (d > days_in_month(y, m))
		d = days_in_month(y, m);
	snprintf(out, DATE_SIZE, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
	         (unsigned)d % 100u);
}
