// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Failed block requests on every blk-mq disk, with the process that issued
 * them.
 *
 * Completion runs in interrupt or softirq context, so the issuer is
 * remembered when the request enters the block layer (block_io_start, added
 * in 6.5 by 5a80bd075f3b "block: introduce block_io_start/block_io_done
 * tracepoints", or block_rq_insert/block_rq_issue before) in a slot of an
 * array picked by hashing the request pointer.  At completion only failures
 * are reported unless the user asked for every completion: success costs
 * one array slot written and a few instructions, no hash map update.
 *
 * block_io_start runs for every request, so it does no more than it must:
 * no helper call (the task's ids and name are plain loads from current,
 * the request pointer is hashed as a number, not probe-read), no clock read
 * (at completion the request's own start_time_ns says when it started),
 * and nothing at all for a device or process that was filtered out.
 *
 * Requests in flight too long are found by guest_stuck scanning these
 * slots (guest_stuck.bpf.c), not by anything here: a stuck request's slot
 * owner is marked (issuers.bpf.h), which the claim tests at no extra cost.
 *
 * Every program exists in a tp_btf and a raw_tp flavour with the same body;
 * userspace loads whichever this kernel accepts.  The classic tracepoint
 * programs at the end are the last resort: they see dev and sector but no
 * request, so the issuer is matched by (dev, sector).
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "core_fixes.bpf.h"
#include "maps.bpf.h"
#include "issuers.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Settings, written by userspace between open and load (.rodata): the
 * verifier sees constants and drops the branches of disabled features.
 * 'const volatile' is libbpf's idiom for that (volatile keeps the compiler
 * from folding the initial value), hence checkpatch's VOLATILE exception
 * for bpf/ in the Makefile.
 */
const volatile bool trace_all; /* every completion, not only errors */
const volatile bool filter_dev; /* only devices in dev_filter */
const volatile __u32 filter_pid; /* only this issuing thread group */
const volatile bool has_io_start; /* issuers come from block_io_start */
const volatile __u32 self_tgid; /* vblktrace itself: its I/O is not shown */
/* Wake the reader only past this much unread data (0: at every record). */
const volatile __u64 wakeup_bytes;

/*
 * Claim a slot for rq: its owner becomes SLOT_BUSY (atomically, so two
 * CPUs whose requests share the slot cannot interleave their fields and
 * leave one request with the other's issuer), the fields are written, and
 * the owner is set last.  If another CPU holds the slot, this request's
 * issuer stays unknown: never a wrong one.  Readers check the owner before
 * and after copying the fields (see snapshot()).  A slot whose request was
 * reported stuck is not taken either (one test of the same word).
 */
static __always_inline bool slot_claim(struct issuer *is)
{
	__u64 cur = is->rq;

	if (slot_taken(cur))
		return false;
	return __sync_val_compare_and_swap(&is->rq, cur, SLOT_BUSY) == cur;
}

static __always_inline void slot_publish(struct issuer *is, __u64 key)
{
	asm volatile("" ::: "memory");
	is->rq = key;
}

/* Fallback for classic tracepoints: (dev, sector) instead of a pointer. */
struct devsec {
	__u64 sector;
	__u32 dev;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct devsec);
	__type(value, struct issuer);
} issuers_by_sector SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VBT_MAX_FILTER_DEVS);
	__type(key, __u32);
	__type(value, __u8);
} dev_filter SEC(".maps");

/* Devices driven by virtio_blk, filled by userspace from sysfs. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VBT_MAX_VIRTIO_DISKS);
	__type(key, __u32);
	__type(value, __u8);
} virtio_devs SEC(".maps");

/* The issuer's ids and name: loads from current, no helper call. */
static __always_inline void fill_task(struct issuer *is)
{
	struct task_struct *t = bpf_get_current_task_btf();

	is->pid = t->tgid;
	is->tid = t->pid;
	__builtin_memcpy(is->comm, t->comm, sizeof(is->comm));
}

