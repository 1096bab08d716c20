// SPDX-License-Identifier: GPL-2.0
/* From raw ABI records to struct vbt_event. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "decode/event.h"
#include "decode/names.h"
#include "decode/scsi_names.h"

_Static_assert(sizeof(struct vbt_hdr) == 48, "ABI: vbt_hdr size");
_Static_assert(sizeof(struct vbt_block) == 112, "ABI: vbt_block size");
_Static_assert(sizeof(struct vbt_syscall) == 112, "ABI: vbt_syscall size");
_Static_assert(sizeof(struct vbt_async) == 104, "ABI: vbt_async size");
_Static_assert(sizeof(struct vbt_lost) == 56, "ABI: vbt_lost size");
_Static_assert(sizeof(struct vbt_scsi) == 120, "ABI: vbt_scsi size");
_Static_assert(sizeof(struct vbt_bio) == 80, "ABI: vbt_bio size");

static void copy_str(char *dst, const char *src, size_t n)
{
	/* Kernel strings may fill their buffer without a terminating NUL. */
	memcpy(dst, src, n);
	dst[n] = 0;
}

static void decode_block(const struct vbt_block *b, struct vbt_event *ev)
{
	struct vbt_block_info *bi = &ev->blk;

	bi->dev = b->dev;
	bi->sector = b->sector;
	bi->bytes = b->nr_bytes;
	bi->nr_sectors = b->nr_bytes >> 9;
	bi->flags = b->rq_flags;
	bi->issuer_known = b->src & VBT_SRC_ISSUER;
	bi->not_issued = b->src & VBT_SRC_NOT_ISSUED;
	bi->lat_ns = 0;
	if ((b->src & VBT_SRC_ISSUE_TS) && b->issue_ns &&
	    b->issue_ns <= b->hdr.mono_ns)
		bi->lat_ns = b->hdr.mono_ns - b->issue_ns;

	if (b->src & VBT_SRC_DEV_ONLY) {
		/* Classic tracepoint: errno given, op in rwbs, no disk name. */
		char rwbs[VBT_DISK_NAME_LEN + 1];
		uint32_t flags = 0;

		copy_str(rwbs, b->disk, 8);
		bi->op = vbt_op_from_rwbs(rwbs, &flags);
		if (bi->op < 0)
			bi->op = VBT_OP_UNKNOWN;
		bi->flags = flags;
		bi->disk[0] = 0;
		bi->status = -1;
		ev->err = vbt_errno_abs(b->hdr.err);
	} else {
		copy_str(bi->disk, b->disk, VBT_DISK_NAME_LEN);
		bi->op = b->op < VBT_OP_MAX ? b->op : VBT_OP_UNKNOWN;
		bi->status = b->status;
		ev->err = b->status ? vbt_blk_status_errno(b->status) : 0;
	}

	bi->virtio_status = b->virtio_status;
	bi->virtio_derived = false;
	if (b->src & VBT_SRC_VIRTIO_DERIVED)
		bi->virtio_derived = true;
}

static void decode_scsi(const struct vbt_scsi *r, struct vbt_event *ev)
{
	struct vbt_scsi_info *si = &ev->scsi;
	struct vbt_sense sense;

	ev->scsi_dev = r->dev;
	ev->scsi_sector = r->sector;
	si->known = true;
	si->host = r->host_no;
	si->channel = r->channel;
	si->id = r->id;
	si->lun = r->lun;
	si->result = r->result;
	si->opcode = r->opcode;
	si->tries = 1;
	vbt_sense_parse(r->sense, r->sense_len <= VBT_SCSI_SENSE_LEN ?
			r->sense_len : VBT_SCSI_SENSE_LEN, &sense);
	si->sense_key = sense.key;
	si->asc = sense.asc;
	si->ascq = sense.ascq;
	si->deferred = sense.deferred;
}

static void decode_bio(const struct vbt_bio *r, struct vbt_event *ev)
{
	struct vbt_bio_info *bi = &ev->bio;

	bi->dev = r->dev;
	bi->op = r->op < VBT_OP_MAX ? r->op : VBT_OP_UNKNOWN;
	bi->sector = r->sector;
	bi->bytes = r->nr_bytes;
	bi->nr_sectors = r->nr_bytes >> 9;
	bi->status = r->status;
	bi->stacked = r->flags & VBT_BIO_STACKED;
	bi->remap = r->flags & VBT_BIO_REMAP;
	if (bi->remap) {
		bi->from_dev = r->from_dev;
		bi->from_sector = r->from_sector;
	}
	ev->err = r->status ? vbt_blk_status_errno(r->status) : 0;
}

