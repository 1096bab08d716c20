// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF event source: loads the guest block programs with the richest
 * attach method this kernel accepts (tp_btf, then raw_tp, then classic
 * tracepoints) and says what each step down costs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "guest_block.skel.h"
#include "syscall_fail.skel.h"
#include "host_qemu.skel.h"
#include "guest_stack.skel.h"
#include "guest_stuck.skel.h"
#include "source/probe.h"
#include "source/source.h"
#include "source/source_bpf_int.h"
#include "util/msg.h"

enum attach_level { LEVEL_TP_BTF, LEVEL_RAW_TP, LEVEL_TRACEPOINT, LEVEL_MAX };

static const char *const level_names[LEVEL_MAX] = {
	"tp_btf", "raw_tp", "tracepoint",
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct bpf_source *bs = ctx;

	vbt_bpf_stuck_seen(bs, data, size);
	return bs->src.cb(bs->src.cb_ctx, data, size);
}

static int bpf_poll(struct vbt_source *src, int timeout_ms)
{
	struct bpf_source *bs = (struct bpf_source *)src;
	int n = ring_buffer__poll(bs->rb, timeout_ms), m;

	if (n == -EINTR)
		n = 0;
	if (n < 0)
		return n;
	/*
	 * epoll reports the ring only after a wakeup, and the kernel wakes us
	 * only for a record committed when we had read everything before it:
	 * a record committed while we were still reading, and all after it,
	 * would wait for the next wakeup, or at exit never be read.  (With
	 * batched wakeups that is the rule, not a race.)  So read whatever is
	 * there, every time.
	 */
	m = ring_buffer__consume(bs->rb);
	return m < 0 ? (m == -EINTR ? n : m) : n + m;
}

/*
 * Runs of the object's programs the kernel skipped: a program already
 * running on that CPU (a completion interrupting a completion) is not
 * entered again, and the kernel counts that (bpftool's recursion_misses,
 * since 5.12; for classic tracepoints since 6.7).  Each may have been a
 * record, so they count as lost.
 */
static uint64_t prog_misses(struct bpf_object *obj)
{
	struct bpf_program *prog;
	uint64_t sum = 0;

	if (!obj)
		return 0;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_program__fd(prog);

		memset(&info, 0, sizeof(info));
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			sum += info.recursion_misses;
	}
	return sum;
}

static uint64_t counter(struct bpf_source *bs, uint32_t which)
{
	uint64_t vals[bs->ncpus], sum = 0;

	if (!bpf_map__lookup_elem(bs->skel->maps.lost, &which, sizeof(which),
				  vals, sizeof(vals), 0))
		for (int i = 0; i < bs->ncpus; i++)
			sum += vals[i];
	return sum;
}

/* Records the ring had no room for, and runs the kernel skipped. */
static uint64_t bpf_lost(struct vbt_source *src)
{
	struct bpf_source *bs = (struct bpf_source *)src;
	uint64_t sum = counter(bs, VBT_COUNTER_LOST);

	sum += prog_misses(bs->skel->obj);
	sum += prog_misses(bs->sys ? bs->sys->obj : NULL);
	sum += prog_misses(bs->host ? bs->host->obj : NULL);
	sum += prog_misses(bs->stack ? bs->stack->obj : NULL);
	/* stuck_end: a skipped run is a stuck request's end not reported */
	sum += prog_misses(vbt_bpf_stuck_obj(bs));
	return sum;
}

/* Completions of vblktrace's own requests, left out (with --all only). */
static uint64_t bpf_own(struct vbt_source *src)
{
	return counter((struct bpf_source *)src, VBT_COUNTER_SELF);
}

