// SPDX-License-Identifier: GPL-2.0
/*
 * Folding a recording into the report model: groups of failures by (side,
 * what, op, errno, status), their first and last time and the likely
 * cause; block latency histogram; the span that was recorded.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "decode/clock.h"
#include "decode/names.h"
#include "decode/recording.h"
#include "decode/scsi_names.h"
#include "sink/report_render.h"
#include "util/json.h"

void vbt_report_time(uint64_t real_ns, char *buf, size_t len)
{
	vbt_format_tod_utc(real_ns, buf, len);
}

struct json_object *vbt_report_facts_drive(struct json_object *facts,
					   const char *vm_name, const char *drive)
{
	struct json_object *qemu = vbt_jget(facts, "qemu");
	size_t n = qemu ? json_object_array_length(qemu) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *vm = json_object_array_get_idx(qemu, i);
		struct json_object *drives = vbt_jget(vm, "drives");
		size_t nd = drives ? json_object_array_length(drives) : 0;
		const char *name = vbt_jstr(vm, "name");

		if (vm_name && vm_name[0] && name && strcmp(name, vm_name))
			continue;
		for (size_t k = 0; k < nd; k++) {
			struct json_object *d = json_object_array_get_idx(drives, k);
			const char *id = vbt_jstr(d, "id");

			if (id && drive && !strcmp(id, drive))
				return d;
		}
	}
	return NULL;
}

static void host_cause(const struct vbt_input *in, const struct vbt_event *ev,
		       char *buf, size_t len)
{
	struct json_object *d = vbt_report_facts_drive(in->facts, ev->host.vm,
							ev->host.drive);
	struct json_object *st = vbt_jget(d, "storage");
	const char *fs = vbt_jstr(st, "fstype");
	const char *filters = vbt_jstr(d, "filters");
	const char *sees = ev->host.guest_sees[0] ? ev->host.guest_sees : NULL;
	char tail[128] = "";

	if (sees)
		snprintf(tail, sizeof(tail), "; the guest sees %s (werror=%s "
			 "rerror=%s)", sees, ev->host.werror, ev->host.rerror);
	switch (ev->err) {
	case ENOSPC:
		snprintf(buf, len, "the file system holding %s%s%s%s is full%s",
			 ev->host.image[0] ? ev->host.image : "the image",
			 fs ? " (" : "", fs ? fs : "", fs ? ")" : "", tail);
		return;
	case EDQUOT:
		snprintf(buf, len, "a disk quota on the image's file system is "
			 "exhausted%s", tail);
		return;
	case EROFS:
		snprintf(buf, len, "the image's file system is read-only%s",
			 tail);
		return;
	case EINVAL:
		snprintf(buf, len, "the host rejected the request (EINVAL: "
			 "often O_DIRECT alignment, cache=%s)%s",
			 ev->host.cache[0] ? ev->host.cache : "?", tail);
		return;
	default:
		break;
	}
	if (ev->kind == VBT_KIND_SYSCALL && ev->sys.cause_seq)
		snprintf(buf, len, "a host block device failed (event %" PRIu64
			 ")%s", ev->sys.cause_seq, tail);
	else if (filters && strstr(filters, "blkdebug"))
		snprintf(buf, len, "the host I/O failed with %s%s",
			 vbt_errno_name(ev->err), tail);
	else
		snprintf(buf, len, "the host storage under %s failed the I/O "
			 "with %s (look for host block errors, FUSE/NFS "
			 "servers)%s", ev->host.image[0] ? ev->host.image :
			 "the image", vbt_errno_name(ev->err), tail);
}

void vbt_likely_cause(const struct vbt_input *in, const struct vbt_rec_event *re,
		      char *buf, size_t len)
{
	const struct vbt_event *ev = &re->ev;
	const struct vbt_block_info *b = &ev->blk;

	if (ev->kind == VBT_KIND_LOST) {
		snprintf(buf, len, "events were lost: the ring buffer was full");
		return;
	}
	if (ev->side == VBT_SIDE_HOST && ev->kind != VBT_KIND_BLOCK) {
		host_cause(in, ev, buf, len);
		return;
	}
	if (ev->kind == VBT_KIND_SYSCALL) {
		if (ev->sys.cause_seq)
			snprintf(buf, len, "a failed block request (event %"
				 PRIu64 ") surfaced as this syscall error",
				 ev->sys.cause_seq);
		else
			snprintf(buf, len, "no failed block request was seen "
				 "behind it: the file system or an earlier "
				 "writeback error");
		return;
	}
	if (ev->kind == VBT_KIND_BIO) {
		if (ev->bio.remap)
			snprintf(buf, len, "%s sent this bio down to %s: the "
				 "request it became failed there",
				 ev->bio.from_disk, ev->bio.disk);
		else
			snprintf(buf, len, "a stacked device's bio: the bios "
				 "it sent down failed (see the syscall's "
				 "cause_chain)");
		return;
	}
	if (ev->kind != VBT_KIND_BLOCK) {
		snprintf(buf, len, "%s", vbt_errno_name(ev->err));
		return;
	}
	/* An sd request: what its sense says, when it says something. */
	if (b->scsi.known && b->scsi.sense_key >= 0 && !b->not_issued) {
		const char *asc = vbt_asc_name(b->scsi.asc, b->scsi.ascq);
		const char *qe = vbt_scsi_qemu_errno(b->scsi.sense_key,
						     b->scsi.asc, b->scsi.ascq);

		snprintf(buf, len, "the SCSI device %s answered %s%s%s%s%s",
			 b->disk, vbt_sense_key_name(b->scsi.sense_key),
			 asc ? ": " : "", asc ? asc : "",
			 qe ? "; under QEMU's scsi-hd that is a host " : "",
			 qe ? qe : "");
		return;
	}
	if (b->not_issued)
		snprintf(buf, len, "the request never reached the device: the "
			 "%s block layer failed it (e.g. a failed preflush)",
			 ev->side == VBT_SIDE_HOST ? "host's" : "guest's");
	else if (b->virtio_status == VBT_VIRTIO_IOERR)
		snprintf(buf, len, "the hypervisor failed this request (virtio "
			 "IOERR): its cause is on the host; record there with "
			 "'vblktrace bundle' and join with 'vblktrace merge'");
	else if (b->virtio_status == VBT_VIRTIO_UNSUPP)
		snprintf(buf, len, "the virtual device does not support %s "
			 "(virtio UNSUPP): check the host drive's discard / "
			 "write-zeroes settings", vbt_op_name(b->op));
	else if (b->status == 3)
		snprintf(buf, len, "the device is out of space (thin "
			 "provisioning or a full backing file)");
	else if (b->status == 2)
		snprintf(buf, len, "the device did not answer in time");
	else if (b->status == 1)
		snprintf(buf, len, "the device does not support %s",
			 vbt_op_name(b->op));
	else
		snprintf(buf, len, "the device %s failed the request (%s)",
			 b->disk, b->status >= 0 ?
			 vbt_blk_status_name(b->status) : vbt_errno_name(ev->err));
}