static void decode_stuck(const struct vbt_stuck *r, struct vbt_event *ev)
{
	struct vbt_stuck_info *st = &ev->stuck;

	st->dev = r->dev;
	copy_str(st->disk, r->disk, VBT_DISK_NAME_LEN);
	st->op = r->op < VBT_OP_MAX ? r->op : VBT_OP_UNKNOWN;
	st->sector = r->sector;
	st->bytes = r->nr_bytes;
	st->nr_sectors = r->nr_bytes >> 9;
	st->phase = r->phase;
	st->status = r->phase == VBT_STUCK_ENDED ? r->status : -1;
	st->start_ns = r->start_ns;
	st->age_ns = r->hdr.mono_ns > r->start_ns ?
		     r->hdr.mono_ns - r->start_ns : 0;
	st->slot = r->slot;
	st->issuer_known = r->hdr.pid != 0;
	if (st->status > 0)
		ev->err = vbt_blk_status_errno(st->status);
}

int vbt_event_decode(const void *data, size_t size, struct vbt_event *ev,
		     char *msg, size_t msglen)
{
	const struct vbt_hdr *h = data;
	size_t need;

	if (size < sizeof(*h)) {
		snprintf(msg, msglen, "record of %zu bytes is shorter than its header",
			 size);
		return -EINVAL;
	}
	if (h->abi != VBT_ABI_VERSION) {
		snprintf(msg, msglen, "record speaks ABI version %u, this vblktrace knows %u",
			 h->abi, VBT_ABI_VERSION);
		return -EINVAL;
	}
	switch (h->kind) {
	case VBT_KIND_BLOCK:
		need = sizeof(struct vbt_block);
		break;
	case VBT_KIND_SYSCALL:
		need = sizeof(struct vbt_syscall);
		break;
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		need = sizeof(struct vbt_async);
		break;
	case VBT_KIND_LOST:
		need = sizeof(struct vbt_lost);
		break;
	case VBT_KIND_SCSI:
		need = sizeof(struct vbt_scsi);
		break;
	case VBT_KIND_BIO:
		need = sizeof(struct vbt_bio);
		break;
	case VBT_KIND_STUCK:
		need = sizeof(struct vbt_stuck);
		break;
	default:
		snprintf(msg, msglen, "record of unknown kind %u", h->kind);
		return -EINVAL;
	}
	/* A newer source may append fields: accept longer, never shorter. */
	if (size < need || h->size < need || h->size > size) {
		snprintf(msg, msglen, "%s record is %zu bytes (header says %u), needs %zu",
			 vbt_kind_name(h->kind), size, h->size, need);
		return -EINVAL;
	}

	memset(ev, 0, sizeof(*ev));
	ev->kind = h->kind;
	ev->mono_ns = h->mono_ns;
	ev->pid = h->pid;
	ev->tid = h->tid;
	ev->cpu = h->cpu;
	ev->err = vbt_errno_abs(h->err);
	copy_str(ev->comm, h->comm, VBT_COMM_LEN);
	ev->host.direct = -1;

	switch (h->kind) {
	case VBT_KIND_BLOCK:
		decode_block(data, ev);
		break;
	case VBT_KIND_SYSCALL: {
		const struct vbt_syscall *s = data;

		ev->sys.sys = s->sys < VBT_SYS_MAX ? s->sys : VBT_SYS_UNKNOWN;
		ev->sys.fd = s->fd;
		ev->sys.offset = s->offset;
		ev->sys.len = s->len;
		ev->sys.arg = s->arg;
		ev->sys.ret = s->ret;
		ev->sys.enter_ns = s->enter_ns;
		ev->sys.bdev = s->bdev;
		ev->sys.ino = s->ino;
		ev->sys.ftype = s->ftype;
		if (s->ret < 0 && !ev->err)
			ev->err = vbt_errno_abs(s->ret);
		break;
	}
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO: {
		const struct vbt_async *a = data;

		ev->async.opcode = a->opcode;
		ev->async.fd = a->fd;
		ev->async.offset = a->offset;
		ev->async.len = a->len;
		ev->async.res = a->res;
		ev->async.submit_ns = a->submit_ns;
		ev->async.user_data = a->user_data;
		ev->async.bdev = a->bdev;
		ev->async.ino = a->ino;
		if (a->res < 0 && !ev->err)
			ev->err = vbt_errno_abs(a->res);
		break;
	}
	case VBT_KIND_LOST:
		ev->lost = ((const struct vbt_lost *)data)->count;
		break;
	case VBT_KIND_SCSI:
		decode_scsi(data, ev);
		break;
	case VBT_KIND_BIO:
		decode_bio(data, ev);
		break;
	case VBT_KIND_STUCK:
		decode_stuck(data, ev);
		break;
	}
	return 0;
}

const char *vbt_event_disk(const struct vbt_event *ev)
{
	switch (ev->kind) {
	case VBT_KIND_BLOCK:
		return ev->blk.disk;
	case VBT_KIND_SYSCALL:
		return ev->sys.disk;
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		return ev->async.disk;
	case VBT_KIND_BIO:
		return ev->bio.disk;
	case VBT_KIND_STUCK:
		return ev->stuck.disk;
	default:
		return "";
	}
}
