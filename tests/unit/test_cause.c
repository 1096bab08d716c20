// SPDX-License-Identifier: GPL-2.0
/*
 * Which failed block request a failed syscall is linked to.  The fsync
 * sequence is the one a real 6.12 guest produced (tests/vm/guest_errors.sh
 * records it): blk-flush's FLUSH request fails at the device (issued by a
 * kworker), then the data-less write dd's fsync submitted is ended by the
 * block layer without reaching the driver, then fsync returns EIO.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "enrich/cause.h"
#include "system/disks.h"

#define MS	1000000ULL
#define DISK	vbt_mkdev(254, 32)

static struct vbt_event block(uint64_t seq, uint64_t t, int op, uint32_t tid,
			      bool known, bool not_issued, uint64_t sector)
{
	struct vbt_event e = {
		.seq = seq, .kind = VBT_KIND_BLOCK, .mono_ns = t, .tid = tid,
		.pid = tid, .err = 5,
	};

	e.blk.dev = DISK;
	e.blk.op = op;
	e.blk.issuer_known = known;
	e.blk.not_issued = not_issued;
	e.blk.sector = sector;
	e.blk.nr_sectors = op == VBT_OP_FLUSH ? 0 : 8;
	return e;
}

static struct vbt_event sys(uint64_t seq, uint64_t t, uint32_t tid,
			    uint64_t offset, uint64_t len)
{
	struct vbt_event e = {
		.seq = seq, .kind = VBT_KIND_SYSCALL, .mono_ns = t, .tid = tid,
		.pid = tid, .err = 5,
	};

	e.sys.bdev = DISK;
	e.sys.ftype = VBT_FTYPE_BLK;
	e.sys.offset = offset;
	e.sys.len = len;
	return e;
}

FIXTURE(tab) {
	struct vbt_cause_tab t;
};

FIXTURE_SETUP(tab)
{
	/* No sysfs: the device is its own whole disk, starting at 0. */
	vbt_cause_init(&self->t, "/nonexistent-sysroot");
}

FIXTURE_TEARDOWN(tab)
{
}

TEST_F(tab, fsync_is_caused_by_the_failed_flush_not_the_unsent_write)
{
	struct vbt_event flush = block(11, 100 * MS, VBT_OP_FLUSH, 41, false,
				       false, UINT64_MAX);
	struct vbt_event write = block(12, 101 * MS, VBT_OP_WRITE, 171, true,
				       true, 0);
	struct vbt_event fsync = sys(13, 102 * MS, 171, UINT64_MAX, 0);

	vbt_cause_note_block(&self->t, &flush);
	vbt_cause_note_block(&self->t, &write);
	ASSERT_TRUE(vbt_cause_link(&self->t, &fsync));
	EXPECT_EQ(11, fsync.sys.cause_seq);
	EXPECT_EQ(VBT_OP_FLUSH, fsync.sys.cause.op);
}

/* Control: without a failed FLUSH before it, the unsent write is all
 * there is, and it stays the cause. */
TEST_F(tab, unsent_write_without_flush_stays_the_cause)
{
	struct vbt_event write = block(12, 101 * MS, VBT_OP_WRITE, 171, true,
				       true, 0);
	struct vbt_event fsync = sys(13, 102 * MS, 171, UINT64_MAX, 0);

	vbt_cause_note_block(&self->t, &write);
	ASSERT_TRUE(vbt_cause_link(&self->t, &fsync));
	EXPECT_EQ(12, fsync.sys.cause_seq);
}

/* A FLUSH more than a second older is another story. */
TEST_F(tab, an_old_flush_is_not_taken)
{
	struct vbt_event flush = block(11, 100 * MS, VBT_OP_FLUSH, 41, false,
				       false, UINT64_MAX);
	struct vbt_event write = block(12, 1200 * MS, VBT_OP_WRITE, 171, true,
				       true, 0);
	struct vbt_event fsync = sys(13, 1201 * MS, 171, UINT64_MAX, 0);

	vbt_cause_note_block(&self->t, &flush);
	vbt_cause_note_block(&self->t, &write);
	ASSERT_TRUE(vbt_cause_link(&self->t, &fsync));
	EXPECT_EQ(12, fsync.sys.cause_seq);
}

/* A write() is still linked to its own failed request at its offset, even
 * with a failed FLUSH of another thread just before. */
TEST_F(tab, write_links_to_its_own_overlapping_request)
{
	struct vbt_event mine = block(20, 200 * MS, VBT_OP_WRITE, 7, true,
				      false, 72000);
	struct vbt_event flush = block(21, 201 * MS, VBT_OP_FLUSH, 41, false,
				       false, UINT64_MAX);
	struct vbt_event w = sys(22, 202 * MS, 7, 72000ULL * 512, 4096);

	vbt_cause_note_block(&self->t, &mine);
	vbt_cause_note_block(&self->t, &flush);
	ASSERT_TRUE(vbt_cause_link(&self->t, &w));
	EXPECT_EQ(20, w.sys.cause_seq);
}

TEST_HARNESS_MAIN