static __always_inline void fill_issuer(struct issuer *is, struct request *rq,
					__u64 now, bool direct)
{
	if (rq) {
		is->sector = RQ_READ(direct, rq, __sector);
		is->nr_sectors = RQ_READ(direct, rq, __data_len) >> 9;
		is->opf = RQ_READ(direct, rq, cmd_flags) & 0xff;
	} else {
		is->sector = 0;
		is->nr_sectors = 0;
		is->opf = 0;
	}
	is->start_ns = now;
	is->issue_ns = 0;
	fill_task(is);
}

static __always_inline bool dev_wanted(__u32 dev)
{
	return !filter_dev || bpf_map_lookup_elem(&dev_filter, &dev);
}

/* Filters that can be decided when the request starts: skip the store. */
static __always_inline bool start_wanted(struct request *rq)
{
	struct gendisk *disk;

	if (filter_pid && (bpf_get_current_pid_tgid() >> 32) != filter_pid)
		return false;
	if (!filter_dev)
		return true;
	disk = vbt_rq_disk(rq);
	return dev_wanted(disk ? vbt_disk_devt(disk) : 0);
}

/*
 * block_io_start: always the submitter's context, always a new request.
 * Every use of a request pointer passes here, so the slot needs no clock:
 * the start time is the request's own start_time_ns, read at completion.
 */
static __always_inline int on_io_start(struct request *rq, bool direct)
{
	struct issuer *is;

	if (!start_wanted(rq))
		return 0;
	is = slot_of(rq);
	if (!is || !slot_claim(is))
		return 0;
	is->sector = RQ_READ(direct, rq, __sector);
	is->nr_sectors = RQ_READ(direct, rq, __data_len) >> 9;
	is->opf = RQ_READ(direct, rq, cmd_flags) & 0xff;
	fill_task(is);
	slot_publish(is, rq_key(rq));
	return 0;
}

/*
 * Kernels without block_io_start: the first of insert and issue that sees
 * a request names the issuer; issue also stamps the issue time.  Slots are
 * released at completion on this path, so an owned slot is never stale.
 */
static __always_inline int on_insert_or_issue(struct request *rq, bool issue,
					      bool direct)
{
	__u64 key = rq_key(rq), now;
	struct issuer *is;

	if (!start_wanted(rq))
		return 0;
	is = slot_of(rq);
	if (!is)
		return 0;
	now = bpf_ktime_get_ns();
	if (is->rq == key && same_request(is, rq, direct)) {
		if (issue && !is->issue_ns)
			is->issue_ns = now;
		return 0;
	}
	if (!slot_claim(is))
		return 0;
	fill_issuer(is, rq, now, direct);
	if (issue)
		is->issue_ns = now;
	slot_publish(is, key);
	return 0;
}

static __always_inline void slot_release(struct issuer *is, __u64 key)
{
	/* not over a claim in progress */
	if (is && is->rq == key)
		__sync_val_compare_and_swap(&is->rq, key, 0);
}

/*
 * Copy slot @is into @snap if rq owns it, and only if it still does after
 * the copy (a CPU claiming it meanwhile may have changed any field).  Only
 * failures (or --all) come here: the flag test costs successes nothing.
 */
static __always_inline struct issuer *snapshot(struct issuer *is,
					       struct issuer *snap,
					       struct request *rq, bool direct)
{
	__u64 key = rq_key(rq);

	/* A request reported stuck keeps its issuer until it ends. */
	if (!is || slot_key(is->rq) != key)
		return NULL;
	asm volatile("" ::: "memory");
	__builtin_memcpy(snap, is, sizeof(*snap));
	asm volatile("" ::: "memory");
	if (slot_key(is->rq) != key || !same_request(snap, rq, direct))
		return NULL;
	return snap;
}

