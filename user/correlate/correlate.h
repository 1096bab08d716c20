/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Joining a guest and a host recording of the same VM (vblktrace merge).
 *
 * 1. Disks: each guest disk is paired with a QEMU drive by serial, libvirt
 *    target, PCI slot (guest sysfs vs -device addr=), or, failing those, by
 *    the evidence of failed requests at the same byte offset.
 * 2. Sectors: for a raw image, host offset = sector * 512 + the raw node's
 *    offset; other formats (qcow2, ...) map guest sectors through their own
 *    metadata, so those errors are joined by time and operation only.
 * 3. Clocks: both sides record wall and monotonic time.  The offset between
 *    the two wall clocks is estimated as the median of host-minus-guest
 *    over unambiguous pairs (same drive, same byte range); without pairs
 *    the wall clocks are taken as they are.
 * 4. Origins: every failed guest request (and the syscall it surfaced as)
 *    gets host-device, host-syscall (with the host errno), qemu-internal
 *    (virtio error but no failure on the host side: blkdebug, a detached
 *    backend, a policy) or guest (no virtio error); unknown only when the
 *    host recording cannot say (disk not paired, time not covered).
 */
#ifndef VBT_CORRELATE_H
#define VBT_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/bundle_input.h"

#define VBT_CORR_MAX_DISKS 64

enum vbt_origin {
	VBT_ORIGIN_UNKNOWN,
	VBT_ORIGIN_HOST_DEVICE,
	VBT_ORIGIN_HOST_SYSCALL,
	VBT_ORIGIN_QEMU_INTERNAL,
	VBT_ORIGIN_GUEST,
	VBT_ORIGIN_MAX,
};

struct vbt_corr_opts {
	const char *vm;			/* only this VM of the host (NULL: pick) */
	uint64_t window_ns;		/* join window after alignment */
	uint64_t coarse_ns;		/* pair search before alignment */
};

struct vbt_disk_pair {
	char guest[32];			/* vda */
	char serial[64];
	bool virtio;
	bool matched;
	char vm[64];
	char drive[64];			/* device id, e.g. virtio-disk1 */
	char node[64];
	char image[256];
	char format[16];
	char aio[16];
	char filters[64];
	char by[32];			/* serial, target, pci, evidence, ... */
	bool mappable;			/* raw: sector -> offset */
	int64_t image_offset;
	char host_devs[128];		/* block devices under the image */
};

struct vbt_join {
	size_t guest;			/* index into the guest recording */
	enum vbt_origin origin;
	long host;			/* index into the host recording, or -1 */
	long host_block;		/* host block event behind it, or -1 */
	int host_err;
	int64_t delta_ns;		/* guest - aligned host time */
	int disk;			/* index into disks[], or -1 */
	bool low_confidence;
	char *why;			/* freed by vbt_correlation_free() */
};

struct vbt_correlation {
	struct vbt_disk_pair disks[VBT_CORR_MAX_DISKS];
	int ndisks;
	char vm[64];
	int64_t clock_offset_ns;	/* host wall - guest wall */
	int clock_pairs;
	int64_t clock_spread_ns;	/* median absolute deviation */
	char clock_how[160];
	struct vbt_join *joins;
	size_t njoins;
	size_t counts[VBT_ORIGIN_MAX];
	void *why_mem;			/* where the joins' why live */
};

const char *vbt_origin_name(enum vbt_origin o);

/*
 * Join @g (guest) and @h (host).  Returns 0 or a negative errno with a
 * message in @err.  Release with vbt_correlation_free().
 */
int vbt_correlate(const struct vbt_input *g, const struct vbt_input *h,
		  const struct vbt_corr_opts *o, struct vbt_correlation *c,
		  char *err, size_t errlen);
void vbt_correlation_free(struct vbt_correlation *c);

/* Does this host event's operation match the guest block op? */
bool vbt_ops_compatible(const struct vbt_cev *guest,
			const struct vbt_cev *host);

#endif
