/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bundle container: a gzip'd ustar archive of a few regular files.
 * The writer is atomic (a temporary file in the target directory, fsync,
 * rename) and makes every member and the archive mode 0600.  The reader
 * works in memory and trusts nothing: sizes are capped before and after
 * decompression, every header checksum is verified, only regular files
 * with plain names are accepted, and truncation or trailing bytes are
 * errors with a message.
 */
#ifndef VBT_BUNDLE_H
#define VBT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#define VBT_BUNDLE_MAX_GZ	(128UL * 1024 * 1024)	/* compressed */
#define VBT_BUNDLE_MAX_TAR	(300UL * 1024 * 1024)	/* uncompressed */
#define VBT_BUNDLE_MAX_MEMBERS	32
#define VBT_BUNDLE_NAME_MAX	100

struct vbt_member {
	char name[VBT_BUNDLE_NAME_MAX + 1];
	const char *data;		/* into the archive (reader) */
	size_t len;
};

struct vbt_archive {
	char *tar;			/* the decompressed archive */
	size_t tar_len;
	struct vbt_member m[VBT_BUNDLE_MAX_MEMBERS];
	int n;
};

/*
 * Write @n members to @path atomically, mode 0600, member mtime @mtime
 * (seconds).  Returns 0 or -errno with a message in @err.
 */
int vbt_archive_write(const char *path, const struct vbt_member *m, int n,
		      uint64_t mtime, char *err, size_t errlen);

/* Is this a gzip stream (magic 1f 8b)? */
int vbt_is_gzip(const void *buf, size_t len);

/*
 * Decompress and index a .tar.gz held in memory.  Returns 0, or -EINVAL /
 * -EFBIG / -ENOMEM with a message in @err; @a is then empty.
 */
int vbt_archive_read_mem(const void *gz, size_t len, struct vbt_archive *a,
			 char *err, size_t errlen);
const struct vbt_member *vbt_archive_get(const struct vbt_archive *a,
					 const char *name);
void vbt_archive_free(struct vbt_archive *a);

#endif
