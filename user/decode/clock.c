// SPDX-License-Identifier: GPL-2.0
/* Wall-clock time for kernel timestamps. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decode/clock.h"

static uint64_t ns_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t vbt_mono_now(void)
{
	return ns_of(CLOCK_MONOTONIC);
}

void vbt_clock_init(struct vbt_clock *c)
{
	/* Bracket the realtime read by two monotonic reads: error < 1 us. */
	uint64_t m1 = ns_of(CLOCK_MONOTONIC);
	uint64_t r = ns_of(CLOCK_REALTIME);
	uint64_t m2 = ns_of(CLOCK_MONOTONIC);

	c->mono_to_real_ns = (int64_t)r - (int64_t)(m1 + (m2 - m1) / 2);
}

/*
 * Streamed records all need a timestamp, and gmtime_r() plus strftime()
 * cost more than the rest of a record: the date and time of day change
 * once a second, so the last second's text is kept (per thread).
 */
void vbt_format_rfc3339(uint64_t real_ns, char *buf, size_t len)
{
	static __thread char day[32];
	static __thread time_t day_sec = -1;
	static __thread size_t day_len;
	time_t sec = real_ns / 1000000000ULL;
	uint32_t ns = real_ns % 1000000000ULL;
	char out[48];
	struct tm tm;
	size_t n;

	if (sec != day_sec) {
		gmtime_r(&sec, &tm);
		day_len = strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
		day_sec = sec;
	}
	memcpy(out, day, day_len);
	out[day_len] = '.';
	for (int i = 9; i > 0; i--) {
		out[day_len + i] = '0' + ns % 10;
		ns /= 10;
	}
	out[day_len + 10] = 'Z';
	n = day_len + 11;
	if (!len)
		return;
	if (n > len - 1)	/* truncated, as snprintf() would */
		n = len - 1;
	memcpy(buf, out, n);
	buf[n] = 0;
}

static void format_tod(uint64_t real_ns, char *buf, size_t len, bool utc)
{
	time_t sec = real_ns / 1000000000ULL;
	struct tm tm;
	char hms[16];

	if (utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06llu", hms,
		 (unsigned long long)(real_ns % 1000000000ULL) / 1000);
}

void vbt_format_tod(uint64_t real_ns, char *buf, size_t len)
{
	format_tod(real_ns, buf, len, false);
}

void vbt_format_tod_utc(uint64_t real_ns, char *buf, size_t len)
{
	format_tod(real_ns, buf, len, true);
}
