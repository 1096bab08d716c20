/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * vblktrace event ABI: the records every event source (the BPF programs and
 * the kernel module) hands to userspace.  This is the only header that bpf/,
 * kmod/ and user/ all include, so it uses nothing but fixed-size kernel
 * types and explicit padding: a record must have the same layout for the
 * BPF target, the kernel and userspace on every 64-bit architecture.
 *
 * Versioning: every record starts with struct vbt_hdr, whose 'abi' field is
 * VBT_ABI_VERSION.  Fields are only ever appended to a record, and 'size'
 * says how long the record really is, so a reader can accept a longer record
 * from a newer source.  Changing the meaning or offset of a field bumps the
 * version, and readers refuse records of a version they do not know.
 *
 * Values that differ between kernel versions (request op numbers, request
 * flag bits) are translated by the source into the stable VBT_* values
 * below; blk_status_t codes are passed unchanged because the kernel only
 * ever appends to them.
 */
#ifndef VBLKTRACE_ABI_H
#define VBLKTRACE_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#include <linux/ioctl.h>
#endif

#define VBT_ABI_VERSION		1
#define VBT_COMM_LEN		16
#define VBT_DISK_NAME_LEN	32

/*
 * Capacity limits every source and userspace agree on: devices in a -d
 * filter (the BPF filter map, the module's START request) and virtio-blk
 * disks whose status byte the BPF programs read.
 */
#define VBT_MAX_FILTER_DEVS	32
#define VBT_MAX_VIRTIO_DISKS	256

enum vbt_kind {
	VBT_KIND_BLOCK		= 1,	/* a block request completed */
	VBT_KIND_SYSCALL	= 2,	/* a traced syscall failed */
	VBT_KIND_IO_URING	= 3,	/* an io_uring completion failed */
	VBT_KIND_AIO		= 4,	/* a Linux AIO completion failed */
	VBT_KIND_LOST		= 5,	/* records the source could not deliver */
	VBT_KIND_SCSI		= 6,	/* a SCSI command ended with a result */
	VBT_KIND_BIO		= 7,	/* a bio of a stacked device failed */
	VBT_KIND_STUCK		= 8,	/* a request in flight too long, or its end */
};

/* Stable request operations (the kernel's enum req_op changed over time). */
enum vbt_op {
	VBT_OP_READ		= 0,
	VBT_OP_WRITE		= 1,
	VBT_OP_FLUSH		= 2,
	VBT_OP_DISCARD		= 3,
	VBT_OP_SECURE_ERASE	= 4,
	VBT_OP_WRITE_ZEROES	= 5,
	VBT_OP_ZONE_OPEN	= 6,
	VBT_OP_ZONE_CLOSE	= 7,
	VBT_OP_ZONE_FINISH	= 8,
	VBT_OP_ZONE_APPEND	= 9,
	VBT_OP_ZONE_RESET	= 10,
	VBT_OP_ZONE_RESET_ALL	= 11,
	VBT_OP_DRV_IN		= 12,
	VBT_OP_DRV_OUT		= 13,
	VBT_OP_UNKNOWN		= 15,
	VBT_OP_MAX		= 16,	/* size of per-op counter arrays */
};

/* Stable request flag bits (the kernel's enum req_flag_bits moves). */
#define VBT_RQ_SYNC		(1U << 0)
#define VBT_RQ_META		(1U << 1)
#define VBT_RQ_PRIO		(1U << 2)
#define VBT_RQ_NOMERGE		(1U << 3)
#define VBT_RQ_IDLE		(1U << 4)
#define VBT_RQ_INTEGRITY	(1U << 5)
#define VBT_RQ_FUA		(1U << 6)
#define VBT_RQ_PREFLUSH		(1U << 7)
#define VBT_RQ_RAHEAD		(1U << 8)
#define VBT_RQ_BACKGROUND	(1U << 9)
#define VBT_RQ_NOWAIT		(1U << 10)
#define VBT_RQ_FAILFAST_DEV	(1U << 11)
#define VBT_RQ_FAILFAST_TRANSPORT (1U << 12)
#define VBT_RQ_FAILFAST_DRIVER	(1U << 13)
#define VBT_RQ_NOUNMAP		(1U << 14)
#define VBT_RQ_PASSTHROUGH	(1U << 15)	/* not a file system request */
#define VBT_RQ_QUIET		(1U << 16)	/* kernel prints no I/O error */
/* a step of the flush machinery (a PREFLUSH/FUA write's data part, say) */
#define VBT_RQ_FLUSH_SEQ	(1U << 17)