static void group_key(const struct vbt_event *ev, struct vbt_report_group *g)
{
	memset(g, 0, sizeof(*g));
	g->side = ev->side;
	g->kind = ev->kind;
	g->op = -1;
	g->status = -1;
	g->virtio = VBT_VIRTIO_NONE;
	g->err = ev->err;
	switch (ev->kind) {
	case VBT_KIND_BLOCK:
		snprintf(g->what, sizeof(g->what), "%s", ev->blk.disk);
		g->op = ev->blk.op;
		g->status = ev->blk.status;
		g->virtio = ev->blk.virtio_status;
		break;
	case VBT_KIND_SYSCALL:
		snprintf(g->what, sizeof(g->what), "%s()",
			 vbt_sys_name(ev->sys.sys));
		break;
	case VBT_KIND_BIO:
		snprintf(g->what, sizeof(g->what), "%s bio", ev->bio.disk);
		g->op = ev->bio.op;
		g->status = ev->bio.status;
		break;
	default:
		snprintf(g->what, sizeof(g->what), "%s %s",
			 vbt_kind_name(ev->kind),
			 vbt_async_op_name(ev->kind, ev->async.opcode));
		break;
	}
	if (ev->host.known)
		snprintf(g->where, sizeof(g->where), "%.30s/%.30s",
			 ev->host.vm, ev->host.drive);
}

/* The same key from the compact event, for the kinds it holds. */
static void group_key_c(const struct vbt_crec *c, const struct vbt_cev *ev,
			int side, struct vbt_report_group *g)
{
	const struct vbt_chost *h = vbt_crec_host(c, ev);

	memset(g, 0, sizeof(*g));
	g->side = side;
	g->kind = ev->kind;
	g->op = -1;
	g->status = -1;
	g->virtio = VBT_VIRTIO_NONE;
	g->err = ev->err;
	if (ev->kind == VBT_KIND_BLOCK) {
		snprintf(g->what, sizeof(g->what), "%s",
			 vbt_crec_str(c, ev->disk));
		g->op = ev->op;
		g->status = ev->status;
		g->virtio = ev->virtio_status;
	} else if (ev->kind == VBT_KIND_SYSCALL) {
		snprintf(g->what, sizeof(g->what), "%s()",
			 vbt_sys_name(ev->op));
	} else {
		snprintf(g->what, sizeof(g->what), "%s %s",
			 vbt_kind_name(ev->kind),
			 vbt_async_op_name(ev->kind, ev->op));
	}
	if (h)
		snprintf(g->where, sizeof(g->where), "%.30s/%.30s",
			 vbt_crec_str(c, h->vm), vbt_crec_str(c, h->drive));
}

