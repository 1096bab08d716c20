// SPDX-License-Identifier: GPL-2.0
/* The JSON Lines view: SPEC.md's event objects, "v": 1. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "decode/names.h"
#include "sink/format.h"
#include "system/disks.h"

#define VBT_JSON_VERSION 1

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void add_block(struct json_object *o, const struct vbt_event *ev)
{
	const struct vbt_block_info *b = &ev->blk;
	struct json_object *flags = json_object_new_array();
	const char *names[32];
	const char *vs;
	int n;

	add_str(o, "dev", b->disk);
	add_int(o, "major", vbt_major(b->dev));
	add_int(o, "minor", vbt_minor(b->dev));
	add_str(o, "op", vbt_op_name(b->op));
	n = vbt_rq_flag_names(b->flags, names, 32);
	for (int i = 0; i < n; i++)
		json_object_array_add(flags, json_object_new_string(names[i]));
	json_object_object_add(o, "flags", flags);
	add_u64(o, "sector", b->sector);
	add_u64(o, "nr_sectors", b->nr_sectors);
	add_u64(o, "bytes", b->bytes);
	if (b->status >= 0)
		add_str(o, "status", vbt_blk_status_name(b->status));
	add_u64(o, "lat_ns", b->lat_ns);
	json_object_object_add(o, "issuer_known",
			       json_object_new_boolean(b->issuer_known));
	if (b->not_issued)
		json_object_object_add(o, "reached_device",
				       json_object_new_boolean(0));
	vs = vbt_virtio_status_name(b->virtio_status);
	if (vs) {
		add_str(o, "virtio_status", vs);
		if (b->virtio_derived)
			json_object_object_add(o, "virtio_status_derived",
					       json_object_new_boolean(1));
	}
}

static void add_host(struct json_object *o, const struct vbt_host_info *h)
{
	if (!h->known)
		return;
	add_str(o, "vm", h->vm);
	add_str(o, "drive", h->drive);
	add_str(o, "node", h->node);
	add_str(o, "image", h->image);
	add_str(o, "format", h->format);
	add_str(o, "aio", h->aio);
	add_str(o, "cache", h->cache);
	if (h->direct >= 0)
		json_object_object_add(o, "direct",
				       json_object_new_boolean(h->direct));
	add_str(o, "werror", h->werror);
	add_str(o, "rerror", h->rerror);
	if (h->guest_sees[0])
		add_str(o, "guest_sees", h->guest_sees);
}

char *vbt_format_json(const struct vbt_event *ev, const struct vbt_fmt *f)
{
	struct json_object *o = json_object_new_object();
	char ts[48];
	char *out;

	if (!o)
		return NULL;
	vbt_format_rfc3339(ev->mono_ns + f->clock->mono_to_real_ns, ts,
			   sizeof(ts));
	add_int(o, "v", VBT_JSON_VERSION);
	add_str(o, "ts", ts);
	add_u64(o, "mono_ns", ev->mono_ns);
	add_str(o, "side", ev->side == VBT_SIDE_HOST ? "host" : "guest");
	add_str(o, "kind", vbt_kind_name(ev->kind));
	add_int(o, "errno", ev->err);
	add_str(o, "err", ev->err ? vbt_errno_name(ev->err) : "");
	add_int(o, "pid", ev->pid);
	add_int(o, "tid", ev->tid);
	add_str(o, "comm", ev->comm);

	switch (ev->kind) {
	case VBT_KIND_BLOCK:
		add_block(o, ev);
		break;
	case VBT_KIND_SYSCALL:
		add_str(o, "syscall", vbt_sys_name(ev->sys.sys));
		add_int(o, "fd", ev->sys.fd);
		add_str(o, "path", ev->sys.path);
		if (ev->sys.offset != UINT64_MAX)
			add_u64(o, "offset", ev->sys.offset);
		add_u64(o, "len", ev->sys.len);
		if (ev->sys.cause_seq)
			add_u64(o, "cause", ev->sys.cause_seq);
		break;
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		add_int(o, "opcode", ev->async.opcode);
		add_int(o, "fd", ev->async.fd);
		add_str(o, "path", ev->async.path);
		add_u64(o, "offset", ev->async.offset);
		add_u64(o, "len", ev->async.len);
		break;
	case VBT_KIND_LOST:
		add_u64(o, "count", ev->lost);
		break;
	}
	add_u64(o, "seq", ev->seq);
	add_host(o, &ev->host);

	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}
