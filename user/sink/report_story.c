// SPDX-License-Identifier: GPL-2.0
/*
 * The opening of a report: the failures folded into classes (one origin,
 * one errno, one disk or drive), each with what happened, why, the
 * configuration that explains it and what to change.  A merge knows each
 * guest error's origin (correlate.h); a single recording says what its
 * own side can prove and names what is missing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "decode/names.h"
#include "decode/recording.h"
#include "sink/format.h"
#include "sink/report_html.h"
#include "sink/report_render.h"
#include "util/json.h"

/* What one failure contributes to its class. */
struct key {
	int origin;
	bool known;
	int side, err, host_err;
	char where[64];
	char host_what[80];
	char vm[64], drive[64];
	char why_detail[300];		/* correlate's sentence, if any */
	/* the host event whose drive facts the class takes, or NULL */
	const struct vbt_input *host_in;
	size_t host_i;
};

static int side_of(const struct vbt_input *in)
{
	return in->side == VBT_SIDE_HOST ? VBT_SIDE_HOST : VBT_SIDE_GUEST;
}

static void host_what(const struct vbt_crec *c, const struct vbt_cev *he,
		      char *buf, size_t len)
{
	if (he->kind == VBT_KIND_BLOCK)
		snprintf(buf, len, "%s", vbt_crec_str(c, he->disk));
	else if (he->kind == VBT_KIND_SYSCALL)
		snprintf(buf, len, "%s()", vbt_sys_name(he->op));
	else
		snprintf(buf, len, "%s %s", vbt_kind_name(he->kind),
			 vbt_async_op_name(he->kind, he->op));
}

/* A guest error of a merge: its join says where it came from. */
static void key_merge(const struct vbt_page *p, const struct vbt_join *j,
		      struct key *k)
{
	const struct vbt_crec *g = &p->r->in->crec;
	const struct vbt_cev *ev = &g->ev[j->guest];
	const struct vbt_crec *h = &p->host->in->crec;

	k->origin = j->origin;
	k->known = j->origin != VBT_ORIGIN_UNKNOWN;
	k->side = VBT_SIDE_GUEST;
	k->host_err = j->host_err;
	if (j->disk >= 0) {
		const struct vbt_disk_pair *d = &p->c->disks[j->disk];

		snprintf(k->where, sizeof(k->where), "%s", d->guest);
		if (d->matched) {
			snprintf(k->vm, sizeof(k->vm), "%s", d->vm);
			snprintf(k->drive, sizeof(k->drive), "%s", d->drive);
		}
	} else {
		snprintf(k->where, sizeof(k->where), "%.63s",
			 ev->kind == VBT_KIND_BLOCK ? vbt_crec_str(g, ev->disk) :
			 ev->kind == VBT_KIND_SYSCALL ?
			 vbt_crec_str(g, ev->path) : "?");
	}
	if (j->host >= 0 && vbt_crec_host(h, &h->ev[j->host])) {
		k->host_in = p->host->in;
		k->host_i = j->host;
	}
	if (j->origin == VBT_ORIGIN_HOST_DEVICE && j->host_block >= 0)
		host_what(h, &h->ev[j->host_block], k->host_what,
			  sizeof(k->host_what));
	else if (j->host >= 0)
		host_what(h, &h->ev[j->host], k->host_what,
			  sizeof(k->host_what));
	if (j->origin == VBT_ORIGIN_UNKNOWN)
		snprintf(k->why_detail, sizeof(k->why_detail), "%.299s", j->why);
}

