// SPDX-License-Identifier: GPL-2.0
/*
 * The report's tables: the configuration of each VM's drives and of the
 * guest's disks (instead of raw facts), the failures by kind, every
 * failure with the links to its request and host event, and the block
 * latency histogram with its axes and legend.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "decode/names.h"
#include "decode/recording.h"
#include "sink/format.h"
#include "sink/report_html.h"
#include "util/json.h"

static void cell(FILE *f, const char *s)
{
	fputs("<td>", f);
	if (s && s[0])
		vbt_html_esc(f, s);
	else
		fputs("<span class=\"na\">&ndash;</span>", f);
	fputs("</td>", f);
}

/* "ext4 at / (vda)" from a drive's storage facts. */
static void backing(FILE *f, struct json_object *st)
{
	struct json_object *bd = vbt_jget(st, "block_devices");
	size_t n = bd && json_object_is_type(bd, json_type_array) ?
		   json_object_array_length(bd) : 0;
	const char *fs = vbt_jstr(st, "fstype");
	const char *mnt = vbt_jstr(st, "mountpoint");

	fputs("<td>", f);
	if (!st) {
		fputs("<span class=\"na\">&ndash;</span></td>", f);
		return;
	}
	vbt_html_esc(f, fs ? fs : vbt_jstr(st, "type") ? vbt_jstr(st, "type") :
		     "?");
	if (mnt) {
		fputs(" at ", f);
		vbt_html_esc(f, mnt);
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = vbt_jstr(json_object_array_get_idx(bd, i),
					    "name");

		fputs(i ? ", " : " (", f);
		vbt_html_esc(f, name ? name : "?");
		if (i + 1 == n)
			fputs(")", f);
	}
	fputs("</td>", f);
}

/* Host failures of drive @id of VM @vm; and, in a merge, guest ones. */
static uint64_t drive_errors(const struct vbt_page *p, const char *vm,
			     const char *id, uint64_t *guest)
{
	const struct vbt_input *hin = p->host ? p->host->in : p->r->in;
	uint64_t n = 0;

	const struct vbt_crec *c = &hin->crec;
	const struct vbt_chost *last = NULL;
	bool ours = false;

	*guest = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct vbt_cev *ev = &c->ev[i];
		const struct vbt_chost *h = vbt_crec_host(c, ev);

		if (!h || !vbt_html_cfailure(ev))
			continue;
		if (h != last) {	/* a drive tuple is compared once a run */
			last = h;
			ours = !strcmp(vbt_crec_str(c, h->vm), vm) &&
			       !strcmp(vbt_crec_str(c, h->drive), id);
		}
		n += ours;
	}
	for (size_t i = 0; p->c && i < p->c->njoins; i++) {
		const struct vbt_join *j = &p->c->joins[i];
		const struct vbt_disk_pair *d = j->disk >= 0 ?
						&p->c->disks[j->disk] : NULL;

		*guest += d && d->matched && !strcmp(d->vm, vm) &&
			  !strcmp(d->drive, id);
	}
	return n;
}

static const char *guest_of(const struct vbt_page *p, const char *vm,
			    const char *id)
{
	for (int i = 0; p->c && i < p->c->ndisks; i++) {
		const struct vbt_disk_pair *d = &p->c->disks[i];

		if (d->matched && !strcmp(d->vm, vm) && !strcmp(d->drive, id))
			return d->guest;
	}
	return NULL;
}

