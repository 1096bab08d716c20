/* SPDX-License-Identifier: GPL-2.0 */
/* The HTML report page of report and merge, with doctor's findings. */
#ifndef VBT_REPORT_PAGE_H
#define VBT_REPORT_PAGE_H

#include <stdio.h>

#include "correlate/correlate.h"
#include "decode/bundle_input.h"

/*
 * Render @in (or, with @host and @c, a merged guest @in and its host) as
 * one HTML page.  doctor's rules run on the QEMU command lines of the
 * bundle's facts, without looking at this machine.  0 or -1.
 */
int vbt_report_page(const struct vbt_input *in, const struct vbt_input *host,
		    const struct vbt_correlation *c, const char *name,
		    const char *host_name, FILE *f);

#endif