static void bpf_errors(struct vbt_source *src, vbt_errcount_fn fn, void *ctx)
{
	struct bpf_source *bs = (struct bpf_source *)src;
	struct bpf_map *map = bs->skel->maps.errors;
	struct vbt_err_key key, next, *prev = NULL;
	uint64_t vals[bs->ncpus];

	while (!bpf_map__get_next_key(map, prev, &next, sizeof(next))) {
		uint64_t sum = 0;

		if (!bpf_map__lookup_elem(map, &next, sizeof(next), vals,
					  sizeof(vals), 0)) {
			for (int i = 0; i < bs->ncpus; i++)
				sum += vals[i];
			fn(ctx, next.dev, next.op, sum);
		}
		key = next;
		prev = &key;
	}
}

static void close_shared_maps(struct bpf_source *bs)
{
	if (bs->events_fd >= 0)
		close(bs->events_fd);
	if (bs->lost_fd >= 0)
		close(bs->lost_fd);
	if (bs->errors_fd >= 0)
		close(bs->errors_fd);
	if (bs->issuers_fd >= 0)
		close(bs->issuers_fd);
	bs->events_fd = bs->lost_fd = bs->errors_fd = bs->issuers_fd = -1;
}

static void bpf_close(struct vbt_source *src)
{
	struct bpf_source *bs = (struct bpf_source *)src;

	ring_buffer__free(bs->rb);
	vbt_bpf_close_stuck(bs);
	guest_stack_bpf__destroy(bs->stack);
	host_qemu_bpf__destroy(bs->host);
	syscall_fail_bpf__destroy(bs->sys);
	guest_block_bpf__destroy(bs->skel);
	close_shared_maps(bs);
	free(bs);
}

/* Host side: follow QEMU processes as they come and go. */
static int bpf_watch_pid(struct vbt_source *src, uint32_t pid, bool on)
{
	struct bpf_source *bs = (struct bpf_source *)src;
	uint8_t one = 1;
	int ret = 0;

	if (bs->sys) {
		if (on)
			ret = bpf_map__update_elem(bs->sys->maps.pids, &pid,
						   sizeof(pid), &one, 1, BPF_ANY);
		else
			bpf_map__delete_elem(bs->sys->maps.pids, &pid,
					     sizeof(pid), 0);
	}
	if (bs->host) {
		if (on)
			ret = bpf_map__update_elem(bs->host->maps.pids, &pid,
						   sizeof(pid), &one, 1, BPF_ANY);
		else
			bpf_map__delete_elem(bs->host->maps.pids, &pid,
					     sizeof(pid), 0);
	}
	return ret ? -errno : 0;
}

static const struct vbt_source_ops bpf_ops = {
	.poll = bpf_poll,
	.lost = bpf_lost,
	.own = bpf_own,
	.errors = bpf_errors,
	.watch_pid = bpf_watch_pid,
	.tick = vbt_bpf_stuck_tick,
	.close = bpf_close,
};

/*
 * VBLKTRACE_ATTACH=LEVEL[,no-io-start] starts the fallback chain lower down,
 * so tests can run every attach method on one kernel.  A value we do not
 * know is refused: silently tracing at another level would make a test of
 * raw_tp pass while it measured tp_btf.
 */
struct attach_force {
	int level;
	bool no_io_start;
};

static int parse_attach_env(struct attach_force *f, char *err, size_t errlen)
{
	const char *env = getenv("VBLKTRACE_ATTACH");
	bool have_level = false;
	const char *p, *end;

	f->level = 0;
	f->no_io_start = false;
	if (!env)
		return 0;
	for (p = env; *p; p = *end ? end + 1 : end) {
		size_t len;
		int i;

		end = strchrnul(p, ',');
		len = end - p;
		for (i = 0; i < LEVEL_MAX; i++)
			if (strlen(level_names[i]) == len &&
			    !strncmp(p, level_names[i], len))
				break;
		if (i < LEVEL_MAX && !have_level) {
			f->level = i;
			have_level = true;
		} else if (len == strlen("no-io-start") &&
			   !strncmp(p, "no-io-start", len)) {
			f->no_io_start = true;
		} else {
			if (!len) {
				snprintf(err, errlen, "VBLKTRACE_ATTACH: empty "
					 "item at offset %d", (int)(p - env));
				return -EINVAL;
			}
			/* Echo the item only if it is plain: it may be junk. */
			bool plain = len > 0 && len <= 32 &&
				     strspn(p, "abcdefghijklmnopqrstuvwxyz"
					       "0123456789_-") >= len;

			snprintf(err, errlen,
				 "VBLKTRACE_ATTACH: unknown or repeated item "
				 "'%.*s' at offset %d; want one of tp_btf, "
				 "raw_tp, tracepoint, optionally followed by "
				 ",no-io-start", plain ? (int)len : 1,
				 plain ? p : "?", (int)(p - env));
			return -EINVAL;
		}
	}
	if (!have_level) {
		snprintf(err, errlen, "VBLKTRACE_ATTACH: no attach level; "
			 "want one of tp_btf, raw_tp, tracepoint");
		return -EINVAL;
	}
	return 0;
}

