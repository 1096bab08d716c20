/* SPDX-License-Identifier: GPL-2.0 */
/* Block devices of this machine as sysfs describes them. */
#ifndef VBT_DISKS_H
#define VBT_DISKS_H

#include <stdbool.h>
#include <stdint.h>

struct vbt_disk {
	char name[32];
	uint32_t dev;			/* kernel dev_t: major << 20 | minor */
	unsigned int major, minor;
	char driver[32];		/* e.g. virtio_blk, "" if none */
	bool virtio;
};

/* Kernel-internal dev_t encoding, as BPF and ftrace see it. */
static inline uint32_t vbt_mkdev(unsigned int major, unsigned int minor)
{
	return (major << 20) | minor;
}

static inline unsigned int vbt_major(uint32_t dev) { return dev >> 20; }
static inline unsigned int vbt_minor(uint32_t dev) { return dev & 0xfffff; }

/*
 * Every whole disk under SYSROOT/block (SYSROOT normally "/sys").
 * Returns the count (>= 0) and a malloc'd array in *out, or -errno.
 */
int vbt_disks_scan(const char *sysroot, struct vbt_disk **out);
/* One disk by name ("vda"), including partitions; 0 or -ENOENT. */
int vbt_disk_lookup(const char *sysroot, const char *name,
		    struct vbt_disk *d);
/* A disk or partition by device number; 0 or -ENOENT. */
int vbt_disk_lookup_dev(const char *sysroot, uint32_t dev, struct vbt_disk *d);
const struct vbt_disk *vbt_disk_by_dev(const struct vbt_disk *disks, int n,
				       uint32_t dev);

/* A disk's own I/O counters (Documentation/block/stat.rst). */
struct vbt_disk_counts {
	uint64_t done;		/* reads + writes + discards completed */
	uint64_t in_flight;	/* requests issued, not yet completed */
};

/*
 * SYSROOT/block/NAME/stat, for a blk-mq disk that keeps statistics
 * (queue/iostats 1): only then does each request that fires the
 * block_rq_complete tracepoint count once here.  0, -ENOENT (no such
 * disk), -EOPNOTSUPP (not blk-mq, or iostats off) or -EINVAL.
 */
int vbt_disk_counts_read(const char *sysroot, const char *name,
			 struct vbt_disk_counts *c);

#endif
