// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: whatever 'vblktrace report' and 'merge' are handed,
 * bundle (.tar.gz) or recording (JSON Lines), is read without a crash,
 * a leak or undefined behaviour: accepted, or refused with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/bundle_input.h"
#include "sink/report_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vbt_input in;
	struct vbt_report r;
	char err[400];

	err[0] = 0;
	if (vbt_input_open_mem((const char *)data, size, &in, err, sizeof(err))) {
		if (!err[0])
			abort();	/* a refusal must say why */
		return 0;
	}
	/* what was accepted must also render */
	if (!vbt_report_build(&in, &r)) {
		FILE *f = fopen("/dev/null", "w");

		if (f) {
			struct vbt_trace_track t = {
				.rec = &in.rec, .name = "guest", .pid = 1,
			};

			vbt_report_text(&r, f);
			vbt_report_html(&r, f);
			vbt_report_perfetto(&t, 1, NULL, f);
			fclose(f);
		}
		vbt_report_free(&r);
	}
	vbt_input_close(&in);
	return 0;
}
