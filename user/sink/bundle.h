/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing the bundle container (decode/archive.h describes it; its reader
 * lives there).  The writer is atomic (a temporary file in the target
 * directory, fsync, rename) and makes every member and the archive mode
 * 0600.
 */
#ifndef VBT_BUNDLE_H
#define VBT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "decode/archive.h"

/*
 * Write @n members to @path atomically, mode 0600, member mtime @mtime
 * (seconds).  Returns 0 or -errno with a message in @err.
 */
int vbt_archive_write(const char *path, const struct vbt_member *m, int n,
		      uint64_t mtime, char *err, size_t errlen);

#endif
