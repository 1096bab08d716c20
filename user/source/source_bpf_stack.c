// SPDX-License-Identifier: GPL-2.0
/*
 * The stacked half of the guest BPF source: SCSI results and sense of sd
 * disks, and the failed bios of bio-based devices (dm, md) with the remaps
 * that led them down.  Each half is loaded only when /sys/block shows a
 * disk it is about, so a machine of plain virtio-blk disks pays nothing;
 * what this kernel cannot show is said, never silently missing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "guest_block.skel.h"
#include "guest_stack.skel.h"
#include "source/source_bpf_int.h"

/* What /sys/block holds: SCSI disks, and devices stacked on others. */
static void scan_block(const char *sysblock, bool *scsi, bool *stacked)
{
	struct dirent *de;
	DIR *d = opendir(sysblock);

	*scsi = *stacked = false;
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[512];
		struct stat st;
		DIR *slaves;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/device/scsi_disk", sysblock,
			 de->d_name);
		if (!stat(path, &st))
			*scsi = true;
		snprintf(path, sizeof(path), "%s/%s/slaves", sysblock,
			 de->d_name);
		slaves = opendir(path);
		if (slaves) {
			struct dirent *s;

			while ((s = readdir(slaves)))
				if (s->d_name[0] != '.')
					*stacked = true;
			closedir(slaves);
		}
	}
	closedir(d);
}

static int try_load(const struct bpf_source *bs, struct vbt_stack_load *sl,
		    bool btf)
{
	struct guest_stack_bpf *st = guest_stack_bpf__open();
	struct bpf_program *prog;
	int ret;

	if (!st)
		return -errno;
	bpf_object__for_each_program(prog, st->obj)
		bpf_program__set_autoload(prog, false);
	if (sl->scsi)
		bpf_program__set_autoload(btf ? st->progs.btf_scsi_done :
					  st->progs.raw_scsi_done, true);
	if (sl->stacked) {
		bpf_program__set_autoload(btf ? st->progs.btf_bio_remap :
					  st->progs.raw_bio_remap, true);
		bpf_program__set_autoload(btf ? st->progs.btf_bio_complete :
					  st->progs.raw_bio_complete, true);
		bpf_program__set_autoload(btf ? st->progs.btf_rq_error :
					  st->progs.raw_rq_error, true);
	}
	/* One ring: a command's records come before its request's. */
	ret = vbt_bpf_share_maps(bs, st->maps.events, st->maps.lost,
				 st->maps.errors);
	if (!ret)
		ret = guest_stack_bpf__load(st);
	if (!ret)
		ret = guest_stack_bpf__attach(st);
	if (ret) {
		guest_stack_bpf__destroy(st);
		return ret;
	}
	sl->st = st;
	sl->btf = btf;
	return 0;
}

void vbt_bpf_stack_prepare(struct vbt_stack_load *sl, const char *sysblock)
{
	const char *force = getenv("VBLKTRACE_ATTACH");

	memset(sl, 0, sizeof(*sl));
	scan_block(sysblock, &sl->scsi, &sl->stacked);
	/* The same forced level as the block programs (tests cover each). */
	sl->no_tp = force && !strncmp(force, "tracepoint", 10);
	sl->no_btf = force && !strncmp(force, "raw_tp", 6);
	sl->ret = -EOPNOTSUPP;
}

bool vbt_bpf_stack_wanted(const struct vbt_stack_load *sl)
{
	return (sl->scsi || sl->stacked) && !sl->no_tp;
}

void vbt_bpf_stack_load(const struct bpf_source *bs, struct vbt_stack_load *sl)
{
	sl->ret = -EOPNOTSUPP;
	if (!sl->no_btf)
		sl->ret = try_load(bs, sl, true);
	if (sl->ret)
		sl->ret = try_load(bs, sl, false);
}

void vbt_bpf_stack_finish(struct bpf_source *bs, const struct vbt_stack_load *sl)
{
	bool scsi = sl->scsi, stacked = sl->stacked;
	char what[160];
	size_t n;

	if (!scsi && !stacked)
		return;
	if (sl->no_tp) {
		snprintf(what, sizeof(what), "%s%s%s: no classic tracepoint "
			 "carries them (tp_btf or raw_tp needed)",
			 scsi ? "SCSI result and sense" : "",
			 scsi && stacked ? ", " : "",
			 stacked ? "the bios of stacked devices" : "");
		vbt_bpf_note_blind(bs, what);
		return;
	}
	if (sl->ret) {
		snprintf(what, sizeof(what), "%s%s%s: programs did not load (%s)",
			 scsi ? "SCSI result and sense" : "",
			 scsi && stacked ? ", " : "",
			 stacked ? "the bios of stacked devices" : "",
			 strerror(-sl->ret));
		vbt_bpf_note_blind(bs, what);
		return;
	}
	bs->stack = sl->st;
	bs->stack_btf = sl->btf;
	n = strlen(bs->src.how);
	snprintf(bs->src.how + n, sizeof(bs->src.how) - n, "; %s%s%s",
		 bs->stack_btf ? "tp_btf" : "raw_tp",
		 scsi ? " scsi_dispatch_cmd_done" : "",
		 stacked ? " block_bio_remap block_bio_complete block_rq_error" :
		 "");
}
