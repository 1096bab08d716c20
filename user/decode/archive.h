/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bundle container: a gzip'd ustar archive of a few regular files.
 * The reader works in memory and trusts nothing: sizes are capped before
 * and after decompression, every header checksum is verified, only regular
 * files with plain names are accepted, and truncation or trailing bytes
 * are errors with a message.  What a person's repacking adds is read:
 * pax headers (path and size honoured), folder entries, and one folder
 * holding everything (bug-1234/MANIFEST.json); links, devices, FIFOs,
 * sparse files and ".." never are.  An unpacked bundle directory is read
 * with the same limits.  The writer is sink/bundle.c.
 */
#ifndef VBT_ARCHIVE_H
#define VBT_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#define VBT_BUNDLE_MAX_GZ	(128UL * 1024 * 1024)	/* compressed */
/*
 * Uncompressed: room for a million events (events.jsonl, like a recording,
 * at most 1 GiB) with facts and manifest; a bomb stops growing there.
 */
#define VBT_BUNDLE_MAX_TAR	(1088UL * 1024 * 1024)
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
	char name[VBT_BUNDLE_MAX_MEMBERS][256];	/* full names, while read */
	int n;
};

/* One ustar header block (POSIX.1-1988), as reader and writer see it. */
#define VBT_USTAR_BLOCK 512

struct vbt_ustar {
	char name[100];
	char mode[8];
	char uid[8];
	char gid[8];
	char size[12];
	char mtime[12];
	char chksum[8];
	char typeflag;
	char linkname[100];
	char magic[6];
	char version[2];
	char uname[32];
	char gname[32];
	char devmajor[8];
	char devminor[8];
	char prefix[155];
	char pad[12];
};

_Static_assert(sizeof(struct vbt_ustar) == VBT_USTAR_BLOCK,
	       "ustar header is 512 bytes");

/* The header checksum: its bytes summed, the chksum field as spaces. */
unsigned int vbt_ustar_sum(const struct vbt_ustar *h);

/* Is this a gzip stream (magic 1f 8b)? */
int vbt_is_gzip(const void *buf, size_t len);

/*
 * Decompress and index a .tar.gz held in memory.  Returns 0, or -EINVAL /
 * -EFBIG / -ENOMEM with a message in @err; @a is then empty.
 */
int vbt_archive_read_mem(const void *gz, size_t len, struct vbt_archive *a,
			 char *err, size_t errlen);
/*
 * Read the members of an unpacked bundle from directory @dir: regular
 * files only, never through a link, each within the archive's limits.
 */
int vbt_archive_read_dir(const char *dir, const char *const *names, int n,
			 struct vbt_archive *a, char *err, size_t errlen);
const struct vbt_member *vbt_archive_get(const struct vbt_archive *a,
					 const char *name);
void vbt_archive_free(struct vbt_archive *a);

#endif
