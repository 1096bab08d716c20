// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel module event source: reads the same ABI records as the BPF
 * source from /dev/vblktrace (kmod/vbt_main.c).
 *
 * The module puts a struct vbt_lost into the stream where it had to drop
 * records.  This source stops delivering at such a record and reports the
 * count through ops->lost(), so the session shows the "lost" event at the
 * right place in the stream, through the same path as for BPF.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "source/source.h"

#define KMOD_DEV	"/dev/vblktrace"
#define KMOD_BUF	(64 * 1024)
#define KMOD_MAX_ERRS	(64 * VBT_OP_MAX)

struct kmod_source {
	struct vbt_source src;
	int fd;
	char *buf;
	size_t off, len;		/* unread records in buf */
	uint64_t lost;			/* sum of the vbt_lost records seen */
	struct vbt_kmod_errcount *base;	/* error counts when we started */
	int nbase;
	uint32_t devs[VBT_KMOD_MAX_DEVS];
	int ndevs;
};

/* Hands out buffered records; stops after a lost record. */
static int deliver(struct kmod_source *ks)
{
	int n = 0;

	while (ks->len - ks->off >= sizeof(struct vbt_hdr)) {
		const struct vbt_hdr *h = (const void *)(ks->buf + ks->off);

		if (h->size < sizeof(*h) || h->size > ks->len - ks->off) {
			/* Cannot happen with a sane module: resync. */
			ks->off = ks->len;
			return -EPROTO;
		}
		ks->off += h->size;
		if (h->kind == VBT_KIND_LOST &&
		    h->size >= sizeof(struct vbt_lost)) {
			ks->lost += ((const struct vbt_lost *)h)->count;
			return n;
		}
		n++;
		if (ks->src.cb(ks->src.cb_ctx, h, h->size))
			return n;
	}
	ks->off = ks->len = 0;
	return n;
}

static int kmod_poll(struct vbt_source *src, int timeout_ms)
{
	struct kmod_source *ks = (struct kmod_source *)src;
	struct pollfd pfd = { .fd = ks->fd, .events = POLLIN };
	ssize_t r;
	int ret;

	if (ks->off < ks->len)
		return deliver(ks);
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	if (!ret)
		return 0;
	r = read(ks->fd, ks->buf, KMOD_BUF);
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	ks->off = 0;
	ks->len = r;
	return deliver(ks);
}

static uint64_t kmod_lost(struct vbt_source *src)
{
	return ((struct kmod_source *)src)->lost;
}

static int read_errors(int fd, struct vbt_kmod_errcount *out)
{
	struct vbt_kmod_errors req = {
		.n = KMOD_MAX_ERRS,
		.ptr = (uintptr_t)out,
	};

	if (ioctl(fd, VBT_IOC_ERRORS, &req))
		return -errno;
	return req.n;
}

static bool dev_wanted(const struct kmod_source *ks, uint32_t dev)
{
	if (!ks->ndevs)
		return true;
	for (int i = 0; i < ks->ndevs; i++)
		if (ks->devs[i] == dev)
			return true;
	return false;
}

/* The module counts since it was loaded; report since we started. */
static void kmod_errors(struct vbt_source *src, vbt_errcount_fn fn, void *ctx)
{
	struct kmod_source *ks = (struct kmod_source *)src;
	struct vbt_kmod_errcount now[KMOD_MAX_ERRS];
	int n = read_errors(ks->fd, now);

	for (int i = 0; i < n; i++) {
		uint64_t c = now[i].count;

		if (!dev_wanted(ks, now[i].dev))
			continue;
		for (int j = 0; j < ks->nbase; j++)
			if (ks->base[j].dev == now[i].dev &&
			    ks->base[j].op == now[i].op)
				c -= ks->base[j].count;
		if (c)
			fn(ctx, now[i].dev, now[i].op, c);
	}
}

static int kmod_watch_pid(struct vbt_source *src, uint32_t pid, bool on)
{
	return -EOPNOTSUPP;	/* the module traces no syscalls */
}

static void kmod_close(struct vbt_source *src)
{
	struct kmod_source *ks = (struct kmod_source *)src;

	close(ks->fd);
	free(ks->buf);
	free(ks->base);
	free(ks);
}

static const struct vbt_source_ops kmod_ops = {
	.poll = kmod_poll,
	.lost = kmod_lost,
	.errors = kmod_errors,
	.watch_pid = kmod_watch_pid,
	.close = kmod_close,
};

