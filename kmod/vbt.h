/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblktrace kernel module: what its parts share.
 *
 *   vbt_main.c     module init/exit, /dev/vblktrace (open, read, poll, ioctl)
 *   vbt_ring.c     one ring per CPU that never overwrites, lost accounting
 *   vbt_trace.c    block tracepoints, issuers, records, error counters
 *   vbt_inspect.c  debugfs: virtio-blk features, config space, queues
 */
#ifndef VBT_KMOD_H
#define VBT_KMOD_H

#include <linux/types.h>
#include <linux/wait.h>
#include "vblktrace/abi.h"

struct dentry;
struct gendisk;

/* What the current reader asked for (set only while tracing is off). */
struct vbt_filter {
	bool all;
	u32 pid;
	u32 ndevs;
	u32 devs[VBT_KMOD_MAX_DEVS];
};

/* vbt_ring.c */
extern wait_queue_head_t vbt_ring_wait;
int vbt_ring_init(unsigned int bytes);
void vbt_ring_exit(void);
void vbt_ring_reset(void);
bool vbt_ring_write(const void *rec, u32 size);
size_t vbt_ring_read(char *buf, size_t len);
bool vbt_ring_readable(void);
u64 vbt_ring_dropped(void);
unsigned int vbt_ring_bytes(void);

/* vbt_trace.c */
int vbt_trace_init(void);
void vbt_trace_exit(void);
void vbt_trace_start(const struct vbt_filter *f);
void vbt_trace_stop(void);
bool vbt_trace_io_start(void);
u64 vbt_trace_failed(void);
int vbt_errors_copy(struct vbt_kmod_errcount *out, int max);
void vbt_errors_for_dev(u32 dev, u64 counts[VBT_OP_MAX]);
bool vbt_disk_is_virtio_blk(struct gendisk *disk);

/* vbt_inspect.c */
int vbt_inspect_init(struct dentry *root);
void vbt_inspect_exit(void);

#endif /* VBT_KMOD_H */
