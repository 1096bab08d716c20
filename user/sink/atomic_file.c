// SPDX-License-Identifier: GPL-2.0
/* Atomic file replacement: temp file, fsync, rename, fsync the directory. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink/atomic_file.h"

int vbt_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * What may be replaced: nothing yet, or a regular file of the caller's.
 * rename() would replace a symlink or another user's file in a shared
 * directory without a word; refuse both.
 */
static int replaceable(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_uid != geteuid())
		return -EPERM;
	return 0;
}

int vbt_open_output(const char *path)
{
	/* O_NONBLOCK: naming a FIFO nobody reads must not hang us here. */
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
		      O_NONBLOCK | O_NOCTTY, 0600);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		int e = -errno;

		close(fd);
		return e;
	}
	if (S_ISREG(st.st_mode)) {
		if (st.st_uid != geteuid()) {
			close(fd);
			return -EPERM;
		}
		if (ftruncate(fd, 0)) {
			int e = -errno;

			close(fd);
			return e;
		}
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

FILE *vbt_fopen_output(const char *path)
{
	int fd = vbt_open_output(path);
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}

int vbt_write_file_atomic(const char *path, const void *data, size_t len,
			  mode_t mode)
{
	char *dcopy = strdup(path), *bcopy = strdup(path), *tmp = NULL;
	const char *dir, *base;
	int fd, ret;

	if (!dcopy || !bcopy) {
		ret = -ENOMEM;
		goto out;
	}
	ret = replaceable(path);
	if (ret)
		goto out;
	dir = dirname(dcopy);
	base = basename(bcopy);
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		tmp = NULL;
		ret = -ENOMEM;
		goto out;
	}
	/* mkostemp creates it 0600: private until it is complete. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = fchmod(fd, mode) ? -errno : 0;
	if (!ret)
		ret = vbt_write_all(fd, data, len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	else
		sync_dir(dir);
out:
	free(tmp);
	free(dcopy);
	free(bcopy);
	return ret;
}
