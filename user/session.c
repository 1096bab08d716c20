// SPDX-License-Identifier: GPL-2.0
/*
 * The tracing loop shared by live, host and watch.
 *
 * The pipeline: source (raw records) -> decode -> filter -> enrich
 * (enrich/enrich.h: disk names, fd paths, causes; then the command's own)
 * -> sinks (stdout as text or JSON Lines, the -o recording, the summary).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include "decode/names.h"
#include "util/msg.h"
#include "session.h"
#include "sink/atomic_file.h"
#include "source/probe.h"

static volatile sig_atomic_t stop, hangup;

static void on_signal(int sig)
{
	stop = sig;
}

static void on_hangup(int sig)
{
	hangup = 1;
}

static bool sys_disk_wanted(const struct vbt_session *s, const struct vbt_event *ev)
{
	struct vbt_part p;

	if (!s->ndevs)
		return true;
	vbt_part_lookup("/sys", ev->sys.bdev, &p);
	for (int i = 0; i < s->ndevs; i++)
		if (s->devs[i] == p.disk || s->devs[i] == p.dev)
			return true;
	return false;
}

static bool pid_wanted(const struct vbt_session *s, uint32_t pid)
{
	if (!s->opts.npids || s->pids_watch)
		return true;
	for (int i = 0; i < s->opts.npids; i++)
		if ((uint32_t)s->opts.pids[i] == pid)
			return true;
	return false;
}

void vbt_session_emit(struct vbt_session *s, struct vbt_event *ev)
{
	const char *json = NULL;
	char line[1024];

	ev->seq = ++s->seq;
	vbt_stuck_join(&s->stuck, ev);
	vbt_status_line_clear(&s->status);
	if (s->opts.json || s->record)
		json = vbt_format_json_into(ev, &s->fmt, &s->jw);
	/* A line is written as it is: no printf() to scan it again. */
	if (json)
		s->jw.buf[s->jw.len] = '\n';
	if (s->hooks->no_stdout) {
		/* the command's own sinks show it */
	} else if (s->opts.json) {
		if (json)
			fwrite_unlocked(json, 1, s->jw.len + 1, stdout);
	} else {
		vbt_format_text(ev, &s->fmt, line, sizeof(line));
		printf("%s\n", line);
	}
	if (s->record && json && !s->write_error &&
	    fwrite_unlocked(json, 1, s->jw.len + 1, s->record) != s->jw.len + 1)
		s->write_error = errno;
	if (json)
		s->jw.buf[s->jw.len] = 0;
	vbt_summary_add(&s->sum, ev);
	if (s->hooks->sink)
		s->hooks->sink(s, ev);
}

static int on_record(void *ctx, const void *rec, size_t size)
{
	struct vbt_session *s = ctx;
	struct vbt_event ev;
	char msg[160];

	if (vbt_event_decode(rec, size, &ev, msg, sizeof(msg))) {
		if (!s->sum.bad++)
			vbt_msg("dropping a bad record: %s\n",
				msg);
		return 0;
	}
	vbt_audit_event(&s->audit, &ev);
	if (vbt_enrich_absorb(&s->enrich, &ev))
		return 0;
	if ((ev.kind == VBT_KIND_BLOCK || ev.kind == VBT_KIND_STUCK) &&
	    !pid_wanted(s, ev.pid))
		return 0;
	if (ev.kind == VBT_KIND_SYSCALL && !sys_disk_wanted(s, &ev))
		return 0;
	ev.side = s->hooks->side;
	vbt_enrich_event(&s->enrich, &ev);
	if (s->hooks->enrich && !s->hooks->enrich(s, &ev)) {
		s->sum.expected++;
		return 0;
	}
	vbt_session_emit(s, &ev);
	vbt_enrich_emitted(&s->enrich, &ev);
	return 0;
}

static void check_lost(struct vbt_session *s, struct vbt_source *src)
{
	uint64_t total = src->ops->lost(src);
	struct vbt_event ev;

	if (total <= s->lost_seen)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = VBT_KIND_LOST;
	ev.side = s->hooks->side;
	ev.mono_ns = vbt_mono_now();
	ev.lost = total - s->lost_seen;
	snprintf(ev.comm, sizeof(ev.comm), "vblktrace");
	ev.pid = ev.tid = getpid();
	s->lost_seen = total;
	vbt_session_emit(s, &ev);
}

