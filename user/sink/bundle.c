// SPDX-License-Identifier: GPL-2.0
/*
 * A hand-written ustar writer: the format (decode/archive.h) is a fixed
 * 512-byte header per file, then the data padded to 512 bytes, then two
 * zero blocks.  zlib does the gzip part.  The reader is decode/archive.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <zlib.h>

#include "sink/atomic_file.h"
#include "sink/bundle.h"
#include "util/errmsg.h"

#define BLOCK VBT_USTAR_BLOCK
#define RECORD (20 * BLOCK)	/* tar's default record: pad to it */

static void fill_header(struct vbt_ustar *h, const struct vbt_member *m,
			uint64_t mtime)
{
	memset(h, 0, sizeof(*h));
	/* Names are checked to be shorter than 100 bytes. */
	memcpy(h->name, m->name, strnlen(m->name, sizeof(h->name) - 1));
	snprintf(h->mode, sizeof(h->mode), "%07o", 0600);
	snprintf(h->uid, sizeof(h->uid), "%07o", 0);
	snprintf(h->gid, sizeof(h->gid), "%07o", 0);
	snprintf(h->size, sizeof(h->size), "%011llo", (unsigned long long)m->len);
	snprintf(h->mtime, sizeof(h->mtime), "%011llo",
		 (unsigned long long)(mtime & 077777777777ULL));
	h->typeflag = '0';
	memcpy(h->magic, "ustar", 6);
	memcpy(h->version, "00", 2);
	snprintf(h->uname, sizeof(h->uname), "root");
	snprintf(h->gname, sizeof(h->gname), "root");
	snprintf(h->chksum, sizeof(h->chksum), "%06o", vbt_ustar_sum(h));
	h->chksum[7] = ' ';
}

/* The whole archive in memory: bundles are small (errors, not traffic). */
static char *build_tar(const struct vbt_member *m, int n, uint64_t mtime,
		       size_t *len)
{
	size_t total = 2 * BLOCK;
	char *tar, *p;

	for (int i = 0; i < n; i++)
		total += BLOCK + (m[i].len + BLOCK - 1) / BLOCK * BLOCK;
	total = (total + RECORD - 1) / RECORD * RECORD;
	tar = calloc(1, total);
	if (!tar)
		return NULL;
	p = tar;
	for (int i = 0; i < n; i++) {
		fill_header((struct vbt_ustar *)p, &m[i], mtime);
		p += BLOCK;
		if (m[i].len)
			memcpy(p, m[i].data, m[i].len);
		p += (m[i].len + BLOCK - 1) / BLOCK * BLOCK;
	}
	*len = total;
	return tar;
}

static int gzip_mem(const char *in, size_t len, unsigned char **out,
		    size_t *outlen)
{
	z_stream z = { 0 };
	size_t cap;
	unsigned char *buf;
	int ret;

	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&z, len) + 64;
	buf = malloc(cap);
	if (!buf) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = len;
	z.next_out = buf;
	z.avail_out = cap;
	ret = deflate(&z, Z_FINISH);
	deflateEnd(&z);
	if (ret != Z_STREAM_END) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	*outlen = z.total_out;
	return 0;
}

int vbt_archive_write(const char *path, const struct vbt_member *m, int n,
		      uint64_t mtime, char *err, size_t errlen)
{
	unsigned char *gz = NULL;
	size_t tar_len, gz_len;
	char *tar;
	int ret;

	for (int i = 0; i < n; i++)
		if (!m[i].name[0] || strlen(m[i].name) >= 100)
			return vbt_seterr(err, errlen, -EINVAL, "bad member name");
	tar = build_tar(m, n, mtime, &tar_len);
	if (!tar)
		return vbt_seterr(err, errlen, -ENOMEM, "out of memory");
	ret = gzip_mem(tar, tar_len, &gz, &gz_len);
	free(tar);
	if (ret)
		return vbt_seterr(err, errlen, ret, "compressing failed");
	/* A bundle holds private data: 0600, and atomic. */
	ret = vbt_write_file_atomic(path, gz, gz_len, 0600);
	if (ret)
		vbt_seterr(err, errlen, ret, "writing %s failed: %s", path,
		       strerror(-ret));
	free(gz);
	return ret;
}
