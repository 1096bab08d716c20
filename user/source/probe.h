/* SPDX-License-Identifier: GPL-2.0 */
/* What this kernel and this process can do, asked before we need it. */
#ifndef VBT_PROBE_H
#define VBT_PROBE_H

#include <stdbool.h>
#include <stddef.h>

bool vbt_probe_kernel_btf(void);
/*
 * Does this kernel have the tracepoint category/name for tp_btf and raw_tp
 * (asked of tracefs when mounted, else of vmlinux BTF)?
 */
bool vbt_probe_btf_tracepoint(const char *category, const char *name);
/* Is the classic tracepoint category/name in tracefs? */
bool vbt_probe_tracefs_event(const char *category, const char *name);
/* The same as 0 or -errno: -EACCES when tracefs is there but closed to us. */
int vbt_probe_tracefs_event_err(const char *category, const char *name);
/* Why a tracepoint cannot be used, for a -errno of the above. */
const char *vbt_tracefs_why(int err);
/* Mount tracefs on /sys/kernel/tracing if it is not there; 0 or -errno. */
int vbt_probe_mount_tracefs(void);
/*
 * Can this process load and attach BPF tracing programs?  0, or -EPERM
 * with a message naming the missing capabilities and how to get them.
 */
int vbt_probe_bpf_privileges(char *err, size_t errlen);
/*
 * After attaching: keep only the capabilities in keep (cap_value_t list,
 * terminated by -1) in the effective and permitted sets, so a bug later
 * cannot use the rest; none inheritable or ambient; with CAP_SETPCAP also
 * shrink the bounding set to them and lock securebits (NOROOT,
 * NO_SETUID_FIXUP, no ambient raise); then set no_new_privs.  Every
 * execve after this (--alert-exec) starts with no capability.
 */
int vbt_drop_capabilities(const int *keep);

#endif
