// SPDX-License-Identifier: GPL-2.0
/*
 * The enrichment every session does, against a fake sysfs: device numbers
 * named by the scanned disks, then sysfs, else MAJ:MIN (one helper for the
 * fd paths, the disk of a file and the kernel's counters); virtio status
 * derived the way virtio_blk maps block statuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "kselftest_harness.h"

#include "enrich/devname.h"
#include "enrich/enrich.h"

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

/* SYSROOT/class/block/NAME/dev and SYSROOT/dev/block/MAJ:MIN -> it. */
static void fake_dev(const char *root, const char *name, unsigned int ma,
		     unsigned int mi)
{
	char path[512], target[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/class/block/%s", root, name);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/class/block/%s/dev", root, name);
	f = fopen(path, "w");
	fprintf(f, "%u:%u\n", ma, mi);
	fclose(f);
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u", root, ma, mi);
	snprintf(target, sizeof(target), "../../class/block/%s", name);
	symlink(target, path);
}

FIXTURE(enrich) {
	char root[64];
	struct vbt_disk disks[1];
	struct vbt_enricher e;
};

FIXTURE_SETUP(enrich)
{
	char path[512];

	snprintf(self->root, sizeof(self->root), "/tmp/vbt-enrich-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(path, sizeof(path), "%s/class", self->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/class/block", self->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/dev", self->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/dev/block", self->root);
	mkdir(path, 0755);
	fake_dev(self->root, "vda1", 254, 1);
	memset(self->disks, 0, sizeof(self->disks));
	strcpy(self->disks[0].name, "vda");
	self->disks[0].major = 254;
	self->disks[0].dev = vbt_mkdev(254, 0);
	self->disks[0].virtio = true;
	vbt_enricher_init(&self->e, self->disks, 1, self->root);
}