static void vm_table(const struct vbt_page *p, struct json_object *vm,
		     FILE *f)
{
	struct json_object *drives = vbt_jget(vm, "drives");
	size_t n = drives && json_object_is_type(drives, json_type_array) ?
		   json_object_array_length(drives) : 0;
	const char *name = vbt_jstr(vm, "name");
	const char *ver = vbt_jstr(vm, "qemu_version");

	fputs("<h3>VM ", f);
	vbt_html_esc(f, name ? name : "(unnamed)");
	fprintf(f, "</h3>\n<p class=\"meta\">QEMU pid %d",
		json_object_get_int(vbt_jget(vm, "pid")));
	if (ver) {
		fputs(", version ", f);
		vbt_html_esc(f, ver);
	}
	fprintf(f, "</p>\n<table class=\"drives\"><thead><tr><th>drive</th>"
		"<th>guest disk</th><th>device</th><th>aio</th><th>cache</th>"
		"<th>error policy</th><th>image</th><th>format</th>"
		"<th>filters</th><th>backing storage</th><th>host failures"
		"</th>%s</tr></thead><tbody>\n", p->c ? "<th>guest failures"
		"</th>" : "");
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(drives, i);
		const char *id = vbt_jstr(d, "id");
		const char *we = vbt_jstr(d, "werror");
		const char *re = vbt_jstr(d, "rerror");
		uint64_t gerrs = 0, errs = id && name ?
			drive_errors(p, name, id, &gerrs) : 0;
		char pol[80];

		snprintf(pol, sizeof(pol), "werror=%.20s rerror=%.20s",
			 we ? we : "?", re ? re : "?");
		fprintf(f, "<tr class=\"drive%s\">", errs || gerrs ?
			" failed" : "");
		cell(f, id);
		cell(f, id && name ? guest_of(p, name, id) : NULL);
		cell(f, vbt_jstr(d, "device_driver"));
		cell(f, vbt_jstr(d, "aio"));
		cell(f, vbt_jstr(d, "cache"));
		cell(f, we || re ? pol : NULL);
		cell(f, vbt_jstr(d, "image"));
		cell(f, vbt_jstr(d, "format"));
		cell(f, vbt_jstr(d, "filters"));
		backing(f, vbt_jget(d, "storage"));
		fprintf(f, "<td class=\"n\">%" PRIu64 "</td>", errs);
		if (p->c)
			fprintf(f, "<td class=\"n\">%" PRIu64 "</td>", gerrs);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void host_vms(const struct vbt_page *p, struct json_object *facts,
		     FILE *f)
{
	struct json_object *qemu = vbt_jget(facts, "qemu");
	size_t n = qemu && json_object_is_type(qemu, json_type_array) ?
		   json_object_array_length(qemu) : 0;
	const char *want = p->c && p->c->vm[0] ? p->c->vm : NULL;
	size_t others = 0;

	if (!n) {
		fputs("<p>The host bundle lists no QEMU process.</p>\n", f);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *vm = json_object_array_get_idx(qemu, i);
		const char *name = vbt_jstr(vm, "name");

		if (!want || (name && !strcmp(name, want)))
			vm_table(p, vm, f);
		else
			others++;
	}
	if (!others)
		return;
	fprintf(f, "<details><summary>%zu other VM%s on the host</summary>\n",
		others, others == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		struct json_object *vm = json_object_array_get_idx(qemu, i);
		const char *name = vbt_jstr(vm, "name");

		if (!name || strcmp(name, want))
			vm_table(p, vm, f);
	}
	fputs("</details>\n", f);
}

static uint64_t disk_errors(const struct vbt_crec *rec, const char *name)
{
	uint64_t n = 0;

	for (size_t i = 0; i < rec->n; i++) {
		const struct vbt_cev *ev = &rec->ev[i];

		n += vbt_html_cfailure(ev) && ev->kind == VBT_KIND_BLOCK &&
		     !strcmp(vbt_crec_str(rec, ev->disk), name);
	}
	return n;
}

static const char *drive_of(const struct vbt_page *p, const char *name)
{
	for (int k = 0; p->c && k < p->c->ndisks; k++)
		if (p->c->disks[k].matched && !strcmp(p->c->disks[k].guest, name))
			return p->c->disks[k].drive;
	return NULL;
}

/* One row; @quiet: only disks without failures and host drive (or not). */
static int disk_rows(const struct vbt_page *p, struct json_object *disks,
		     bool quiet, FILE *f)
{
	size_t n = json_object_array_length(disks);
	int rows = 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(disks, i);
		const char *name = vbt_jstr(d, "name");
		const char *drive;
		char size[32], bs[32];
		uint64_t errs;

		if (!name)
			continue;
		drive = drive_of(p, name);
		errs = disk_errors(&p->r->in->crec, name);
		if (quiet != (!errs && !drive))
			continue;
		rows++;
		vbt_format_bytes(json_object_get_int64(vbt_jget(d, "size")),
				 size, sizeof(size));
		snprintf(bs, sizeof(bs), "%d / %d",
			 json_object_get_int(vbt_jget(d, "logical_block_size")),
			 json_object_get_int(vbt_jget(d, "physical_block_size")));
		fprintf(f, "<tr class=\"disk%s\">", errs ? " failed" : "");
		cell(f, name);
		cell(f, vbt_jstr(d, "driver"));
		cell(f, vbt_jstr(d, "serial"));
		cell(f, size);
		cell(f, vbt_jstr(d, "cache_type"));
		cell(f, bs);
		cell(f, drive);
		fprintf(f, "<td class=\"n\">%" PRIu64 "</td></tr>\n", errs);
	}
	return rows;
}

