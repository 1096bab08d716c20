// SPDX-License-Identifier: GPL-2.0
/*
 * The bundle's tar.gz reader, in memory and trusting nothing: see
 * archive.h for what it refuses.  zlib does the gzip part.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "decode/archive.h"
#include "util/errmsg.h"

#define BLOCK VBT_USTAR_BLOCK
unsigned int vbt_ustar_sum(const struct vbt_ustar *h)
{
	const unsigned char *p = (const unsigned char *)h;
	unsigned int sum = 0;

	for (size_t i = 0; i < BLOCK; i++)
		sum += (i >= offsetof(struct vbt_ustar, chksum) &&
			i < offsetof(struct vbt_ustar, chksum) + 8) ? ' ' : p[i];
	return sum;
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
		return vbt_seterr(err, errlen, -EFBIG, "bundle larger than %lu MiB",
			      VBT_BUNDLE_MAX_GZ >> 20);
	if (!vbt_is_gzip(gz, len))
		return vbt_seterr(err, errlen, -EINVAL, "not a gzip file");
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return vbt_seterr(err, errlen, -ENOMEM, "out of memory");
	z.next_in = (unsigned char *)gz;
	z.avail_in = len;
	for (;;) {
		if (n == cap || !buf) {
			if (buf && cap >= VBT_BUNDLE_MAX_TAR) {
				ret = vbt_seterr(err, errlen, -EFBIG, "bundle "
					     "unpacks to more than %lu MiB",
					     VBT_BUNDLE_MAX_TAR >> 20);
				break;
			}
			if (buf)
				cap = cap * 2 > VBT_BUNDLE_MAX_TAR ?
				      VBT_BUNDLE_MAX_TAR : cap * 2;
			p = realloc(buf, cap);
			if (!p) {
				ret = vbt_seterr(err, errlen, -ENOMEM,
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
				ret = vbt_seterr(err, errlen, -EINVAL, "%u bytes "
					     "after the end of the gzip stream",
					     z.avail_in);
			break;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0) {
			ret = vbt_seterr(err, errlen, -EINVAL, "truncated gzip "
				     "stream");
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			ret = vbt_seterr(err, errlen, -EINVAL, "corrupt gzip "
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
static int member_name(const struct vbt_ustar *h, char *name, char *err,
		       size_t errlen)
{
	size_t n = strnlen(h->name, sizeof(h->name));
	const char *s = h->name;

	if (h->prefix[0])
		return vbt_seterr(err, errlen, -EINVAL, "tar entry with a path "
			      "prefix: not a vblktrace bundle");
	if (n >= 2 && s[0] == '.' && s[1] == '/') {
		s += 2;
		n -= 2;
	}
	if (!n)
		return vbt_seterr(err, errlen, -EINVAL, "tar entry without a name");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return vbt_seterr(err, errlen, -EINVAL, "tar entry name "
				      "with an unprintable byte");
	if (s[0] == '/' || strstr(s, ".."))
		return vbt_seterr(err, errlen, -EINVAL, "unsafe tar entry name "
			      "'%.*s'", (int)n, s);
	memcpy(name, s, n);
	name[n] = 0;
	return 0;
}

static int check_header(const struct vbt_ustar *h, char *err, size_t errlen)
{
	uint64_t sum;

	if (octal(h->chksum, sizeof(h->chksum), &sum) ||
	    sum != vbt_ustar_sum(h))
		return vbt_seterr(err, errlen, -EINVAL, "tar header checksum "
			      "mismatch: corrupt bundle");
	if (memcmp(h->magic, "ustar", 5) ||
	    !((h->magic[5] == 0 && !memcmp(h->version, "00", 2)) ||
	      (h->magic[5] == ' ' && h->version[0] == ' ' &&
	       h->version[1] == 0)))
		return vbt_seterr(err, errlen, -EINVAL, "not a ustar archive");
	if (h->typeflag != '0' && h->typeflag != 0)
		return vbt_seterr(err, errlen, -EINVAL, "tar entry of type '%c' "
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
		const struct vbt_ustar *h = (const struct vbt_ustar *)(a->tar + pos);
		struct vbt_member *m;

		if (a->tar_len - pos < BLOCK)
			return vbt_seterr(err, errlen, -EINVAL, "truncated tar "
				      "archive (no end marker)");
		if (all_zero(a->tar + pos, BLOCK)) {
			if (a->tar_len - pos < 2 * BLOCK ||
			    !all_zero(a->tar + pos + BLOCK, BLOCK))
				return vbt_seterr(err, errlen, -EINVAL, "truncated "
					      "tar archive (half an end "
					      "marker)");
			if (!all_zero(a->tar + pos, a->tar_len - pos))
				return vbt_seterr(err, errlen, -EINVAL, "data after "
					      "the end of the tar archive");
			return 0;
		}
		ret = check_header(h, err, errlen);
		if (ret)
			return ret;
		if (a->n == VBT_BUNDLE_MAX_MEMBERS)
			return vbt_seterr(err, errlen, -E2BIG, "more than %d files "
				      "in the bundle", VBT_BUNDLE_MAX_MEMBERS);
		m = &a->m[a->n];
		ret = member_name(h, m->name, err, errlen);
		if (ret)
			return ret;
		if (vbt_archive_get(a, m->name))
			return vbt_seterr(err, errlen, -EINVAL, "'%s' appears twice "
				      "in the bundle", m->name);
		if (octal(h->size, sizeof(h->size), &size))
			return vbt_seterr(err, errlen, -EINVAL, "bad size field of "
				      "'%s'", m->name);
		pos += BLOCK;
		if (size > a->tar_len - pos ||
		    (size + BLOCK - 1) / BLOCK * BLOCK > a->tar_len - pos)
			return vbt_seterr(err, errlen, -EINVAL, "truncated bundle: "
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
