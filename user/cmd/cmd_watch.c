// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace watch: the host view as a daemon that alerts.  Every failed
 * I/O of every QEMU process and host block device is counted in the
 * Prometheus metrics and goes through the alert policy (alert.c), whose
 * records go to the sinks: JSON Lines on stdout or --log FILE, syslog,
 * and --alert-exec.  The raw events are still available with -o FILE.
 *
 * Signals: SIGINT/SIGTERM stop (folded errors are reported, a final
 * "stopped" record and summary are written); SIGHUP reopens --log.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/socket.h>

#include "cmd/commands.h"
#include "cmd/host_view.h"
#include "decode/names.h"
#include "session.h"
#include "sink/alert.h"
#include "sink/alert_format.h"
#include "sink/metrics.h"
#include "sink/sink_exec.h"
#include "sink/sink_log.h"
#include "sink/sink_syslog.h"
#include "util/msg.h"
#include "cmd/sd_notify.h"

#define NS		1000000000ULL

struct watch_opts {
	const char *log;
	bool syslog;
	const char *exec;
	const char *exec_user;
	double exec_timeout;
	long exec_max;
	double interval;
	const char *metrics;
	const char *textfile;
	long max_series;
	double series_ttl;
};

struct watch {
	struct watch_opts o;
	struct vbt_session *s;
	struct vbt_host_view hv;
	struct vbt_alerts alerts;
	struct vbt_metrics *metrics;
	struct vbt_metrics_http *http;
	struct vbt_sink_log log;
	struct vbt_sink_exec *exec;
	uint64_t interval_ns;
	uint64_t lost;
	uint64_t next_expire, next_textfile, textfile_gen;
};


static void usage(const char *cmd)
{
	printf("Usage: vblktrace %s [OPTIONS]\n"
	       "The host view as an alerting daemon: every failed I/O of every QEMU\n"
	       "process and host block device is counted (Prometheus metrics) and\n"
	       "alerted: the first error of a (VM, drive, op, errno) at once, repeats\n"
	       "folded into one record per interval, recovery once.  Alert records are\n"
	       "JSON Lines on stdout, or in --log FILE.\n\n"
	       "  --log FILE            alert records to FILE (0600, appended; reopened on SIGHUP)\n"
	       "  --syslog              alert records to syslog too (facility daemon)\n"
	       "  --alert-exec CMD      run CMD per alert record, without a shell: CMD is split\n"
	       "                        on blanks ('...' \"...\" quote), fields in VBLKTRACE_*\n"
	       "  --alert-user USER     run CMD as USER (not root); CMD never has capabilities\n"
	       "  --alert-timeout SEC   time limit of one CMD run (default 10)\n"
	       "  --alert-max N         at most N CMD runs at once (default 4)\n"
	       "  --alert-interval SEC  fold repeats per SEC; recovered after SEC without\n"
	       "                        errors (default 60)\n"
	       "  --metrics ADDR:PORT   serve Prometheus metrics on /metrics (ADDR defaults to\n"
	       "                        127.0.0.1, also 'localhost'; the systemd unit uses\n"
	       "                        127.0.0.1:9877; :0 picks a free port)\n"
	       "  --textfile DIR        write DIR/vblktrace.prom for node_exporter, atomically\n"
	       "  --max-series N        cap of error and drive series (default %d)\n"
	       "  --series-ttl SEC      forget error series idle for SEC (default 86400)\n"
	       "  -d, --disk NAME       only this host disk (repeatable)\n"
	       "  -p, --pid PID         also watch this process as if it were QEMU\n"
	       "  -o, --output FILE     also record every event to FILE (JSON Lines, 0600)\n"
	       "  -t, --duration SEC    stop after SEC seconds\n"
	       "  -i, --interval SEC    print a summary to stderr every SEC seconds\n"
	       "      --stuck SEC       record host block requests in flight over SEC\n"
	       "                        seconds, and their end (default 5; 0: off)\n"
	       "  -v, --verbose         say more about probing and attaching\n\n"
	       "Signals: SIGTERM/SIGINT stop with a final summary; SIGHUP reopens --log.\n"
	       "Under systemd (Type=notify) it says READY=1 once attached.\n\n"
	       "Exit status: 0 ok, 1 runtime failure, 2 usage error,\n"
	       "3 missing privilege or kernel feature.\n",
	       cmd, VBT_METRICS_MAX_SERIES);
}

