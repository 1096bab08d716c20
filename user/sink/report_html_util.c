// SPDX-License-Identifier: GPL-2.0
/*
 * What every part of the HTML report shares: escaping hostile text, the
 * page ids of events, and the clock the page shows both sides on.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sink/report_html.h"
#include "util/text_safe.h"

/* Markup characters as entities; the rest is already safe text. */
static void entities(FILE *f, const char *s)
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
			fputc(*s, f);
		}
	}
}

/*
 * Line by line (newlines lay out the raw facts): the one sanitiser turns
 * controls, C1, invalid UTF-8 and bidi overrides into visible \xNN, then
 * markup becomes entities.
 */
void vbt_html_esc(FILE *f, const char *s)
{
	char small[512], *buf;

	while (*s) {
		size_t n = strcspn(s, "\n");
		size_t need = vbt_text_safe_n(s, n, NULL, 0, VBT_TS_TAB) + 1;

		buf = need <= sizeof(small) ? small : malloc(need);
		if (buf) {
			vbt_text_safe_n(s, n, buf, need, VBT_TS_TAB);
			entities(f, buf);
			if (buf != small)
				free(buf);
		}
		s += n;
		if (*s == '\n') {
			fputc('\n', f);
			s++;
		}
	}
}

void vbt_html_id(char *buf, size_t len, char side, uint64_t seq)
{
	snprintf(buf, len, "e-%c-%" PRIu64, side, seq);
}

char vbt_html_side(const struct vbt_page *p, int role)
{
	if (role)
		return 'h';
	return p->r->in->side == VBT_SIDE_HOST ? 'h' : 'g';
}

uint64_t vbt_html_time(const struct vbt_page *p, int role,
		       const struct vbt_rec_event *re)
{
	if (role && p->c)
		return re->real_ns - p->c->clock_offset_ns;
	return re->real_ns;
}

bool vbt_html_failure(const struct vbt_event *ev)
{
	return ev->err && ev->kind != VBT_KIND_LOST;
}

static uint64_t page_end(const struct vbt_page *p)
{
	uint64_t end = p->r->span_end_ns;

	if (p->host && p->host->span_end_ns - (p->c ? p->c->clock_offset_ns :
					       0) > end)
		end = p->host->span_end_ns - (p->c ? p->c->clock_offset_ns : 0);
	return end;
}

int vbt_html_pauses(const struct vbt_page *p, struct vbt_html_pause *out,
		    int max)
{
	int role = p->host ? 1 : 0, n = 0;
	const struct vbt_recording *rec = role ? &p->host->in->rec :
						 &p->r->in->rec;

	for (size_t i = 0; i < rec->n; i++) {
		const struct vbt_rec_event *re = &rec->ev[i];
		const struct vbt_event *ev = &re->ev;
		uint64_t t = vbt_html_time(p, role, re);
		int k;

		if (ev->kind != VBT_KIND_VM_STATE ||
		    (p->c && p->c->vm[0] && strcmp(ev->host.vm, p->c->vm)))
			continue;
		for (k = n - 1; k >= 0; k--)	/* this VM's last pause */
			if (!strcmp(out[k].vm, ev->host.vm))
				break;
		if (!strcmp(ev->vmstate.state, "paused")) {
			if ((k >= 0 && out[k].open) || n == max)
				continue;
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].vm, sizeof(out[n].vm), "%s", ev->host.vm);
			snprintf(out[n].reason, sizeof(out[n].reason), "%s",
				 ev->vmstate.reason);
			out[n].from = t;
			out[n].open = true;
			n++;
		} else if (k >= 0 && out[k].open) {
			out[k].to = t;
			out[k].open = false;
		}
	}
	for (int k = 0; k < n; k++)
		if (out[k].open)
			out[k].to = page_end(p) > out[k].from ? page_end(p) :
				    out[k].from;
	return n;
}
