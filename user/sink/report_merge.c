// SPDX-License-Identifier: GPL-2.0
/* Rendering a guest/host correlation (vblktrace merge): text and JSON. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/clock.h"
#include "decode/names.h"
#include "sink/format.h"
#include "sink/report_merge.h"
#include "util/json_writer.h"
#include "util/text_safe.h"

static void guest_what(const struct vbt_crec *g, const struct vbt_cev *ev,
		       char *buf, size_t len)
{
	if (ev->kind == VBT_KIND_BLOCK)
		snprintf(buf, len, "%s %s %" PRIu64 "+%u %s",
			 vbt_ts(vbt_crec_str(g, ev->disk)),
			 vbt_op_name(ev->op), ev->off,
			 ev->nr_sectors, vbt_errno_name(ev->err));
	else if (ev->kind == VBT_KIND_SYSCALL)
		snprintf(buf, len, "%s[%u] %s(%.100s) = -%s",
			 vbt_ts(vbt_crec_str(g, ev->comm)), ev->pid,
			 vbt_sys_name(ev->op), vbt_ts(vbt_crec_str(g, ev->path)),
			 vbt_errno_name(ev->err));
	else
		snprintf(buf, len, "%s %s", vbt_kind_name(ev->kind),
			 vbt_errno_name(ev->err));
}

/*
 * The compact events the joins index (cmd_merge opens them so); made here
 * from a full recording otherwise.
 */
static const struct vbt_crec *compact(const struct vbt_input *in,
				      struct vbt_crec *tmp)
{
	memset(tmp, 0, sizeof(*tmp));
	if (in->crec.n || !in->rec.n)
		return &in->crec;
	return vbt_crec_from_rec(tmp, &in->rec) ? NULL : tmp;
}

static void signed_duration(int64_t ns, char *buf, size_t len)
{
	char d[32];

	vbt_format_duration(ns < 0 ? -(uint64_t)ns : (uint64_t)ns, d, sizeof(d));
	snprintf(buf, len, "%s%s", ns < 0 ? "-" : "+", d);
}

int vbt_merge_text(const struct vbt_merge_view *v, FILE *f)
{
	const struct vbt_correlation *c = v->c;
	char off[40], spread[32], t[32], what[200];
	struct vbt_crec tmp;
	const struct vbt_crec *g = compact(v->g, &tmp);

	if (!g)
		return -1;

	fprintf(f, "vblktrace merge: guest %s + host %s\n",
		vbt_ts(v->guest_name), vbt_ts(v->host_name));
	fprintf(f, "VM: %s\n\nDisks:\n", c->vm[0] ? vbt_ts(c->vm) : "(none paired)");
	for (int i = 0; i < c->ndisks; i++) {
		const struct vbt_disk_pair *p = &c->disks[i];

		if (!p->matched) {
			fprintf(f, "  %-6s not paired with a host drive%s\n",
				vbt_ts(p->guest), p->virtio ? "" : " (not virtio)");
			continue;
		}
		fprintf(f, "  %-6s <-> %s (by %s): %s, %s", vbt_ts(p->guest),
			vbt_ts(p->drive), vbt_ts(p->by),
			p->image[0] ? vbt_ts(p->image) : "?",
			p->format[0] ? vbt_ts(p->format) : "format unknown");
		if (p->mappable)
			fprintf(f, ", host offset = sector * 512%s\n",
				p->image_offset > 0 ? " + image offset" : "");
		else
			fprintf(f, ": format %s does not allow mapping sectors "
				"to host offsets; joined by time and op only\n",
				p->format[0] ? vbt_ts(p->format) : "unknown");
	}
	signed_duration(c->clock_offset_ns, off, sizeof(off));
	vbt_format_duration(c->clock_spread_ns, spread, sizeof(spread));
	fprintf(f, "\nClock: host wall clock %s relative to the guest's (%s; "
		"spread %s)\n", off, vbt_ts(c->clock_how), spread);
	fprintf(f, "\nGuest errors (%zu):\n", c->njoins);
	for (size_t i = 0; i < c->njoins; i++) {
		const struct vbt_join *j = &c->joins[i];
		const struct vbt_cev *ge = &g->ev[j->guest];

		vbt_report_time(ge->real_ns, t, sizeof(t));
		guest_what(g, ge, what, sizeof(what));
		fprintf(f, "  %s %-44s %s%s", t, what, vbt_origin_name(j->origin),
			j->host_err ? " " : "");
		if (j->host_err)
			fprintf(f, "%s", vbt_errno_name(j->host_err));
		if (j->low_confidence)
			fprintf(f, " (low confidence)");
		fprintf(f, "\n      %s\n", vbt_ts(j->why));
	}
	fprintf(f, "\nOrigins:");
	for (int o = 1; o < VBT_ORIGIN_MAX; o++)
		fprintf(f, " %s %zu,", vbt_origin_name(o), c->counts[o]);
	fprintf(f, " unknown %zu\n", c->counts[VBT_ORIGIN_UNKNOWN]);
	vbt_crec_free(&tmp);
	return ferror(f) ? -1 : 0;
}