/* virtio-blk status byte of a request (VIRTIO_BLK_S_*), or none. */
#define VBT_VIRTIO_OK		0
#define VBT_VIRTIO_IOERR	1
#define VBT_VIRTIO_UNSUPP	2
#define VBT_VIRTIO_NONE		0xff	/* not a virtio-blk disk, or unknown */

/* vbt_block.src: how much of the record the source could see. */
#define VBT_SRC_ISSUER		(1U << 0)	/* hdr pid/tid/comm: the issuer */
#define VBT_SRC_ISSUE_TS	(1U << 1)	/* issue_ns is valid */
#define VBT_SRC_VIRTIO_READ	(1U << 2)	/* virtio_status read from the request */
#define VBT_SRC_VIRTIO_DERIVED	(1U << 3)	/* virtio_status derived from status */
#define VBT_SRC_DEV_ONLY	(1U << 4)	/* no request pointer: no issuer, no disk name */
#define VBT_SRC_NOT_ISSUED	(1U << 5)	/* ended before the driver saw it */

struct vbt_hdr {
	__u16	abi;		/* VBT_ABI_VERSION */
	__u16	kind;		/* enum vbt_kind */
	__u32	size;		/* bytes in the whole record */
	__u64	mono_ns;	/* CLOCK_MONOTONIC when the event happened */
	__u32	pid;		/* thread group id */
	__u32	tid;
	__s32	err;		/* -errno, 0 for success (block: see status) */
	__u32	cpu;
	char	comm[VBT_COMM_LEN];
};

/* A completed block request, as block_rq_complete saw it. */
struct vbt_block {
	struct vbt_hdr hdr;
	__u64	sector;		/* request start, 512-byte units */
	__u64	issue_ns;	/* CLOCK_MONOTONIC when handed to the driver */
	__u32	dev;		/* kernel dev_t: major << 20 | minor */
	__u32	nr_bytes;	/* bytes this completion covers */
	__u32	rq_flags;	/* VBT_RQ_* */
	__u8	op;		/* enum vbt_op */
	__u8	status;		/* blk_status_t, unchanged */
	__u8	virtio_status;	/* VBT_VIRTIO_* */
	__u8	src;		/* VBT_SRC_* */
	char	disk[VBT_DISK_NAME_LEN];
};

/* Stable syscall ids: the arch syscall numbers differ between x86 and arm64. */
enum vbt_sys {
	VBT_SYS_UNKNOWN = 0,
	VBT_SYS_READ, VBT_SYS_WRITE, VBT_SYS_PREAD64, VBT_SYS_PWRITE64,
	VBT_SYS_READV, VBT_SYS_WRITEV, VBT_SYS_PREADV, VBT_SYS_PWRITEV,
	VBT_SYS_PREADV2, VBT_SYS_PWRITEV2, VBT_SYS_FSYNC, VBT_SYS_FDATASYNC,
	VBT_SYS_SYNC_FILE_RANGE, VBT_SYS_FALLOCATE, VBT_SYS_IOCTL,
	VBT_SYS_COPY_FILE_RANGE, VBT_SYS_IO_SUBMIT, VBT_SYS_IO_URING_ENTER,
	VBT_SYS_MAX,
};

