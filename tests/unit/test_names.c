// SPDX-License-Identifier: GPL-2.0
/* Names of ops, flags, statuses and errnos match the kernel's. */
#include <errno.h>
#include <string.h>

#include <limits.h>
#include "kselftest_harness.h"

#include "decode/names.h"
#include "vblktrace/abi.h"

TEST(blk_status_maps_like_blk_status_to_errno)
{
	/* block/blk-core.c blk_errors[] */
	EXPECT_EQ(EOPNOTSUPP, vbt_blk_status_errno(1));
	EXPECT_EQ(ETIMEDOUT, vbt_blk_status_errno(2));
	EXPECT_EQ(ENOSPC, vbt_blk_status_errno(3));
	EXPECT_EQ(ENOLINK, vbt_blk_status_errno(4));
	EXPECT_EQ(EREMOTEIO, vbt_blk_status_errno(5));
	EXPECT_EQ(ENODATA, vbt_blk_status_errno(7));
	EXPECT_EQ(EIO, vbt_blk_status_errno(10));
	EXPECT_EQ(EAGAIN, vbt_blk_status_errno(12));
	EXPECT_EQ(ENODEV, vbt_blk_status_errno(17));
	/* unknown codes are -EIO in the kernel too */
	EXPECT_EQ(EIO, vbt_blk_status_errno(200));
	EXPECT_STREQ("IOERR", vbt_blk_status_name(10));
	EXPECT_STREQ("NOTSUPP", vbt_blk_status_name(1));
	EXPECT_STREQ("STS_200", vbt_blk_status_name(200));
}

TEST(rwbs_strings_of_blk_fill_rwbs)
{
	uint32_t f;

	EXPECT_EQ(VBT_OP_WRITE, vbt_op_from_rwbs("WS", &f));
	EXPECT_EQ(VBT_RQ_SYNC, f);
	EXPECT_EQ(VBT_OP_FLUSH, vbt_op_from_rwbs("F", &f));
	EXPECT_EQ(0, f);
	EXPECT_EQ(VBT_OP_FLUSH, vbt_op_from_rwbs("FF", &f));
	EXPECT_EQ(VBT_RQ_PREFLUSH, f);
	EXPECT_EQ(VBT_OP_FLUSH, vbt_op_from_rwbs("FS", &f));
	EXPECT_EQ(VBT_RQ_SYNC, f);
	EXPECT_EQ(VBT_OP_WRITE, vbt_op_from_rwbs("FWFSM", &f));
	EXPECT_EQ(VBT_RQ_PREFLUSH | VBT_RQ_FUA | VBT_RQ_SYNC | VBT_RQ_META, f);
	EXPECT_EQ(VBT_OP_READ, vbt_op_from_rwbs("RA", &f));
	EXPECT_EQ(VBT_RQ_RAHEAD, f);
	EXPECT_EQ(VBT_OP_DISCARD, vbt_op_from_rwbs("D", &f));
	EXPECT_EQ(VBT_OP_SECURE_ERASE, vbt_op_from_rwbs("DE", &f));
	EXPECT_EQ(VBT_OP_UNKNOWN, vbt_op_from_rwbs("N", &f));
	EXPECT_EQ(-1, vbt_op_from_rwbs("X", &f));
	EXPECT_EQ(-1, vbt_op_from_rwbs("WQ", &f));
	EXPECT_EQ(-1, vbt_op_from_rwbs("", &f));
}

TEST(op_names_round_trip)
{
	for (int op = 0; op < VBT_OP_MAX; op++) {
		const char *n = vbt_op_name(op);

		if (!strcmp(n, "UNKNOWN"))
			continue;
		EXPECT_EQ(op, vbt_op_from_name(n));
	}
	EXPECT_STREQ("UNKNOWN", vbt_op_name(-1));
	EXPECT_STREQ("UNKNOWN", vbt_op_name(VBT_OP_MAX));
	EXPECT_EQ(-1, vbt_op_from_name("WRITEX"));
}

TEST(errno_names)
{
	EXPECT_STREQ("EIO", vbt_errno_name(EIO));
	EXPECT_STREQ("EIO", vbt_errno_name(-EIO));
	EXPECT_STREQ("ENOSPC", vbt_errno_name(ENOSPC));
	EXPECT_STREQ("EOPNOTSUPP", vbt_errno_name(EOPNOTSUPP));
	EXPECT_STREQ("E4000", vbt_errno_name(4000));
	/* -INT_MIN overflows: a hostile log's "error -2147483648" or a
	 * record's err field must still give a positive, printable name. */
	EXPECT_STREQ("E2147483647", vbt_errno_name(INT_MIN));
	EXPECT_EQ(INT_MAX, vbt_errno_abs(INT_MIN));
	EXPECT_EQ(INT_MAX, vbt_errno_abs(LLONG_MIN));
	EXPECT_EQ(EIO, vbt_errno_abs(-EIO));
	EXPECT_EQ(ENOSPC, vbt_errno_from_name("ENOSPC"));
	EXPECT_EQ(-1, vbt_errno_from_name("ENOTHING"));
}

TEST(flag_names_in_bit_order)
{
	const char *names[8];
	int n = vbt_rq_flag_names(VBT_RQ_FUA | VBT_RQ_SYNC | VBT_RQ_QUIET,
				  names, 8);

	ASSERT_EQ(3, n);
	EXPECT_STREQ("SYNC", names[0]);
	EXPECT_STREQ("FUA", names[1]);
	EXPECT_STREQ("QUIET", names[2]);
	EXPECT_EQ(1, vbt_rq_flag_names(0xffffffff, names, 1));
	/* the last bit has its name, the next has none */
	ASSERT_EQ(1, vbt_rq_flag_names(VBT_RQ_FLUSH_SEQ, names, 8));
	EXPECT_STREQ("FLUSH_SEQ", names[0]);
	EXPECT_EQ(0, vbt_rq_flag_names(VBT_RQ_FLUSH_SEQ << 1, names, 8));
}

TEST(virtio_status_names)
{
	EXPECT_STREQ("IOERR", vbt_virtio_status_name(VBT_VIRTIO_IOERR));
	EXPECT_STREQ("UNSUPP", vbt_virtio_status_name(VBT_VIRTIO_UNSUPP));
	EXPECT_EQ(NULL, vbt_virtio_status_name(VBT_VIRTIO_NONE));
}

TEST_HARNESS_MAIN