static bool have_io_start(enum attach_level level, bool no_io_start)
{
	if (level == LEVEL_TRACEPOINT)
		return false;
	if (no_io_start)
		return false;
	return vbt_probe_btf_tracepoint("block", "block_io_start");
}

static void choose_programs(struct guest_block_bpf *skel,
			    enum attach_level level, bool io_start)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);

	switch (level) {
	case LEVEL_TP_BTF:
		bpf_program__set_autoload(skel->progs.btf_rq_complete, true);
		if (io_start) {
			bpf_program__set_autoload(skel->progs.btf_io_start, true);
		} else {
			bpf_program__set_autoload(skel->progs.btf_rq_insert, true);
			bpf_program__set_autoload(skel->progs.btf_rq_issue, true);
		}
		break;
	case LEVEL_RAW_TP:
		bpf_program__set_autoload(skel->progs.raw_rq_complete, true);
		if (io_start) {
			bpf_program__set_autoload(skel->progs.raw_io_start, true);
		} else {
			bpf_program__set_autoload(skel->progs.raw_rq_insert, true);
			bpf_program__set_autoload(skel->progs.raw_rq_issue, true);
		}
		break;
	default:
		bpf_program__set_autoload(skel->progs.tp_rq_complete, true);
		bpf_program__set_autoload(skel->progs.tp_rq_issue, true);
		break;
	}
}

static int fill_maps(struct guest_block_bpf *skel,
		     const struct vbt_source_cfg *cfg)
{
	uint8_t one = 1;

	for (int i = 0; i < cfg->ndevs; i++)
		if (bpf_map__update_elem(skel->maps.dev_filter, &cfg->devs[i],
					 sizeof(uint32_t), &one, 1, BPF_ANY))
			return -errno;
	for (int i = 0; i < cfg->nvirtio; i++)
		if (bpf_map__update_elem(skel->maps.virtio_devs,
					 &cfg->virtio_devs[i],
					 sizeof(uint32_t), &one, 1, BPF_ANY))
			return -errno;
	return 0;
}

/*
 * Ring buffer size from the rate we expect.  Failures: a storm of tens of
 * thousands per second is when a record matters most, so 8 MiB (~75000
 * records, a second or more of a reader that falls behind).  Every
 * completion (--all): a CPU completes up to ~250k
 * requests/s (loop over tmpfs; fast NVMe is of that order), 112 bytes
 * each, so 8 MiB per CPU hold a quarter of a second of a reader that
 * stalls; a power of two between 16 and 256 MiB (the pages are allocated
 * when the map is created, hence the cap).
 */
static uint32_t ring_bytes(const struct vbt_source_cfg *cfg, int ncpus)
{
	uint64_t want = (uint64_t)ncpus << 23, size = 16U << 20;
	const char *force = getenv("VBLKTRACE_RING");
	char *end;

	/* Tests make the ring small on purpose to see loss counted. */
	if (force) {
		unsigned long v = strtoul(force, &end, 0);

		if (*force && !*end && v >= 4096 && v <= (1UL << 30) &&
		    !(v & (v - 1)))
			return v;
		vbt_msg("VBLKTRACE_RING=%s ignored: a power of two between "
			"4096 and 1 GiB\n", force);
	}
	if (!cfg->all)
		return 8U << 20;
	while (size < want && size < (256U << 20))
		size <<= 1;
	return size;
}

