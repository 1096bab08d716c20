/* SPDX-License-Identifier: GPL-2.0 */
/* The parts of the HTML report (report_html*.c), shared among them. */
#ifndef VBT_REPORT_HTML_H
#define VBT_REPORT_HTML_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sink/report_render.h"

/* Failures drawn on the timeline and listed at most (both the same set). */
#define VBT_HTML_MAX_ITEMS 5000

/* Text from a recording or a bundle, escaped for HTML and attributes. */
void vbt_html_esc(FILE *f, const char *s);
/* Page id of an event: "e-g-12" (guest) or "e-h-40" (host). */
void vbt_html_id(char *buf, size_t len, char side, uint64_t seq);
/* 'g' or 'h': the letter of recording @role (0 the page's, 1 merged host). */
char vbt_html_side(const struct vbt_page *p, int role);
/* Wall time of host event @i on the page's clock (guest clock in a merge). */
uint64_t vbt_html_time(const struct vbt_page *p, int role,
		       const struct vbt_rec_event *re);
/* The same, of a wall time @real_ns. */
uint64_t vbt_html_time_ns(const struct vbt_page *p, int role,
			  uint64_t real_ns);
/* Is this event a failure, not a "lost" record. */
bool vbt_html_failure(const struct vbt_event *ev);
bool vbt_html_cfailure(const struct vbt_cev *e);
/*
 * Recording @role: its input and its compact events (NULL: none).  Loops
 * over every event read the compact ones; an event listed or described in
 * full is had with vbt_input_event() (a million events do not fit whole).
 */
const struct vbt_input *vbt_html_in(const struct vbt_page *p, int role);
const struct vbt_crec *vbt_html_crec(const struct vbt_page *p, int role);
/* The index of event @seq of recording @role (a cause link), or -1. */
long vbt_html_index(const struct vbt_page *p, int role, uint64_t seq);
/*
 * Choose the failures drawn and listed (@p->listed): all of them up to
 * VBT_HTML_MAX_ITEMS; past it the page's own recording first, then the
 * host events a merge joined, then an even sample of the rest, so the
 * marks still show where the failures are.  0 or -ENOMEM.
 */
int vbt_html_select(struct vbt_page *p);
void vbt_html_select_free(struct vbt_page *p);
/* Is event @i of recording @role drawn and listed (and a link target)? */
bool vbt_html_listed(const struct vbt_page *p, int role, long i);

/* A time a VM stood paused, on the page's clock (host vm_state events). */
struct vbt_html_pause {
	char vm[64];
	char reason[32];
	uint64_t from, to;
	bool open;			/* still paused when the recording ended */
};

#define VBT_HTML_MAX_PAUSES 64

/* The pauses the recordings saw (a merge: of its VM only); how many. */
int vbt_html_pauses(const struct vbt_page *p, struct vbt_html_pause *out,
		    int max);

void vbt_html_timeline(const struct vbt_page *p, FILE *f);
void vbt_html_drives(const struct vbt_page *p, FILE *f);
void vbt_html_groups(const struct vbt_report *r, const char *id, FILE *f);
void vbt_html_latency(const struct vbt_report *r, FILE *f);
void vbt_html_failures(const struct vbt_page *p, FILE *f);

#endif
