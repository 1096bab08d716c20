// SPDX-License-Identifier: GPL-2.0
/* The JSON Lines view: the event records of docs/events.schema.json. */
#include <stdlib.h>
#include <string.h>

#include "decode/names.h"
#include "sink/format.h"
#include "system/disks.h"
#include "util/json_writer.h"

#define VBT_JSON_VERSION 1

static void add_block(struct vbt_jw *w, const struct vbt_event *ev)
{
	const struct vbt_block_info *b = &ev->blk;
	const char *names[32];
	const char *vs;

	vbt_jw_str(w, "dev", b->disk);
	vbt_jw_int(w, "major", vbt_major(b->dev));
	vbt_jw_int(w, "minor", vbt_minor(b->dev));
	vbt_jw_str(w, "op", vbt_op_name(b->op));
	vbt_jw_strv(w, "flags", names, vbt_rq_flag_names(b->flags, names, 32));
	vbt_jw_u64(w, "sector", b->sector);
	vbt_jw_u64(w, "nr_sectors", b->nr_sectors);
	vbt_jw_u64(w, "bytes", b->bytes);
	if (b->status >= 0)
		vbt_jw_str(w, "status", vbt_blk_status_name(b->status));
	vbt_jw_u64(w, "lat_ns", b->lat_ns);
	vbt_jw_bool(w, "issuer_known", b->issuer_known);
	if (b->not_issued)
		vbt_jw_bool(w, "reached_device", false);
	vs = vbt_virtio_status_name(b->virtio_status);
	if (vs) {
		vbt_jw_str(w, "virtio_status", vs);
		if (b->virtio_derived)
			vbt_jw_bool(w, "virtio_status_derived", true);
	}
}

static void add_host(struct vbt_jw *w, const struct vbt_host_info *h)
{
	if (!h->known)
		return;
	vbt_jw_str(w, "vm", h->vm);
	vbt_jw_str(w, "drive", h->drive);
	vbt_jw_str(w, "node", h->node);
	vbt_jw_str(w, "image", h->image);
	vbt_jw_str(w, "format", h->format);
	vbt_jw_str(w, "aio", h->aio);
	vbt_jw_str(w, "cache", h->cache);
	if (h->direct >= 0)
		vbt_jw_bool(w, "direct", h->direct);
	vbt_jw_str(w, "werror", h->werror);
	vbt_jw_str(w, "rerror", h->rerror);
	if (h->guest_sees[0])
		vbt_jw_str(w, "guest_sees", h->guest_sees);
	if (h->retry_of)
		vbt_jw_u64(w, "retry_of", h->retry_of);
}

/*
 * Written field by field into one buffer (util/json_writer.h), not through
 * a json-c tree: this runs for every event streamed with --all.
 */
char *vbt_format_json(const struct vbt_event *ev, const struct vbt_fmt *f)
{
	struct vbt_jw w = { 0 };
	char ts[48];

	vbt_format_rfc3339(ev->mono_ns + f->clock->mono_to_real_ns, ts,
			   sizeof(ts));
	vbt_jw_begin(&w);
	vbt_jw_int(&w, "v", VBT_JSON_VERSION);
	vbt_jw_str(&w, "ts", ts);
	vbt_jw_u64(&w, "mono_ns", ev->mono_ns);
	vbt_jw_str(&w, "side", ev->side == VBT_SIDE_HOST ? "host" : "guest");
	vbt_jw_str(&w, "kind", vbt_kind_name(ev->kind));
	vbt_jw_int(&w, "errno", ev->err);
	vbt_jw_str(&w, "err", ev->err ? vbt_errno_name(ev->err) : "");
	vbt_jw_int(&w, "pid", ev->pid);
	vbt_jw_int(&w, "tid", ev->tid);
	vbt_jw_str(&w, "comm", ev->comm);

	switch (ev->kind) {
	case VBT_KIND_BLOCK:
		add_block(&w, ev);
		break;
	case VBT_KIND_SYSCALL:
		vbt_jw_str(&w, "syscall", vbt_sys_name(ev->sys.sys));
		vbt_jw_int(&w, "fd", ev->sys.fd);
		vbt_jw_str(&w, "path", ev->sys.path);
		if (ev->sys.offset != UINT64_MAX)
			vbt_jw_u64(&w, "offset", ev->sys.offset);
		vbt_jw_u64(&w, "len", ev->sys.len);
		if (ev->sys.cause_seq)
			vbt_jw_u64(&w, "cause", ev->sys.cause_seq);
		break;
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		vbt_jw_int(&w, "opcode", ev->async.opcode);
		vbt_jw_int(&w, "fd", ev->async.fd);
		vbt_jw_str(&w, "path", ev->async.path);
		vbt_jw_u64(&w, "offset", ev->async.offset);
		vbt_jw_u64(&w, "len", ev->async.len);
		break;
	case VBT_KIND_LOST:
		vbt_jw_u64(&w, "count", ev->lost);
		break;
	case VBT_KIND_VM_STATE:
	case VBT_KIND_BACKEND_REMOVED:
		vbt_jw_str(&w, "state", ev->vmstate.state);
		vbt_jw_str(&w, "reason", ev->vmstate.reason);
		vbt_jw_str(&w, "state_source", ev->vmstate.source);
		break;
	}
	vbt_jw_u64(&w, "seq", ev->seq);
	add_host(&w, &ev->host);
	return vbt_jw_end(&w);
}