/* A failure of a single recording: what its own side can prove. */
static void key_single(const struct vbt_page *p, size_t i, struct key *k)
{
	const struct vbt_input *in = p->r->in;
	const struct vbt_crec *rec = &in->crec;
	const struct vbt_cev *ev = &rec->ev[i];
	const struct vbt_chost *h = vbt_crec_host(rec, ev);
	int side = side_of(in);

	k->side = side;
	if (ev->kind == VBT_KIND_SYSCALL && ev->cause_seq) {
		long ci = vbt_html_index(p, 0, ev->cause_seq);

		if (ci >= 0 && rec->ev[ci].kind == VBT_KIND_BLOCK) {
			key_single(p, ci, k);
			if (side == VBT_SIDE_HOST && h) {
				/* the host syscall names the drive */
				k->host_in = in;
				k->host_i = i;
				snprintf(k->vm, sizeof(k->vm), "%s",
					 vbt_crec_str(rec, h->vm));
				snprintf(k->drive, sizeof(k->drive), "%s",
					 vbt_crec_str(rec, h->drive));
			}
			return;
		}
	}
	if (side == VBT_SIDE_HOST) {
		k->known = true;
		k->host_err = ev->err;
		if (h) {
			k->host_in = in;
			k->host_i = i;
			snprintf(k->vm, sizeof(k->vm), "%s",
				 vbt_crec_str(rec, h->vm));
			snprintf(k->drive, sizeof(k->drive), "%s",
				 vbt_crec_str(rec, h->drive));
			snprintf(k->where, sizeof(k->where), "%.30s/%.30s",
				 vbt_crec_str(rec, h->vm),
				 vbt_crec_str(rec, h->drive));
		} else if (ev->kind == VBT_KIND_BLOCK ||
			   ev->kind == VBT_KIND_SYSCALL ||
			   ev->kind == VBT_KIND_IO_URING ||
			   ev->kind == VBT_KIND_AIO) {
			snprintf(k->where, sizeof(k->where), "%.63s",
				 vbt_crec_str(rec, ev->kind == VBT_KIND_BLOCK ?
					      ev->disk : ev->path));
		} else {
			/* a kind the compact event holds no path of */
			struct vbt_rec_event *buf = malloc(sizeof(*buf));

			if (buf)
				snprintf(k->where, sizeof(k->where), "%.63s",
					 vbt_input_event(in, i, buf)->ev.async.path);
			free(buf);
		}
		host_what(rec, ev, k->host_what, sizeof(k->host_what));
		k->origin = ev->kind == VBT_KIND_BLOCK ?
			    VBT_ORIGIN_HOST_DEVICE : VBT_ORIGIN_HOST_SYSCALL;
		return;
	}
	snprintf(k->where, sizeof(k->where), "%.63s",
		 ev->kind == VBT_KIND_BLOCK ? vbt_crec_str(rec, ev->disk) :
		 ev->kind == VBT_KIND_SYSCALL ? vbt_crec_str(rec, ev->path) :
		 "?");
	if (ev->kind == VBT_KIND_BLOCK && ev->virtio_status ==
	    VBT_VIRTIO_IOERR) {
		k->known = false;	/* the hypervisor: which layer? */
		k->origin = VBT_ORIGIN_UNKNOWN;
		return;
	}
	k->known = true;
	k->origin = VBT_ORIGIN_GUEST;
}

static bool same(const struct vbt_story_class *c, const struct key *k)
{
	return c->origin == k->origin && c->origin_known == k->known &&
	       c->side == k->side && c->host_err == k->host_err &&
	       !strcmp(c->where, k->where) && !strcmp(c->vm, k->vm) &&
	       !strcmp(c->drive, k->drive);
}

