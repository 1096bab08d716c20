// SPDX-License-Identifier: GPL-2.0
/* Reading block device identities from sysfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "system/disks.h"

static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int fill_disk(const char *dir, const char *name, struct vbt_disk *d)
{
	char path[512], buf[64], link[512];
	unsigned int ma, mi;
	ssize_t n;

	memset(d, 0, sizeof(*d));
	if (strlen(name) >= sizeof(d->name))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/%s/dev", dir, name);
	if (read_small(path, buf, sizeof(buf)))
		return -ENOENT;
	if (sscanf(buf, "%u:%u", &ma, &mi) != 2 || ma > 4095 || mi > 0xfffff)
		return -EINVAL;
	strcpy(d->name, name);
	d->major = ma;
	d->minor = mi;
	d->dev = vbt_mkdev(ma, mi);

	snprintf(path, sizeof(path), "%s/%s/device/driver", dir, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = 0;
		snprintf(d->driver, sizeof(d->driver), "%s", basename(link));
	}
	/* virtio-blk's device is the virtio device itself. */
	d->virtio = !strcmp(d->driver, "virtio_blk");
	return 0;
}

int vbt_disks_scan(const char *sysroot, struct vbt_disk **out)
{
	struct vbt_disk *disks = NULL, *tmp;
	char dir[256];
	struct dirent *de;
	int n = 0, cap = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/block", sysroot);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct vbt_disk disk;

		if (de->d_name[0] == '.')
			continue;
		if (fill_disk(dir, de->d_name, &disk))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			tmp = realloc(disks, cap * sizeof(*disks));
			if (!tmp) {
				free(disks);
				closedir(d);
				return -ENOMEM;
			}
			disks = tmp;
		}
		disks[n++] = disk;
	}
	closedir(d);
	*out = disks;
	return n;
}

/* A name of one entry in a sysfs directory, not a way out of it. */
static bool entry_name_ok(const char *name)
{
	return *name && !strchr(name, '/') && name[0] != '.';
}

int vbt_disk_lookup(const char *sysroot, const char *name, struct vbt_disk *d)
{
	char dir[256];

	if (!entry_name_ok(name))
		return -ENOENT;
	/* class/block has partitions too; block only whole disks. */
	snprintf(dir, sizeof(dir), "%s/class/block", sysroot);
	return fill_disk(dir, name, d) ? -ENOENT : 0;
}

int vbt_disk_lookup_dev(const char *sysroot, uint32_t dev, struct vbt_disk *d)
{
	char path[256], link[256];
	ssize_t n;

	/* dev/block/MAJ:MIN links to the device's sysfs directory */
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u", sysroot,
		 vbt_major(dev), vbt_minor(dev));
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -ENOENT;
	link[n] = 0;
	return vbt_disk_lookup(sysroot, basename(link), d);
}

const struct vbt_disk *vbt_disk_by_dev(const struct vbt_disk *disks, int n,
				       uint32_t dev)
{
	for (int i = 0; i < n; i++)
		if (disks[i].dev == dev)
			return &disks[i];
	return NULL;
}

int vbt_disk_counts_read(const char *sysroot, const char *name,
			 struct vbt_disk_counts *c)
{
	unsigned long long f[17] = { 0 };
	char path[512], buf[512], *p = buf, *end;
	int n = 0;

	if (!entry_name_ok(name))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/block/%s/queue/iostats", sysroot,
		 name);
	if (read_small(path, buf, sizeof(buf)))
		return -ENOENT;
	if (strcmp(buf, "1"))
		return -EOPNOTSUPP;
	snprintf(path, sizeof(path), "%s/block/%s/mq", sysroot, name);
	if (access(path, F_OK))
		return -EOPNOTSUPP;
	snprintf(path, sizeof(path), "%s/block/%s/stat", sysroot, name);
	if (read_small(path, buf, sizeof(buf)))
		return -ENOENT;
	/* 11 fields before 4.18, 15 before 5.5, 17 since */
	while (n < 17) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (*p < '0' || *p > '9')	/* strtoull takes "-5" */
			return -EINVAL;
		errno = 0;
		f[n] = strtoull(p, &end, 10);
		if (errno || (*end && *end != ' '))
			return -EINVAL;
		p = end;
		n++;
	}
	if (n < 11)
		return -EINVAL;
	c->done = f[0] + f[4] + f[11];
	c->in_flight = f[8];
	return 0;
}
