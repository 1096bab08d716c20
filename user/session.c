// SPDX-License-Identifier: GPL-2.0
/*
 * The tracing loop shared by live, host and watch.
 *
 * The pipeline: source (raw records) -> decode -> filter -> enrich (disk
 * names, fd paths, causes, then the command's own) -> sinks (stdout as text
 * or JSON Lines, the -o recording, the summary).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>

#include "msg.h"
#include "names.h"
#include "probe.h"
#include "session.h"

static volatile sig_atomic_t stop, hangup;

static void on_signal(int sig)
{
	stop = sig;
}

static void on_hangup(int sig)
{
	hangup = 1;
}

static bool sys_disk_wanted(const struct vbt_session *l, const struct vbt_event *ev)
{
	struct vbt_part p;

	if (!l->ndevs)
		return true;
	vbt_part_lookup("/sys", ev->sys.bdev, &p);
	for (int i = 0; i < l->ndevs; i++)
		if (l->devs[i] == p.disk || l->devs[i] == p.dev)
			return true;
	return false;
}

static bool pid_wanted(const struct vbt_session *l, uint32_t pid)
{
	if (!l->opts.npids || l->pids_watch)
		return true;
	for (int i = 0; i < l->opts.npids; i++)
		if ((uint32_t)l->opts.pids[i] == pid)
			return true;
	return false;
}

/*
 * The path behind an fd, from /proc while the process lives; after it
 * exited, a block device is still named by its device number, a file by
 * its inode.
 */
static void fd_path(struct vbt_session *l, uint32_t pid, int fd, uint32_t bdev,
		    uint64_t ino, bool blk, char *path, size_t len)
{
	const struct vbt_disk *d;
	struct vbt_disk part;
	char link[64], name[32];
	ssize_t n = -1;

	snprintf(link, sizeof(link), "/proc/%u/fd/%d", pid, fd);
	if (fd >= 0)
		n = readlink(link, path, len - 1);
	if (n > 0) {
		path[n] = 0;
		return;
	}
	path[0] = 0;
	if (!bdev)
		return;
	d = vbt_disk_by_dev(l->disks, l->ndisks, bdev);
	name[0] = 0;
	if (d)
		snprintf(name, sizeof(name), "%s", d->name);
	else if (!vbt_disk_lookup_dev("/sys", bdev, &part))
		snprintf(name, sizeof(name), "%s", part.name);
	if (blk && name[0])
		snprintf(path, len, "/dev/%s", name);
	else if (name[0])
		snprintf(path, len, "inode %llu on %s", (unsigned long long)ino,
			 name);
	else
		snprintf(path, len, "inode %llu on %u:%u",
			 (unsigned long long)ino, vbt_major(bdev),
			 vbt_minor(bdev));
}

/*
 * Fill what the kernel could not: disk names, derived virtio status, the
 * path behind a syscall's fd and the block failure that caused it.
 */
static void enrich(struct vbt_session *l, struct vbt_event *ev)
{
	const struct vbt_disk *d;

	if (ev->kind == VBT_KIND_SYSCALL) {
		fd_path(l, ev->pid, ev->sys.fd, ev->sys.bdev, ev->sys.ino,
			ev->sys.ftype == VBT_FTYPE_BLK, ev->sys.path,
			sizeof(ev->sys.path));
		vbt_cause_link(&l->causes, ev);
		return;
	}
	if (ev->kind == VBT_KIND_IO_URING || ev->kind == VBT_KIND_AIO) {
		/* Only AIO completions know their file (a dev, not a mode). */
		fd_path(l, ev->pid, ev->async.fd, ev->async.bdev, ev->async.ino,
			vbt_disk_by_dev(l->disks, l->ndisks, ev->async.bdev),
			ev->async.path, sizeof(ev->async.path));
		return;
	}
	if (ev->kind != VBT_KIND_BLOCK)
		return;
	d = vbt_disk_by_dev(l->disks, l->ndisks, ev->blk.dev);
	if (!ev->blk.disk[0] && d)
		snprintf(ev->blk.disk, sizeof(ev->blk.disk), "%s", d->name);
	if (d && d->virtio && ev->blk.virtio_status == VBT_VIRTIO_NONE &&
	    ev->blk.status >= 0 && !ev->blk.not_issued) {
		/* virtio_blk maps UNSUPP to NOTSUPP and all else to IOERR. */
		ev->blk.virtio_status = ev->blk.status == 0 ? VBT_VIRTIO_OK :
					ev->blk.status == 1 ? VBT_VIRTIO_UNSUPP :
					VBT_VIRTIO_IOERR;
		ev->blk.virtio_derived = true;
	}
}

