// SPDX-License-Identifier: GPL-2.0
/* Parsing of the options every tracing command shares (docs/commands.md). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "opts.h"

int vbt_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 1e7)
		return -1;
	*out = v;
	return 0;
}

int vbt_parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * A disk is named as lsblk and iostat name it (vda), or by its device node
 * as blktrace takes it (/dev/vda, /dev/mapper/vg-lv, /dev/disk/by-id/...):
 * a node is resolved through /sys/dev/block/MAJ:MIN to the kernel's name.
 * Returns 0 with the name in @name, or -1.
 */
static int disk_arg(const char *arg, char *name, size_t len)
{
	char link[64], target[256];
	const char *base;
	struct stat st;
	ssize_t n;

	if (arg[0] != '/') {
		if (!*arg || strchr(arg, '/') || strlen(arg) >= len)
			return -1;
		strcpy(name, arg);
		return 0;
	}
	if (stat(arg, &st)) {
		/* No node here (a chroot without /dev): /dev/NAME is NAME. */
		if (strncmp(arg, "/dev/", 5))
			return -1;
		return disk_arg(arg + 5, name, len);
	}
	if (!S_ISBLK(st.st_mode))
		return -1;
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u",
		 major(st.st_rdev), minor(st.st_rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return disk_arg(strrchr(arg, '/') + 1, name, len);
	target[n] = 0;
	base = strrchr(target, '/');
	return disk_arg(base ? base + 1 : target, name, len);
}

static int bad(const char *cmd, const char *what, const char *arg)
{
	fprintf(stderr, "vblktrace %s: %s: '%s'\n", cmd, what, arg);
	fprintf(stderr, "Try 'vblktrace %s --help'.\n", cmd);
	return VBT_EXIT_USAGE;
}

int vbt_opts_parse(int argc, char **argv, struct vbt_opts *o,
		   const char *cmd, void (*usage)(const char *cmd))
{
	enum { OPT_DRIVER = 256, OPT_SIDE, OPT_NO_COLOR, OPT_STUCK };
	static const struct option longopts[] = {
		{ "disk", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 't' },
		{ "interval", required_argument, NULL, 'i' },
		{ "driver", required_argument, NULL, OPT_DRIVER },
		{ "side", required_argument, NULL, OPT_SIDE },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "stuck", required_argument, NULL, OPT_STUCK },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->stuck = VBT_STUCK_DEFAULT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:p:ajo:t:i:vh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			if (o->ndisks == VBT_MAX_FILTER)
				return bad(cmd, "too many --disk filters", optarg);
			if (disk_arg(optarg, o->disk_names[o->ndisks],
				     sizeof(o->disk_names[0])))
				return bad(cmd, "not a disk name or block device node",
					   optarg);
			o->disks[o->ndisks] = o->disk_names[o->ndisks];
			o->ndisks++;
			break;
		case 'p':
			if (o->npids == VBT_MAX_FILTER)
				return bad(cmd, "too many --pid filters", optarg);
			if (vbt_parse_int(optarg, 1, 4194304, &v))
				return bad(cmd, "not a process id", optarg);
			o->pids[o->npids++] = v;
			break;
		case 'a':
			o->all = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'o':
			if (!*optarg)
				return bad(cmd, "empty output file name", optarg);
			o->output = optarg;
			break;
		case 't':
			if (vbt_parse_seconds(optarg, &o->duration) ||
			    o->duration == 0)
				return bad(cmd, "not a positive duration in seconds", optarg);
			break;
		case 'i':
			if (vbt_parse_seconds(optarg, &o->interval) ||
			    o->interval < 0.1)
				return bad(cmd, "not an interval of at least 0.1 seconds", optarg);
			break;
		case OPT_DRIVER:
			if (!strcmp(optarg, "auto"))
				o->driver = VBT_DRIVER_AUTO;
			else if (!strcmp(optarg, "bpf"))
				o->driver = VBT_DRIVER_BPF;
			else if (!strcmp(optarg, "kmod"))
				o->driver = VBT_DRIVER_KMOD;
			else
				return bad(cmd, "--driver takes auto, bpf or kmod", optarg);
			break;
		case OPT_SIDE:
			if (!strcmp(optarg, "auto"))
				o->side = VBT_SIDE_AUTO;
			else if (!strcmp(optarg, "guest"))
				o->side = VBT_SIDE_OPT_GUEST;
			else if (!strcmp(optarg, "host"))
				o->side = VBT_SIDE_OPT_HOST;
			else
				return bad(cmd, "--side takes auto, guest or host", optarg);
			break;
		case OPT_STUCK:
			/* The scan runs every quarter threshold, at most 1 s. */
			if (vbt_parse_seconds(optarg, &o->stuck) ||
			    (o->stuck > 0 && o->stuck < 0.5))
				return bad(cmd, "--stuck takes 0 (off) or at "
					   "least 0.5 seconds", optarg);
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(cmd);
			return -1;
		case ':':
			return bad(cmd, "option needs an argument", argv[optind - 1]);
		default:
			return bad(cmd, "unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad(cmd, "unexpected argument", argv[optind]);
	return 0;
}

int vbt_parse_format(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}
