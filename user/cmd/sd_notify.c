// SPDX-License-Identifier: GPL-2.0
/* systemd's readiness protocol (sd_notify.h). */
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd/sd_notify.h"

static int notify_fd = -1;
static struct sockaddr_un notify_addr;
static socklen_t notify_len;

void vbt_sd_notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t n;

	if (!path || notify_fd >= 0)
		return;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n < 2 ||
	    n >= sizeof(notify_addr.sun_path))
		goto out;
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, path, n);
	if (path[0] == '@')
		notify_addr.sun_path[0] = 0;
	notify_len = offsetof(struct sockaddr_un, sun_path) + n;
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
out:
	unsetenv("NOTIFY_SOCKET");
}

void vbt_sd_notify(const char *state)
{
	if (notify_fd < 0)
		return;
	(void)!sendto(notify_fd, state, strlen(state), MSG_NOSIGNAL,
		      (struct sockaddr *)&notify_addr, notify_len);
}
