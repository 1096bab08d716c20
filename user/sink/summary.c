// SPDX-License-Identifier: GPL-2.0
/* Failures folded by (what, op, errno): the picture a human wants first. */
#include <inttypes.h>
#include <string.h>

#include "decode/names.h"
#include "sink/format.h"
#include "sink/summary.h"
#include "util/text_safe.h"

void vbt_summary_init(struct vbt_summary *s, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->start_ns = now;
}

static void row_key(const struct vbt_event *ev, char *what, size_t len,
		    int *op, int *status)
{
	*op = -1;
	*status = -1;
	switch (ev->kind) {
	case VBT_KIND_BLOCK:
		vbt_text_safe(ev->blk.disk[0] ? ev->blk.disk : "?", what, len,
			      0);
		*op = ev->blk.op;
		*status = ev->blk.status;
		break;
	case VBT_KIND_SYSCALL:
		snprintf(what, len, "%s()", vbt_sys_name(ev->sys.sys));
		break;
	case VBT_KIND_BIO:
		/* A stacked layer's failures, apart from its disk's requests. */
		snprintf(what, len, "%s bio", ev->bio.disk[0] ? ev->bio.disk : "?");
		*op = ev->bio.op;
		*status = ev->bio.status;
		break;
	default:
		snprintf(what, len, "%s", vbt_kind_name(ev->kind));
		break;
	}
}

void vbt_summary_add(struct vbt_summary *s, const struct vbt_event *ev)
{
	struct vbt_summary_row *r;
	char what[48];
	int op, status;

	if (ev->kind == VBT_KIND_LOST) {
		s->lost += ev->lost;
		if (ev->lost_unseen)
			s->unseen += ev->lost;
		return;
	}
	s->events++;
	/* A stuck request that fails is counted by its block record. */
	if (ev->kind == VBT_KIND_STUCK) {
		if (ev->stuck.phase == VBT_STUCK_FOUND)
			s->stuck++;
		else
			s->stuck_ended++;
		return;
	}
	if (!ev->err)
		return;
	s->errors++;
	row_key(ev, what, sizeof(what), &op, &status);
	for (int i = 0; i < s->nrows; i++) {
		r = &s->rows[i];
		if (r->op == op && r->err == ev->err && r->status == status &&
		    !strcmp(r->what, what)) {
			r->count++;
			r->last_ns = ev->mono_ns;
			return;
		}
	}
	if (s->nrows == VBT_SUMMARY_ROWS) {
		s->overflow++;
		return;
	}
	r = &s->rows[s->nrows++];
	snprintf(r->what, sizeof(r->what), "%s", what);
	r->op = op;
	r->err = ev->err;
	r->status = status;
	r->count = 1;
	r->first_ns = r->last_ns = ev->mono_ns;
}

void vbt_summary_print(const struct vbt_summary *s, FILE *f,
		       const struct vbt_clock *clock, uint64_t now, bool final)
{
	char dur[32], first[32], last[32], status[48];

	vbt_format_duration(now - s->start_ns, dur, sizeof(dur));
	fprintf(f, "--- %s after %s: %" PRIu64 " failed, %" PRIu64
		" events shown, %" PRIu64 " lost in the kernel",
		final ? "summary" : "so far", dur, s->errors, s->events,
		s->lost);
	if (s->bad)
		fprintf(f, ", %" PRIu64 " undecodable", s->bad);
	if (s->expected)
		fprintf(f, ", %" PRIu64 " expected (QEMU's O_DIRECT alignment "
			"probes) not shown", s->expected);
	if (s->stuck)
		fprintf(f, ", %" PRIu64 " stuck (%" PRIu64 " %s in flight)",
			s->stuck, s->stuck - s->stuck_ended,
			final ? "still" : "now");
	fprintf(f, " ---\n");
	for (int i = 0; i < s->nrows; i++) {
		const struct vbt_summary_row *r = &s->rows[i];

		vbt_format_tod(r->first_ns + clock->mono_to_real_ns, first,
			       sizeof(first));
		vbt_format_tod(r->last_ns + clock->mono_to_real_ns, last,
			       sizeof(last));
		if (r->status >= 0)
			snprintf(status, sizeof(status), "%s (%s)",
				 vbt_errno_name(r->err),
				 vbt_blk_status_name(r->status));
		else
			snprintf(status, sizeof(status), "%s",
				 vbt_errno_name(r->err));
		fprintf(f, "  %-12s %-12s %8" PRIu64 "  %-20s first %s  last %s\n",
			r->what, r->op >= 0 ? vbt_op_name(r->op) : "",
			r->count, status, first, last);
	}
	if (s->overflow)
		fprintf(f, "  ... and %" PRIu64 " more failures in other groups\n",
			s->overflow);
	if (s->lost > s->unseen)
		fprintf(f, "  %" PRIu64 " events were lost in the kernel: the "
			"ring buffer was full; the counts above are short\n",
			s->lost - s->unseen);
	if (s->unseen)
		fprintf(f, "  %" PRIu64 " completions the disks counted never "
			"ran vblktrace's programs: the counts above are short\n",
			s->unseen);
	fflush(f);
}
