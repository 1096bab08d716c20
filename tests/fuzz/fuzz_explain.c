// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: 'vblktrace explain' on any bytes (guest dmesg, QEMU
 * and libvirt logs, QMP events, mkfs output), text and JSON output.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diagnose/explain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int json = 0; json < 2; json++) {
		struct ex_ctx ctx;
		struct ex_opts o = { .json = json, .max_line = 4096,
				     .verbose = true };
		struct ex_stats st;
		FILE *in = fmemopen((void *)data, size ? size : 1, "r");
		FILE *out = fopen("/dev/null", "w");

		memset(&ctx, 0, sizeof(ctx));
		memset(&st, 0, sizeof(st));
		if (in && out && size)
			ex_run(in, out, &ctx, &o, &st);
		ex_stats_free(&st);
		if (in)
			fclose(in);
		if (out)
			fclose(out);
	}
	return 0;
}
