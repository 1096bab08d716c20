// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace explain LOGFILE|-: recognise guest kernel, QEMU, QMP, libvirt
 * and mkfs.xfs lines and say what they mean.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "diagnose/explain.h"
#include "opts.h"

static void usage(void)
{
	printf("Usage: vblktrace explain [OPTIONS] LOGFILE|-\n"
	       "Recognise and explain lines of guest kernel logs (dmesg, "
	       "journal), QEMU logs\n(migration load errors, drive open "
	       "errors), QMP events (BLOCK_IO_ERROR,\nDEVICE_DELETED), libvirt "
	       "logs and mkfs.xfs output. Unknown lines are passed\nover and "
	       "counted; the last line says how many were recognised.\n\n"
	       "  -j, --json          JSON Lines: one object per recognised "
	       "line, then a summary\n"
	       "  -k, --kernel X.Y    guest kernel version for decoding request "
	       "flags (default:\n"
	       "                      from a \"Linux version\" line, else the "
	       "6.10+ layout)\n"
	       "      --max-line N    skip (and count) lines longer than N "
	       "bytes (default %d)\n"
	       "  -v, --verbose       also list the line numbers of unknown "
	       "lines\n\n"
	       "Exit status: 0 done (whether or not anything was recognised); "
	       "1 unreadable\ninput; 2 usage error.\n", EX_MAX_LINE);
}

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "vblktrace explain: %s%s%s%s\n"
		"Try 'vblktrace explain --help'.\n", what, arg ? ": '" : "",
		arg ? arg : "", arg ? "'" : "");
	return VBT_EXIT_USAGE;
}

int cmd_explain(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "max-line", required_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ex_opts o = { 0 };
	struct ex_ctx ctx = { 0 };
	struct ex_stats st;
	const char *file;
	long n;
	int opt, r;
	FILE *in;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jk:vh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o.json = true;
			break;
		case 'k':
			if (sscanf(optarg, "%d.%d", &ctx.kmajor,
				   &ctx.kminor) != 2 || ctx.kmajor < 2)
				return bad("bad kernel version (X.Y)", optarg);
			ctx.kernel_forced = true;
			break;
		case 'L':
			if (vbt_parse_int(optarg, 16, 64 << 20, &n))
				return bad("bad --max-line", optarg);
			o.max_line = n;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage();
			return VBT_EXIT_OK;
		case ':':
			return bad("option needs a value", argv[optind - 1]);
		default:
			return bad("unknown option", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return bad(optind >= argc ? "give one LOGFILE (or - for stdin)" :
			   "unexpected argument", optind >= argc ? NULL :
			   argv[optind + 1]);
	file = argv[optind];
	in = strcmp(file, "-") ? fopen(file, "re") : stdin;
	if (!in) {
		fprintf(stderr, "vblktrace explain: %s: %m\n", file);
		return VBT_EXIT_RUNTIME;
	}
	r = ex_run(in, stdout, &ctx, &o, &st);
	ex_stats_free(&st);
	if (in != stdin)
		fclose(in);
	if (r < 0) {
		fprintf(stderr, "vblktrace explain: %s: read error\n", file);
		return VBT_EXIT_RUNTIME;
	}
	return VBT_EXIT_OK;
}
