// SPDX-License-Identifier: GPL-2.0
/* Following QEMU processes as they come and go. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "system/vmtrack.h"

#define LIBVIRT_XML_MAX (4 * 1024 * 1024)

void vbt_vmtrack_init(struct vbt_vmtrack *t, struct vbt_source *src,
		      FILE *notes)
{
	memset(t, 0, sizeof(*t));
	t->procroot = "/proc";
	t->libvirt_dir = "/run/libvirt/qemu";
	t->src = src;
	t->notes = notes;
}

/* libvirt's live XML names what QEMU never sees (target dev, serial). */
static void apply_libvirt(struct vbt_vmtrack *t, struct vbt_vm *vm)
{
	char path[512], err[256], *buf;
	struct stat st;
	ssize_t n;
	int fd;

	if (!vm->name || strchr(vm->name, '/'))
		return;
	snprintf(path, sizeof(path), "%s/%s.xml", t->libvirt_dir, vm->name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > LIBVIRT_XML_MAX) {
		close(fd);
		return;
	}
	buf = malloc(st.st_size + 1);
	n = buf ? read(fd, buf, st.st_size) : -1;
	close(fd);
	if (n > 0 && vbt_libvirt_apply_xml(vm, buf, n, err, sizeof(err)) &&
	    t->notes)
		fprintf(t->notes, "vblktrace: %s: %s\n", path, err);
	free(buf);
}

static bool pid_in(const struct vbt_vm *vms, int n, int pid)
{
	for (int i = 0; i < n; i++)
		if (vms[i].pid == pid)
			return true;
	return false;
}

void vbt_vm_describe(const struct vbt_vm *vm, FILE *f)
{
	fprintf(f, "VM %s (pid %d%s)\n", vm->name ? vm->name : "?", vm->pid,
		vm->inspected ? "" :
		"; /proc/PID/fd unreadable: needs CAP_SYS_PTRACE, fds and "
		"O_DIRECT not confirmed");
	for (int i = 0; i < vm->ndrives; i++) {
		const struct vbt_drive *d = &vm->drives[i];

		fprintf(f, "  %-14s %s (%s%s%s) aio=%s%s cache=%s%s werror=%s rerror=%s\n",
			d->id ? d->id : d->node ? d->node : "?",
			d->image ? d->image : "?",
			d->format ? d->format : "format probed",
			d->filters ? ", via " : "",
			d->filters ? d->filters : "",
			vbt_aio_name(d->aio),
			d->aio == VBT_AIO_NATIVE && vm->inspected ?
				(d->aio_confirmed ? " (AIO ring seen)" :
				 " (no AIO ring: QEMU fell back to threads?)") : "",
			d->cache ? d->cache : "?",
			d->fd_direct == 1 ? " (O_DIRECT confirmed)" :
			d->fd_direct == 0 && d->direct ?
				" (O_DIRECT configured but not set!)" : "",
			d->werror ? d->werror : "?",
			d->rerror ? d->rerror : "?");
	}
}

int vbt_vmtrack_scan(struct vbt_vmtrack *t)
{
	struct vbt_vm *vms = NULL;
	int n = 0, ret;

	ret = vbt_qemu_scan(t->procroot, &vms, &n);
	if (ret < 0)
		return ret;
	for (int i = 0; i < n; i++) {
		apply_libvirt(t, &vms[i]);
		if (pid_in(t->vms, t->nvms, vms[i].pid))
			continue;
		if (t->src && t->src->ops->watch_pid)
			t->src->ops->watch_pid(t->src, vms[i].pid, true);
		if (t->notes)
			vbt_vm_describe(&vms[i], t->notes);
	}
	for (int i = 0; i < t->nvms; i++) {
		if (pid_in(vms, n, t->vms[i].pid))
			continue;
		if (t->src && t->src->ops->watch_pid)
			t->src->ops->watch_pid(t->src, t->vms[i].pid, false);
		if (t->notes)
			fprintf(t->notes, "vblktrace: VM %s (pid %d) is gone\n",
				t->vms[i].name ? t->vms[i].name : "?",
				t->vms[i].pid);
	}
	for (int i = 0; i < t->nextra && t->src; i++)
		t->src->ops->watch_pid(t->src, t->extra_pids[i], true);
	for (int i = 0; i < t->nvms; i++)
		vbt_vm_free(&t->vms[i]);
	free(t->vms);
	t->vms = vms;
	t->nvms = n;
	return n;
}

const struct vbt_vm *vbt_vmtrack_vm(const struct vbt_vmtrack *t, uint32_t pid)
{
	for (int i = 0; i < t->nvms; i++)
		if ((uint32_t)t->vms[i].pid == pid)
			return &t->vms[i];
	return NULL;
}

void vbt_vmtrack_free(struct vbt_vmtrack *t)
{
	for (int i = 0; i < t->nvms; i++)
		vbt_vm_free(&t->vms[i]);
	free(t->vms);
	t->vms = NULL;
	t->nvms = 0;
}

bool vbt_qemu_running(void)
{
	struct vbt_vm *vms = NULL;
	int n = 0;

	if (vbt_qemu_scan("/proc", &vms, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		vbt_vm_free(&vms[i]);
	free(vms);
	return n > 0;
}