static const char disk_head[] =
	"<table class=\"disks\"><thead><tr><th>disk</th><th>driver</th>"
	"<th>serial</th><th>size</th><th>cache</th><th>block size</th>"
	"<th>host drive</th><th>failed requests</th></tr></thead><tbody>\n";

static void guest_disks(const struct vbt_page *p, struct json_object *facts,
			FILE *f)
{
	struct json_object *disks = vbt_jget(facts, "disks");
	size_t n = disks && json_object_is_type(disks, json_type_array) ?
		   json_object_array_length(disks) : 0;
	int quiet;

	if (!n)
		return;
	fprintf(f, "<h3>Disks of the %s</h3>\n%s", p->r->in->side ==
		VBT_SIDE_HOST ? "host" : "guest", disk_head);
	disk_rows(p, disks, false, f);
	fputs("</tbody></table>\n", f);
	/* the other disks: a machine may have dozens of loop devices */
	fputs("<details><summary>Disks without failures</summary>\n", f);
	fputs(disk_head, f);
	quiet = disk_rows(p, disks, true, f);
	fprintf(f, "</tbody></table><p>%d disk%s.</p></details>\n", quiet,
		quiet == 1 ? "" : "s");
}

void vbt_html_drives(const struct vbt_page *p, FILE *f)
{
	const struct vbt_input *in = p->r->in;

	if (in->facts && in->side == VBT_SIDE_HOST)
		host_vms(p, in->facts, f);
	else if (in->facts)
		guest_disks(p, in->facts, f);
	if (p->host && p->host->in->facts)
		host_vms(p, p->host->in->facts, f);
	if (!in->facts && !p->host)
		fputs("<p>A plain recording carries no facts about the machine "
		      "(a bundle does).</p>\n", f);
}

void vbt_html_groups(const struct vbt_report *r, const char *id, FILE *f)
{
	fprintf(f, "<table id=\"%s\" class=\"groups\"><thead><tr><th>side</th><th>what"
		"</th><th>op</th><th>error</th><th>count</th><th>first (UTC)"
		"</th><th>last (UTC)</th></tr></thead><tbody>\n", id);
	for (int i = 0; i < r->ngroups; i++) {
		const struct vbt_report_group *g = &r->groups[i];
		const char *vs = vbt_virtio_status_name(g->virtio);
		char a[32], b[32];

		vbt_report_time(g->first_ns, a, sizeof(a));
		vbt_report_time(g->last_ns, b, sizeof(b));
		fprintf(f, "<tr class=\"group\" data-count=\"%" PRIu64 "\">"
			"<td>%s</td><td>", g->count,
			g->side == VBT_SIDE_HOST ? "host" : "guest");
		vbt_html_esc(f, g->what);
		if (g->where[0]) {
			fputs("<br><small>", f);
			vbt_html_esc(f, g->where);
			fputs("</small>", f);
		}
		fprintf(f, "</td><td>%s</td><td>%s", g->op >= 0 ?
			vbt_op_name(g->op) : "", vbt_errno_name(g->err));
		if (g->status >= 0)
			fprintf(f, " (%s)", vbt_blk_status_name(g->status));
		if (vs)
			fprintf(f, " virtio %s", vs);
		fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td>%s</td>"
			"<td>%s</td></tr>\n", g->count, a, b);
	}
	fprintf(f, "</tbody><tfoot><tr><th colspan=\"4\">total</th>"
		"<td class=\"n\">%" PRIu64 "</td><td colspan=\"2\">"
		"</td></tr></tfoot></table>\n", r->errors);
}

