// SPDX-License-Identifier: GPL-2.0
/*
 * The report's timeline: one SVG over the whole recorded span (both sides
 * on the guest's clock after a merge), a lane per disk, drive or syscall
 * path, the failures counted per time bin (bursts and rates show as bar
 * height) and each failure drawn as a mark that links to its row in the
 * failure list.  Lines join a failed syscall to the block request behind
 * it and a guest request to the host event that failed it.  Plain SVG:
 * readable without script.  When the failures fill a small part of the
 * span, a close-up of their extent follows.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/clock.h"
#include "decode/names.h"
#include "decode/recording.h"
#include "sink/report_html.h"

#define LEFT 230
#define WIDTH 800
#define ROW 30
#define TOP 30
#define NBINS 80
#define MAX_LANES 48
#define LABEL_MAX 30			/* characters of a lane's name shown */

struct lane {
	char name[80];
	int role;			/* 0 the page's recording, 1 host */
	uint64_t failures;
	uint32_t bins[NBINS];
};

struct tl {
	const struct vbt_page *p;
	struct lane lanes[MAX_LANES];
	int nlanes;
	uint64_t t0, t1;
	double *x[2];			/* per event: x of its mark, or -1 */
	int *y[2];			/* per event: y of its lane */
	uint32_t maxbin;
};

/* The end of a path, which names it better than its start. */
static const char *tail(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > max ? s + n - max : s;
}

/*
 * What a lane is chosen by, from the compact event, or for the kinds it
 * does not hold (bio, stuck, SCSI, VM state) from the event read in full.
 */
struct lv {
	int kind;
	bool host_side;
	bool known;			/* host enrichment said vm and drive */
	const char *vm, *drive;
	const char *disk;		/* block */
	const char *path;		/* the others */
};

static bool compact_kind(int kind)
{
	return kind == VBT_KIND_BLOCK || kind == VBT_KIND_SYSCALL ||
	       kind == VBT_KIND_IO_URING || kind == VBT_KIND_AIO ||
	       kind == VBT_KIND_LOST;
}

static void lv_of(const struct vbt_input *in, size_t i,
		  struct vbt_rec_event *buf, struct lv *v)
{
	const struct vbt_crec *c = &in->crec;
	const struct vbt_cev *e = &c->ev[i];
	const struct vbt_chost *h = vbt_crec_host(c, e);
	const struct vbt_event *ev;

	if (compact_kind(e->kind)) {
		*v = (struct lv){
			.kind = e->kind, .host_side = in->side == VBT_SIDE_HOST,
			.known = h, .vm = h ? vbt_crec_str(c, h->vm) : "",
			.drive = h ? vbt_crec_str(c, h->drive) : "",
			.disk = e->kind == VBT_KIND_BLOCK ?
				vbt_crec_str(c, e->disk) : "",
			.path = vbt_crec_str(c, e->path),
		};
		return;
	}
	ev = &vbt_input_event(in, i, buf)->ev;
	*v = (struct lv){
		.kind = ev->kind, .host_side = ev->side == VBT_SIDE_HOST,
		.known = ev->host.known, .vm = ev->host.vm,
		.drive = ev->host.drive, .disk = ev->blk.disk,
		.path = ev->kind == VBT_KIND_SYSCALL ? ev->sys.path :
			ev->async.path,
	};
}

/* In a merge: is this host event of the merged VM (or a device under it)? */
static bool of_vm(const struct vbt_page *p, const struct lv *ev)
{
	const struct vbt_correlation *c = p->c;
	size_t l = strlen(ev->disk);

	if (ev->known)
		return !strcmp(ev->vm, c->vm);
	for (int i = 0; ev->kind == VBT_KIND_BLOCK && l && i < c->ndisks; i++) {
		const char *d = c->disks[i].host_devs, *s = d;

		/* host_devs is a list of names: find ours as a whole word */
		while ((s = strstr(s, ev->disk))) {
			if ((s == d || !isalnum((unsigned char)s[-1])) &&
			    !isalnum((unsigned char)s[l]))
				return true;
			s += l;
		}
	}
	return false;
}

static const char *guest_of(const struct vbt_correlation *c,
			    const char *drive)
{
	for (int i = 0; i < c->ndisks; i++)
		if (c->disks[i].matched && !strcmp(c->disks[i].vm, c->vm) &&
		    !strcmp(c->disks[i].drive, drive))
			return c->disks[i].guest;
	return "";
}

