// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace merge GUEST HOST: join a guest and a host bundle (or
 * recordings) of the same VM into one timeline that names the origin of
 * every guest error (correlate.h).  Offline, no privileges.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/report_page.h"
#include "correlate/correlate.h"
#include "util/msg.h"
#include "opts.h"
#include "sink/atomic_file.h"
#include "sink/report_merge.h"

enum fmt { FMT_TEXT, FMT_JSON, FMT_PERFETTO, FMT_HTML };

static void usage(void)
{
	printf("Usage: vblktrace merge GUEST HOST [--format text|json|perfetto|html] "
	       "[OPTIONS]\n"
	       "Join a guest and a host bundle (or recordings) of the same VM: pair\n"
	       "disks (serial, libvirt target, PCI slot, failed offsets), map guest\n"
	       "sectors to host offsets (raw images), align the clocks, and give every\n"
	       "guest error an origin: host-device, host-syscall (with the host errno),\n"
	       "qemu-internal (no host-side failure) or guest (no virtio error).\n\n"
	       "  -f, --format FMT   text (default), json, perfetto (both sides as\n"
	       "                     separate tracks, host shifted onto guest time,\n"
	       "                     arrows from each host failure to the guest\n"
	       "                     request it failed), html (the report page of\n"
	       "                     both sides on one time axis)\n"
	       "      --vm NAME      the host VM to join (default: the best pairing)\n"
	       "  -w, --window SEC   join window after clock alignment (default 2)\n"
	       "  -o, --output OUT   write there instead of stdout\n\n"
	       "Exit status: 0 ok, 1 unreadable or invalid input, 2 usage error.\n");
}

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "vblktrace merge: %s: '%s'\n"
		"Try 'vblktrace merge --help'.\n", what, arg);
	return VBT_EXIT_USAGE;
}

struct opener {
	const char *path;
	int flags;
	struct vbt_input in;
	char err[400];
	int ret;
};

static void *open_one(void *arg)
{
	struct opener *o = arg;

	o->ret = vbt_input_open_ex(o->path, o->flags, &o->in, o->err,
				   sizeof(o->err));
	return NULL;
}

/*
 * Both sides at once: reading and checking a recording is most of a
 * merge's time, and the two are independent.
 */
static int open_both(char **files, int flags, struct vbt_input *g,
		     struct vbt_input *h)
{
	struct opener o[2] = {
		{ .path = files[0], .flags = flags },
		{ .path = files[1], .flags = flags },
	};
	/* standard input twice is read in turn, as it always was */
	bool both_stdin = !strcmp(files[0], "-") && !strcmp(files[1], "-");
	pthread_t t;
	bool threaded = !both_stdin &&
			!pthread_create(&t, NULL, open_one, &o[1]);

	open_one(&o[0]);
	if (threaded)
		pthread_join(t, NULL);
	else
		open_one(&o[1]);
	for (int i = 0; i < 2; i++) {
		if (o[i].ret) {
			vbt_msg("%s\n", o[i].err);
			vbt_input_close(&o[0].in);
			vbt_input_close(&o[1].in);
			return VBT_EXIT_RUNTIME;
		}
	}
	*g = o[0].in;
	*h = o[1].in;
	return 0;
}

static int open_pair(char **files, int flags, struct vbt_input *g,
		     struct vbt_input *h, const char **gname,
		     const char **hname)
{
	struct vbt_input tmp;
	int ret;

	ret = open_both(files, flags, g, h);
	if (ret)
		return ret;
	*gname = files[0];
	*hname = files[1];
	if (g->side == VBT_SIDE_HOST && h->side != VBT_SIDE_HOST) {
		vbt_msg("%s is the host side: swapping\n",
			files[0]);
		tmp = *g;
		*g = *h;
		*h = tmp;
		*gname = files[1];
		*hname = files[0];
	}
	if (g->side == VBT_SIDE_HOST || h->side == VBT_SIDE_GUEST) {
		vbt_msg("merge needs one guest and one host "
			"side; %s is %s, %s is %s\n", *gname,
			g->side == VBT_SIDE_HOST ? "host" : "guest", *hname,
			h->side == VBT_SIDE_HOST ? "host" : "guest");
		vbt_input_close(g);
		vbt_input_close(h);
		return VBT_EXIT_RUNTIME;
	}
	return 0;
}

static int render(struct vbt_merge_view *v, enum fmt fmt, FILE *f)
{
	if (fmt == FMT_PERFETTO) {
		struct vbt_trace_track t[2] = {
			{ .rec = &v->g->crec, .name = "guest", .pid = 1 },
			{ .rec = &v->h->crec, .name = "host", .pid = 2,
			  .shift_ns = -v->c->clock_offset_ns },
		};

		return vbt_report_perfetto(t, 2, v->c, f);
	}
	if (fmt == FMT_HTML)
		return vbt_report_page(v->g, v->h, v->c, v->guest_name,
				       v->host_name, f);
	return fmt == FMT_JSON ? vbt_merge_json(v, f) : vbt_merge_text(v, f);
}

int cmd_merge(int argc, char **argv)
{
	static const char *const fmts[] = { "text", "json", "perfetto",
						    "html" };
	enum { OPT_VM = 256 };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "vm", required_argument, NULL, OPT_VM },
		{ "window", required_argument, NULL, 'w' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vbt_corr_opts co = { 0 };
	struct vbt_correlation c;
	struct vbt_merge_view v = { 0 };
	struct vbt_input g, h;
	enum fmt fmt = FMT_TEXT;
	const char *out = NULL;
	char err[300];
	double sec;
	FILE *f = stdout;
	int ch, ret;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:w:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			ret = vbt_parse_format(optarg, fmts, 4);
			if (ret < 0)
				return bad("--format takes text, json, "
					   "perfetto or html", optarg);
			fmt = ret;
			break;
		case OPT_VM:
			co.vm = optarg;
			break;
		case 'w':
			if (vbt_parse_seconds(optarg, &sec) || sec <= 0)
				return bad("not a positive window in seconds",
					   optarg);
			co.window_ns = sec * 1e9;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage();
			return VBT_EXIT_OK;
		default:
			return bad(ch == ':' ? "option needs an argument" :
				   "unknown option", argv[optind - 1]);
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "vblktrace merge: give GUEST and HOST\n"
			"Try 'vblktrace merge --help'.\n");
		return VBT_EXIT_USAGE;
	}
	/*
	 * Every format works from the compact events (a million per side);
	 * the page reads again, in full, the few events it lists.
	 */
	ret = open_pair(argv + optind, fmt == FMT_HTML ? VBT_INPUT_LINES :
			VBT_INPUT_COMPACT, &g, &h, &v.guest_name,
			&v.host_name);
	if (ret)
		return ret;
	if (vbt_correlate(&g, &h, &co, &c, err, sizeof(err))) {
		vbt_msg("%s\n", err);
		ret = VBT_EXIT_RUNTIME;
		goto out;
	}
	v.g = &g;
	v.h = &h;
	v.c = &c;
	if (out && !(f = vbt_fopen_output(out))) {
		vbt_msg("cannot write %s: %s\n", out, strerror(errno));
		ret = VBT_EXIT_RUNTIME;
	} else {
		ret = render(&v, fmt, f) ? VBT_EXIT_RUNTIME : VBT_EXIT_OK;
		if ((f != stdout && fclose(f)) || (f == stdout && fflush(f)))
			ret = VBT_EXIT_RUNTIME;
	}
	vbt_correlation_free(&c);
out:
	vbt_input_close(&g);
	vbt_input_close(&h);
	return ret;
}
