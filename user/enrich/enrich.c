// SPDX-License-Identifier: GPL-2.0
/* The enrichment every session does (enrich.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "enrich/enrich.h"

void vbt_enricher_init(struct vbt_enricher *e, const struct vbt_disk *disks,
		       int ndisks, const char *sysroot)
{
	e->disks = disks;
	e->ndisks = ndisks;
	e->last = NULL;
	vbt_devnames_init(&e->names, disks, ndisks, sysroot);
	vbt_cause_init(&e->causes, sysroot);
	memset(&e->scsi, 0, sizeof(e->scsi));
}

bool vbt_enrich_absorb(struct vbt_enricher *e, const struct vbt_event *ev)
{
	if (ev->kind != VBT_KIND_SCSI)
		return false;
	vbt_scsi_note(&e->scsi, ev);
	return true;
}

/*
 * The path behind an fd, from /proc while the process lives; after it
 * exited, a block device is still named by its device number, a file by
 * its inode.
 */
static void fd_path(struct vbt_enricher *e, uint32_t pid, int fd,
		    uint32_t bdev, uint64_t ino, bool blk, char *path,
		    size_t len)
{
	const char *name;
	char link[64];
	ssize_t n = -1;
	bool found;

	snprintf(link, sizeof(link), "/proc/%u/fd/%d", pid, fd);
	if (fd >= 0)
		n = readlink(link, path, len - 1);
	if (n > 0) {
		path[n] = 0;
		return;
	}
	path[0] = 0;
	if (!bdev)
		return;
	name = vbt_devname(&e->names, bdev, &found);
	if (blk && found)
		snprintf(path, len, "/dev/%s", name);
	else
		snprintf(path, len, "inode %llu on %s", (unsigned long long)ino,
			 name);
}

/* The disk a file lives on: alerts and metrics label errors with it. */
static void file_disk(struct vbt_enricher *e, uint32_t bdev, char *disk,
		      size_t len)
{
	disk[0] = 0;
	if (bdev)
		snprintf(disk, len, "%s", vbt_devname(&e->names, bdev, NULL));
}

/* virtio_blk maps BLK_STS_NOTSUPP to UNSUPP and all else to IOERR. */
static void derive_virtio(const struct vbt_disk *d, struct vbt_block_info *b)
{
	if (!d || !d->virtio || b->virtio_status != VBT_VIRTIO_NONE ||
	    b->status < 0 || b->not_issued)
		return;
	b->virtio_status = b->status == 0 ? VBT_VIRTIO_OK :
			   b->status == 1 ? VBT_VIRTIO_UNSUPP :
			   VBT_VIRTIO_IOERR;
	b->virtio_derived = true;
}

void vbt_enrich_event(struct vbt_enricher *e, struct vbt_event *ev)
{
	const struct vbt_disk *d;

	switch (ev->kind) {
	case VBT_KIND_SYSCALL:
		fd_path(e, ev->pid, ev->sys.fd, ev->sys.bdev, ev->sys.ino,
			ev->sys.ftype == VBT_FTYPE_BLK, ev->sys.path,
			sizeof(ev->sys.path));
		file_disk(e, ev->sys.bdev, ev->sys.disk, sizeof(ev->sys.disk));
		vbt_cause_link(&e->causes, ev);
		break;
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		/* Only AIO completions know their file (a dev, not a mode). */
		fd_path(e, ev->pid, ev->async.fd, ev->async.bdev,
			ev->async.ino,
			vbt_disk_by_dev(e->disks, e->ndisks, ev->async.bdev),
			ev->async.path, sizeof(ev->async.path));
		file_disk(e, ev->async.bdev, ev->async.disk,
			  sizeof(ev->async.disk));
		break;
	case VBT_KIND_BLOCK:
		d = e->last && e->last->dev == ev->blk.dev ? e->last :
		    vbt_disk_by_dev(e->disks, e->ndisks, ev->blk.dev);
		if (d)
			e->last = d;
		if (!ev->blk.disk[0] && d)
			snprintf(ev->blk.disk, sizeof(ev->blk.disk), "%s",
				 d->name);
		vbt_scsi_join(&e->scsi, ev);
		derive_virtio(d, &ev->blk);
		break;
	case VBT_KIND_BIO:
		snprintf(ev->bio.disk, sizeof(ev->bio.disk), "%s",
			 vbt_devname(&e->names, ev->bio.dev, NULL));
		if (ev->bio.remap)
			snprintf(ev->bio.from_disk, sizeof(ev->bio.from_disk),
				 "%s", vbt_devname(&e->names, ev->bio.from_dev,
						   NULL));
		break;
	}
}

void vbt_enrich_emitted(struct vbt_enricher *e, const struct vbt_event *ev)
{
	vbt_cause_note_block(&e->causes, ev);
}
