/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fake file trees for the unit tests (a sysfs, a /proc): files, links,
 * FIFOs and directories under a root made with mkdtemp, each with its
 * parent directories; ft_rm_tree removes it all.  Every call returns 0 or
 * -1 and leaves errno set.
 */
#ifndef VBT_TEST_FILE_TREE_H
#define VBT_TEST_FILE_TREE_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static inline int ft_mkdirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

/* root/rel's parent directories made; its path in @path. */
static inline int ft_parent(const char *root, const char *rel, char *path,
			    size_t len)
{
	char *slash;
	int r;

	snprintf(path, len, "%s/%s", root, rel);
	slash = strrchr(path, '/');
	*slash = 0;
	r = ft_mkdirs(path);
	*slash = '/';
	return r;
}

/* root/rel holding @len bytes of @data (-1: strlen). */
static inline int ft_put_n(const char *root, const char *rel,
			   const char *data, ssize_t len)
{
	char path[4096];
	int fd, ok;

	if (ft_parent(root, rel, path, sizeof(path)))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (len < 0)
		len = strlen(data);
	ok = write(fd, data, len) == len;
	close(fd);
	return ok ? 0 : -1;
}

static inline int ft_put(const char *root, const char *rel, const char *data)
{
	return ft_put_n(root, rel, data, -1);
}

static inline int ft_link(const char *root, const char *rel,
			  const char *target)
{
	char path[4096];

	if (ft_parent(root, rel, path, sizeof(path)))
		return -1;
	return symlink(target, path);
}

static inline int ft_mkdir(const char *root, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return ft_mkdirs(path);
}

static inline int ft_mkfifo(const char *root, const char *rel)
{
	char path[4096];

	if (ft_parent(root, rel, path, sizeof(path)))
		return -1;
	return mkfifo(path, 0644);
}

static inline int ft_rm_one(const char *path, const struct stat *st,
			    int flag, struct FTW *ftw)
{
	return remove(path);
}

static inline void ft_rm_tree(const char *root)
{
	nftw(root, ft_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
