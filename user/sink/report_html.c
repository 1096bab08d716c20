// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace report --format html (and merge --format html): one
 * self-contained page a developer opens first.  It says what happened
 * and why (report_story.c), then shows when (the timeline), on which
 * drive with which configuration, every failure with its links, and the
 * latency distribution; the raw facts stay available, collapsed.  No
 * script and no fetch: a Content-Security-Policy forbids both, and every
 * link is to an anchor of the page itself.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "decode/clock.h"
#include "decode/names.h"
#include "sink/format.h"
#include "sink/report_html.h"

static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;"
	"max-width:1180px;padding:0 16px;color:#222}"
	"h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;"
	"border-bottom:1px solid #ddd;padding-bottom:3px}h3{font-size:15px}"
	"table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ccc;"
	"padding:3px 8px;text-align:left;vertical-align:top}"
	"th{background:#eee}td.n{text-align:right}.na{color:#999}"
	"tr.failed td{background:#fff3f0}tr:target td{background:#fff59d}"
	"pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:480px}"
	".meta{color:#555}.classes{padding-left:20px}.classes li{margin:10px 0}"
	".classes p{margin:3px 0}.origin{font-weight:600;padding:0 4px;"
	"border-radius:3px;background:#eceff1}.o1{background:#ffe0b2}"
	".o2{background:#ffccbc}.o3{background:#e1bee7}.o4{background:#c8e6c9}"
	".todo{border-left:3px solid #1565c0;padding-left:8px}"
	".findings li{margin:4px 0}.sev2{color:#b71c1c}.sev1{color:#e65100}"
	"svg text{font-size:11px;fill:#333}svg .title{font-size:12px}"
	".axis line,.base{stroke:#999}.grid{stroke:#eee}"
	".bin{fill:#b0bec5}.mark rect{fill:#c62828}.mark.sys rect{fill:#6a1b9a}"
	".mark.hostev rect{fill:#ef6c00}.mark.sys.hostev rect{fill:#8d6e63}"
	".link{stroke:#1565c0;stroke-width:1;stroke-opacity:.6}"
	".bar{fill:#1565c0}.barerr{fill:#c62828}"
	".legend .sw{display:inline-block;width:12px;height:12px;"
	"margin:0 4px 0 12px;vertical-align:-1px}.sw.req{background:#c62828}"
	".sw.sys{background:#6a1b9a}.sw.hostev{background:#ef6c00}"
	".sw.bin{background:#b0bec5}.sw.link{background:#1565c0;height:2px;"
	"vertical-align:3px}.sw.bar{background:#1565c0}"
	".sw.barerr{background:#c62828}.paused rect{fill:#fff59d;fill-opacity:.6}"
	".sw.paused{background:#fff59d}a.ref,.origin{white-space:nowrap}";

static const char *origin_label(const struct vbt_page *p,
				const struct vbt_story_class *c)
{
	/* a merge that cannot say is "unknown", as merge itself says */
	if (!p->c && !c->origin_known && c->origin == VBT_ORIGIN_UNKNOWN)
		return c->side == VBT_SIDE_GUEST ? "the hypervisor "
		       "(host side not recorded)" : "unknown";
	return vbt_origin_name(c->origin);
}

/* doctor's findings on the drive of @c (subjects start with the drive id) */
static void class_findings(const struct vbt_page *p,
			   const struct vbt_story_class *c, FILE *f)
{
	size_t l = strlen(c->drive);
	int shown = 0;

	for (int i = 0; l && i < p->nadvice; i++) {
		const struct vbt_report_advice *a = &p->advice[i];

		if (strcmp(a->vm, c->vm) || strncmp(a->subject, c->drive, l) ||
		    (a->subject[l] && a->subject[l] != ' '))
			continue;
		fputs(shown++ ? "" : "<ul class=\"findings\">", f);
		fprintf(f, "<li class=\"sev%d\">doctor: ", a->sev);
		vbt_html_esc(f, a->title);
		fputs("</li>", f);
	}
	if (shown)
		fputs("</ul>", f);
}