/*
 * --all promises every completion of the traced disks: start comparing
 * with the disks' own counters (sink/audit.c).  Not with -p (the others'
 * requests are left out in the kernel) or a source that cannot count its
 * own requests.
 */
static void audit_start(struct vbt_session *s, struct vbt_source *src)
{
	if (!s->opts.all || s->opts.npids || !src->ops->own ||
	    s->hooks->side != VBT_SIDE_GUEST)
		return;
	vbt_audit_start(&s->audit, "/sys", s->disks, s->ndisks, s->devs,
			s->ndevs, src->ops->lost(src), src->ops->own(src));
}

/* Completions the kernel counted that never ran our programs: say so. */
static void audit_report(struct vbt_session *s, struct vbt_source *src)
{
	struct vbt_audit *a = &s->audit;
	struct vbt_event ev;
	char where[512];
	uint64_t n;

	if (!a->n)
		return;
	n = vbt_audit_unseen(a, src->ops->lost(src), src->ops->own(src));
	if (s->opts.verbose || n) {
		vbt_audit_where(a, s->opts.verbose, where, sizeof(where));
		vbt_msg("%s%s; vblktrace's own %llu, lost %llu\n",
			s->opts.verbose ? "completions by the disks' counters: " :
					  "",
			where[0] ? where : "none", (unsigned long long)a->own,
			(unsigned long long)a->lost);
	}
	if (!n)
		return;
	vbt_msg("%llu completions the disks counted were neither shown nor "
		"counted lost: the kernel did not run vblktrace's programs "
		"for them\n", (unsigned long long)n);
	memset(&ev, 0, sizeof(ev));
	ev.kind = VBT_KIND_LOST;
	ev.side = s->hooks->side;
	ev.mono_ns = vbt_mono_now();
	ev.lost = n;
	ev.lost_unseen = true;
	snprintf(ev.comm, sizeof(ev.comm), "vblktrace");
	ev.pid = ev.tid = getpid();
	vbt_session_emit(s, &ev);
}

static int resolve_filters(struct vbt_session *s, struct vbt_source_cfg *cfg)
{
	struct vbt_disk d;

	for (int i = 0; i < s->opts.ndisks; i++) {
		if (vbt_disk_lookup("/sys", s->opts.disks[i], &d)) {
			return vbt_usage_error("no such disk: '%s' (see "
					       "'vblktrace disks' or "
					       "/sys/class/block)",
					       s->opts.disks[i]);
		}
		cfg->devs[cfg->ndevs++] = d.dev;
		s->devs[s->ndevs++] = d.dev;
	}
	/* The kernel filters one pid; more are filtered here. */
	if (s->opts.npids == 1)
		cfg->pid = s->opts.pids[0];
	for (int i = 0; i < s->ndisks && cfg->nvirtio < VBT_MAX_VIRTIO_DISKS; i++)
		if (s->disks[i].virtio)
			cfg->virtio_devs[cfg->nvirtio++] = s->disks[i].dev;
	return 0;
}

