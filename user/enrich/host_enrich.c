// SPDX-License-Identifier: GPL-2.0
/* From a host event to the VM, drive and configuration behind it. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "enrich/cause.h"
#include "enrich/host_enrich.h"
#include "system/disks.h"

/* IORING_OP_* and IOCB_CMD_* values are UAPI. */
enum { URING_READV = 1, URING_READ_FIXED = 4, URING_READ = 22 };
enum { IOCB_PREAD = 0, IOCB_PREADV = 7 };

bool vbt_event_is_read(const struct vbt_event *ev)
{
	switch (ev->kind) {
	case VBT_KIND_SYSCALL:
		switch (ev->sys.sys) {
		case VBT_SYS_READ: case VBT_SYS_PREAD64: case VBT_SYS_READV:
		case VBT_SYS_PREADV: case VBT_SYS_PREADV2:
			return true;
		case VBT_SYS_IO_SUBMIT:
			return ev->sys.arg == IOCB_PREAD || ev->sys.arg == IOCB_PREADV;
		default:
			return false;
		}
	case VBT_KIND_IO_URING:
		return ev->async.opcode == URING_READV ||
		       ev->async.opcode == URING_READ_FIXED ||
		       ev->async.opcode == URING_READ;
	case VBT_KIND_AIO:
		return ev->async.opcode == IOCB_PREAD ||
		       ev->async.opcode == IOCB_PREADV;
	case VBT_KIND_BLOCK:
		return ev->blk.op == VBT_OP_READ;
	}
	return false;
}

const char *vbt_guest_sees(const char *policy, int err)
{
	if (!policy || !*policy)
		return "";
	if (!strcmp(policy, "report"))
		return "IOERR";
	if (!strcmp(policy, "ignore"))
		return "success (error ignored)";
	if (!strcmp(policy, "stop"))
		return "VM paused";
	if (!strcmp(policy, "enospc"))
		return err == ENOSPC ? "VM paused (ENOSPC)" : "IOERR";
	/* A vendor QEMU's retry policy (seed 001): QEMU resubmits the
	 * request every retry_interval until retry_timeout, then reports. */
	if (!strcmp(policy, "retry"))
		return "a hang while QEMU retries, then IOERR after retry_timeout";
	if (!strcmp(policy, "auto"))
		return err == ENOSPC ? "IOERR, or VM paused if a write (auto)" :
				       "IOERR";
	return "an unknown policy";
}

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

void vbt_host_fill(struct vbt_host_info *h, const struct vbt_vm *vm,
		   const struct vbt_drive *d)
{
	h->known = true;
	copy(h->vm, sizeof(h->vm), vbt_vm_label(vm));
	if (!d)
		return;
	copy(h->drive, sizeof(h->drive), d->id ? d->id : d->drive);
	copy(h->node, sizeof(h->node), d->node);
	copy(h->image, sizeof(h->image), d->image);
	copy(h->format, sizeof(h->format), d->format);
	copy(h->aio, sizeof(h->aio),
	     d->aio == VBT_AIO_UNKNOWN ? NULL : vbt_aio_name(d->aio));
	copy(h->cache, sizeof(h->cache), d->cache);
	h->direct = d->fd_direct >= 0 ? d->fd_direct : d->direct;
	copy(h->werror, sizeof(h->werror), d->werror);
	copy(h->rerror, sizeof(h->rerror), d->rerror);
	h->aio_confirmed = d->aio_confirmed;
}

/* The whole disk a stat()ed image lives on, or is. */
static uint32_t image_disk(const char *image)
{
	struct vbt_part p;
	struct stat st;
	dev_t dev;

	if (!image || stat(image, &st))
		return 0;
	dev = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
	vbt_part_lookup("/sys", vbt_mkdev(major(dev), minor(dev)), &p);
	return p.disk;
}

/* A host block device error: the first VM drive whose image is on it. */
static bool enrich_block(const struct vbt_vmtrack *t, struct vbt_event *ev)
{
	for (int i = 0; i < t->nvms; i++)
		for (int j = 0; j < t->vms[i].ndrives; j++) {
			const struct vbt_drive *d = &t->vms[i].drives[j];

			if (image_disk(d->image) != ev->blk.dev)
				continue;
			vbt_host_fill(&ev->host, &t->vms[i], d);
			return true;
		}
	return false;
}

bool vbt_is_alignment_probe(const struct vbt_vmtrack *t,
			    const struct vbt_event *ev)
{
	return ev->kind == VBT_KIND_SYSCALL && ev->err == EINVAL &&
	       ev->sys.offset == 0 &&
	       (ev->sys.sys == VBT_SYS_PREAD64 || ev->sys.sys == VBT_SYS_PREADV) &&
	       ev->sys.len <= 4096 && vbt_vmtrack_vm(t, ev->pid);
}

bool vbt_host_enrich(const struct vbt_vmtrack *t, struct vbt_event *ev)
{
	const struct vbt_drive *d = NULL;
	const struct vbt_vm *vm;
	const char *policy;
	int fd = -1;

	if (ev->kind == VBT_KIND_BLOCK) {
		if (!ev->err || !enrich_block(t, ev))
			return false;
	} else {
		vm = vbt_vmtrack_vm(t, ev->pid);
		if (!vm)
			return false;
		if (ev->kind == VBT_KIND_SYSCALL)
			fd = ev->sys.fd;
		else if (ev->kind == VBT_KIND_IO_URING || ev->kind == VBT_KIND_AIO)
			fd = ev->async.fd;
		if (fd >= 0)
			d = vbt_vm_drive_by_fd(vm, fd);
		if (!d && ev->kind == VBT_KIND_SYSCALL && ev->sys.path[0])
			d = vbt_vm_drive_by_path(vm, ev->sys.path);
		vbt_host_fill(&ev->host, vm, d);
	}
	policy = vbt_event_is_read(ev) ? ev->host.rerror : ev->host.werror;
	copy(ev->host.guest_sees, sizeof(ev->host.guest_sees),
	     ev->err ? vbt_guest_sees(policy, ev->err) : NULL);
	return true;
}
