// SPDX-License-Identifier: GPL-2.0
/*
 * Alert records for the sinks: one JSON object (the event's fields plus
 * the alert_* fields, docs/events.schema.json) and one human line for
 * syslog.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/names.h"
#include "sink/alert_format.h"
#include "util/json.h"
#include "util/text_safe.h"

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void add_ts(struct json_object *o, const char *k, uint64_t mono,
		   const struct vbt_fmt *f)
{
	char ts[48];

	vbt_format_rfc3339(mono + f->clock->mono_to_real_ns, ts, sizeof(ts));
	add_str(o, k, ts);
}

/* The fields every record has when it carries no event. */
static struct json_object *key_object(const struct vbt_alert *a,
				      const struct vbt_fmt *f)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "v", json_object_new_int(1));
	/* An alert about no single event (a fold, a recovery). */
	add_str(o, "kind", "alert");
	add_ts(o, "ts", a->now_ns, f);
	vbt_json_add_u64(o, "mono_ns", a->now_ns);
	add_str(o, "side", "host");
	add_str(o, "vm", a->key->vm);
	add_str(o, "drive", a->key->drive);
	json_object_object_add(o, "errno", json_object_new_int(a->key->err));
	add_str(o, "err", a->key->err ? vbt_errno_name(a->key->err) : "");
	return o;
}

struct json_object *vbt_alert_json(const struct vbt_alert *a,
				   const struct vbt_fmt *f,
				   uint64_t interval_ns)
{
	struct json_object *o;
	char *ev, num[32];

	if (a->ev) {
		ev = vbt_format_json(a->ev, f);
		o = ev ? json_tokener_parse(ev) : NULL;
		free(ev);
	} else {
		o = key_object(a, f);
	}
	if (!o)
		return NULL;
	add_str(o, "alert", vbt_alert_type_name(a->type));
	add_str(o, "op", a->key->op);
	vbt_json_add_u64(o, "alert_events", a->events);
	vbt_json_add_u64(o, "alert_total", a->total);
	add_ts(o, "alert_first_ts", a->first_ns, f);
	add_ts(o, "alert_last_ts", a->last_ns, f);
	/* "60", "0.5": as a user would write it, not "60.0". */
	snprintf(num, sizeof(num), "%g", interval_ns / 1e9);
	json_object_object_add(o, "alert_interval_s",
			       json_object_new_double_s(interval_ns / 1e9, num));
	return o;
}

char *vbt_alert_json_line(const struct vbt_alert *a, const struct vbt_fmt *f,
			  uint64_t interval_ns)
{
	struct json_object *o = vbt_alert_json(a, f, interval_ns);
	char *s;

	if (!o)
		return NULL;
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* 'VM "name" drive d' or 'host disk loop0' */
static void where(const struct vbt_alert_key *k, char *buf, size_t len)
{
	char vm[2 * sizeof(k->vm)], drive[2 * sizeof(k->drive)];

	vbt_text_safe(k->vm, vm, sizeof(vm), VBT_TS_QUOTE);
	vbt_text_safe(k->drive, drive, sizeof(drive), VBT_TS_QUOTE);
	if (k->vm[0])
		snprintf(buf, len, "VM \"%s\" drive %s", vm,
			 drive[0] ? drive : "?");
	else
		snprintf(buf, len, "host disk %s", drive[0] ? drive : "?");
}

static void error_detail(const struct vbt_event *ev, char *buf, size_t len)
{
	const struct vbt_host_info *h = &ev->host;
	char path[300], what[64];

	path[0] = 0;
	if (ev->kind == VBT_KIND_SYSCALL) {
		snprintf(what, sizeof(what), "%s()", vbt_sys_name(ev->sys.sys));
		vbt_text_safe(ev->sys.path, path, sizeof(path), VBT_TS_QUOTE);
	} else if (ev->kind == VBT_KIND_IO_URING || ev->kind == VBT_KIND_AIO) {
		snprintf(what, sizeof(what), "%s %s", vbt_kind_name(ev->kind),
			 vbt_async_op_name(ev->kind, ev->async.opcode));
		vbt_text_safe(ev->async.path, path, sizeof(path), VBT_TS_QUOTE);
	} else {
		snprintf(what, sizeof(what), "block request on %s sector %llu",
			 ev->blk.disk, (unsigned long long)ev->blk.sector);
	}
	snprintf(buf, len, " (%s%s%s%s%s%s%s%s%s)", what, path[0] ? " on " : "",
		 path, h->aio[0] ? "; aio=" : "", h->aio,
		 h->cache[0] ? " cache=" : "", h->cache,
		 h->guest_sees[0] ? "; guest sees " : "", h->guest_sees);
}

void vbt_alert_text(const struct vbt_alert *a, uint64_t interval_ns,
		    char *buf, size_t len)
{
	const struct vbt_alert_key *k = a->key;
	const char *err = k->err ? vbt_errno_name(k->err) : "";
	char w[300], detail[512];
	unsigned long long secs = interval_ns / 1000000000ULL;

	where(k, w, sizeof(w));
	switch (a->type) {
	case VBT_ALERT_ERROR:
		detail[0] = 0;
		if (a->ev && a->ev->kind == VBT_KIND_LOST) {
			snprintf(buf, len, "%llu events lost: the kernel could "
				 "not deliver them", (unsigned long long)
				 a->ev->lost);
			return;
		}
		if (a->ev)
			error_detail(a->ev, detail, sizeof(detail));
		snprintf(buf, len, "%s: %s failed with %s%s", w, k->op, err,
			 detail);
		break;
	case VBT_ALERT_REPEAT:
		snprintf(buf, len, "%s: %s failed with %s %llu more times "
			 "(%llu in this episode)", w, k->op, err,
			 (unsigned long long)a->events,
			 (unsigned long long)a->total);
		break;
	case VBT_ALERT_RECOVERED:
		snprintf(buf, len, "%s: recovered, no %s %s error for %llu s "
			 "(%llu in this episode)", w, k->op, err, secs,
			 (unsigned long long)a->total);
		break;
	default:
		snprintf(buf, len, "%s: ?", w);
	}
}
