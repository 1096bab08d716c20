/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SCSI records are not events of their own: the command's result and sense
 * are joined to the block request they ended (same disk, same start
 * sector), which the kernel completes right after.  A retried command
 * leaves one record per try; the request carries the last and the count.
 */
#ifndef VBT_SCSI_JOIN_H
#define VBT_SCSI_JOIN_H

#include "decode/event.h"

#define VBT_SCSI_PENDING 64
/* A command's record older than this is not its request's any more. */
#define VBT_SCSI_JOIN_NS (600ULL * 1000000000ULL)

struct vbt_scsi_pending {
	uint32_t dev;
	uint64_t sector;
	uint64_t mono_ns;
	struct vbt_scsi_info info;
};

struct vbt_scsi_tab {
	struct vbt_scsi_pending p[VBT_SCSI_PENDING];
	unsigned int next;
	unsigned int known;		/* entries with info.known: none, and
					 * a block request needs no search */
};

/* Remember a kind SCSI event. */
void vbt_scsi_note(struct vbt_scsi_tab *t, const struct vbt_event *ev);
/* Give a block event its command; true if one was found. */
bool vbt_scsi_join(struct vbt_scsi_tab *t, struct vbt_event *ev);

#endif
