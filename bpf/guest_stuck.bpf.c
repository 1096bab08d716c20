// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Requests in flight longer than a threshold ("stuck": a host that stopped
 * answering), found without any work per request.
 *
 * guest_block already keeps a slot per request in flight (issuers.bpf.h)
 * holding the request pointer and its issuer.  Instead of stamping a time
 * at every start and releasing every slot at every completion (a clock
 * read and a second map access per I/O), userspace runs stuck_scan a few
 * times per threshold through BPF_PROG_TEST_RUN: it walks the slots and,
 * for each owned one, reads the live request (state, sector, op and its own
 * start_time_ns; on the insert/issue path the slot's stamp).  Only a
 * request still in flight and older than the threshold is reported, once:
 * its slot's owner word is marked stuck, which keeps guest_block from handing
 * the slot to another request until the end has been reported.
 *
 * The end is caught by stuck_end on block_rq_complete, which userspace
 * attaches only while some request is reported stuck: when nothing is
 * stuck it costs nothing at all.  A request that ended between the scan
 * that found it and that attach is found gone by the next scan (reported
 * as GONE, end time and status unknown).
 *
 * On the block_io_start path the age comes from rq->start_time_ns, which
 * the block layer stamps at allocation when iostats is on (the default) or
 * a scheduler is set, else from io_start_time_ns, stamped at issue when
 * block statistics are on (writeback throttling turns them on; a 6.12
 * guest's virtio disk with iostats 0 and no scheduler has it).  A request
 * with neither is not reported (docs/commands.md).  The insert/issue path
 * has the slot's own stamp.
 *
 * Slots whose request has ended are not cleared on the block_io_start path
 * (6.5+); the scan tells them from live ones by the request's state, so a
 * scan costs a probe-read per request pointer the disks ever used (their
 * tag sets: hundreds), not per I/O.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "core_fixes.bpf.h"
#include "maps.bpf.h"
#include "issuers.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Settings (.rodata), as in guest_block. */
const volatile __u64 stuck_ns; /* the threshold */
const volatile bool has_io_start; /* slots come from block_io_start */
const volatile __u32 self_tgid; /* vblktrace itself */

static __always_inline void emit(const struct issuer *snap, __u32 idx,
				 struct request *rq, __u8 phase, __u8 status)
{
	struct vbt_stuck *e = vbt_reserve(sizeof(*e));
	struct gendisk *disk = NULL;

	if (!e)
		return;
	vbt_fill_hdr(&e->hdr, VBT_KIND_STUCK, sizeof(*e), bpf_ktime_get_ns());
	e->hdr.pid = snap->pid;
	e->hdr.tid = snap->tid;
	__builtin_memcpy(e->hdr.comm, snap->comm, sizeof(e->hdr.comm));
	e->sector = snap->sector;
	e->start_ns = snap->start_ns;
	e->slot = idx;
	e->nr_bytes = snap->nr_sectors << 9;
	e->op = vbt_rq_op(snap->opf);
	e->phase = phase;
	e->status = status;
	e->pad = 0;
	/* GONE: rq may belong to another disk by now (shared tag sets). */
	if (rq)
		disk = vbt_rq_disk(rq);
	e->dev = disk ? vbt_disk_devt(disk) : 0;
	if (disk)
		bpf_probe_read_kernel_str(e->disk, sizeof(e->disk),
					  &disk->disk_name);
	else
		e->disk[0] = 0;
	vbt_submit(e, 0);
}

struct scan_ctx {
	__u64 now;
	__u32 first;
};

static long scan_one(__u32 i, struct scan_ctx *c)
{
	__u32 idx = c->first + i;
	struct issuer *is = bpf_map_lookup_elem(&issuers, &idx);
	__u64 owner, key, rq_start, start;
	struct issuer snap;
	struct request *rq;
	bool live;

	if (!is)
		return 1;
	owner = is->rq;
	if (!owner || owner == SLOT_BUSY)
		return 0;
	__builtin_memcpy(&snap, is, sizeof(snap));
	asm volatile("" ::: "memory");
	if (is->rq != owner)
		return 0;
	key = slot_key(owner);
	rq = (struct request *)key;
	/* Probe-reads: the request may have ended long ago. */
	live = BPF_CORE_READ(rq, state) ==
		       bpf_core_enum_value(enum mq_rq_state, MQ_RQ_IN_FLIGHT) &&
	       same_request(&snap, rq, false);
	rq_start = BPF_CORE_READ(rq, start_time_ns);
	/* Not stamped at allocation: block statistics stamp the issue. */
	if (!rq_start)
		rq_start = BPF_CORE_READ(rq, io_start_time_ns);

	if (slot_stuck(owner)) {
		/* Still the same request (a reuse has a newer start)? */
		if (live && (!has_io_start || rq_start == snap.start_ns))
			return 0;
		if (__sync_val_compare_and_swap(&is->rq, owner, 0) == owner)
			emit(&snap, idx, NULL, VBT_STUCK_GONE, 0);
		return 0;
	}
	if (!live || snap.pid == self_tgid)
		return 0;
	start = has_io_start ? rq_start : snap.start_ns;
	if (!start || start > c->now || c->now - start < stuck_ns)
		return 0;
	/*
	 * block_io_start never writes start_ns, so it can be set before
	 * the slot is ours: stuck_end may run as soon as the flag is set.
	 */
	if (has_io_start)
		is->start_ns = start;
	snap.start_ns = start;
	if (__sync_val_compare_and_swap(&is->rq, owner, key & ~SLOT_TOP) !=
	    owner)
		return 0;
	emit(&snap, idx, rq, VBT_STUCK_FOUND, 0);
	return 0;
}

/*
 * Run by userspace (BPF_PROG_TEST_RUN), never attached: scan @count slots
 * from @first.  In slices, so one run holds a CPU only briefly.
 */
SEC("raw_tp")
int BPF_PROG(stuck_scan, __u64 first, __u64 count)
{
	struct scan_ctx c = { .now = bpf_ktime_get_ns(), .first = first };

	if (first >= ISSUER_SLOTS || count > ISSUER_SLOTS - first)
		return 0;
	bpf_loop(count, scan_one, &c, 0);
	return 0;
}

static __always_inline int on_stuck_end(struct request *rq, __u8 status,
					__u32 nr_bytes, bool direct)
{
	__u32 idx = slot_index(rq);
	struct issuer *is = bpf_map_lookup_elem(&issuers, &idx);
	struct issuer snap;
	__u64 owner;

	if (!is)
		return 0;
	/* The verifier allows no arithmetic on the pointer: test the word. */
	owner = is->rq;
	if (!slot_stuck(owner) || slot_key(owner) != rq_key(rq))
		return 0;
	/* A partial completion: the request goes on. */
	if (nr_bytes < RQ_READ(direct, rq, __data_len))
		return 0;
	__builtin_memcpy(&snap, is, sizeof(snap));
	if (!same_request(&snap, rq, direct))
		return 0;
	if (__sync_val_compare_and_swap(&is->rq, owner, 0) != owner)
		return 0;
	emit(&snap, idx, rq, VBT_STUCK_ENDED, status);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(btf_stuck_end, struct request *rq, blk_status_t error,
	     unsigned int nr_bytes)
{
	return on_stuck_end(rq, error, nr_bytes, true);
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(raw_stuck_end, struct request *rq, blk_status_t error,
	     unsigned int nr_bytes)
{
	return on_stuck_end(rq, error, nr_bytes, false);
}
