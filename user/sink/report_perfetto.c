// SPDX-License-Identifier: GPL-2.0
/*
 * Chrome trace-event JSON, which ui.perfetto.dev and chrome://tracing open:
 * one process track per side (guest, host), one thread track per disk, VM
 * drive or kind inside it.  Block requests with a latency are slices ("X")
 * from issue to completion; an event whose duration was not recorded is a
 * 1 us slice ending when it returned, so that flow arrows can bind to it.
 *
 * Flow arrows ("s" -> "f", bound to the enclosing slices) follow each
 * error from its cause to what it caused, as the recordings link them: a
 * host block failure -> the host syscall it surfaced as -> (merge) the
 * guest request QEMU failed -> the guest syscall.  Trace viewers bind
 * flows in time order, so arrows point forward in time, cause to effect.
 * A counter per track ("C") gives the failure rate over time.
 *
 * Times are microseconds from the earliest event of all tracks, after
 * each track's clock shift.  In a merge the host's shift is the estimated
 * clock offset, which is a median and so puts about half of the host
 * failures a few microseconds after the guest completion they caused; the
 * shift is moved, by the least amount, into the interval where every
 * joined host failure lies inside its guest request (after the guest
 * issued it, before the guest saw it fail), and a process label says by
 * how much.
 *
 * A merge draws a million events a side: they are read from the compact
 * recordings (decode/compact.h), and each trace event is printed as soon
 * as it is made (util/json_writer.h: json-c's bytes without its tree),
 * never held as one tree of every event.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/compact.h"
#include "decode/names.h"
#include "sink/report_render.h"
#include "util/json_writer.h"

#define MAX_LANES 128
#define NO_DUR_NS 1000			/* width of an event without duration */
#define RATE_BINS 60
/*
 * Times from a recording are hostile (a year 9999 timestamp, a latency of
 * 2^64 - 1 ns): they are taken as int64 (saturated) and every sum and
 * difference saturates instead of overflowing.
 */
