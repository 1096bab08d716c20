/* SPDX-License-Identifier: GPL-2.0 */
/* Counting what was seen, for the periodic and the final summary. */
#ifndef VBT_SUMMARY_H
#define VBT_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode/clock.h"
#include "decode/event.h"

#define VBT_SUMMARY_ROWS 256

struct vbt_summary_row {
	char what[48];		/* disk name, or syscall/io_uring/aio */
	int op;			/* vbt_op for block rows, else -1 */
	int err;
	int status;
	uint64_t count;
	uint64_t first_ns, last_ns;
};

struct vbt_summary {
	uint64_t start_ns;
	uint64_t events;	/* delivered and shown */
	uint64_t errors;	/* of them, failures */
	uint64_t lost;		/* records the kernel could not deliver */
	uint64_t unseen;	/* of them, completions never traced (audit) */
	uint64_t bad;		/* records we could not decode */
	uint64_t expected;	/* errors that are normal behaviour, not shown */
	uint64_t overflow;	/* failures not fitting in rows[] */
	uint64_t stuck;		/* requests reported stuck */
	uint64_t stuck_ended;	/* of them, seen to end */
	struct vbt_summary_row rows[VBT_SUMMARY_ROWS];
	int nrows;
};

void vbt_summary_init(struct vbt_summary *s, uint64_t now);
void vbt_summary_add(struct vbt_summary *s, const struct vbt_event *ev);
void vbt_summary_print(const struct vbt_summary *s, FILE *f,
		       const struct vbt_clock *clock, uint64_t now, bool final);

#endif
