// SPDX-License-Identifier: GPL-2.0
/*
 * The bundle's tar.gz reader, in memory and trusting nothing: see
 * archive.h for what it refuses.  zlib does the gzip part.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/*
 * A member name we accept: relative, no "..", printable, no leading ./
 * Directory entries may end in '/', which is dropped.
 */
static int check_name(const char *s, size_t n, char *name, size_t size,
		      char *err, size_t errlen)
{
	while (n >= 2 && s[0] == '.' && s[1] == '/') {
		s += 2;
		n -= 2;
	}
	while (n && s[n - 1] == '/')
		n--;
	if (!n)
		return vbt_seterr(err, errlen, -EINVAL, "tar entry without a name");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return vbt_seterr(err, errlen, -EINVAL, "tar entry name "
				      "with an unprintable byte");
	if (s[0] == '/' || memmem(s, n, "..", 2))
		return vbt_seterr(err, errlen, -EINVAL, "unsafe tar entry name "
			      "'%.*s'", (int)n, s);
	if (n >= size)
		return vbt_seterr(err, errlen, -EINVAL, "tar entry name longer "
			      "than %zu bytes", size - 1);
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
	return 0;
}

/*
 * What a pax extended header ('x') says of the entry after it.  A person
 * who unpacks and repacks a bundle with GNU tar --format=pax (or bsdtar)
 * gets one per file: times, owner names, maybe the path.  The path and
 * the size are honoured; sparse files are refused; the rest is benign.
 */
struct pax {
	char path[256];
	bool have_path;
	uint64_t size;
	bool have_size;
};

static int parse_pax(const char *p, size_t len, struct pax *x, char *err,
		     size_t errlen)
{
	while (len) {
		const char *eq, *val;
		size_t rec = 0, i = 0, klen, vlen;

		while (i < len && p[i] >= '0' && p[i] <= '9' && rec < 100000)
			rec = rec * 10 + (p[i++] - '0');
		if (!i || i >= len || p[i] != ' ' || rec <= i + 1 ||
		    rec > len || p[rec - 1] != '\n')
			return vbt_seterr(err, errlen, -EINVAL, "malformed pax "
				      "header record");
		eq = memchr(p + i + 1, '=', rec - i - 2);
		if (!eq)
			return vbt_seterr(err, errlen, -EINVAL, "pax header record "
				      "without '='");
		klen = eq - (p + i + 1);
		val = eq + 1;
		vlen = p + rec - 1 - val;
		if (klen == 4 && !memcmp(p + i + 1, "path", 4)) {
			if (vlen >= sizeof(x->path) || memchr(val, 0, vlen))
				return vbt_seterr(err, errlen, -EINVAL, "pax path "
					      "too long");
			memcpy(x->path, val, vlen);
			x->path[vlen] = 0;
			x->have_path = true;
		} else if (klen == 4 && !memcmp(p + i + 1, "size", 4)) {
			x->size = 0;
			if (!vlen || vlen > 15)
				return vbt_seterr(err, errlen, -EINVAL, "bad pax "
					      "size");
			for (size_t j = 0; j < vlen; j++) {
				if (val[j] < '0' || val[j] > '9')
					return vbt_seterr(err, errlen, -EINVAL,
						      "bad pax size");
				x->size = x->size * 10 + (val[j] - '0');
			}
			x->have_size = true;
		} else if (klen >= 10 && !memcmp(p + i + 1, "GNU.sparse", 10)) {
			return vbt_seterr(err, errlen, -EINVAL, "sparse tar entry "
				      "(only regular files belong in a bundle)");
		}
		p += rec;
		len -= rec;
	}
	return 0;
}

static const char *type_name(char t)
{
	switch (t) {
	case '1':
		return "a hard link";
	case '2':
		return "a symbolic link";
	case '3':
	case '4':
		return "a device node";
	case '6':
		return "a FIFO";
	case 'L':
	case 'K':
		return "a GNU long name (names are short in a bundle)";
	case 'S':
		return "a sparse file";
	default:
		return "of an unknown type";
	}
}