/* RFC 3339 times, the date and clock formatted once per second. */
struct tsfmt {
	uint64_t sec;
	bool valid;
	char day[48];			/* "2026-11-22T04:00:00" */
	size_t daylen;
};

static const char *ts(struct tsfmt *t, uint64_t ns, char *buf)
{
	uint64_t sec = ns / 1000000000ULL, frac = ns % 1000000000ULL;
	char *p;

	if (!t->valid || t->sec != sec) {
		char *dot;

		vbt_format_rfc3339(sec * 1000000000ULL, t->day, sizeof(t->day));
		dot = strchr(t->day, '.');
		t->daylen = dot ? (size_t)(dot - t->day) : 0;
		t->sec = sec;
		t->valid = true;
	}
	if (!t->daylen) {	/* not a time gmtime knows: as it formats it */
		vbt_format_rfc3339(ns, buf, 48);
		return buf;
	}
	memcpy(buf, t->day, t->daylen);
	p = buf + t->daylen;
	*p++ = '.';
	for (int i = 8; i >= 0; i--, frac /= 10)
		p[i] = '0' + frac % 10;
	memcpy(p + 9, "Z", 2);
	return buf;
}

/* "" is written as null, as json-c's tree had it (no value added). */
static const char *str(const char *s)
{
	return s && s[0] ? s : NULL;
}

static void disk_json(struct vbt_jpw *w, const struct vbt_disk_pair *p)
{
	vbt_jpw_obj(w, NULL);
	vbt_jpw_str(w, "guest", p->guest);
	vbt_jpw_str(w, "serial", str(p->serial));
	vbt_jpw_bool(w, "matched", p->matched);
	if (p->matched) {
		vbt_jpw_str(w, "by", str(p->by));
		vbt_jpw_str(w, "vm", str(p->vm));
		vbt_jpw_str(w, "drive", str(p->drive));
		vbt_jpw_str(w, "node", str(p->node));
		vbt_jpw_str(w, "image", str(p->image));
		vbt_jpw_str(w, "format", str(p->format));
		vbt_jpw_str(w, "aio", str(p->aio));
		vbt_jpw_str(w, "filters", str(p->filters));
		vbt_jpw_str(w, "host_devices", str(p->host_devs));
		vbt_jpw_str(w, "offset_mapping", p->mappable ?
			    "raw: host offset = sector * 512 + image offset" :
			    "none: the image format does not allow it");
		if (p->image_offset >= 0)
			vbt_jpw_int(w, "image_offset", p->image_offset);
		else
			vbt_jpw_str(w, "image_offset", NULL);
	}
	vbt_jpw_end(w);
}