static int64_t ns_of(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

static int64_t add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static int64_t sub(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

struct lanes {
	char name[MAX_LANES][64];	/* what events are sorted by */
	char label[MAX_LANES][96];	/* what the track is called */
	int n;
};

/* Where each event of a track was put, for flows and counters. */
struct placed {
	int tid;
	int64_t start, end;		/* ns from the trace's base */
};

struct ctx {
	FILE *f;
	uint64_t nout;			/* trace events printed */
	struct vbt_jw w, a;		/* a trace event, and its args */
	bool oom;
	uint32_t *by_seq[2];		/* vbt_crec_index() of each track */
	const struct vbt_trace_track *t;
	int n;
	struct placed *pl[2];
	struct lanes lanes[2];
	int64_t base, last;
	uint64_t flows;
	const struct vbt_correlation *c;
};

static int lane(struct lanes *l, const struct vbt_crec *c,
		const struct vbt_cev *ev)
{
	const struct vbt_chost *h = vbt_crec_host(c, ev);
	char name[64];

	if (ev->kind == VBT_KIND_BLOCK)
		snprintf(name, sizeof(name), "%s", ev->disk ?
			 vbt_crec_str(c, ev->disk) : "block");
	else if (h && h->drive)
		snprintf(name, sizeof(name), "%.30s/%.30s",
			 vbt_crec_str(c, h->vm), vbt_crec_str(c, h->drive));
	else
		snprintf(name, sizeof(name), "%s", vbt_kind_name(ev->kind));
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return i;
	if (l->n == MAX_LANES)
		return MAX_LANES - 1;
	snprintf(l->name[l->n], sizeof(l->name[0]), "%s", name);
	snprintf(l->label[l->n], sizeof(l->label[0]), "%s", name);
	return l->n++;
}

/* Print the trace event in x->w as the next element of traceEvents. */
static void emit(struct ctx *x)
{
	size_t len;
	const char *o = vbt_jw_close(&x->w, &len);

	if (!o) {
		x->oom = true;
		return;
	}
	if (x->nout++)
		fputc(',', x->f);
	fwrite(o, 1, len, x->f);
}

/* The args object in x->a, as the last member of the event in x->w. */
static void put_args(struct ctx *x)
{
	size_t len;
	const char *o = vbt_jw_close(&x->a, &len);

	if (!o) {
		x->oom = true;
		return;
	}
	vbt_jw_raw(&x->w, "args", o, len);
}

/* A trace event begun in x->w: what every one starts with. */
static void event(struct ctx *x, const char *ph, int pid, int tid, int64_t ns)
{
	vbt_jw_begin(&x->w);
	vbt_jw_str(&x->w, "ph", ph);
	vbt_jw_int(&x->w, "pid", pid);
	vbt_jw_int(&x->w, "tid", tid);
	vbt_jw_double(&x->w, "ts", ns / 1000.0);
}

/* A metadata event; its args hold @name under @key. */
static void meta(struct ctx *x, const char *what, int pid, int tid,
		 const char *key, const char *name)
{
	vbt_jw_begin(&x->w);
	vbt_jw_str(&x->w, "ph", "M");
	vbt_jw_str(&x->w, "name", what);
	vbt_jw_int(&x->w, "pid", pid);
	vbt_jw_int(&x->w, "tid", tid);
	vbt_jw_begin(&x->a);
	vbt_jw_str(&x->a, key, name);
	put_args(x);
	emit(x);
}

static void event_name(const struct vbt_cev *ev, char *buf, size_t len)
{
	const char *e = ev->err ? vbt_errno_name(ev->err) : "ok";

	switch (ev->kind) {
	case VBT_KIND_BLOCK:
		snprintf(buf, len, "%s %s", vbt_op_name(ev->op), e);
		break;
	case VBT_KIND_SYSCALL:
		snprintf(buf, len, "%s %s", vbt_sys_name(ev->op), e);
		break;
	case VBT_KIND_LOST:
		snprintf(buf, len, "lost %" PRIu64, ev->len);
		break;
	default:
		snprintf(buf, len, "%s %s %s", vbt_kind_name(ev->kind),
			 vbt_async_op_name(ev->kind, ev->op), e);
	}
}

/*
 * Kinds other than these (bio, stuck, SCSI, VM state) have no path,
 * offset or length: they show as "", 0 and 0, as the keys always were
 * there (the full event's union gave other fields' bytes there).
 */
static void args_of(struct ctx *x, const struct vbt_crec *c,
		    const struct vbt_cev *ev, bool dur)
{
	const struct vbt_chost *h = vbt_crec_host(c, ev);
	struct vbt_jw *a = &x->a;

	vbt_jw_begin(a);
	vbt_jw_u64(a, "seq", ev->seq);
	vbt_jw_str(a, "comm", vbt_crec_str(c, ev->comm));
	vbt_jw_int(a, "pid", ev->pid);
	vbt_jw_int(a, "errno", ev->err);
	if (!dur)
		vbt_jw_str(a, "duration", "not recorded");
	if (ev->kind == VBT_KIND_BLOCK) {
		vbt_jw_u64(a, "sector", ev->off);
		vbt_jw_u64(a, "nr_sectors", ev->nr_sectors);
	} else if (ev->kind == VBT_KIND_SYSCALL) {
		vbt_jw_str(a, "path", vbt_crec_str(c, ev->path));
		if (ev->off != UINT64_MAX)
			vbt_jw_u64(a, "offset", ev->off);
		vbt_jw_u64(a, "len", ev->len);
		if (ev->cause_seq)
			vbt_jw_u64(a, "cause", ev->cause_seq);
	} else if (ev->kind != VBT_KIND_LOST) {
		vbt_jw_str(a, "path", vbt_crec_str(c, ev->path));
		vbt_jw_u64(a, "offset", ev->off);
		/* the async record's len is 32 bits */
		vbt_jw_u64(a, "len", (uint32_t)ev->len);
	}
	if (h) {
		vbt_jw_str(a, "vm", vbt_crec_str(c, h->vm));
		vbt_jw_str(a, "drive", vbt_crec_str(c, h->drive));
	}
	put_args(x);
}

/* A merge: a host drive's track also names the guest disk it serves. */
static void paired_name(const struct ctx *x, const struct vbt_crec *rec,
			const struct vbt_cev *ev, char *name, size_t len)
{
	const struct vbt_chost *h = vbt_crec_host(rec, ev);

	for (int i = 0; x->c && h && i < x->c->ndisks; i++) {
		const struct vbt_disk_pair *d = &x->c->disks[i];

		if (d->matched && !strcmp(d->vm, vbt_crec_str(rec, h->vm)) &&
		    !strcmp(d->drive, vbt_crec_str(rec, h->drive)) &&
		    strlen(name) + strlen(d->guest) + 12 < len) {
			strcat(name, " (guest ");
			strcat(name, d->guest);
			strcat(name, ")");
			return;
		}
	}
}

static void track(struct ctx *x, int ti)
{
	const struct vbt_trace_track *t = &x->t[ti];
	struct lanes *l = &x->lanes[ti];

	meta(x, "process_name", t->pid, 0, "name", t->name);
	for (size_t i = 0; i < t->rec->n; i++) {
		const struct vbt_cev *ev = &t->rec->ev[i];
		int64_t end = sub(add(ns_of(ev->real_ns), t->shift_ns), x->base);
		int64_t lat = ev->kind == VBT_KIND_BLOCK ?
			      ns_of(ev->lat_ns) : 0;
		int n = l->n, tid = lane(l, t->rec, ev) + 1;
		bool known = lat && lat <= end;
		int64_t dur = known ? lat : NO_DUR_NS;
		char name[96];

		if (l->n != n) {
			if (ti == 1)
				paired_name(x, t->rec, ev, l->label[tid - 1],
					    sizeof(l->label[0]));
			meta(x, "thread_name", t->pid, tid, "name",
			     l->label[tid - 1]);
		}
		if (dur > end)
			dur = end > 0 ? end : 1;
		event(x, "X", t->pid, tid, sub(end, dur));
		event_name(ev, name, sizeof(name));
		vbt_jw_str(&x->w, "name", name);
		vbt_jw_str(&x->w, "cat", vbt_kind_name(ev->kind));
		vbt_jw_double(&x->w, "dur", dur / 1000.0);
		args_of(x, t->rec, ev, known);
		emit(x);
		x->pl[ti][i] = (struct placed){ tid, sub(end, dur), end };
		if (end > x->last)
			x->last = end;
	}
}

/* One arrow from event @a of track @ta (the cause) to @b of @tb. */
static void flow(struct ctx *x, int ta, size_t a, int tb, size_t b)
{
	const struct placed *pa = &x->pl[ta][a], *pb = &x->pl[tb][b];
	int64_t ea = sub(pa->end, pa->start) / 4;
	int64_t eb = sub(pb->end, pb->start) / 4;
	char from[40], to[40];

	snprintf(from, sizeof(from), "%s:%" PRIu64, x->t[ta].name,
		 x->t[ta].rec->ev[a].seq);
	snprintf(to, sizeof(to), "%s:%" PRIu64, x->t[tb].name,
		 x->t[tb].rec->ev[b].seq);
	x->flows++;
	/*
	 * Inside each slice, as early in the cause and as late in the
	 * effect as binding allows: the arrow points forward in time.
	 */
	for (int k = 0; k < 2; k++) {
		if (k)
			event(x, "f", x->t[tb].pid, pb->tid,
			      sub(pb->end, eb > 1 ? 1 : eb));
		else
			event(x, "s", x->t[ta].pid, pa->tid,
			      add(pa->start, ea > 1 ? 1 : ea));
		vbt_jw_str(&x->w, "name", "caused");
		vbt_jw_str(&x->w, "cat", "cause");
		vbt_jw_u64(&x->w, "id", x->flows);
		vbt_jw_begin(&x->a);
		vbt_jw_str(&x->a, "from", from);
		vbt_jw_str(&x->a, "to", to);
		put_args(x);
		if (k)
			vbt_jw_str(&x->w, "bp", "e");
		emit(x);
	}
}

static void flows(struct ctx *x, const struct vbt_correlation *c)
{
	for (int ti = 0; ti < x->n; ti++) {
		const struct vbt_crec *rec = x->t[ti].rec;

		for (size_t i = 0; i < rec->n; i++) {
			const struct vbt_cev *ev = &rec->ev[i];
			long k;

			if (ev->kind != VBT_KIND_SYSCALL || !ev->cause_seq)
				continue;
			k = vbt_crec_index(rec, &x->by_seq[ti], ev->cause_seq);
			if (k >= 0)
				flow(x, ti, k, ti, i);
		}
	}
	for (size_t i = 0; c && x->n == 2 && i < c->njoins; i++) {
		const struct vbt_join *j = &c->joins[i];
		long h = j->host >= 0 ? j->host : j->host_block;

		if (h >= 0 && (size_t)h < x->t[1].rec->n &&
		    x->t[0].rec->ev[j->guest].kind == VBT_KIND_BLOCK)
			flow(x, 1, h, 0, j->guest);
	}
}

/* Failures per second of each lane, in RATE_BINS steps over the trace. */
static void counters(struct ctx *x)
{
	int64_t w = x->last / RATE_BINS + 1;
	uint32_t *bins = calloc(MAX_LANES * RATE_BINS, sizeof(*bins));

	if (!bins)
		return;
	for (int ti = 0; ti < x->n; ti++) {
		const struct vbt_crec *rec = x->t[ti].rec;

		memset(bins, 0, MAX_LANES * RATE_BINS * sizeof(*bins));
		for (size_t i = 0; i < rec->n; i++) {
			const struct vbt_cev *ev = &rec->ev[i];
			int64_t b = x->pl[ti][i].end / w;

			if (!ev->err || ev->kind == VBT_KIND_LOST)
				continue;
			b = b < 0 ? 0 : b >= RATE_BINS ? RATE_BINS - 1 : b;
			bins[(x->pl[ti][i].tid - 1) * RATE_BINS + b]++;
		}
		for (int l = 0; l < x->lanes[ti].n; l++) {
			char name[96];
			double prev = -1;

			snprintf(name, sizeof(name), "failures/s %s",
				 x->lanes[ti].label[l]);
			for (int b = 0; b <= RATE_BINS; b++) {
				double v = b == RATE_BINS ? 0 :
					bins[l * RATE_BINS + b] * 1e9 / w;
				if (v == prev)
					continue;
				prev = v;
				/* b * w < 60 * (last / 60 + 1): no overflow */
				event(x, "C", x->t[ti].pid, 0,
				      b == RATE_BINS ? x->last : b * w);
				vbt_jw_str(&x->w, "name", name);
				vbt_jw_begin(&x->a);
				vbt_jw_double(&x->a, "failures/s", v);
				put_args(x);
				emit(x);
			}
		}
	}
	free(bins);
}

/* Start and end of an event as track() draws it, before the shift. */
static void extent(const struct vbt_cev *re, int64_t *s, int64_t *e)
{
	uint64_t lat = re->kind == VBT_KIND_BLOCK ? re->lat_ns : 0;

	*e = ns_of(re->real_ns);
	*s = sub(*e, lat && lat <= re->real_ns ? ns_of(lat) : NO_DUR_NS);
}

/* The host shift nearest @t[1].shift_ns that keeps every join causal. */
static int64_t causal_shift(const struct vbt_trace_track *t,
			    const struct vbt_correlation *c)
{
	int64_t lo = INT64_MIN, hi = INT64_MAX, sh = t[1].shift_ns;

	for (size_t i = 0; i < c->njoins; i++) {
		const struct vbt_join *j = &c->joins[i];
		long h = j->host >= 0 ? j->host : j->host_block;
		int64_t gs, ge, hs, he;

		if (h < 0 || (size_t)h >= t[1].rec->n ||
		    t[0].rec->ev[j->guest].kind != VBT_KIND_BLOCK)
			continue;
		extent(&t[0].rec->ev[j->guest], &gs, &ge);
		extent(&t[1].rec->ev[h], &hs, &he);
		gs = add(gs, t[0].shift_ns);
		ge = add(ge, t[0].shift_ns);
		/* host start before guest end, host end after guest start */
		if (sub(sub(ge, hs), 2) < hi)
			hi = sub(sub(ge, hs), 2);
		if (add(sub(gs, he), 2) > lo)
			lo = add(sub(gs, he), 2);
	}
	if (lo > hi)
		return sh;	/* no shift satisfies all: keep the estimate */
	return sh < lo ? lo : sh > hi ? hi : sh;
}

int vbt_report_perfetto(const struct vbt_trace_track *tracks, int n,
			const struct vbt_correlation *c, FILE *f)
{
	struct vbt_trace_track t[2];
	struct ctx x = { .t = t, .n = n > 2 ? 2 : n, .base = INT64_MAX, .c = c,
			 .f = f };
	int64_t nudge = 0;
	int ret = -1;

	memcpy(t, tracks, x.n * sizeof(*t));
	if (c && x.n == 2) {
		int64_t sh = causal_shift(t, c);

		nudge = sub(sh, t[1].shift_ns);
		t[1].shift_ns = sh;
	}

	for (int i = 0; i < x.n; i++) {
		for (size_t k = 0; k < t[i].rec->n; k++) {
			const struct vbt_cev *re = &t[i].rec->ev[k];
			int64_t s = add(ns_of(re->real_ns), t[i].shift_ns);

			s = sub(s, re->kind == VBT_KIND_BLOCK && re->lat_ns ?
				ns_of(re->lat_ns) : NO_DUR_NS);
			if (s < x.base)
				x.base = s;
		}
		x.pl[i] = calloc(t[i].rec->n + 1, sizeof(*x.pl[i]));
		if (!x.pl[i])
			goto out;
	}
	if (x.base == INT64_MAX)
		x.base = 0;
	/* {"traceEvents":[...],"displayTimeUnit":"ms"}, as json-c prints it */
	fputs("{\"traceEvents\":[", f);
	for (int i = 0; i < x.n; i++)
		track(&x, i);
	if (c && x.n == 2) {
		char label[160];

		snprintf(label, sizeof(label), "clock: host shifted by %" PRId64
			 " ns (estimated offset %+" PRId64 " ns, moved %+" PRId64
			 " ns to keep host failures inside their guest "
			 "requests)", t[1].shift_ns, c->clock_offset_ns, nudge);
		/* Chrome reads a process's labels from args.labels */
		meta(&x, "process_labels", t[1].pid, 0, "labels", label);
	}
	flows(&x, c);
	counters(&x);
	fputs("],\"displayTimeUnit\":\"ms\"}\n", f);
	ret = ferror(f) || x.oom ? -1 : 0;
out:
	vbt_jw_free(&x.w);
	vbt_jw_free(&x.a);
	free(x.pl[0]);
	free(x.pl[1]);
	free(x.by_seq[0]);
	free(x.by_seq[1]);
	return ret;
}
