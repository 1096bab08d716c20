/* SPDX-License-Identifier: GPL-2.0 */
/*
 * With --all, every request a traced disk completes should be shown,
 * counted lost, or left out as vblktrace's own.  The disk's own counters
 * say how many completed; what is missing never reached our programs.
 */
#ifndef VBT_AUDIT_H
#define VBT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/event.h"
#include "system/disks.h"

struct vbt_audit_disk {
	char name[32];
	uint32_t dev;
	uint64_t done0, done1;	/* the kernel's completions at start, end */
	uint64_t in_flight0;	/* requests in flight at start */
	uint64_t seen;		/* completions shown in between */
};

struct vbt_audit {
	int n;			/* 0: nothing to check */
	int last;		/* the disk of the last event (runs of them) */
	struct vbt_audit_disk *d;
	uint64_t t0, t1;	/* the window, CLOCK_MONOTONIC ns */
	uint64_t lost0, own0;	/* the source's counters at t0 */
	uint64_t lost, own;	/* and since t0, once the audit is done */
};

/*
 * Start at @now with the source's lost and own counters: the disks among
 * @disks that the session traces (@devs, or all when @ndevs is 0) and
 * whose counters can be checked.
 */
void vbt_audit_start(struct vbt_audit *a, const char *sysroot,
		     const struct vbt_disk *disks, int ndisks,
		     const uint32_t *devs, int ndevs, uint64_t lost,
		     uint64_t own);
void vbt_audit_event(struct vbt_audit *a, const struct vbt_event *ev);
void vbt_audit_free(struct vbt_audit *a);
/* Before the last records are read: the kernel's counts, then the time. */
void vbt_audit_stop(struct vbt_audit *a, const char *sysroot);
/*
 * Once every record is read, with the source's lost and own counters:
 * completions the kernel counted that were neither shown nor counted (at
 * least this many; 0 if none).  Keeps lost and own since the start.
 */
uint64_t vbt_audit_unseen(struct vbt_audit *a, uint64_t lost, uint64_t own);
/*
 * "name: kernel N, shown M; ..." of the disks short of their count, or of
 * every disk that did any I/O with @every.
 */
void vbt_audit_where(const struct vbt_audit *a, bool every, char *buf,
		     size_t len);

#endif
