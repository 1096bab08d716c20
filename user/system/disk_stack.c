// SPDX-License-Identifier: GPL-2.0
/*
 * What sits under a disk: the SCSI device behind an sd disk (address,
 * INQUIRY strings, HBA, queue depth and timeout) and, for a stacked device
 * (dm, md), the devices it is built on, from sysfs slaves/, and an md
 * array's level, state and members.  The names come from a sysfs a guest
 * controls: they are made printable and the walk is bounded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "system/disk_facts.h"

#define STACK_DEPTH 8

/*
 * DIR/FILE, a regular file of under len bytes: printable, trailing white
 * space cut; its length or -errno.  (Its own reader, so the facts' file
 * and this one do not call each other.)
 */
static int attr(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = 0;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			buf[i] = buf[i] == '\n' ? ' ' : '?';
	while (n && buf[n - 1] == ' ')
		buf[--n] = 0;
	return n;
}

static uint64_t attr_u64(const char *dir, const char *file)
{
	char buf[32], *end;
	unsigned long long v;

	if (attr(dir, file, buf, sizeof(buf)) <= 0)
		return VBT_UNKNOWN;
	v = strtoull(buf, &end, 10);
	return *end ? VBT_UNKNOWN : v;
}

static void scsi_facts(struct vbt_disk_facts *f, const char *sysroot,
		       const char *ddir)
{
	char path[PATH_MAX], real[PATH_MAX], host[PATH_MAX], name[64];
	unsigned int h, c, t;
	unsigned long long l;
	const char *base;
	char dev[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/device", ddir) >= (int)sizeof(path) ||
	    !realpath(path, real))
		return;
	base = strrchr(real, '/');
	base = base ? base + 1 : real;
	/* Only a SCSI device directory is named H:C:T:L. */
	if (sscanf(base, "%u:%u:%u:%llu", &h, &c, &t, &l) != 4)
		return;
	snprintf(f->scsi_addr, sizeof(f->scsi_addr), "%u:%u:%u:%llu", h, c, t,
		 l);
	snprintf(dev, sizeof(dev), "%s", real);
	attr(dev, "vendor", f->vendor, sizeof(f->vendor));
	attr(dev, "rev", f->rev, sizeof(f->rev));
	f->queue_depth = attr_u64(dev, "queue_depth");
	f->scsi_timeout = attr_u64(dev, "timeout");
	/* sd's view of the mode page: WCE (write back) and FUA. */
	snprintf(host, sizeof(host), "%s/class/scsi_disk/%s", sysroot,
		 f->scsi_addr);
	attr(host, "cache_type", f->scsi_cache_type,
	     sizeof(f->scsi_cache_type));
	if (attr(host, "FUA", name, sizeof(name)) > 0)
		f->scsi_fua = !strcmp(name, "1") ? VBT_TRI_YES :
			      !strcmp(name, "0") ? VBT_TRI_NO : VBT_TRI_UNKNOWN;
	snprintf(host, sizeof(host), "%s/class/scsi_host/host%u", sysroot, h);
	if (attr(host, "proc_name", name, sizeof(name)) > 0)
		snprintf(f->scsi_host, sizeof(f->scsi_host), "%.31s", name);
	/* QEMU's INQUIRY data: vendor QEMU, model QEMU HARDDISK/CD-ROM. */
	if (!strcmp(f->vendor, "QEMU")) {
		if (strstr(f->model, "HARDDISK"))
			snprintf(f->emulated, sizeof(f->emulated),
				 "QEMU scsi-hd");
		else if (strstr(f->model, "CD-ROM"))
			snprintf(f->emulated, sizeof(f->emulated),
				 "QEMU scsi-cd");
		else
			snprintf(f->emulated, sizeof(f->emulated), "QEMU %.40s",
				 f->model);
	}
}

/* A name from a sysfs the guest controls, made printable. */
static void clean_name(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%.*s", (int)len - 1, name);
	for (char *p = out; *p; p++)
		if (*p < 0x21 || *p > 0x7e || *p == '/')
			*p = '?';
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * The entries of NAME's slaves/ (what it is built on), printable and
 * sorted, at most max of them in names[]; their count (at most 64 looked
 * at), 0 if none.
 */
static int slaves(const char *sysroot, const char *name, char names[][32],
		  int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	int count = 0;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/class/block/%s/slaves", sysroot,
		     name) >= (int)sizeof(path))
		return 0;
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) && count < 64) {
		if (de->d_name[0] == '.')
			continue;
		if (count < max)
			clean_name(names[count], sizeof(names[0]), de->d_name);
		count++;
	}
	closedir(d);
	qsort(names, count < max ? count : max, sizeof(names[0]), by_name);
	return count;
}

