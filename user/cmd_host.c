// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace host: the hypervisor's view.  Every failed I/O of every QEMU
 * process — thread pool syscalls, io_uring and Linux AIO completions — and
 * every failed request of a host block device, each attributed to the VM,
 * drive, image, aio mode and cache mode behind it, with what the drive's
 * error policy makes the guest see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/capability.h>

#include "commands.h"
#include "host_enrich.h"
#include "probe.h"
#include "session.h"
#include "vmtrack.h"

#define RESCAN_NS 1000000000ULL

struct host {
	struct vbt_vmtrack track;
	uint64_t next_scan;
};

static void usage(const char *cmd)
{
	printf("Usage: vblktrace %s [OPTIONS]\n"
	       "Show every failed I/O of every QEMU process on this host (thread pool\n"
	       "syscalls, io_uring and Linux AIO completions) and every failed request\n"
	       "of a host block device, with VM, drive, image, aio and cache mode, and\n"
	       "what the drive's werror/rerror policy makes the guest see.\n\n"
	       "  -d, --disk NAME      only this host disk (repeatable)\n"
	       "  -p, --pid PID        also watch this process as if it were QEMU\n"
	       "  -a, --all            every block completion, not only failures\n"
	       "  -j, --json           JSON Lines on stdout\n"
	       "  -o, --output FILE    also record events to FILE (JSON Lines, mode 0600)\n"
	       "  -t, --duration SEC   stop after SEC seconds\n"
	       "  -i, --interval SEC   print a summary every SEC seconds\n"
	       "      --no-color       never colour the output\n"
	       "  -v, --verbose        say more about probing and attaching\n", cmd);
}

static void host_configure(struct vbt_session *s, struct vbt_source_cfg *cfg)
{
	cfg->host = true;
	/* -p adds processes to watch; it does not filter block events. */
	cfg->pid = 0;
	cfg->nsys_pids = 0;
	s->pids_watch = true;
}

static int host_started(struct vbt_session *s)
{
	/* /proc/PID/fd of other users' QEMU needs CAP_SYS_PTRACE. */
	static const int keep[] = { CAP_BPF, CAP_SYS_PTRACE,
				    CAP_DAC_READ_SEARCH, -1 };
	struct host *h = s->priv;
	int n;

	if (s->src->host_how[0])
		fprintf(stderr, "vblktrace: QEMU I/O paths: %s\n",
			s->src->host_how);
	vbt_vmtrack_init(&h->track, s->src, stderr);
	h->track.extra_pids = s->opts.pids;
	h->track.nextra = s->opts.npids;
	n = vbt_vmtrack_scan(&h->track);
	if (n == 0)
		fprintf(stderr, "vblktrace: no QEMU process yet; watching for "
			"new ones\n");
	vbt_drop_capabilities(keep);
	return 0;
}

static bool host_enrich_hook(struct vbt_session *s, struct vbt_event *ev)
{
	struct host *h = s->priv;

	if (vbt_is_alignment_probe(&h->track, ev))
		return false;
	vbt_host_enrich(&h->track, ev);
	return true;
}

static void host_tick(struct vbt_session *s, uint64_t now)
{
	struct host *h = s->priv;

	if (now < h->next_scan)
		return;
	h->next_scan = now + RESCAN_NS;
	vbt_vmtrack_scan(&h->track);
}

static void host_finish(struct vbt_session *s)
{
	struct host *h = s->priv;

	vbt_vmtrack_free(&h->track);
}

static const struct vbt_session_hooks host_hooks = {
	.side = VBT_SIDE_HOST,
	.what = "failed QEMU I/O and host block requests",
	.configure = host_configure,
	.started = host_started,
	.enrich = host_enrich_hook,
	.tick = host_tick,
	.finish = host_finish,
};

int vbt_host_run(struct vbt_session *s)
{
	struct host h = { 0 };

	s->priv = &h;
	return vbt_session_run(s, &host_hooks);
}

int cmd_host(int argc, char **argv)
{
	struct vbt_session s;
	int ret;

	ret = vbt_session_parse(&s, argc, argv, "host", usage);
	if (ret)
		return ret < 0 ? VBT_EXIT_OK : ret;
	if (s.opts.side == VBT_SIDE_OPT_GUEST) {
		fprintf(stderr, "vblktrace: the guest view is 'vblktrace live'\n");
		return VBT_EXIT_USAGE;
	}
	return vbt_host_run(&s);
}