struct jctx {
	struct vbt_jpw w;
	const struct vbt_crec *g, *h;
	struct tsfmt tg, th, thg;	/* guest, host, host on guest time */
};

static void host_json(struct jctx *x, const char *key, const struct vbt_cev *ev,
		      int64_t shift)
{
	struct vbt_jpw *w = &x->w;
	const struct vbt_crec *h = x->h;
	const struct vbt_chost *hi = vbt_crec_host(h, ev);
	char t[48];

	vbt_jpw_obj(w, key);
	vbt_jpw_u64(w, "seq", ev->seq);
	vbt_jpw_str(w, "ts", ts(&x->th, ev->real_ns, t));
	vbt_jpw_str(w, "ts_guest_clock", ts(&x->thg, ev->real_ns - shift, t));
	vbt_jpw_str(w, "kind", vbt_kind_name(ev->kind));
	vbt_jpw_int(w, "errno", ev->err);
	vbt_jpw_str(w, "err", vbt_errno_name(ev->err));
	vbt_jpw_int(w, "pid", ev->pid);
	vbt_jpw_int(w, "tid", ev->tid);
	vbt_jpw_str(w, "comm", vbt_crec_str(h, ev->comm));
	if (ev->kind == VBT_KIND_SYSCALL) {
		vbt_jpw_str(w, "syscall", vbt_sys_name(ev->op));
		vbt_jpw_str(w, "path", str(vbt_crec_str(h, ev->path)));
		if (ev->off != UINT64_MAX)
			vbt_jpw_u64(w, "offset", ev->off);
		vbt_jpw_u64(w, "len", ev->len);
	} else if (ev->kind == VBT_KIND_BLOCK) {
		vbt_jpw_str(w, "dev", str(vbt_crec_str(h, ev->disk)));
		vbt_jpw_str(w, "op", vbt_op_name(ev->op));
		vbt_jpw_u64(w, "sector", ev->off);
	} else {
		vbt_jpw_str(w, "opcode", vbt_async_op_name(ev->kind, ev->op));
		vbt_jpw_str(w, "path", str(vbt_crec_str(h, ev->path)));
		vbt_jpw_u64(w, "offset", ev->off);
		vbt_jpw_u64(w, "len", ev->len);
	}
	if (hi) {
		vbt_jpw_str(w, "vm", str(vbt_crec_str(h, hi->vm)));
		vbt_jpw_str(w, "drive", str(vbt_crec_str(h, hi->drive)));
		vbt_jpw_str(w, "aio", str(vbt_crec_str(h, hi->aio)));
		vbt_jpw_str(w, "cache", str(vbt_crec_str(h, hi->cache)));
	}
	vbt_jpw_end(w);
}

