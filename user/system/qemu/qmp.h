/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A read-only QMP client: what a running QEMU says of itself (its PCI
 * devices, hot-plugged ones included; its drives and whether each still
 * has a backend; whether it is paused by an I/O error).
 *
 * It only ever sends qmp_capabilities and query-* commands: nothing that
 * changes the VM.  It connects only to a socket the QEMU process itself
 * listens on (checked through /proc/PID/net/unix and its fds), so a command
 * line cannot point it at another service.  A QMP monitor serves one
 * client at a time: when libvirt or an operator holds it, the greeting
 * never comes and the caller hears -EBUSY, not a guess.
 */
#ifndef VBT_QMP_H
#define VBT_QMP_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

struct vbt_qmp {
	int fd;
	char *buf;		/* bytes read past the last line */
	size_t len, cap;
	int timeout_ms;
};

/*
 * The path of a QMP socket process @pid listens on, from its command line
 * (-qmp unix:PATH, or -chardev socket,path=PATH with -mon mode=control).
 * Returns 0, -ENOENT (none), or another negative errno.
 */
int vbt_qmp_socket_of(const char *procroot, int pid, char *path, size_t len);

/* Does @pid hold a listening unix socket bound to @path? */
bool vbt_pid_listens_on(const char *procroot, int pid, const char *path);

/* Connect, read the greeting, negotiate capabilities. */
int vbt_qmp_open(const char *path, int timeout_ms, struct vbt_qmp *q,
		 char *err, size_t errlen);
/*
 * Run a query-* command (anything else is refused, -EPERM) and return its
 * "return" value (the caller puts it), or NULL with a message in @err.
 */
struct json_object *vbt_qmp_query(struct vbt_qmp *q, const char *cmd,
				  char *err, size_t errlen);
void vbt_qmp_close(struct vbt_qmp *q);

#endif
