// SPDX-License-Identifier: GPL-2.0
/*
 * libvirt's live domain XML on disk (RUN_DIR/NAME.xml): the one place that
 * opens it.  It is read only for a VM whose name libvirt's own pid file
 * vouches for (qemu_verify.c), never through a symlink, only as a regular
 * root-owned file of bounded size: a user who can start a process named
 * like another VM must not get that VM's XML read in its place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "system/qemu/qemu_int.h"

char *vbt_libvirt_live_xml(const struct vbt_vm *vm, size_t *len)
{
	char path[512];
	struct stat st;
	size_t n = 0;
	ssize_t r;
	char *buf;
	int fd;

	if (!vm->name || !vm->libvirt_verified || strchr(vm->name, '/') ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s.xml",
			     vbt_libvirt_run_dir, vm->name) >= sizeof(path))
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    st.st_size <= 0 || st.st_size > VBT_LIBVIRT_MAX_XML) {
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	/* libvirt rewrites the file in place of the old one (rename), so
	 * what this fd holds is one whole version. */
	while (buf && n < (size_t)st.st_size) {
		r = read(fd, buf + n, st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	if (!buf || !n) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

void vbt_libvirt_apply_live(struct vbt_vm *vm)
{
	char err[256];
	size_t len;
	char *xml = vbt_libvirt_live_xml(vm, &len);

	if (!xml)
		return;
	if (vbt_libvirt_apply_xml(vm, xml, len, err, sizeof(err))) {
		free(vm->libvirt_err);
		vm->libvirt_err = strdup(err);
	}
	free(xml);
}