static void pause_sentences(const struct vbt_page *p, FILE *f)
{
	struct vbt_html_pause ps[VBT_HTML_MAX_PAUSES];
	int n = vbt_html_pauses(p, ps, VBT_HTML_MAX_PAUSES);
	char a[32], d[32];

	if (!n)
		return;
	fputs("<ul id=\"pauses\">\n", f);
	for (int i = 0; i < n; i++) {
		vbt_report_time(ps[i].from, a, sizeof(a));
		vbt_format_duration(ps[i].to - ps[i].from, d, sizeof(d));
		fputs("<li class=\"pause\">VM <b>", f);
		vbt_html_esc(f, ps[i].vm);
		fprintf(f, "</b> was paused at %s UTC%s", a, ps[i].reason[0] ?
			" (" : "");
		vbt_html_esc(f, ps[i].reason);
		fprintf(f, "%s %s %s%s</li>\n", ps[i].reason[0] ? ")," : ",",
			ps[i].open ? "and was still paused when the recording "
			"ended, after" : "for", d, strstr(ps[i].reason, "io") ?
			": its error policy (werror/rerror=stop or enospc) "
			"stops it on an I/O error until it is resumed." : ".");
	}
	fputs("</ul>\n", f);
}

#define MAX_CLASSES 12

static uint64_t total(const struct vbt_story_class *c)
{
	return c->requests + c->syscalls + c->other;
}

static int cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The size of the smallest of the MAX_CLASSES largest classes. */
static uint64_t min_shown(const struct vbt_story *s)
{
	uint64_t *n, min;

	if (s->n <= MAX_CLASSES)
		return 0;
	n = malloc(s->n * sizeof(*n));
	if (!n)
		return 0;
	for (int i = 0; i < s->n; i++)
		n[i] = total(&s->c[i]);
	qsort(n, s->n, sizeof(*n), cmp_desc);
	min = n[MAX_CLASSES - 1];
	free(n);
	return min;
}

/* The largest classes in the order they began; the rest summed up. */
static void summary(const struct vbt_page *p, const struct vbt_story *s,
		    FILE *f)
{
	const struct vbt_report *r = p->r;
	uint64_t min, rest_n = 0;
	int shown = 0, rest = 0;
	char d[32];

	vbt_format_duration(r->span_end_ns > r->span_start_ns ?
			    r->span_end_ns - r->span_start_ns : 0, d, sizeof(d));
	fputs("<section id=\"summary\"><h2>What happened</h2>\n<p>", f);
	if (!r->errors && !r->span_start_ns) {
		fputs("Nothing failed: the recording holds no event.</p>"
		      "</section>\n", f);
		return;
	}
	if (!r->errors) {
		fprintf(f, "Nothing failed in %s of recording (%" PRIu64
			" events).</p></section>\n", d, r->events);
		return;
	}
	fprintf(f, "%" PRIu64 " %s failure%s in %s of recording, in %d "
		"class%s:", r->errors, p->c ||
		p->r->in->side != VBT_SIDE_HOST ? "guest" : "host",
		r->errors == 1 ?
		"" : "s", d, s->n, s->n == 1 ? "" : "es");
	for (int o = 0, k = 0; p->c && o < VBT_ORIGIN_MAX; o++)
		if (p->c->counts[o])
			fprintf(f, "%s %zu %s", k++ ? "," : "", p->c->counts[o],
				vbt_origin_name(o));
	fputs(p->c ? ".</p>\n" : "</p>\n", f);
	fputs("<ol class=\"classes\">\n", f);
	min = min_shown(s);
	for (int i = 0; i < s->n; i++) {
		const struct vbt_story_class *c = &s->c[i];
		char a[32], b[32];
		bool guest_err;

		if (total(c) < min || shown == MAX_CLASSES) {
			rest++;
			rest_n += total(c);
			continue;
		}
		shown++;

		vbt_report_time(c->first_ns, a, sizeof(a));
		vbt_report_time(c->last_ns, b, sizeof(b));
		fprintf(f, "<li class=\"class\" data-origin=\"%s\"><p><b>",
			origin_label(p, c));
		vbt_html_esc(f, c->what);
		fprintf(f, "</b>, %s", vbt_errno_name(c->err));
		/* a guest error with its host cause: say both */
		guest_err = c->side == VBT_SIDE_GUEST && c->host_err;
		if (guest_err)
			fprintf(f, " (on the host: %s", vbt_errno_name(c->host_err));
		if (c->host_what[0] && strcmp(c->host_what, c->where)) {
			fputs(guest_err ? " from " : " (", f);
			vbt_html_esc(f, c->host_what);
			guest_err = true;
		}
		fprintf(f, "%s, %s to %s UTC. Origin: <span class=\"origin "
			"o%d\">%s</span>", guest_err ? ")" : "", a, b,
			c->origin_known ? c->origin : 0, origin_label(p, c));
		if (c->anchor[0])
			fprintf(f, " <a class=\"ref\" href=\"#%s\">first "
				"failure</a>", c->anchor);
		fputs("</p>\n<p>", f);
		vbt_html_esc(f, c->why);
		fputs("</p>\n", f);
		if (c->config[0]) {
			fputs("<p class=\"config\">", f);
			vbt_html_esc(f, c->config);
			fputs("</p>\n", f);
		}
		fputs("<p class=\"todo\"><b>What to change:</b> ", f);
		vbt_html_esc(f, c->change);
		fputs("</p>", f);
		class_findings(p, c, f);
		fputs("</li>\n", f);
	}
	fputs("</ol>\n", f);
	if (rest)
		fprintf(f, "<p>And %d smaller class%s (%" PRIu64 " failures): "
			"see the tables below.</p>\n", rest, rest == 1 ? "" :
			"es", rest_n);
	pause_sentences(p, f);
	if (r->lost)
		fprintf(f, "<p><b>%" PRIu64 " events were lost</b> (the ring "
			"buffer was full): the counts above are lower bounds."
			"</p>\n", r->lost);
	fputs("</section>\n", f);
}

