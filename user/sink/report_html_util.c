// SPDX-License-Identifier: GPL-2.0
/*
 * What every part of the HTML report shares: escaping hostile text, the
 * page ids of events, and the clock the page shows both sides on.
 */
#include <errno.h>
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

uint64_t vbt_html_time_ns(const struct vbt_page *p, int role,
			  uint64_t real_ns)
{
	if (role && p->c)
		return real_ns - p->c->clock_offset_ns;
	return real_ns;
}

uint64_t vbt_html_time(const struct vbt_page *p, int role,
		       const struct vbt_rec_event *re)
{
	return vbt_html_time_ns(p, role, re->real_ns);
}

bool vbt_html_failure(const struct vbt_event *ev)
{
	return ev->err && ev->kind != VBT_KIND_LOST;
}

bool vbt_html_cfailure(const struct vbt_cev *e)
{
	return e->err && e->kind != VBT_KIND_LOST;
}

const struct vbt_input *vbt_html_in(const struct vbt_page *p, int role)
{
	if (role)
		return p->host ? p->host->in : NULL;
	return p->r->in;
}

const struct vbt_crec *vbt_html_crec(const struct vbt_page *p, int role)
{
	const struct vbt_input *in = vbt_html_in(p, role);

	return in ? &in->crec : NULL;
}

long vbt_html_index(const struct vbt_page *p, int role, uint64_t seq)
{
	const struct vbt_crec *c = vbt_html_crec(p, role);
	uint32_t *tmp = NULL;
	long i;

	if (!c)
		return -1;
	if (p->by_seq)		/* the index is built once, kept by the page */
		return vbt_crec_index(c, &p->by_seq[role], seq);
	i = vbt_crec_index(c, &tmp, seq);
	free(tmp);
	return i;
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
	const struct vbt_input *in = vbt_html_in(p, role);
	const struct vbt_crec *rec = &in->crec;
	struct vbt_rec_event *buf = malloc(sizeof(*buf));

	for (size_t i = 0; buf && i < rec->n; i++) {
		const struct vbt_rec_event *re;
		const struct vbt_event *ev;
		uint64_t t;
		int k;

		if (rec->ev[i].kind != VBT_KIND_VM_STATE)
			continue;
		re = vbt_input_event(in, i, buf);
		ev = &re->ev;
		t = vbt_html_time(p, role, re);
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
	free(buf);
	for (int k = 0; k < n; k++)
		if (out[k].open)
			out[k].to = page_end(p) > out[k].from ? page_end(p) :
				    out[k].from;
	return n;
}

bool vbt_html_listed(const struct vbt_page *p, int role, long i)
{
	return i >= 0 && p->listed[role] && p->listed[role][i];
}

static const struct vbt_crec *rec_of(const struct vbt_page *p, int role)
{
	return vbt_html_crec(p, role);
}

/* Mark one in every @stride of the failures not marked yet, up to @budget. */
static uint64_t sample(const struct vbt_crec *rec, bool *l,
		       uint64_t rest, uint64_t budget)
{
	uint64_t stride, seen = 0, n = 0;

	if (!budget || !rest)
		return 0;
	stride = (rest + budget - 1) / budget;
	for (size_t i = 0; i < rec->n && n < budget; i++) {
		if (l[i] || !vbt_html_cfailure(&rec->ev[i]))
			continue;
		if (seen++ % stride == 0) {
			l[i] = true;
			n++;
		}
	}
	return n;
}

int vbt_html_select(struct vbt_page *p)
{
	uint64_t budget = VBT_HTML_MAX_ITEMS;
	bool *l[2] = { NULL, NULL };

	for (int role = 0; role < 2; role++) {
		const struct vbt_crec *rec = rec_of(p, role);

		p->nfailed[role] = p->nlisted[role] = 0;
		if (!rec)
			continue;
		l[role] = calloc(rec->n + 1, sizeof(bool));
		if (!l[role]) {
			free(l[0]);
			return -ENOMEM;
		}
		for (size_t i = 0; i < rec->n; i++)
			p->nfailed[role] += vbt_html_cfailure(&rec->ev[i]);
	}
	/* the page's own failures first */
	p->nlisted[0] = sample(rec_of(p, 0), l[0], p->nfailed[0], budget);
	budget -= p->nlisted[0];
	/* then the host events a merge joined to them */
	for (size_t k = 0; l[1] && p->c && k < p->c->njoins && budget; k++) {
		const struct vbt_join *j = &p->c->joins[k];
		long h[2] = { j->host, j->host_block };

		if (!l[0][j->guest])
			continue;
		for (int m = 0; m < 2 && budget; m++) {
			if (h[m] < 0 || (size_t)h[m] >= p->host->in->crec.n ||
			    l[1][h[m]])
				continue;
			l[1][h[m]] = true;
			p->nlisted[1]++;
			budget--;
		}
	}
	/* then an even sample of the host's other failures */
	if (l[1])
		p->nlisted[1] += sample(rec_of(p, 1), l[1], p->nfailed[1] -
					p->nlisted[1], budget);
	p->listed[0] = l[0];
	p->listed[1] = l[1];
	return 0;
}

void vbt_html_select_free(struct vbt_page *p)
{
	free((void *)p->listed[0]);
	free((void *)p->listed[1]);
	p->listed[0] = p->listed[1] = NULL;
}
