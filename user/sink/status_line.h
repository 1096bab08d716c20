/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one-line progress display of a timed recording (live -t, bundle -t,
 * watch -t) on a terminal: time left and failures so far, redrawn in place
 * on stderr about once a second.  Nothing is drawn on a pipe, a file or a
 * TERM=dumb terminal, where a redrawn line would only be noise.
 */
#ifndef VBT_STATUS_LINE_H
#define VBT_STATUS_LINE_H

#include <stdbool.h>
#include <stdint.h>

struct vbt_status_line {
	bool enabled;
	bool shown;		/* a line is on the screen now */
	uint64_t end_ns;	/* monotonic end of the recording */
	uint64_t next_ns;	/* next redraw */
};

/* Enabled when @duration_s > 0 and stderr is a capable terminal. */
void vbt_status_line_init(struct vbt_status_line *st, double duration_s,
			  uint64_t now);
void vbt_status_line_update(struct vbt_status_line *st, uint64_t now,
			    uint64_t failures);
/* Erase the line before anything else is written to the terminal. */
void vbt_status_line_clear(struct vbt_status_line *st);

/* A terminal that understands colour and cursor control (not TERM=dumb). */
bool vbt_terminal_capable(int fd);

#endif
