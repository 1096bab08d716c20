// SPDX-License-Identifier: GPL-2.0
/*
 * The human view: one line per event, readable on a serial console.
 * Colour (only when asked for, i.e. on a TTY) marks errors red and lost
 * records yellow; nothing else depends on terminal features.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decode/names.h"
#include "decode/scsi_names.h"
#include "sink/format.h"
#include "util/text_safe.h"

#define RED	"\033[31m"
#define YELLOW	"\033[33m"
#define RESET	"\033[0m"

void vbt_format_bytes(uint64_t bytes, char *buf, size_t len)
{
	if (bytes < 1024 || bytes % 1024)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else if (bytes < 1024 * 1024 || bytes % (1024 * 1024))
		snprintf(buf, len, "%" PRIu64 " KiB", bytes / 1024);
	else
		snprintf(buf, len, "%" PRIu64 " MiB", bytes / (1024 * 1024));
}

void vbt_format_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%" PRIu64 " us", ns / 1000);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
}

static int fmt_block(const struct vbt_event *ev, const struct vbt_fmt *f,
		     char *buf, size_t len)
{
	const struct vbt_block_info *b = &ev->blk;
	const char *vs = vbt_virtio_status_name(b->virtio_status);
	char size[32], lat[32] = "", status[80], who[64], scsi[240] = "";
	bool err = ev->err != 0;

	vbt_format_bytes(b->bytes, size, sizeof(size));
	if (b->lat_ns)
		vbt_format_duration(b->lat_ns, lat, sizeof(lat));

	if (!err)
		snprintf(status, sizeof(status), "OK");
	else if (b->not_issued && b->status >= 0)
		snprintf(status, sizeof(status), "%s (%s, never reached the device)",
			 vbt_errno_name(ev->err), vbt_blk_status_name(b->status));
	else if (b->status < 0)
		snprintf(status, sizeof(status), "%s", vbt_errno_name(ev->err));
	else if (vs && b->virtio_status != 0)
		snprintf(status, sizeof(status), "%s (%s, virtio %s%s)",
			 vbt_errno_name(ev->err),
			 vbt_blk_status_name(b->status), vs,
			 b->virtio_derived ? "?" : "");
	else
		snprintf(status, sizeof(status), "%s (%s)",
			 vbt_errno_name(ev->err),
			 vbt_blk_status_name(b->status));

	if (b->issuer_known)
		snprintf(who, sizeof(who), "%s[%u]", vbt_ts(ev->comm), ev->pid);
	else
		snprintf(who, sizeof(who), "issuer unknown (completed in %s)",
			 vbt_ts(ev->comm));

	if (b->scsi.known) {
		memcpy(scsi, "  [scsi ", 8);
		vbt_scsi_describe(&b->scsi, scsi + 8, sizeof(scsi) - 9);
		strcat(scsi, "]");
	}
	return snprintf(buf, len, "%-6s %-12s %" PRIu64 "+%u %s %s%s%s %s%s%s%s",
			b->disk[0] ? vbt_ts(b->disk) : "?", vbt_op_name(b->op),
			b->sector, b->nr_sectors, size,
			f->color && err ? RED : "", status,
			f->color && err ? RESET : "", who,
			lat[0] ? "  " : "", lat, scsi);
}

static int fmt_syscall(const struct vbt_event *ev, const struct vbt_fmt *f,
		       char *buf, size_t len)
{
	const struct vbt_sys_info *s = &ev->sys;
	const struct vbt_block_info *c = &s->cause;
	char size[32], off[48] = "", cause[256] = "", chain[256] = "";
	const char *vs;
	size_t n = 0;

	vbt_format_bytes(s->len, size, sizeof(size));
	if (s->offset != UINT64_MAX)
		snprintf(off, sizeof(off), ", off %" PRIu64, s->offset);
	/* "<- dm-0 0+8 -> vda WRITE 2048+8 IOERR": the stack, top first. */
	for (int i = 0; i < s->nchain && n < sizeof(chain); i++)
		n += snprintf(chain + n, sizeof(chain) - n, " %s %" PRIu64
			      "+%u ->", vbt_ts(s->chain[i].disk), s->chain[i].sector,
			      s->chain[i].nr_sectors);
	if (s->cause_seq) {
		vs = vbt_virtio_status_name(c->virtio_status);
		snprintf(cause, sizeof(cause), "  <-%s %s %s %" PRIu64 "+%u %s%s%s%s",
			 chain, vbt_ts(c->disk), vbt_op_name(c->op), c->sector,
			 c->nr_sectors,
			 c->status >= 0 ? vbt_blk_status_name(c->status) : "",
			 vs && c->virtio_status ? " (virtio " : "",
			 vs && c->virtio_status ? vs : "",
			 vs && c->virtio_status ? ")" : "");
		/* An sd request: its sense says more than the status. */
		if (c->scsi.known && c->scsi.sense_key >= 0) {
			const char *asc = vbt_asc_name(c->scsi.asc,
						       c->scsi.ascq);
			size_t m = strlen(cause);

			snprintf(cause + m, sizeof(cause) - m, " (%s%s%s)",
				 vbt_sense_key_name(c->scsi.sense_key),
				 asc ? ": " : "", asc ? asc : "");
		}
	}
	return snprintf(buf, len, "%s[%u] %s(%s%s, %s) = %s-%s%s%s",
			vbt_ts(ev->comm), ev->pid, vbt_sys_name(s->sys),
			s->path[0] ? vbt_ts(s->path) : "?", off, size,
			f->color ? RED : "", vbt_errno_name(ev->err),
			f->color ? RESET : "", cause);
}

