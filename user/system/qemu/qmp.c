// SPDX-License-Identifier: GPL-2.0
/* The read-only QMP client (qmp.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "system/qemu/qemu_int.h"
#include "system/qemu/qmp.h"

#define QMP_MAX_LINE	(4 * 1024 * 1024)	/* a reply larger is refused */
#define QMP_MAX_DEPTH	64

/* ---- finding the socket -------------------------------------------- */

/* "unix:/p,server=on" or "/p" (-qmp), or a -chardev's path=: the path. */
static int qmp_arg_path(const char *arg, char *path, size_t len)
{
	struct vbt_qopts o = { 0 };
	const char *p;
	int ret = -ENOENT;

	if (!strncmp(arg, "unix:", 5))
		arg += 5;
	else if (strchr(arg, ':') && arg[0] != '/')
		return -ENOENT;		/* tcp:, stdio, ...: not a path */
	if (vbt_qopts_parse(arg, "path", &o, NULL, 0))
		return -EINVAL;
	p = vbt_qopts_get(&o, "path");
	if (p && p[0] == '/' && strlen(p) < len) {
		strcpy(path, p);
		ret = 0;
	}
	vbt_qopts_free(&o);
	return ret;
}

/* The chardev id of a -mon in control (QMP) mode, else NULL (malloc). */
static char *control_mon(const char *arg)
{
	struct vbt_qopts o = { 0 };
	const char *mode, *dev;
	char *id = NULL;

	if (vbt_qopts_parse(arg, "chardev", &o, NULL, 0))
		return NULL;
	mode = vbt_qopts_get(&o, "mode");
	dev = vbt_qopts_get(&o, "chardev");
	if (dev && mode && !strcmp(mode, "control"))
		id = strdup(dev);
	vbt_qopts_free(&o);
	return id;
}

static bool chardev_path(const char *arg, const char *id, char *path,
			 size_t len)
{
	struct vbt_qopts o = { 0 };
	const char *b, *i, *p;
	bool ok = false;

	if (vbt_qopts_parse(arg, "backend", &o, NULL, 0))
		return false;
	b = vbt_qopts_get(&o, "backend");
	i = vbt_qopts_get(&o, "id");
	p = vbt_qopts_get(&o, "path");
	if (b && !strcmp(b, "socket") && i && !strcmp(i, id) && p &&
	    p[0] == '/' && strlen(p) < len) {
		strcpy(path, p);
		ok = true;
	}
	vbt_qopts_free(&o);
	return ok;
}

/* Does @pid hold a listening socket bound to @path?  Proves it serves it. */
bool vbt_pid_listens_on(const char *procroot, int pid, const char *path)
{
	char file[PATH_MAX], link[64], target[64], *buf = NULL, *line, *save;
	unsigned long inodes[16];
	int n = 0;
	bool found = false;

	snprintf(file, sizeof(file), "%s/%d/net/unix", procroot, pid);
	if (vbt_qemu_read_file(file, &buf, 16 * 1024 * 1024) < 0)
		return false;
	/* Num RefCount Protocol Flags Type St Inode Path */
	for (line = strtok_r(buf, "\n", &save); line && n < 16;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long ino, flags;
		char p[PATH_MAX];

		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %lu %4095s", &flags,
			   &ino, p) == 3 && (flags & 0x10000) &&
		    !strcmp(p, path))
			inodes[n++] = ino;	/* __SO_ACCEPTCON: listening */
	}
	free(buf);
	for (int fd = 0; fd < 4096 && n && !found; fd++) {
		ssize_t r;

		snprintf(link, sizeof(link), "%s/%d/fd/%d", procroot, pid, fd);
		r = readlink(link, target, sizeof(target) - 1);
		if (r <= 0)
			continue;
		target[r] = 0;
		for (int i = 0; i < n; i++) {
			char want[40];

			snprintf(want, sizeof(want), "socket:[%lu]", inodes[i]);
			if (!strcmp(target, want))
				found = true;
		}
	}
	return found;
}

int vbt_qmp_socket_of(const char *procroot, int pid, char *path, size_t len)
{
	char file[PATH_MAX], *buf = NULL, *mon = NULL;
	ssize_t n;
	int ret = -ENOENT;

	snprintf(file, sizeof(file), "%s/%d/cmdline", procroot, pid);
	n = vbt_qemu_read_file(file, &buf, VBT_QEMU_MAX_CMDLINE);
	if (n < 0)
		return n;
	/* Arguments are NUL separated; the buffer is NUL terminated. */
	for (char *a = buf; a < buf + n && ret; a += strlen(a) + 1) {
		char *v = a + strlen(a) + 1;

		if (v >= buf + n)
			break;
		if (!strcmp(a, "-qmp") || !strcmp(a, "--qmp") ||
		    !strcmp(a, "-qmp-pretty"))
			ret = qmp_arg_path(v, path, len);
		else if (!mon && (!strcmp(a, "-mon") || !strcmp(a, "--mon")))
			mon = control_mon(v);
		if (!ret && !vbt_pid_listens_on(procroot, pid, path))
			ret = -ENOENT;
	}
	for (char *a = buf; a < buf + n && ret && mon; a += strlen(a) + 1) {
		char *v = a + strlen(a) + 1;

		if (v < buf + n && (!strcmp(a, "-chardev") ||
				    !strcmp(a, "--chardev")) &&
		    chardev_path(v, mon, path, len) &&
		    vbt_pid_listens_on(procroot, pid, path))
			ret = 0;
	}
	free(mon);
	free(buf);
	return ret;
}

