// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * What lies above and below a block request: the SCSI result and sense of
 * a failed command on an sd disk, and the failed bios of bio-based (dm, md)
 * devices with the remap that led each one to the device below.
 *
 * None of this is on guest_block's per-request path: the SCSI program runs
 * only for SCSI commands and does nothing for those that succeed, and the
 * bio programs are loaded only when the machine has stacked devices.
 * Userspace joins these records to the block request they belong to.
 *
 * scsi_cmnd lives in the scsi_mod module, so its layout comes from that
 * module's BTF through the ___vbt flavours below.  Each program exists as
 * tp_btf and raw_tp with the same body; every load is a CO-RE probe-read.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "core_fixes.bpf.h"
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct Scsi_Host___vbt {
	unsigned int host_no;
} __attribute__((preserve_access_index));

struct scsi_device___vbt {
	struct Scsi_Host___vbt *host;
	unsigned int id;
	unsigned int channel;
	__u64 lun;
} __attribute__((preserve_access_index));

struct scsi_cmnd___vbt {
	struct scsi_device___vbt *device;
	int retries;
	int allowed;
	unsigned char cmnd[32];
	unsigned char *sense_buffer;
	int result;
} __attribute__((preserve_access_index));

/* Before 5.19 the CDB was a pointer. */
struct scsi_cmnd___old {
	unsigned char *cmnd;
} __attribute__((preserve_access_index));

#define SAM_STAT_CHECK_CONDITION 0x02

/*
 * tp_btf hands trusted, maybe-NULL pointers on which newer verifiers refuse
 * arithmetic (a CO-RE read's offset, the request before the command).
 * Every load here is a probe-read anyway: take the pointer as a number.
 */
static __always_inline void *plain(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return (void *)v;
}

/* scsi_cmd_to_rq(): the command is the request's driver data, right after it. */
static __always_inline struct request *cmd_rq(struct scsi_cmnd___vbt *cmd)
{
	return (struct request *)((char *)cmd -
				  bpf_core_type_size(struct request));
}

static __always_inline int on_scsi_done(struct scsi_cmnd___vbt *cmd)
{
	struct scsi_cmnd___old *old;
	struct scsi_device___vbt *sdev;
	unsigned char *cdb;
	struct request *rq;
	struct gendisk *disk;
	struct vbt_scsi *e;
	int result = BPF_CORE_READ(cmd, result);

	if (!result)
		return 0;
	e = vbt_reserve(sizeof(*e));
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	vbt_fill_hdr(&e->hdr, VBT_KIND_SCSI, sizeof(*e), bpf_ktime_get_ns());

	e->result = result;
	sdev = BPF_CORE_READ(cmd, device);
	e->host_no = BPF_CORE_READ(sdev, host, host_no);
	e->channel = BPF_CORE_READ(sdev, channel);
	e->id = BPF_CORE_READ(sdev, id);
	e->lun = BPF_CORE_READ(sdev, lun);
	e->retries = BPF_CORE_READ(cmd, retries);
	e->allowed = BPF_CORE_READ(cmd, allowed);
	old = (void *)cmd;
	if (bpf_core_field_exists(old->cmnd) &&
	    bpf_core_field_size(old->cmnd) == 8)
		cdb = BPF_CORE_READ(old, cmnd);
	else
		cdb = __builtin_preserve_access_index(&cmd->cmnd[0]);
	bpf_probe_read_kernel(&e->opcode, 1, cdb);
	if ((result & 0xff) == SAM_STAT_CHECK_CONDITION) {
		unsigned char *sense = BPF_CORE_READ(cmd, sense_buffer);

		if (sense &&
		    !bpf_probe_read_kernel(e->sense, sizeof(e->sense), sense))
			e->sense_len = sizeof(e->sense);
	}
	rq = cmd_rq(cmd);
	e->sector = BPF_CORE_READ(rq, __sector);
	disk = vbt_rq_disk(rq);
	if (disk)
		e->dev = vbt_disk_devt(disk);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/scsi_dispatch_cmd_done")
int BPF_PROG(btf_scsi_done, struct scsi_cmnd___vbt *cmd)
{
	return on_scsi_done(plain(cmd));
}

SEC("raw_tp/scsi_dispatch_cmd_done")
int BPF_PROG(raw_scsi_done, struct scsi_cmnd___vbt *cmd)
{
	return on_scsi_done(cmd);
}

/*
 * A bio a stacked device sent down: where it came from.  An array slot
 * picked by hashing the bio pointer (a hash map update cost a stacked
 * device's every bio about four times as much): the slot names its bio,
 * and a bio whose slot was taken over by another is reported without its
 * remap, never with a wrong one.  Completion frees the slot.
 */
struct remap {
	__u64 bio; /* owner, 0 while free or being written */
	__u64 from_sector;
	__u64 sector;
	__u32 from_dev;
	__u32 dev;
	__u32 nr_bytes;
	__u32 pad;
};

#define REMAP_SLOT_BITS 14

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << REMAP_SLOT_BITS);
	__type(key, __u32);
	__type(value, struct remap);
} remaps SEC(".maps");

