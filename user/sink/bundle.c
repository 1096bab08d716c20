// SPDX-License-Identifier: GPL-2.0
/*
 * A hand-written ustar writer and reader: the format is a fixed 512-byte
 * header per file, then the data padded to 512 bytes, then two zero blocks.
 * zlib does the gzip part.  See bundle.h for what the reader refuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <zlib.h>

#include "atomic_file.h"
#include "bundle.h"

#define BLOCK 512
#define RECORD (20 * BLOCK)	/* tar's default record: pad to it */

struct ustar {
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

_Static_assert(sizeof(struct ustar) == BLOCK, "ustar header is 512 bytes");

static int seterr(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static unsigned int header_sum(const struct ustar *h)
{
	const unsigned char *p = (const unsigned char *)h;
	unsigned int sum = 0;

	for (size_t i = 0; i < BLOCK; i++)
		sum += (i >= offsetof(struct ustar, chksum) &&
			i < offsetof(struct ustar, chksum) + 8) ? ' ' : p[i];
	return sum;
}

static void fill_header(struct ustar *h, const struct vbt_member *m,
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
	snprintf(h->chksum, sizeof(h->chksum), "%06o", header_sum(h));
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
		fill_header((struct ustar *)p, &m[i], mtime);
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
			return seterr(err, errlen, -EINVAL, "bad member name");
	tar = build_tar(m, n, mtime, &tar_len);
	if (!tar)
		return seterr(err, errlen, -ENOMEM, "out of memory");
	ret = gzip_mem(tar, tar_len, &gz, &gz_len);
	free(tar);
	if (ret)
		return seterr(err, errlen, ret, "compressing failed");
	/* A bundle holds private data: 0600, and atomic. */
	ret = vbt_write_file_atomic(path, gz, gz_len, 0600);
	if (ret)
		seterr(err, errlen, ret, "writing %s failed: %s", path,
		       strerror(-ret));
	free(gz);
	return ret;
}

int vbt_is_gzip(const void *buf, size_t len)
{
	const unsigned char *p = buf;

	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static int gunzip_mem(const void *gz, size_t len, char **out, size_t *outlen,
		      char *err, size_t errlen)
{
	z_stream z = { 0 };
	size_t cap = 1 << 20, n = 0;
	char *buf = NULL, *p;
	int zr, ret = 0;

	if (len > VBT_BUNDLE_MAX_GZ)
		return seterr(err, errlen, -EFBIG, "bundle larger than %lu MiB",
			      VBT_BUNDLE_MAX_GZ >> 20);
	if (!vbt_is_gzip(gz, len))
		return seterr(err, errlen, -EINVAL, "not a gzip file");
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return seterr(err, errlen, -ENOMEM, "out of memory");
	z.next_in = (unsigned char *)gz;
	z.avail_in = len;
	for (;;) {
		if (n == cap || !buf) {
			if (buf && cap >= VBT_BUNDLE_MAX_TAR) {
				ret = seterr(err, errlen, -EFBIG, "bundle "
					     "unpacks to more than %lu MiB",
					     VBT_BUNDLE_MAX_TAR >> 20);
				break;
			}
			if (buf)
				cap = cap * 2 > VBT_BUNDLE_MAX_TAR ?
				      VBT_BUNDLE_MAX_TAR : cap * 2;
			p = realloc(buf, cap);
			if (!p) {
				ret = seterr(err, errlen, -ENOMEM,
					     "out of memory");
				break;
			}
			buf = p;
		}
		z.next_out = (unsigned char *)buf + n;
		z.avail_out = cap - n;
		zr = inflate(&z, Z_NO_FLUSH);
		n = cap - z.avail_out;
		if (zr == Z_STREAM_END) {
			if (z.avail_in)
				ret = seterr(err, errlen, -EINVAL, "%u bytes "
					     "after the end of the gzip stream",
					     z.avail_in);
			break;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0) {
			ret = seterr(err, errlen, -EINVAL, "truncated gzip "
				     "stream");
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			ret = seterr(err, errlen, -EINVAL, "corrupt gzip "
				     "stream: %s", z.msg ? z.msg : "error");
			break;
		}
	}
	inflateEnd(&z);
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

/* A NUL- or space-terminated octal field, nothing else. */
static int octal(const char *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	bool digits = false;

	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -1;
		v = v * 8 + (f[i] - '0');
		digits = true;
	}
	if (!digits)
		return -1;
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != 0)
			return -1;
	*out = v;
	return 0;
}

static bool all_zero(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* A member name we accept: relative, no "..", printable, no leading ./ */
static int member_name(const struct ustar *h, char *name, char *err,
		       size_t errlen)
{
	size_t n = strnlen(h->name, sizeof(h->name));
	const char *s = h->name;

	if (h->prefix[0])
		return seterr(err, errlen, -EINVAL, "tar entry with a path "
			      "prefix: not a vblktrace bundle");
	if (n >= 2 && s[0] == '.' && s[1] == '/') {
		s += 2;
		n -= 2;
	}
	if (!n)
		return seterr(err, errlen, -EINVAL, "tar entry without a name");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return seterr(err, errlen, -EINVAL, "tar entry name "
				      "with an unprintable byte");
	if (s[0] == '/' || strstr(s, ".."))
		return seterr(err, errlen, -EINVAL, "unsafe tar entry name "
			      "'%.*s'", (int)n, s);
	memcpy(name, s, n);
	name[n] = 0;
	return 0;
}

static int check_header(const struct ustar *h, char *err, size_t errlen)
{
	uint64_t sum;

	if (octal(h->chksum, sizeof(h->chksum), &sum) ||
	    sum != header_sum(h))
		return seterr(err, errlen, -EINVAL, "tar header checksum "
			      "mismatch: corrupt bundle");
	if (memcmp(h->magic, "ustar", 5) ||
	    !((h->magic[5] == 0 && !memcmp(h->version, "00", 2)) ||
	      (h->magic[5] == ' ' && h->version[0] == ' ' &&
	       h->version[1] == 0)))
		return seterr(err, errlen, -EINVAL, "not a ustar archive");
	if (h->typeflag != '0' && h->typeflag != 0)
		return seterr(err, errlen, -EINVAL, "tar entry of type '%c' "
			      "(only regular files belong in a bundle)",
			      h->typeflag >= 0x20 && h->typeflag < 0x7f ?
			      h->typeflag : '?');
	return 0;
}

static int index_tar(struct vbt_archive *a, char *err, size_t errlen)
{
	size_t pos = 0;
	uint64_t size;
	int ret;

	for (;;) {
		const struct ustar *h = (const struct ustar *)(a->tar + pos);
		struct vbt_member *m;

		if (a->tar_len - pos < BLOCK)
			return seterr(err, errlen, -EINVAL, "truncated tar "
				      "archive (no end marker)");
		if (all_zero(a->tar + pos, BLOCK)) {
			if (a->tar_len - pos < 2 * BLOCK ||
			    !all_zero(a->tar + pos + BLOCK, BLOCK))
				return seterr(err, errlen, -EINVAL, "truncated "
					      "tar archive (half an end "
					      "marker)");
			if (!all_zero(a->tar + pos, a->tar_len - pos))
				return seterr(err, errlen, -EINVAL, "data after "
					      "the end of the tar archive");
			return 0;
		}
		ret = check_header(h, err, errlen);
		if (ret)
			return ret;
		if (a->n == VBT_BUNDLE_MAX_MEMBERS)
			return seterr(err, errlen, -E2BIG, "more than %d files "
				      "in the bundle", VBT_BUNDLE_MAX_MEMBERS);
		m = &a->m[a->n];
		ret = member_name(h, m->name, err, errlen);
		if (ret)
			return ret;
		if (vbt_archive_get(a, m->name))
			return seterr(err, errlen, -EINVAL, "'%s' appears twice "
				      "in the bundle", m->name);
		if (octal(h->size, sizeof(h->size), &size))
			return seterr(err, errlen, -EINVAL, "bad size field of "
				      "'%s'", m->name);
		pos += BLOCK;
		if (size > a->tar_len - pos ||
		    (size + BLOCK - 1) / BLOCK * BLOCK > a->tar_len - pos)
			return seterr(err, errlen, -EINVAL, "truncated bundle: "
				      "'%s' is cut short", m->name);
		m->data = a->tar + pos;
		m->len = size;
		a->n++;
		pos += (size + BLOCK - 1) / BLOCK * BLOCK;
	}
}

int vbt_archive_read_mem(const void *gz, size_t len, struct vbt_archive *a,
			 char *err, size_t errlen)
{
	int ret;

	memset(a, 0, sizeof(*a));
	ret = gunzip_mem(gz, len, &a->tar, &a->tar_len, err, errlen);
	if (ret)
		return ret;
	ret = index_tar(a, err, errlen);
	if (ret)
		vbt_archive_free(a);
	return ret;
}

const struct vbt_member *vbt_archive_get(const struct vbt_archive *a,
					 const char *name)
{
	for (int i = 0; i < a->n; i++)
		if (!strcmp(a->m[i].name, name))
			return &a->m[i];
	return NULL;
}

void vbt_archive_free(struct vbt_archive *a)
{
	free(a->tar);
	memset(a, 0, sizeof(*a));
}
