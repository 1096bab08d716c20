// SPDX-License-Identifier: GPL-2.0
/* Decoding raw ABI records: what sources hand us, good and bad. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

#include "decode/event.h"
#include "decode/names.h"

static void block_record(struct vbt_block *b)
{
	memset(b, 0, sizeof(*b));
	b->hdr.abi = VBT_ABI_VERSION;
	b->hdr.kind = VBT_KIND_BLOCK;
	b->hdr.size = sizeof(*b);
	b->hdr.mono_ns = 5000000;
	b->hdr.pid = 123;
	b->hdr.tid = 124;
	memcpy(b->hdr.comm, "mkfs.xfs", 8);
	b->sector = 24571648;
	b->issue_ns = 4000000;
	b->dev = (254 << 20) | 16;
	b->nr_bytes = 131072;
	b->op = VBT_OP_WRITE;
	b->status = 10;			/* BLK_STS_IOERR */
	b->virtio_status = VBT_VIRTIO_IOERR;
	b->src = VBT_SRC_ISSUER | VBT_SRC_ISSUE_TS | VBT_SRC_VIRTIO_READ;
	b->rq_flags = VBT_RQ_SYNC | VBT_RQ_FUA;
	strcpy(b->disk, "vdb");
}

TEST(block_record_decodes_every_field)
{
	struct vbt_block b;
	struct vbt_event ev;
	char msg[128];

	block_record(&b);
	ASSERT_EQ(0, vbt_event_decode(&b, sizeof(b), &ev, msg, sizeof(msg)));
	EXPECT_EQ(VBT_KIND_BLOCK, ev.kind);
	EXPECT_EQ(123, ev.pid);
	EXPECT_EQ(124, ev.tid);
	EXPECT_STREQ("mkfs.xfs", ev.comm);
	EXPECT_EQ(EIO, ev.err);
	EXPECT_EQ(24571648, ev.blk.sector);
	EXPECT_EQ(256, ev.blk.nr_sectors);
	EXPECT_EQ(131072, ev.blk.bytes);
	EXPECT_EQ(1000000, ev.blk.lat_ns);
	EXPECT_STREQ("vdb", ev.blk.disk);
	EXPECT_EQ(VBT_VIRTIO_IOERR, ev.blk.virtio_status);
	EXPECT_TRUE(ev.blk.issuer_known);
	EXPECT_EQ(VBT_RQ_SYNC | VBT_RQ_FUA, ev.blk.flags);
}

TEST(comm_without_nul_is_terminated)
{
	struct vbt_block b;
	struct vbt_event ev;
	char msg[128];

	block_record(&b);
	memset(b.hdr.comm, 'x', sizeof(b.hdr.comm));
	memset(b.disk, 'y', sizeof(b.disk));
	ASSERT_EQ(0, vbt_event_decode(&b, sizeof(b), &ev, msg, sizeof(msg)));
	EXPECT_EQ(16, strlen(ev.comm));
	EXPECT_EQ(32, strlen(ev.blk.disk));
}

TEST(short_record_is_refused)
{
	struct vbt_block b;
	struct vbt_event ev;
	char msg[128];

	block_record(&b);
	EXPECT_EQ(-EINVAL, vbt_event_decode(&b, 10, &ev, msg, sizeof(msg)));
	EXPECT_EQ(-EINVAL, vbt_event_decode(&b, sizeof(b) - 8, &ev, msg,
					    sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "needs"));
}

TEST(header_size_beyond_buffer_is_refused)
{
	struct vbt_block b;
	struct vbt_event ev;
	char msg[128];

	block_record(&b);
	b.hdr.size = sizeof(b) + 64;
	EXPECT_EQ(-EINVAL, vbt_event_decode(&b, sizeof(b), &ev, msg,
					    sizeof(msg)));
}

TEST(longer_record_from_newer_source_is_accepted)
{
	char buf[sizeof(struct vbt_block) + 16];
	struct vbt_block *b = (void *)buf;
	struct vbt_event ev;
	char msg[128];

	memset(buf, 0, sizeof(buf));
	block_record(b);
	b->hdr.size = sizeof(buf);
	EXPECT_EQ(0, vbt_event_decode(buf, sizeof(buf), &ev, msg, sizeof(msg)));
}