void vbt_session_emit(struct vbt_session *l, struct vbt_event *ev)
{
	char line[1024];
	char *json = NULL;

	ev->seq = ++l->seq;
	vbt_status_line_clear(&l->status);
	if (l->opts.json || l->record)
		json = vbt_format_json(ev, &l->fmt);
	if (l->hooks->no_stdout) {
		/* the command's own sinks show it */
	} else if (l->opts.json) {
		if (json)
			printf("%s\n", json);
	} else {
		vbt_format_text(ev, &l->fmt, line, sizeof(line));
		printf("%s\n", line);
	}
	if (l->record && json && !l->write_error &&
	    fprintf(l->record, "%s\n", json) < 0)
		l->write_error = errno;
	free(json);
	vbt_summary_add(&l->sum, ev);
	if (l->hooks->sink)
		l->hooks->sink(l, ev);
}

static int on_record(void *ctx, const void *rec, size_t size)
{
	struct vbt_session *l = ctx;
	struct vbt_event ev;
	char msg[160];

	if (vbt_event_decode(rec, size, &ev, msg, sizeof(msg))) {
		if (!l->sum.bad++)
			vbt_msg("dropping a bad record: %s\n",
				msg);
		return 0;
	}
	if (ev.kind == VBT_KIND_BLOCK && !pid_wanted(l, ev.pid))
		return 0;
	if (ev.kind == VBT_KIND_SYSCALL && !sys_disk_wanted(l, &ev))
		return 0;
	ev.side = l->hooks->side;
	enrich(l, &ev);
	if (l->hooks->enrich && !l->hooks->enrich(l, &ev)) {
		l->sum.expected++;
		return 0;
	}
	vbt_session_emit(l, &ev);
	vbt_cause_note_block(&l->causes, &ev);
	return 0;
}

static void check_lost(struct vbt_session *l, struct vbt_source *src)
{
	uint64_t total = src->ops->lost(src);
	struct vbt_event ev;

	if (total <= l->lost_seen)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = VBT_KIND_LOST;
	ev.side = l->hooks->side;
	ev.mono_ns = vbt_mono_now();
	ev.lost = total - l->lost_seen;
	snprintf(ev.comm, sizeof(ev.comm), "vblktrace");
	ev.pid = ev.tid = getpid();
	l->lost_seen = total;
	vbt_session_emit(l, &ev);
}

static int resolve_filters(struct vbt_session *l, struct vbt_source_cfg *cfg)
{
	struct vbt_disk d;

	for (int i = 0; i < l->opts.ndisks; i++) {
		if (vbt_disk_lookup("/sys", l->opts.disks[i], &d)) {
			return vbt_usage_error("no such disk: '%s' (see "
					       "'vblktrace disks' or "
					       "/sys/class/block)",
					       l->opts.disks[i]);
		}
		cfg->devs[cfg->ndevs++] = d.dev;
		l->devs[l->ndevs++] = d.dev;
	}
	/* The kernel filters one pid; more are filtered here. */
	if (l->opts.npids == 1)
		cfg->pid = l->opts.pids[0];
	for (int i = 0; i < l->ndisks && cfg->nvirtio < 256; i++)
		if (l->disks[i].virtio)
			cfg->virtio_devs[cfg->nvirtio++] = l->disks[i].dev;
	return 0;
}

static int open_record(struct vbt_session *l)
{
	int fd;

	/* Events name processes and files: private to the user. */
	fd = open(l->opts.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		vbt_msg("cannot write %s: %s\n",
			l->opts.output, strerror(errno));
		return VBT_EXIT_RUNTIME;
	}
	l->record = fdopen(fd, "w");
	if (!l->record) {
		close(fd);
		return VBT_EXIT_RUNTIME;
	}
	return 0;
}

static int source_exit(int ret)
{
	if (ret == -EINVAL)	/* a bad setting, e.g. VBLKTRACE_ATTACH */
		return VBT_EXIT_USAGE;
	return ret == -EPERM || ret == -EOPNOTSUPP ? VBT_EXIT_PRIV :
						     VBT_EXIT_RUNTIME;
}

