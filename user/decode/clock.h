/* SPDX-License-Identifier: GPL-2.0 */
/* Turning CLOCK_MONOTONIC stamps from the kernel into wall-clock time. */
#ifndef VBT_CLOCK_H
#define VBT_CLOCK_H

#include <stddef.h>
#include <stdint.h>

struct vbt_clock {
	int64_t mono_to_real_ns;	/* realtime = mono + this */
};

void vbt_clock_init(struct vbt_clock *c);
uint64_t vbt_mono_now(void);
/* "2026-11-22T04:22:11.123456789Z" */
void vbt_format_rfc3339(uint64_t real_ns, char *buf, size_t len);
/* "04:22:11.123456" local time of day, for the human view */
void vbt_format_tod(uint64_t real_ns, char *buf, size_t len);
/* The same in UTC: offline reports do not depend on the reader's zone. */
void vbt_format_tod_utc(uint64_t real_ns, char *buf, size_t len);

#endif
