// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace report: read a bundle or a recording offline (no privileges,
 * no kernel support needed) and say what failed, where, how often, when,
 * and the likely cause; or render it as JSON, an HTML page or a trace for
 * ui.perfetto.dev.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/report_page.h"
#include "decode/bundle_input.h"
#include "util/msg.h"
#include "opts.h"
#include "sink/atomic_file.h"
#include "sink/report_render.h"

enum fmt { FMT_TEXT, FMT_JSON, FMT_HTML, FMT_PERFETTO };

static void usage(void)
{
	printf("Usage: vblktrace report FILE [--format text|json|html|perfetto] "
	       "[-o OUT]\n"
	       "Read a bundle (vblktrace bundle), an unpacked bundle directory, a\n"
	       "recording (vblktrace -o) or an alert log (watch --log); FILE '-'\n"
	       "is standard input.  Show what failed, where, how often, first/last\n"
	       "time and the likely cause.  Works offline, without privileges.\n\n"
	       "  -f, --format FMT   text (default), json, html (one self-contained\n"
	       "                     page), perfetto (Chrome trace JSON for\n"
	       "                     ui.perfetto.dev)\n"
	       "  -o, --output OUT   write there instead of stdout\n\n"
	       "Exit status: 0 ok, 1 unreadable or invalid input, 2 usage error.\n");
}

static int render(const struct vbt_input *in, const char *name, enum fmt fmt,
		  FILE *f)
{
	struct vbt_report r;
	int ret;

	if (fmt == FMT_PERFETTO) {
		struct vbt_trace_track t = {
			.rec = &in->crec,
			.pid = in->side == VBT_SIDE_HOST ? 2 : 1,
			.name = in->side == VBT_SIDE_HOST ? "host" : "guest",
		};

		return vbt_report_perfetto(&t, 1, NULL, f);
	}
	if (fmt == FMT_HTML)
		return vbt_report_page(in, NULL, NULL, name, NULL, f);
	if (vbt_report_build(in, &r)) {
		fprintf(stderr, "vblktrace report: out of memory\n");
		return -1;
	}
	ret = fmt == FMT_JSON ? vbt_report_json(&r, f) :
	      vbt_report_text(&r, f);
	vbt_report_free(&r);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	static const char *const fmts[] = { "text", "json", "html", "perfetto" };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	struct vbt_input in;
	enum fmt fmt = FMT_TEXT;
	char err[400];
	FILE *f = stdout;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			ret = vbt_parse_format(optarg, fmts, 4);
			if (ret < 0) {
				return vbt_usage_error("--format takes text, "
						       "json, html or perfetto: "
						       "'%s'", optarg);
			}
			fmt = ret;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage();
			return VBT_EXIT_OK;
		default:
			fprintf(stderr, "vblktrace report: %s: '%s'\n",
				c == ':' ? "option needs an argument" :
				"unknown option", argv[optind - 1]);
			fprintf(stderr, "Try 'vblktrace report --help'.\n");
			return VBT_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "vblktrace report: give exactly one FILE\n"
			"Try 'vblktrace report --help'.\n");
		return VBT_EXIT_USAGE;
	}
	/*
	 * The trace draws what the compact events hold (report_render.h);
	 * the page reads again, in full, the few events it lists.
	 */
	if (vbt_input_open_ex(argv[optind], fmt == FMT_PERFETTO ?
			      VBT_INPUT_COMPACT : fmt == FMT_HTML ?
			      VBT_INPUT_LINES : 0, &in, err, sizeof(err))) {
		fprintf(stderr, "vblktrace report: %s\n", err);
		return VBT_EXIT_RUNTIME;
	}
	if (out && !(f = vbt_fopen_output(out))) {
		vbt_msg("cannot write %s: %s\n", out, strerror(errno));
		vbt_input_close(&in);
		return VBT_EXIT_RUNTIME;
	}
	ret = render(&in, argv[optind], fmt, f);
	if ((f != stdout && fclose(f)) || (f == stdout && fflush(f)))
		ret = -1;
	vbt_input_close(&in);
	return ret ? VBT_EXIT_RUNTIME : VBT_EXIT_OK;
}
