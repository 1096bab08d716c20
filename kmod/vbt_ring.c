// SPDX-License-Identifier: GPL-2.0
/*
 * One ring of bytes per CPU, filled by the tracepoint probes that run on
 * that CPU (any context up to hard irq) and emptied by read() on any CPU.
 * A per-CPU spinlock taken with interrupts off serialises the two sides:
 * the producers of a CPU only ever contend with the single reader.
 *
 * A full ring never overwrites: the record is dropped and counted.  The
 * count goes back to the reader in the stream itself, as a struct vbt_lost
 * written just before the next record that fits (or made up by read() once
 * the ring is empty), so the reader learns where the gap is and how long
 * it is, exactly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "vbt.h"

struct vbt_cpu_ring {
	spinlock_t lock;	/* this CPU's probes against the reader */
	char *buf;
	u64 head;	/* bytes ever written */
	u64 tail;	/* bytes ever read */
	u64 lost;	/* dropped since the last vbt_lost record */
	u64 lost_ns;	/* when the first of those was dropped */
	u64 dropped;	/* dropped since the last reset */
};

static DEFINE_PER_CPU(struct vbt_cpu_ring, vbt_rings);
static unsigned int ring_size;	/* a power of two */
static unsigned int next_cpu;	/* where the next read() starts */
static struct irq_work wake_work;

DECLARE_WAIT_QUEUE_HEAD(vbt_ring_wait);

/* Probes may run with scheduler locks held: wake the reader from irq_work. */
static void vbt_ring_wake(struct irq_work *work)
{
	wake_up_all(&vbt_ring_wait);
}

static u32 ring_used(const struct vbt_cpu_ring *r)
{
	return r->head - r->tail;
}

static void ring_put(struct vbt_cpu_ring *r, const void *src, u32 len)
{
	u32 off = r->head & (ring_size - 1);
	u32 first = min(len, ring_size - off);

	memcpy(r->buf + off, src, first);
	memcpy(r->buf, src + first, len - first);
	r->head += len;
}

static void ring_get(const struct vbt_cpu_ring *r, void *dst, u32 len)
{
	u32 off = r->tail & (ring_size - 1);
	u32 first = min(len, ring_size - off);

	memcpy(dst, r->buf + off, first);
	memcpy(dst + first, r->buf, len - first);
}

/* Turns the pending drop count of @r into a record; caller holds the lock. */
static void make_lost(struct vbt_cpu_ring *r, int cpu, struct vbt_lost *l)
{
	memset(l, 0, sizeof(*l));
	l->hdr.abi = VBT_ABI_VERSION;
	l->hdr.kind = VBT_KIND_LOST;
	l->hdr.size = sizeof(*l);
	l->hdr.mono_ns = r->lost_ns;
	l->hdr.cpu = cpu;
	l->count = r->lost;
	r->lost = 0;
}

bool vbt_ring_write(const void *rec, u32 size)
{
	struct vbt_cpu_ring *r;
	struct vbt_lost l;
	unsigned long flags;
	u32 need = size;
	bool ok;

	local_irq_save(flags);
	r = this_cpu_ptr(&vbt_rings);
	spin_lock(&r->lock);
	if (r->lost)
		need += sizeof(l);
	ok = ring_size - ring_used(r) >= need;
	if (ok) {
		if (r->lost) {
			make_lost(r, smp_processor_id(), &l);
			ring_put(r, &l, sizeof(l));
		}
		ring_put(r, rec, size);
	} else {
		if (!r->lost++)
			r->lost_ns = ktime_get_mono_fast_ns();
		r->dropped++;
	}
	spin_unlock(&r->lock);
	local_irq_restore(flags);
	if (ok && wq_has_sleeper(&vbt_ring_wait))
		irq_work_queue(&wake_work);
	return ok;
}

/* Moves whole records of one CPU into @buf; returns the bytes moved. */
static size_t read_cpu(int cpu, char *buf, size_t len)
{
	struct vbt_cpu_ring *r = per_cpu_ptr(&vbt_rings, cpu);
	struct vbt_hdr h;
	size_t done = 0;

	spin_lock_irq(&r->lock);
	while (ring_used(r) >= sizeof(h)) {
		ring_get(r, &h, sizeof(h));
		if (h.size > len - done)
			break;
		ring_get(r, buf + done, h.size);
		r->tail += h.size;
		done += h.size;
	}
	if (!ring_used(r) && r->lost && len - done >= sizeof(struct vbt_lost)) {
		make_lost(r, cpu, (struct vbt_lost *)(buf + done));
		done += sizeof(struct vbt_lost);
	}
	spin_unlock_irq(&r->lock);
	return done;
}

/*
 * Whole records from every CPU, starting one CPU further each call so that
 * a small buffer cannot starve the last CPUs.
 */
size_t vbt_ring_read(char *buf, size_t len)
{
	unsigned int n = nr_cpu_ids, i, cpu;
	size_t done = 0;

	for (i = 0; i < n; i++) {
		cpu = (READ_ONCE(next_cpu) + i) % n;
		if (cpu_possible(cpu))
			done += read_cpu(cpu, buf + done, len - done);
	}
	WRITE_ONCE(next_cpu, (READ_ONCE(next_cpu) + 1) % n);
	return done;
}

bool vbt_ring_readable(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vbt_cpu_ring *r = per_cpu_ptr(&vbt_rings, cpu);

		if (READ_ONCE(r->head) != READ_ONCE(r->tail) ||
		    READ_ONCE(r->lost))
			return true;
	}
	return false;
}

/* Forgets what a previous reader left behind. */
void vbt_ring_reset(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vbt_cpu_ring *r = per_cpu_ptr(&vbt_rings, cpu);

		spin_lock_irq(&r->lock);
		r->tail = r->head;
		r->lost = 0;
		r->dropped = 0;
		spin_unlock_irq(&r->lock);
	}
}

u64 vbt_ring_dropped(void)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(&vbt_rings, cpu)->dropped);
	return sum;
}

unsigned int vbt_ring_bytes(void)
{
	return ring_size;
}

int vbt_ring_init(unsigned int bytes)
{
	int cpu;

	ring_size = roundup_pow_of_two(max_t(unsigned int, bytes, PAGE_SIZE));
	init_irq_work(&wake_work, vbt_ring_wake);
	for_each_possible_cpu(cpu) {
		struct vbt_cpu_ring *r = per_cpu_ptr(&vbt_rings, cpu);

		spin_lock_init(&r->lock);
		r->buf = vmalloc_node(ring_size, cpu_to_node(cpu));
		if (!r->buf) {
			vbt_ring_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/* Called once no probe can run any more. */
void vbt_ring_exit(void)
{
	int cpu;

	irq_work_sync(&wake_work);
	for_each_possible_cpu(cpu) {
		struct vbt_cpu_ring *r = per_cpu_ptr(&vbt_rings, cpu);

		vfree(r->buf);
		r->buf = NULL;
	}
}
