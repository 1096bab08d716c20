// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace disks: every whole disk with the facts that tie it back to its
 * host configuration (write cache, block sizes, queues, virtio features).
 *
 * system/disk_facts.c collects, system/disk_facts_json.c and
 * sink/disk_text.c render (JSON Lines "v":1, "kind":"disk", one disk per
 * line; or text); this file picks the disks and the form.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cmd/commands.h"
#include "cmd/disks_vms.h"
#include "util/msg.h"
#include "opts.h"
#include "sink/disk_text.h"
#include "system/disk_facts.h"
#include "system/kmod_inspect.h"

static const char *const sysroot = "/sys";

static void usage(const char *cmd)
{
	printf("Usage: vblktrace %s [OPTIONS]\n"
	       "Show every disk with what sysfs says about its host side: size,\n"
	       "driver, serial, write cache mode, block and I/O sizes, discard and\n"
	       "write-zeroes limits, hardware queues, scheduler, partitions, and for\n"
	       "virtio-blk disks the negotiated features and what they mean for the\n"
	       "host drive's configuration.  Needs no privileges.\n\n"
	       "  -d, --disk NAME      only this disk (repeatable), e.g. vda\n"
	       "  -j, --json           JSON Lines on stdout (one disk per line)\n"
	       "  -h, --help           this text\n\n"
	       "Exit status: 0 ok, 1 runtime failure, 2 usage error.\n", cmd);
}

static int print_json(const struct vbt_disk_facts *f)
{
	struct json_object *o = vbt_disk_facts_json(f);
	const char *s;

	if (!o)
		return -ENOMEM;
	vbt_kmod_inspect_json_add(o, f->id.name);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s)
		printf("%s\n", s);
	json_object_put(o);
	return s ? 0 : -ENOMEM;
}

static bool wanted(const struct vbt_opts *o, const char *name)
{
	if (!o->ndisks)
		return true;
	for (int i = 0; i < o->ndisks; i++)
		if (!strcmp(o->disks[i], name))
			return true;
	return false;
}

/* Every -d names a whole disk, or nothing is printed (exit 2). */
static int check_names(const struct vbt_opts *o,
		       const struct vbt_disk_facts *f, int n)
{
	char path[512];

	for (int i = 0; i < o->ndisks; i++) {
		int j;

		for (j = 0; j < n && strcmp(f[j].id.name, o->disks[i]); j++)
			;
		if (j < n)
			continue;
		snprintf(path, sizeof(path), "%s/class/block/%s/partition",
			 sysroot, o->disks[i]);
		if (!access(path, F_OK))
			return vbt_usage_error("'%s' is a partition; name its "
					       "disk, it lists its partitions",
					       o->disks[i]);
		return vbt_usage_error("no such disk: '%s' (see %s/block)",
				       o->disks[i], sysroot);
	}
	return 0;
}

static int refuse_tracing_options(const struct vbt_opts *o)
{
	if (!o->npids && !o->all && !o->output && !o->duration &&
	    !o->interval && o->driver == VBT_DRIVER_AUTO &&
	    o->side == VBT_SIDE_AUTO)
		return 0;
	fprintf(stderr, "vblktrace disks: only -d, -j and --help apply here\n"
		"Try 'vblktrace disks --help'.\n");
	return VBT_EXIT_USAGE;
}

int cmd_disks(int argc, char **argv)
{
	struct vbt_disk_facts *facts;
	struct vbt_opts o;
	int n, ret, shown = 0;

	ret = vbt_opts_parse(argc, argv, &o, "disks", usage);
	if (ret)
		return ret < 0 ? VBT_EXIT_OK : ret;
	ret = refuse_tracing_options(&o);
	if (ret)
		return ret;
	n = vbt_disk_facts_scan(sysroot, &facts);
	if (n < 0) {
		fprintf(stderr, "vblktrace disks: cannot read %s/block: %s\n",
			sysroot, strerror(-n));
		return VBT_EXIT_RUNTIME;
	}
	ret = check_names(&o, facts, n);
	for (int i = 0; i < n && !ret; i++) {
		if (!wanted(&o, facts[i].id.name))
			continue;
		if (o.json) {
			if (print_json(&facts[i]))
				ret = VBT_EXIT_RUNTIME;
		} else {
			if (shown++)
				putchar('\n');
			vbt_disk_facts_print(&facts[i], stdout);
			vbt_kmod_inspect_print(facts[i].id.name, stdout);
		}
	}
	vbt_disk_facts_free(facts, n);
	if (!ret && !o.ndisks)
		vbt_disks_print_vms(o.json, stdout);
	if (!ret && (fflush(stdout) || ferror(stdout))) {
		fprintf(stderr, "vblktrace disks: writing output: %s\n",
			strerror(errno));
		ret = VBT_EXIT_RUNTIME;
	}
	return ret;
}