/*
 * Our own pid as the kernel numbers it (bpf sees global ids): in a PID
 * namespace getpid() is another number, so then nothing is excluded.
 */
static uint32_t self_tgid(void)
{
	char line[256];
	uint32_t pid = 0;
	FILE *f = fopen("/proc/self/status", "r");
	int fields;
	unsigned int p1, p2;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "NSpid:", 6)) {
			fields = sscanf(line + 6, "%u %u", &p1, &p2);
			if (fields == 1 && p1 == (unsigned int)getpid())
				pid = p1;
			break;
		}
	fclose(f);
	return pid;
}

static int try_level(struct bpf_source *bs, const struct vbt_source_cfg *cfg,
		     enum attach_level level, bool no_io_start, bool forced,
		     char *err, size_t errlen)
{
	bool io_start = have_io_start(level, no_io_start);
	struct guest_block_bpf *skel;
	int ret;

	skel = guest_block_bpf__open();
	if (!skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the BPF object: %s",
			 strerror(-ret));
		return ret;
	}
	skel->rodata->trace_all = cfg->all;
	skel->rodata->filter_dev = cfg->ndevs > 0;
	skel->rodata->filter_pid = cfg->pid;
	skel->rodata->has_io_start = io_start;
	skel->rodata->self_tgid = bs->self_tgid;
	ret = vbt_bpf_share_maps(bs, skel->maps.events, skel->maps.lost,
				 skel->maps.errors);
	if (!ret && bs->issuers_fd >= 0)
		ret = bpf_map__reuse_fd(skel->maps.issuers, bs->issuers_fd);
	if (ret) {
		snprintf(err, errlen, "cannot share the ring buffer: %s",
			 strerror(-ret));
		goto fail;
	}
	/* Streaming: one wakeup per 1/16 of the ring, not per record. */
	if (cfg->all)
		skel->rodata->wakeup_bytes = bs->ring_bytes / 16;
	choose_programs(skel, level, io_start);

	ret = guest_block_bpf__load(skel);
	if (ret) {
		snprintf(err, errlen, "%s programs did not load: %s",
			 level_names[level], strerror(-ret));
		goto fail;
	}
	ret = fill_maps(skel, cfg);
	if (ret) {
		snprintf(err, errlen, "cannot fill filter maps: %s",
			 strerror(-ret));
		goto fail;
	}
	ret = guest_block_bpf__attach(skel);
	if (ret) {
		snprintf(err, errlen, "%s programs did not attach: %s",
			 level_names[level], strerror(-ret));
		goto fail;
	}
	bs->skel = skel;
	bs->btf = level == LEVEL_TP_BTF;
	bs->io_start = io_start;

	snprintf(bs->src.how, sizeof(bs->src.how),
		 "%s: block_rq_complete, issuer at %s", level_names[level],
		 io_start ? "block_io_start" :
		 level == LEVEL_TRACEPOINT ? "block_rq_issue by (dev, sector)" :
		 "block_rq_insert/block_rq_issue");
	switch (level) {
	case LEVEL_TP_BTF:
		break;
	case LEVEL_RAW_TP:
		/* Forced (VBLKTRACE_ATTACH), tp_btf was not even tried. */
		if (!forced)
			snprintf(bs->src.blind, sizeof(bs->src.blind),
				 "tp_btf is not available; raw_tp sees the "
				 "same data");
		break;
	default:
		snprintf(bs->src.blind, sizeof(bs->src.blind),
			 "only classic tracepoints: no request pointer, so no "
			 "blk_status (errno only), no disk name, no virtio "
			 "status, and issuers matched by (dev, sector)");
		break;
	}
	return 0;
fail:
	guest_block_bpf__destroy(skel);
	return ret;
}

