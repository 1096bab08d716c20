// SPDX-License-Identifier: GPL-2.0
/* The JSON Lines view: the event records of docs/events.schema.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/names.h"
#include "decode/scsi_names.h"
#include "sink/format.h"
#include "system/disks.h"
#include "util/json_writer.h"

#define VBT_JSON_VERSION 1

/* A nested value built in @v, added to @w as @key's value. */
static void put_nested(struct vbt_jw *w, const char *key, struct vbt_jw *v)
{
	if (v->oom)
		w->oom = true;
	else
		vbt_jw_raw(w, key, v->buf, v->len);
	vbt_jw_free(v);
}

/* The SCSI command behind an sd request: result bytes and decoded sense. */
static void flat_scsi(struct vbt_jw *w, const struct vbt_scsi_info *si)
{
	struct vbt_jw s = { 0 };
	char addr[64], buf[24];
	const char *asc;

	snprintf(addr, sizeof(addr), "%u:%u:%u:%llu", si->host, si->channel,
		 si->id, (unsigned long long)si->lun);
	vbt_jw_begin(&s);
	vbt_jw_str(&s, "address", addr);
	vbt_jw_u64(&s, "result", si->result);
	vbt_jw_str(&s, "host_byte",
		   vbt_scsi_host_byte((si->result >> 16) & 0xff, buf,
				      sizeof(buf)));
	vbt_jw_str(&s, "driver_byte",
		   vbt_scsi_driver_byte((si->result >> 24) & 0xff, buf,
					sizeof(buf)));
	vbt_jw_str(&s, "status",
		   vbt_scsi_status_name(si->result & 0xff, buf, sizeof(buf)));
	vbt_jw_int(&s, "opcode", si->opcode);
	vbt_jw_int(&s, "tries", si->tries);
	if (si->sense_key >= 0) {
		vbt_jw_str(&s, "sense_key", vbt_sense_key_name(si->sense_key));
		if (si->asc >= 0) {
			vbt_jw_int(&s, "asc", si->asc);
			vbt_jw_int(&s, "ascq", si->ascq);
			asc = vbt_asc_name(si->asc, si->ascq);
			if (asc)
				vbt_jw_str(&s, "asc_text", asc);
		}
		if (si->deferred)
			vbt_jw_bool(&s, "deferred", true);
	}
	vbt_jw_put(&s, "}", 1);
	put_nested(w, "scsi", &s);
}

/* The stacked layers between a syscall and the request that failed it. */
static void flat_chain(struct vbt_jw *w, const struct vbt_sys_info *si)
{
	struct vbt_jw a = { 0 };

	if (!si->nchain)
		return;
	vbt_jw_put(&a, "[", 1);
	for (int i = 0; i < si->nchain; i++) {
		if (i)
			vbt_jw_put(&a, ",", 1);
		/* Each link an object of its own, written in place. */
		vbt_jw_put(&a, "{", 1);
		a.fields = false;
		vbt_jw_u64(&a, "seq", si->chain[i].seq);
		vbt_jw_str(&a, "dev", si->chain[i].disk);
		vbt_jw_u64(&a, "sector", si->chain[i].sector);
		vbt_jw_u64(&a, "nr_sectors", si->chain[i].nr_sectors);
		vbt_jw_str(&a, "status",
			   vbt_blk_status_name(si->chain[i].status));
		vbt_jw_put(&a, "}", 1);
	}
	vbt_jw_put(&a, "]", 1);
	put_nested(w, "cause_chain", &a);
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
	if (b->scsi.known)
		flat_scsi(w, &b->scsi);
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
		flat_chain(&w, &ev->sys);
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
		if (ev->lost_unseen)
			vbt_jw_str(&w, "cause", "unseen");
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

char *vbt_format_json(const struct vbt_event *ev, const struct vbt_fmt *f)
{
	struct vbt_jw w = { 0 };

	format_flat(ev, f, &w);
	return vbt_jw_end(&w);
}

const char *vbt_format_json_into(const struct vbt_event *ev,
				 const struct vbt_fmt *f, struct vbt_jw *w)
{
	format_flat(ev, f, w);
	return vbt_jw_finish(w);
}
