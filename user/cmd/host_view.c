// SPDX-License-Identifier: GPL-2.0
/* The hypervisor view's session hooks, as functions other commands call. */
#include <stdio.h>
#include <string.h>
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

/*
 * A VM paused or resumed, or lost a drive's backend: an event of its own
 * in the stream, with the VM and drive, so every sink shows it in order
 * with the failed I/O that caused it.
 */
static void vm_changed(void *ctx, const struct vbt_vm_change *c)
{
	struct vbt_host_view *h = ctx;
	struct vbt_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = c->kind;
	ev.side = VBT_SIDE_HOST;
	ev.mono_ns = vbt_mono_now();
	ev.pid = ev.tid = c->vm->pid;
	snprintf(ev.comm, sizeof(ev.comm), "%s",
		 c->vm->comm ? c->vm->comm : "qemu");
	ev.host.known = true;
	ev.host.direct = -1;
	snprintf(ev.host.vm, sizeof(ev.host.vm), "%s",
		 c->vm->name ? c->vm->name : "");
	if (c->drive) {
		snprintf(ev.host.drive, sizeof(ev.host.drive), "%s",
			 c->drive->id ? c->drive->id :
			 c->drive->node ? c->drive->node : "");
		snprintf(ev.host.image, sizeof(ev.host.image), "%s",
			 c->drive->image ? c->drive->image : "");
	}
	snprintf(ev.vmstate.state, sizeof(ev.vmstate.state), "%s", c->state);
	snprintf(ev.vmstate.reason, sizeof(ev.vmstate.reason), "%s",
		 c->reason ? c->reason : "");
	snprintf(ev.vmstate.source, sizeof(ev.vmstate.source), "%s",
		 c->source);
	if (c->kind == VBT_KIND_VM_STATE && !strcmp(c->state, "running"))
		vbt_retry_resumed(&h->retries, c->vm->pid, ev.mono_ns);
	vbt_session_emit(h->s, &ev);
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
	h->s = s;
	h->track.on_change = vm_changed;
	h->track.change_ctx = h;
	h->track.qmp = true;
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
	const struct vbt_vm *vm;

	/* QEMU's O_DIRECT alignment probing fails on purpose. */
	if (vbt_is_alignment_probe(&h->track, ev))
		return false;
	vbt_host_enrich(&h->track, ev);
	/*
	 * A VM we last saw paused did I/O: it was resumed in between, too
	 * briefly for the once-a-second look (a resubmitted request that
	 * failed again pauses it at once).  Say so before the I/O.
	 */
	vm = vbt_vmtrack_vm(&h->track, ev->pid);
	if (vm && ev->kind != VBT_KIND_LOST &&
	    vbt_vmtrack_io_seen(&h->track, ev->pid)) {
		struct vbt_vm_change c = {
			.kind = VBT_KIND_VM_STATE, .vm = vm, .state = "running",
			.reason = "", .source = "io",
		};

		vm_changed(h, &c);
	}
	/* The session numbers it next: seq + 1. */
	ev->host.retry_of = vbt_retry_join(&h->retries, ev, h->s->seq + 1);
	/* A failed I/O may pause the VM (werror=stop/enospc): watch it. */
	if (ev->err && ev->kind != VBT_KIND_LOST &&
	    vbt_vmtrack_vm(&h->track, ev->pid))
		vbt_vmtrack_note_error(&h->track, ev->pid, ev->mono_ns);
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