/* A traced syscall that returned an error. */
struct vbt_syscall {
	struct vbt_hdr hdr;
	__u64	enter_ns;	/* CLOCK_MONOTONIC at syscall entry */
	__u64	offset;		/* file offset, or ~0 when the call has none */
	__u64	len;		/* bytes asked for (sum of iovecs) */
	__u64	arg;		/* ioctl request, fallocate mode, ... */
	__s64	ret;		/* raw return value */
	__s32	fd;
	__u16	sys;		/* enum vbt_sys */
	__u16	ftype;		/* VBT_FTYPE_* of the file behind fd */
	__u32	bdev;		/* dev_t the file lives on (rdev for a block device) */
	__u32	pad;
	__u64	ino;		/* inode number, to name the file when /proc cannot */
};

#define VBT_FTYPE_UNKNOWN	0
#define VBT_FTYPE_REG		1
#define VBT_FTYPE_BLK		2

/* A failed io_uring or Linux AIO completion (kind IO_URING or AIO). */
struct vbt_async {
	struct vbt_hdr hdr;
	__u64	submit_ns;	/* CLOCK_MONOTONIC at submission, 0 if unseen */
	__u64	offset;
	__u64	user_data;	/* io_uring user_data / iocb data */
	__u32	len;
	__s32	fd;		/* -1 if the submission was not seen */
	__s32	res;		/* raw completion result */
	__u8	opcode;		/* IORING_OP_* or IOCB_CMD_* */
	__u8	pad[3];
	__u32	bdev;		/* dev_t the file lives on, 0 if unseen */
	__u64	ino;		/* its inode, 0 if unseen */
};

/*
 * Key of the failed-request counters a source keeps in the kernel (the BPF
 * 'errors' map; the module reports the same pairs as vbt_kmod_errcount).
 */
struct vbt_err_key {
	__u32	dev;		/* kernel dev_t */
	__u32	op;		/* enum vbt_op */
};

/*
 * A SCSI command that ended with a non-zero result (kind SCSI), read from
 * the scsi_cmnd when the low-level driver hands it back, before the block
 * layer completes the request: a retried command gives one record per try.
 */
#define VBT_SCSI_SENSE_LEN	32

struct vbt_scsi {
	struct vbt_hdr hdr;
	__u64	sector;		/* the request's start, 512-byte units */
	__u64	lun;
	__u32	dev;		/* the request's disk, 0 if unseen */
	__u32	result;		/* driver << 24 | host << 16 | msg << 8 | status */
	__u32	host_no;	/* SCSI address host:channel:id:lun */
	__u32	channel;
	__u32	id;
	__u8	opcode;		/* CDB byte 0 */
	__u8	sense_len;	/* bytes of sense copied, 0: none */
	__u8	retries;	/* tries so far, as the midlayer counts them */
	__u8	allowed;	/* tries it allows */
	__u8	sense[VBT_SCSI_SENSE_LEN];	/* raw sense data (SPC) */
};

/*
 * A failed bio of a bio-based (stacked) device, or a bio such a device
 * remapped onto the device below (kind BIO).  Bio-based devices (dm, md)
 * never complete a request of their own: these records are their layer.
 */
#define VBT_BIO_REMAP		(1U << 0)	/* from_dev/from_sector valid */
#define VBT_BIO_STACKED		(1U << 1)	/* dev is bio-based */

struct vbt_bio {
	struct vbt_hdr hdr;
	__u64	sector;		/* start on dev, 512-byte units */
	__u64	from_sector;	/* start on the device it was remapped from */
	__u32	dev;		/* the bio's device (a partition stays itself) */
	__u32	from_dev;	/* the stacked device above, 0 if none */
	__u32	nr_bytes;
	__u8	op;		/* enum vbt_op */
	__u8	status;		/* blk_status_t */
	__u8	flags;		/* VBT_BIO_* */
	__u8	pad;
};

/*
 * A request in flight longer than the stuck threshold (kind STUCK), found by
 * a periodic scan of the in-flight requests, and later its end.  hdr
 * pid/tid/comm are the issuer's; hdr.mono_ns is when this was seen, so the
 * age (or, at the end, the whole latency) is hdr.mono_ns - start_ns.
 * (slot, start_ns) is the same in a request's FOUND and end records.
 */