static __always_inline struct remap *remap_slot(__u64 key)
{
	__u32 idx = (key * 0x9E3779B97F4A7C15ULL) >> (64 - REMAP_SLOT_BITS);

	return bpf_map_lookup_elem(&remaps, &idx);
}

static __always_inline __u64 bio_key(struct bio *bio)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &bio);
	return v;
}

static __always_inline int on_bio_remap(struct bio *bio, __u32 from_dev,
					__u64 from)
{
	__u32 dev = BPF_CORE_READ(bio, bi_bdev, bd_dev);
	struct remap *r;
	__u64 key;

	/* A partition remaps its own bio onto the disk: sysfs has the offset. */
	if (dev == from_dev)
		return 0;
	key = bio_key(bio);
	r = remap_slot(key);
	if (!r)
		return 0;
	r->bio = 0;
	asm volatile("" ::: "memory");
	r->from_sector = from;
	r->from_dev = from_dev;
	r->dev = dev;
	r->sector = BPF_CORE_READ(bio, bi_iter.bi_sector);
	r->nr_bytes = BPF_CORE_READ(bio, bi_iter.bi_size);
	asm volatile("" ::: "memory");
	r->bio = key;
	return 0;
}

SEC("tp_btf/block_bio_remap")
int BPF_PROG(btf_bio_remap, struct bio *bio, dev_t dev, sector_t from)
{
	return on_bio_remap(plain(bio), dev, from);
}

SEC("raw_tp/block_bio_remap")
int BPF_PROG(raw_bio_remap, struct bio *bio, dev_t dev, sector_t from)
{
	return on_bio_remap(bio, dev, from);
}

