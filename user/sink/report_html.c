// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace report --format html: one self-contained page (no network: a
 * Content-Security-Policy forbids every fetch) with an SVG timeline of the
 * failures per disk, the error table, the block latency distribution and
 * the facts.  A few lines of inline script count what the browser really
 * laid out, so a headless browser test can check the page rendered.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "decode/clock.h"
#include "decode/names.h"
#include "sink/format.h"
#include "sink/report_render.h"

#define TL_LEFT 170
#define TL_WIDTH 760
#define TL_ROW 26
#define MAX_MARKS 20000

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			/* No raw control bytes, even in a page someone cats. */
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				fprintf(f, "\\x%02x", (unsigned char)*s);
			else
				fputc(*s, f);
		}
	}
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}"
	"h1{font-size:22px}h2{font-size:17px;margin-top:28px}"
	"table{border-collapse:collapse}td,th{border:1px solid #ccc;"
	"padding:3px 8px;text-align:left;vertical-align:top}"
	"th{background:#eee}td.n{text-align:right}"
	"pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:480px}"
	".err{fill:#c62828}.host .err{fill:#ef6c00}.lane text{font-size:12px}"
	".bar{fill:#1565c0}.barerr{fill:#c62828}.meta{color:#555}";

static void timeline(const struct vbt_report *r, FILE *f)
{
	const struct vbt_recording *rec = &r->in->rec;
	uint64_t span = r->end_ns > r->start_ns ? r->end_ns - r->start_ns : 1;
	int h = r->nlanes * TL_ROW + 30, marks = 0;
	char a[32], b[32];

	fprintf(f, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%d\" role=\"img\">\n",
		TL_LEFT + TL_WIDTH + 20, h);
	for (int l = 0; l < r->nlanes; l++) {
		int y = 10 + l * TL_ROW;

		fprintf(f, "<g class=\"lane%s\" data-lane=\"",
			strncmp(r->lanes[l], "host ", 5) &&
			!strchr(r->lanes[l], '/') ? "" : " host");
		esc(f, r->lanes[l]);
		fprintf(f, "\" data-errors=\"%" PRIu64 "\"><text x=\"4\" "
			"y=\"%d\">", r->lane_errors[l], y + 15);
		esc(f, r->lanes[l]);
		fprintf(f, " (%" PRIu64 ")</text><line x1=\"%d\" x2=\"%d\" "
			"y1=\"%d\" y2=\"%d\" stroke=\"#bbb\"/>\n",
			r->lane_errors[l], TL_LEFT, TL_LEFT + TL_WIDTH, y + 10,
			y + 10);
		for (size_t i = 0; i < rec->n && marks < MAX_MARKS; i++) {
			const struct vbt_rec_event *re = &rec->ev[i];
			double x;
			char t[32];

			if (vbt_report_lane(r, &re->ev) != l)
				continue;
			x = TL_LEFT + (double)(re->real_ns - r->start_ns) *
				      TL_WIDTH / span;
			vbt_report_time(re->real_ns, t, sizeof(t));
			fprintf(f, "<rect class=\"err\" x=\"%.1f\" y=\"%d\" "
				"width=\"3\" height=\"20\" data-seq=\"%" PRIu64
				"\"><title>%s %s</title></rect>\n", x - 1, y,
				re->ev.seq, t, vbt_errno_name(re->ev.err));
			marks++;
		}
		fprintf(f, "</g>\n");
	}
	vbt_report_time(r->start_ns, a, sizeof(a));
	vbt_report_time(r->end_ns, b, sizeof(b));
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>"
		"<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">"
		"%s UTC</text>\n</svg>\n", TL_LEFT, h - 4, a,
		TL_LEFT + TL_WIDTH, h - 4, b);
	if (marks == MAX_MARKS)
		fprintf(f, "<p>Only the first %d failures are drawn.</p>\n",
			MAX_MARKS);
}

static void table(const struct vbt_report *r, FILE *f)
{
	fprintf(f, "<table id=\"errors\"><thead><tr><th>side</th><th>what"
		"</th><th>op</th><th>error</th><th>count</th><th>first (UTC)"
		"</th><th>last (UTC)</th><th>likely cause</th></tr></thead>"
		"<tbody>\n");
	for (int i = 0; i < r->ngroups; i++) {
		const struct vbt_report_group *g = &r->groups[i];
		const char *vs = vbt_virtio_status_name(g->virtio);
		char a[32], b[32];

		vbt_report_time(g->first_ns, a, sizeof(a));
		vbt_report_time(g->last_ns, b, sizeof(b));
		fprintf(f, "<tr class=\"group\" data-count=\"%" PRIu64 "\">"
			"<td>%s</td><td>", g->count,
			g->side == VBT_SIDE_HOST ? "host" : "guest");
		esc(f, g->what);
		if (g->where[0]) {
			fputs("<br><small>", f);
			esc(f, g->where);
			fputs("</small>", f);
		}
		fprintf(f, "</td><td>%s</td><td>%s", g->op >= 0 ?
			vbt_op_name(g->op) : "", vbt_errno_name(g->err));
		if (g->status >= 0)
			fprintf(f, " (%s)", vbt_blk_status_name(g->status));
		if (vs)
			fprintf(f, " virtio %s", vs);
		fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td>%s</td>"
			"<td>%s</td><td>", g->count, a, b);
		esc(f, g->cause);
		fputs("</td></tr>\n", f);
	}
	fprintf(f, "</tbody><tfoot><tr><th colspan=\"4\">total</th>"
		"<td class=\"n\" id=\"total\">%" PRIu64 "</td><td colspan=\"3\">"
		"</td></tr></tfoot></table>\n", r->errors);
}

