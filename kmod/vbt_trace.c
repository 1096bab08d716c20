// SPDX-License-Identifier: GPL-2.0
/*
 * The block tracepoints, and the records made from them: the same records
 * as bpf/guest_block.bpf.c, so that userspace cannot tell the two apart.
 *
 * The block tracepoints are not exported to modules, so they are looked up
 * by name with for_each_kernel_tracepoint() and attached with
 * tracepoint_probe_register().  As in the BPF program, the issuer of a
 * request is remembered when it enters the block layer (block_io_start on
 * 6.5+, else the first of block_rq_insert and block_rq_issue) in a table
 * keyed by the request pointer, and read back at block_rq_complete, which
 * runs in interrupt context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/hash.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>
#include <uapi/linux/virtio_blk.h>

#include "vbt.h"

/*
 * virtio_blk's per-request data (blk_mq_rq_to_pdu()), private to
 * drivers/block/virtio_blk.c: only the leading members we read.  Zoned
 * device support (6.3, which also added VIRTIO_BLK_F_ZONED to the uapi
 * header) put the status byte into a union with the zone append header;
 * its offset stayed sizeof(struct virtio_blk_outhdr).
 */
#ifdef VIRTIO_BLK_F_ZONED
struct vbt_virtblk_req {
	struct virtio_blk_outhdr out_hdr;
	union {
		u8 status;
		struct {
			__virtio64 sector;
			u8 status;
		} zone_append;
	} in_hdr;
};

#define VBT_VIRTBLK_STATUS	offsetof(struct vbt_virtblk_req, in_hdr.status)
#else
struct vbt_virtblk_req {
	struct virtio_blk_outhdr out_hdr;
	u8 status;
};

#define VBT_VIRTBLK_STATUS	offsetof(struct vbt_virtblk_req, status)
#endif

/* ---- issuers ------------------------------------------------------- */

/* As the BPF map: op and sector range tell a reused request pointer apart. */
struct vbt_issuer {
	const struct request *rq;
	u64 start_ns;
	u64 issue_ns;
	u64 sector;
	u32 nr_sectors;
	u32 op;
	u32 pid;
	u32 tid;
	char comm[VBT_COMM_LEN];
};

/* A small set-associative table stands in for the BPF LRU hash. */
#define VBT_SET_BITS	11
#define VBT_WAYS	8

struct vbt_set {
	spinlock_t lock;	/* protects e[] against all CPUs' probes */
	struct vbt_issuer e[VBT_WAYS];
};

static struct vbt_set *issuers;

static struct vbt_set *set_of(const struct request *rq)
{
	return &issuers[hash_ptr((void *)rq, VBT_SET_BITS)];
}

static void fill_issuer(struct vbt_issuer *is, struct request *rq, u64 now)
{
	is->rq = rq;
	is->sector = blk_rq_pos(rq);
	is->nr_sectors = blk_rq_bytes(rq) >> 9;
	is->op = rq->cmd_flags & 0xff;
	is->start_ns = now;
	is->issue_ns = 0;
	is->pid = current->tgid;
	is->tid = current->pid;
	strscpy_pad(is->comm, current->comm, sizeof(is->comm));
}

static bool same_request(const struct vbt_issuer *is, struct request *rq)
{
	u64 sector = blk_rq_pos(rq);

	/* Partial completions advance the start within the original range. */
	return is->op == (rq->cmd_flags & 0xff) && sector >= is->sector &&
	       sector <= is->sector + is->nr_sectors;
}

/* The entry of @rq, else a free one, else the oldest; set lock held. */
static struct vbt_issuer *slot_of(struct vbt_set *s, const struct request *rq)
{
	struct vbt_issuer *free = NULL, *old = &s->e[0];
	int i;

	for (i = 0; i < VBT_WAYS; i++) {
		if (s->e[i].rq == rq)
			return &s->e[i];
		if (!s->e[i].rq && !free)
			free = &s->e[i];
		if (s->e[i].start_ns < old->start_ns)
			old = &s->e[i];
	}
	return free ?: old;
}