static __always_inline int on_bio_complete(struct bio *bio)
{
	__u8 status = BPF_CORE_READ(bio, bi_status);
	struct block_device *bdev;
	struct remap rc = {};
	bool stacked, have = false;
	struct remap *r;
	struct vbt_bio *e;
	__u64 key;
	__u32 dev;

	key = bio_key(bio);
	r = remap_slot(key);
	if (!r)
		return 0; /* an array slot always exists */
	if (!status) {
		if (r->bio == key)
			r->bio = 0;
		return 0;
	}
	bdev = BPF_CORE_READ(bio, bi_bdev);
	dev = BPF_CORE_READ(bdev, bd_dev);
	/* An entry for another device is a stale one of an earlier bio. */
	if (r->bio == key) {
		if (r->dev == dev) {
			rc = *r;
			have = true;
		}
		r->bio = 0;
	}
	/* Bio-based devices have no blk-mq ops: they end no request. */
	stacked = !BPF_CORE_READ(bdev, bd_disk, queue, mq_ops);
	if (!stacked && !have)
		return 0;
	e = vbt_reserve(sizeof(*e));
	if (!e)
		return 0;
	vbt_fill_hdr(&e->hdr, VBT_KIND_BIO, sizeof(*e), bpf_ktime_get_ns());
	e->dev = dev;
	e->op = vbt_rq_op(BPF_CORE_READ(bio, bi_opf));
	e->status = status;
	e->flags = stacked ? VBT_BIO_STACKED : 0;
	e->pad = 0;
	if (have) {
		/* The iterator has advanced past what completed: use the remap's. */
		e->flags |= VBT_BIO_REMAP;
		e->sector = rc.sector;
		e->nr_bytes = rc.nr_bytes;
		e->from_dev = rc.from_dev;
		e->from_sector = rc.from_sector;
	} else {
		e->sector = BPF_CORE_READ(bio, bi_iter.bi_sector);
		e->nr_bytes = BPF_CORE_READ(bio, bi_iter.bi_size);
		e->from_dev = 0;
		e->from_sector = 0;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/block_bio_complete")
int BPF_PROG(btf_bio_complete, struct request_queue *q, struct bio *bio)
{
	return on_bio_complete(plain(bio));
}

SEC("raw_tp/block_bio_complete")
int BPF_PROG(raw_bio_complete, struct request_queue *q, struct bio *bio)
{
	return on_bio_complete(bio);
}

/*
 * A bio sent down onto a blk-mq disk ends inside its request, and the
 * kernel does not trace such bios' completion (block_rq_complete covers
 * them).  block_rq_error fires only for failed requests, before the bios
 * advance: each bio of the request that a stacked device sent down is
 * reported with its remap.  The bio must still start where the remap left
 * it (plus a partition's offset): a pointer reused by an unrelated bio
 * does not.
 */
#define RQ_BIOS_MAX 4

static __always_inline int on_rq_error(struct request *rq, int error)
{
	struct bio *bio = BPF_CORE_READ(rq, bio);
	__u8 op = vbt_rq_op(BPF_CORE_READ(rq, cmd_flags));

	for (int i = 0; i < RQ_BIOS_MAX && bio; i++) {
		__u64 key = bio_key(bio), sector;
		struct block_device *bdev;
		struct remap rc, *r;
		struct vbt_bio *e;
		__u32 dev;

		r = remap_slot(key);
		if (!r || r->bio != key)
			goto next;
		rc = *r;
		r->bio = 0;
		bdev = BPF_CORE_READ(bio, bi_bdev);
		dev = BPF_CORE_READ(bdev, bd_dev);
		sector = BPF_CORE_READ(bio, bi_iter.bi_sector);
		if (rc.dev != dev ||
		    sector != rc.sector + BPF_CORE_READ(bdev, bd_start_sect))
			goto next;
		e = vbt_reserve(sizeof(*e));
		if (!e)
			return 0;
		vbt_fill_hdr(&e->hdr, VBT_KIND_BIO, sizeof(*e),
			     bpf_ktime_get_ns());
		e->dev = dev;
		e->op = op;
		e->status = error;
		e->flags = VBT_BIO_REMAP;
		e->pad = 0;
		e->sector = rc.sector;
		e->nr_bytes = rc.nr_bytes;
		e->from_dev = rc.from_dev;
		e->from_sector = rc.from_sector;
		bpf_ringbuf_submit(e, 0);
next:
		bio = BPF_CORE_READ(bio, bi_next);
	}
	return 0;
}

SEC("tp_btf/block_rq_error")
int BPF_PROG(btf_rq_error, struct request *rq, blk_status_t error,
	     unsigned int nr_bytes)
{
	return on_rq_error(plain(rq), error);
}

SEC("raw_tp/block_rq_error")
int BPF_PROG(raw_rq_error, struct request *rq, int error, unsigned int nr_bytes)
{
	return on_rq_error(rq, error);
}
