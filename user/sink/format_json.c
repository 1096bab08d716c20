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
#include "util/json_writer.h"

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

static void flat_block(struct vbt_jw *w, const struct vbt_event *ev)
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

static const char *const stuck_phases[] = {
	[VBT_STUCK_FOUND] = "in_flight",
	[VBT_STUCK_ENDED] = "ended",
	[VBT_STUCK_GONE] = "gone",
};

/* In flight: age_ns; at the end: lat_ns (for "gone", an upper bound). */
static void flat_stuck(struct vbt_jw *w, const struct vbt_event *ev)
{
	const struct vbt_stuck_info *st = &ev->stuck;
	int ph = st->phase;

	vbt_jw_str(w, "dev", st->disk);
	vbt_jw_int(w, "major", vbt_major(st->dev));
	vbt_jw_int(w, "minor", vbt_minor(st->dev));
	vbt_jw_str(w, "op", vbt_op_name(st->op));
	vbt_jw_u64(w, "sector", st->sector);
	vbt_jw_u64(w, "nr_sectors", st->nr_sectors);
	vbt_jw_u64(w, "bytes", st->bytes);
	vbt_jw_str(w, "phase", ph >= 0 && ph <= VBT_STUCK_GONE ?
			       stuck_phases[ph] : "unknown");
	if (ph == VBT_STUCK_FOUND) {
		vbt_jw_u64(w, "age_ns", st->age_ns);
	} else {
		vbt_jw_u64(w, "lat_ns", st->age_ns);
		if (st->found_seq)
			vbt_jw_u64(w, "stuck_seq", st->found_seq);
	}
	if (st->status >= 0)
		vbt_jw_str(w, "status", vbt_blk_status_name(st->status));
	vbt_jw_u64(w, "start_mono_ns", st->start_ns);
	vbt_jw_bool(w, "issuer_known", st->issuer_known);
}

static void flat_host(struct vbt_jw *w, const struct vbt_host_info *h)
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
 * A record without nested parts (SCSI details, a cause chain), written
 * field by field into one buffer (util/json_writer.h), not through a json-c
 * tree: this runs for every event streamed with --all.  The same bytes as
 * the tree below (tests/unit/test_format.c).
 */
static void format_flat(const struct vbt_event *ev, const struct vbt_fmt *f,
			struct vbt_jw *wr)
{
	struct vbt_jw w = *wr;	/* a local copy the compiler can keep close */
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
		flat_block(&w, ev);
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
	case VBT_KIND_BIO:
		vbt_jw_str(&w, "dev", ev->bio.disk);
		vbt_jw_int(&w, "major", vbt_major(ev->bio.dev));
		vbt_jw_int(&w, "minor", vbt_minor(ev->bio.dev));
		vbt_jw_str(&w, "op", vbt_op_name(ev->bio.op));
		vbt_jw_u64(&w, "sector", ev->bio.sector);
		vbt_jw_u64(&w, "nr_sectors", ev->bio.nr_sectors);
		vbt_jw_u64(&w, "bytes", ev->bio.bytes);
		vbt_jw_str(&w, "status", vbt_blk_status_name(ev->bio.status));
		vbt_jw_bool(&w, "stacked", ev->bio.stacked);
		vbt_jw_bool(&w, "issuer_known", false);
		if (ev->bio.remap) {
			vbt_jw_str(&w, "from_dev", ev->bio.from_disk);
			vbt_jw_u64(&w, "from_sector", ev->bio.from_sector);
		}
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
	case VBT_KIND_STUCK:
		flat_stuck(&w, ev);
		break;
	case VBT_KIND_VM_STATE:
	case VBT_KIND_BACKEND_REMOVED:
		vbt_jw_str(&w, "state", ev->vmstate.state);
		vbt_jw_str(&w, "reason", ev->vmstate.reason);
		vbt_jw_str(&w, "state_source", ev->vmstate.source);
		break;
	}
	vbt_jw_u64(&w, "seq", ev->seq);
	flat_host(&w, &ev->host);
	*wr = w;
}

/* Nested parts (SCSI details, a cause chain) are rare: a json-c tree. */
static bool needs_tree(const struct vbt_event *ev)
{
	return (ev->kind == VBT_KIND_BLOCK && ev->blk.scsi.known) ||
	       (ev->kind == VBT_KIND_SYSCALL && ev->sys.nchain);
}

static char *format_tree(const struct vbt_event *ev, const struct vbt_fmt *f)
{
	struct json_object *o;
	char ts[48];
	char *out;

	o = json_object_new_object();
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

char *vbt_format_json(const struct vbt_event *ev, const struct vbt_fmt *f)
{
	struct vbt_jw w = { 0 };

	if (needs_tree(ev))
		return format_tree(ev, f);
	format_flat(ev, f, &w);
	return vbt_jw_end(&w);
}

const char *vbt_format_json_into(const struct vbt_event *ev,
				 const struct vbt_fmt *f, struct vbt_jw *w)
{
	const char *out;
	char *tree;

	if (!needs_tree(ev)) {
		format_flat(ev, f, w);
		return vbt_jw_finish(w);
	}
	tree = format_tree(ev, f);
	out = tree ? vbt_jw_copy(w, tree) : NULL;
	free(tree);
	return out;
}