static struct vbt_issuer *find(struct vbt_set *s, const struct request *rq)
{
	int i;

	for (i = 0; i < VBT_WAYS; i++)
		if (s->e[i].rq == rq)
			return &s->e[i];
	return NULL;
}

/* block_io_start: always the submitter, always a new request. */
static void issuer_start(struct request *rq)
{
	struct vbt_set *s = set_of(rq);
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	fill_issuer(slot_of(s, rq), rq, ktime_get_mono_fast_ns());
	spin_unlock_irqrestore(&s->lock, flags);
}

/* Before 6.5: the first of insert and issue names the issuer. */
static void issuer_insert_or_issue(struct request *rq, bool issue)
{
	struct vbt_set *s = set_of(rq);
	u64 now = ktime_get_mono_fast_ns();
	struct vbt_issuer *is;
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	is = find(s, rq);
	if (is && same_request(is, rq)) {
		if (issue && !is->issue_ns)
			is->issue_ns = now;
	} else {
		is = slot_of(s, rq);
		fill_issuer(is, rq, now);
		if (issue)
			is->issue_ns = now;
	}
	spin_unlock_irqrestore(&s->lock, flags);
}

static void issuer_delete(struct request *rq)
{
	struct vbt_set *s = set_of(rq);
	struct vbt_issuer *is;
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	is = find(s, rq);
	if (is)
		is->rq = NULL;
	spin_unlock_irqrestore(&s->lock, flags);
}

