// SPDX-License-Identifier: GPL-2.0
/* vblktrace: block I/O errors in KVM guests and hosts, explained. */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "util/msg.h"
#include "opts.h"
#include "vblktrace/abi.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
};

static const struct command commands[] = {
	{ "live", cmd_live, "show failed block requests as they happen (default)" },
	{ "host", cmd_host, "hypervisor view: failed QEMU I/O with VM, drive, aio and cache mode" },
	{ "watch", cmd_watch, "host-wide alerting daemon: alert sinks and Prometheus metrics" },
	{ "disks", cmd_disks, "show disks with their virtio / host-drive configuration" },
	{ "bundle", cmd_bundle, "record and write a bug-report bundle (.tar.gz)" },
	{ "report", cmd_report, "read a bundle or recording offline (text, json, html, perfetto)" },
	{ "merge", cmd_merge, "join a guest and a host bundle: the origin of each error" },
	{ "doctor", cmd_doctor, "diagnose a VM's disk configuration (and a migration to another)" },
	{ "explain", cmd_explain, "explain QEMU, libvirt, mkfs and guest kernel log lines" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: vblktrace [COMMAND] [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\nvblktrace COMMAND --help shows a command's options.\n"
		"Exit status: 0 ok, 1 runtime failure, 2 usage error, 3 missing\n"
		"privilege or kernel feature.\n");
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;

	if (name && (!strcmp(name, "--version") || !strcmp(name, "-V"))) {
		printf("vblktrace %s (%s, event ABI %d)\n", VBT_VERSION,
		       VBT_GIT_REV, VBT_ABI_VERSION);
		return VBT_EXIT_OK;
	}
	if (name && (!strcmp(name, "--help") || !strcmp(name, "-h") ||
		     !strcmp(name, "help"))) {
		usage(stdout);
		return VBT_EXIT_OK;
	}
	/* No command, or an option first: the default command, live. */
	if (!name || name[0] == '-') {
		vbt_set_command("live");
		return cmd_live(argc, argv);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name)) {
			vbt_set_command(name);
			return commands[i].run(argc - 1, argv + 1);
		}
	vbt_msg("unknown command '%s'\n\n", name);
	usage(stderr);
	return VBT_EXIT_USAGE;
}
