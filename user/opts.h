/* SPDX-License-Identifier: GPL-2.0 */
/* Command line options shared by the commands, and their parser. */
#ifndef VBT_OPTS_H
#define VBT_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "vblktrace/abi.h"

/* -d disks and -p pids, each: the -d list is the sources' filter. */
#define VBT_MAX_FILTER VBT_MAX_FILTER_DEVS

/* Exit status (docs/commands.md). */
enum {
	VBT_EXIT_OK = 0,
	VBT_EXIT_RUNTIME = 1,
	VBT_EXIT_USAGE = 2,
	VBT_EXIT_PRIV = 3,
};

enum vbt_driver { VBT_DRIVER_AUTO, VBT_DRIVER_BPF, VBT_DRIVER_KMOD };
enum vbt_side_opt { VBT_SIDE_AUTO, VBT_SIDE_OPT_GUEST, VBT_SIDE_OPT_HOST };

struct vbt_opts {
	const char *disks[VBT_MAX_FILTER];	/* kernel names, e.g. vda */
	char disk_names[VBT_MAX_FILTER][32];	/* storage behind disks[] */
	int ndisks;
	int pids[VBT_MAX_FILTER];
	int npids;
	bool all;
	bool json;
	const char *output;
	double duration;	/* seconds, 0 = until interrupted */
	double interval;	/* seconds, 0 = no periodic summary */
	double stuck;		/* seconds in flight to report a request
				 * stuck, 0 = never */
	enum vbt_driver driver;
	enum vbt_side_opt side;
	bool no_color;
	int verbose;
};

/* --stuck when not given: well past any healthy request's latency. */
#define VBT_STUCK_DEFAULT 5.0

/*
 * Parse the common options of a command.  Returns 0, or VBT_EXIT_USAGE after
 * printing a message naming the bad option.  '--help' returns -1 after the
 * caller's usage text was printed.
 */
int vbt_opts_parse(int argc, char **argv, struct vbt_opts *o,
		   const char *cmd, void (*usage)(const char *cmd));

/* Strict number parsers: the whole string or an error. */
int vbt_parse_seconds(const char *s, double *out);
int vbt_parse_int(const char *s, long min, long max, long *out);
/* Index of @s in @names, or -1 (for --format parsing). */
int vbt_parse_format(const char *s, const char *const *names, int n);

#endif