static struct vbt_story_class *class_of(struct vbt_story *s,
					const struct key *k, int err)
{
	struct vbt_story_class *c;
	void *n;

	/* failures come in runs of one class: try the last one first */
	if (s->last >= 0 && s->last < s->n && same(&s->c[s->last], k))
		return &s->c[s->last];
	for (int i = 0; i < s->n; i++)
		if (same(&s->c[i], k))
			return &s->c[(s->last = i)];
	n = reallocarray(s->c, s->n + 1, sizeof(*s->c));
	if (!n)
		return NULL;
	s->c = n;
	s->last = s->n;
	c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	c->origin = k->origin;
	c->origin_known = k->known;
	c->side = k->side;
	c->err = err;
	c->host_err = k->host_err;
	snprintf(c->where, sizeof(c->where), "%s", k->where);
	snprintf(c->host_what, sizeof(c->host_what), "%s", k->host_what);
	snprintf(c->vm, sizeof(c->vm), "%s", k->vm);
	snprintf(c->drive, sizeof(c->drive), "%s", k->drive);
	c->first_ns = UINT64_MAX;
	if (k->host_in) {
		/* the drive facts the host event says: read it in full */
		struct vbt_rec_event *buf = malloc(sizeof(*buf));

		if (!buf)
			return NULL;
		c->host = vbt_input_event(k->host_in, k->host_i, buf)->ev.host;
		free(buf);
	}
	return c;
}

static void count(struct vbt_story_class *c, const struct vbt_cev *ev,
		  int ev_side, char side, bool listed)
{
	if (ev->kind == VBT_KIND_BLOCK)
		c->requests++;
	else if (ev->kind == VBT_KIND_SYSCALL && ev_side == c->side)
		c->syscalls++;
	else
		c->other++;
	/* the request's errno tells best; a syscall's when there is none */
	if (ev->err && (!c->err || (ev->kind == VBT_KIND_BLOCK &&
				    c->requests == 1)))
		c->err = ev->err;
	if (ev->real_ns < c->first_ns)
		c->first_ns = ev->real_ns;
	/* the link goes to the first failure the page lists */
	if (listed && (!c->anchor[0] || ev->real_ns < c->anchor_ns)) {
		c->anchor_ns = ev->real_ns;
		vbt_html_id(c->anchor, sizeof(c->anchor), side, ev->seq);
	}
	if (ev->real_ns > c->last_ns)
		c->last_ns = ev->real_ns;
}

/* ---- the sentences ---------------------------------------------------------- */

struct drive_facts {
	const char *aio, *cache, *werror, *rerror, *image, *format, *filters;
	const char *fstype, *mountpoint, *devs;
	int64_t size, allocated;
	char devbuf[160];
};

static const char *or(const char *s, const char *dflt)
{
	return s && s[0] ? s : dflt;
}

static void drive_facts(const struct vbt_page *p, const struct vbt_story_class *c,
			struct drive_facts *d)
{
	const struct vbt_input *hin = p->host ? p->host->in : p->r->in;
	struct json_object *j = c->drive[0] ?
		vbt_report_facts_drive(hin->facts, c->vm, c->drive) : NULL;
	struct json_object *st = vbt_jget(j, "storage");
	struct json_object *bd = vbt_jget(st, "block_devices");
	size_t n = bd && json_object_is_type(bd, json_type_array) ?
		   json_object_array_length(bd) : 0;
	size_t used = 0;

	memset(d, 0, sizeof(*d));
	d->aio = vbt_jstr(j, "aio");
	d->cache = vbt_jstr(j, "cache");
	d->werror = vbt_jstr(j, "werror");
	d->rerror = vbt_jstr(j, "rerror");
	d->image = vbt_jstr(j, "image");
	d->format = vbt_jstr(j, "format");
	d->filters = vbt_jstr(j, "filters");
	d->fstype = vbt_jstr(st, "fstype");
	d->mountpoint = vbt_jstr(st, "mountpoint");
	d->size = json_object_get_int64(vbt_jget(st, "size"));
	d->allocated = json_object_get_int64(vbt_jget(st, "allocated"));
	for (size_t i = 0; i < n && used + 40 < sizeof(d->devbuf); i++) {
		const char *name = vbt_jstr(json_object_array_get_idx(bd, i),
					    "name");

		if (name)
			used += snprintf(d->devbuf + used, sizeof(d->devbuf) -
					 used, "%s%.32s", used ? ", " : "",
					 name);
	}
	d->devs = d->devbuf[0] ? d->devbuf : NULL;
	if (j || !c->host.known)
		return;
	/* no facts (a plain recording): what the host events carried */
	d->aio = c->host.aio[0] ? c->host.aio : NULL;
	d->cache = c->host.cache[0] ? c->host.cache : NULL;
	d->werror = c->host.werror[0] ? c->host.werror : NULL;
	d->rerror = c->host.rerror[0] ? c->host.rerror : NULL;
	d->image = c->host.image[0] ? c->host.image : NULL;
	d->format = c->host.format[0] ? c->host.format : NULL;
}