static void latency(const struct vbt_report *r, FILE *f)
{
	int lo = VBT_REPORT_LAT_BUCKETS, hi = -1, w = 36;
	uint64_t max = 1;

	for (int i = 0; i < VBT_REPORT_LAT_BUCKETS; i++) {
		if (!r->lat[i])
			continue;
		lo = i < lo ? i : lo;
		hi = i;
		max = r->lat[i] > max ? r->lat[i] : max;
	}
	if (hi < 0) {
		fputs("<p id=\"latency\">No block completion carried a "
		      "latency.</p>\n", f);
		return;
	}
	fprintf(f, "<svg id=\"latency\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"190\">\n", (hi - lo + 1) * w + 20);
	for (int i = lo; i <= hi; i++) {
		int x = 10 + (i - lo) * w;
		int hb = (int)(120.0 * r->lat[i] / max);
		int he = (int)(120.0 * r->lat_errors[i] / max);
		char label[32];

		vbt_format_duration(1ULL << i, label, sizeof(label));
		fprintf(f, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" "
			"height=\"%d\" data-count=\"%" PRIu64 "\"><title>&gt;= "
			"%s: %" PRIu64 " (%" PRIu64 " failed)</title></rect>",
			x, 140 - hb, w - 6, hb, r->lat[i], label, r->lat[i],
			r->lat_errors[i]);
		if (he)
			fprintf(f, "<rect class=\"barerr\" x=\"%d\" y=\"%d\" "
				"width=\"%d\" height=\"%d\"/>", x, 140 - he,
				w - 6, he);
		fprintf(f, "<text x=\"%d\" y=\"156\" font-size=\"10\">%s</text>"
			"<text x=\"%d\" y=\"%d\" font-size=\"10\">%" PRIu64
			"</text>\n", x, label, x, 136 - hb, r->lat[i]);
	}
	fputs("</svg>\n", f);
}

static const char script[] =
	"<script>\n"
	"(function(){\n"
	"  var vis = 0, total = 0;\n"
	"  document.querySelectorAll('#timeline .err').forEach(function(e){\n"
	"    var b = e.getBBox(); if (b.width > 0 && b.height > 0) vis++; });\n"
	"  var rows = document.querySelectorAll('#errors tbody tr.group');\n"
	"  rows.forEach(function(r){ total += +r.dataset.count; });\n"
	"  var p = document.getElementById('rendered');\n"
	"  p.dataset.marks = vis; p.dataset.rows = rows.length;\n"
	"  p.dataset.total = total;\n"
	"  p.textContent = 'Rendered: ' + vis + ' timeline marks, ' +\n"
	"    rows.length + ' table rows, ' + total + ' failures.';\n"
	"})();\n"
	"</script>\n";

int vbt_report_html(const struct vbt_report *r, FILE *f)
{
	const struct vbt_input *in = r->in;
	char a[48], b[48];

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset="
		"\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" "
		"content=\"default-src 'none'; style-src 'unsafe-inline'; "
		"script-src 'unsafe-inline'\">\n<title>vblktrace report</title>"
		"\n<style>%s</style></head><body>\n", style);
	fprintf(f, "<h1>vblktrace report: %s side</h1>\n<p class=\"meta\">",
		in->side == VBT_SIDE_HOST ? "host" : "guest");
	vbt_format_rfc3339(r->start_ns, a, sizeof(a));
	vbt_format_rfc3339(r->end_ns, b, sizeof(b));
	fprintf(f, "%s; events from %s to %s; %" PRIu64 " events, <b id=\""
		"nerrors\">%" PRIu64 "</b> failed, %" PRIu64 " lost.</p>\n",
		in->is_bundle ? "bundle" : "recording", a, b, r->events,
		r->errors, r->lost);
	fprintf(f, "<p id=\"rendered\">(not rendered: this line is replaced "
		"by a count when the page is shown)</p>\n");
	fprintf(f, "<h2>Failures over time, per disk</h2>\n");
	timeline(r, f);
	fprintf(f, "<h2>What failed</h2>\n");
	table(r, f);
	fprintf(f, "<h2>Block latency distribution</h2>\n");
	latency(r, f);
	if (in->facts) {
		fprintf(f, "<h2>Facts</h2>\n<pre id=\"facts\">");
		esc(f, json_object_to_json_string_ext(in->facts,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		fputs("</pre>\n", f);
	}
	fputs(script, f);
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
