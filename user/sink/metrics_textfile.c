// SPDX-License-Identifier: GPL-2.0
/*
 * node_exporter's textfile collector reads DIR/ *.prom whenever it is
 * scraped: the file must never be seen half written, so it is written
 * under a name the collector ignores and renamed into place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sink/atomic_file.h"
#include "sink/metrics.h"

int vbt_metrics_textfile_write(struct vbt_metrics *m, const char *dir)
{
	char dst[4096];
	size_t len = 0;
	char *text;
	int ret;

	if (snprintf(dst, sizeof(dst), "%s/vblktrace.prom", dir) >=
	    (int)sizeof(dst))
		return -ENAMETOOLONG;
	text = vbt_metrics_render(m, &len);
	if (!text)
		return -ENOMEM;
	/*
	 * 0600: labels name VMs and images, which are not for every local
	 * user; run node_exporter as the same user or give it the file with
	 * a group ACL on DIR.  The temporary name (.vblktrace.prom.XXXXXX) is
	 * not *.prom, so the collector never reads it half written.
	 */
	ret = vbt_write_file_atomic(dst, text, len, 0600);
	free(text);
	return ret;
}