static void config_sentence(const struct vbt_story_class *c,
			    const struct drive_facts *d, char *buf, size_t len)
{
	size_t u;

	if (!c->drive[0]) {
		snprintf(buf, len, "%s", c->side == VBT_SIDE_GUEST ?
			 "The host configuration is not in this bundle." : "");
		return;
	}
	u = snprintf(buf, len, "QEMU drive %s of VM %s: aio=%s, cache=%s, "
		     "werror=%s, rerror=%s, %s image %s", c->drive,
		     or(c->vm, "?"), or(d->aio, "?"), or(d->cache, "?"),
		     or(d->werror, "?"), or(d->rerror, "?"),
		     or(d->format, "unknown format"), or(d->image, "?"));
	if (u < len && d->fstype)
		u += snprintf(buf + u, len - u, " on %s%s%s", d->fstype,
			      d->mountpoint ? " at " : "",
			      or(d->mountpoint, ""));
	if (u < len && d->devs)
		u += snprintf(buf + u, len - u, " (host block devices: %s)",
			      d->devs);
	if (u < len && d->filters)
		u += snprintf(buf + u, len - u, ", filters: %s", d->filters);
	if (u < len)
		snprintf(buf + u, len - u, ".");
}

/* What the error policy made of a host error, for the guest. */
static const char *policy_effect(const struct drive_facts *d, bool enospc)
{
	const char *w = d->werror;

	if (!w)
		return "";
	if (!strcmp(w, "report"))
		return " werror=report hands the error to the guest, which "
		       "sees an I/O error.";
	if (!strcmp(w, "ignore"))
		return " werror=ignore tells the guest the write succeeded: "
		       "its data is lost silently.";
	if (!strcmp(w, "stop") || (!strcmp(w, "enospc") && enospc))
		return " The error policy pauses the VM until it is resumed.";
	return " werror=enospc reports this error to the guest (only ENOSPC "
	       "pauses the VM).";
}

static void why_host_errno(const struct vbt_story_class *c,
			   const struct drive_facts *d, char *why, size_t wl,
			   char *todo, size_t tl)
{
	const char *img = or(d->image, "the image");
	char sparse[200] = "";

	switch (c->host_err) {
	case ENOSPC:
		if (d->size > 0 && d->allocated < d->size) {
			char al[24], sz[24];

			vbt_format_bytes(d->allocated, al, sizeof(al));
			vbt_format_bytes(d->size, sz, sizeof(sz));
			snprintf(sparse, sizeof(sparse), ": the image is "
				 "sparse (%s of %s allocated when the facts "
				 "were collected) and every guest write to a "
				 "hole needs new space", al, sz);
		}
		snprintf(why, wl, "The file system holding %s%s%s%s is "
			 "full%s.%s", img, d->fstype ? " (" : "",
			 or(d->fstype, ""), d->fstype ? ")" : "", sparse,
			 policy_effect(d, true));
		snprintf(todo, tl, "Free space on %s or grow it, and "
			 "preallocate the image (qemu-img create -o "
			 "preallocation=falloc, or fallocate) so the guest "
			 "cannot outgrow it. To pause the VM instead of "
			 "failing guest writes while space is short, use "
			 "werror=enospc (libvirt error_policy='enospace').",
			 or(d->mountpoint, "the image's file system"));
		return;
	case EDQUOT:
		snprintf(why, wl, "A disk quota on the file system of %s is "
			 "exhausted.%s", img, policy_effect(d, false));
		snprintf(todo, tl, "Raise the quota of the QEMU user, or move "
			 "the image.");
		return;
	case EROFS:
		snprintf(why, wl, "The file system of %s is read-only (it may "
			 "have been remounted after an error).%s", img,
			 policy_effect(d, false));
		snprintf(todo, tl, "Check the host's kernel log for the "
			 "file system error, repair it and remount read-write.");
		return;
	case EINVAL:
		snprintf(why, wl, "The host refused the request: with "
			 "cache=%s the image is opened with O_DIRECT, which "
			 "needs offsets and lengths aligned to the host's "
			 "logical block size.%s", or(d->cache, "?"),
			 policy_effect(d, false));
		snprintf(todo, tl, "Give the guest disk the host's logical "
			 "block size (logical_block_size=), or use "
			 "cache=writeback on this storage.");
		return;
	default:
		snprintf(why, wl, "The host storage under %s failed QEMU's I/O "
			 "with %s, with no host block device error behind it "
			 "(a FUSE or network file system server, or a "
			 "device this host does not trace).%s", img,
			 vbt_errno_name(c->host_err), policy_effect(d, false));
		snprintf(todo, tl, "Look at the server or file system under "
			 "%s; the host's kernel log may say more.", img);
	}
}