static void lane_name(const struct vbt_page *p, const struct lv *ev,
		      int role, char *buf, size_t len)
{
	const char *pre = role || ev->host_side ? "host " : "";

	/* a merge is about one VM: the host's other failures share a lane */
	if (role && p->c && p->c->vm[0] && !of_vm(p, ev))
		snprintf(buf, len, "host: other VMs and processes");
	else if (role && p->c && ev->known && ev->drive[0])
		/* the VM is the page's: its drive and the guest disk it is */
		snprintf(buf, len, "host %.30s%s%.30s%s", ev->drive,
			 guest_of(p->c, ev->drive)[0] ? " (" : "",
			 guest_of(p->c, ev->drive),
			 guest_of(p->c, ev->drive)[0] ? ")" : "");
	else if (ev->kind == VBT_KIND_BLOCK)
		snprintf(buf, len, "%s%s", pre, ev->disk[0] ? ev->disk : "?");
	else if (ev->known && ev->drive[0])
		snprintf(buf, len, "%s%.30s/%.30s", pre, ev->vm, ev->drive);
	else
		snprintf(buf, len, "%s%s %s", pre, ev->kind ==
			 VBT_KIND_SYSCALL ? "syscalls" : vbt_kind_name(ev->kind),
			 tail(ev->path, 50));
}

static int lane_of(struct tl *t, const struct lv *ev, int role)
{
	char name[80];
	int i;

	lane_name(t->p, ev, role, name, sizeof(name));
	for (i = 0; i < t->nlanes; i++)
		if (t->lanes[i].role == role && !strcmp(t->lanes[i].name, name))
			return i;
	if (t->nlanes == MAX_LANES) {
		/* the last lane takes what does not fit */
		snprintf(t->lanes[MAX_LANES - 1].name,
			 sizeof(t->lanes[0].name), "%sother", role ?
			 "host " : "");
		return MAX_LANES - 1;
	}
	snprintf(t->lanes[i].name, sizeof(t->lanes[i].name), "%s", name);
	t->lanes[i].role = role;
	return t->nlanes++;
}

static const struct vbt_crec *rec_of(const struct vbt_page *p, int role)
{
	return vbt_html_crec(p, role);
}

static double xpos(const struct tl *t, uint64_t ns)
{
	if (ns <= t->t0)
		return LEFT;
	if (ns >= t->t1)
		return LEFT + WIDTH;
	return LEFT + (double)(ns - t->t0) * WIDTH / (double)(t->t1 - t->t0);
}

/* The span: what both sides recorded, on the page's clock. */
static void span(struct tl *t)
{
	const struct vbt_page *p = t->p;

	t->t0 = p->r->span_start_ns;
	t->t1 = p->r->span_end_ns;
	if (p->host && p->host->span_end_ns) {
		int64_t off = p->c ? p->c->clock_offset_ns : 0;
		uint64_t a = p->host->span_start_ns - off;
		uint64_t b = p->host->span_end_ns - off;

		if (!t->t0 || a < t->t0)
			t->t0 = a;
		if (b > t->t1)
			t->t1 = b;
	}
	if (t->t1 <= t->t0)
		t->t1 = t->t0 + 1000000;	/* one instant: show 1 ms */
}

static bool in_view(const struct tl *t, int role, const struct vbt_cev *re)
{
	uint64_t ns = vbt_html_time_ns(t->p, role, re->real_ns);

	return vbt_html_cfailure(re) && ns >= t->t0 && ns <= t->t1;
}

/*
 * Lanes in order of first appearance: the page's side, then the host's.
 * The marks are the failures the page lists (vbt_html_select()); the
 * bins count them all.
 */
static int place(struct tl *t)
{
	struct vbt_rec_event *buf = malloc(sizeof(*buf));
	int drawn = 0;

	for (int role = 0; buf && role < 2; role++) {
		const struct vbt_crec *rec = rec_of(t->p, role);

		if (!rec)
			continue;
		t->x[role] = malloc(sizeof(double) * (rec->n + 1));
		t->y[role] = malloc(sizeof(int) * (rec->n + 1));
		if (!t->x[role] || !t->y[role])
			break;
		for (size_t i = 0; i < rec->n; i++) {
			const struct vbt_cev *re = &rec->ev[i];
			uint64_t ns = vbt_html_time_ns(t->p, role, re->real_ns);
			struct lane *l;
			struct lv v;
			int b, li;

			t->x[role][i] = -1;
			if (!in_view(t, role, re))
				continue;
			lv_of(vbt_html_in(t->p, role), i, buf, &v);
			li = lane_of(t, &v, role);
			l = &t->lanes[li];
			l->failures++;
			b = (int)((xpos(t, ns) - LEFT) * NBINS / WIDTH);
			b = b >= NBINS ? NBINS - 1 : b;
			if (++l->bins[b] > t->maxbin)
				t->maxbin = l->bins[b];
			if (!vbt_html_listed(t->p, role, i))
				continue;
			t->x[role][i] = xpos(t, ns);
			t->y[role][i] = li;
			drawn++;
		}
	}
	free(buf);
	for (int role = 0; role < 2; role++)
		if (rec_of(t->p, role) && (!t->x[role] || !t->y[role]))
			return -1;
	return buf ? drawn : -1;
}

