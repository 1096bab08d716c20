// SPDX-License-Identifier: GPL-2.0
/*
 * The host half of the BPF source: QEMU's io_uring and Linux AIO paths.
 * Each path takes the best attach method the kernel has and, when it has
 * none, says so: a hypervisor operator must know what is invisible.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "guest_block.skel.h"
#include "host_qemu.skel.h"
#include "source/probe.h"
#include "source/source_bpf_int.h"

static const char *const aio_hook_names[] = {
	"fentry aio_complete_rw", "kprobe aio_complete_rw", NULL,
};

static const char *const submit_names[] = {
	NULL, "io_uring_submit_req", "io_uring_submit_sqe",
};

/* Which io_uring submission tracepoint this kernel has with BTF, if any. */
static enum vbt_uring_submit uring_submit_tp(void)
{
	if (vbt_probe_btf_tracepoint("io_uring", "io_uring_submit_req"))
		return VBT_URING_SUBMIT_REQ;
	if (vbt_probe_btf_tracepoint("io_uring", "io_uring_submit_sqe"))
		return VBT_URING_SUBMIT_SQE;
	return VBT_URING_SUBMIT_NONE;
}

/*
 * libbpf attaches a kprobe through the kprobe PMU, or else through
 * tracefs' kprobe_events: with neither, loading the programs to find out
 * (a parse of the kernel's BTF and a detach of the syscall tracepoint
 * they come with) would only fail.
 */
static bool kprobes_attachable(void)
{
	return !access("/sys/bus/event_source/devices/kprobe/type", F_OK) ||
	       !access("/sys/kernel/tracing/kprobe_events", F_OK);
}

static struct bpf_program *submit_prog(struct host_qemu_bpf *h,
				       enum vbt_uring_submit tp)
{
	switch (tp) {
	case VBT_URING_SUBMIT_REQ:
		return h->progs.btf_uring_submit;
	case VBT_URING_SUBMIT_SQE:
		return h->progs.btf_uring_submit_sqe;
	default:
		return NULL;
	}
}

static int try_host(const struct bpf_source *bs, struct vbt_host_load *hl,
		    enum vbt_aio_hook aio)
{
	struct host_qemu_bpf *h;
	struct bpf_program *prog, *sub;
	int ret;

	/* Without io_submit's iocbs a completion cannot be attributed. */
	if (!hl->io_submit_tp && aio != VBT_AIO_NONE)
		return -ENOENT;
	if (aio == VBT_AIO_KPROBE && !hl->kprobes)
		return -EOPNOTSUPP;
	h = host_qemu_bpf__open();
	if (!h)
		return -errno;
	h->rodata->filter_pids = true;
	h->rodata->match_qemu_comm = true;
	bpf_object__for_each_program(prog, h->obj)
		bpf_program__set_autoload(prog, false);

	sub = submit_prog(h, hl->submit);
	if (sub && hl->uring_tp) {
		bpf_program__set_autoload(sub, true);
		bpf_program__set_autoload(h->progs.tp_uring_complete, true);
	}
	if (aio == VBT_AIO_FENTRY) {
		bpf_program__set_autoload(h->progs.tp_io_submit, true);
		bpf_program__set_autoload(h->progs.fentry_aio_complete, true);
	} else if (aio == VBT_AIO_KPROBE) {
		bpf_program__set_autoload(h->progs.tp_io_submit, true);
		bpf_program__set_autoload(h->progs.kprobe_aio_complete, true);
	}

	ret = vbt_bpf_share_maps(bs, h->maps.events, h->maps.lost, NULL);
	if (!ret)
		ret = host_qemu_bpf__load(h);
	if (!ret)
		ret = host_qemu_bpf__attach(h);
	if (ret) {
		host_qemu_bpf__destroy(h);
		return ret;
	}
	hl->h = h;
	return 0;
}