static __always_inline int on_complete(struct request *rq, __u8 status,
				       __u32 nr_bytes, bool direct)
{
	struct issuer *slot, *is, snap;
	struct vbt_block *e;
	struct gendisk *disk;
	__u32 dev, opf;
	__u64 now, key;
	__u8 op;

	if (!status && !trace_all) {
		/*
		 * SCSI ends a failed request in two steps on 6.1, a zero-byte
		 * success first ("64 + 0 [0]", then "64 + 8 [-61]"): keep
		 * the issuer until the request is done, as the error path does.
		 */
		if (!has_io_start &&
		    nr_bytes >= RQ_READ(direct, rq, __data_len))
			slot_release(slot_of(rq), rq_key(rq));
		return 0;
	}

	disk = vbt_rq_disk(rq);
	dev = disk ? vbt_disk_devt(disk) : 0;
	if (!dev_wanted(dev))
		return 0;

	key = rq_key(rq);
	slot = slot_of(rq);
	/* NULL: another request's, or an earlier user's of rq */
	is = snapshot(slot, &snap, rq, direct);
	if (filter_pid && (!is || is->pid != filter_pid))
		return 0;
	/*
	 * Our own output would feed back into what we trace.  Counted, so
	 * that every completion is accounted for (shown, lost or ours).
	 */
	if (is && is->pid == self_tgid) {
		if (trace_all)
			vbt_count(VBT_COUNTER_SELF);
		return 0;
	}

	opf = BPF_CORE_READ(rq, cmd_flags);
	op = vbt_rq_op(opf);
	if (status)
		vbt_count_error(dev, op);

	e = vbt_reserve(sizeof(*e));
	if (!e)
		return 0;
	now = bpf_ktime_get_ns();
	vbt_fill_hdr(&e->hdr, VBT_KIND_BLOCK, sizeof(*e), now);
	e->sector = BPF_CORE_READ(rq, __sector);
	e->dev = dev;
	e->nr_bytes = nr_bytes;
	e->op = op;
	e->status = status;
	e->rq_flags = vbt_rq_flags(opf) | vbt_rq_state(rq);
	if (!BPF_CORE_READ(rq, bio) && op != VBT_OP_FLUSH)
		e->rq_flags |= VBT_RQ_PASSTHROUGH;
	e->src = 0;
	e->issue_ns = 0;
	if (is) {
		e->hdr.pid = is->pid;
		e->hdr.tid = is->tid;
		__builtin_memcpy(e->hdr.comm, is->comm, sizeof(e->hdr.comm));
		e->src |= VBT_SRC_ISSUER;
		if (has_io_start)
			/* iostats on (the default) or a scheduler: stamped */
			e->issue_ns = RQ_READ(direct, rq, start_time_ns);
		else
			e->issue_ns = is->issue_ns ?: is->start_ns;
		if (e->issue_ns)
			e->src |= VBT_SRC_ISSUE_TS;
		if (nr_bytes >= BPF_CORE_READ(rq, __data_len))
			slot_release(slot, key);
	}
	e->virtio_status = VBT_VIRTIO_NONE;
	/*
	 * A request ended without ever being started (the data-less write
	 * whose preflush failed) never reached the driver: its status byte
	 * is stale, and saying so is the useful part.
	 */
	if (BPF_CORE_READ(rq, state) ==
	    bpf_core_enum_value(enum mq_rq_state, MQ_RQ_IDLE))
		e->src |= VBT_SRC_NOT_ISSUED;
	else if (bpf_map_lookup_elem(&virtio_devs, &dev)) {
		int vs = vbt_virtio_status(rq);

		if (vs >= 0) {
			e->virtio_status = vs;
			e->src |= VBT_SRC_VIRTIO_READ;
		}
	}
	if (disk)
		bpf_probe_read_kernel_str(e->disk, sizeof(e->disk),
					  &disk->disk_name);
	else
		e->disk[0] = 0;
	vbt_submit(e, wakeup_bytes);
	return 0;
}

SEC("tp_btf/block_io_start")
int BPF_PROG(btf_io_start, struct request *rq)
{
	return on_io_start(rq, true);
}