/*
 * --driver bpf|kmod: that one.  auto: BPF, else the kernel module if it is
 * loaded (/dev/vblktrace exists), else exit 3 saying why neither works.
 */
static int open_source(struct vbt_session *l, struct vbt_source_cfg *cfg,
		       struct vbt_source **src)
{
	char err[1024], kerr[512];
	int ret, kret;

	if (l->opts.driver == VBT_DRIVER_KMOD) {
		ret = vbt_source_kmod_open(cfg, on_record, l, src, err,
					   sizeof(err));
		if (ret)
			vbt_msg("%s\n", err);
		return ret ? source_exit(ret) : 0;
	}
	ret = vbt_source_bpf_open(cfg, on_record, l, src, err, sizeof(err));
	if (!ret)
		return 0;
	if (l->opts.driver == VBT_DRIVER_BPF || ret == -EPERM ||
	    ret == -EINVAL) {
		vbt_msg("%s\n", err);
		return source_exit(ret);
	}
	if (access("/dev/vblktrace", F_OK)) {
		vbt_msg("no event source: BPF: %s; kernel "
			"module: /dev/vblktrace does not exist (insmod "
			"vblktrace.ko, see 'make kmod')\n", err);
		return VBT_EXIT_PRIV;
	}
	kret = vbt_source_kmod_open(cfg, on_record, l, src, kerr,
				    sizeof(kerr));
	if (!kret) {
		vbt_msg("BPF unavailable (%s); using the "
			"kernel module\n", err);
		return 0;
	}
	vbt_msg("no event source: BPF: %s; kernel module: "
		"%s\n", err, kerr);
	return VBT_EXIT_PRIV;
}

/* SIGHUP stops a session, unless the command handles it (log reopening). */
static void install_signals(const struct vbt_session_hooks *hooks)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction hup = { .sa_handler = on_hangup };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, hooks->hangup ? &hup : &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct count_ctx {
	struct vbt_session *l;
	FILE *f;
	int n;
};

static void print_count(void *ctx, uint32_t dev, int op, uint64_t count)
{
	struct count_ctx *c = ctx;
	const struct vbt_disk *d = vbt_disk_by_dev(c->l->disks, c->l->ndisks,
						   dev);
	char name[32];

	if (!count)
		return;
	if (!c->n++)
		fprintf(c->f, "  failed requests the kernel counted (delivered "
			"or not):\n");
	if (d)
		snprintf(name, sizeof(name), "%s", d->name);
	else
		snprintf(name, sizeof(name), "%u:%u", vbt_major(dev),
			 vbt_minor(dev));
	fprintf(c->f, "    %-12s %-12s %8llu\n", name, vbt_op_name(op),
		(unsigned long long)count);
}

/*
 * The kernel's own per-disk, per-op failure counters, kept beside the ring
 * buffer: a reader can check the shown events against them.
 */
static void print_kernel_counts(struct vbt_session *l, struct vbt_source *src,
				FILE *f)
{
	struct count_ctx c = { .l = l, .f = f };

	if (src->ops->errors)
		src->ops->errors(src, print_count, &c);
	fflush(f);
}

static int run(struct vbt_session *l, struct vbt_source *src)
{
	FILE *sumf = l->opts.json || l->hooks->no_stdout ? stderr : stdout;
	uint64_t now = vbt_mono_now(), end = 0, next_sum = 0;
	int ret = VBT_EXIT_OK, n;

	if (l->opts.duration)
		end = now + (uint64_t)(l->opts.duration * 1e9);
	if (l->opts.interval)
		next_sum = now + (uint64_t)(l->opts.interval * 1e9);
	vbt_status_line_init(&l->status, l->opts.duration, now);

	while (!stop) {
		n = src->ops->poll(src, 100);
		if (n < 0) {
			vbt_msg("reading events: %s\n",
				strerror(-n));
			ret = VBT_EXIT_RUNTIME;
			break;
		}
		/* What follows may print: no half-line before it. */
		vbt_status_line_clear(&l->status);
		check_lost(l, src);
		fflush(stdout);
		if (hangup) {
			hangup = 0;
			l->hooks->hangup(l);
		}
		now = vbt_mono_now();
		if (l->hooks->tick)
			l->hooks->tick(l, now);
		if (next_sum && now >= next_sum) {
			vbt_status_line_clear(&l->status);
			vbt_summary_print(&l->sum, sumf, &l->clock, now, false);
			next_sum += (uint64_t)(l->opts.interval * 1e9);
		}
		if (end && now >= end)
			break;
		if (ferror(stdout) && errno == EPIPE)
			break;
		vbt_status_line_update(&l->status, now, l->sum.errors);
	}
	vbt_status_line_clear(&l->status);
	if (end && now >= end)
		vbt_msg("stopped after %g s, as asked (-t)\n",
			l->opts.duration);
	else if (stop)
		vbt_msg("stopped by a signal\n");
	/* Whatever is still in the ring buffer was recorded: show it. */
	src->ops->poll(src, 0);
	check_lost(l, src);
	vbt_summary_print(&l->sum, sumf, &l->clock, vbt_mono_now(), true);
	print_kernel_counts(l, src, sumf);
	return ret;
}


