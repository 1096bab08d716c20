/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which failed block request made a syscall fail: recent block failures are
 * remembered, and each failing syscall is linked to the best match.
 */
#ifndef VBT_CAUSE_H
#define VBT_CAUSE_H

#include "decode/event.h"

#define VBT_CAUSE_RING 512
#define VBT_CAUSE_BIOS 256

/* Where a file's device sits: whole disk and partition start. */
struct vbt_part {
	uint32_t dev;		/* the partition (or disk) */
	uint32_t disk;		/* its whole disk */
	uint64_t start;		/* first sector on the disk */
};

struct vbt_cause_tab {
	struct vbt_event ring[VBT_CAUSE_RING];
	unsigned int next;
	unsigned int count;
	/* failed bios of stacked devices and the bios they sent down */
	struct vbt_event bios[VBT_CAUSE_BIOS];
	unsigned int bio_next;
	unsigned int bio_count;
	struct vbt_part parts[64];	/* cache of sysfs lookups */
	int nparts;
	const char *sysroot;
};

void vbt_cause_init(struct vbt_cause_tab *t, const char *sysroot);
/* Remember a failed block or bio event (ignores anything else). */
void vbt_cause_note_block(struct vbt_cause_tab *t, const struct vbt_event *ev);
/*
 * Link a failed syscall to the block failure behind it: the same thread
 * and an overlapping range first, then the same thread on the same disk,
 * then (writeback errors surface in fsync) the same disk within 30 s.
 * A file on a stacked device (dm, md) is followed down its failed bios'
 * remaps to the request on the real disk; the layers go to ev->sys.chain.
 * Fills ev->sys.cause_seq and ev->sys.cause; returns true if found.
 */
bool vbt_cause_link(struct vbt_cause_tab *t, struct vbt_event *ev);
/* Partition -> disk mapping from SYSROOT/dev/block/MAJ:MIN. */
int vbt_part_lookup(const char *sysroot, uint32_t dev, struct vbt_part *p);

#endif
