// SPDX-License-Identifier: GPL-2.0
/*
 * Completions the disks counted against the ones shown, lost or left out
 * as vblktrace's own (sink/audit.c), over fake sysfs trees: what counts as
 * a completion the statistics count, the in-flight slack, the window, and
 * sysfs files that lie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "file_tree.h"

#include "decode/clock.h"
#include "sink/audit.h"

#define LOOP1 ((7U << 20) | 1)

/* A 17-field stat line: reads, writes, discards completed, in flight. */
static int put_stat(const char *root, unsigned long long rd,
		    unsigned long long wr, unsigned long long dc,
		    unsigned int in_flight)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "%8llu 0 0 0 %8llu 0 0 0 %8u 0 0 %8llu 0 0 0 0 0\n", rd, wr,
		 in_flight, dc);
	return ft_put(root, "block/loop1/stat", line);
}

static int make_loop1(const char *root)
{
	return ft_put(root, "block/loop1/dev", "7:1\n") ||
	       ft_put(root, "block/loop1/queue/iostats", "1\n") ||
	       ft_mkdir(root, "block/loop1/mq") ||
	       put_stat(root, 100, 50, 0, 0);
}

static struct vbt_event block(int op, uint32_t flags)
{
	struct vbt_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VBT_KIND_BLOCK;
	ev.mono_ns = vbt_mono_now();
	ev.blk.dev = LOOP1;
	ev.blk.op = op;
	ev.blk.flags = flags;
	return ev;
}

static void show(struct vbt_audit *a, int n, int op, uint32_t flags)
{
	for (int i = 0; i < n; i++) {
		struct vbt_event ev = block(op, flags);

		vbt_audit_event(a, &ev);
	}
}

FIXTURE(audit) {
	char root[64];
	struct vbt_disk disk;
	struct vbt_audit a;
	char where[256];
};

