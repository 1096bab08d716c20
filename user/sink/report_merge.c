// SPDX-License-Identifier: GPL-2.0
/* Rendering a guest/host correlation (vblktrace merge): text and JSON. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "decode/clock.h"
#include "decode/names.h"
#include "sink/format.h"
#include "sink/report_merge.h"
#include "util/text_safe.h"

static void guest_what(const struct vbt_event *ev, char *buf, size_t len)
{
	if (ev->kind == VBT_KIND_BLOCK)
		snprintf(buf, len, "%s %s %" PRIu64 "+%u %s",
			 vbt_ts(ev->blk.disk),
			 vbt_op_name(ev->blk.op), ev->blk.sector,
			 ev->blk.nr_sectors, vbt_errno_name(ev->err));
	else if (ev->kind == VBT_KIND_SYSCALL)
		snprintf(buf, len, "%s[%u] %s(%.100s) = -%s",
			 vbt_ts(ev->comm), ev->pid,
			 vbt_sys_name(ev->sys.sys), vbt_ts(ev->sys.path),
			 vbt_errno_name(ev->err));
	else
		snprintf(buf, len, "%s %s", vbt_kind_name(ev->kind),
			 vbt_errno_name(ev->err));
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
		const struct vbt_rec_event *ge = &v->g->rec.ev[j->guest];

		vbt_report_time(ge->real_ns, t, sizeof(t));
		guest_what(&ge->ev, what, sizeof(what));
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
	return ferror(f) ? -1 : 0;
}

static struct json_object *ts(uint64_t ns)
{
	char buf[48];

	vbt_format_rfc3339(ns, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static struct json_object *str(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *disk_json(const struct vbt_disk_pair *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "guest", json_object_new_string(p->guest));
	json_object_object_add(o, "serial", str(p->serial));
	json_object_object_add(o, "matched", json_object_new_boolean(p->matched));
	if (!p->matched)
		return o;
	json_object_object_add(o, "by", str(p->by));
	json_object_object_add(o, "vm", str(p->vm));
	json_object_object_add(o, "drive", str(p->drive));
	json_object_object_add(o, "node", str(p->node));
	json_object_object_add(o, "image", str(p->image));
	json_object_object_add(o, "format", str(p->format));
	json_object_object_add(o, "aio", str(p->aio));
	json_object_object_add(o, "filters", str(p->filters));
	json_object_object_add(o, "host_devices", str(p->host_devs));
	json_object_object_add(o, "offset_mapping", json_object_new_string(
		p->mappable ? "raw: host offset = sector * 512 + image offset" :
		"none: the image format does not allow it"));
	json_object_object_add(o, "image_offset", p->image_offset >= 0 ?
			       json_object_new_int64(p->image_offset) : NULL);
	return o;
}

static struct json_object *host_json(const struct vbt_rec_event *he,
				     int64_t shift)
{
	const struct vbt_event *ev = &he->ev;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "seq", json_object_new_uint64(ev->seq));
	json_object_object_add(o, "ts", ts(he->real_ns));
	json_object_object_add(o, "ts_guest_clock", ts(he->real_ns - shift));
	json_object_object_add(o, "kind", json_object_new_string(
		vbt_kind_name(ev->kind)));
	json_object_object_add(o, "errno", json_object_new_int(ev->err));
	json_object_object_add(o, "err", json_object_new_string(
		vbt_errno_name(ev->err)));
	json_object_object_add(o, "pid", json_object_new_int64(ev->pid));
	json_object_object_add(o, "tid", json_object_new_int64(ev->tid));
	json_object_object_add(o, "comm", json_object_new_string(ev->comm));
	if (ev->kind == VBT_KIND_SYSCALL) {
		json_object_object_add(o, "syscall", json_object_new_string(
			vbt_sys_name(ev->sys.sys)));
		json_object_object_add(o, "path", str(ev->sys.path));
		if (ev->sys.offset != UINT64_MAX)
			json_object_object_add(o, "offset",
				json_object_new_uint64(ev->sys.offset));
		json_object_object_add(o, "len",
				       json_object_new_uint64(ev->sys.len));
	} else if (ev->kind == VBT_KIND_BLOCK) {
		json_object_object_add(o, "dev", str(ev->blk.disk));
		json_object_object_add(o, "op", json_object_new_string(
			vbt_op_name(ev->blk.op)));
		json_object_object_add(o, "sector",
				       json_object_new_uint64(ev->blk.sector));
	} else {
		json_object_object_add(o, "opcode", json_object_new_string(
			vbt_async_op_name(ev->kind, ev->async.opcode)));
		json_object_object_add(o, "path", str(ev->async.path));
		json_object_object_add(o, "offset",
				       json_object_new_uint64(ev->async.offset));
		json_object_object_add(o, "len",
				       json_object_new_uint64(ev->async.len));
	}
	if (ev->host.known) {
		json_object_object_add(o, "vm", str(ev->host.vm));
		json_object_object_add(o, "drive", str(ev->host.drive));
		json_object_object_add(o, "aio", str(ev->host.aio));
		json_object_object_add(o, "cache", str(ev->host.cache));
	}
	return o;
}

static struct json_object *join_json(const struct vbt_merge_view *v,
				     const struct vbt_join *j)
{
	const struct vbt_correlation *c = v->c;
	const struct vbt_rec_event *ge = &v->g->rec.ev[j->guest];
	const struct vbt_event *ev = &ge->ev;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "seq", json_object_new_uint64(ev->seq));
	json_object_object_add(o, "ts", ts(ge->real_ns));
	json_object_object_add(o, "kind", json_object_new_string(
		vbt_kind_name(ev->kind)));
	json_object_object_add(o, "errno", json_object_new_int(ev->err));
	json_object_object_add(o, "err", json_object_new_string(
		vbt_errno_name(ev->err)));
	json_object_object_add(o, "comm", json_object_new_string(ev->comm));
	if (ev->kind == VBT_KIND_BLOCK) {
		json_object_object_add(o, "dev", str(ev->blk.disk));
		json_object_object_add(o, "op", json_object_new_string(
			vbt_op_name(ev->blk.op)));
		json_object_object_add(o, "sector",
				       json_object_new_uint64(ev->blk.sector));
		json_object_object_add(o, "nr_sectors",
				       json_object_new_uint64(ev->blk.nr_sectors));
		json_object_object_add(o, "bytes",
				       json_object_new_uint64(ev->blk.bytes));
		if (vbt_virtio_status_name(ev->blk.virtio_status))
			json_object_object_add(o, "virtio_status",
				json_object_new_string(vbt_virtio_status_name(
					ev->blk.virtio_status)));
	} else if (ev->kind == VBT_KIND_SYSCALL) {
		json_object_object_add(o, "syscall", json_object_new_string(
			vbt_sys_name(ev->sys.sys)));
		json_object_object_add(o, "path", str(ev->sys.path));
		if (ev->sys.cause_seq)
			json_object_object_add(o, "cause",
				json_object_new_uint64(ev->sys.cause_seq));
	}
	json_object_object_add(o, "origin", json_object_new_string(
		vbt_origin_name(j->origin)));
	if (j->low_confidence)
		json_object_object_add(o, "low_confidence",
				       json_object_new_boolean(1));
	if (j->host_err) {
		json_object_object_add(o, "host_errno",
				       json_object_new_int(j->host_err));
		json_object_object_add(o, "host_err", json_object_new_string(
			vbt_errno_name(j->host_err)));
	}
	if (j->disk >= 0 && c->disks[j->disk].matched) {
		const struct vbt_disk_pair *p = &c->disks[j->disk];

		json_object_object_add(o, "host_drive", str(p->drive));
		if (ev->kind == VBT_KIND_BLOCK && p->mappable &&
		    ev->blk.op != VBT_OP_FLUSH)
			json_object_object_add(o, "host_offset",
				json_object_new_uint64(ev->blk.sector * 512 +
					(p->image_offset > 0 ? p->image_offset : 0)));
	}
	if (j->host >= 0) {
		json_object_object_add(o, "host", host_json(&v->h->rec.ev[j->host],
							    c->clock_offset_ns));
		json_object_object_add(o, "delta_ns",
				       json_object_new_int64(j->delta_ns));
	}
	if (j->host_block >= 0)
		json_object_object_add(o, "host_block",
			host_json(&v->h->rec.ev[j->host_block],
				  c->clock_offset_ns));
	json_object_object_add(o, "why", json_object_new_string(j->why));
	return o;
}

int vbt_merge_json(const struct vbt_merge_view *v, FILE *f)
{
	const struct vbt_correlation *c = v->c;
	struct json_object *o = json_object_new_object();
	struct json_object *disks = json_object_new_array();
	struct json_object *errs = json_object_new_array();
	struct json_object *clock = json_object_new_object();
	struct json_object *counts = json_object_new_object();

	json_object_object_add(o, "v", json_object_new_int(1));
	json_object_object_add(o, "kind", json_object_new_string("merge"));
	json_object_object_add(o, "guest", json_object_new_string(v->guest_name));
	json_object_object_add(o, "host", json_object_new_string(v->host_name));
	json_object_object_add(o, "vm", str(c->vm));
	for (int i = 0; i < c->ndisks; i++)
		json_object_array_add(disks, disk_json(&c->disks[i]));
	json_object_object_add(o, "disks", disks);
	json_object_object_add(clock, "host_minus_guest_ns",
			       json_object_new_int64(c->clock_offset_ns));
	json_object_object_add(clock, "pairs", json_object_new_int(c->clock_pairs));
	json_object_object_add(clock, "spread_ns",
			       json_object_new_int64(c->clock_spread_ns));
	json_object_object_add(clock, "how", json_object_new_string(c->clock_how));
	json_object_object_add(o, "clock", clock);
	for (size_t i = 0; i < c->njoins; i++)
		json_object_array_add(errs, join_json(v, &c->joins[i]));
	json_object_object_add(o, "errors", errs);
	for (int k = 0; k < VBT_ORIGIN_MAX; k++)
		json_object_object_add(counts, vbt_origin_name(k),
				       json_object_new_uint64(c->counts[k]));
	json_object_object_add(o, "origins", counts);
	fprintf(f, "%s\n", json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return ferror(f) ? -1 : 0;
}