/* Ticks at 1, 2 or 5 times a power of ten, about eight of them. */
static uint64_t tick_step(uint64_t span_ns)
{
	uint64_t step = 1000;		/* 1 us */

	for (;;) {
		if (span_ns / step <= 8)
			return step;
		if (span_ns / (step * 2) <= 8)
			return step * 2;
		if (span_ns / (step * 5) <= 8)
			return step * 5;
		step *= 10;
	}
}

static void tick_label(uint64_t ns, uint64_t step, char *buf, size_t len)
{
	char tod[32];

	vbt_report_time(ns, tod, sizeof(tod));	/* HH:MM:SS.uuuuuu */
	if (step >= 1000000000ULL)
		tod[8] = 0;
	else if (step >= 1000000ULL && strlen(tod) > 12)
		tod[12] = 0;
	snprintf(buf, len, "%s", tod);
}

static void axis(const struct tl *t, FILE *f, int y)
{
	uint64_t step = tick_step(t->t1 - t->t0);
	uint64_t first = (t->t0 + step - 1) / step * step;
	char label[40];

	fprintf(f, "<g class=\"axis\"><line x1=\"%d\" x2=\"%d\" y1=\"%d\" "
		"y2=\"%d\"/>\n", LEFT, LEFT + WIDTH, y, y);
	/* at most 20 ticks, and none past the end of time (hostile spans) */
	for (uint64_t ns = first, k = 0; ns <= t->t1 && ns >= first && k < 20;
	     ns += step, k++) {
		double x = xpos(t, ns);

		tick_label(ns, step, label, sizeof(label));
		fprintf(f, "<line class=\"tick\" x1=\"%.1f\" x2=\"%.1f\" "
			"y1=\"%d\" y2=\"%d\"/><line class=\"grid\" x1=\"%.1f\" "
			"x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/><text x=\"%.1f\" "
			"y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, x, y,
			y + 5, x, x, TOP - 6, y, x, y + 17, label);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
		"class=\"title\">time (UTC%s)</text></g>\n",
		LEFT + WIDTH / 2, y + 33, t->p->c ? ", guest clock; host "
		"events shifted by the estimated clock offset" : "");
}

/* Where a VM stood paused: a band behind the lanes, with its reason. */
static void pauses(const struct tl *t, FILE *f)
{
	struct vbt_html_pause ps[VBT_HTML_MAX_PAUSES];
	int n = vbt_html_pauses(t->p, ps, VBT_HTML_MAX_PAUSES);
	char a[32], b[32];

	for (int i = 0; i < n; i++) {
		double x0, x1;

		if (ps[i].to < t->t0 || ps[i].from > t->t1)
			continue;
		x0 = xpos(t, ps[i].from);
		x1 = xpos(t, ps[i].to);
		vbt_report_time(ps[i].from, a, sizeof(a));
		vbt_report_time(ps[i].to, b, sizeof(b));
		fputs("<g class=\"paused\" data-vm=\"", f);
		vbt_html_esc(f, ps[i].vm);
		fprintf(f, "\"><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
			"height=\"%d\"><title>VM ", x0, TOP - 12,
			x1 - x0 < 2 ? 2 : x1 - x0, t->nlanes * ROW + 12);
		vbt_html_esc(f, ps[i].vm);
		fputs(" paused", f);
		if (ps[i].reason[0]) {
			fputs(" (", f);
			vbt_html_esc(f, ps[i].reason);
			fputs(")", f);
		}
		fprintf(f, " from %s to %s%s</title></rect><text x=\"%.1f\" "
			"y=\"%d\">paused</text></g>\n", a, b, ps[i].open ?
			" (still paused when the recording ended)" : "",
			x0 + 2, TOP - 2);
	}
}