static int open_record(struct vbt_session *s)
{
	int fd;

	/* Events name processes and files: private to the user. */
	fd = vbt_open_output(s->opts.output);
	if (fd < 0) {
		vbt_msg("cannot write %s: %s\n",
			s->opts.output, strerror(-fd));
		return VBT_EXIT_RUNTIME;
	}
	s->record = fdopen(fd, "w");
	if (!s->record) {
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
static int open_source(struct vbt_session *s, struct vbt_source_cfg *cfg,
		       struct vbt_source **src)
{
	char err[1024], kerr[512];
	int ret, kret;

	if (s->opts.driver == VBT_DRIVER_KMOD) {
		ret = vbt_source_kmod_open(cfg, on_record, s, src, err,
					   sizeof(err));
		if (ret)
			vbt_msg("%s\n", err);
		return ret ? source_exit(ret) : 0;
	}
	ret = vbt_source_bpf_open(cfg, on_record, s, src, err, sizeof(err));
	if (!ret)
		return 0;
	if (s->opts.driver == VBT_DRIVER_BPF || ret == -EPERM ||
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
	kret = vbt_source_kmod_open(cfg, on_record, s, src, kerr,
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
	struct vbt_session *s;
	FILE *f;
	int n;
};

static void print_count(void *ctx, uint32_t dev, int op, uint64_t count)
{
	struct count_ctx *c = ctx;

	if (!count)
		return;
	if (!c->n++)
		fprintf(c->f, "  failed requests the kernel counted (delivered "
			"or not):\n");
	fprintf(c->f, "    %-12s %-12s %8llu\n",
		vbt_devname(&c->s->enrich.names, dev, NULL), vbt_op_name(op),
		(unsigned long long)count);
}

/*
 * The kernel's own per-disk, per-op failure counters, kept beside the ring
 * buffer: a reader can check the shown events against them.
 */
static void print_kernel_counts(struct vbt_session *s, struct vbt_source *src,
				FILE *f)
{
	struct count_ctx c = { .s = s, .f = f };

	if (src->ops->errors)
		src->ops->errors(src, print_count, &c);
	fflush(f);
}

/*
 * Output is written in large blocks (a write() per line would cost more
 * than tracing at full rate) and flushed at least this often, so a reader
 * of a file or pipe still sees each event within a fraction of a second.
 */
#define FLUSH_NS 100000000ULL
/* How often the kernel's loss counters are read. */
#define LOST_CHECK_NS 100000000ULL

/*
 * Push what we wrote towards the disk ourselves: sync_file_range() submits
 * the writeback from this process, whose requests the BPF programs skip,
 * instead of leaving it to a flusher thread whose requests they would show
 * (and whose events we would write, and so on).
 */
static void flush_output(struct vbt_session *s)
{
	fflush(stdout);
	if (s->stdout_reg)
		sync_file_range(1, 0, 0, SYNC_FILE_RANGE_WRITE);
	if (s->record && !s->write_error) {
		if (fflush(s->record))
			s->write_error = errno;
		else
			sync_file_range(fileno(s->record), 0, 0,
					SYNC_FILE_RANGE_WRITE);
	}
}

/* A terminal gets each line at once; files and pipes get full buffers. */
static void set_output_buffers(struct vbt_session *s)
{
	static char outbuf[1 << 20], recbuf[1 << 20];
	struct stat st;

	if (isatty(1))
		setvbuf(stdout, NULL, _IOLBF, 0);
	else
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	s->stdout_reg = !fstat(1, &st) && S_ISREG(st.st_mode);
	if (s->record)
		setvbuf(s->record, recbuf, _IOFBF, sizeof(recbuf));
}

static int run(struct vbt_session *s, struct vbt_source *src)
{
	FILE *sumf = s->opts.json || s->hooks->no_stdout ? stderr : stdout;
	uint64_t now = vbt_mono_now(), end = 0, next_sum = 0;
	uint64_t next_flush = now + FLUSH_NS, next_lost = 0;
	int ret = VBT_EXIT_OK, n;

	if (s->opts.duration)
		end = now + (uint64_t)(s->opts.duration * 1e9);
	if (s->opts.interval)
		next_sum = now + (uint64_t)(s->opts.interval * 1e9);
	vbt_status_line_init(&s->status, s->opts.duration, now);

	while (!stop) {
		n = src->ops->poll(src, 100);
		if (n < 0) {
			vbt_msg("reading events: %s\n",
				strerror(-n));
			ret = VBT_EXIT_RUNTIME;
			break;
		}
		/* What follows may print: no half-line before it. */
		vbt_status_line_clear(&s->status);
		now = vbt_mono_now();
		/* Each look at the loss counters costs syscalls: not per batch. */
		if (now >= next_lost) {
			check_lost(s, src);
			next_lost = now + LOST_CHECK_NS;
		}
		if (now >= next_flush) {
			flush_output(s);
			next_flush = now + FLUSH_NS;
		}
		if (hangup) {
			hangup = 0;
			s->hooks->hangup(s);
		}
		now = vbt_mono_now();
		if (src->ops->tick)
			src->ops->tick(src, now, false);
		if (s->hooks->tick)
			s->hooks->tick(s, now);
		if (next_sum && now >= next_sum) {
			vbt_status_line_clear(&s->status);
			vbt_summary_print(&s->sum, sumf, &s->clock, now, false);
			next_sum += (uint64_t)(s->opts.interval * 1e9);
		}
		if (end && now >= end)
			break;
		if (ferror(stdout) && errno == EPIPE)
			break;
		vbt_status_line_update(&s->status, now, s->sum.errors);
	}
	vbt_status_line_clear(&s->status);
	if (end && now >= end)
		vbt_msg("stopped after %g s, as asked (-t)\n",
			s->opts.duration);
	else if (stop)
		vbt_msg("stopped by a signal\n");
	/*
	 * A last scan, so a request still stuck is in the summary; then
	 * whatever is still in the ring buffer was recorded: show it.
	 */
	vbt_audit_stop(&s->audit, "/sys");
	if (src->ops->tick)
		src->ops->tick(src, vbt_mono_now(), true);
	src->ops->poll(src, 0);
	check_lost(s, src);
	audit_report(s, src);
	flush_output(s);
	vbt_summary_print(&s->sum, sumf, &s->clock, vbt_mono_now(), true);
	print_kernel_counts(s, src, sumf);
	return ret;
}


int vbt_session_parse(struct vbt_session *s, int argc, char **argv,
		      const char *cmd, void (*usage)(const char *cmd))
{
	memset(s, 0, sizeof(*s));
	return vbt_opts_parse(argc, argv, &s->opts, cmd, usage);
}

static void close_record(struct vbt_session *s, int *ret)
{
	if (!s->record)
		return;
	if (fclose(s->record) && !s->write_error)
		s->write_error = errno;
	s->record = NULL;
	if (s->write_error) {
		vbt_msg("writing %s failed: %s\n",
			s->opts.output, strerror(s->write_error));
		*ret = VBT_EXIT_RUNTIME;
	}
}

int vbt_session_run(struct vbt_session *s,
		    const struct vbt_session_hooks *hooks)
{
	/* Reading maps later needs CAP_BPF; before 5.8, CAP_SYS_ADMIN. */
	static const int keep_bpf[] = { CAP_BPF, -1 };
	static const int keep_admin[] = { CAP_SYS_ADMIN, -1 };
	struct vbt_source_cfg cfg = { 0 };
	int ret;

	s->hooks = hooks;
	/* Before anything slow: a signal during set-up must not kill us. */
	install_signals(hooks);
	cfg.all = s->opts.all;
	cfg.verbose = s->opts.verbose;
	cfg.syscalls = true;
	cfg.sys_pids = (const uint32_t *)s->opts.pids;
	cfg.nsys_pids = s->opts.npids;
	cfg.stuck_ns = (uint64_t)(s->opts.stuck * 1e9);
	vbt_clock_init(&s->clock);
	s->fmt.clock = &s->clock;
	s->fmt.color = !s->opts.no_color && !s->opts.json &&
		       vbt_terminal_capable(STDOUT_FILENO) && !getenv("NO_COLOR");
	s->ndisks = vbt_disks_scan("/sys", &s->disks);
	if (s->ndisks < 0)
		s->ndisks = 0;
	vbt_enricher_init(&s->enrich, s->disks, s->ndisks, "/sys");
	ret = resolve_filters(s, &cfg);
	if (ret)
		goto out;
	if (hooks->configure)
		hooks->configure(s, &cfg);
	if (s->opts.output) {
		ret = open_record(s);
		if (ret)
			goto out;
	}
	ret = open_source(s, &cfg, &s->src);
	if (ret)
		goto out;
	/*
	 * Attached: what is left needs at most CAP_BPF, plus whatever the
	 * command still reads in /proc (started() runs before the drop).
	 */
	set_output_buffers(s);
	if (hooks->started) {
		ret = hooks->started(s);
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
	audit_start(s, s->src);
	vbt_msg("tracing %s on %s via %s (driver %s)",
		hooks->what, s->opts.ndisks ? "the chosen disks" : "all disks",
		s->src->how, s->src->driver);
	if (s->opts.duration)
		fprintf(stderr, " for %g s", s->opts.duration);
	fprintf(stderr, "; Ctrl-C to stop\n");
	if (s->src->blind[0])
		vbt_msg("cannot see: %s\n", s->src->blind);
	vbt_summary_init(&s->sum, vbt_mono_now());
	ret = run(s, s->src);
	if (hooks->finish)
		hooks->finish(s);
out_src:
	s->src->ops->close(s->src);
	s->src = NULL;
	close_record(s, &ret);
out:
	if (s->record)
		fclose(s->record);
	free(s->disks);
	vbt_audit_free(&s->audit);
	vbt_jw_free(&s->jw);
	return ret;
}
