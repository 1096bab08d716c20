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
	/*
	 * The shared ring, loss counter and error counts, made before any
	 * object loads.
	 */
	int events_fd, lost_fd, errors_fd;
	int issuers_fd;			/* guest_block's issuer slots, made
					 * early too: guest_stuck shares them */
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
/*
 * QEMU's io_uring and AIO programs; failures only narrow the view.  In
 * three steps, so that the loading (which parses the kernel's BTF) can run
 * in a thread beside the other objects': prepare probes tracefs (and may
 * mount it), load touches only @hl and the shared map fds, finish records
 * the result in @bs once the other objects are in.
 */
enum vbt_aio_hook { VBT_AIO_FENTRY, VBT_AIO_KPROBE, VBT_AIO_NONE };
enum vbt_uring_submit {
	VBT_URING_SUBMIT_NONE, VBT_URING_SUBMIT_REQ, VBT_URING_SUBMIT_SQE,
};

struct vbt_host_load {
	bool uring_tp;			/* io_uring_complete exists */
	bool io_submit_tp;		/* sys_enter_io_submit exists */
	bool kprobes;			/* kprobes can be attached at all */
	enum vbt_uring_submit submit;
	struct host_qemu_bpf *h;	/* loaded and attached, or NULL */
	enum vbt_aio_hook aio;
	int ret;
};

/*
 * Point an object's ring, loss counter and error counts (@errors may be
 * NULL: not every object counts errors) at the ones all objects share,
 * before it loads.  0 or -errno.
 */
int vbt_bpf_share_maps(const struct bpf_source *bs, struct bpf_map *events,
		       struct bpf_map *lost, struct bpf_map *errors);

void vbt_bpf_host_prepare(struct vbt_host_load *hl);
void vbt_bpf_host_load(const struct bpf_source *bs, struct vbt_host_load *hl);
void vbt_bpf_host_finish(struct bpf_source *bs, const struct vbt_host_load *hl);

/*
 * The SCSI and stacked-device programs, if /sys/block has such disks;
 * failures only narrow the view (noted in blind).  In steps like the
 * host's: prepare scans sysfs, load (in a thread) touches only @sl and
 * the shared map fds, finish records the result in @bs.
 */
struct vbt_stack_load {
	bool scsi, stacked;		/* what /sys/block holds */
	bool no_tp, no_btf;		/* VBLKTRACE_ATTACH forced a level */
	struct guest_stack_bpf *st;	/* loaded and attached, or NULL */
	bool btf;			/* ... with tp_btf */
	int ret;
};

void vbt_bpf_stack_prepare(struct vbt_stack_load *sl, const char *sysblock);
bool vbt_bpf_stack_wanted(const struct vbt_stack_load *sl);
void vbt_bpf_stack_load(const struct bpf_source *bs, struct vbt_stack_load *sl);
void vbt_bpf_stack_finish(struct bpf_source *bs,
			  const struct vbt_stack_load *sl);

/*
 * The stuck-request scan, if cfg asks for it (cfg->stuck_ns); a failure
 * only narrows the view (noted in blind).  It is loaded in a thread beside
 * the block programs for the level they are expected to attach at (the
 * first one tried; @sl), and again after them in the rare case they end
 * at another.
 */
struct vbt_stuck_load {
	bool tried;			/* the thread ran */
	bool btf, io_start;		/* the expected level's flavour */
	int issuers_fd;			/* the block programs' issuer slots */
	struct guest_stuck_bpf *st;	/* loaded, or NULL */
	int ret;
};

void vbt_bpf_stuck_load(const struct bpf_source *bs,
			const struct vbt_source_cfg *cfg,
			struct vbt_stuck_load *sl);
void vbt_bpf_open_stuck(struct bpf_source *bs, const struct vbt_source_cfg *cfg,
			bool tracepoint_level, struct vbt_stuck_load *sl);
/* VBLKTRACE_STUCK_END: 0, or -EINVAL with a message in err. */
int vbt_bpf_stuck_env(struct bpf_source *bs, char *err, size_t errlen);
/* Every raw record passes here first: counts stuck reports and ends. */
void vbt_bpf_stuck_seen(struct bpf_source *bs, const void *rec, size_t size);
void vbt_bpf_stuck_tick(struct vbt_source *src, uint64_t now, bool final);
void vbt_bpf_close_stuck(struct bpf_source *bs);
/* Its object (for the programs' skipped runs), or NULL. */
struct bpf_object *vbt_bpf_stuck_obj(const struct bpf_source *bs);

#endif