static void lane_row(const struct tl *t, int li, FILE *f)
{
	const struct lane *l = &t->lanes[li];
	int y = TOP + li * ROW;
	double bw = (double)WIDTH / NBINS;

	fprintf(f, "<g class=\"lane%s\" data-lane=\"", l->role ||
		!strncmp(l->name, "host ", 5) ? " host" : "");
	vbt_html_esc(f, l->name);
	fprintf(f, "\" data-failures=\"%" PRIu64 "\"><text class=\"name\" "
		"x=\"%d\" y=\"%d\" text-anchor=\"end\"><title>", l->failures,
		LEFT - 8, y + ROW / 2 + 4);
	vbt_html_esc(f, l->name);
	/* what fits left of the lane: the name's end, the full one on hover */
	fprintf(f, "</title>%s", strlen(l->name) > LABEL_MAX ? "&hellip;" : "");
	vbt_html_esc(f, l->name + (strlen(l->name) > LABEL_MAX ?
				   strlen(l->name) - LABEL_MAX : 0));
	fprintf(f, " (%" PRIu64 ")</text><line class=\"base\" x1=\"%d\" "
		"x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", l->failures, LEFT,
		LEFT + WIDTH, y + ROW - 2, y + ROW - 2);
	for (int b = 0; b < NBINS; b++) {
		double h;

		if (!l->bins[b])
			continue;
		h = (ROW - 6) * (double)l->bins[b] / t->maxbin;
		fprintf(f, "<rect class=\"bin\" x=\"%.1f\" y=\"%.1f\" "
			"width=\"%.1f\" height=\"%.1f\"><title>%u failures in "
			"this bin (%.3g ms)</title></rect>\n", LEFT + b * bw,
			y + ROW - 2 - h, bw - 0.5, h, l->bins[b],
			(t->t1 - t->t0) / 1e6 / NBINS);
	}
	fputs("</g>\n", f);
}

static void mark(const struct tl *t, int role, size_t i,
		 struct vbt_rec_event *buf, FILE *f)
{
	const struct vbt_rec_event *re = vbt_input_event(vbt_html_in(t->p, role),
							 i, buf);
	const struct vbt_event *ev = &re->ev;
	char id[32], tod[32];
	int y = TOP + t->y[role][i] * ROW;

	vbt_html_id(id, sizeof(id), vbt_html_side(t->p, role), ev->seq);
	vbt_report_time(vbt_html_time(t->p, role, re), tod, sizeof(tod));
	fprintf(f, "<a href=\"#%s\" class=\"mark %s%s\" data-ref=\"%s\">"
		"<rect x=\"%.1f\" y=\"%d\" width=\"3\" height=\"%d\"/>"
		"<title>%s %s %s", id, ev->kind == VBT_KIND_BLOCK ? "req" :
		"sys", role || ev->side == VBT_SIDE_HOST ? " hostev" : "", id,
		t->x[role][i] - 1.5, y + 3, ROW - 8, tod,
		ev->kind == VBT_KIND_BLOCK ? vbt_op_name(ev->blk.op) :
		ev->kind == VBT_KIND_SYSCALL ? vbt_sys_name(ev->sys.sys) :
		vbt_async_op_name(ev->kind, ev->async.opcode),
		vbt_errno_name(ev->err));
	fputs("</title></a>\n", f);
}

static void draw_link(const struct tl *t, int ra, size_t a, int rb, long b,
		 const char *cls, FILE *f)
{
	char ia[32], ib[32];

	if (b < 0 || t->x[ra][a] < 0 || t->x[rb][b] < 0)
		return;
	vbt_html_id(ia, sizeof(ia), vbt_html_side(t->p, ra),
		    rec_of(t->p, ra)->ev[a].seq);
	vbt_html_id(ib, sizeof(ib), vbt_html_side(t->p, rb),
		    rec_of(t->p, rb)->ev[b].seq);
	fprintf(f, "<line class=\"link %s\" data-from=\"%s\" data-to=\"%s\" "
		"x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", cls, ia, ib,
		t->x[ra][a], TOP + t->y[ra][a] * ROW + ROW / 2, t->x[rb][b],
		TOP + t->y[rb][b] * ROW + ROW / 2);
}

/* Cause links inside each recording, then a merge's guest -> host joins. */
static void links(const struct tl *t, FILE *f)
{
	for (int role = 0; role < 2; role++) {
		const struct vbt_crec *rec = rec_of(t->p, role);

		for (size_t i = 0; rec && i < rec->n; i++) {
			const struct vbt_cev *ev = &rec->ev[i];

			if (t->x[role][i] >= 0 && ev->kind == VBT_KIND_SYSCALL &&
			    ev->cause_seq)
				draw_link(t, role, i, role, vbt_html_index(t->p,
				     role, ev->cause_seq), "cause", f);
		}
	}
	for (size_t k = 0; t->p->c && k < t->p->c->njoins; k++) {
		const struct vbt_join *j = &t->p->c->joins[k];

		if (rec_of(t->p, 0)->ev[j->guest].kind != VBT_KIND_BLOCK)
			continue;
		draw_link(t, 0, j->guest, 1, j->host >= 0 ? j->host :
		     j->host_block, "join", f);
	}
}

