// SPDX-License-Identifier: GPL-2.0
/*
 * user/system/kmod_inspect.c reads back the module's debugfs files: fed with what
 * kmod/vbt_inspect.c printed in a 6.12 guest (queues=4 disk).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "kselftest_harness.h"

#include "system/kmod_inspect.h"

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

FIXTURE(dbgfs) {
	char root[64];
	char disk[96];
};

FIXTURE_SETUP(dbgfs)
{
	strcpy(self->root, "/tmp/vbt-kmod-inspect.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->disk, sizeof(self->disk), "%s/vdb", self->root);
	ASSERT_EQ(0, mkdir(self->disk, 0700));
	put(self->disk, "features",
	    "negotiated 0010101001111110000000000000110010000000100000000000000000000000\n"
	    "offered 0010101001111110000000000000110010000000100000000000000000000000\n"
	    "negotiated_names SEG_MAX,GEOMETRY,BLK_SIZE,FLUSH,TOPOLOGY,CONFIG_WCE,MQ,DISCARD,WRITE_ZEROES,RING_INDIRECT_DESC,RING_EVENT_IDX,VERSION_1,RING_RESET\n"
	    "offered_not_negotiated -\n");
	put(self->disk, "config",
	    "capacity 65536 - on\nsize_max 0 SIZE_MAX off\n"
	    "blk_size 512 BLK_SIZE on\nnum_queues 4 MQ on\n"
	    "config_size_features 57\nconfig_size_probed 57\n"
	    "config_region_len 4096\nconfig_struct_size 96\n");
	put(self->disk, "queues",
	    "virtqueues 1\nhw_queues 1\nvq req.0 0 256 250 6\nhctx 0 3\n");
	put(self->disk, "errors", "WRITE 2\nREAD 1\ntotal 3\n");
}

FIXTURE_TEARDOWN(dbgfs)
{
	static const char *const parts[] = {
		"features", "config", "queues", "errors",
	};
	char path[512];

	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", self->disk, parts[i]);
		unlink(path);
	}
	rmdir(self->disk);
	rmdir(self->root);
}

TEST_F(dbgfs, reads_every_file)
{
	struct vbt_kmod_inspect in;

	ASSERT_EQ(0, vbt_kmod_inspect_read(self->root, "vdb", &in));
	EXPECT_EQ(64, strlen(in.negotiated));
	EXPECT_STREQ("-", in.offered_only);
	ASSERT_EQ(4, in.nfields);
	EXPECT_STREQ("num_queues", in.fields[3].name);
	EXPECT_EQ(4, in.fields[3].value);
	EXPECT_STREQ("MQ", in.fields[3].feature);
	EXPECT_TRUE(in.fields[3].on);
	EXPECT_FALSE(in.fields[1].on);
	EXPECT_EQ(57, in.size_features);
	EXPECT_EQ(57, in.size_probed);
	EXPECT_EQ(4096, in.region_len);
	EXPECT_EQ(1, in.virtqueues);
	ASSERT_EQ(1, in.nvqs);
	EXPECT_EQ(6, in.vqs[0].in_flight);
	EXPECT_EQ(3, in.hctx_in_flight[0]);
	EXPECT_EQ(3, in.errors_total);
	ASSERT_EQ(2, in.nerrors);
	EXPECT_STREQ("WRITE", in.errors[0].op);
	EXPECT_EQ(2, in.errors[0].count);
}

TEST_F(dbgfs, unknown_probe_and_missing_disk)
{
	struct vbt_kmod_inspect in;

	put(self->disk, "config", "capacity 1 - on\nconfig_size_probed unknown\n");
	ASSERT_EQ(0, vbt_kmod_inspect_read(self->root, "vdb", &in));
	EXPECT_EQ(0, in.size_probed);
	EXPECT_EQ(-ENOENT, vbt_kmod_inspect_read(self->root, "vdz", &in));
}

TEST_HARNESS_MAIN
