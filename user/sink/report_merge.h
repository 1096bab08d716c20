/* SPDX-License-Identifier: GPL-2.0 */
/* Rendering 'vblktrace merge': the joined timeline as text or JSON. */
#ifndef VBT_REPORT_MERGE_H
#define VBT_REPORT_MERGE_H

#include <stdio.h>

#include "correlate/correlate.h"
#include "sink/report_render.h"

struct vbt_merge_view {
	const struct vbt_input *g, *h;
	const struct vbt_correlation *c;
	const char *guest_name, *host_name;	/* file names */
};

int vbt_merge_text(const struct vbt_merge_view *v, FILE *f);
int vbt_merge_json(const struct vbt_merge_view *v, FILE *f);

#endif
