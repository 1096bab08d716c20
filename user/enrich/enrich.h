/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every tracing session fills in, before the command's own enrichment
 * (host_enrich.h on a hypervisor): disk names the kernel could not give,
 * the virtio status a failed request must have had, the path behind a
 * syscall's or completion's fd and the disk its file lives on, and the
 * failed block request behind a failed syscall (cause.h).
 */
#ifndef VBT_ENRICH_H
#define VBT_ENRICH_H

#include "decode/event.h"
#include "enrich/cause.h"
#include "enrich/devname.h"
#include "enrich/scsi_join.h"
#include "system/disks.h"

struct vbt_enricher {
	const struct vbt_disk *disks;	/* scanned at start, not owned */
	int ndisks;
	const struct vbt_disk *last;	/* the last request's disk: a stream
					 * comes from few disks, the table may
					 * hold a hundred */
	struct vbt_devnames names;
	struct vbt_cause_tab causes;
	struct vbt_scsi_tab scsi;
};

void vbt_enricher_init(struct vbt_enricher *e, const struct vbt_disk *disks,
		       int ndisks, const char *sysroot);
/*
 * Records that are not shown on their own but complete a later event (a
 * SCSI command's result, joined to its request): true if @ev was taken.
 */
bool vbt_enrich_absorb(struct vbt_enricher *e, const struct vbt_event *ev);
void vbt_enrich_event(struct vbt_enricher *e, struct vbt_event *ev);
/*
 * Once @ev is shown (it has its sequence number): a failed block request
 * is remembered for the syscalls it will make fail.
 */
void vbt_enrich_emitted(struct vbt_enricher *e, const struct vbt_event *ev);

#endif
