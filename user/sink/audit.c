// SPDX-License-Identifier: GPL-2.0
/*
 * Completions the kernel counted against the ones vblktrace accounted for.
 *
 * Why: on a 6.18 kernel a tp_btf program alone on block_rq_complete (five
 * lines, counting one disk's completions) ran for 15999 of 16000 in about
 * one round in ten, while perf on the same tracepoint counted all 16000
 * and the program's recursion_misses stayed 0; the skipped ones sat in
 * stalls of a few milliseconds.  Nothing in the kernel counts such a skip,
 * so the only way to say so is to compare with the disk's own counters.
 *
 * The window runs from t0 (taken before the counters are read, so a
 * completion counted after the read fired its tracepoint after t0, or
 * just before: at most the requests then in flight, the slack) to t1
 * (taken after they are read, so everything counted fired before t1).
 * Only completions the disk statistics count are compared: not flushes
 * (their own counter), passthrough commands, or the steps of the flush
 * machinery (RQF_FLUSH_SEQ: a FUA write's data part on a disk without FUA,
 * ended again, counted, when its post-flush is done).  Any other
 * difference (a request completed in parts, the lost counter's syscall
 * records) makes the count smaller, never larger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/clock.h"
#include "sink/audit.h"

static bool traced(const uint32_t *devs, int ndevs, uint32_t dev)
{
	if (!ndevs)
		return true;
	for (int i = 0; i < ndevs; i++)
		if (devs[i] == dev)
			return true;
	return false;
}

void vbt_audit_start(struct vbt_audit *a, const char *sysroot,
		     const struct vbt_disk *disks, int ndisks,
		     const uint32_t *devs, int ndevs, uint64_t lost,
		     uint64_t own)
{
	struct vbt_disk_counts c;

	memset(a, 0, sizeof(*a));
	a->d = calloc(ndisks > 0 ? ndisks : 1, sizeof(*a->d));
	if (!a->d)
		return;		/* nothing checked: never a false claim */
	a->t0 = vbt_mono_now();
	a->lost0 = lost;
	a->own0 = own;
	for (int i = 0; i < ndisks; i++) {
		struct vbt_audit_disk *d = &a->d[a->n];

		if (!traced(devs, ndevs, disks[i].dev) ||
		    vbt_disk_counts_read(sysroot, disks[i].name, &c))
			continue;
		snprintf(d->name, sizeof(d->name), "%s", disks[i].name);
		d->dev = disks[i].dev;
		d->done0 = c.done;
		d->in_flight0 = c.in_flight;
		a->n++;
	}
}

static bool counted_by_disk(const struct vbt_event *ev)
{
	const struct vbt_block_info *b = &ev->blk;

	if (b->op == VBT_OP_FLUSH || b->op == VBT_OP_DRV_IN ||
	    b->op == VBT_OP_DRV_OUT || b->op == VBT_OP_UNKNOWN)
		return false;
	return !(b->flags & (VBT_RQ_PASSTHROUGH | VBT_RQ_FLUSH_SEQ));
}

/*
 * Per event at full rate, among every disk of the machine (130 loop
 * devices here): the last event's disk is tried first.
 */
void vbt_audit_event(struct vbt_audit *a, const struct vbt_event *ev)
{
	if (!a->n || ev->kind != VBT_KIND_BLOCK || ev->mono_ns < a->t0 ||
	    (a->t1 && ev->mono_ns > a->t1) || !counted_by_disk(ev))
		return;
	if (a->d[a->last].dev == ev->blk.dev) {
		a->d[a->last].seen++;
		return;
	}
	for (int i = 0; i < a->n; i++)
		if (a->d[i].dev == ev->blk.dev) {
			a->d[i].seen++;
			a->last = i;
			return;
		}
}

void vbt_audit_free(struct vbt_audit *a)
{
	free(a->d);
	memset(a, 0, sizeof(*a));
}

void vbt_audit_stop(struct vbt_audit *a, const char *sysroot)
{
	struct vbt_disk_counts c;

	for (int i = 0; i < a->n; i++) {
		struct vbt_audit_disk *d = &a->d[i];

		/* gone (a loop device detached): nothing to compare */
		d->done1 = vbt_disk_counts_read(sysroot, d->name, &c) ||
					   c.done < d->done0 ?
				   d->done0 + d->seen :
				   c.done;
	}
	a->t1 = vbt_mono_now();
}

/*
 * Disk by disk, so that one shown more often than its statistics count
 * (a request completed in parts) cannot hide another's missing ones; the
 * lost and own counters are not per disk, and cover any.
 */
uint64_t vbt_audit_unseen(struct vbt_audit *a, uint64_t lost, uint64_t own)
{
	uint64_t short_by = 0;

	for (int i = 0; i < a->n; i++) {
		const struct vbt_audit_disk *d = &a->d[i];
		uint64_t k = d->done1 - d->done0;

		if (k > d->seen + d->in_flight0)
			short_by += k - d->seen - d->in_flight0;
	}
	a->lost = lost - a->lost0;
	a->own = own - a->own0;
	return short_by > a->lost + a->own ? short_by - a->lost - a->own : 0;
}

void vbt_audit_where(const struct vbt_audit *a, bool every, char *buf,
		     size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = 0;
	for (int i = 0; i < a->n && off < len; i++) {
		const struct vbt_audit_disk *d = &a->d[i];
		uint64_t k = d->done1 - d->done0;

		if (k > d->seen || (every && (k || d->seen)))
			off += snprintf(buf + off, len - off,
					"%s%s: kernel %llu, shown %llu",
					off ? "; " : "", d->name,
					(unsigned long long)k,
					(unsigned long long)d->seen);
	}
}