/* ------------------------------------------------------------------ */
/* Sinks */

static void on_exec_result(void *ctx, enum vbt_exec_result r)
{
	struct watch *w = ctx;

	if (w->metrics)
		vbt_metrics_exec(w->metrics, r);
}

static void on_alert(void *ctx, const struct vbt_alert *a)
{
	struct watch *w = ctx;
	struct json_object *o;

	if (w->metrics)
		vbt_metrics_alert(w->metrics, a->type);
	if (w->o.syslog)
		vbt_sink_syslog_alert(a, w->interval_ns);
	o = vbt_alert_json(a, &w->s->fmt, w->interval_ns);
	if (!o) {
		vbt_msg("out of memory for an alert record\n");
		return;
	}
	vbt_sink_log_write(&w->log, json_object_to_json_string_ext(o,
			   JSON_C_TO_STRING_PLAIN |
			   JSON_C_TO_STRING_NOSLASHESCAPE));
	if (w->exec)
		vbt_sink_exec_alert(w->exec, o);
	json_object_put(o);
}

static void count_error(struct watch *w, const struct vbt_event *ev,
			const char *dev, const char *op)
{
	struct vbt_io_labels l = { .v = {
		[VBT_IOL_SIDE] = ev->side == VBT_SIDE_HOST ? "host" : "guest",
		[VBT_IOL_VM] = ev->host.known ? ev->host.vm : "",
		[VBT_IOL_DRIVE] = ev->host.known ? ev->host.drive : "",
		[VBT_IOL_DEV] = dev,
		[VBT_IOL_OP] = op,
		[VBT_IOL_ERRNO] = vbt_errno_name(ev->err),
		[VBT_IOL_AIO] = ev->host.known ? ev->host.aio : "",
		[VBT_IOL_CACHE] = ev->host.known ? ev->host.cache : "",
	} };

	vbt_metrics_io_error(w->metrics, &l, 1, vbt_mono_now());
}

static void watch_sink(struct vbt_session *s, const struct vbt_event *ev)
{
	struct watch *w = s->priv;
	struct vbt_alert_key key;
	const char *dev;

	/*
	 * A VM paused, resumed or lost a drive, a request is stuck or its
	 * end: a record of its own (a stuck request that fails is counted
	 * and alerted by its block record).
	 */
	if (ev->kind == VBT_KIND_VM_STATE ||
	    ev->kind == VBT_KIND_BACKEND_REMOVED ||
	    ev->kind == VBT_KIND_STUCK) {
		char *json = vbt_format_json(ev, &s->fmt), line[512];

		if (w->metrics && ev->kind == VBT_KIND_STUCK &&
		    (ev->stuck.phase == VBT_STUCK_FOUND || ev->stuck.found_seq))
			vbt_metrics_stuck(w->metrics, ev->stuck.disk,
					  ev->stuck.phase == VBT_STUCK_FOUND);
		if (json)
			vbt_sink_log_write(&w->log, json);
		free(json);
		if (w->o.syslog) {
			vbt_format_text(ev, &s->fmt, line, sizeof(line));
			vbt_sink_syslog_line(LOG_WARNING, line);
		}
		return;
	}
	if (ev->kind == VBT_KIND_LOST) {
		w->lost += ev->lost;
		if (w->metrics)
			vbt_metrics_lost(w->metrics, ev->lost);
	} else if (!ev->err) {
		return;		/* -a shows successes; they are no alert */
	}
	dev = ev->kind == VBT_KIND_LOST ? "" : vbt_event_disk(ev);
	if (w->metrics && ev->kind != VBT_KIND_LOST)
		count_error(w, ev, dev, vbt_event_op_class(ev));
	vbt_alert_key_of(ev, dev, &key);
	vbt_alerts_feed(&w->alerts, &key, ev, vbt_mono_now());
}

/* ------------------------------------------------------------------ */
/* Session hooks */

static void watch_configure(struct vbt_session *s, struct vbt_source_cfg *cfg)
{
	struct watch *w = s->priv;

	vbt_host_view_configure(&w->hv, s, cfg);
}

