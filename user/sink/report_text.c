// SPDX-License-Identifier: GPL-2.0
/* The report a human reads first; also the bundle's summary.txt. */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "decode/names.h"
#include "sink/format.h"
#include "sink/report_render.h"
#include "util/json.h"
#include "util/text_safe.h"

static const char *side_name(int side)
{
	return side == VBT_SIDE_HOST ? "host" : side == VBT_SIDE_GUEST ?
	       "guest" : "unknown";
}

/* The recording's span from the manifest, else from the events. */
static bool span_of(const struct vbt_input *in, const struct vbt_report *r,
		    uint64_t *s, uint64_t *e)
{
	struct json_object *span = vbt_jget(in->manifest, "span");
	const char *a = vbt_jstr(vbt_jget(span, "start"), "ts");
	const char *b = vbt_jstr(vbt_jget(span, "end"), "ts");

	if (a && b && !vbt_parse_rfc3339(a, s) && !vbt_parse_rfc3339(b, e) &&
	    *e >= *s)
		return true;
	*s = r->start_ns;
	*e = r->end_ns;
	return r->start_ns != 0;
}

static void header(const struct vbt_report *r, FILE *f)
{
	const struct vbt_input *in = r->in;
	struct json_object *k = vbt_jget(in->facts, "kernel");
	char a[48], b[48], dur[32];
	uint64_t s, e;

	fprintf(f, "vblktrace report: %s side, %s\n", side_name(in->side),
		in->is_bundle ? "bundle" : "recording");
	if (in->manifest)
		fprintf(f, "Recorded by vblktrace %s on Linux %s %s\n",
			vbt_ts(vbt_jstr(in->manifest, "tool_version") ?: "?"),
			vbt_ts(vbt_jstr(k, "release") ?: "?"),
			vbt_ts(vbt_jstr(in->facts, "arch") ?: "?"));
	if (span_of(in, r, &s, &e)) {
		vbt_format_rfc3339(s, a, sizeof(a));
		vbt_format_rfc3339(e, b, sizeof(b));
		vbt_format_duration(e - s, dur, sizeof(dur));
		fprintf(f, "%s from %s to %s (%s)\n", in->manifest ?
			"Recorded" : "Events", a, b, dur);
	}
	fprintf(f, "%" PRIu64 " events, %" PRIu64 " failed, %" PRIu64
		" lost in the kernel\n", r->events, r->errors, r->lost);
}

static void group_line(const struct vbt_report_group *g, FILE *f)
{
	char first[32], last[32], err[64], what[96];
	const char *vs = vbt_virtio_status_name(g->virtio);

	vbt_report_time(g->first_ns, first, sizeof(first));
	vbt_report_time(g->last_ns, last, sizeof(last));
	if (g->status >= 0 && vs)
		snprintf(err, sizeof(err), "%s (%s, virtio %s)",
			 vbt_errno_name(g->err), vbt_blk_status_name(g->status),
			 vs);
	else if (g->status >= 0)
		snprintf(err, sizeof(err), "%s (%s)", vbt_errno_name(g->err),
			 vbt_blk_status_name(g->status));
	else
		snprintf(err, sizeof(err), "%s", vbt_errno_name(g->err));
	snprintf(what, sizeof(what), "%s%s%s%s%s",
		 g->side == VBT_SIDE_HOST ? "host " : "", vbt_ts(g->what),
		 g->op >= 0 ? " " : "", g->op >= 0 ? vbt_op_name(g->op) : "",
		 "");
	fprintf(f, "  %-26s %7" PRIu64 "  %-28s %s .. %s UTC\n", what,
		g->count, err, first, last);
	if (g->where[0])
		fprintf(f, "      on %s\n", vbt_ts(g->where));
	fprintf(f, "      likely cause: %s\n", vbt_ts(g->cause));
}

int vbt_report_text(const struct vbt_report *r, FILE *f)
{
	header(r, f);
	if (!r->errors) {
		fprintf(f, "\nNothing failed while recording.\n");
	} else {
		fprintf(f, "\nWhat failed                    count  error"
			"                        first .. last\n");
		for (int i = 0; i < r->ngroups; i++)
			group_line(&r->groups[i], f);
	}
	if (r->stuck)
		fprintf(f, "\n%" PRIu64 " request%s stayed in flight past the "
			"stuck threshold (%" PRIu64 " never ended while "
			"recorded): a device that stopped answering (for a guest: its host).\n", r->stuck,
			r->stuck == 1 ? "" : "s",
			r->stuck > r->stuck_ended ? r->stuck - r->stuck_ended : 0);
	if (r->lost)
		fprintf(f, "\n%" PRIu64 " events were lost in the kernel (ring "
			"buffer full): the counts above are short.\n", r->lost);
	vbt_report_unknown_note(&r->in->rec, f);
	return ferror(f) ? -1 : 0;
}

void vbt_report_unknown_note(const struct vbt_recording *rec, FILE *f)
{
	if (!rec->n_unknown && !rec->n_skipped)
		return;
	fprintf(f, "\nnote: a newer vblktrace wrote this: %zu events carry "
		"values this one does not know (shown as UNKNOWN), %zu records "
		"of an unknown kind were skipped; first at %s.\n",
		rec->n_unknown, rec->n_skipped, rec->note);
}