/* What the marks mean; the host's and the pauses' only if there are any. */
static void legend(const struct tl *t, FILE *f)
{
	struct vbt_html_pause ps[VBT_HTML_MAX_PAUSES];
	bool host = t->p->host || t->p->r->in->side == VBT_SIDE_HOST;

	fputs("<p class=\"legend\"><span class=\"sw req\"></span> failed "
	      "block request <span class=\"sw sys\"></span> failed syscall "
	      "or async I/O ", f);
	if (host)
		fputs("<span class=\"sw hostev\"></span> host side ", f);
	fprintf(f, "<span class=\"sw bin\"></span> failures per time bin "
		"(bar height) <span class=\"sw link\"></span> cause link "
		"(syscall &rarr; its request%s)", t->p->c ?
		" &rarr; the host event" : "");
	if (vbt_html_pauses(t->p, ps, VBT_HTML_MAX_PAUSES))
		fputs(" <span class=\"sw paused\"></span> VM paused", f);
	fputs("</p>\n", f);
}

/*
 * The extent of the page's own failures (the guest's in a merge: the host
 * also records other VMs), with a margin: the close-up of a burst.
 */
static bool zoom_span(struct tl *t)
{
	const struct vbt_crec *rec = rec_of(t->p, 0);
	uint64_t a = UINT64_MAX, b = 0, m;

	for (size_t i = 0; i < rec->n; i++) {
		uint64_t ns = rec->ev[i].real_ns;

		if (!vbt_html_cfailure(&rec->ev[i]))
			continue;
		a = ns < a ? ns : a;
		b = ns > b ? ns : b;
	}
	/* worth it when the failures fill less than a quarter of the span */
	if (a > b || (b - a) * 4 >= t->t1 - t->t0)
		return false;
	m = (b - a) / 20 + 100000;	/* 5% and 0.1 ms each side */
	t->t0 = a > m ? a - m : 0;
	t->t1 = b + m;
	return true;
}

static void draw(const struct vbt_page *p, FILE *f, bool zoom)
{
	struct tl *t = calloc(1, sizeof(*t));
	struct vbt_rec_event *buf = NULL;
	int drawn, h;
	char a[32], b[32];

	if (!t) {
		fputs("<p>Out of memory drawing the timeline.</p>\n", f);
		return;
	}
	t->p = p;
	span(t);
	if (zoom && !zoom_span(t))
		goto out;
	drawn = place(t);
	if (drawn < 0) {
		fputs("<p>Out of memory drawing the timeline.</p>\n", f);
		goto out;
	}
	if (!t->nlanes) {
		if (!zoom)
			fputs("<p>No failure was recorded.</p>\n", f);
		goto out;
	}
	if (zoom) {
		vbt_report_time(t->t0, a, sizeof(a));
		vbt_report_time(t->t1, b, sizeof(b));
		fprintf(f, "<h3>Close-up: %s to %s UTC, where the failures "
			"are</h3>\n", a, b);
	}
	h = TOP + t->nlanes * ROW + 46;
	fprintf(f, "<svg id=\"%s\" class=\"timeline\" xmlns=\"http://www."
		"w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height="
		"\"%d\" role=\"img\" aria-label=\"failures over time\" "
		"data-marks=\"%d\">\n", zoom ? "timeline-zoom" : "timeline",
		LEFT + WIDTH + 50, h, LEFT + WIDTH + 50, h, drawn);
	axis(t, f, TOP + t->nlanes * ROW);
	pauses(t, f);
	for (int l = 0; l < t->nlanes; l++)
		lane_row(t, l, f);
	links(t, f);
	buf = malloc(sizeof(*buf));
	for (int role = 0; buf && role < 2; role++) {
		const struct vbt_crec *rec = rec_of(p, role);

		for (size_t i = 0; rec && i < rec->n; i++)
			if (t->x[role][i] >= 0)
				mark(t, role, i, buf, f);
	}
	fputs("</svg>\n", f);
	if (!zoom)
		legend(t, f);
out:
	free(buf);
	free(t->x[0]);
	free(t->x[1]);
	free(t->y[0]);
	free(t->y[1]);
	free(t);
}

void vbt_html_timeline(const struct vbt_page *p, FILE *f)
{
	draw(p, f, false);
	draw(p, f, true);
}
