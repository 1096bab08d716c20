// SPDX-License-Identifier: GPL-2.0
/* vblktrace report --format json: the report model as one JSON object. */
#include <json-c/json.h>

#include "decode/clock.h"
#include "decode/names.h"
#include "sink/report_render.h"

static struct json_object *ts(uint64_t ns)
{
	char buf[48];

	vbt_format_rfc3339(ns, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static struct json_object *group_json(const struct vbt_report_group *g)
{
	struct json_object *o = json_object_new_object();
	const char *vs = vbt_virtio_status_name(g->virtio);

	json_object_object_add(o, "side", json_object_new_string(
		g->side == VBT_SIDE_HOST ? "host" : "guest"));
	json_object_object_add(o, "kind", json_object_new_string(
		vbt_kind_name(g->kind)));
	json_object_object_add(o, "what", json_object_new_string(g->what));
	if (g->where[0])
		json_object_object_add(o, "where",
				       json_object_new_string(g->where));
	if (g->op >= 0)
		json_object_object_add(o, "op", json_object_new_string(
			vbt_op_name(g->op)));
	json_object_object_add(o, "errno", json_object_new_int(g->err));
	json_object_object_add(o, "err", json_object_new_string(
		vbt_errno_name(g->err)));
	if (g->status >= 0)
		json_object_object_add(o, "status", json_object_new_string(
			vbt_blk_status_name(g->status)));
	if (vs)
		json_object_object_add(o, "virtio_status",
				       json_object_new_string(vs));
	json_object_object_add(o, "count", json_object_new_uint64(g->count));
	json_object_object_add(o, "first", ts(g->first_ns));
	json_object_object_add(o, "last", ts(g->last_ns));
	json_object_object_add(o, "likely_cause",
			       json_object_new_string(g->cause));
	return o;
}

int vbt_report_json(const struct vbt_report *r, FILE *f)
{
	struct json_object *o = json_object_new_object();
	struct json_object *groups = json_object_new_array();
	struct json_object *lat = json_object_new_array();
	const struct vbt_input *in = r->in;

	json_object_object_add(o, "v", json_object_new_int(1));
	json_object_object_add(o, "kind", json_object_new_string("report"));
	json_object_object_add(o, "side", in->side < 0 ? NULL :
		json_object_new_string(in->side == VBT_SIDE_HOST ? "host" :
				       "guest"));
	json_object_object_add(o, "source", json_object_new_string(
		in->is_bundle ? "bundle" : "recording"));
	if (r->start_ns) {
		json_object_object_add(o, "first", ts(r->start_ns));
		json_object_object_add(o, "last", ts(r->end_ns));
	}
	json_object_object_add(o, "events", json_object_new_uint64(r->events));
	json_object_object_add(o, "errors", json_object_new_uint64(r->errors));
	json_object_object_add(o, "lost", json_object_new_uint64(r->lost));
	if (r->stuck) {
		json_object_object_add(o, "stuck",
				       json_object_new_uint64(r->stuck));
		json_object_object_add(o, "stuck_never_ended",
				       json_object_new_uint64(
					       r->stuck > r->stuck_ended ?
					       r->stuck - r->stuck_ended : 0));
	}
	if (in->rec.n_unknown || in->rec.n_skipped) {
		json_object_object_add(o, "unknown_values",
				json_object_new_uint64(in->rec.n_unknown));
		json_object_object_add(o, "skipped_records",
				json_object_new_uint64(in->rec.n_skipped));
		json_object_object_add(o, "note",
				json_object_new_string(in->rec.note));
	}
	for (int i = 0; i < r->ngroups; i++)
		json_object_array_add(groups, group_json(&r->groups[i]));
	json_object_object_add(o, "groups", groups);
	for (int i = 0; i < VBT_REPORT_LAT_BUCKETS; i++) {
		struct json_object *b;

		if (!r->lat[i])
			continue;
		b = json_object_new_object();
		json_object_object_add(b, "ge_ns",
				       json_object_new_uint64(1ULL << i));
		json_object_object_add(b, "count",
				       json_object_new_uint64(r->lat[i]));
		json_object_object_add(b, "failed",
				       json_object_new_uint64(r->lat_errors[i]));
		json_object_array_add(lat, b);
	}
	json_object_object_add(o, "latency", lat);
	if (in->facts)
		json_object_object_add(o, "facts", json_object_get(in->facts));
	fprintf(f, "%s\n", json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return ferror(f) ? -1 : 0;
}
