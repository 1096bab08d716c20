// SPDX-License-Identifier: GPL-2.0
/* The hypervisor view's session hooks, as functions other commands call. */
#include <stdio.h>
#include <sys/capability.h>

#include "cmd/host_view.h"
#include "enrich/host_enrich.h"
#include "source/probe.h"
#include "util/msg.h"

#define RESCAN_NS 1000000000ULL

void vbt_host_view_configure(struct vbt_host_view *h, struct vbt_session *s,
			     struct vbt_source_cfg *cfg)
{
	cfg->host = true;
	/* The thread pool is most of what QEMU does: no view without it. */
	cfg->need_syscalls = true;
	/* -p adds processes to watch; it does not filter block events. */
	cfg->pid = 0;
	cfg->nsys_pids = 0;
	s->pids_watch = true;
}

int vbt_host_view_started(struct vbt_host_view *h, struct vbt_session *s,
			  const int *keep)
{
	/* /proc/PID/fd of other users' QEMU needs CAP_SYS_PTRACE. */
	static const int host_keep[] = { CAP_BPF, CAP_SYS_PTRACE,
					 CAP_DAC_READ_SEARCH, -1 };

	if (s->src->host_how[0])
		vbt_msg("QEMU I/O paths: %s\n",
			s->src->host_how);
	vbt_vmtrack_init(&h->track, s->src, stderr);
	h->track.extra_pids = s->opts.pids;
	h->track.nextra = s->opts.npids;
	if (vbt_vmtrack_scan(&h->track) == 0)
		vbt_msg("no QEMU process yet; watching for "
			"new ones\n");
	h->scans++;
	h->next_scan = vbt_mono_now() + RESCAN_NS;
	vbt_drop_capabilities(keep ? keep : host_keep);
	return 0;
}

bool vbt_host_view_enrich(struct vbt_host_view *h, struct vbt_event *ev)
{
	/* QEMU's O_DIRECT alignment probing fails on purpose. */
	if (vbt_is_alignment_probe(&h->track, ev))
		return false;
	vbt_host_enrich(&h->track, ev);
	return true;
}

bool vbt_host_view_tick(struct vbt_host_view *h, uint64_t now)
{
	if (now < h->next_scan)
		return false;
	h->next_scan = now + RESCAN_NS;
	vbt_vmtrack_scan(&h->track);
	h->scans++;
	return true;
}

void vbt_host_view_finish(struct vbt_host_view *h)
{
	vbt_vmtrack_free(&h->track);
}
