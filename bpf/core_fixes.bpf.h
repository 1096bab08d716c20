/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * CO-RE flavours for the kernel structures vblktrace reads, kept in one
 * place.  Each helper hides a layout or numbering difference between the
 * kernels we support (Debian's 6.1 and 6.12, and 6.18 hosts) and names the
 * kernel commit that made the fallback necessary.
 */
#ifndef VBT_CORE_FIXES_BPF_H
#define VBT_CORE_FIXES_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "vblktrace/abi.h"

/*
 * Before 5.17 a request carried its disk directly; commit f3fa33acca9f
 * ("block: remove the ->rq_disk field in struct request") moved it to
 * rq->q->disk.
 */
struct request___old {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

static __always_inline struct gendisk *vbt_rq_disk(struct request *rq)
{
	struct request___old *old = (void *)rq;

	if (bpf_core_field_exists(old->rq_disk))
		return BPF_CORE_READ(old, rq_disk);
	return BPF_CORE_READ(rq, q, disk);
}

static __always_inline __u32 vbt_disk_devt(struct gendisk *disk)
{
	__u32 major = BPF_CORE_READ(disk, major);
	__u32 minor = BPF_CORE_READ(disk, first_minor);

	return (major << 20) | minor;
}

/*
 * enum req_op numbers differ between releases: 4.10's 87374179c535
 * ("block: add a proper block layer data direction encoding") made the low
 * bit the data direction and renumbered every op; later ones removed ops
 * (REQ_OP_WRITE_SAME in 5.18, "scsi: block: Remove REQ_OP_WRITE_SAME
 * support") and gave the zone ops other numbers.  Map by name, never by
 * number.
 */
static __always_inline __u8 vbt_rq_op(__u32 opf)
{
	__u32 op = opf & ((1U << 8) - 1);

	if (op == bpf_core_enum_value(enum req_op, REQ_OP_READ))
		return VBT_OP_READ;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_WRITE))
		return VBT_OP_WRITE;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_FLUSH))
		return VBT_OP_FLUSH;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_DISCARD))
		return VBT_OP_DISCARD;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_SECURE_ERASE))
		return VBT_OP_SECURE_ERASE;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_WRITE_ZEROES))
		return VBT_OP_WRITE_ZEROES;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_ZONE_APPEND))
		return VBT_OP_ZONE_APPEND;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_ZONE_OPEN))
		return VBT_OP_ZONE_OPEN;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_ZONE_CLOSE))
		return VBT_OP_ZONE_CLOSE;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_ZONE_FINISH))
		return VBT_OP_ZONE_FINISH;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_ZONE_RESET))
		return VBT_OP_ZONE_RESET;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_ZONE_RESET_ALL))
		return VBT_OP_ZONE_RESET_ALL;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_DRV_IN))
		return VBT_OP_DRV_IN;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_DRV_OUT))
		return VBT_OP_DRV_OUT;
	return VBT_OP_UNKNOWN;
}

#define VBT_FLAG(opf, name, bit)                                        \
	(((opf) >> bpf_core_enum_value(enum req_flag_bits, name)) & 1 ? \
		 (bit) :                                                \
		 0)

/* enum req_flag_bits gained and lost members over time; map by name. */
static __always_inline __u32 vbt_rq_flags(__u32 opf)
{
	return VBT_FLAG(opf, __REQ_SYNC, VBT_RQ_SYNC) |
	       VBT_FLAG(opf, __REQ_META, VBT_RQ_META) |
	       VBT_FLAG(opf, __REQ_PRIO, VBT_RQ_PRIO) |
	       VBT_FLAG(opf, __REQ_NOMERGE, VBT_RQ_NOMERGE) |
	       VBT_FLAG(opf, __REQ_IDLE, VBT_RQ_IDLE) |
	       VBT_FLAG(opf, __REQ_INTEGRITY, VBT_RQ_INTEGRITY) |
	       VBT_FLAG(opf, __REQ_FUA, VBT_RQ_FUA) |
	       VBT_FLAG(opf, __REQ_PREFLUSH, VBT_RQ_PREFLUSH) |
	       VBT_FLAG(opf, __REQ_RAHEAD, VBT_RQ_RAHEAD) |
	       VBT_FLAG(opf, __REQ_BACKGROUND, VBT_RQ_BACKGROUND) |
	       VBT_FLAG(opf, __REQ_NOWAIT, VBT_RQ_NOWAIT) |
	       VBT_FLAG(opf, __REQ_FAILFAST_DEV, VBT_RQ_FAILFAST_DEV) |
	       VBT_FLAG(opf, __REQ_FAILFAST_TRANSPORT,
			VBT_RQ_FAILFAST_TRANSPORT) |
	       VBT_FLAG(opf, __REQ_FAILFAST_DRIVER, VBT_RQ_FAILFAST_DRIVER) |
	       VBT_FLAG(opf, __REQ_NOUNMAP, VBT_RQ_NOUNMAP);
}