/* Copies the issuer of @rq out; forgets it when @done. */
static bool issuer_take(struct request *rq, struct vbt_issuer *out, bool done)
{
	struct vbt_set *s = set_of(rq);
	struct vbt_issuer *is;
	unsigned long flags;
	bool ok = false;

	spin_lock_irqsave(&s->lock, flags);
	is = find(s, rq);
	if (is && same_request(is, rq)) {
		*out = *is;
		ok = true;
		if (done)
			is->rq = NULL;
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return ok;
}

/* ---- error counters since load ------------------------------------- */

#define VBT_ERRDEVS	64

struct vbt_errdev {
	u32 dev;
	atomic64_t n[VBT_OP_MAX];
};

static struct vbt_errdev errdevs[VBT_ERRDEVS];
static int nerrdevs;
static DEFINE_SPINLOCK(errlock);
static atomic64_t failed;

static struct vbt_errdev *errdev(u32 dev)
{
	struct vbt_errdev *e = NULL;
	unsigned long flags;
	/* Pairs with the release below: entries below n are initialised. */
	int i, n = smp_load_acquire(&nerrdevs);

	for (i = 0; i < n; i++)
		if (errdevs[i].dev == dev)
			return &errdevs[i];
	spin_lock_irqsave(&errlock, flags);
	for (i = 0; i < nerrdevs; i++)
		if (errdevs[i].dev == dev)
			e = &errdevs[i];
	if (!e && nerrdevs < VBT_ERRDEVS) {
		e = &errdevs[nerrdevs];
		e->dev = dev;
		/* Publish the entry only once its dev is set. */
		smp_store_release(&nerrdevs, nerrdevs + 1);
	}
	spin_unlock_irqrestore(&errlock, flags);
	return e;
}

static void count_error(u32 dev, u8 op)
{
	struct vbt_errdev *e = errdev(dev);

	atomic64_inc(&failed);
	if (e)
		atomic64_inc(&e->n[op]);
}

int vbt_errors_copy(struct vbt_kmod_errcount *out, int max)
{
	/* Pairs with the release in errdev(). */
	int i, op, k = 0, n = smp_load_acquire(&nerrdevs);

	for (i = 0; i < n; i++) {
		for (op = 0; op < VBT_OP_MAX; op++) {
			u64 c = atomic64_read(&errdevs[i].n[op]);

			if (!c)
				continue;
			if (k == max)
				return k;
			out[k].dev = errdevs[i].dev;
			out[k].op = op;
			out[k].count = c;
			k++;
		}
	}
	return k;
}

void vbt_errors_for_dev(u32 dev, u64 counts[VBT_OP_MAX])
{
	/* Pairs with the release in errdev(). */
	int i, op, n = smp_load_acquire(&nerrdevs);

	memset(counts, 0, sizeof(u64) * VBT_OP_MAX);
	for (i = 0; i < n; i++)
		if (errdevs[i].dev == dev)
			for (op = 0; op < VBT_OP_MAX; op++)
				counts[op] = atomic64_read(&errdevs[i].n[op]);
}

u64 vbt_trace_failed(void)
{
	return atomic64_read(&failed);
}

/* ---- translation into the ABI (as bpf/core_fixes.bpf.h) ------------ */

static u8 vbt_op(blk_opf_t opf)
{
	switch (opf & REQ_OP_MASK) {
	case REQ_OP_READ:		return VBT_OP_READ;
	case REQ_OP_WRITE:		return VBT_OP_WRITE;
	case REQ_OP_FLUSH:		return VBT_OP_FLUSH;
	case REQ_OP_DISCARD:		return VBT_OP_DISCARD;
	case REQ_OP_SECURE_ERASE:	return VBT_OP_SECURE_ERASE;
	case REQ_OP_WRITE_ZEROES:	return VBT_OP_WRITE_ZEROES;
	case REQ_OP_ZONE_APPEND:	return VBT_OP_ZONE_APPEND;
	case REQ_OP_ZONE_OPEN:		return VBT_OP_ZONE_OPEN;
	case REQ_OP_ZONE_CLOSE:		return VBT_OP_ZONE_CLOSE;
	case REQ_OP_ZONE_FINISH:	return VBT_OP_ZONE_FINISH;
	case REQ_OP_ZONE_RESET:		return VBT_OP_ZONE_RESET;
	case REQ_OP_ZONE_RESET_ALL:	return VBT_OP_ZONE_RESET_ALL;
	case REQ_OP_DRV_IN:		return VBT_OP_DRV_IN;
	case REQ_OP_DRV_OUT:		return VBT_OP_DRV_OUT;
	default:			return VBT_OP_UNKNOWN;
	}
}

static u32 vbt_flags(blk_opf_t opf)
{
	static const struct {
		blk_opf_t req;
		u32 vbt;
	} map[] = {
		{ REQ_SYNC, VBT_RQ_SYNC },
		{ REQ_META, VBT_RQ_META },
		{ REQ_PRIO, VBT_RQ_PRIO },
		{ REQ_NOMERGE, VBT_RQ_NOMERGE },
		{ REQ_IDLE, VBT_RQ_IDLE },
		{ REQ_INTEGRITY, VBT_RQ_INTEGRITY },
		{ REQ_FUA, VBT_RQ_FUA },
		{ REQ_PREFLUSH, VBT_RQ_PREFLUSH },
		{ REQ_RAHEAD, VBT_RQ_RAHEAD },
		{ REQ_BACKGROUND, VBT_RQ_BACKGROUND },
		{ REQ_NOWAIT, VBT_RQ_NOWAIT },
		{ REQ_FAILFAST_DEV, VBT_RQ_FAILFAST_DEV },
		{ REQ_FAILFAST_TRANSPORT, VBT_RQ_FAILFAST_TRANSPORT },
		{ REQ_FAILFAST_DRIVER, VBT_RQ_FAILFAST_DRIVER },
		{ REQ_NOUNMAP, VBT_RQ_NOUNMAP },
	};
	u32 out = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (opf & map[i].req)
			out |= map[i].vbt;
	return out;
}

/*
 * The disk's parent is the virtio device; while one of its requests is in
 * flight virtio_blk stays bound to it.
 */
bool vbt_disk_is_virtio_blk(struct gendisk *disk)
{
	struct device *parent = disk_to_dev(disk)->parent;
	struct device_driver *drv = parent ? READ_ONCE(parent->driver) : NULL;

	return drv && drv->name && !strcmp(drv->name, "virtio_blk");
}

static u8 virtio_status(struct request *rq)
{
	return *((u8 *)blk_mq_rq_to_pdu(rq) + VBT_VIRTBLK_STATUS);
}

/* ---- tracing ------------------------------------------------------- */

static struct vbt_filter filter;
static int tracing;		/* a reader has started */
static bool has_io_start;	/* this kernel has block_io_start */

static bool dev_wanted(u32 dev)
{
	u32 i;

	if (!filter.ndevs)
		return true;
	for (i = 0; i < filter.ndevs; i++)
		if (filter.devs[i] == dev)
			return true;
	return false;
}

static void fill_hdr(struct vbt_hdr *h, u16 kind, u32 size, u64 now)
{
	h->abi = VBT_ABI_VERSION;
	h->kind = kind;
	h->size = size;
	h->mono_ns = now;
	h->pid = current->tgid;
	h->tid = current->pid;
	h->err = 0;
	h->cpu = smp_processor_id();
	strscpy_pad(h->comm, current->comm, sizeof(h->comm));
}

static void emit_block(struct request *rq, struct gendisk *disk, u32 dev,
		       u8 op, u8 status, unsigned int nr_bytes,
		       const struct vbt_issuer *is)
{
	struct vbt_block e;

	memset(&e, 0, sizeof(e));
	fill_hdr(&e.hdr, VBT_KIND_BLOCK, sizeof(e), ktime_get_mono_fast_ns());
	e.sector = blk_rq_pos(rq);
	e.dev = dev;
	e.nr_bytes = nr_bytes;
	e.op = op;
	e.status = status;
	e.rq_flags = vbt_flags(rq->cmd_flags);
	if (rq->rq_flags & RQF_QUIET)
		e.rq_flags |= VBT_RQ_QUIET;
	if (rq->rq_flags & RQF_FLUSH_SEQ)
		e.rq_flags |= VBT_RQ_FLUSH_SEQ;
	if (!rq->bio && op != VBT_OP_FLUSH)
		e.rq_flags |= VBT_RQ_PASSTHROUGH;
	if (is) {
		e.hdr.pid = is->pid;
		e.hdr.tid = is->tid;
		memcpy(e.hdr.comm, is->comm, sizeof(e.hdr.comm));
		e.issue_ns = is->issue_ns ?: is->start_ns;
		e.src |= VBT_SRC_ISSUER | VBT_SRC_ISSUE_TS;
	}
	e.virtio_status = VBT_VIRTIO_NONE;
	/*
	 * As the BPF program: a request that ended without being started
	 * (a data-less write whose preflush failed) never reached the
	 * driver, so its status byte is stale.
	 */
	if (READ_ONCE(rq->state) == MQ_RQ_IDLE) {
		e.src |= VBT_SRC_NOT_ISSUED;
	} else if (disk && vbt_disk_is_virtio_blk(disk)) {
		e.virtio_status = virtio_status(rq);
		e.src |= VBT_SRC_VIRTIO_READ;
	}
	if (disk)
		strscpy_pad(e.disk, disk->disk_name, sizeof(e.disk));
	vbt_ring_write(&e, sizeof(e));
}

static void probe_complete(void *data, struct request *rq, blk_status_t error,
			   unsigned int nr_bytes)
{
	struct gendisk *disk = rq->q->disk;
	u32 dev = disk ? disk_devt(disk) : 0;
	u8 status = (__force u8)error;
	u8 op = vbt_op(rq->cmd_flags);
	struct vbt_issuer is;
	bool found;

	if (status)
		count_error(dev, op);
	/* Pairs with vbt_trace_start(): the filter is complete once seen. */
	if (!smp_load_acquire(&tracing))
		return;
	if (!status && !filter.all) {
		if (!has_io_start)
			issuer_delete(rq);
		return;
	}
	if (!dev_wanted(dev))
		return;
	found = issuer_take(rq, &is, nr_bytes >= blk_rq_bytes(rq));
	if (filter.pid && (!found || is.pid != filter.pid))
		return;
	emit_block(rq, disk, dev, op, status, nr_bytes, found ? &is : NULL);
}

static void probe_io_start(void *data, struct request *rq)
{
	if (READ_ONCE(tracing))
		issuer_start(rq);
}

static void probe_insert(void *data, struct request *rq)
{
	if (READ_ONCE(tracing))
		issuer_insert_or_issue(rq, false);
}

static void probe_issue(void *data, struct request *rq)
{
	if (READ_ONCE(tracing))
		issuer_insert_or_issue(rq, true);
}

struct vbt_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool attached;
};

