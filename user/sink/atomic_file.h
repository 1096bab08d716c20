/* SPDX-License-Identifier: GPL-2.0 */
/* Files that are never seen half written. */
#ifndef VBT_ATOMIC_FILE_H
#define VBT_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* write() until done or a real error; 0 or -errno. */
int vbt_write_all(int fd, const void *buf, size_t len);
/*
 * Write PATH atomically with MODE: a hidden temporary file in the same
 * directory (.NAME.XXXXXX, created 0600), fsync, rename over PATH, fsync
 * the directory.  A crash leaves the old file or none, never half of one.
 * Returns 0 or -errno; the temporary file never outlives a failure.
 */
int vbt_write_file_atomic(const char *path, const void *data, size_t len,
			  mode_t mode);
/*
 * Open PATH for writing output that names processes and files: never
 * through a symlink (O_NOFOLLOW), created 0600, and an existing regular
 * file is truncated only if the caller (effective uid) owns it, so root's
 * "-o F" in a shared directory cannot clobber another user's file.  A
 * device or FIFO the caller names (/dev/stdout, a pipe) is written as is.
 * Returns the fd or -errno.
 */
int vbt_open_output(const char *path);
/* The same for stdio; NULL with errno set. */
FILE *vbt_fopen_output(const char *path);

#endif
