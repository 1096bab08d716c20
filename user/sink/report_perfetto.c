// SPDX-License-Identifier: GPL-2.0
/*
 * Chrome trace-event JSON, which ui.perfetto.dev and chrome://tracing open:
 * one process track per side (guest, host), one thread track per disk or
 * drive inside it.  Block requests with a latency are slices ("X") from
 * issue to completion; everything else is an instant ("i").  Times are
 * microseconds from the earliest event of all tracks, after each track's
 * clock shift.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "decode/names.h"
#include "sink/report_render.h"

#define MAX_LANES 128

struct lanes {
	char name[MAX_LANES][64];
	int n;
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
	return l->n++;
}

static void meta(struct json_object *arr, const char *what, int pid, int tid,
		 const char *name)
{
	struct json_object *o = json_object_new_object();
	struct json_object *args = json_object_new_object();

	json_object_object_add(o, "ph", json_object_new_string("M"));
	json_object_object_add(o, "name", json_object_new_string(what));
	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "tid", json_object_new_int(tid));
	json_object_object_add(args, "name", json_object_new_string(name));
	json_object_object_add(o, "args", args);
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

static struct json_object *args_of(const struct vbt_rec_event *re)
{
	const struct vbt_event *ev = &re->ev;
	struct json_object *a = json_object_new_object();

	json_object_object_add(a, "seq", json_object_new_uint64(ev->seq));
	json_object_object_add(a, "comm", json_object_new_string(ev->comm));
	json_object_object_add(a, "pid", json_object_new_int64(ev->pid));
	json_object_object_add(a, "errno", json_object_new_int(ev->err));
	if (ev->kind == VBT_KIND_BLOCK) {
		json_object_object_add(a, "sector",
				       json_object_new_uint64(ev->blk.sector));
		json_object_object_add(a, "nr_sectors",
				       json_object_new_uint64(ev->blk.nr_sectors));
	} else if (ev->kind == VBT_KIND_SYSCALL) {
		json_object_object_add(a, "path",
				       json_object_new_string(ev->sys.path));
		if (ev->sys.offset != UINT64_MAX)
			json_object_object_add(a, "offset",
				json_object_new_uint64(ev->sys.offset));
		json_object_object_add(a, "len",
				       json_object_new_uint64(ev->sys.len));
	} else if (ev->kind != VBT_KIND_LOST) {
		json_object_object_add(a, "path",
				       json_object_new_string(ev->async.path));
		json_object_object_add(a, "offset",
				       json_object_new_uint64(ev->async.offset));
		json_object_object_add(a, "len",
				       json_object_new_uint64(ev->async.len));
	}
	return a;
}

static void track(struct json_object *arr, const struct vbt_trace_track *t,
		  int64_t base)
{
	struct lanes l = { .n = 0 };

	meta(arr, "process_name", t->pid, 0, t->name);
	for (size_t i = 0; i < t->rec->n; i++) {
		const struct vbt_rec_event *re = &t->rec->ev[i];
		const struct vbt_event *ev = &re->ev;
		struct json_object *o = json_object_new_object();
		int64_t end = (int64_t)re->real_ns + t->shift_ns - base;
		uint64_t lat = ev->kind == VBT_KIND_BLOCK ? ev->blk.lat_ns : 0;
		int n = l.n, tid = lane(&l, ev) + 1;
		char name[96];

		if (l.n != n)
			meta(arr, "thread_name", t->pid, tid, l.name[tid - 1]);
		event_name(ev, name, sizeof(name));
		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "cat", json_object_new_string(
			vbt_kind_name(ev->kind)));
		json_object_object_add(o, "pid", json_object_new_int(t->pid));
		json_object_object_add(o, "tid", json_object_new_int(tid));
		if (lat && (int64_t)lat <= end) {
			json_object_object_add(o, "ph", json_object_new_string("X"));
			json_object_object_add(o, "ts", json_object_new_double(
				(end - (int64_t)lat) / 1000.0));
			json_object_object_add(o, "dur", json_object_new_double(
				lat / 1000.0));
		} else {
			json_object_object_add(o, "ph", json_object_new_string("i"));
			json_object_object_add(o, "s", json_object_new_string("t"));
			json_object_object_add(o, "ts", json_object_new_double(
				end / 1000.0));
		}
		json_object_object_add(o, "args", args_of(re));
		json_object_array_add(arr, o);
	}
}

int vbt_report_perfetto(const struct vbt_trace_track *t, int n, FILE *f)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	int64_t base = INT64_MAX;

	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < t[i].rec->n; k++) {
			const struct vbt_rec_event *re = &t[i].rec->ev[k];
			int64_t s = (int64_t)re->real_ns + t[i].shift_ns;

			if (re->ev.kind == VBT_KIND_BLOCK)
				s -= (int64_t)re->ev.blk.lat_ns;
			if (s < base)
				base = s;
		}
	}
	if (base == INT64_MAX)
		base = 0;
	for (int i = 0; i < n; i++)
		track(arr, &t[i], base);
	json_object_object_add(o, "traceEvents", arr);
	json_object_object_add(o, "displayTimeUnit", json_object_new_string("ms"));
	fprintf(f, "%s\n", json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return ferror(f) ? -1 : 0;
}
