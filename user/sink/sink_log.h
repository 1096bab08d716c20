/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON Lines sink of 'vblktrace watch': alert records to stdout or to
 * a file that logrotate may move away (reopened on SIGHUP).  Each record is
 * one write(2) on an O_APPEND descriptor, so a reader never sees half a
 * line and copytruncate rotation works too.
 */
#ifndef VBT_SINK_LOG_H
#define VBT_SINK_LOG_H

#include <stdint.h>

struct vbt_sink_log {
	const char *path;	/* NULL: the fd given at open (stdout) */
	int fd;
	int last_error;		/* errno of the last failed write, reported once */
	uint64_t written;
	uint64_t failed;	/* records that could not be written */
};

/* Open @path (mode 0600, appended), or use @fd when @path is NULL. */
int vbt_sink_log_open(struct vbt_sink_log *l, const char *path, int fd,
		      char *err, size_t errlen);
/* After SIGHUP: a new file under the same name; 0 or -errno. */
int vbt_sink_log_reopen(struct vbt_sink_log *l);
void vbt_sink_log_write(struct vbt_sink_log *l, const char *line);
void vbt_sink_log_close(struct vbt_sink_log *l);

#endif
