// SPDX-License-Identifier: GPL-2.0
/*
 * Stuck requests (bpf/guest_stuck.bpf.c): a scan of guest_block's in-flight
 * slots, run from here a few times per threshold, and a completion program
 * attached only while some request is reported stuck.  Nothing of it runs
 * per I/O while no request is stuck.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "guest_block.skel.h"
#include "guest_stuck.skel.h"
#include "source/source_bpf_int.h"
#include "util/msg.h"

/* Slots per BPF_PROG_TEST_RUN: one run holds its CPU for microseconds. */
#define SCAN_SLICE 4096U
#define NSEC 1000000000ULL

/*
 * VBLKTRACE_STUCK_END=scan never attaches the end program, so the tests
 * see the scan's own account of an end (phase gone); any other value is
 * refused, as VBLKTRACE_ATTACH's are.
 */
int vbt_bpf_stuck_env(struct bpf_source *bs, char *err, size_t errlen)
{
	const char *env = getenv("VBLKTRACE_STUCK_END");

	bs->stuck_scan_only = false;
	if (!env)
		return 0;
	if (!strcmp(env, "scan")) {
		bs->stuck_scan_only = true;
		return 0;
	}
	snprintf(err, errlen, "VBLKTRACE_STUCK_END: the only value is 'scan' "
		 "(leave the end of stuck requests to the scan)");
	return -EINVAL;
}

/*
 * Load the scan for block programs attached with @btf and @io_start,
 * sharing their maps (@issuers_fd and the shared ring, loss counter and
 * error counts): touches nothing of @bs, so it can run in a thread while
 * the block programs load.
 */
static int try_load(const struct bpf_source *bs,
		    const struct vbt_source_cfg *cfg, int issuers_fd, bool btf,
		    bool io_start, struct guest_stuck_bpf **out)
{
	struct guest_stuck_bpf *st = guest_stuck_bpf__open();
	int ret;

	if (!st)
		return -errno;
	st->rodata->stuck_ns = cfg->stuck_ns;
	st->rodata->has_io_start = io_start;
	st->rodata->self_tgid = bs->self_tgid;
	/* Only the end program of the block programs' flavour. */
	bpf_program__set_autoload(btf ? st->progs.raw_stuck_end :
				  st->progs.btf_stuck_end, false);
	ret = bpf_map__reuse_fd(st->maps.issuers, issuers_fd);
	if (!ret)
		ret = vbt_bpf_share_maps(bs, st->maps.events, st->maps.lost,
					 st->maps.errors);
	if (!ret)
		ret = guest_stuck_bpf__load(st);
	if (ret) {
		guest_stuck_bpf__destroy(st);
		return ret;
	}
	*out = st;
	return 0;
}

void vbt_bpf_stuck_load(const struct bpf_source *bs,
			const struct vbt_source_cfg *cfg,
			struct vbt_stuck_load *sl)
{
	sl->ret = try_load(bs, cfg, sl->issuers_fd, sl->btf, sl->io_start,
			   &sl->st);
}

void vbt_bpf_open_stuck(struct bpf_source *bs, const struct vbt_source_cfg *cfg,
			bool tracepoint_level, struct vbt_stuck_load *sl)
{
	bool adopt = sl && sl->tried && !tracepoint_level &&
		     sl->btf == bs->btf && sl->io_start == bs->io_start;
	char what[160];
	int ret;

	if (sl && !adopt) {	/* loaded for another level than the one used */
		guest_stuck_bpf__destroy(sl->st);
		sl->st = NULL;
	}
	if (!cfg->stuck_ns)
		return;
	if (tracepoint_level) {
		vbt_bpf_note_blind(bs, "stuck requests: classic tracepoints "
				   "give no request to look at");
		return;
	}
	/* Loaded beside the block programs for the level they ended at? */
	if (adopt) {
		ret = sl->ret;
		bs->stuck = sl->st;
		sl->st = NULL;
	} else {
		ret = try_load(bs, cfg, bpf_map__fd(bs->skel->maps.issuers),
			       bs->btf, bs->io_start, &bs->stuck);
	}
	if (ret) {
		snprintf(what, sizeof(what), "stuck requests: the scan did "
			 "not load (%s)", strerror(-ret));
		vbt_bpf_note_blind(bs, what);
		return;
	}
	bs->stuck_ns = cfg->stuck_ns;
	/* Found between threshold and threshold + a quarter of it (<= 1 s). */
	bs->next_scan = 0;
}

void vbt_bpf_stuck_seen(struct bpf_source *bs, const void *rec, size_t size)
{
	const struct vbt_stuck *r = rec;

	if (size < sizeof(*r) || r->hdr.kind != VBT_KIND_STUCK)
		return;
	if (r->phase == VBT_STUCK_FOUND)
		bs->nstuck++;
	else if (bs->nstuck > 0)
		bs->nstuck--;
}

/* Run the scan over every slot; returns 0 or -errno. */
static int scan(struct bpf_source *bs)
{
	int fd = bpf_program__fd(bs->stuck->progs.stuck_scan);

	for (uint64_t first = 0; first < (1U << 16); first += SCAN_SLICE) {
		uint64_t args[2] = { first, SCAN_SLICE };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args,
			    .ctx_size_in = sizeof(args));

		if (bpf_prog_test_run_opts(fd, &opts))
			return -errno;
	}
	return 0;
}

/* The end program runs only while some request is reported stuck. */
static void watch_ends(struct bpf_source *bs)
{
	static bool said;
	struct bpf_program *prog;

	if (bs->stuck_scan_only)
		return;
	if (bs->nstuck > 0 && !bs->stuck_end) {
		prog = bs->btf ? bs->stuck->progs.btf_stuck_end :
				 bs->stuck->progs.raw_stuck_end;
		bs->stuck_end = bpf_program__attach(prog);
		if (!bs->stuck_end && !said) {
			said = true;
			vbt_msg("cannot watch for the end of stuck requests "
				"(%s): a later scan reports them ended\n",
				strerror(errno));
		}
	} else if (!bs->nstuck && bs->stuck_end) {
		bpf_link__destroy(bs->stuck_end);
		bs->stuck_end = NULL;
	}
}

void vbt_bpf_stuck_tick(struct vbt_source *src, uint64_t now, bool final)
{
	struct bpf_source *bs = (struct bpf_source *)src;
	uint64_t every = bs->stuck_ns / 4;
	static bool said;
	int ret;

	if (!bs->stuck || (!final && now < bs->next_scan))
		return;
	if (every > NSEC)
		every = NSEC;
	if (every < NSEC / 10)
		every = NSEC / 10;
	bs->next_scan = now + every;
	ret = scan(bs);
	if (ret && !said) {
		said = true;
		vbt_msg("the stuck-request scan failed: %s\n", strerror(-ret));
	}
	/* Count what it found now, so the end program goes in at once. */
	ring_buffer__consume(bs->rb);
	if (!final)
		watch_ends(bs);
}

void vbt_bpf_close_stuck(struct bpf_source *bs)
{
	bpf_link__destroy(bs->stuck_end);
	guest_stuck_bpf__destroy(bs->stuck);
}

struct bpf_object *vbt_bpf_stuck_obj(const struct bpf_source *bs)
{
	return bs->stuck ? bs->stuck->obj : NULL;
}