FIXTURE_TEARDOWN(enrich)
{
	nftw(self->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

TEST_F(enrich, devname_scanned_then_sysfs_then_numbers)
{
	struct vbt_devnames *n = &self->e.names;
	bool found;

	EXPECT_STREQ("vda", vbt_devname(n, vbt_mkdev(254, 0), &found));
	EXPECT_TRUE(found);
	EXPECT_STREQ("vda1", vbt_devname(n, vbt_mkdev(254, 1), &found));
	EXPECT_TRUE(found);
	EXPECT_STREQ("7:3", vbt_devname(n, vbt_mkdev(7, 3), &found));
	EXPECT_FALSE(found);
	/* Major 0 is no block device: never looked up. */
	EXPECT_STREQ("0:52", vbt_devname(n, vbt_mkdev(0, 52), &found));
	EXPECT_FALSE(found);
}

TEST_F(enrich, devname_answers_are_cached)
{
	char path[512];
	bool found;

	EXPECT_STREQ("vda1", vbt_devname(&self->e.names, vbt_mkdev(254, 1),
					 NULL));
	/* Gone from sysfs: the name asked before stays. */
	snprintf(path, sizeof(path), "%s/dev/block/254:1", self->root);
	ASSERT_EQ(0, unlink(path));
	EXPECT_STREQ("vda1", vbt_devname(&self->e.names, vbt_mkdev(254, 1),
					 &found));
	EXPECT_TRUE(found);
}

TEST_F(enrich, devname_cache_overflow_stays_right)
{
	char want[32];

	for (unsigned int i = 0; i < 3 * VBT_DEVNAME_CACHE; i++) {
		snprintf(want, sizeof(want), "8:%u", 100 + i);
		EXPECT_STREQ(want, vbt_devname(&self->e.names,
					       vbt_mkdev(8, 100 + i), NULL));
	}
	EXPECT_STREQ("vda1", vbt_devname(&self->e.names, vbt_mkdev(254, 1),
					 NULL));
	EXPECT_STREQ("vda", vbt_devname(&self->e.names, vbt_mkdev(254, 0),
					NULL));
}

/* A syscall whose process is gone (fd -1): the path from the numbers. */
TEST_F(enrich, syscall_path_and_disk_without_proc)
{
	struct vbt_event ev = { .kind = VBT_KIND_SYSCALL, .pid = 1 };

	ev.sys.fd = -1;
	ev.sys.bdev = vbt_mkdev(254, 1);
	ev.sys.ino = 12;
	ev.sys.ftype = VBT_FTYPE_BLK;
	vbt_enrich_event(&self->e, &ev);
	EXPECT_STREQ("/dev/vda1", ev.sys.path);
	EXPECT_STREQ("vda1", ev.sys.disk);
	EXPECT_STREQ("vda1", vbt_event_disk(&ev));

	ev.sys.ftype = VBT_FTYPE_REG;
	vbt_enrich_event(&self->e, &ev);
	EXPECT_STREQ("inode 12 on vda1", ev.sys.path);

	ev.sys.bdev = vbt_mkdev(7, 3);
	ev.sys.ftype = VBT_FTYPE_BLK;
	vbt_enrich_event(&self->e, &ev);
	EXPECT_STREQ("inode 12 on 7:3", ev.sys.path);
	EXPECT_STREQ("7:3", ev.sys.disk);

	ev.sys.bdev = 0;
	vbt_enrich_event(&self->e, &ev);
	EXPECT_STREQ("", ev.sys.path);
	EXPECT_STREQ("", ev.sys.disk);
}

/* A live fd: /proc says what it is. */
TEST_F(enrich, syscall_path_from_proc)
{
	struct vbt_event ev = { .kind = VBT_KIND_SYSCALL, .pid = getpid() };
	char want[512];
	int fd = open(self->root, O_RDONLY | O_DIRECTORY);

	ASSERT_LE(0, fd);
	ev.sys.fd = fd;
	ev.sys.bdev = vbt_mkdev(254, 1);
	vbt_enrich_event(&self->e, &ev);
	ASSERT_NE(NULL, realpath(self->root, want));
	EXPECT_STREQ(want, ev.sys.path);
	EXPECT_STREQ("vda1", ev.sys.disk);
	close(fd);
}

/* An AIO completion counts as a device when its dev is a scanned disk. */
TEST_F(enrich, async_path_and_disk)
{
	struct vbt_event ev = { .kind = VBT_KIND_AIO, .pid = 1 };

	ev.async.fd = -1;
	ev.async.bdev = vbt_mkdev(254, 0);
	ev.async.ino = 5;
	vbt_enrich_event(&self->e, &ev);
	EXPECT_STREQ("/dev/vda", ev.async.path);
	EXPECT_STREQ("vda", vbt_event_disk(&ev));
	ev.async.bdev = vbt_mkdev(254, 1);
	vbt_enrich_event(&self->e, &ev);
	EXPECT_STREQ("inode 5 on vda1", ev.async.path);
}

/* virtio_blk: BLK_STS_NOTSUPP (1) <- UNSUPP, anything else <- IOERR. */
TEST_F(enrich, block_virtio_status_derived)
{
	static const struct { int status; bool not_issued; int want; } c[] = {
		{ 0, false, VBT_VIRTIO_OK },
		{ 1, false, VBT_VIRTIO_UNSUPP },
		{ 10, false, VBT_VIRTIO_IOERR },
		{ 10, true, VBT_VIRTIO_NONE },	/* never reached the device */
		{ -1, false, VBT_VIRTIO_NONE },	/* status unknown */
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vbt_event ev = { .kind = VBT_KIND_BLOCK };

		ev.blk.dev = vbt_mkdev(254, 0);
		ev.blk.status = c[i].status;
		ev.blk.not_issued = c[i].not_issued;
		ev.blk.virtio_status = VBT_VIRTIO_NONE;
		vbt_enrich_event(&self->e, &ev);
		EXPECT_EQ(c[i].want, ev.blk.virtio_status);
		EXPECT_EQ(c[i].want != VBT_VIRTIO_NONE, ev.blk.virtio_derived);
		EXPECT_STREQ("vda", ev.blk.disk);
	}
}

/* A status the device gave is kept; a disk name the kernel gave too. */
TEST_F(enrich, block_keeps_what_the_kernel_said)
{
	struct vbt_event ev = { .kind = VBT_KIND_BLOCK };

	ev.blk.dev = vbt_mkdev(254, 0);
	ev.blk.status = 10;
	ev.blk.virtio_status = VBT_VIRTIO_UNSUPP;
	strcpy(ev.blk.disk, "vdz");
	vbt_enrich_event(&self->e, &ev);
	EXPECT_EQ(VBT_VIRTIO_UNSUPP, ev.blk.virtio_status);
	EXPECT_FALSE(ev.blk.virtio_derived);
	EXPECT_STREQ("vdz", ev.blk.disk);

	/* Not a scanned disk: no name is made up, no status derived. */
	memset(&ev, 0, sizeof(ev));
	ev.kind = VBT_KIND_BLOCK;
	ev.blk.dev = vbt_mkdev(254, 1);
	ev.blk.status = 10;
	ev.blk.virtio_status = VBT_VIRTIO_NONE;
	vbt_enrich_event(&self->e, &ev);
	EXPECT_STREQ("", ev.blk.disk);
	EXPECT_EQ(VBT_VIRTIO_NONE, ev.blk.virtio_status);
}

TEST_HARNESS_MAIN
