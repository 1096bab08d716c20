// SPDX-License-Identifier: GPL-2.0
/* The JSON Lines view: the event records of docs/events.schema.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "decode/names.h"
#include "decode/scsi_names.h"
#include "sink/format.h"
#include "system/disks.h"
#include "util/json.h"

#define VBT_JSON_VERSION 1

static void add_scsi(struct json_object *o, const struct vbt_scsi_info *si);

static void add_block(struct json_object *o, const struct vbt_event *ev)
{
	const struct vbt_block_info *b = &ev->blk;
	struct json_object *flags = json_object_new_array();
	const char *names[32];
	const char *vs;
	int n;

	vbt_json_add_str(o, "dev", b->disk);
	vbt_json_add_int(o, "major", vbt_major(b->dev));
	vbt_json_add_int(o, "minor", vbt_minor(b->dev));
	vbt_json_add_str(o, "op", vbt_op_name(b->op));
	n = vbt_rq_flag_names(b->flags, names, 32);
	for (int i = 0; i < n; i++)
		json_object_array_add(flags, json_object_new_string(names[i]));
	json_object_object_add(o, "flags", flags);
	vbt_json_add_u64(o, "sector", b->sector);
	vbt_json_add_u64(o, "nr_sectors", b->nr_sectors);
	vbt_json_add_u64(o, "bytes", b->bytes);
	if (b->status >= 0)
		vbt_json_add_str(o, "status", vbt_blk_status_name(b->status));
	vbt_json_add_u64(o, "lat_ns", b->lat_ns);
	json_object_object_add(o, "issuer_known",
			       json_object_new_boolean(b->issuer_known));
	if (b->not_issued)
		json_object_object_add(o, "reached_device",
				       json_object_new_boolean(0));
	vs = vbt_virtio_status_name(b->virtio_status);
	if (vs) {
		vbt_json_add_str(o, "virtio_status", vs);
		if (b->virtio_derived)
			json_object_object_add(o, "virtio_status_derived",
					       json_object_new_boolean(1));
	}
	if (b->scsi.known)
		add_scsi(o, &b->scsi);
}

/* The SCSI command behind an sd request: result bytes and decoded sense. */
static void add_scsi(struct json_object *o, const struct vbt_scsi_info *si)
{
	struct json_object *s = json_object_new_object();
	char addr[64], buf[24];
	const char *asc;

	snprintf(addr, sizeof(addr), "%u:%u:%u:%llu", si->host, si->channel,
		 si->id, (unsigned long long)si->lun);
	vbt_json_add_str(s, "address", addr);
	vbt_json_add_u64(s, "result", si->result);
	vbt_json_add_str(s, "host_byte",
			 vbt_scsi_host_byte((si->result >> 16) & 0xff, buf,
					    sizeof(buf)));
	vbt_json_add_str(s, "driver_byte",
			 vbt_scsi_driver_byte((si->result >> 24) & 0xff, buf,
					      sizeof(buf)));
	vbt_json_add_str(s, "status",
			 vbt_scsi_status_name(si->result & 0xff, buf,
					      sizeof(buf)));
	vbt_json_add_int(s, "opcode", si->opcode);
	vbt_json_add_int(s, "tries", si->tries);
	if (si->sense_key >= 0) {
		vbt_json_add_str(s, "sense_key",
				 vbt_sense_key_name(si->sense_key));
		if (si->asc >= 0) {
			vbt_json_add_int(s, "asc", si->asc);
			vbt_json_add_int(s, "ascq", si->ascq);
			asc = vbt_asc_name(si->asc, si->ascq);
			if (asc)
				vbt_json_add_str(s, "asc_text", asc);
		}
		if (si->deferred)
			json_object_object_add(s, "deferred",
					       json_object_new_boolean(1));
	}
	json_object_object_add(o, "scsi", s);
}

static void add_bio(struct json_object *o, const struct vbt_bio_info *b)
{
	vbt_json_add_str(o, "dev", b->disk);
	vbt_json_add_int(o, "major", vbt_major(b->dev));
	vbt_json_add_int(o, "minor", vbt_minor(b->dev));
	vbt_json_add_str(o, "op", vbt_op_name(b->op));
	vbt_json_add_u64(o, "sector", b->sector);
	vbt_json_add_u64(o, "nr_sectors", b->nr_sectors);
	vbt_json_add_u64(o, "bytes", b->bytes);
	vbt_json_add_str(o, "status", vbt_blk_status_name(b->status));
	json_object_object_add(o, "stacked",
			       json_object_new_boolean(b->stacked));
	/* A bio ends in its completion's context: pid and comm are that. */
	json_object_object_add(o, "issuer_known", json_object_new_boolean(0));
	if (b->remap) {
		vbt_json_add_str(o, "from_dev", b->from_disk);
		vbt_json_add_u64(o, "from_sector", b->from_sector);
	}
}

