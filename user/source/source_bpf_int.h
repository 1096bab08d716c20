/* SPDX-License-Identifier: GPL-2.0 */
/* Inside the BPF source: shared by its block/syscall and host halves. */
#ifndef VBT_SOURCE_BPF_INT_H
#define VBT_SOURCE_BPF_INT_H

#include <stdio.h>
#include <string.h>

#include "source/source.h"

struct guest_block_bpf;
struct syscall_fail_bpf;
struct host_qemu_bpf;
struct guest_stack_bpf;
struct guest_stuck_bpf;
struct ring_buffer;
struct bpf_link;

struct bpf_source {
	struct vbt_source src;
	struct guest_block_bpf *skel;
	struct syscall_fail_bpf *sys;
	struct host_qemu_bpf *host;
	struct guest_stack_bpf *stack;	/* SCSI and stacked devices */
	bool stack_btf;			/* ... attached with tp_btf */
	struct ring_buffer *rb;
	int ncpus;
	uint32_t ring_bytes;		/* size of the events ring buffer */
	uint32_t self_tgid;		/* our pid as BPF sees it, or 0 */
	bool btf;			/* block programs attached as tp_btf */
	bool io_start;			/* ... with issuers at block_io_start */
	struct guest_stuck_bpf *stuck;	/* stuck-request scan, or NULL */
	struct bpf_link *stuck_end;	/* attached while any is stuck */
	int nstuck;			/* reported stuck, end not yet seen */
	uint64_t stuck_ns;		/* the threshold */
	uint64_t next_scan;		/* CLOCK_MONOTONIC ns */
	bool stuck_scan_only;		/* VBLKTRACE_STUCK_END=scan */
};

/*
 * Append to what this kernel keeps the source from seeing.  Inline: both
 * halves note, and neither should call into the other for it.
 */
static inline void vbt_bpf_note_blind(struct bpf_source *bs, const char *what)
{
	size_t n = strlen(bs->src.blind);

	snprintf(bs->src.blind + n, sizeof(bs->src.blind) - n, "%s%s",
		 n ? "; " : "", what);
}
/* Load QEMU's io_uring and AIO programs; failures only narrow the view. */
void vbt_bpf_open_host(struct bpf_source *bs, const struct vbt_source_cfg *cfg);

/*
 * Load the SCSI and stacked-device programs if SYSBLOCK has such disks;
 * failures only narrow the view (noted in blind).
 */
void vbt_bpf_open_stack(struct bpf_source *bs, const char *sysblock);

/*
 * Load the stuck-request scan if cfg asks for it (cfg->stuck_ns); a
 * failure only narrows the view (noted in blind).
 */
void vbt_bpf_open_stuck(struct bpf_source *bs, const struct vbt_source_cfg *cfg,
			bool tracepoint_level);
/* VBLKTRACE_STUCK_END: 0, or -EINVAL with a message in err. */
int vbt_bpf_stuck_env(struct bpf_source *bs, char *err, size_t errlen);
/* Every raw record passes here first: counts stuck reports and ends. */
void vbt_bpf_stuck_seen(struct bpf_source *bs, const void *rec, size_t size);
void vbt_bpf_stuck_tick(struct vbt_source *src, uint64_t now, bool final);
void vbt_bpf_close_stuck(struct bpf_source *bs);

#endif