static int fmt_bio(const struct vbt_event *ev, const struct vbt_fmt *f,
		   char *buf, size_t len)
{
	const struct vbt_bio_info *b = &ev->bio;
	char size[32], from[80] = "";

	vbt_format_bytes(b->bytes, size, sizeof(size));
	if (b->remap)
		snprintf(from, sizeof(from), "  sent down by %s at %" PRIu64,
			 b->from_disk[0] ? vbt_ts(b->from_disk) : "?",
			 b->from_sector);
	return snprintf(buf, len, "%-6s %-12s %" PRIu64 "+%u %s %s%s (%s)%s bio%s%s",
			b->disk[0] ? vbt_ts(b->disk) : "?", vbt_op_name(b->op),
			b->sector, b->nr_sectors, size, f->color ? RED : "",
			vbt_errno_name(ev->err), vbt_blk_status_name(b->status),
			f->color ? RESET : "",
			b->stacked ? " of a stacked device" : "", from);
}

/*
 * "vda READ 2048+8 4 KiB STUCK in flight for 2.31 s  dd[412]", and at the
 * end "... was stuck (#7): completed after 4.52 s".
 */
static int fmt_stuck(const struct vbt_event *ev, const struct vbt_fmt *f,
		     char *buf, size_t len)
{
	const struct vbt_stuck_info *st = &ev->stuck;
	char size[32], age[32], who[64], what[128], ref[32] = "";

	vbt_format_bytes(st->bytes, size, sizeof(size));
	vbt_format_duration(st->age_ns, age, sizeof(age));
	if (st->issuer_known)
		snprintf(who, sizeof(who), "%s[%u]", vbt_ts(ev->comm), ev->pid);
	else
		snprintf(who, sizeof(who), "issuer unknown");
	if (st->found_seq)
		snprintf(ref, sizeof(ref), " (#%llu)",
			 (unsigned long long)st->found_seq);
	if (st->phase == VBT_STUCK_FOUND)
		snprintf(what, sizeof(what), "%sSTUCK%s in flight for %s",
			 f->color ? YELLOW : "", f->color ? RESET : "", age);
	else if (st->phase == VBT_STUCK_ENDED && st->status > 0)
		snprintf(what, sizeof(what), "was stuck%s: %sfailed%s (%s) "
			 "after %s", ref, f->color ? RED : "",
			 f->color ? RESET : "", vbt_blk_status_name(st->status),
			 age);
	else if (st->phase == VBT_STUCK_ENDED)
		snprintf(what, sizeof(what), "was stuck%s: completed after %s",
			 ref, age);
	else
		snprintf(what, sizeof(what), "was stuck%s: ended within %s "
			 "(between two scans)", ref, age);
	return snprintf(buf, len, "%-6s %-12s %" PRIu64 "+%u %s %s  %s",
			st->disk[0] ? vbt_ts(st->disk) : "?",
			vbt_op_name(st->op), st->sector, st->nr_sectors, size,
			what, who);
}