static void write_textfile(struct watch *w)
{
	int ret = vbt_metrics_textfile_write(w->metrics, w->o.textfile);

	if (ret)
		vbt_msg("writing %s/vblktrace.prom: %s\n",
			w->o.textfile, strerror(-ret));
}

static int start_metrics(struct watch *w)
{
	char err[256];

	vbt_metrics_set_up(w->metrics, true);
	if (w->o.metrics) {
		if (vbt_metrics_http_start(w->metrics, w->o.metrics, &w->http,
					   err, sizeof(err))) {
			vbt_msg("%s\n", err);
			return VBT_EXIT_RUNTIME;
		}
		vbt_msg("metrics on http://%s/metrics\n",
			vbt_metrics_http_where(w->http));
	}
	if (w->o.textfile &&
	    vbt_metrics_textfile_write(w->metrics, w->o.textfile)) {
		write_textfile(w);
		return VBT_EXIT_RUNTIME;
	}
	return 0;
}

static int watch_started(struct vbt_session *s)
{
	static const int keep[] = { CAP_BPF, CAP_SYS_PTRACE,
				    CAP_DAC_READ_SEARCH, -1 };
	/* --alert-user: the children's setuid needs these two as well. */
	static const int keep_user[] = { CAP_BPF, CAP_SYS_PTRACE,
					 CAP_DAC_READ_SEARCH, CAP_SETUID,
					 CAP_SETGID, -1 };
	struct watch *w = s->priv;
	int ret;

	/* Binding a port and syslog's socket, before capabilities go. */
	vbt_sd_notify_init();
	if (w->metrics) {
		ret = start_metrics(w);
		if (ret)
			return ret;
	}
	if (w->o.syslog)
		vbt_sink_syslog_open();
	ret = vbt_host_view_started(&w->hv, s,
				    w->o.exec_user ? keep_user : keep);
	if (w->metrics)
		vbt_metrics_set_drives(w->metrics, w->hv.track.vms,
				       w->hv.track.nvms);
	/* Attached, sinks open: a Type=notify unit is up from here. */
	if (!ret)
		vbt_sd_notify("READY=1");
	return ret;
}

static bool watch_enrich(struct vbt_session *s, struct vbt_event *ev)
{
	struct watch *w = s->priv;

	return vbt_host_view_enrich(&w->hv, ev);
}

static void tick_metrics(struct watch *w, uint64_t now, bool rescanned)
{
	if (rescanned)
		vbt_metrics_set_drives(w->metrics, w->hv.track.vms,
				       w->hv.track.nvms);
	if (now >= w->next_expire) {
		vbt_metrics_expire(w->metrics, now,
				   (uint64_t)(w->o.series_ttl * NS));
		w->next_expire = now + 60 * NS;
	}
	if (w->o.textfile && now >= w->next_textfile &&
	    vbt_metrics_generation(w->metrics) != w->textfile_gen) {
		w->textfile_gen = vbt_metrics_generation(w->metrics);
		write_textfile(w);
		w->next_textfile = now + NS;
	}
}

static void watch_tick(struct vbt_session *s, uint64_t now)
{
	struct watch *w = s->priv;
	bool rescanned;

	rescanned = vbt_host_view_tick(&w->hv, now);
	vbt_alerts_tick(&w->alerts, now);
	if (w->exec)
		vbt_sink_exec_tick(w->exec, now);
	if (w->metrics)
		tick_metrics(w, now, rescanned);
}

