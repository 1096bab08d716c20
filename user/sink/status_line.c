// SPDX-License-Identifier: GPL-2.0
/* The status line of timed recordings (status_line.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/msg.h"
#include "sink/status_line.h"

#define NS_PER_SEC 1000000000ULL

bool vbt_terminal_capable(int fd)
{
	const char *term = getenv("TERM");

	return isatty(fd) && term && *term && strcmp(term, "dumb");
}

void vbt_status_line_init(struct vbt_status_line *st, double duration_s,
			  uint64_t now)
{
	memset(st, 0, sizeof(*st));
	st->enabled = duration_s > 0 && vbt_terminal_capable(STDERR_FILENO);
	st->end_ns = now + (uint64_t)(duration_s * NS_PER_SEC);
	st->next_ns = now;
}

void vbt_status_line_update(struct vbt_status_line *st, uint64_t now,
			    uint64_t failures)
{
	uint64_t left;

	if (!st->enabled || now < st->next_ns)
		return;
	left = now < st->end_ns ? st->end_ns - now : 0;
	/* Round up: "1 s left" until the very end, never "0 s left". */
	fprintf(stderr, "\r\033[K%s: %" PRIu64 " s left, %" PRIu64
		" failed I/O%s so far", vbt_prog, (uint64_t)((left + NS_PER_SEC - 1) / NS_PER_SEC),
		failures, failures == 1 ? "" : "s");
	fflush(stderr);
	st->shown = true;
	st->next_ns = now + NS_PER_SEC;
}

void vbt_status_line_clear(struct vbt_status_line *st)
{
	if (!st->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	st->shown = false;
	/* Redraw at the next update, below what was just written. */
	st->next_ns = 0;
}