static bool same_group(const struct vbt_report_group *a,
		       const struct vbt_report_group *b)
{
	return a->side == b->side && a->kind == b->kind && a->op == b->op &&
	       a->err == b->err && a->status == b->status &&
	       a->virtio == b->virtio && !strcmp(a->what, b->what) &&
	       !strcmp(a->where, b->where);
}

static int lat_bucket(uint64_t ns)
{
	int b = 0;

	while (ns > 1 && b < VBT_REPORT_LAT_BUCKETS - 1) {
		ns >>= 1;
		b++;
	}
	return b;
}

/* A bundle says how long it recorded; a recording only when it had events. */
static void recorded_span(const struct vbt_input *in, struct vbt_report *r)
{
	struct json_object *span = vbt_jget(in->manifest, "span");
	const char *s = vbt_jstr(vbt_jget(span, "start"), "ts");
	const char *e = vbt_jstr(vbt_jget(span, "end"), "ts");
	uint64_t a, b;

	r->span_start_ns = r->start_ns;
	r->span_end_ns = r->end_ns;
	if (!s || !e || vbt_parse_rfc3339(s, &a) || vbt_parse_rfc3339(e, &b) ||
	    b < a)
		return;
	if (!r->span_start_ns || a < r->span_start_ns)
		r->span_start_ns = a;
	if (b > r->span_end_ns)
		r->span_end_ns = b;
}

/*
 * Every event is folded from its compact form (a million of them fit); the
 * kinds it does not hold (bio, stuck) and the first event of each group,
 * whose likely cause is told, are read in full.
 */
int vbt_report_build(const struct vbt_input *in, struct vbt_report *r)
{
	const struct vbt_recording *rec = &in->rec;
	const struct vbt_crec *c = &in->crec;
	int side = in->side == VBT_SIDE_HOST ? VBT_SIDE_HOST : VBT_SIDE_GUEST;
	struct vbt_rec_event *buf = malloc(sizeof(*buf));

	memset(r, 0, sizeof(*r));
	if (!buf)
		return -ENOMEM;
	r->in = in;
	r->start_ns = rec->first_real_ns;
	r->end_ns = rec->last_real_ns;
	recorded_span(in, r);
	for (size_t i = 0; i < c->n; i++) {
		const struct vbt_cev *ev = &c->ev[i];
		const struct vbt_rec_event *re = NULL;
		struct vbt_report_group key, *g = NULL;

		if (ev->kind == VBT_KIND_LOST) {
			r->lost += ev->len;
			continue;
		}
		r->events++;
		/* A stuck request that failed is its block record's group. */
		if (ev->kind == VBT_KIND_STUCK) {
			re = vbt_input_event(in, i, buf);
			if (re->ev.stuck.phase == VBT_STUCK_FOUND)
				r->stuck++;
			else
				r->stuck_ended++;
			continue;
		}
		if (ev->kind == VBT_KIND_BLOCK && ev->lat_ns) {
			int b = lat_bucket(ev->lat_ns);

			r->lat[b]++;
			if (ev->err)
				r->lat_errors[b]++;
			r->nlat++;
		}
		if (!ev->err)
			continue;
		r->errors++;
		if (ev->kind == VBT_KIND_BIO) {
			re = vbt_input_event(in, i, buf);
			group_key(&re->ev, &key);
		} else {
			group_key_c(c, ev, side, &key);
		}
		for (int k = 0; k < r->ngroups && !g; k++)
			if (same_group(&r->groups[k], &key))
				g = &r->groups[k];
		if (!g) {
			void *p = reallocarray(r->groups, r->ngroups + 1,
					       sizeof(*r->groups));

			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			r->groups = p;
			g = &r->groups[r->ngroups++];
			*g = key;
			g->first = i;
			g->first_ns = g->last_ns = ev->real_ns;
			if (!re)
				re = vbt_input_event(in, i, buf);
			vbt_likely_cause(in, re, g->cause, sizeof(g->cause));
		}
		g->count++;
		if (ev->real_ns < g->first_ns)
			g->first_ns = ev->real_ns;
		if (ev->real_ns > g->last_ns)
			g->last_ns = ev->real_ns;
	}
	free(buf);
	return 0;
}

void vbt_report_free(struct vbt_report *r)
{
	free(r->groups);
	memset(r, 0, sizeof(*r));
}