static void sentences(const struct vbt_page *p, struct vbt_story_class *c)
{
	struct drive_facts d;
	char detail[sizeof(c->why)];
	bool blkdebug;
	size_t u;

	snprintf(detail, sizeof(detail), "%s", c->why);
	drive_facts(p, c, &d);
	u = 0;
	if (c->requests)
		u += snprintf(c->what, sizeof(c->what), "%" PRIu64 " failed "
			      "request%s", c->requests, c->requests == 1 ?
			      "" : "s");
	if (c->syscalls && u < sizeof(c->what))
		u += snprintf(c->what + u, sizeof(c->what) - u, "%s%" PRIu64
			      " failed syscall%s", u ? ", " : "", c->syscalls,
			      c->syscalls == 1 ? "" : "s");
	if (c->other && u < sizeof(c->what))
		u += snprintf(c->what + u, sizeof(c->what) - u, "%s%" PRIu64
			      " failed async I/O%s", u ? ", " : "", c->other,
			      c->other == 1 ? "" : "s");
	if (u < sizeof(c->what))
		snprintf(c->what + u, sizeof(c->what) - u, " on %s", c->where);
	config_sentence(c, &d, c->config, sizeof(c->config));
	if (!c->origin_known && c->origin == VBT_ORIGIN_UNKNOWN &&
	    c->side == VBT_SIDE_GUEST && !p->c) {
		snprintf(c->why, sizeof(c->why), "The virtual device answered "
			 "%s (virtio IOERR): QEMU failed these requests, so "
			 "the cause is on the hypervisor, and this bundle "
			 "holds only the guest's side.",
			 vbt_errno_name(c->err));
		snprintf(c->change, sizeof(c->change), "Record the host while "
			 "it happens (vblktrace bundle --side host on the "
			 "hypervisor) and join both: vblktrace merge --format "
			 "html GUEST HOST.");
		return;
	}
	switch (c->origin) {
	case VBT_ORIGIN_HOST_SYSCALL:
		why_host_errno(c, &d, c->why, sizeof(c->why), c->change,
			       sizeof(c->change));
		return;
	case VBT_ORIGIN_HOST_DEVICE:
		snprintf(c->why, sizeof(c->why), "The host block device %s "
			 "failed with %s%s%s", or(c->host_what, "under the image"),
			 vbt_errno_name(c->host_err), c->host_err == ENOSPC ?
			 ": it is out of space (thin provisioning, or a loop "
			 "device over a full file system)" : "", c->drive[0] ?
			 ", and QEMU passed the error on." : ".");
		if (c->drive[0])
			snprintf(c->why + strlen(c->why), sizeof(c->why) -
				 strlen(c->why), "%s", policy_effect(&d, false));
		snprintf(c->change, sizeof(c->change), "%s %s on the host%s",
			 c->host_err == ENOSPC ? "Give room to" : "Check",
			 or(c->host_what, "the host device"),
			 c->host_err == ENOSPC ? ": extend the thin pool, or "
			 "the file system under the loop device." : " (its "
			 "kernel log, SMART, the layers under it: dm, loop, "
			 "multipath); move the image while it is failing.");
		return;
	case VBT_ORIGIN_QEMU_INTERNAL:
		blkdebug = d.filters && strstr(d.filters, "blkdebug");
		snprintf(c->why, sizeof(c->why), "No host syscall or device "
			 "failed: QEMU ended the requests itself%s",
			 blkdebug ? ". The drive has a blkdebug filter, "
			 "which injects errors by design." :
			 d.aio && !strcmp(d.aio, "native") ?
			 "; but aio=native completions are invisible to "
			 "this host's tracepoints, so a host failure is not "
			 "ruled out." : " (a detached backend, an error "
			 "policy, a filter or a format-level error).");
		snprintf(c->change, sizeof(c->change), "%s", blkdebug ?
			 "Remove the blkdebug filter from the drive: it is a "
			 "test configuration." : "Read QEMU's log and its "
			 "BLOCK_IO_ERROR events for this drive (virsh "
			 "domblkerror).");
		return;
	case VBT_ORIGIN_GUEST:
		snprintf(c->why, sizeof(c->why), "%s", c->requests ?
			 "The device did not report a virtio error: the "
			 "guest's own storage stack failed these requests." :
			 "No failed block request is behind these syscalls: "
			 "the file system, or an earlier writeback error "
			 "reported late.");
		snprintf(c->change, sizeof(c->change), "Look inside the "
			 "guest: its kernel log, the file system, the driver.");
		return;
	default:
		snprintf(c->why, sizeof(c->why), "The host recording cannot "
			 "say: %.500s.", detail[0] ? detail : "not covered");
		snprintf(c->change, sizeof(c->change), "Record the host for "
			 "the whole time, with the VM's drives known (facts), "
			 "and merge again.");
	}
}