/*
 * RQF_QUIET and RQF_FLUSH_SEQ were plain #defines (bits 11 and 4) until
 * 6.11's 5f89154e8e9e ("block: Use enum to define RQF_x bit indexes") made
 * the bits an enum.  Where that enum has a name (6.18's BTF) CO-RE
 * relocates the bit; where it is anonymous (Debian's 6.12) no relocation
 * can find it, so the kernel version decides: bit 11 there is __RQF_STATS,
 * set on most requests while writeback throttling is on, and would mark
 * every failure quiet.
 */
enum rqf_flags___vbt {
	__RQF_FLUSH_SEQ___vbt = 1,
	__RQF_QUIET___vbt = 7,
};

extern int LINUX_KERNEL_VERSION __kconfig;

/* The bits are the 6.11 enum's (where it has no name in BTF). */
static __always_inline bool vbt_rqf_is_enum(void)
{
	int kver = LINUX_KERNEL_VERSION;

	return kver >= KERNEL_VERSION(6, 11, 0);
}

#define VBT_RQF_BIT(name, old_bit, enum_bit)                 \
	(bpf_core_enum_value_exists(enum rqf_flags___vbt,    \
				    __RQF_##name##___vbt) ?  \
		 bpf_core_enum_value(enum rqf_flags___vbt,   \
				     __RQF_##name##___vbt) : \
	 vbt_rqf_is_enum() ? (enum_bit) :                    \
			     (old_bit))

/*
 * The request's own flags worth reporting, from one read of rq_flags:
 * QUIET (the kernel prints no I/O error) and FLUSH_SEQ (a step of the
 * flush machinery, a FUA write's data part on a disk without FUA: not the
 * request's end, and not counted by the disk statistics).
 */
static __always_inline __u32 vbt_rq_state(struct request *rq)
{
	__u32 rqf = BPF_CORE_READ(rq, rq_flags), f = 0;

	if (rqf & (1U << VBT_RQF_BIT(QUIET, 11, 7)))
		f |= VBT_RQ_QUIET;
	if (rqf & (1U << VBT_RQF_BIT(FLUSH_SEQ, 4, 1)))
		f |= VBT_RQ_FLUSH_SEQ;
	return f;
}

/*
 * virtio-blk keeps the device's status byte in the request's driver data
 * (blk_mq_rq_to_pdu(): the bytes right after struct request).  Linux 6.1
 * has it as a plain member; 6.3's 95bfec41bd3d ("virtio-blk: add support
 * for zoned block devices") moved it into a union with the zone append
 * header.  Both types live in the virtio_blk module's BTF.
 */
struct virtblk_req___old {
	__u8 status;
} __attribute__((preserve_access_index));

struct virtblk_req___new {
	union {
		__u8 status;
	} in_hdr;
} __attribute__((preserve_access_index));

/* Returns the status byte, or -1 when this kernel's layout is unknown. */
static __always_inline int vbt_virtio_status(struct request *rq)
{
	void *pdu = (void *)rq + bpf_core_type_size(struct request);
	struct virtblk_req___new *vnew = pdu;
	struct virtblk_req___old *vold = pdu;
	__u8 status;

	if (bpf_core_field_exists(vnew->in_hdr)) {
		if (bpf_core_read(&status, 1, &vnew->in_hdr.status))
			return -1;
		return status;
	}
	if (bpf_core_field_exists(vold->status)) {
		if (bpf_core_read(&status, 1, &vold->status))
			return -1;
		return status;
	}
	return -1;
}

#endif /* VBT_CORE_FIXES_BPF_H */