/* ---- talking ------------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* The next JSON line from QEMU (events skipped unless @events). */
static struct json_object *read_msg(struct vbt_qmp *q, char *err,
				    size_t errlen)
{
	long long deadline = now_ms() + q->timeout_ms;

	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		long long left;
		ssize_t r;

		if (nl) {
			struct json_tokener *tok;
			struct json_object *o;
			size_t n = nl - q->buf;

			tok = json_tokener_new_ex(QMP_MAX_DEPTH);
			o = tok ? json_tokener_parse_ex(tok, q->buf, n) : NULL;
			if (o && json_tokener_get_error(tok) != json_tokener_success) {
				json_object_put(o);
				o = NULL;
			}
			json_tokener_free(tok);
			memmove(q->buf, nl + 1, q->len - n - 1);
			q->len -= n + 1;
			if (!o || !json_object_is_type(o, json_type_object)) {
				json_object_put(o);
				vbt_seterr(err, errlen, 0, "QMP sent something "
					    "that is not a JSON object");
				return NULL;
			}
			if (json_object_object_get_ex(o, "event", NULL)) {
				json_object_put(o);
				continue;
			}
			return o;
		}
		if (q->len >= QMP_MAX_LINE) {
			vbt_seterr(err, errlen, 0, "QMP reply longer than %d MiB",
				    QMP_MAX_LINE >> 20);
			return NULL;
		}
		left = deadline - now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			vbt_seterr(err, errlen, 0, "QMP monitor did not answer "
				    "within %d ms (another client holds it?)",
				    q->timeout_ms);
			errno = EBUSY;
			return NULL;
		}
		if (q->cap - q->len < 65536) {
			size_t cap = q->cap ? q->cap * 2 : 65536;
			char *b = realloc(q->buf, cap);

			if (!b) {
				vbt_seterr(err, errlen, 0, "out of memory");
				return NULL;
			}
			q->buf = b;
			q->cap = cap;
		}
		r = read(q->fd, q->buf + q->len, q->cap - q->len);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			vbt_seterr(err, errlen, 0, "QMP monitor closed the "
				    "connection");
			return NULL;
		}
		q->len += r;
	}
}

static struct json_object *execute(struct vbt_qmp *q, const char *cmd,
				   char *err, size_t errlen)
{
	struct json_object *o, *ret, *e;
	char line[128];
	int n;

	n = snprintf(line, sizeof(line), "{\"execute\":\"%s\"}\n", cmd);
	if (n >= (int)sizeof(line) || send(q->fd, line, n, MSG_NOSIGNAL) != n) {
		vbt_seterr(err, errlen, 0, "cannot send to the QMP monitor");
		return NULL;
	}
	o = read_msg(q, err, errlen);
	if (!o)
		return NULL;
	if (json_object_object_get_ex(o, "error", &e)) {
		vbt_seterr(err, errlen, 0, "QMP %s: %s", cmd,
			    vbt_qjson_str(e, "desc") ?: "error");
		json_object_put(o);
		return NULL;
	}
	if (!json_object_object_get_ex(o, "return", &ret)) {
		vbt_seterr(err, errlen, 0, "QMP %s: no return value", cmd);
		json_object_put(o);
		return NULL;
	}
	json_object_get(ret);
	json_object_put(o);
	return ret;
}

int vbt_qmp_open(const char *path, int timeout_ms, struct vbt_qmp *q,
		 char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct json_object *o;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->timeout_ms = timeout_ms;
	if (strlen(path) >= sizeof(a.sun_path)) {
		vbt_seterr(err, errlen, 0, "QMP socket path too long");
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, path);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;

		vbt_seterr(err, errlen, 0, "cannot connect to %s: %s", path,
			    strerror(e));
		vbt_qmp_close(q);
		return -e;
	}
	o = read_msg(q, err, errlen);	/* the greeting: {"QMP": {...}} */
	if (!o || !json_object_object_get_ex(o, "QMP", NULL)) {
		if (o)
			vbt_seterr(err, errlen, 0, "%s is not a QMP monitor", path);
		json_object_put(o);
		vbt_qmp_close(q);
		return o ? -EPROTO : -EBUSY;
	}
	json_object_put(o);
	o = execute(q, "qmp_capabilities", err, errlen);
	if (!o) {
		vbt_qmp_close(q);
		return -EPROTO;
	}
	json_object_put(o);
	return 0;
}

struct json_object *vbt_qmp_query(struct vbt_qmp *q, const char *cmd,
				  char *err, size_t errlen)
{
	/* Read-only by construction: no command that changes the VM. */
	if (strncmp(cmd, "query-", 6) || strspn(cmd + 6,
	    "abcdefghijklmnopqrstuvwxyz-") != strlen(cmd + 6)) {
		vbt_seterr(err, errlen, 0, "refusing QMP command '%s'", cmd);
		errno = EPERM;
		return NULL;
	}
	return execute(q, cmd, err, errlen);
}

void vbt_qmp_close(struct vbt_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	free(q->buf);
	memset(q, 0, sizeof(*q));
	q->fd = -1;
}