/* ---- every failure ------------------------------------------------------------ */

static void what(FILE *f, const struct vbt_event *ev)
{
	char buf[400];

	if (ev->kind == VBT_KIND_BLOCK)
		snprintf(buf, sizeof(buf), "%s %s sector %" PRIu64 " +%u",
			 ev->blk.disk, vbt_op_name(ev->blk.op), ev->blk.sector,
			 ev->blk.nr_sectors);
	else if (ev->kind == VBT_KIND_SYSCALL)
		snprintf(buf, sizeof(buf), "%s[%u] %s(%.200s)", ev->comm,
			 ev->pid, vbt_sys_name(ev->sys.sys), ev->sys.path);
	else
		snprintf(buf, sizeof(buf), "%s[%u] %s %s(%.200s)", ev->comm,
			 ev->pid, vbt_kind_name(ev->kind),
			 vbt_async_op_name(ev->kind, ev->async.opcode),
			 ev->async.path);
	vbt_html_esc(f, buf);
	if (ev->host.known) {
		fputs("<br><small>", f);
		snprintf(buf, sizeof(buf), "%.60s/%.60s", ev->host.vm,
			 ev->host.drive);
		vbt_html_esc(f, buf);
		fputs("</small>", f);
	}
}

static void ref(FILE *f, const char *label, char side, uint64_t seq)
{
	char id[32];

	vbt_html_id(id, sizeof(id), side, seq);
	fprintf(f, "<a class=\"ref\" href=\"#%s\">%s %c%" PRIu64 "</a> ", id,
		label, side, seq);
}

static void row(const struct vbt_page *p, int role, size_t i,
		const struct vbt_join *const *joins, FILE *f)
{
	const struct vbt_input *in = vbt_html_in(p, role);
	const struct vbt_crec *hc = p->host ? &p->host->in->crec : NULL;
	struct vbt_rec_event *buf = malloc(sizeof(*buf));
	const struct vbt_rec_event *re;
	const struct vbt_event *ev;
	const struct vbt_join *j = role || !joins ? NULL : joins[i];
	char side = vbt_html_side(p, role), id[32], t[32];

	if (!buf)
		return;
	re = vbt_input_event(in, i, buf);
	ev = &re->ev;
	vbt_html_id(id, sizeof(id), side, ev->seq);
	vbt_report_time(vbt_html_time(p, role, re), t, sizeof(t));
	fprintf(f, "<tr id=\"%s\" class=\"failure\"><td>%c%" PRIu64 "</td>"
		"<td>%s</td><td>%s</td><td>", id, side, ev->seq, t,
		side == 'h' ? "host" : "guest");
	what(f, ev);
	fprintf(f, "</td><td>%s</td>%s", vbt_errno_name(ev->err),
		p->c ? "<td>" : "");
	if (j) {
		fprintf(f, "<span class=\"origin o%d\">%s</span>", j->origin,
			vbt_origin_name(j->origin));
		if (j->host_err)
			fprintf(f, " (host %s)", vbt_errno_name(j->host_err));
	}
	fputs(p->c ? "</td><td>" : "<td>", f);
	/* links only to rows the page lists */
	if (ev->kind == VBT_KIND_SYSCALL && ev->sys.cause_seq &&
	    vbt_html_listed(p, role, vbt_html_index(p, role,
						    ev->sys.cause_seq)))
		ref(f, "request", side, ev->sys.cause_seq);
	if (j && j->host >= 0 && vbt_html_listed(p, 1, j->host))
		ref(f, "host event", 'h', hc->ev[j->host].seq);
	if (j && j->host_block >= 0 && j->host_block != j->host &&
	    vbt_html_listed(p, 1, j->host_block))
		ref(f, "host device", 'h', hc->ev[j->host_block].seq);
	fputs("</td></tr>\n", f);
	free(buf);
}