/*
 * The syscall program shares the block programs' ring buffer and loss
 * counter, so a block error is always read before the syscall it failed.
 * It attaches to the raw sys_exit tracepoint: no tracefs needed.
 */
static int open_syscalls(const struct bpf_source *bs,
			 const struct vbt_source_cfg *cfg,
			 struct syscall_fail_bpf **out, char *err, size_t errlen)
{
	struct syscall_fail_bpf *sys;
	uint8_t one = 1;
	int ret;

	sys = syscall_fail_bpf__open();
	if (!sys) {
		ret = -errno;
		snprintf(err, errlen, "failing syscalls: cannot open the BPF "
			 "object: %s", strerror(-ret));
		return ret;
	}
	sys->rodata->filter_pids = cfg->nsys_pids > 0 || cfg->host;
	sys->rodata->match_qemu_comm = cfg->host;
	ret = vbt_bpf_share_maps(bs, sys->maps.events, sys->maps.lost, NULL);
	if (!ret)
		ret = syscall_fail_bpf__load(sys);
	for (int i = 0; !ret && i < cfg->nsys_pids; i++)
		if (bpf_map__update_elem(sys->maps.pids, &cfg->sys_pids[i],
					 sizeof(uint32_t), &one, 1, BPF_ANY))
			ret = -errno;
	if (!ret)
		ret = syscall_fail_bpf__attach(sys);
	if (ret) {
		snprintf(err, errlen, "failing syscalls: programs did not "
			 "load: %s", strerror(-ret));
		syscall_fail_bpf__destroy(sys);
		return ret;
	}
	*out = sys;
	return 0;
}

/*
 * The syscall object (and on a host the QEMU object) loads in a thread
 * while the block object loads: each parses the kernel's BTF and searches
 * it for CO-RE candidates (libbpf keeps neither across objects), about a
 * third of the start-up each, and they need nothing of each other but the
 * shared maps, which exist before any starts.  A job touches only itself
 * and those maps until it is joined.
 */
struct load_job {
	struct bpf_source *bs;
	const struct vbt_source_cfg *cfg;
	pthread_t thread;
	bool running;
	struct syscall_fail_bpf *sys;	/* syscalls: loaded and attached */
	int ret;
	char why[256];
	struct vbt_host_load host;	/* host */
	struct vbt_stack_load stack;	/* SCSI and stacked devices */
	struct vbt_stuck_load stuckl;	/* stuck-request scan */
};

static void *sys_thread(void *arg)
{
	struct load_job *j = arg;

	j->ret = open_syscalls(j->bs, j->cfg, &j->sys, j->why, sizeof(j->why));
	return NULL;
}

static void *host_thread(void *arg)
{
	struct load_job *j = arg;

	vbt_bpf_host_load(j->bs, &j->host);
	return NULL;
}

static void *stack_thread(void *arg)
{
	struct load_job *j = arg;

	vbt_bpf_stack_load(j->bs, &j->stack);
	return NULL;
}

static void *stuck_thread(void *arg)
{
	struct load_job *j = arg;

	vbt_bpf_stuck_load(j->bs, j->cfg, &j->stuckl);
	return NULL;
}

/*
 * The block programs' issuer slots, which the stuck-request scan shares:
 * made as the block object declares them (read from an opened, not
 * loaded, copy) so that the scan can load beside the block programs.
 */
static int create_issuers(struct bpf_source *bs, char *err, size_t errlen)
{
	struct guest_block_bpf *gb = guest_block_bpf__open();
	struct bpf_map *m;
	int ret = 0;

	if (!gb)
		ret = -errno;
	if (!ret) {
		LIBBPF_OPTS(bpf_map_create_opts, opts);

		m = gb->maps.issuers;
		opts.map_flags = bpf_map__map_flags(m);
		bs->issuers_fd = bpf_map_create(bpf_map__type(m), "issuers",
						bpf_map__key_size(m),
						bpf_map__value_size(m),
						bpf_map__max_entries(m), &opts);
		if (bs->issuers_fd < 0)
			ret = -errno;
	}
	guest_block_bpf__destroy(gb);
	if (ret)
		snprintf(err, errlen, "cannot create the issuer slots: %s",
			 strerror(-ret));
	return ret;
}

