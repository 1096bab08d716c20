// SPDX-License-Identifier: GPL-2.0
/* The one sanitiser for hostile strings in text output. */
#include <string.h>

#include "kselftest_harness.h"
#include "util/text_safe.h"

static const char *safe(const char *in, unsigned int flags)
{
	static char buf[256];

	vbt_text_safe(in, buf, sizeof(buf), flags);
	return buf;
}

TEST(controls_are_escaped)
{
	EXPECT_STREQ("\\x1b[2J\\x1b]0;X\\x07", safe("\033[2J\033]0;X\a", 0));
	EXPECT_STREQ("a\\nb\\x7f\\x09", safe("a\nb\x7f\t", 0));
	EXPECT_STREQ("a\tb", safe("a\tb", VBT_TS_TAB));
	EXPECT_STREQ("\\\"x\\\\", safe("\"x\\", VBT_TS_QUOTE));
	EXPECT_STREQ("\"x\\", safe("\"x\\", 0));
}

TEST(utf8_kept_c1_bidi_and_invalid_escaped)
{
	EXPECT_STREQ("caf\xc3\xa9 \xe2\x80\x98q\xe2\x80\x99",
		     safe("caf\xc3\xa9 \xe2\x80\x98q\xe2\x80\x99", 0));
	/* U+009B is an 8-bit CSI; U+202E reverses what follows */
	EXPECT_STREQ("\\xc2\\x9b31m", safe("\xc2\x9b" "31m", 0));
	EXPECT_STREQ("\\xe2\\x80\\xaegpj.exe", safe("\xe2\x80\xaegpj.exe", 0));
	EXPECT_STREQ("\\xc3(", safe("\xc3(", 0));
	EXPECT_STREQ("\\xc0\\xaf", safe("\xc0\xaf", 0));	/* overlong '/' */
	EXPECT_STREQ("\\xed\\xa0\\x80", safe("\xed\xa0\x80", 0)); /* surrogate */
	EXPECT_STREQ("?" "?(", safe("\xc2\x9b(", VBT_TS_REPLACE));
}

TEST(bounded_and_sized)
{
	char small[6];
	char nul[] = "a\0b";

	EXPECT_EQ(8, vbt_text_safe("\033\033", small, sizeof(small), 0));
	EXPECT_STREQ("\\x1b\\", small);
	EXPECT_EQ(6, vbt_text_safe_n(nul, 3, small, sizeof(small), 0));
	EXPECT_EQ(NULL, vbt_ts(NULL));
	EXPECT_STREQ("\\x1b", vbt_ts("\033"));
}

TEST_HARNESS_MAIN
