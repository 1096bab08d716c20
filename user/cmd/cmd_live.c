// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace live: failed block requests, and the failing syscalls they
 * surfaced as, on the machine it runs on (the guest side).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "session.h"
#include "system/qemu/qemu.h"
#include "system/vmtrack.h"

static void usage(const char *cmd)
{
	printf("Usage: vblktrace [%s] [OPTIONS]\n"
	       "Show failed block requests live: disk, op, sector+count, errno and\n"
	       "block status, the process that issued the request, latency; and each\n"
	       "failing I/O syscall with the block request that made it fail.\n\n"
	       "  -d, --disk NAME      only this disk (repeatable), e.g. vda\n"
	       "  -p, --pid PID        only requests issued by this process (repeatable)\n"
	       "  -a, --all            every completion, not only failures\n"
	       "  -j, --json           JSON Lines on stdout (one event per line)\n"
	       "  -o, --output FILE    also record events to FILE (JSON Lines, mode 0600)\n"
	       "  -t, --duration SEC   stop after SEC seconds\n"
	       "  -i, --interval SEC   print a summary every SEC seconds\n"
	       "      --stuck SEC      report requests in flight over SEC seconds, once,\n"
	       "                       and again when they end (default 5; 0: off)\n"
	       "      --driver auto|bpf|kmod   event source (default auto)\n"
	       "      --side auto|guest|host   (default auto)\n"
	       "      --no-color       never colour the output\n"
	       "  -v, --verbose        say more about probing and attaching\n\n"
	       "Exit status: 0 ok, 1 runtime failure, 2 usage error,\n"
	       "3 missing privilege or kernel feature.\n", cmd);
}

static const struct vbt_session_hooks live_hooks = {
	.side = VBT_SIDE_GUEST,
	.what = "failed block requests",
};

int cmd_live(int argc, char **argv)
{
	struct vbt_session s;
	int ret;

	ret = vbt_session_parse(&s, argc, argv, "live", usage);
	if (ret)
		return ret < 0 ? VBT_EXIT_OK : ret;
	if (s.opts.side == VBT_SIDE_OPT_HOST || (s.opts.side == VBT_SIDE_AUTO &&
						 vbt_qemu_running()))
		return vbt_host_run(&s);
	return vbt_session_run(&s, &live_hooks);
}