static void job_start(struct load_job *j, void *(*fn)(void *))
{
	j->running = !pthread_create(&j->thread, NULL, fn, j);
	if (!j->running)	/* no thread: load it here */
		fn(j);
}

static void job_wait(struct load_job *j)
{
	if (j->running)
		pthread_join(j->thread, NULL);
	j->running = false;
}

/*
 * The ring buffer, the loss counter and the error counts every object
 * shares, made here so that the objects can load side by side.  As
 * bpf/maps.bpf.h declares them, the ring sized from the expected rate
 * (ring_bytes()).
 */
static int create_shared_maps(struct bpf_source *bs, char *err, size_t errlen)
{
	bs->events_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "events", 0, 0,
				       bs->ring_bytes, NULL);
	if (bs->events_fd < 0) {
		bs->events_fd = -errno;
		snprintf(err, errlen, "cannot create the ring buffer: %s",
			 strerror(errno));
		return bs->events_fd;
	}
	bs->lost_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "lost",
				     sizeof(uint32_t), sizeof(uint64_t),
				     VBT_NR_COUNTERS, NULL);
	if (bs->lost_fd < 0) {
		bs->lost_fd = -errno;
		snprintf(err, errlen, "cannot create the loss counter: %s",
			 strerror(errno));
		return bs->lost_fd;
	}
	bs->errors_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "errors",
				       sizeof(struct vbt_err_key),
				       sizeof(uint64_t), 1024, NULL);
	if (bs->errors_fd < 0) {
		bs->errors_fd = -errno;
		snprintf(err, errlen, "cannot create the error counts: %s",
			 strerror(errno));
		return bs->errors_fd;
	}
	return 0;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	return 0;
}

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt,
			  va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