void vbt_html_failures(const struct vbt_page *p, FILE *f)
{
	const struct vbt_join **joins = NULL;

	/* each guest event's join, found once: a recording may be large */
	if (p->c)
		joins = calloc(p->r->in->crec.n + 1, sizeof(*joins));
	for (size_t i = 0; joins && i < p->c->njoins; i++)
		if (p->c->joins[i].guest < p->r->in->crec.n)
			joins[p->c->joins[i].guest] = &p->c->joins[i];

	fprintf(f, "<table id=\"failures\"><thead><tr><th>#</th><th>time "
		"(UTC)</th><th>side</th><th>what</th><th>error</th>%s"
		"<th>links</th></tr></thead><tbody>\n", p->c ?
		"<th>origin</th>" : "");
	for (int role = 0; role < (p->host ? 2 : 1); role++) {
		const struct vbt_crec *rec = vbt_html_crec(p, role);

		for (size_t i = 0; i < rec->n; i++)
			if (vbt_html_listed(p, role, i))
				row(p, role, i, joins, f);
	}
	free(joins);
	fputs("</tbody></table>\n", f);
}

/* ---- latency -------------------------------------------------------------------- */

#define LAT_LEFT 64
#define LAT_TOP 20
#define LAT_H 160
#define LAT_BAR 58

/* At most five ticks up to @max, at 1, 2 or 5 times a power of ten. */
static uint64_t nice_step(uint64_t max)
{
	for (uint64_t s = 1;; s *= 10) {
		if (s * 5 >= max)
			return s;
		if (s * 10 >= max)
			return s * 2;
		if (s * 25 >= max)
			return s * 5;
	}
}

void vbt_html_latency(const struct vbt_report *r, FILE *f)
{
	int lo = VBT_REPORT_LAT_BUCKETS, hi = -1, w, y0 = LAT_TOP + LAT_H;
	uint64_t max = 1, step;

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
	w = LAT_LEFT + (hi - lo + 1) * LAT_BAR + 20;
	if (w < 480)
		w = 480;
	step = nice_step(max);
	fprintf(f, "<svg id=\"latency\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"block "
		"latency histogram\">\n<g class=\"axis\">"
		"<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>"
		"<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n",
		w, y0 + 50, LAT_LEFT, LAT_LEFT, LAT_TOP, y0,
		LAT_LEFT, w - 10, y0, y0);
	for (uint64_t v = 0; v <= max; v += step) {
		int y = y0 - (int)((double)LAT_H * v / max);

		fprintf(f, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%d\" "
			"y2=\"%d\"/><text x=\"%d\" y=\"%d\" text-anchor=\"end\">"
			"%" PRIu64 "</text>\n", LAT_LEFT, w - 10, y, y,
			LAT_LEFT - 6, y + 4, v);
	}
	fprintf(f, "<text class=\"title\" transform=\"translate(14 %d) "
		"rotate(-90)\" text-anchor=\"middle\">block requests</text>\n"
		"<text class=\"title\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
		"latency, issue to completion (a bar: its label to twice "
		"that)</text></g>\n", LAT_TOP + LAT_H / 2,
		LAT_LEFT + (w - LAT_LEFT) / 2, y0 + 36);
	for (int i = lo; i <= hi; i++) {
		int x = LAT_LEFT + 6 + (i - lo) * LAT_BAR;
		int hb = (int)((double)LAT_H * r->lat[i] / max);
		int he = (int)((double)LAT_H * r->lat_errors[i] / max);
		char label[32];

		vbt_format_duration(1ULL << i, label, sizeof(label));
		fprintf(f, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" "
			"height=\"%d\" data-count=\"%" PRIu64 "\"><title>%s to "
			"twice that: %" PRIu64 " requests, %" PRIu64 " failed"
			"</title></rect>", x, y0 - hb, LAT_BAR - 8, hb,
			r->lat[i], label, r->lat[i], r->lat_errors[i]);
		if (he)
			fprintf(f, "<rect class=\"barerr\" x=\"%d\" y=\"%d\" "
				"width=\"%d\" height=\"%d\"/>", x, y0 - he,
				LAT_BAR - 8, he);
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
			"text-anchor=\"middle\">%s</text>\n",
			x + (LAT_BAR - 8) / 2, y0 + 16, label);
	}
	fputs("</svg>\n<p class=\"legend\"><span class=\"sw bar\"></span> "
	      "block requests (all recorded) <span class=\"sw barerr\">"
	      "</span> the failed ones among them</p>\n", f);
}