static void final_record(struct watch *w, uint64_t now)
{
	struct json_object *o = json_object_new_object();
	char ts[48], line[256];

	if (!o)
		return;
	vbt_format_rfc3339(now + w->s->clock.mono_to_real_ns, ts, sizeof(ts));
	json_object_object_add(o, "v", json_object_new_int(1));
	json_object_object_add(o, "kind", json_object_new_string("stopped"));
	json_object_object_add(o, "ts", json_object_new_string(ts));
	json_object_object_add(o, "mono_ns", json_object_new_uint64(now));
	json_object_object_add(o, "side", json_object_new_string("host"));
	json_object_object_add(o, "alert", json_object_new_string("stopped"));
	json_object_object_add(o, "alert_events",
			       json_object_new_uint64(w->alerts.events));
	json_object_object_add(o, "lost", json_object_new_uint64(w->lost));
	/* A request that never ended is still in flight now. */
	json_object_object_add(o, "stuck",
			       json_object_new_uint64(w->s->sum.stuck));
	json_object_object_add(o, "stuck_in_flight",
			       json_object_new_uint64(w->s->sum.stuck -
						      w->s->sum.stuck_ended));
	for (int i = 0; i < VBT_ALERT_NTYPES; i++) {
		char k[32];

		snprintf(k, sizeof(k), "alerts_%s", vbt_alert_type_name(i));
		json_object_object_add(o, k,
				json_object_new_uint64(w->alerts.sent[i]));
	}
	vbt_sink_log_write(&w->log, json_object_to_json_string_ext(o,
			   JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (w->o.syslog) {
		snprintf(line, sizeof(line), "stopped: %llu failed I/Os, %llu "
			 "events lost, %llu alert records",
			 (unsigned long long)w->alerts.events,
			 (unsigned long long)w->lost,
			 (unsigned long long)(w->alerts.sent[0] +
			 w->alerts.sent[1] + w->alerts.sent[2]));
		vbt_sink_syslog_line(LOG_NOTICE, line);
	}
}

static void watch_finish(struct vbt_session *s)
{
	struct watch *w = s->priv;
	uint64_t now = vbt_mono_now();

	/* Still flushing alerts: systemd waits up to TimeoutStopSec. */
	vbt_sd_notify("STOPPING=1");
	/* Nothing folded is lost: report what waited for its interval. */
	vbt_alerts_flush(&w->alerts, now);
	if (w->exec)
		vbt_sink_exec_drain(w->exec, now + (uint64_t)(
				    (w->o.exec_timeout + 2) * NS));
	final_record(w, vbt_mono_now());
	if (w->metrics) {
		vbt_metrics_set_up(w->metrics, false);
		if (w->o.textfile)
			write_textfile(w);
	}
	vbt_host_view_finish(&w->hv);
}

/* SIGHUP: logrotate moved the log away; write to a new one. */
static void watch_hangup(struct vbt_session *s)
{
	struct watch *w = s->priv;

	if (!vbt_sink_log_reopen(&w->log) && w->log.path)
		vbt_msg("SIGHUP: reopened %s\n", w->log.path);
}

static const struct vbt_session_hooks watch_hooks = {
	.side = VBT_SIDE_HOST,
	.what = "failed QEMU I/O and host block requests (watch)",
	.configure = watch_configure,
	.started = watch_started,
	.enrich = watch_enrich,
	.tick = watch_tick,
	.finish = watch_finish,
	.sink = watch_sink,
	.hangup = watch_hangup,
	.no_stdout = true,	/* stdout is the alert stream */
};

/* ------------------------------------------------------------------ */
/* Options */

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "vblktrace watch: %s: '%s'\nTry 'vblktrace watch "
		"--help'.\n", what, arg ? arg : "");
	return VBT_EXIT_USAGE;
}

static int parse_one(struct watch_opts *o, const char *name, const char *v)
{
	long n;

	if (!strcmp(name, "log"))
		o->log = v;
	else if (!strcmp(name, "alert-exec"))
		o->exec = v;
	else if (!strcmp(name, "alert-user"))
		o->exec_user = v;
	else if (!strcmp(name, "metrics"))
		o->metrics = v;
	else if (!strcmp(name, "textfile"))
		o->textfile = v;
	else if (!strcmp(name, "alert-timeout")) {
		if (vbt_parse_seconds(v, &o->exec_timeout) || o->exec_timeout <= 0)
			return bad("bad --alert-timeout", v);
	} else if (!strcmp(name, "alert-interval")) {
		if (vbt_parse_seconds(v, &o->interval) || o->interval <= 0)
			return bad("bad --alert-interval", v);
	} else if (!strcmp(name, "series-ttl")) {
		if (vbt_parse_seconds(v, &o->series_ttl) || o->series_ttl <= 0)
			return bad("bad --series-ttl", v);
	} else if (!strcmp(name, "alert-max")) {
		if (vbt_parse_int(v, 1, 256, &n))
			return bad("bad --alert-max (1-256)", v);
		o->exec_max = n;
	} else if (!strcmp(name, "max-series")) {
		if (vbt_parse_int(v, 1, 1000000, &n))
			return bad("bad --max-series", v);
		o->max_series = n;
	}
	return 0;
}

