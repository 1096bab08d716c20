/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block device numbers to names, one way for every caller: the disks the
 * session scanned at start, then sysfs (a partition, or a disk added
 * since), else "MAJ:MIN".  Answers are cached, the misses too: a device
 * number is asked about once per event and sysfs is slow next to that.
 */
#ifndef VBT_DEVNAME_H
#define VBT_DEVNAME_H

#include <stdbool.h>
#include <stdint.h>

#include "system/disks.h"

#define VBT_DEVNAME_CACHE 64

struct vbt_devnames {
	const struct vbt_disk *disks;	/* scanned at start, not owned */
	int ndisks;
	const char *sysroot;
	struct {
		uint32_t dev;
		bool found;
		char name[32];
	} cache[VBT_DEVNAME_CACHE];
	int n;
};

void vbt_devnames_init(struct vbt_devnames *c, const struct vbt_disk *disks,
		       int ndisks, const char *sysroot);
/*
 * The name of @dev ("vda", "vda1"), or "MAJ:MIN" when nothing names it;
 * *found (if not NULL) says which.  Valid until the next call.
 */
const char *vbt_devname(struct vbt_devnames *c, uint32_t dev, bool *found);

#endif
