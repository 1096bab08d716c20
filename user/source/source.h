/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An event source: something in the kernel that produces ABI records (the
 * BPF programs, or the kernel module).  Commands open one, poll it, and ask
 * it for the counters it keeps in the kernel.
 */
#ifndef VBT_SOURCE_H
#define VBT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vblktrace/abi.h"

/* Called for every raw record; a non-zero return stops the poll. */
typedef int (*vbt_record_fn)(void *ctx, const void *rec, size_t size);

struct vbt_source_cfg {
	bool all;			/* every completion, not only errors */
	uint32_t devs[VBT_MAX_FILTER_DEVS]; /* only these (kernel dev_t) */
	int ndevs;
	uint32_t pid;			/* only this issuer (0: any) */
	uint32_t virtio_devs[VBT_MAX_VIRTIO_DISKS]; /* driven by virtio_blk */
	int nvirtio;
	bool syscalls;			/* also failing I/O syscalls */
	bool host;			/* QEMU's io_uring and AIO paths too;
					 * syscalls only of watched pids */
	bool need_syscalls;		/* fail (not narrow) without them */
	const uint32_t *sys_pids;	/* only these processes' syscalls */
	int nsys_pids;			/* 0: every process */
	uint64_t stuck_ns;		/* report requests in flight this
					 * long (0: do not look) */
	int verbose;
};

struct vbt_source;

/* Error counts per (device, op) kept in the kernel, including undelivered. */
typedef void (*vbt_errcount_fn)(void *ctx, uint32_t dev, int op,
				uint64_t count);

struct vbt_source_ops {
	/* Waits up to timeout_ms; returns records handled or -errno. */
	int (*poll)(struct vbt_source *src, int timeout_ms);
	/* Records the kernel side dropped so far. */
	uint64_t (*lost)(struct vbt_source *src);
	/*
	 * With cfg.all, completions of vblktrace's own requests, counted
	 * but not delivered; NULL if the source cannot say.
	 */
	uint64_t (*own)(struct vbt_source *src);
	void (*errors)(struct vbt_source *src, vbt_errcount_fn fn, void *ctx);
	/* Start or stop watching a process's syscalls and async I/O. */
	int (*watch_pid)(struct vbt_source *src, uint32_t pid, bool on);
	/*
	 * Periodic work between polls (the stuck-request scan); @final: the
	 * last call before close, do it now.  May be NULL.
	 */
	void (*tick)(struct vbt_source *src, uint64_t now, bool final);
	void (*close)(struct vbt_source *src);
};

struct vbt_source {
	const struct vbt_source_ops *ops;
	const char *driver;		/* "bpf" or "kmod" */
	char how[256];			/* what it attached to */
	char blind[1024];		/* what this kernel keeps it from seeing */
	char host_how[256];		/* host paths attached (cfg->host) */
	bool aio_visible;		/* Linux AIO completions can be seen */
	vbt_record_fn cb;
	void *cb_ctx;
};

/*
 * Open the BPF source.  On failure returns -errno and a message in err:
 * -EPERM when privileges are missing, -EOPNOTSUPP when the kernel lacks
 * what every attach method needs.
 */
int vbt_source_bpf_open(const struct vbt_source_cfg *cfg, vbt_record_fn cb,
			void *ctx, struct vbt_source **out, char *err,
			size_t errlen);

/*
 * Open the kernel module source (/dev/vblktrace).  -EOPNOTSUPP when the
 * module is not loaded or speaks another ABI, -EPERM without privileges,
 * -EBUSY when another reader has it; a message in err.
 */
int vbt_source_kmod_open(const struct vbt_source_cfg *cfg, vbt_record_fn cb,
			 void *ctx, struct vbt_source **out, char *err,
			 size_t errlen);

/* 1: native AIO completions are visible (how names the hook), 0: not,
 * -EPERM: not allowed to find out. */
int vbt_bpf_probe_aio(char *how, size_t len);

#endif