int vbt_story_build(const struct vbt_page *p, struct vbt_story *s)
{
	const struct vbt_crec *rec = &p->r->in->crec;
	int ev_side = side_of(p->r->in);
	char side = vbt_html_side(p, 0);

	memset(s, 0, sizeof(*s));
	s->last = -1;
	if (p->c) {
		for (size_t i = 0; i < p->c->njoins; i++) {
			const struct vbt_join *j = &p->c->joins[i];
			const struct vbt_cev *re = &rec->ev[j->guest];
			struct vbt_story_class *c;
			struct key k = { 0 };

			key_merge(p, j, &k);
			c = class_of(s, &k, re->kind == VBT_KIND_BLOCK ?
				     re->err : 0);
			if (!c)
				return -ENOMEM;
			if (k.why_detail[0] && !c->why[0])
				snprintf(c->why, sizeof(c->why), "%s",
					 k.why_detail);
			count(c, re, ev_side, side,
			      vbt_html_listed(p, 0, j->guest));
		}
	} else {
		for (size_t i = 0; i < rec->n; i++) {
			const struct vbt_cev *re = &rec->ev[i];
			struct vbt_story_class *c;
			struct key k = { 0 };

			if (!re->err || re->kind == VBT_KIND_LOST)
				continue;
			key_single(p, i, &k);
			c = class_of(s, &k, re->kind == VBT_KIND_BLOCK ?
				     re->err : 0);
			if (!c)
				return -ENOMEM;
			count(c, re, ev_side, side, vbt_html_listed(p, 0, i));
		}
	}
	for (int i = 0; i < s->n; i++) {
		if (!s->c[i].err)
			s->c[i].err = s->c[i].host_err;
		sentences(p, &s->c[i]);
	}
	return 0;
}

void vbt_story_free(struct vbt_story *s)
{
	free(s->c);
	memset(s, 0, sizeof(*s));
}