/*
 * Take watch's own options out of argv; the rest are the common ones,
 * parsed by the session.  Returns the new argc or a negative exit status.
 */
static int split_opts(int argc, char **argv, struct watch_opts *o)
{
	static const char *const with_arg[] = {
		"log", "alert-exec", "alert-user", "alert-timeout", "alert-max",
		"alert-interval", "metrics", "textfile", "max-series",
		"series-ttl",
	};
	int n = 1, ret;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq;
		size_t len;
		bool found = false;

		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(a, "--syslog")) {
			o->syslog = true;
			continue;
		}
		if (strncmp(a, "--", 2)) {
			argv[n++] = argv[i];
			continue;
		}
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (size_t k = 0; k < sizeof(with_arg) / sizeof(*with_arg); k++) {
			if (strlen(with_arg[k]) != len ||
			    strncmp(a + 2, with_arg[k], len))
				continue;
			found = true;
			if (!eq && i + 1 >= argc)
				return -bad("option needs an argument", a);
			ret = parse_one(o, with_arg[k], eq ? eq + 1 : argv[++i]);
			if (ret)
				return -ret;
		}
		if (!found)
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return n;
}

/* ------------------------------------------------------------------ */

static int setup(struct watch *w, int out_fd)
{
	char err[256];

	struct sockaddr_storage ss;
	unsigned int sslen;

	w->interval_ns = (uint64_t)(w->o.interval * NS);
	if (w->o.metrics && vbt_metrics_parse_addr(w->o.metrics, &ss, &sslen))
		return bad("bad --metrics address (want ADDR:PORT, :PORT or "
			   "[ADDR6]:PORT)", w->o.metrics);
	if (vbt_sink_log_open(&w->log, w->o.log, out_fd, err, sizeof(err))) {
		vbt_msg("%s\n", err);
		return VBT_EXIT_RUNTIME;
	}
	if (vbt_alerts_init(&w->alerts, w->interval_ns, 0, on_alert, w))
		return VBT_EXIT_RUNTIME;
	if (w->o.metrics || w->o.textfile) {
		w->metrics = vbt_metrics_new(w->o.max_series);
		if (!w->metrics)
			return VBT_EXIT_RUNTIME;
	}
	if (w->o.exec && vbt_sink_exec_new(w->o.exec, w->o.exec_timeout,
					   w->o.exec_max, on_exec_result, w,
					   &w->exec, err, sizeof(err))) {
		return vbt_usage_error("--alert-exec: %s", err);
	}
	if (w->o.exec_user && !w->exec)
		return bad("--alert-user needs --alert-exec", w->o.exec_user);
	if (w->o.exec_user && vbt_sink_exec_set_user(w->exec, w->o.exec_user,
						     err, sizeof(err))) {
		fprintf(stderr, "vblktrace: --alert-user: %s\n", err);
		return VBT_EXIT_USAGE;
	}
	return 0;
}

static void teardown(struct watch *w)
{
	vbt_metrics_http_stop(w->http);
	vbt_sink_exec_free(w->exec);
	vbt_metrics_free(w->metrics);
	vbt_alerts_free(&w->alerts);
	vbt_sink_log_close(&w->log);
	if (w->o.syslog)
		vbt_sink_syslog_close();
}

int cmd_watch(int argc, char **argv)
{
	struct watch w = { .o = {
		.exec_timeout = 10, .exec_max = 4, .interval = 60,
		.series_ttl = 86400,
	} };
	struct vbt_session s;
	int ret, out_fd;

	ret = split_opts(argc, argv, &w.o);
	if (ret < 0)
		return -ret;
	ret = vbt_session_parse(&s, ret, argv, "watch", usage);
	if (ret)
		return ret < 0 ? VBT_EXIT_OK : ret;
	if (s.opts.side == VBT_SIDE_OPT_GUEST) {
		return vbt_usage_error("watch is the host view; the guest "
				       "view is 'vblktrace live'");
	}
	/* Alerts go to stdout unless --log names a file. */
	out_fd = STDOUT_FILENO;
	w.s = &s;
	s.priv = &w;
	ret = setup(&w, out_fd);
	if (!ret)
		ret = vbt_session_run(&s, &watch_hooks);
	teardown(&w);
	return ret;
}