#define VBT_STUCK_FOUND		0	/* first seen past the threshold */
#define VBT_STUCK_ENDED		1	/* completed; status says how */
/* found ended by a later scan: it ended between two scans, status unknown */
#define VBT_STUCK_GONE		2

struct vbt_stuck {
	struct vbt_hdr hdr;
	__u64	sector;		/* request start, 512-byte units */
	__u64	start_ns;	/* CLOCK_MONOTONIC when it entered the block layer */
	__u32	slot;		/* where the source keeps it while in flight */
	__u32	dev;		/* kernel dev_t */
	__u32	nr_bytes;	/* the request's size */
	__u8	op;		/* enum vbt_op */
	__u8	phase;		/* VBT_STUCK_* */
	__u8	status;		/* blk_status_t at VBT_STUCK_ENDED, else 0 */
	__u8	pad;
	char	disk[VBT_DISK_NAME_LEN];
};

/*
 * Slots of the BPF programs' per-CPU counter array ("lost" in
 * bpf/maps.bpf.h): records the ring buffer had no room for, and
 * completions left out on purpose because vblktrace itself issued them.
 * The second lets userspace check what it was shown against the kernel's
 * own per-disk completion counts (sink/audit.c).
 */
enum vbt_counter {
	VBT_COUNTER_LOST	= 0,
	VBT_COUNTER_SELF	= 1,
	VBT_NR_COUNTERS		= 2,
};

/* Records the source counted but could not deliver. */
struct vbt_lost {
	struct vbt_hdr hdr;
	__u64	count;
};

/*
 * Kernel module character device (/dev/vblktrace): userspace reads whole
 * records and first checks that both sides speak the same ABI.
 */
#define VBT_IOC_MAGIC		0xb7
#define VBT_IOC_ABI_VERSION	_IOR(VBT_IOC_MAGIC, 1, __u32)

/*
 * Kernel module only.  A client opens /dev/vblktrace (one reader at a time),
 * checks VBT_IOC_ABI_VERSION, then sends VBT_IOC_START: the module refuses
 * a client 'abi' it does not speak (-EPROTO) and produces no record before
 * START.  read() returns whole records; a struct vbt_lost in the stream
 * counts the records dropped at that point because the reader fell behind.
 */
#define VBT_KMOD_MAX_DEVS	VBT_MAX_FILTER_DEVS
#define VBT_KMOD_ALL		(1U << 0)	/* every completion, not only errors */

struct vbt_kmod_start {
	__u32	abi;		/* VBT_ABI_VERSION the client speaks */
	__u32	flags;		/* VBT_KMOD_* */
	__u32	pid;		/* only this issuing thread group, 0: any */
	__u32	ndevs;		/* only these devices, 0: all */
	__u32	devs[VBT_KMOD_MAX_DEVS];	/* kernel dev_t */
};

struct vbt_kmod_stats {
	__u64	dropped;	/* records dropped since START (ring full) */
	__u64	delivered;	/* records read since START */
	__u64	failed;		/* failed requests seen since the module loaded */
	__u32	ring_bytes;	/* size of each CPU's ring */
	__u32	io_start;	/* issuers come from block_io_start */
};

/* Failed requests per (device, op) since the module loaded. */
struct vbt_kmod_errcount {
	__u32	dev;
	__u32	op;		/* enum vbt_op */
	__u64	count;
};

struct vbt_kmod_errors {
	__u32	n;		/* in: entries at 'ptr'; out: entries filled */
	__u32	pad;
	__u64	ptr;		/* user pointer to struct vbt_kmod_errcount[n] */
};

#define VBT_IOC_START		_IOW(VBT_IOC_MAGIC, 2, struct vbt_kmod_start)
#define VBT_IOC_STATS		_IOR(VBT_IOC_MAGIC, 3, struct vbt_kmod_stats)
#define VBT_IOC_ERRORS		_IOWR(VBT_IOC_MAGIC, 4, struct vbt_kmod_errors)

#endif /* VBLKTRACE_ABI_H */