void vbt_bpf_host_prepare(struct vbt_host_load *hl)
{
	memset(hl, 0, sizeof(*hl));
	vbt_probe_mount_tracefs();
	hl->uring_tp = vbt_probe_tracefs_event("io_uring", "io_uring_complete");
	hl->io_submit_tp = vbt_probe_tracefs_event("syscalls",
						   "sys_enter_io_submit");
	hl->submit = uring_submit_tp();
	hl->kprobes = kprobes_attachable();
	hl->ret = -ENOENT;
}

void vbt_bpf_host_load(const struct bpf_source *bs, struct vbt_host_load *hl)
{
	for (hl->aio = VBT_AIO_FENTRY; hl->aio <= VBT_AIO_NONE; hl->aio++) {
		hl->ret = try_host(bs, hl, hl->aio);
		if (!hl->ret)
			break;
	}
}

void vbt_bpf_host_finish(struct bpf_source *bs, const struct vbt_host_load *hl)
{
	const char *submit = hl->uring_tp && hl->h ?
			     submit_names[hl->submit] : NULL;

	if (hl->ret) {
		char msg[160];

		snprintf(msg, sizeof(msg), "QEMU io_uring and AIO completions: "
			 "programs did not load (%s)", strerror(-hl->ret));
		vbt_bpf_note_blind(bs, msg);
		return;
	}
	bs->host = hl->h;
	bs->src.aio_visible = hl->aio != VBT_AIO_NONE;
	snprintf(bs->src.host_how, sizeof(bs->src.host_how),
		 "thread pool: %s; io_uring: %s%s; native AIO: %s",
		 bs->sys ? "syscall exits" : "not visible",
		 submit ? submit : "not visible",
		 submit ? " + io_uring_complete" : "",
		 hl->aio != VBT_AIO_NONE ? aio_hook_names[hl->aio] :
		 "not visible");
	if (!submit) {
		int err = vbt_probe_tracefs_event_err("io_uring",
						      "io_uring_complete");
		char msg[200];

		snprintf(msg, sizeof(msg), "io_uring completions (%s)",
			 err ? vbt_tracefs_why(err) :
			 "no io_uring submission tracepoint with BTF");
		vbt_bpf_note_blind(bs, msg);
	}
	if (hl->aio == VBT_AIO_NONE)
		vbt_bpf_note_blind(bs, "native AIO completions: QEMU reaps them "
				   "from the ring in userspace and this kernel "
				   "allows neither fentry nor kprobe on "
				   "aio_complete_rw; still visible for aio=native: "
				   "host block device errors and io_submit "
				   "failures");
}

/*
 * Can this kernel show native AIO completions?  Loads and attaches the
 * completion hook alone, then lets go.  Returns 1 (how names the hook),
 * 0 (it cannot), or -EPERM when we may not even try.
 */
static int print_nothing(enum libbpf_print_level level, const char *fmt,
			 va_list args)
{
	return 0;
}

int vbt_bpf_probe_aio(char *how, size_t len)
{
	char err[256];
	int ret;

	/* A failing attempt is the answer, not an error to show. */
	libbpf_set_print(print_nothing);
	if (vbt_probe_bpf_privileges(err, sizeof(err)))
		return -EPERM;
	for (enum vbt_aio_hook aio = VBT_AIO_FENTRY; aio < VBT_AIO_NONE;
	     aio++) {
		struct host_qemu_bpf *h = host_qemu_bpf__open();
		struct bpf_program *prog;

		if (!h)
			return -errno;
		bpf_object__for_each_program(prog, h->obj)
			bpf_program__set_autoload(prog, false);
		bpf_program__set_autoload(aio == VBT_AIO_FENTRY ?
					  h->progs.fentry_aio_complete :
					  h->progs.kprobe_aio_complete, true);
		ret = host_qemu_bpf__load(h);
		if (!ret)
			ret = host_qemu_bpf__attach(h);
		host_qemu_bpf__destroy(h);
		if (!ret) {
			snprintf(how, len, "%s", aio_hook_names[aio]);
			return 1;
		}
	}
	return 0;
}