/* The entry's full name: pax path, else ustar prefix/name. */
static int entry_name(const struct vbt_ustar *h, const struct pax *x,
		      char *name, size_t size, char *err, size_t errlen)
{
	char full[sizeof(h->prefix) + 1 + sizeof(h->name) + 1];
	size_t np = strnlen(h->prefix, sizeof(h->prefix));
	size_t nn = strnlen(h->name, sizeof(h->name));

	if (x->have_path)
		return check_name(x->path, strlen(x->path), name, size, err,
				  errlen);
	if (h->magic[5] == 0 && np) {
		memcpy(full, h->prefix, np);
		full[np] = '/';
		memcpy(full + np + 1, h->name, nn);
		return check_name(full, np + 1 + nn, name, size, err, errlen);
	}
	return check_name(h->name, nn, name, size, err, errlen);
}

/*
 * A bundle unpacked and repacked by hand has everything under one folder
 * (bug-1234/MANIFEST.json): read it as if it were at the top.
 */
static void strip_top_folder(struct vbt_archive *a)
{
	const char *slash;
	size_t n;

	if (!a->n || !(slash = strchr(a->name[0], '/')))
		return;
	n = slash - a->name[0] + 1;
	for (int i = 1; i < a->n; i++)
		if (strncmp(a->name[i], a->name[0], n))
			return;
	for (int i = 0; i < a->n; i++)
		memmove(a->name[i], a->name[i] + n, strlen(a->name[i] + n) + 1);
}

static int add_member(struct vbt_archive *a, const char *name,
		      const char *data, size_t len, char *err, size_t errlen)
{
	if (a->n == VBT_BUNDLE_MAX_MEMBERS)
		return vbt_seterr(err, errlen, -E2BIG, "more than %d files in "
			      "the bundle", VBT_BUNDLE_MAX_MEMBERS);
	snprintf(a->name[a->n], sizeof(a->name[0]), "%s", name);
	a->m[a->n].data = data;
	a->m[a->n].len = len;
	a->n++;
	return 0;
}

/* Member names final: unique, short, no "/" left after the top folder. */
static int finish_names(struct vbt_archive *a, char *err, size_t errlen)
{
	strip_top_folder(a);
	for (int i = 0; i < a->n; i++) {
		if (!a->name[i][0] || strlen(a->name[i]) > VBT_BUNDLE_NAME_MAX)
			return vbt_seterr(err, errlen, -EINVAL, "bad bundle "
				      "member name '%.60s'", a->name[i]);
		strcpy(a->m[i].name, a->name[i]);
		for (int j = 0; j < i; j++)
			if (!strcmp(a->m[j].name, a->m[i].name))
				return vbt_seterr(err, errlen, -EINVAL, "'%s' "
					      "appears twice in the bundle",
					      a->m[i].name);
	}
	return 0;
}

