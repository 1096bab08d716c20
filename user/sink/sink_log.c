// SPDX-License-Identifier: GPL-2.0
/* Alert records as JSON Lines, to stdout or an appended, reopenable file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>

#include "sink/sink_log.h"
#include "util/msg.h"

static int open_log(const char *path)
{
	/* Records name VMs, images and processes: private to root. */
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
}

int vbt_sink_log_open(struct vbt_sink_log *l, const char *path, int fd,
		      char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	l->path = path;
	l->fd = path ? open_log(path) : fd;
	if (l->fd < 0) {
		snprintf(err, errlen, "cannot open log %s: %s", path,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

int vbt_sink_log_reopen(struct vbt_sink_log *l)
{
	int fd;

	if (!l->path)
		return 0;
	fd = open_log(l->path);
	if (fd < 0) {
		/* Keep writing to the old file rather than nowhere. */
		vbt_msg("cannot reopen %s: %s; still "
			"writing to the old file\n", l->path, strerror(errno));
		return -errno;
	}
	close(l->fd);
	l->fd = fd;
	l->last_error = 0;
	return 0;
}

void vbt_sink_log_write(struct vbt_sink_log *l, const char *line)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)line, .iov_len = strlen(line) },
		{ .iov_base = "\n", .iov_len = 1 },
	};
	size_t want = iov[0].iov_len + 1;
	ssize_t n;

	do
		n = writev(l->fd, iov, 2);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)want) {
		l->written++;
		return;
	}
	l->failed++;
	if (n < 0 && errno != l->last_error) {
		l->last_error = errno;
		vbt_msg("writing alert records to %s: %s\n",
			l->path ? l->path : "stdout", strerror(errno));
	}
}

void vbt_sink_log_close(struct vbt_sink_log *l)
{
	if (l->path && l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
