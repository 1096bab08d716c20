/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor view as building blocks: what 'vblktrace host' does to a
 * session (trace QEMU processes, keep them tracked, attribute each event to
 * VM and drive), callable from other commands that add their own sinks
 * ('vblktrace watch').  Each function is one session hook's work.
 */
#ifndef VBT_HOST_VIEW_H
#define VBT_HOST_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "enrich/retry.h"
#include "session.h"
#include "system/vmtrack.h"

struct vbt_host_view {
	struct vbt_vmtrack track;
	struct vbt_session *s;	/* where VM state changes are emitted */
	struct vbt_retry_tab retries;	/* resubmitted after a resume */
	uint64_t next_scan;
	uint64_t scans;		/* completed rescans, to notice changes */
};

void vbt_host_view_configure(struct vbt_host_view *h, struct vbt_session *s,
			     struct vbt_source_cfg *cfg);
/*
 * Start tracking QEMU processes, then drop every capability but @keep
 * (NULL: CAP_BPF, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH), -1 terminated.
 */
int vbt_host_view_started(struct vbt_host_view *h, struct vbt_session *s,
			  const int *keep);
/* False for an expected failure (QEMU's alignment probes): no fault. */
bool vbt_host_view_enrich(struct vbt_host_view *h, struct vbt_event *ev);
/* Rescans /proc once a second; true when it did. */
bool vbt_host_view_tick(struct vbt_host_view *h, uint64_t now);
void vbt_host_view_finish(struct vbt_host_view *h);

#endif
