/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * What every vblktrace BPF program shares: the ring buffer, the counter of
 * records that could not be delivered, per-device error counters and the
 * common record header.
 */
#ifndef VBT_MAPS_BPF_H
#define VBT_MAPS_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include "vblktrace/abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/*
 * Per CPU: records lost because the ring buffer was full, and completions
 * not shown because vblktrace issued them (enum vbt_counter).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VBT_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Failed requests per (device, op), per CPU; successes are in diskstats. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct vbt_err_key);
	__type(value, __u64);
} errors SEC(".maps");

static __always_inline void vbt_count(__u32 counter)
{
	__u64 *cnt = bpf_map_lookup_elem(&lost, &counter);

	/* atomic: a completion interrupt may nest in a syscall exit */
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
}

static __always_inline void *vbt_reserve(__u32 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e)
		vbt_count(VBT_COUNTER_LOST);
	return e;
}

/*
 * Hand a record to the reader.  With a threshold (streaming every
 * completion), wake it only once that much is unread: one wakeup per
 * batch instead of one per record; it also drains on its poll timeout.
 */
static __always_inline void vbt_submit(void *e, __u64 wakeup_bytes)
{
	__u64 flags = 0;

	if (wakeup_bytes)
		flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >=
					wakeup_bytes ?
				BPF_RB_FORCE_WAKEUP :
				BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

static __always_inline void vbt_count_error(__u32 dev, __u32 op)
{
	struct vbt_err_key key = { .dev = dev, .op = op };
	__u64 one = 1, *cnt;

	cnt = bpf_map_lookup_elem(&errors, &key);
	if (cnt)
		(*cnt)++;
	else
		bpf_map_update_elem(&errors, &key, &one, BPF_NOEXIST);
}

static __always_inline void vbt_fill_hdr(struct vbt_hdr *h, __u16 kind,
					 __u32 size, __u64 now)
{
	__u64 id = bpf_get_current_pid_tgid();

	h->abi = VBT_ABI_VERSION;
	h->kind = kind;
	h->size = size;
	h->mono_ns = now;
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->err = 0;
	h->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

#endif /* VBT_MAPS_BPF_H */
