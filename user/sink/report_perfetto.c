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
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "decode/names.h"
#include "decode/recording.h"
#include "sink/report_render.h"

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
	struct json_object *arr;
	const struct vbt_trace_track *t;
	int n;
	struct placed *pl[2];
	struct lanes lanes[2];
	int64_t base, last;
	uint64_t flows;
	const struct vbt_correlation *c;
};

static int lane(struct lanes *l, const struct vbt_event *ev)
{
	char name[64];

	if (ev->kind == VBT_KIND_BLOCK)
		snprintf(name, sizeof(name), "%s", ev->blk.disk[0] ?
			 ev->blk.disk : "block");
	else if (ev->host.known && ev->host.drive[0])
		snprintf(name, sizeof(name), "%.30s/%.30s", ev->host.vm,
			 ev->host.drive);
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

static void put(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *event(const char *ph, int pid, int tid,
				 int64_t ns)
{
	struct json_object *o = json_object_new_object();

	put(o, "ph", json_object_new_string(ph));
	put(o, "pid", json_object_new_int(pid));
	put(o, "tid", json_object_new_int(tid));
	put(o, "ts", json_object_new_double(ns / 1000.0));
	return o;
}

static void meta(struct json_object *arr, const char *what, int pid, int tid,
		 const char *name)
{
	struct json_object *o = json_object_new_object();
	struct json_object *args = json_object_new_object();

	put(o, "ph", json_object_new_string("M"));
	put(o, "name", json_object_new_string(what));
	put(o, "pid", json_object_new_int(pid));
	put(o, "tid", json_object_new_int(tid));
	put(args, "name", json_object_new_string(name));
	put(o, "args", args);
	json_object_array_add(arr, o);
}

static void event_name(const struct vbt_event *ev, char *buf, size_t len)
{
	const char *e = ev->err ? vbt_errno_name(ev->err) : "ok";

	switch (ev->kind) {
	case VBT_KIND_BLOCK:
		snprintf(buf, len, "%s %s", vbt_op_name(ev->blk.op), e);
		break;
	case VBT_KIND_SYSCALL:
		snprintf(buf, len, "%s %s", vbt_sys_name(ev->sys.sys), e);
		break;
	case VBT_KIND_LOST:
		snprintf(buf, len, "lost %" PRIu64, ev->lost);
		break;
	default:
		snprintf(buf, len, "%s %s %s", vbt_kind_name(ev->kind),
			 vbt_async_op_name(ev->kind, ev->async.opcode), e);
	}
}

static struct json_object *args_of(const struct vbt_rec_event *re, bool dur)
{
	const struct vbt_event *ev = &re->ev;
	struct json_object *a = json_object_new_object();

	put(a, "seq", json_object_new_uint64(ev->seq));
	put(a, "comm", json_object_new_string(ev->comm));
	put(a, "pid", json_object_new_int64(ev->pid));
	put(a, "errno", json_object_new_int(ev->err));
	if (!dur)
		put(a, "duration", json_object_new_string("not recorded"));
	if (ev->kind == VBT_KIND_BLOCK) {
		put(a, "sector", json_object_new_uint64(ev->blk.sector));
		put(a, "nr_sectors", json_object_new_uint64(ev->blk.nr_sectors));
	} else if (ev->kind == VBT_KIND_SYSCALL) {
		put(a, "path", json_object_new_string(ev->sys.path));
		if (ev->sys.offset != UINT64_MAX)
			put(a, "offset", json_object_new_uint64(ev->sys.offset));
		put(a, "len", json_object_new_uint64(ev->sys.len));
		if (ev->sys.cause_seq)
			put(a, "cause", json_object_new_uint64(ev->sys.cause_seq));
	} else if (ev->kind != VBT_KIND_LOST) {
		put(a, "path", json_object_new_string(ev->async.path));
		put(a, "offset", json_object_new_uint64(ev->async.offset));
		put(a, "len", json_object_new_uint64(ev->async.len));
	}
	if (ev->host.known) {
		put(a, "vm", json_object_new_string(ev->host.vm));
		put(a, "drive", json_object_new_string(ev->host.drive));
	}
	return a;
}

/* A merge: a host drive's track also names the guest disk it serves. */
static void paired_name(const struct ctx *x, const struct vbt_event *ev,
			char *name, size_t len)
{
	for (int i = 0; x->c && ev->host.known && i < x->c->ndisks; i++) {
		const struct vbt_disk_pair *d = &x->c->disks[i];

		if (d->matched && !strcmp(d->vm, ev->host.vm) &&
		    !strcmp(d->drive, ev->host.drive) &&
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

	meta(x->arr, "process_name", t->pid, 0, t->name);
	for (size_t i = 0; i < t->rec->n; i++) {
		const struct vbt_rec_event *re = &t->rec->ev[i];
		const struct vbt_event *ev = &re->ev;
		int64_t end = sub(add(ns_of(re->real_ns), t->shift_ns), x->base);
		int64_t lat = ev->kind == VBT_KIND_BLOCK ?
			      ns_of(ev->blk.lat_ns) : 0;
		int n = l->n, tid = lane(l, ev) + 1;
		bool known = lat && lat <= end;
		int64_t dur = known ? lat : NO_DUR_NS;
		struct json_object *o;
		char name[96];

		if (l->n != n) {
			if (ti == 1)
				paired_name(x, ev, l->label[tid - 1],
					    sizeof(l->label[0]));
			meta(x->arr, "thread_name", t->pid, tid,
			     l->label[tid - 1]);
		}
		if (dur > end)
			dur = end > 0 ? end : 1;
		o = event("X", t->pid, tid, sub(end, dur));
		event_name(ev, name, sizeof(name));
		put(o, "name", json_object_new_string(name));
		put(o, "cat", json_object_new_string(vbt_kind_name(ev->kind)));
		put(o, "dur", json_object_new_double(dur / 1000.0));
		put(o, "args", args_of(re, known));
		json_object_array_add(x->arr, o);
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
	struct json_object *s, *f, *args;
	char from[40], to[40];

	/*
	 * Inside each slice, as early in the cause and as late in the
	 * effect as binding allows: the arrow points forward in time.
	 */
	s = event("s", x->t[ta].pid, pa->tid, add(pa->start, ea > 1 ? 1 : ea));
	f = event("f", x->t[tb].pid, pb->tid, sub(pb->end, eb > 1 ? 1 : eb));
	snprintf(from, sizeof(from), "%s:%" PRIu64, x->t[ta].name,
		 x->t[ta].rec->ev[a].ev.seq);
	snprintf(to, sizeof(to), "%s:%" PRIu64, x->t[tb].name,
		 x->t[tb].rec->ev[b].ev.seq);
	x->flows++;
	for (int k = 0; k < 2; k++) {
		struct json_object *o = k ? f : s;

		put(o, "name", json_object_new_string("caused"));
		put(o, "cat", json_object_new_string("cause"));
		put(o, "id", json_object_new_uint64(x->flows));
		args = json_object_new_object();
		put(args, "from", json_object_new_string(from));
		put(args, "to", json_object_new_string(to));
		put(o, "args", args);
	}
	put(f, "bp", json_object_new_string("e"));
	json_object_array_add(x->arr, s);
	json_object_array_add(x->arr, f);
}

static void flows(struct ctx *x, const struct vbt_correlation *c)
{
	for (int ti = 0; ti < x->n; ti++) {
		const struct vbt_recording *rec = x->t[ti].rec;

		for (size_t i = 0; i < rec->n; i++) {
			const struct vbt_event *ev = &rec->ev[i].ev;
			long k;

			if (ev->kind != VBT_KIND_SYSCALL || !ev->sys.cause_seq)
				continue;
			k = vbt_rec_index(rec, ev->sys.cause_seq);
			if (k >= 0)
				flow(x, ti, k, ti, i);
		}
	}
	for (size_t i = 0; c && x->n == 2 && i < c->njoins; i++) {
		const struct vbt_join *j = &c->joins[i];
		long h = j->host >= 0 ? j->host : j->host_block;

		if (h >= 0 && (size_t)h < x->t[1].rec->n &&
		    x->t[0].rec->ev[j->guest].ev.kind == VBT_KIND_BLOCK)
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
		const struct vbt_recording *rec = x->t[ti].rec;

		memset(bins, 0, MAX_LANES * RATE_BINS * sizeof(*bins));
		for (size_t i = 0; i < rec->n; i++) {
			const struct vbt_event *ev = &rec->ev[i].ev;
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
				struct json_object *o, *args;

				if (v == prev)
					continue;
				prev = v;
				/* b * w < 60 * (last / 60 + 1): no overflow */
				o = event("C", x->t[ti].pid, 0,
					  b == RATE_BINS ? x->last : b * w);
				put(o, "name", json_object_new_string(name));
				args = json_object_new_object();
				put(args, "failures/s", json_object_new_double(v));
				put(o, "args", args);
				json_object_array_add(x->arr, o);
			}
		}
	}
	free(bins);
}

/* Start and end of an event as track() draws it, before the shift. */
static void extent(const struct vbt_rec_event *re, int64_t *s, int64_t *e)
{
	uint64_t lat = re->ev.kind == VBT_KIND_BLOCK ? re->ev.blk.lat_ns : 0;

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
		    t[0].rec->ev[j->guest].ev.kind != VBT_KIND_BLOCK)
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
	struct ctx x = { .t = t, .n = n > 2 ? 2 : n, .base = INT64_MAX, .c = c };
	struct json_object *o, *args;
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
			const struct vbt_rec_event *re = &t[i].rec->ev[k];
			int64_t s = add(ns_of(re->real_ns), t[i].shift_ns);

			s = sub(s, re->ev.kind == VBT_KIND_BLOCK &&
				re->ev.blk.lat_ns ? ns_of(re->ev.blk.lat_ns) :
				NO_DUR_NS);
			if (s < x.base)
				x.base = s;
		}
		x.pl[i] = calloc(t[i].rec->n + 1, sizeof(*x.pl[i]));
		if (!x.pl[i])
			goto out;
	}
	if (x.base == INT64_MAX)
		x.base = 0;
	o = json_object_new_object();
	x.arr = json_object_new_array();
	for (int i = 0; i < x.n; i++)
		track(&x, i);
	if (c && x.n == 2) {
		char label[160];

		snprintf(label, sizeof(label), "clock: host shifted by %" PRId64
			 " ns (estimated offset %+" PRId64 " ns, moved %+" PRId64
			 " ns to keep host failures inside their guest "
			 "requests)", t[1].shift_ns, c->clock_offset_ns, nudge);
		meta(x.arr, "process_labels", t[1].pid, 0, label);
		/* Chrome reads a process's labels from args.labels */
		args = json_object_object_get(json_object_array_get_idx(x.arr,
				json_object_array_length(x.arr) - 1), "args");
		json_object_object_add(args, "labels",
				       json_object_new_string(label));
		json_object_object_del(args, "name");
	}
	flows(&x, c);
	counters(&x);
	put(o, "traceEvents", x.arr);
	put(o, "displayTimeUnit", json_object_new_string("ms"));
	fprintf(f, "%s\n", json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	ret = ferror(f) ? -1 : 0;
out:
	free(x.pl[0]);
	free(x.pl[1]);
	return ret;
}