static int open_dev(char *err, size_t errlen)
{
	struct stat st;
	int fd = open(KMOD_DEV, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		if (!stat("/sys/module/vblktrace", &st))
			snprintf(err, errlen, "the vblktrace module is loaded "
				 "but " KMOD_DEV " is missing (mount devtmpfs, "
				 "or mknod it from /sys/class/misc/vblktrace/dev)");
		else
			snprintf(err, errlen, "the vblktrace kernel module is "
				 "not loaded: build it with 'make kmod KDIR=...' "
				 "and load it with 'insmod kmod/vblktrace.ko'");
		return -EOPNOTSUPP;
	case EACCES:
	case EPERM:
		snprintf(err, errlen, "cannot open " KMOD_DEV ": %s (run as "
			 "root)", strerror(errno));
		return -EPERM;
	case EBUSY:
		snprintf(err, errlen, KMOD_DEV " is busy: another vblktrace "
			 "is reading it (one reader at a time)");
		return -EBUSY;
	default:
		snprintf(err, errlen, "cannot open " KMOD_DEV ": %s",
			 strerror(errno));
		return -errno;
	}
}

/* The ABI handshake, then the filters; nothing is recorded before. */
static int start(struct kmod_source *ks, const struct vbt_source_cfg *cfg,
		 char *err, size_t errlen)
{
	struct vbt_kmod_start st = { .abi = VBT_ABI_VERSION };
	uint32_t abi = 0;

	if (ioctl(ks->fd, VBT_IOC_ABI_VERSION, &abi)) {
		snprintf(err, errlen, KMOD_DEV " does not answer the ABI "
			 "handshake: %s", strerror(errno));
		return -EOPNOTSUPP;
	}
	if (abi != VBT_ABI_VERSION) {
		snprintf(err, errlen, "the vblktrace module speaks event ABI "
			 "%u but this vblktrace speaks %u: load a module built "
			 "from the same tree ('make kmod KDIR=...')", abi,
			 VBT_ABI_VERSION);
		return -EOPNOTSUPP;
	}
	st.flags = cfg->all ? VBT_KMOD_ALL : 0;
	st.pid = cfg->pid;
	st.ndevs = cfg->ndevs;
	for (int i = 0; i < cfg->ndevs && i < VBT_KMOD_MAX_DEVS; i++)
		st.devs[i] = ks->devs[i] = cfg->devs[i];
	ks->ndevs = cfg->ndevs;
	if (ioctl(ks->fd, VBT_IOC_START, &st)) {
		snprintf(err, errlen, "the vblktrace module refused to start: "
			 "%s", strerror(errno));
		return errno == EPROTO ? -EOPNOTSUPP : -errno;
	}
	return 0;
}

static void describe(struct kmod_source *ks, const struct vbt_source_cfg *cfg)
{
	struct vbt_kmod_stats st = { 0 };
	size_t n;

	ioctl(ks->fd, VBT_IOC_STATS, &st);
	snprintf(ks->src.how, sizeof(ks->src.how),
		 "kmod: block_rq_complete, issuer at %s, %u KiB ring per CPU",
		 st.io_start ? "block_io_start" :
		 "block_rq_insert/block_rq_issue", st.ring_bytes / 1024);
	if (cfg->syscalls)
		snprintf(ks->src.blind, sizeof(ks->src.blind),
			 "failing syscalls (the module sees block requests "
			 "only; use --driver bpf)");
	n = strlen(ks->src.blind);
	if (cfg->host)
		snprintf(ks->src.blind + n, sizeof(ks->src.blind) - n,
			 "%sQEMU's io_uring and AIO completions", n ? "; " : "");
	n = strlen(ks->src.blind);
	if (cfg->stuck_ns)
		snprintf(ks->src.blind + n, sizeof(ks->src.blind) - n,
			 "%sstuck requests (the BPF driver scans for them)",
			 n ? "; " : "");
}

int vbt_source_kmod_open(const struct vbt_source_cfg *cfg, vbt_record_fn cb,
			 void *ctx, struct vbt_source **out, char *err,
			 size_t errlen)
{
	struct kmod_source *ks;
	int fd, ret;

	fd = open_dev(err, errlen);
	if (fd < 0)
		return fd;
	ks = calloc(1, sizeof(*ks));
	if (ks) {
		ks->buf = malloc(KMOD_BUF);
		ks->base = calloc(KMOD_MAX_ERRS, sizeof(*ks->base));
	}
	if (!ks || !ks->buf || !ks->base) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ks->fd = fd;
	ks->nbase = read_errors(fd, ks->base);
	if (ks->nbase < 0)
		ks->nbase = 0;
	ret = start(ks, cfg, err, errlen);
	if (ret)
		goto fail;
	describe(ks, cfg);
	ks->src.ops = &kmod_ops;
	ks->src.driver = "kmod";
	ks->src.cb = cb;
	ks->src.cb_ctx = ctx;
	*out = &ks->src;
	return 0;
fail:
	if (ks) {
		free(ks->buf);
		free(ks->base);
		free(ks);
	}
	close(fd);
	return ret;
}