FIXTURE_SETUP(audit)
{
	snprintf(self->root, sizeof(self->root), "/tmp/vbt-audit-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	ASSERT_EQ(0, make_loop1(self->root));
	memset(&self->disk, 0, sizeof(self->disk));
	memset(&self->a, 0, sizeof(self->a));
	strcpy(self->disk.name, "loop1");
	self->disk.dev = LOOP1;
}

FIXTURE_TEARDOWN(audit)
{
	vbt_audit_free(&self->a);
	ft_rm_tree(self->root);
}

static void start(struct __test_metadata *_metadata,
		  FIXTURE_DATA(audit) *self, uint64_t lost, uint64_t own)
{
	vbt_audit_start(&self->a, self->root, &self->disk, 1, NULL, 0, lost,
			own);
	ASSERT_EQ(1, self->a.n);
}

/* The counters become rd/wr/dc completed: what is unseen then. */
static uint64_t end(FIXTURE_DATA(audit) *self, unsigned long long rd,
		    unsigned long long wr, unsigned long long dc)
{
	if (put_stat(self->root, rd, wr, dc, 0))
		return UINT64_MAX;
	vbt_audit_stop(&self->a, self->root);
	return vbt_audit_unseen(&self->a, 0, 0);
}

static const char *where(FIXTURE_DATA(audit) *self, bool every)
{
	vbt_audit_where(&self->a, every, self->where, sizeof(self->where));
	return self->where;
}

TEST_F(audit, every_completion_shown)
{
	start(_metadata, self, 0, 0);
	show(&self->a, 8, VBT_OP_READ, 0);
	show(&self->a, 2, VBT_OP_WRITE, 0);
	EXPECT_EQ(0, end(self, 108, 52, 0));
	EXPECT_STREQ("", where(self, false));
}

TEST_F(audit, missing_completions_named)
{
	start(_metadata, self, 0, 0);
	show(&self->a, 7, VBT_OP_READ, 0);
	show(&self->a, 1, VBT_OP_DISCARD, 0);
	EXPECT_EQ(2, end(self, 108, 50, 2));
	EXPECT_STREQ("loop1: kernel 10, shown 8", where(self, false));
}

/* Lost and own count from their values at the start, not from zero. */
TEST_F(audit, lost_and_own_account_for_the_rest)
{
	start(_metadata, self, 40, 7);
	show(&self->a, 5, VBT_OP_READ, 0);
	ASSERT_EQ(0, put_stat(self->root, 110, 50, 0, 0));
	vbt_audit_stop(&self->a, self->root);
	EXPECT_EQ(0, vbt_audit_unseen(&self->a, 43, 9));
	EXPECT_EQ(3, self->a.lost);
	EXPECT_EQ(2, self->a.own);
	EXPECT_EQ(1, vbt_audit_unseen(&self->a, 43, 8));
}

/* Requests in flight at the start may have fired before it: not counted. */
TEST_F(audit, in_flight_at_start_is_slack)
{
	ASSERT_EQ(0, put_stat(self->root, 100, 50, 0, 3));
	start(_metadata, self, 0, 0);
	show(&self->a, 7, VBT_OP_READ, 0);
	EXPECT_EQ(0, end(self, 110, 50, 0));
	EXPECT_EQ(1, end(self, 111, 50, 0));
}

/*
 * Flushes, passthrough commands and the flush machinery's steps (a FUA
 * write's data part on a disk without FUA: its end comes again, counted)
 * fire the tracepoint but are not in the read/write/discard counts:
 * shown, they must not hide a missing read.
 */
TEST_F(audit, completions_outside_the_statistics_do_not_count)
{
	start(_metadata, self, 0, 0);
	show(&self->a, 9, VBT_OP_READ, 0);
	show(&self->a, 3, VBT_OP_FLUSH, VBT_RQ_PREFLUSH | VBT_RQ_FLUSH_SEQ);
	show(&self->a, 1, VBT_OP_WRITE, VBT_RQ_FLUSH_SEQ);
	show(&self->a, 1, VBT_OP_WRITE, 0);
	show(&self->a, 1, VBT_OP_DRV_IN, VBT_RQ_PASSTHROUGH);
	show(&self->a, 1, VBT_OP_READ, VBT_RQ_PASSTHROUGH);
	EXPECT_EQ(1, end(self, 110, 51, 0));
}

/* A disk with FUA writes them directly: they are counted, and shown. */
TEST_F(audit, fua_write_on_a_fua_disk_counts)
{
	start(_metadata, self, 0, 0);
	show(&self->a, 2, VBT_OP_WRITE, VBT_RQ_FUA | VBT_RQ_SYNC);
	EXPECT_EQ(0, end(self, 100, 52, 0));
}

/* Only the window counts, and only the disks traced. */
TEST_F(audit, window_and_disks)
{
	struct vbt_event early = block(VBT_OP_READ, 0), late, other;

	start(_metadata, self, 0, 0);
	early.mono_ns = self->a.t0 - 1;
	vbt_audit_event(&self->a, &early);
	other = block(VBT_OP_READ, 0);
	other.blk.dev = LOOP1 + 1;
	vbt_audit_event(&self->a, &other);
	show(&self->a, 1, VBT_OP_READ, 0);
	ASSERT_EQ(0, put_stat(self->root, 102, 50, 0, 0));
	vbt_audit_stop(&self->a, self->root);
	late = block(VBT_OP_READ, 0);
	late.mono_ns = self->a.t1 + 1;
	vbt_audit_event(&self->a, &late);
	EXPECT_EQ(1, vbt_audit_unseen(&self->a, 0, 0));
}

/* A disk shown more often than counted does not hide another's gap. */
TEST_F(audit, one_disk_cannot_cover_another)
{
	struct vbt_disk two[2] = { self->disk, self->disk };
	struct vbt_event ev;

	strcpy(two[1].name, "loop2");
	two[1].dev = LOOP1 + 1;
	ASSERT_EQ(0, ft_put(self->root, "block/loop2/queue/iostats", "1\n"));
	ASSERT_EQ(0, ft_mkdir(self->root, "block/loop2/mq"));
	ASSERT_EQ(0, ft_put(self->root, "block/loop2/stat",
			    "0 0 0 0 0 0 0 0 0 0 0\n"));
	vbt_audit_start(&self->a, self->root, two, 2, NULL, 0, 0, 0);
	ASSERT_EQ(2, self->a.n);
	show(&self->a, 8, VBT_OP_READ, 0);
	ev = block(VBT_OP_WRITE, 0);
	ev.blk.dev = LOOP1 + 1;
	vbt_audit_event(&self->a, &ev);	/* the first part of one write */
	vbt_audit_event(&self->a, &ev);	/* and the rest */
	ASSERT_EQ(0, put_stat(self->root, 110, 50, 0, 0));
	ASSERT_EQ(0, ft_put(self->root, "block/loop2/stat",
			    "0 0 0 0 1 0 0 0 0 0 0\n"));
	vbt_audit_stop(&self->a, self->root);
	EXPECT_EQ(2, vbt_audit_unseen(&self->a, 0, 0));
	EXPECT_STREQ("loop1: kernel 10, shown 8", where(self, false));
	EXPECT_STREQ("loop1: kernel 10, shown 8; loop2: kernel 1, shown 2",
		     where(self, true));
}

TEST_F(audit, untraced_disk_is_not_checked)
{
	uint32_t only = LOOP1 + 1;

	vbt_audit_start(&self->a, self->root, &self->disk, 1, &only, 1, 0, 0);
	EXPECT_EQ(0, self->a.n);
}

/* Detached meanwhile (or its counters went back): nothing claimed. */
TEST_F(audit, disk_gone_at_the_end)
{
	start(_metadata, self, 0, 0);
	show(&self->a, 2, VBT_OP_READ, 0);
	ASSERT_EQ(0, ft_put(self->root, "block/loop1/stat", ""));
	vbt_audit_stop(&self->a, self->root);
	EXPECT_EQ(0, vbt_audit_unseen(&self->a, 0, 0));
	EXPECT_EQ(0, end(self, 1, 0, 0));
}

/* Disks whose counters cannot be trusted to match are left out. */
TEST_F(audit, counters_that_cannot_be_compared)
{
	struct vbt_disk_counts c;

	ASSERT_EQ(0, vbt_disk_counts_read(self->root, "loop1", &c));
	EXPECT_EQ(150, c.done);
	EXPECT_EQ(-ENOENT, vbt_disk_counts_read(self->root, "loop2", &c));
	EXPECT_EQ(-EINVAL, vbt_disk_counts_read(self->root, "../loop1", &c));
	EXPECT_EQ(-EINVAL, vbt_disk_counts_read(self->root, "..", &c));
	/* pre-4.18: 11 fields, no discards */
	ASSERT_EQ(0, ft_put(self->root, "block/loop1/stat",
			    "5 0 0 0 6 0 0 0 1 0 0\n"));
	ASSERT_EQ(0, vbt_disk_counts_read(self->root, "loop1", &c));
	EXPECT_EQ(11, c.done);
	EXPECT_EQ(1, c.in_flight);
	ASSERT_EQ(0, ft_put(self->root, "block/loop1/stat", "5 0 0\n"));
	EXPECT_EQ(-EINVAL, vbt_disk_counts_read(self->root, "loop1", &c));
	ASSERT_EQ(0, ft_put(self->root, "block/loop1/stat",
			    "5 0 0 0 6 0 0 0 1x 0 0\n"));
	EXPECT_EQ(-EINVAL, vbt_disk_counts_read(self->root, "loop1", &c));
	ASSERT_EQ(0, ft_put(self->root, "block/loop1/stat",
			    "99999999999999999999999 0 0 0 6 0 0 0 1 0 0\n"));
	EXPECT_EQ(-EINVAL, vbt_disk_counts_read(self->root, "loop1", &c));
	ASSERT_EQ(0, ft_put(self->root, "block/loop1/stat",
			    "-5 0 0 0 6 0 0 0 1 0 0\n"));
	EXPECT_EQ(-EINVAL, vbt_disk_counts_read(self->root, "loop1", &c));
	/* statistics off: completions are not counted at all */
	ASSERT_EQ(0, put_stat(self->root, 1, 2, 3, 0));
	ASSERT_EQ(0, ft_put(self->root, "block/loop1/queue/iostats", "0\n"));
	EXPECT_EQ(-EOPNOTSUPP, vbt_disk_counts_read(self->root, "loop1", &c));
	vbt_audit_start(&self->a, self->root, &self->disk, 1, NULL, 0, 0, 0);
	EXPECT_EQ(0, self->a.n);
	/* bio-based (dm, md): no block_rq_complete for its I/O */
	ASSERT_EQ(0, ft_put(self->root, "block/loop1/queue/iostats", "1\n"));
	ASSERT_EQ(0, rmdir(strcat(strcpy(self->where, self->root),
				  "/block/loop1/mq")));
	EXPECT_EQ(-EOPNOTSUPP, vbt_disk_counts_read(self->root, "loop1", &c));
}

TEST_HARNESS_MAIN
