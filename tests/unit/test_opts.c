// SPDX-License-Identifier: GPL-2.0
/* Option handling: good options parse, bad ones are refused with status 2. */
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

#include "opts.h"

static int usage_calls;

static void usage(const char *cmd)
{
	usage_calls++;
}

static int parse(struct vbt_opts *o, const char *line)
{
	char buf[1024], *argv[96];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 95; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	/* stderr carries the messages; keep the TAP output readable */
	fflush(stderr);
	return vbt_opts_parse(argc, argv, o, "live", usage);
}

TEST(common_options)
{
	struct vbt_opts o;

	ASSERT_EQ(0, parse(&o, "live -d vda --disk vdb -p 42 -a -j -o rec.jsonl -t 2.5 -i 1 --driver bpf --side guest --no-color"));
	EXPECT_EQ(2, o.ndisks);
	EXPECT_STREQ("vda", o.disks[0]);
	EXPECT_STREQ("vdb", o.disks[1]);
	EXPECT_EQ(1, o.npids);
	EXPECT_EQ(42, o.pids[0]);
	EXPECT_TRUE(o.all);
	EXPECT_TRUE(o.json);
	EXPECT_STREQ("rec.jsonl", o.output);
	EXPECT_EQ(2.5, o.duration);
	EXPECT_EQ(1.0, o.interval);
	EXPECT_EQ(VBT_DRIVER_BPF, o.driver);
	EXPECT_EQ(VBT_SIDE_OPT_GUEST, o.side);
	EXPECT_TRUE(o.no_color);
}

TEST(bad_numbers_are_usage_errors)
{
	struct vbt_opts o;

	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live -t abc"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live -t 0"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live -t -1"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live -t 1e400"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live -t nan"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live -i 0.01"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live -p 0"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live -p 12x"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live -p 99999999999999999999"));
}

TEST(bad_words_are_usage_errors)
{
	struct vbt_opts o;

	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live --driver ebpf"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live --side both"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live --bogus"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live -d"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live -d ../etc"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "live stray"));
}

TEST(too_many_filters)
{
	struct vbt_opts o;
	char line[512] = "live";

	for (int i = 0; i <= VBT_MAX_FILTER; i++)
		strcat(line, " -d vda");
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, line));
}

TEST(help_calls_usage)
{
	struct vbt_opts o;

	usage_calls = 0;
	EXPECT_EQ(-1, parse(&o, "live --help"));
	EXPECT_EQ(1, usage_calls);
}

TEST_HARNESS_MAIN