int vbt_session_parse(struct vbt_session *s, int argc, char **argv,
		      const char *cmd, void (*usage)(const char *cmd))
{
	memset(s, 0, sizeof(*s));
	return vbt_opts_parse(argc, argv, &s->opts, cmd, usage);
}

static void close_record(struct vbt_session *l, int *ret)
{
	if (!l->record)
		return;
	if (fclose(l->record) && !l->write_error)
		l->write_error = errno;
	l->record = NULL;
	if (l->write_error) {
		vbt_msg("writing %s failed: %s\n",
			l->opts.output, strerror(l->write_error));
		*ret = VBT_EXIT_RUNTIME;
	}
}

int vbt_session_run(struct vbt_session *l,
		    const struct vbt_session_hooks *hooks)
{
	/* Reading maps later needs CAP_BPF; before 5.8, CAP_SYS_ADMIN. */
	static const int keep_bpf[] = { CAP_BPF, -1 };
	static const int keep_admin[] = { CAP_SYS_ADMIN, -1 };
	struct vbt_source_cfg cfg = { 0 };
	int ret;

	l->hooks = hooks;
	/* Before anything slow: a signal during set-up must not kill us. */
	install_signals(hooks);
	cfg.all = l->opts.all;
	cfg.verbose = l->opts.verbose;
	cfg.syscalls = true;
	cfg.sys_pids = (const uint32_t *)l->opts.pids;
	cfg.nsys_pids = l->opts.npids;
	vbt_cause_init(&l->causes, "/sys");
	vbt_clock_init(&l->clock);
	l->fmt.clock = &l->clock;
	l->fmt.color = !l->opts.no_color && !l->opts.json &&
		       vbt_terminal_capable(STDOUT_FILENO) && !getenv("NO_COLOR");
	l->ndisks = vbt_disks_scan("/sys", &l->disks);
	if (l->ndisks < 0)
		l->ndisks = 0;
	ret = resolve_filters(l, &cfg);
	if (ret)
		goto out;
	if (hooks->configure)
		hooks->configure(l, &cfg);
	if (l->opts.output) {
		ret = open_record(l);
		if (ret)
			goto out;
	}
	ret = open_source(l, &cfg, &l->src);
	if (ret)
		goto out;
	/*
	 * Attached: what is left needs at most CAP_BPF, plus whatever the
	 * command still reads in /proc (started() runs before the drop).
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (hooks->started) {
		ret = hooks->started(l);
		if (ret)
			goto out_src;
	} else {
		vbt_drop_capabilities(CAP_IS_SUPPORTED(CAP_BPF) ? keep_bpf :
								  keep_admin);
	}
	/*
	 * Said once everything is in place, privileges dropped included:
	 * scripts (and the tests) take this line as "ready".
	 */
	vbt_msg("tracing %s on %s via %s (driver %s)",
		hooks->what, l->opts.ndisks ? "the chosen disks" : "all disks",
		l->src->how, l->src->driver);
	if (l->opts.duration)
		fprintf(stderr, " for %g s", l->opts.duration);
	fprintf(stderr, "; Ctrl-C to stop\n");
	if (l->src->blind[0])
		vbt_msg("cannot see: %s\n", l->src->blind);
	vbt_summary_init(&l->sum, vbt_mono_now());
	ret = run(l, l->src);
	if (hooks->finish)
		hooks->finish(l);
out_src:
	l->src->ops->close(l->src);
	l->src = NULL;
	close_record(l, &ret);
out:
	if (l->record)
		fclose(l->record);
	free(l->disks);
	return ret;
}
