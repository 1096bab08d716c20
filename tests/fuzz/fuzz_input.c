// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: whatever 'vblktrace report' and 'merge' are handed,
 * bundle (.tar.gz) or recording (JSON Lines), is read without a crash,
 * a leak or undefined behaviour: accepted, or refused with a message.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate.h"
#include "decode/bundle_input.h"
#include "sink/report_merge.h"
#include "sink/report_render.h"

/*
 * merge's reading: compact, the same verdict as the full read, the same
 * events; and what is accepted merges with itself and renders (the
 * trace, too, is drawn from the compact events).
 */
static void merge_path(const uint8_t *data, size_t size,
		       const struct vbt_input *full, bool accepted)
{
	struct vbt_corr_opts co = { 0 };
	struct vbt_correlation c;
	struct vbt_input in;
	char err[400] = "";
	bool ok;

	ok = !vbt_input_open_mem_ex((const char *)data, size,
				    VBT_INPUT_COMPACT, &in, err, sizeof(err));
	if (ok != accepted || (!ok && !err[0]))
		abort();
	if (!ok)
		return;
	if (in.crec.n != full->rec.n || in.rec.n || in.side != full->side)
		abort();
	for (size_t i = 0; i < in.crec.n; i++)
		if (in.crec.ev[i].seq != full->rec.ev[i].ev.seq ||
		    in.crec.ev[i].real_ns != full->rec.ev[i].real_ns)
			abort();
	if (!vbt_correlate(&in, &in, &co, &c, err, sizeof(err))) {
		struct vbt_merge_view v = {
			.g = &in, .h = &in, .c = &c,
			.guest_name = "g", .host_name = "h",
		};
		struct vbt_trace_track t[2] = {
			{ .rec = &in.crec, .name = "guest", .pid = 1 },
			{ .rec = &in.crec, .name = "host", .pid = 2,
			  .shift_ns = -c.clock_offset_ns },
		};
		FILE *f = fopen("/dev/null", "w");

		if (f) {
			vbt_merge_text(&v, f);
			vbt_merge_json(&v, f);
			vbt_report_perfetto(t, 1, NULL, f);
			vbt_report_perfetto(t, 2, &c, f);
			fclose(f);
		}
		vbt_correlation_free(&c);
	}
	vbt_input_close(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vbt_input in;
	struct vbt_report r;
	char err[400];

	err[0] = 0;
	if (vbt_input_open_mem((const char *)data, size, &in, err, sizeof(err))) {
		if (!err[0])
			abort();	/* a refusal must say why */
		merge_path(data, size, &in, false);
		return 0;
	}
	merge_path(data, size, &in, true);
	/* what was accepted must also render */
	if (!vbt_report_build(&in, &r)) {
		FILE *f = fopen("/dev/null", "w");

		if (f) {
			vbt_report_text(&r, f);
			vbt_report_html(&r, f);
			fclose(f);
		}
		vbt_report_free(&r);
	}
	vbt_input_close(&in);
	return 0;
}
