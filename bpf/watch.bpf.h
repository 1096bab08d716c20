/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Which processes the syscall and async I/O programs report: every one
 * (guest side), or on a hypervisor only the watched ones.  Userspace adds
 * QEMU processes as it finds them; until it does, a process whose thread
 * group leader is named like QEMU counts as watched, so a VM that fails at
 * its first I/O is not missed between two scans.
 */
#ifndef VBT_WATCH_BPF_H
#define VBT_WATCH_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* Settings fixed before loading (.rodata, see guest_block.bpf.c). */
const volatile bool filter_pids; /* only watched thread groups */
const volatile bool match_qemu_comm; /* and any qemu-system-* / qemu-kvm */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

static __always_inline bool vbt_prefix(const char *s, const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != p[i])
			return false;
	return true;
}

static __always_inline bool vbt_qemu_leader(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	char comm[16];

	BPF_CORE_READ_STR_INTO(&comm, task, group_leader, comm);
	return vbt_prefix(comm, "qemu-system-", 12) ||
	       vbt_prefix(comm, "qemu-kvm", 8);
}

static __always_inline bool vbt_watched(__u32 tgid)
{
	if (!filter_pids || bpf_map_lookup_elem(&pids, &tgid))
		return true;
	return match_qemu_comm && vbt_qemu_leader();
}

#endif /* VBT_WATCH_BPF_H */
