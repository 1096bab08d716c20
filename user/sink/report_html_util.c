// SPDX-License-Identifier: GPL-2.0
/*
 * What every part of the HTML report shares: escaping hostile text, the
 * page ids of events, and the clock the page shows both sides on.
 */
#include <inttypes.h>

#include "sink/report_html.h"

void vbt_html_esc(FILE *f, const char *s)
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
			/* control bytes would make the page invalid */
			fputc((unsigned char)*s < 0x20 && *s != '\n' &&
			      *s != '\t' ? '?' : *s, f);
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