static int fmt_async(const struct vbt_event *ev, const struct vbt_fmt *f,
		     char *buf, size_t len)
{
	const struct vbt_async_info *a = &ev->async;
	char size[32];

	vbt_format_bytes(a->len, size, sizeof(size));
	return snprintf(buf, len, "%s[%u] %s %s(%s, off %" PRIu64 ", %s) = %s-%s%s",
			vbt_ts(ev->comm), ev->pid, vbt_kind_name(ev->kind),
			vbt_async_op_name(ev->kind, a->opcode),
			a->path[0] ? vbt_ts(a->path) : "?", a->offset, size,
			f->color ? RED : "", vbt_errno_name(ev->err),
			f->color ? RESET : "");
}

/* " [vm web1 virtio-disk0 aio=io_uring cache=none -> guest sees IOERR]" */
static int fmt_host(const struct vbt_host_info *h, char *buf, size_t len)
{
	if (!h->known)
		return 0;
	char retry[64] = "";

	if (h->retry_of)
		snprintf(retry, sizeof(retry), "; retried after resume, first "
			 "failed as #%llu", (unsigned long long)h->retry_of);
	return snprintf(buf, len, "  [vm %s%s%s%s%s%s%s%s%s%s]", vbt_ts(h->vm),
			h->drive[0] ? " " : "", vbt_ts(h->drive),
			h->aio[0] ? " aio=" : "", vbt_ts(h->aio),
			h->cache[0] ? " cache=" : "", vbt_ts(h->cache),
			h->guest_sees[0] ? " -> guest sees " : "",
			vbt_ts(h->guest_sees), retry);
}

int vbt_format_text(const struct vbt_event *ev, const struct vbt_fmt *f,
		    char *buf, size_t len)
{
	char tod[32];
	int n;

	vbt_format_tod(ev->mono_ns + f->clock->mono_to_real_ns, tod,
		       sizeof(tod));
	n = snprintf(buf, len, "%s ", tod);
	if (n < 0 || (size_t)n >= len)
		return n;
	buf += n;
	len -= n;

	switch (ev->kind) {
	case VBT_KIND_BLOCK:
		n += fmt_block(ev, f, buf, len);
		break;
	case VBT_KIND_SYSCALL:
		n += fmt_syscall(ev, f, buf, len);
		break;
	case VBT_KIND_BIO:
		n += fmt_bio(ev, f, buf, len);
		break;
	case VBT_KIND_STUCK:
		n += fmt_stuck(ev, f, buf, len);
		break;
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		n += fmt_async(ev, f, buf, len);
		break;
	case VBT_KIND_LOST:
		return n + snprintf(buf, len,
				    "%s%" PRIu64 " events lost in the kernel "
				    "(%s)%s",
				    f->color ? YELLOW : "", ev->lost,
				    ev->lost_unseen ?
					    "completions the disk counted that "
					    "never ran vblktrace's programs" :
					    "ring buffer full",
				    f->color ? RESET : "");
	case VBT_KIND_VM_STATE:
		return n + snprintf(buf, len, "%sVM %s (pid %u) is %s%s%s%s "
				    "[%s]%s", f->color ? YELLOW : "",
				    ev->host.vm[0] ? ev->host.vm : "?", ev->pid,
				    ev->vmstate.state,
				    ev->vmstate.reason[0] ? " (" : "",
				    ev->vmstate.reason,
				    ev->vmstate.reason[0] ? ")" : "",
				    ev->vmstate.source, f->color ? RESET : "");
	case VBT_KIND_BACKEND_REMOVED:
		return n + snprintf(buf, len, "%sVM %s (pid %u) drive %s: its "
				    "image %s was closed while the VM runs "
				    "(drive_del?): the guest keeps a disk with "
				    "no backend [%s]%s", f->color ? YELLOW : "",
				    ev->host.vm[0] ? ev->host.vm : "?", ev->pid,
				    ev->host.drive[0] ? ev->host.drive : "?",
				    ev->host.image[0] ? ev->host.image : "",
				    ev->vmstate.source, f->color ? RESET : "");
	default:
		return n + snprintf(buf, len, "unknown event kind %d", ev->kind);
	}
	if (ev->host.known && (size_t)n < len)
		n += fmt_host(&ev->host, buf + strlen(buf), len - strlen(buf));
	return n;
}