static void join_json(struct jctx *x, const struct vbt_correlation *c,
		      const struct vbt_join *j)
{
	struct vbt_jpw *w = &x->w;
	const struct vbt_cev *ev = &x->g->ev[j->guest];
	char t[48];

	vbt_jpw_obj(w, NULL);
	vbt_jpw_u64(w, "seq", ev->seq);
	vbt_jpw_str(w, "ts", ts(&x->tg, ev->real_ns, t));
	vbt_jpw_str(w, "kind", vbt_kind_name(ev->kind));
	vbt_jpw_int(w, "errno", ev->err);
	vbt_jpw_str(w, "err", vbt_errno_name(ev->err));
	vbt_jpw_str(w, "comm", vbt_crec_str(x->g, ev->comm));
	if (ev->kind == VBT_KIND_BLOCK) {
		vbt_jpw_str(w, "dev", str(vbt_crec_str(x->g, ev->disk)));
		vbt_jpw_str(w, "op", vbt_op_name(ev->op));
		vbt_jpw_u64(w, "sector", ev->off);
		vbt_jpw_u64(w, "nr_sectors", ev->nr_sectors);
		vbt_jpw_u64(w, "bytes", ev->len);
		if (vbt_virtio_status_name(ev->virtio_status))
			vbt_jpw_str(w, "virtio_status",
				    vbt_virtio_status_name(ev->virtio_status));
	} else if (ev->kind == VBT_KIND_SYSCALL) {
		vbt_jpw_str(w, "syscall", vbt_sys_name(ev->op));
		vbt_jpw_str(w, "path", str(vbt_crec_str(x->g, ev->path)));
		if (ev->cause_seq)
			vbt_jpw_u64(w, "cause", ev->cause_seq);
	}
	vbt_jpw_str(w, "origin", vbt_origin_name(j->origin));
	if (j->low_confidence)
		vbt_jpw_bool(w, "low_confidence", true);
	if (j->host_err) {
		vbt_jpw_int(w, "host_errno", j->host_err);
		vbt_jpw_str(w, "host_err", vbt_errno_name(j->host_err));
	}
	if (j->disk >= 0 && c->disks[j->disk].matched) {
		const struct vbt_disk_pair *p = &c->disks[j->disk];

		vbt_jpw_str(w, "host_drive", str(p->drive));
		if (ev->kind == VBT_KIND_BLOCK && p->mappable &&
		    ev->op != VBT_OP_FLUSH)
			vbt_jpw_u64(w, "host_offset", ev->off * 512 +
				    (p->image_offset > 0 ? p->image_offset : 0));
	}
	if (j->host >= 0) {
		host_json(x, "host", &x->h->ev[j->host], c->clock_offset_ns);
		vbt_jpw_int(w, "delta_ns", j->delta_ns);
	}
	if (j->host_block >= 0)
		host_json(x, "host_block", &x->h->ev[j->host_block],
			  c->clock_offset_ns);
	vbt_jpw_str(w, "why", j->why);
	vbt_jpw_end(w);
}

/*
 * Streamed as it is made: the document json-c would print for the same
 * tree (pretty), without the tree (a million joins held as json-c objects
 * took gigabytes).
 */
int vbt_merge_json(const struct vbt_merge_view *v, FILE *f)
{
	const struct vbt_correlation *c = v->c;
	struct vbt_crec gtmp, htmp;
	struct jctx x = { .g = compact(v->g, &gtmp), .h = compact(v->h, &htmp) };
	struct vbt_jpw *w = &x.w;
	int ret;

	if (!x.g || !x.h) {
		vbt_crec_free(&gtmp);
		return -1;
	}
	vbt_jpw_init(w, f);
	vbt_jpw_obj(w, NULL);
	vbt_jpw_int(w, "v", 1);
	vbt_jpw_str(w, "kind", "merge");
	vbt_jpw_str(w, "guest", v->guest_name);
	vbt_jpw_str(w, "host", v->host_name);
	vbt_jpw_str(w, "vm", str(c->vm));
	vbt_jpw_arr(w, "disks");
	for (int i = 0; i < c->ndisks; i++)
		disk_json(w, &c->disks[i]);
	vbt_jpw_end(w);
	vbt_jpw_obj(w, "clock");
	vbt_jpw_int(w, "host_minus_guest_ns", c->clock_offset_ns);
	vbt_jpw_int(w, "pairs", c->clock_pairs);
	vbt_jpw_int(w, "spread_ns", c->clock_spread_ns);
	vbt_jpw_str(w, "how", c->clock_how);
	vbt_jpw_end(w);
	vbt_jpw_arr(w, "errors");
	for (size_t i = 0; i < c->njoins; i++)
		join_json(&x, c, &c->joins[i]);
	vbt_jpw_end(w);
	vbt_jpw_obj(w, "origins");
	for (int k = 0; k < VBT_ORIGIN_MAX; k++)
		vbt_jpw_u64(w, vbt_origin_name(k), c->counts[k]);
	vbt_jpw_end(w);
	vbt_jpw_end(w);
	ret = vbt_jpw_finish(w);
	vbt_crec_free(&gtmp);
	vbt_crec_free(&htmp);
	return ret;
}