int vbt_source_bpf_open(const struct vbt_source_cfg *cfg, vbt_record_fn cb,
			void *ctx, struct vbt_source **out, char *err,
			size_t errlen)
{
	char why[LEVEL_MAX][160] = { { 0 } };
	struct load_job sys = { 0 }, host = { 0 }, stack = { 0 }, stuck = { 0 };
	struct attach_force force;
	struct bpf_source *bs;
	int ret = -EOPNOTSUPP, level_used = LEVEL_TP_BTF;

	libbpf_set_print(cfg->verbose ? libbpf_verbose : libbpf_quiet);

	ret = parse_attach_env(&force, err, errlen);
	if (ret)
		return ret;

	ret = vbt_probe_bpf_privileges(err, errlen);
	if (ret)
		return ret;
	if (!vbt_probe_kernel_btf()) {
		snprintf(err, errlen,
			 "this kernel has no BTF (/sys/kernel/btf/vmlinux): the "
			 "BPF driver needs CONFIG_DEBUG_INFO_BTF=y; try "
			 "--driver kmod");
		return -EOPNOTSUPP;
	}

	bs = calloc(1, sizeof(*bs));
	if (!bs)
		return -ENOMEM;
	bs->events_fd = bs->lost_fd = bs->errors_fd = bs->issuers_fd = -1;
	bs->ncpus = libbpf_num_possible_cpus();
	if (bs->ncpus <= 0) {
		snprintf(err, errlen, "cannot count possible CPUs");
		ret = -ENODEV;	/* not -EINVAL: that means a bad setting */
		goto fail;
	}

	ret = vbt_bpf_stuck_env(bs, err, errlen);
	if (ret)
		goto fail;
	bs->ring_bytes = ring_bytes(cfg, bs->ncpus);
	bs->self_tgid = self_tgid();
	ret = create_shared_maps(bs, err, errlen);
	if (ret) {
		if (ret == -EINVAL)	/* -EINVAL is for bad settings */
			ret = -EIO;
		goto fail;
	}
	sys.bs = host.bs = stack.bs = stuck.bs = bs;
	sys.cfg = host.cfg = stack.cfg = stuck.cfg = cfg;
	/* The scan, for the first level tried: where the programs attach. */
	if (cfg->stuck_ns && force.level != LEVEL_TRACEPOINT) {
		ret = create_issuers(bs, err, errlen);
		if (ret) {
			ret = ret == -EINVAL ? -EIO : ret;
			goto fail;
		}
		stuck.stuckl.tried = true;
		stuck.stuckl.btf = force.level == LEVEL_TP_BTF;
		stuck.stuckl.io_start = have_io_start(force.level,
						      force.no_io_start);
		stuck.stuckl.issuers_fd = bs->issuers_fd;
		job_start(&stuck, stuck_thread);
	}
	if (cfg->syscalls)
		job_start(&sys, sys_thread);
	if (cfg->host) {
		vbt_bpf_host_prepare(&host.host);
		job_start(&host, host_thread);
	} else {
		vbt_bpf_stack_prepare(&stack.stack, "/sys/block");
		if (vbt_bpf_stack_wanted(&stack.stack))
			job_start(&stack, stack_thread);
	}
	for (int level = force.level; level < LEVEL_MAX; level++) {
		if (level == LEVEL_TRACEPOINT)
			vbt_probe_mount_tracefs();
		ret = try_level(bs, cfg, level, force.no_io_start,
				force.level > 0 && level == force.level,
				why[level], sizeof(why[level]));
		level_used = level;
		if (!ret)
			break;
		if (ret == -EPERM)
			break;
	}
	job_wait(&sys);
	job_wait(&host);
	job_wait(&stack);
	job_wait(&stuck);
	if (ret) {
		snprintf(err, errlen, "no way to attach to the block tracepoints "
			 "on this kernel: %s; %s; %s", why[0], why[1], why[2]);
		ret = ret == -EPERM ? -EPERM : -EOPNOTSUPP;
		goto fail;
	}

	if (cfg->syscalls) {
		bs->sys = sys.sys;
		ret = sys.ret;
		if (ret && cfg->need_syscalls) {
			snprintf(err, errlen, "%s", sys.why);
			ret = ret == -EACCES ? -EPERM : -EOPNOTSUPP;
			goto fail;
		}
		if (ret)
			vbt_bpf_note_blind(bs, sys.why);
	}
	if (cfg->host)
		vbt_bpf_host_finish(bs, &host.host);
	else
		vbt_bpf_stack_finish(bs, &stack.stack);
	vbt_bpf_open_stuck(bs, cfg, level_used == LEVEL_TRACEPOINT,
			   stuck.stuckl.tried ? &stuck.stuckl : NULL);
	bs->rb = ring_buffer__new(bpf_map__fd(bs->skel->maps.events),
				  on_record, bs, NULL);
	if (!bs->rb) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the ring buffer: %s",
			 strerror(-ret));
		if (ret == -EINVAL)	/* -EINVAL is for bad settings */
			ret = -EIO;
		goto fail;
	}
	bs->src.ops = &bpf_ops;
	bs->src.driver = "bpf";
	bs->src.cb = cb;
	bs->src.cb_ctx = ctx;
	*out = &bs->src;
	return 0;
fail:
	job_wait(&sys);
	job_wait(&host);
	job_wait(&stack);
	job_wait(&stuck);
	guest_stuck_bpf__destroy(stuck.stuckl.st);
	syscall_fail_bpf__destroy(bs->sys ? NULL : sys.sys);
	host_qemu_bpf__destroy(bs->host ? NULL : host.host.h);
	guest_stack_bpf__destroy(bs->stack ? NULL : stack.stack.st);
	/* Each destroy takes NULL: what was not opened is passed over. */
	vbt_bpf_close_stuck(bs);
	guest_stack_bpf__destroy(bs->stack);
	host_qemu_bpf__destroy(bs->host);
	syscall_fail_bpf__destroy(bs->sys);
	guest_block_bpf__destroy(bs->skel);
	close_shared_maps(bs);
	free(bs);
	return ret;
}
