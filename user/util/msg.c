// SPDX-License-Identifier: GPL-2.0
/* Messages to the user (msg.h). */
#include <stdarg.h>
#include <stdio.h>

#include "util/msg.h"

static char prog[48] = "vblktrace";
const char *vbt_prog = prog;
const char *vbt_cmd = "live";

void vbt_set_command(const char *cmd)
{
	vbt_cmd = cmd;
	snprintf(prog, sizeof(prog), "vblktrace %s", cmd);
}

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", vbt_prog);
	vfprintf(stderr, fmt, ap);
}

void vbt_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

int vbt_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", vbt_prog);
	return 2;	/* VBT_EXIT_USAGE */
}