SEC("raw_tp/block_io_start")
int BPF_PROG(raw_io_start, struct request *rq)
{
	return on_io_start(rq, false);
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(btf_rq_insert, struct request *rq)
{
	return on_insert_or_issue(rq, false, true);
}

SEC("raw_tp/block_rq_insert")
int BPF_PROG(raw_rq_insert, struct request *rq)
{
	return on_insert_or_issue(rq, false, false);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(btf_rq_issue, struct request *rq)
{
	return on_insert_or_issue(rq, true, true);
}

SEC("raw_tp/block_rq_issue")
int BPF_PROG(raw_rq_issue, struct request *rq)
{
	return on_insert_or_issue(rq, true, false);
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(btf_rq_complete, struct request *rq, blk_status_t error,
	     unsigned int nr_bytes)
{
	return on_complete(rq, error, nr_bytes, true);
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(raw_rq_complete, struct request *rq, blk_status_t error,
	     unsigned int nr_bytes)
{
	return on_complete(rq, error, nr_bytes, false);
}

/*
 * Classic tracepoints: the record is the ftrace one, whose 'error' is
 * already an errno and whose op is the rwbs string.  Userspace decodes
 * rwbs; we pass it in the disk field and mark the record DEV_ONLY.
 */
SEC("tracepoint/block/block_rq_issue")
int tp_rq_issue(struct trace_event_raw_block_rq *ctx)
{
	struct devsec key = {};
	struct issuer is;

	key.dev = ctx->dev;
	key.sector = ctx->sector;
	fill_issuer(&is, NULL, bpf_ktime_get_ns(), false);
	is.issue_ns = is.start_ns;
	bpf_map_update_elem(&issuers_by_sector, &key, &is, BPF_ANY);
	return 0;
}

SEC("tracepoint/block/block_rq_complete")
int tp_rq_complete(struct trace_event_raw_block_rq_completion *ctx)
{
	struct devsec key = {};
	struct issuer *is;
	struct vbt_block *e;
	int error = ctx->error;

	if (!error && !trace_all)
		return 0;
	key.dev = ctx->dev;
	key.sector = ctx->sector;
	if (!dev_wanted(key.dev))
		return 0;
	is = bpf_map_lookup_elem(&issuers_by_sector, &key);
	if (filter_pid && (!is || is->pid != filter_pid))
		return 0;
	if (is && is->pid == self_tgid) {
		if (trace_all)
			vbt_count(VBT_COUNTER_SELF);
		return 0;
	}

	e = vbt_reserve(sizeof(*e));
	if (!e)
		return 0;
	vbt_fill_hdr(&e->hdr, VBT_KIND_BLOCK, sizeof(*e), bpf_ktime_get_ns());
	e->hdr.err = error;
	e->sector = ctx->sector;
	e->dev = ctx->dev;
	e->nr_bytes = ctx->nr_sector << 9;
	e->op = VBT_OP_UNKNOWN;
	e->status = 0;
	e->rq_flags = 0;
	e->virtio_status = VBT_VIRTIO_NONE;
	e->src = VBT_SRC_DEV_ONLY;
	e->issue_ns = 0;
	if (is) {
		e->hdr.pid = is->pid;
		e->hdr.tid = is->tid;
		__builtin_memcpy(e->hdr.comm, is->comm, sizeof(e->hdr.comm));
		e->issue_ns = is->issue_ns;
		e->src |= VBT_SRC_ISSUER | VBT_SRC_ISSUE_TS;
		bpf_map_delete_elem(&issuers_by_sector, &key);
	}
	__builtin_memset(e->disk, 0, sizeof(e->disk));
	bpf_probe_read_kernel(e->disk, sizeof(ctx->rwbs), ctx->rwbs);
	if (error)
		vbt_count_error(key.dev, VBT_OP_UNKNOWN);
	vbt_submit(e, wakeup_bytes);
	return 0;
}
