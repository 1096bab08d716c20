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

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "guest_block.skel.h"
#include "host_qemu.skel.h"
#include "source/probe.h"
#include "source/source_bpf_int.h"

enum aio_hook { AIO_FENTRY, AIO_KPROBE, AIO_NONE };

static const char *const aio_hook_names[] = {
	"fentry aio_complete_rw", "kprobe aio_complete_rw", NULL,
};

static struct bpf_program *uring_submit_prog(struct host_qemu_bpf *h,
					     const char **name)
{
	if (vbt_probe_btf_tracepoint("io_uring", "io_uring_submit_req")) {
		*name = "io_uring_submit_req";
		return h->progs.btf_uring_submit;
	}
	if (vbt_probe_btf_tracepoint("io_uring", "io_uring_submit_sqe")) {
		*name = "io_uring_submit_sqe";
		return h->progs.btf_uring_submit_sqe;
	}
	*name = NULL;
	return NULL;
}

static int try_host(struct bpf_source *bs, const struct vbt_source_cfg *cfg,
		    enum aio_hook aio, struct host_qemu_bpf **out,
		    const char **submit)
{
	struct host_qemu_bpf *h = host_qemu_bpf__open();
	struct bpf_program *prog, *sub;
	bool uring_tp, io_submit_tp;
	int ret;

	if (!h)
		return -errno;
	h->rodata->filter_pids = true;
	h->rodata->match_qemu_comm = true;
	bpf_object__for_each_program(prog, h->obj)
		bpf_program__set_autoload(prog, false);

	uring_tp = vbt_probe_tracefs_event("io_uring", "io_uring_complete");
	io_submit_tp = vbt_probe_tracefs_event("syscalls", "sys_enter_io_submit");
	/* Without io_submit's iocbs a completion cannot be attributed. */
	if (!io_submit_tp && aio != AIO_NONE) {
		host_qemu_bpf__destroy(h);
		return -ENOENT;
	}
	sub = uring_submit_prog(h, submit);
	if (sub && uring_tp) {
		bpf_program__set_autoload(sub, true);
		bpf_program__set_autoload(h->progs.tp_uring_complete, true);
	} else {
		*submit = NULL;
	}
	if (io_submit_tp && aio == AIO_FENTRY) {
		bpf_program__set_autoload(h->progs.tp_io_submit, true);
		bpf_program__set_autoload(h->progs.fentry_aio_complete, true);
	} else if (io_submit_tp && aio == AIO_KPROBE) {
		bpf_program__set_autoload(h->progs.tp_io_submit, true);
		bpf_program__set_autoload(h->progs.kprobe_aio_complete, true);
	}

	ret = bpf_map__reuse_fd(h->maps.events,
				bpf_map__fd(bs->skel->maps.events));
	if (!ret)
		ret = bpf_map__reuse_fd(h->maps.lost,
					bpf_map__fd(bs->skel->maps.lost));
	if (!ret)
		ret = host_qemu_bpf__load(h);
	if (!ret)
		ret = host_qemu_bpf__attach(h);
	if (ret) {
		host_qemu_bpf__destroy(h);
		return ret;
	}
	*out = h;
	return 0;
}

void vbt_bpf_open_host(struct bpf_source *bs, const struct vbt_source_cfg *cfg)
{
	struct host_qemu_bpf *h = NULL;
	const char *submit = NULL;
	enum aio_hook aio;
	int ret = -ENOENT;

	vbt_probe_mount_tracefs();
	for (aio = AIO_FENTRY; aio <= AIO_NONE; aio++) {
		ret = try_host(bs, cfg, aio, &h, &submit);
		if (!ret)
			break;
	}
	if (ret) {
		char msg[160];

		snprintf(msg, sizeof(msg), "QEMU io_uring and AIO completions: "
			 "programs did not load (%s)", strerror(-ret));
		vbt_bpf_note_blind(bs, msg);
		return;
	}
	bs->host = h;
	bs->src.aio_visible = aio != AIO_NONE;
	snprintf(bs->src.host_how, sizeof(bs->src.host_how),
		 "thread pool: %s; io_uring: %s%s; native AIO: %s",
		 bs->sys ? "syscall exits" : "not visible",
		 submit ? submit : "not visible",
		 submit ? " + io_uring_complete" : "",
		 aio != AIO_NONE ? aio_hook_names[aio] : "not visible");
	if (!submit) {
		int err = vbt_probe_tracefs_event_err("io_uring",
						      "io_uring_complete");
		char msg[200];

		snprintf(msg, sizeof(msg), "io_uring completions (%s)",
			 err ? vbt_tracefs_why(err) :
			 "no io_uring submission tracepoint with BTF");
		vbt_bpf_note_blind(bs, msg);
	}
	if (aio == AIO_NONE)
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
	for (enum aio_hook aio = AIO_FENTRY; aio < AIO_NONE; aio++) {
		struct host_qemu_bpf *h = host_qemu_bpf__open();
		struct bpf_program *prog;

		if (!h)
			return -errno;
		bpf_object__for_each_program(prog, h->obj)
			bpf_program__set_autoload(prog, false);
		bpf_program__set_autoload(aio == AIO_FENTRY ?
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