/* buf += a b c, cut at len. */
static void append(char *buf, size_t len, const char *a, const char *b,
		   const char *c)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s%s%s", a, b, c);
}

/*
 * A device-mapper name; LVM's (dm/uuid "LVM-...") as vg/lv: LVM joins the
 * two with '-' and doubles any '-' inside them.
 */
static void dm_name(const char *dir, char *out, size_t len)
{
	char name[128], uuid[160], *o = out;

	out[0] = 0;
	if (attr(dir, "dm/name", name, sizeof(name)) <= 0)
		return;
	if (attr(dir, "dm/uuid", uuid, sizeof(uuid)) <= 0 ||
	    strncmp(uuid, "LVM-", 4)) {
		snprintf(out, len, "%s", name);
		return;
	}
	for (const char *p = name; *p && o + 1 < out + len; p++) {
		if (p[0] == '-' && p[1] == '-')
			*o++ = *p++;
		else if (*p == '-')
			*o++ = '/';
		else
			*o++ = *p;
	}
	*o = 0;
}

/* md's view of an array (sysfs md/): level, state, members. */
static void md_facts(struct vbt_disk_facts *f, const char *sysroot,
		     const char *ddir)
{
	char dir[PATH_MAX], names[VBT_MD_MEMBERS][32];
	int n;

	if (attr(ddir, "md/level", f->md_level, sizeof(f->md_level)) <= 0)
		return;
	attr(ddir, "md/array_state", f->md_array_state,
	     sizeof(f->md_array_state));
	f->md_raid_disks = attr_u64(ddir, "md/raid_disks");
	f->md_degraded = attr_u64(ddir, "md/degraded");
	n = slaves(sysroot, f->id.name, names, VBT_MD_MEMBERS);
	for (int i = 0; i < n && i < VBT_MD_MEMBERS; i++) {
		struct vbt_md_member *m = &f->md_members[f->md_nmembers++];

		memcpy(m->dev, names[i], sizeof(m->dev));
		if (snprintf(dir, sizeof(dir), "%s/md/dev-%s", ddir,
			     names[i]) < (int)sizeof(dir))
			attr(dir, "state", m->state, sizeof(m->state));
	}
}

static void stack_facts(struct vbt_disk_facts *f, const char *sysroot,
			const char *ddir)
{
	char cur[32], names[4][32], dir[PATH_MAX], dm[128];
	int count;

	dm_name(ddir, f->dm_name, sizeof(f->dm_name));
	count = slaves(sysroot, f->id.name, names, 4);
	if (!count)
		return;
	snprintf(f->stack, sizeof(f->stack), "%s", f->name);
	if (f->dm_name[0])
		append(f->stack, sizeof(f->stack), " (", f->dm_name, ")");
	else if (f->md_level[0])
		append(f->stack, sizeof(f->stack), " (", f->md_level, ")");
	for (int depth = 0; depth < STACK_DEPTH; depth++) {
		if (count > 1) {
			/* An array or mirror: every member, and no deeper
			 * (each member has a line of its own). */
			append(f->stack, sizeof(f->stack), " -> ", names[0], "");
			for (int i = 1; i < count && i < 4; i++)
				append(f->stack, sizeof(f->stack), " + ",
				       names[i], "");
			if (count > 4)
				append(f->stack, sizeof(f->stack), " + ...", "",
				       "");
			break;
		}
		snprintf(cur, sizeof(cur), "%s", names[0]);
		append(f->stack, sizeof(f->stack), " -> ", cur, "");
		if (snprintf(dir, sizeof(dir), "%s/class/block/%s", sysroot,
			     cur) >= (int)sizeof(dir))
			break;
		dm_name(dir, dm, sizeof(dm));
		if (dm[0])
			append(f->stack, sizeof(f->stack), " (", dm, ")");
		count = slaves(sysroot, cur, names, 4);
		if (!count) {
			/* A partition: its disk is the parent directory. */
			char link[PATH_MAX], *slash;

			if (attr(dir, "partition", dm, sizeof(dm)) <= 0 ||
			    !realpath(dir, link))
				break;
			slash = strrchr(link, '/');
			if (!slash)
				break;
			*slash = 0;
			slash = strrchr(link, '/');
			if (slash)
				append(f->stack, sizeof(f->stack), " -> ",
				       slash + 1, "");
			break;
		}
	}
}

void vbt_disk_stack_facts(struct vbt_disk_facts *f, const char *sysroot,
			  const char *ddir)
{
	f->queue_depth = f->scsi_timeout = VBT_UNKNOWN;
	f->scsi_fua = VBT_TRI_UNKNOWN;
	scsi_facts(f, sysroot, ddir);
	md_facts(f, sysroot, ddir);
	stack_facts(f, sysroot, ddir);
}
