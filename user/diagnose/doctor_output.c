// SPDX-License-Identifier: GPL-2.0
/* vblktrace doctor output: wrapped text for people, JSON Lines for tools. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "diagnose/doctor.h"
#include "util/json.h"
#include "util/text_safe.h"

#define WRAP 78

/* Print @s wrapped at WRAP columns, every line indented by @ind spaces
 * after the first, which starts with @head. */
static void wrap(FILE *f, const char *head, int ind, const char *s)
{
	int col = fprintf(f, "%*s%s", 2, "", head);
	bool first = true;

	s = vbt_ts(s);	/* paths from a pasted or a foreign command line */

	while (*s) {
		size_t w = strcspn(s, " ");

		if (!first && col + 1 + (int)w > WRAP) {
			col = fprintf(f, "\n%*s", ind, "") - 1;
			first = true;
		}
		col += fprintf(f, "%s%.*s", first ? "" : " ", (int)w, s);
		first = false;
		s += w;
		s += strspn(s, " ");
	}
	fputc('\n', f);
}

static void print_drives(FILE *f, const struct dr_config *c)
{
	for (int i = 0; i < c->vm.ndrives; i++) {
		const struct vbt_drive *d = &c->vm.drives[i];
		const struct dr_dev *dev = dr_dev_of_drive(c, d);
		char addr[32] = "";

		if (dev && dev->slot >= 0)
			snprintf(addr, sizeof(addr), " @%s:%02x.%d",
				 dev->bus ? dev->bus : "root", dev->slot,
				 dev->fn < 0 ? 0 : dev->fn);
		fprintf(f, "  %-6s %-16s %s %s cache=%s aio=%s werror=%s%s\n",
			d->target ? vbt_ts(d->target) : "-",
			d->id ? vbt_ts(d->id) : d->drive ? vbt_ts(d->drive) : "-",
			d->format ? vbt_ts(d->format) : "?",
			d->image ? vbt_ts(d->image) : "?",
			d->cache ? vbt_ts(d->cache) : "?",
			vbt_aio_name(d->aio), d->werror ? vbt_ts(d->werror) : "?",
			addr);
	}
}

static void header(FILE *f, const char *what, const struct dr_config *c)
{
	fprintf(f, "%s: %s\n  VM %s, machine %s%s%s%s, %d vCPU%s, %d drive%s\n",
		what, c->origin ? vbt_ts(c->origin) : "?",
		c->vm.name ? vbt_ts(c->vm.name) : "(unnamed)",
		c->machine ? vbt_ts(c->machine) : "(default)",
		c->arch ? " (" : "", c->arch ? vbt_ts(c->arch) : "", c->arch ? ")" : "", c->vcpus,
		c->vcpus == 1 ? "" : "s", c->vm.ndrives,
		c->vm.ndrives == 1 ? "" : "s");
	if (c->live)
		fprintf(f, "  live state from its QMP monitor (hot-plugged "
			"devices and removed drives included)\n");
	else if (c->live_note)
		fprintf(f, "  live state unknown: %s\n", c->live_note);
	print_drives(f, c);
}

void dr_print_text(FILE *f, const struct dr_config *c,
		   const struct dr_config *dst, const struct dr_report *r)
{
	int n[3] = { 0 };

	header(f, dst ? "source" : "vblktrace doctor", c);
	if (dst)
		header(f, "destination", dst);
	fputc('\n', f);
	/* Errors first, then warnings, then notes. */
	for (int sev = DR_ERROR; sev >= DR_INFO; sev--) {
		for (int i = 0; i < r->n; i++) {
			const struct dr_finding *x = &r->f[i];

			if ((int)x->sev != sev)
				continue;
			n[sev]++;
			fprintf(f, "%s [%s] %s\n", dr_sev_name(x->sev), x->rule,
				vbt_ts(x->subject));
			wrap(f, "", 2, x->title);
			if (*x->means)
				wrap(f, "means: ", 9, x->means);
			if (*x->see)
				wrap(f, "you see: ", 11, x->see);
			if (*x->todo)
				wrap(f, "do: ", 6, x->todo);
			fputc('\n', f);
		}
	}
	if (!r->n)
		fprintf(f, "No findings: nothing in this configuration matches a "
			"known block I/O pitfall.\n");
	else
		fprintf(f, "%d finding%s: %d error%s, %d warning%s, %d info\n",
			r->n, r->n == 1 ? "" : "s", n[DR_ERROR],
			n[DR_ERROR] == 1 ? "" : "s", n[DR_WARNING],
			n[DR_WARNING] == 1 ? "" : "s", n[DR_INFO]);
}

void dr_print_json(FILE *f, const struct dr_config *c,
		   const struct dr_config *dst, const struct dr_report *r)
{
	int n[3] = { 0 };
	json_object *o;

	for (int i = 0; i < r->n; i++) {
		const struct dr_finding *x = &r->f[i];

		n[x->sev]++;
		o = json_object_new_object();
		json_object_object_add(o, "v", json_object_new_int(1));
		vbt_json_add_str(o, "kind", "finding");
		vbt_json_add_str(o, "origin", c->origin);
		if (dst)
			vbt_json_add_str(o, "destination", dst->origin);
		vbt_json_add_str(o, "vm", c->vm.name);
		vbt_json_add_str(o, "rule", x->rule);
		vbt_json_add_str(o, "severity", dr_sev_name(x->sev));
		vbt_json_add_str(o, "subject", x->subject);
		vbt_json_add_str(o, "title", x->title);
		vbt_json_add_str(o, "means", x->means);
		vbt_json_add_str(o, "see", x->see);
		vbt_json_add_str(o, "todo", x->todo);
		fprintf(f, "%s\n", json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	o = json_object_new_object();
	json_object_object_add(o, "v", json_object_new_int(1));
	vbt_json_add_str(o, "kind", "summary");
	vbt_json_add_str(o, "origin", c->origin);
	if (dst)
		vbt_json_add_str(o, "destination", dst->origin);
	vbt_json_add_str(o, "vm", c->vm.name);
	vbt_json_add_str(o, "machine", c->machine);
	json_object_object_add(o, "drives", json_object_new_int(c->vm.ndrives));
	json_object_object_add(o, "errors", json_object_new_int(n[DR_ERROR]));
	json_object_object_add(o, "warnings",
			       json_object_new_int(n[DR_WARNING]));
	json_object_object_add(o, "infos", json_object_new_int(n[DR_INFO]));
	/* doctor --pid: whether the running QEMU was asked (QMP), and if
	 * not, why; the destination's the same. */
	json_object_object_add(o, "live", json_object_new_boolean(c->live));
	vbt_json_add_str(o, "live_note", c->live_note);
	if (dst) {
		json_object_object_add(o, "destination_live",
				       json_object_new_boolean(dst->live));
		vbt_json_add_str(o, "destination_live_note", dst->live_note);
	}
	fprintf(f, "%s\n", json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