enum { TP_COMPLETE, TP_IO_START, TP_INSERT, TP_ISSUE, TP_MAX };

static struct vbt_tp tps[TP_MAX] = {
	[TP_COMPLETE] = { "block_rq_complete", probe_complete },
	[TP_IO_START] = { "block_io_start", probe_io_start },
	[TP_INSERT] = { "block_rq_insert", probe_insert },
	[TP_ISSUE] = { "block_rq_issue", probe_issue },
};

static void find_tp(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < TP_MAX; i++)
		if (!strcmp(tp->name, tps[i].name))
			tps[i].tp = tp;
}

static int attach_tp(struct vbt_tp *t)
{
	int ret = tracepoint_probe_register(t->tp, t->probe, NULL);

	if (ret)
		pr_err("cannot attach to %s: %d\n", t->name, ret);
	else
		t->attached = true;
	return ret;
}

static void detach_all(void)
{
	int i;

	for (i = 0; i < TP_MAX; i++) {
		if (!tps[i].attached)
			continue;
		tracepoint_probe_unregister(tps[i].tp, tps[i].probe, NULL);
		tps[i].attached = false;
	}
	/* No probe runs past this point: the table may be freed. */
	tracepoint_synchronize_unregister();
}

int vbt_trace_init(void)
{
	int i, ret;

	for_each_kernel_tracepoint(find_tp, NULL);
	if (!tps[TP_COMPLETE].tp || (!tps[TP_IO_START].tp &&
				     (!tps[TP_INSERT].tp || !tps[TP_ISSUE].tp))) {
		pr_err("block tracepoints not found (CONFIG_BLOCK and CONFIG_TRACEPOINTS are needed)\n");
		return -ENOENT;
	}
	issuers = vzalloc(sizeof(*issuers) << VBT_SET_BITS);
	if (!issuers)
		return -ENOMEM;
	for (i = 0; i < (1 << VBT_SET_BITS); i++)
		spin_lock_init(&issuers[i].lock);

	has_io_start = tps[TP_IO_START].tp;
	ret = attach_tp(&tps[TP_COMPLETE]);
	if (!ret && has_io_start)
		ret = attach_tp(&tps[TP_IO_START]);
	if (!ret && !has_io_start)
		ret = attach_tp(&tps[TP_INSERT]);
	if (!ret && !has_io_start)
		ret = attach_tp(&tps[TP_ISSUE]);
	if (ret) {
		detach_all();
		vfree(issuers);
		return ret;
	}
	return 0;
}

void vbt_trace_exit(void)
{
	detach_all();
	vfree(issuers);
	issuers = NULL;
}

bool vbt_trace_io_start(void)
{
	return has_io_start;
}

/* The filter only changes while no probe can be reading it. */
void vbt_trace_start(const struct vbt_filter *f)
{
	filter = *f;
	/* Probes that see tracing set also see the new filter. */
	smp_store_release(&tracing, 1);
}

void vbt_trace_stop(void)
{
	WRITE_ONCE(tracing, 0);
	tracepoint_synchronize_unregister();
}