TEST(other_abi_version_is_refused)
{
	struct vbt_block b;
	struct vbt_event ev;
	char msg[128];

	block_record(&b);
	b.hdr.abi = VBT_ABI_VERSION + 1;
	EXPECT_EQ(-EINVAL, vbt_event_decode(&b, sizeof(b), &ev, msg,
					    sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "ABI version"));
}

TEST(unknown_kind_is_refused)
{
	struct vbt_block b;
	struct vbt_event ev;
	char msg[128];

	block_record(&b);
	b.hdr.kind = 99;
	EXPECT_EQ(-EINVAL, vbt_event_decode(&b, sizeof(b), &ev, msg,
					    sizeof(msg)));
}

TEST(tracepoint_record_decodes_rwbs_and_errno)
{
	struct vbt_block b;
	struct vbt_event ev;
	char msg[128];

	block_record(&b);
	b.src = VBT_SRC_DEV_ONLY;
	b.hdr.err = -28;
	memset(b.disk, 0, sizeof(b.disk));
	strcpy(b.disk, "FWFS");
	ASSERT_EQ(0, vbt_event_decode(&b, sizeof(b), &ev, msg, sizeof(msg)));
	EXPECT_EQ(ENOSPC, ev.err);
	EXPECT_EQ(VBT_OP_WRITE, ev.blk.op);
	EXPECT_EQ(VBT_RQ_PREFLUSH | VBT_RQ_FUA | VBT_RQ_SYNC, ev.blk.flags);
	EXPECT_EQ(-1, ev.blk.status);
	EXPECT_STREQ("", ev.blk.disk);
}

TEST(lost_record)
{
	struct vbt_lost l = { 0 };
	struct vbt_event ev;
	char msg[128];

	l.hdr.abi = VBT_ABI_VERSION;
	l.hdr.kind = VBT_KIND_LOST;
	l.hdr.size = sizeof(l);
	l.count = 42;
	ASSERT_EQ(0, vbt_event_decode(&l, sizeof(l), &ev, msg, sizeof(msg)));
	EXPECT_EQ(42, ev.lost);
}

TEST(syscall_record_takes_errno_from_ret)
{
	struct vbt_syscall s = { 0 };
	struct vbt_event ev;
	char msg[128];

	s.hdr.abi = VBT_ABI_VERSION;
	s.hdr.kind = VBT_KIND_SYSCALL;
	s.hdr.size = sizeof(s);
	s.ret = -5;
	s.sys = VBT_SYS_PWRITE64;
	s.fd = 3;
	ASSERT_EQ(0, vbt_event_decode(&s, sizeof(s), &ev, msg, sizeof(msg)));
	EXPECT_EQ(EIO, ev.err);
	EXPECT_EQ(VBT_SYS_PWRITE64, ev.sys.sys);
	s.sys = 999;
	ASSERT_EQ(0, vbt_event_decode(&s, sizeof(s), &ev, msg, sizeof(msg)));
	EXPECT_EQ(VBT_SYS_UNKNOWN, ev.sys.sys);
}

/* A record's errno fields come from a kernel module, a ring buffer or a
 * file: INT_MIN (or a 64-bit ret) must not overflow when made positive. */
TEST(int_min_errno_stays_positive)
{
	struct vbt_syscall s = { 0 };
	struct vbt_block b;
	struct vbt_event ev;
	char msg[128];

	s.hdr.abi = VBT_ABI_VERSION;
	s.hdr.kind = VBT_KIND_SYSCALL;
	s.hdr.size = sizeof(s);
	s.hdr.err = INT_MIN;
	ASSERT_EQ(0, vbt_event_decode(&s, sizeof(s), &ev, msg, sizeof(msg)));
	EXPECT_EQ(INT_MAX, ev.err);
	s.hdr.err = 0;
	s.ret = INT64_MIN;
	ASSERT_EQ(0, vbt_event_decode(&s, sizeof(s), &ev, msg, sizeof(msg)));
	EXPECT_EQ(INT_MAX, ev.err);
	block_record(&b);
	b.hdr.err = INT_MIN;
	ASSERT_EQ(0, vbt_event_decode(&b, sizeof(b), &ev, msg, sizeof(msg)));
	EXPECT_LE(0, ev.err);
}

TEST_HARNESS_MAIN
