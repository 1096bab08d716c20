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

#include "cmd/commands.h"
#include "cmd/host_view.h"
#include "util/msg.h"
#include "session.h"

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
	       "      --stuck SEC      report host block requests in flight over SEC\n"
	       "                       seconds, and their end (default 5; 0: off)\n"
	       "      --no-color       never colour the output\n"
	       "  -v, --verbose        say more about probing and attaching\n\n"
	       "Exit status: 0 ok, 1 runtime failure, 2 usage error,\n"
	       "3 missing privilege or kernel feature.\n", cmd);
}


/* The hooks are the host view's building blocks (shared with watch). */
static void host_configure(struct vbt_session *s, struct vbt_source_cfg *cfg)
{
	vbt_host_view_configure(s->priv, s, cfg);
}

static int host_started(struct vbt_session *s)
{
	return vbt_host_view_started(s->priv, s, NULL);
}

static bool host_enrich_hook(struct vbt_session *s, struct vbt_event *ev)
{
	return vbt_host_view_enrich(s->priv, ev);
}

static void host_tick(struct vbt_session *s, uint64_t now)
{
	vbt_host_view_tick(s->priv, now);
}

static void host_finish(struct vbt_session *s)
{
	vbt_host_view_finish(s->priv);
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
	struct vbt_host_view h = { 0 };

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
		return vbt_usage_error("the guest view is 'vblktrace live'");
	}
	return vbt_host_run(&s);
}