static void findings(const struct vbt_page *p, FILE *f)
{
	if (!p->nadvice)
		return;
	fputs("<h2>Configuration findings (vblktrace doctor on the bundle's "
	      "QEMU command lines)</h2>\n<ul class=\"findings\">\n", f);
	for (int i = 0; i < p->nadvice; i++) {
		const struct vbt_report_advice *a = &p->advice[i];

		fprintf(f, "<li class=\"sev%d\"><b>%s</b> ", a->sev,
			a->sev == 2 ? "error" : a->sev == 1 ? "warning" : "info");
		vbt_html_esc(f, a->vm);
		fputs(": ", f);
		vbt_html_esc(f, a->subject);
		fputs(": ", f);
		vbt_html_esc(f, a->title);
		fputs("<br><small>", f);
		vbt_html_esc(f, a->todo);
		fputs("</small></li>\n", f);
	}
	fputs("</ul>\n", f);
}

static void raw_facts(const char *what, const struct vbt_input *in, FILE *f)
{
	if (!in->facts)
		return;
	fprintf(f, "<details class=\"raw\"><summary>Raw facts of the %s "
		"(facts.json)</summary>\n<pre>", what);
	vbt_html_esc(f, json_object_to_json_string_ext(in->facts,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	fputs("</pre></details>\n", f);
}

static void header(const struct vbt_page *p, FILE *f)
{
	const struct vbt_report *r = p->r;
	char a[48], b[48];

	fputs("<h1>vblktrace: ", f);
	if (p->c) {
		fputs("guest and host of VM ", f);
		vbt_html_esc(f, p->c->vm[0] ? p->c->vm : "(none paired)");
	} else {
		fprintf(f, "%s side", r->in->side == VBT_SIDE_HOST ?
			"host" : "guest");
	}
	fputs("</h1>\n<p class=\"meta\">", f);
	for (int i = 0; i < 2; i++) {
		if (!p->names[i])
			continue;
		fputs(i ? " + " : "", f);
		vbt_html_esc(f, p->names[i]);
	}
	vbt_format_rfc3339(r->span_start_ns, a, sizeof(a));
	vbt_format_rfc3339(r->span_end_ns, b, sizeof(b));
	if (r->span_start_ns)
		fprintf(f, "%srecorded from %s to %s", p->names[0] ? "; " : "",
			a, b);
	fprintf(f, "%s%" PRIu64 " events, <b id=\"nerrors\">%" PRIu64 "</b> "
		"failed, %" PRIu64 " lost", p->names[0] || r->span_start_ns ?
		"; " : "", r->events, r->errors, r->lost);
	if (p->host)
		fprintf(f, "; host: %" PRIu64 " events, %" PRIu64 " failed, %"
			PRIu64 " lost", p->host->events, p->host->errors,
			p->host->lost);
	fputs(".</p>\n", f);
	if (p->c) {
		char off[32], spread[32];
		int64_t o = p->c->clock_offset_ns;

		vbt_format_duration(o < 0 ? -(uint64_t)o : (uint64_t)o, off,
				    sizeof(off));
		vbt_format_duration(p->c->clock_spread_ns, spread,
				    sizeof(spread));
		fprintf(f, "<p class=\"meta\">Clock: the host's wall clock is "
			"%s%s relative to the guest's (", o < 0 ? "-" : "+", off);
		vbt_html_esc(f, p->c->clock_how);
		fprintf(f, ", spread %s); host times below are on the guest's "
			"clock.</p>\n", spread);
	}
}

/* Said once, under the timeline: which failures the marks and rows are. */
static void selection_note(const struct vbt_page *p, FILE *f)
{
	uint64_t failed = p->nfailed[0] + p->nfailed[1];
	uint64_t listed = p->nlisted[0] + p->nlisted[1];

	if (listed == failed)
		return;
	fprintf(f, "<p class=\"note\">%" PRIu64 " of the %" PRIu64 " failures "
		"are drawn as marks and listed: ", listed, failed);
	if (p->host && p->nlisted[0] == p->nfailed[0])
		fputs("all of the guest's, the host events joined to them and "
		      "an even sample of the host's others", f);
	else
		fputs("an even sample over the whole recording", f);
	fputs(" (the bars count them all).</p>\n", f);
}

int vbt_page_html(const struct vbt_page *page, FILE *f)
{
	struct vbt_page pg = *page, *p = &pg;
	uint32_t *by_seq[2] = { NULL, NULL };
	struct vbt_story s;
	int ret = -1;

	p->by_seq = by_seq;
	if (vbt_html_select(p))
		goto out;
	if (vbt_story_build(p, &s)) {
		vbt_html_select_free(p);
		goto out;
	}
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset="
		"\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" "
		"content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width\">\n"
		"<title>vblktrace report</title>\n<style>%s</style></head>"
		"<body>\n", style);
	header(p, f);
	summary(p, &s, f);
	fputs("<h2>When</h2>\n", f);
	vbt_html_timeline(p, f);
	selection_note(p, f);
	fputs("<h2>Drives and their configuration</h2>\n", f);
	vbt_html_drives(p, f);
	findings(p, f);
	fputs("<h2>What failed, by kind</h2>\n", f);
	vbt_html_groups(p->r, "errors", f);
	if (p->host) {
		fputs("<h3>On the host</h3>\n", f);
		vbt_html_groups(p->host, "host-errors", f);
	}
	fputs("<h2>Block latency</h2>\n", f);
	vbt_html_latency(p->r, f);
	fputs("<h2>Every failure</h2>\n", f);
	vbt_html_failures(p, f);
	raw_facts(p->c ? "guest" : p->r->in->side == VBT_SIDE_HOST ? "host" :
		  "guest", p->r->in, f);
	if (p->host)
		raw_facts("host", p->host->in, f);
	fputs("</body></html>\n", f);
	vbt_story_free(&s);
	vbt_html_select_free(p);
	ret = ferror(f) ? -1 : 0;
out:
	free(by_seq[0]);
	free(by_seq[1]);
	return ret;
}

int vbt_report_html(const struct vbt_report *r, FILE *f)
{
	struct vbt_page p = { .r = r };

	return vbt_page_html(&p, f);
}
