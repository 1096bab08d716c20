// SPDX-License-Identifier: GPL-2.0
/*
 * A syscall on a stacked device is linked down its failed bios' remaps to
 * the request on the real disk (enrich/cause.c), a partition's start taken
 * from a sysfs tree; the shapes are those a 6.1 guest produced for
 * dm-linear over dm-linear over vda, and dm-linear over vda1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "enrich/cause.h"
#include "system/disks.h"

#define VDA	vbt_mkdev(254, 0)
#define VDA1	vbt_mkdev(254, 1)
#define DM0	vbt_mkdev(253, 0)
#define DM1	vbt_mkdev(253, 1)

static uint64_t seq;

static void block(struct vbt_cause_tab *t, uint32_t dev, uint64_t sector,
		  uint64_t ns, uint32_t tid)
{
	struct vbt_event e;

	memset(&e, 0, sizeof(e));
	e.seq = ++seq;
	e.kind = VBT_KIND_BLOCK;
	e.mono_ns = ns;
	e.tid = tid;
	e.err = 5;
	e.blk.dev = dev;
	e.blk.sector = sector;
	e.blk.nr_sectors = 8;
	e.blk.issuer_known = true;
	snprintf(e.blk.disk, sizeof(e.blk.disk), "vda");
	vbt_cause_note_block(t, &e);
}

static void bio(struct vbt_cause_tab *t, const char *name, uint32_t dev,
		uint64_t sector, bool stacked, uint32_t from, uint64_t fsec,
		uint64_t ns)
{
	struct vbt_event e;

	memset(&e, 0, sizeof(e));
	e.seq = ++seq;
	e.kind = VBT_KIND_BIO;
	e.mono_ns = ns;
	e.err = 5;
	e.bio.dev = dev;
	e.bio.sector = sector;
	e.bio.nr_sectors = 8;
	e.bio.bytes = 4096;
	e.bio.status = 10;
	e.bio.stacked = stacked;
	e.bio.remap = from != 0;
	e.bio.from_dev = from;
	e.bio.from_sector = fsec;
	snprintf(e.bio.disk, sizeof(e.bio.disk), "%s", name);
	vbt_cause_note_block(t, &e);
}

static struct vbt_event sys_on(uint32_t bdev, uint64_t off, uint64_t ns,
			       uint32_t tid)
{
	struct vbt_event e;

	memset(&e, 0, sizeof(e));
	e.kind = VBT_KIND_SYSCALL;
	e.mono_ns = ns;
	e.tid = tid;
	e.err = 5;
	e.sys.bdev = bdev;
	e.sys.ftype = VBT_FTYPE_BLK;
	e.sys.offset = off;
	e.sys.len = 4096;
	return e;
}

TEST(two_levels_of_dm_linear)
{
	struct vbt_cause_tab *t = calloc(1, sizeof(*t));
	struct vbt_event s;
	uint64_t req;

	vbt_cause_init(t, "/nonexistent");
	block(t, VDA, 2056, 100, 7);		/* an earlier, other failure */
	block(t, VDA, 6152, 200, 7);
	req = seq;
	bio(t, "vda", VDA, 6152, false, DM0, 4104, 201);
	bio(t, "dm-0", DM0, 4104, true, DM1, 8, 202);
	bio(t, "dm-1", DM1, 8, true, 0, 0, 203);
	s = sys_on(DM1, 4096, 300, 7);
	ASSERT_TRUE(vbt_cause_link(t, &s));
	EXPECT_EQ(req, s.sys.cause_seq);
	EXPECT_EQ(6152, s.sys.cause.sector);
	ASSERT_EQ(2, s.sys.nchain);
	EXPECT_STREQ("dm-1", s.sys.chain[0].disk);
	EXPECT_EQ(8, s.sys.chain[0].sector);
	EXPECT_STREQ("dm-0", s.sys.chain[1].disk);
	EXPECT_EQ(4104, s.sys.chain[1].sector);
	/* Another thread, another offset: as on a plain disk, the newest
	 * failure of the device within the writeback window (an fsync's). */
	s = sys_on(DM1, 1 << 20, 300, 8);
	ASSERT_TRUE(vbt_cause_link(t, &s));
	EXPECT_EQ(req, s.sys.cause_seq);
	/* Past the window: nothing. */
	s = sys_on(DM1, 4096, 300 + 31ULL * 1000000000ULL, 7);
	EXPECT_FALSE(vbt_cause_link(t, &s));
	EXPECT_EQ(0, s.sys.nchain);
	/* A dm device nothing failed on is not linked to vda's failures. */
	s = sys_on(vbt_mkdev(253, 5), 4096, 300, 7);
	EXPECT_FALSE(vbt_cause_link(t, &s));
	free(t);
}

TEST(dm_over_a_partition)
{
	char root[] = "/tmp/vbt-stack-cause.XXXXXX", p[256];
	struct vbt_cause_tab *t = calloc(1, sizeof(*t));
	struct vbt_event s;
	uint64_t req;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(root));
	/* SYSROOT/dev/block/254:1 -> .../vda/vda1 with start 40960. */
	snprintf(p, sizeof(p), "%s/block/vda/vda1", root);
	ASSERT_EQ(0, system(strcat(strcpy((char[300]){ 0 }, "mkdir -p "), p)));
	snprintf(p, sizeof(p), "%s/block/vda/vda1/start", root);
	f = fopen(p, "w");
	ASSERT_NE(NULL, f);
	fputs("40960\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/block/vda/dev", root);
	f = fopen(p, "w");
	ASSERT_NE(NULL, f);
	fputs("254:0\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/dev/block", root);
	ASSERT_EQ(0, mkdir(strcat(strcpy((char[300]){ 0 }, root), "/dev"), 0700));
	ASSERT_EQ(0, mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/dev/block/254:1", root);
	ASSERT_EQ(0, symlink("../../block/vda/vda1", p));

	vbt_cause_init(t, root);
	block(t, VDA, 43016, 100, 9);
	req = seq;
	bio(t, "vda1", VDA1, 2056, false, vbt_mkdev(253, 2), 8, 101);
	bio(t, "dm-2", vbt_mkdev(253, 2), 8, true, 0, 0, 102);
	s = sys_on(vbt_mkdev(253, 2), 4096, 200, 9);
	ASSERT_TRUE(vbt_cause_link(t, &s));
	EXPECT_EQ(req, s.sys.cause_seq);
	ASSERT_EQ(1, s.sys.nchain);
	EXPECT_STREQ("dm-2", s.sys.chain[0].disk);
	/* The partition itself: offset 4096 * 512 bytes is vda 45056. */
	block(t, VDA, 45056, 300, 9);
	req = seq;
	s = sys_on(VDA1, 4096 * 512, 400, 9);
	ASSERT_TRUE(vbt_cause_link(t, &s));
	EXPECT_EQ(req, s.sys.cause_seq);
	EXPECT_EQ(0, s.sys.nchain);
	ASSERT_EQ(0, system(strcat(strcpy((char[300]){ 0 }, "rm -rf "), root)));
	free(t);
}

TEST_HARNESS_MAIN
