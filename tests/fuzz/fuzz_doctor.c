// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: whatever 'doctor --cmdline' or '--xml' is given (a
 * NUL-separated argv, one argument per line, a shell-quoted libvirt log
 * line, XML), diagnosed offline and, split in two at the first 0xff byte,
 * as a migration from one to the other.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diagnose/doctor.h"

static int load(struct dr_config *c, const char *buf, size_t len)
{
	char err[256];

	memset(c, 0, sizeof(*c));
	if (len && buf[0] == '<')
		return dr_config_from_xml(c, buf, len, err, sizeof(err));
	return dr_config_from_cmdline(c, buf, len, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	const char *cut = memchr(buf, 0xff, size);
	size_t a = cut ? (size_t)(cut - buf) : size;
	struct dr_config src, dst;
	struct dr_report r = { 0 };
	struct dr_env env;
	FILE *devnull = fopen("/dev/null", "w");

	/* Offline: no probing of this machine's files. */
	memset(&env, 0, sizeof(env));
	env.io_uring = -1;
	if (!load(&src, buf, a)) {
		dr_diagnose(&src, &env, &r);
		if (devnull)
			dr_print_text(devnull, &src, NULL, &r);
		dr_report_free(&r);
		memset(&r, 0, sizeof(r));
		if (cut && !load(&dst, cut + 1, size - a - 1)) {
			dr_diagnose_migration(&src, &dst, &r);
			dr_report_free(&r);
			dr_config_free(&dst);
		} else if (cut) {
			dr_config_free(&dst);
		}
	}
	dr_config_free(&src);
	if (devnull)
		fclose(devnull);
	return 0;
}