static void add_chain(struct json_object *o, const struct vbt_sys_info *s)
{
	struct json_object *a;

	if (!s->nchain)
		return;
	a = json_object_new_array();
	for (int i = 0; i < s->nchain; i++) {
		struct json_object *l = json_object_new_object();

		vbt_json_add_u64(l, "seq", s->chain[i].seq);
		vbt_json_add_str(l, "dev", s->chain[i].disk);
		vbt_json_add_u64(l, "sector", s->chain[i].sector);
		vbt_json_add_u64(l, "nr_sectors", s->chain[i].nr_sectors);
		vbt_json_add_str(l, "status",
				 vbt_blk_status_name(s->chain[i].status));
		json_object_array_add(a, l);
	}
	json_object_object_add(o, "cause_chain", a);
}

static void add_host(struct json_object *o, const struct vbt_host_info *h)
{
	if (!h->known)
		return;
	vbt_json_add_str(o, "vm", h->vm);
	vbt_json_add_str(o, "drive", h->drive);
	vbt_json_add_str(o, "node", h->node);
	vbt_json_add_str(o, "image", h->image);
	vbt_json_add_str(o, "format", h->format);
	vbt_json_add_str(o, "aio", h->aio);
	vbt_json_add_str(o, "cache", h->cache);
	if (h->direct >= 0)
		json_object_object_add(o, "direct",
				       json_object_new_boolean(h->direct));
	vbt_json_add_str(o, "werror", h->werror);
	vbt_json_add_str(o, "rerror", h->rerror);
	if (h->guest_sees[0])
		vbt_json_add_str(o, "guest_sees", h->guest_sees);
	if (h->retry_of)
		vbt_json_add_u64(o, "retry_of", h->retry_of);
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
	vbt_json_add_int(o, "v", VBT_JSON_VERSION);
	vbt_json_add_str(o, "ts", ts);
	vbt_json_add_u64(o, "mono_ns", ev->mono_ns);
	vbt_json_add_str(o, "side",
			 ev->side == VBT_SIDE_HOST ? "host" : "guest");
	vbt_json_add_str(o, "kind", vbt_kind_name(ev->kind));
	vbt_json_add_int(o, "errno", ev->err);
	vbt_json_add_str(o, "err", ev->err ? vbt_errno_name(ev->err) : "");
	vbt_json_add_int(o, "pid", ev->pid);
	vbt_json_add_int(o, "tid", ev->tid);
	vbt_json_add_str(o, "comm", ev->comm);

	switch (ev->kind) {
	case VBT_KIND_BLOCK:
		add_block(o, ev);
		break;
	case VBT_KIND_SYSCALL:
		vbt_json_add_str(o, "syscall", vbt_sys_name(ev->sys.sys));
		vbt_json_add_int(o, "fd", ev->sys.fd);
		vbt_json_add_str(o, "path", ev->sys.path);
		if (ev->sys.offset != UINT64_MAX)
			vbt_json_add_u64(o, "offset", ev->sys.offset);
		vbt_json_add_u64(o, "len", ev->sys.len);
		if (ev->sys.cause_seq)
			vbt_json_add_u64(o, "cause", ev->sys.cause_seq);
		add_chain(o, &ev->sys);
		break;
	case VBT_KIND_BIO:
		add_bio(o, &ev->bio);
		break;
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		vbt_json_add_int(o, "opcode", ev->async.opcode);
		vbt_json_add_int(o, "fd", ev->async.fd);
		vbt_json_add_str(o, "path", ev->async.path);
		vbt_json_add_u64(o, "offset", ev->async.offset);
		vbt_json_add_u64(o, "len", ev->async.len);
		break;
	case VBT_KIND_LOST:
		vbt_json_add_u64(o, "count", ev->lost);
		break;
	case VBT_KIND_VM_STATE:
	case VBT_KIND_BACKEND_REMOVED:
		vbt_json_add_str(o, "state", ev->vmstate.state);
		vbt_json_add_str(o, "reason", ev->vmstate.reason);
		vbt_json_add_str(o, "state_source", ev->vmstate.source);
		break;
	}
	vbt_json_add_u64(o, "seq", ev->seq);
	add_host(o, &ev->host);

	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}