static int index_tar(struct vbt_archive *a, char *err, size_t errlen)
{
	struct pax x = { 0 };
	size_t pos = 0, span;
	uint64_t size;
	char name[256];
	int ret;

	for (;;) {
		const struct vbt_ustar *h = (const struct vbt_ustar *)(a->tar + pos);

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
			if (x.have_path || x.have_size)
				return vbt_seterr(err, errlen, -EINVAL, "pax "
					      "header without an entry");
			return finish_names(a, err, errlen);
		}
		ret = check_header(h, err, errlen);
		if (ret)
			return ret;
		if (octal(h->size, sizeof(h->size), &size))
			return vbt_seterr(err, errlen, -EINVAL, "bad size field "
				      "in the tar archive");
		if (h->typeflag == '0' || h->typeflag == 0) {
			if (x.have_size)
				size = x.size;
			ret = entry_name(h, &x, name, sizeof(name), err, errlen);
			if (ret)
				return ret;
		}
		pos += BLOCK;
		span = (size + BLOCK - 1) / BLOCK * BLOCK;
		if (size > a->tar_len - pos || span > a->tar_len - pos)
			return vbt_seterr(err, errlen, -EINVAL, "truncated bundle: "
				      "a tar entry is cut short");
		switch (h->typeflag) {
		case 'x':		/* pax: for the next entry */
			ret = parse_pax(a->tar + pos, size, &x, err, errlen);
			if (ret)
				return ret;
			break;
		case 'g':		/* pax: global, nothing we use */
			ret = parse_pax(a->tar + pos, size,
					&(struct pax){ 0 }, err, errlen);
			if (ret)
				return ret;
			break;
		case '5':		/* a folder: nothing to read */
			if (size)
				return vbt_seterr(err, errlen, -EINVAL, "tar "
					      "folder entry with data");
			ret = entry_name(h, &x, name, sizeof(name), err,
					 errlen);
			if (ret)
				return ret;
			memset(&x, 0, sizeof(x));
			break;
		case '0':
		case 0:
			ret = add_member(a, name, a->tar + pos, size, err,
					 errlen);
			if (ret)
				return ret;
			memset(&x, 0, sizeof(x));
			break;
		default:
			return vbt_seterr(err, errlen, -EINVAL, "tar entry "
				      "that is %s (only regular files belong "
				      "in a bundle)", type_name(h->typeflag));
		}
		pos += span;
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

/* One member of an unpacked bundle, appended to a->tar. */
static int read_dir_member(int dfd, const char *name, size_t *used,
			   struct vbt_archive *a, char *err, size_t errlen)
{
	struct stat st;
	ssize_t r;
	size_t n = 0;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 :
		       vbt_seterr(err, errlen, -errno, "%s: %s", name,
				  errno == ELOOP ? "a symbolic link" :
				  strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return vbt_seterr(err, errlen, -EINVAL, "%s: not a regular "
			      "file", name);
	}
	/* The buffer was sized from a first look: a file that grew since
	 * does not fit, and is refused rather than cut. */
	if ((uint64_t)st.st_size > a->tar_len - *used) {
		close(fd);
		return vbt_seterr(err, errlen, -EFBIG, "%s: changed while it "
			      "was read, or larger than %lu MiB", name,
			      VBT_BUNDLE_MAX_TAR >> 20);
	}
	/* Read what fstat promised, no more: a growing file is cut there. */
	while (n < (size_t)st.st_size) {
		r = read(fd, a->tar + *used + n, st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	if (n != (size_t)st.st_size)
		return vbt_seterr(err, errlen, -EIO, "%s: short read", name);
	snprintf(a->name[a->n], sizeof(a->name[0]), "%s", name);
	a->m[a->n].data = a->tar + *used;
	a->m[a->n].len = n;
	a->n++;
	*used += n;
	return 0;
}

int vbt_archive_read_dir(const char *dir, const char *const *names, int n,
			 struct vbt_archive *a, char *err, size_t errlen)
{
	size_t total = 0, used = 0;
	struct stat st;
	int dfd, ret = 0;

	memset(a, 0, sizeof(*a));
	if (n > VBT_BUNDLE_MAX_MEMBERS)
		return vbt_seterr(err, errlen, -E2BIG, "too many members");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return vbt_seterr(err, errlen, -errno, "%s", strerror(errno));
	/* Sizes first, for one buffer the members can point into. */
	for (int i = 0; i < n; i++)
		if (!fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISREG(st.st_mode))
			total += (uint64_t)st.st_size > VBT_BUNDLE_MAX_TAR ?
				 VBT_BUNDLE_MAX_TAR : (size_t)st.st_size;
	if (total > VBT_BUNDLE_MAX_TAR) {
		close(dfd);
		return vbt_seterr(err, errlen, -EFBIG, "the bundle is larger "
			      "than %lu MiB", VBT_BUNDLE_MAX_TAR >> 20);
	}
	a->tar = malloc(total + 1);
	if (!a->tar) {
		close(dfd);
		return vbt_seterr(err, errlen, -ENOMEM, "out of memory");
	}
	a->tar_len = total;
	for (int i = 0; i < n && !ret; i++)
		ret = read_dir_member(dfd, names[i], &used, a, err, errlen);
	close(dfd);
	if (!ret)
		ret = finish_names(a, err, errlen);
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
