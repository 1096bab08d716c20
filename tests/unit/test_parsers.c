// SPDX-License-Identifier: GPL-2.0
/*
 * One parser per input, and the edge cases every caller shares: shell
 * words (--alert-exec and doctor's pasted command lines), QEMU options
 * (the model, the doctor and merge's -device reading), JSON (recordings,
 * bundles, facts, QEMU's JSON options).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "kselftest_harness.h"

#include "diagnose/doctor.h"
#include "sink/sink_exec.h"
#include "system/facts.h"
#include "system/qemu/qemu_opts.h"
#include "util/json.h"
#include "util/shellwords.h"

/* The words of @s joined with '|', or the error message. */
static const char *words(const char *s, char *buf, size_t len)
{
	char out[256], err[128];
	ssize_t n = vbt_shell_split(s, strlen(s), out, err, sizeof(err));
	size_t o = 0;

	if (n < 0) {
		snprintf(buf, len, "error %zd: %s", n, err);
		return buf;
	}
	buf[0] = 0;
	for (ssize_t i = 0; i < n; i += strlen(out + i) + 1)
		o += snprintf(buf + o, len - o, "%s%s", i ? "|" : "", out + i);
	return buf;
}

TEST(shell_words)
{
	char b[256];

	EXPECT_STREQ("a|b c|d e|f", words("  a 'b c'\t\"d e\"\nf ", b, sizeof(b)));
	/* "..." escapes only \" \\ \$ \`; '...' nothing. */
	EXPECT_STREQ("x\"y|a\\b|$HOME|`x`|\\n|\\$x",
		     words("\"x\\\"y\" \"a\\\\b\" \"\\$HOME\" \"\\`x\\`\" "
			   "\"\\n\" '\\$x'", b, sizeof(b)));
	/* Backslash-newline joins lines; a backslash escapes a blank. */
	EXPECT_STREQ("-m|512|a b", words("-m \\\n512 a\\ b", b, sizeof(b)));
	/* Adjacent parts make one word; '' is an empty word. */
	EXPECT_STREQ("ab'c||d", words("a\"b'\"c '' d", b, sizeof(b)));
	EXPECT_STREQ("", words(" \t\r\n", b, sizeof(b)));
	EXPECT_STREQ("a\\", words("a\\", b, sizeof(b)));
}

TEST(shell_words_refuse_an_open_quote)
{
	char b[256];

	EXPECT_STREQ("error -22: unterminated ' quote opened at byte 2",
		     words("a 'b c", b, sizeof(b)));
	EXPECT_STREQ("error -22: unterminated \" quote opened at byte 0",
		     words("\"a\\\" b", b, sizeof(b)));
	EXPECT_STREQ("error -22: unterminated ' quote opened at byte 4",
		     words("\"'\" 'x", b, sizeof(b)));
}

/* Both callers of the splitter say the same about an open quote. */
TEST(open_quote_refused_by_every_caller)
{
	const char *cmd = "/bin/notify --to 'ops team";
	char err[256] = "", **argv = NULL, *out = NULL;
	size_t len;

	EXPECT_EQ(-EINVAL, vbt_split_argv(cmd, &argv, err, sizeof(err)));
	EXPECT_STREQ("unterminated ' quote opened at byte 17 in "
		     "'/bin/notify --to 'ops team'", err);
	EXPECT_EQ(NULL, argv);

	err[0] = 0;
	EXPECT_EQ(-EINVAL, dr_split_cmdline("qemu-system-x86_64 -name 'vm1",
					    29, &out, &len, err,
					    sizeof(err)));
	EXPECT_STREQ("unterminated ' quote opened at byte 25", err);
	EXPECT_EQ(NULL, out);
}

/* ",," is a comma inside a value, in every spelling QEMU accepts. */
TEST(qemu_options_double_comma)
{
	json_object *o = vbt_qemu_opt_json("virtio-blk-pci,serial=a,,addr=0x7,"
					   "addr=0x5,drive=d", "driver", false,
					   NULL, 0);

	ASSERT_NE(NULL, o);
	EXPECT_STREQ("virtio-blk-pci", vbt_qjson_str(o, "driver"));
	EXPECT_STREQ("a,addr=0x7", vbt_qjson_str(o, "serial"));
	EXPECT_STREQ("0x5", vbt_qjson_str(o, "addr"));
	EXPECT_STREQ("d", vbt_qjson_str(o, "drive"));
	json_object_put(o);

	/* A value ending in a comma, and a key that is only ",,". */
	o = vbt_qemu_opt_json("file,filename=/a,,,,b,,", "driver", false,
			      NULL, 0);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("/a,,b,", vbt_qjson_str(o, "filename"));
	json_object_put(o);
}

/* A raw node's offset=, as facts.json gives it to merge: QEMU's syntax. */
TEST(qemu_options_image_offset)
{
	const char *argv[] = {
		"qemu-system-x86_64",
		"-blockdev", "{\"driver\":\"raw\",\"node-name\":\"r0\","
			     "\"file\":\"f0\",\"offset\":1048576}",
		"-blockdev", "driver=raw,node-name=r1,file=f1,offset=4096",
		"-drive", "file=/a,,id=x,,offset=7,id=d1,format=raw,offset=512",
		"-blockdev", "driver=raw,node-name=r2,file=f2,offset=12abc",
	};
	int argc = sizeof(argv) / sizeof(argv[0]);
	struct vbt_drive d = { 0 };

	d.node = "r0";
	EXPECT_EQ(1048576, vbt_facts_image_offset(argv, argc, &d));
	d.node = "r1";
	EXPECT_EQ(4096, vbt_facts_image_offset(argv, argc, &d));
	d.node = NULL;
	d.drive = "d1";
	EXPECT_EQ(512, vbt_facts_image_offset(argv, argc, &d));
	/* "id=x" and ",offset=7" are inside file=: no such drive. */
	d.drive = "x";
	EXPECT_EQ(-1, vbt_facts_image_offset(argv, argc, &d));
	d.drive = NULL;
	d.node = "r2";
	EXPECT_EQ(-1, vbt_facts_image_offset(argv, argc, &d));
}

/* JSON and QemuOpts spellings of one -device read the same. */
TEST(qemu_options_json_or_keyval)
{
	json_object *k = vbt_qemu_opt_json("  virtio-blk-pci,drive=d,"
					   "write-cache=on,cache.direct=on",
					   "driver", false, NULL, 0);
	json_object *j = vbt_qemu_opt_json(" {\"driver\":\"virtio-blk-pci\","
					   "\"drive\":\"d\",\"write-cache\":true}",
					   "driver", false, NULL, 0);
	json_object *n = vbt_qemu_opt_json("file,cache.direct=on", "driver",
					   true, NULL, 0);
	char err[128] = "";

	ASSERT_NE(NULL, k);
	ASSERT_NE(NULL, j);
	ASSERT_NE(NULL, n);
	EXPECT_STREQ(vbt_qjson_str(k, "driver"), vbt_qjson_str(j, "driver"));
	EXPECT_STREQ(vbt_qjson_str(k, "drive"), vbt_qjson_str(j, "drive"));
	EXPECT_EQ(1, vbt_qjson_bool(k, "write-cache"));
	EXPECT_EQ(1, vbt_qjson_bool(j, "write-cache"));
	/* -device keeps dotted keys flat, -blockdev nests them. */
	EXPECT_STREQ("on", vbt_qjson_str(k, "cache.direct"));
	EXPECT_EQ(1, vbt_qjson_bool(json_object_object_get(n, "cache"),
				    "direct"));
	json_object_put(k);
	json_object_put(j);
	json_object_put(n);

	EXPECT_EQ(NULL, vbt_qemu_opt_json("{\"driver\":", "driver", false,
					  err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "truncated JSON")) TH_LOG("%s", err);
}

/* QEMU reads "on" and true alike; a name is never an object. */
TEST(qemu_json_types)
{
	json_object *o = vbt_qjson_parse("{\"s\":\"x\",\"i\":4,\"b\":false,"
					 "\"d\":1.5,\"n\":null,\"o\":{},"
					 "\"on\":\"on\",\"bad\":\"maybe\"}",
					 NULL, 0);

	ASSERT_NE(NULL, o);
	EXPECT_STREQ("x", vbt_qjson_str(o, "s"));
	EXPECT_STREQ("4", vbt_qjson_str(o, "i"));
	EXPECT_STREQ("false", vbt_qjson_str(o, "b"));
	EXPECT_STREQ("1.5", vbt_qjson_str(o, "d"));
	EXPECT_EQ(NULL, vbt_qjson_str(o, "n"));
	EXPECT_EQ(NULL, vbt_qjson_str(o, "o"));
	EXPECT_EQ(NULL, vbt_qjson_str(o, "missing"));
	EXPECT_EQ(0, vbt_qjson_bool(o, "b"));
	EXPECT_EQ(1, vbt_qjson_bool(o, "on"));
	EXPECT_EQ(-1, vbt_qjson_bool(o, "bad"));
	EXPECT_EQ(-1, vbt_qjson_bool(o, "i"));
	json_object_put(o);
}

/* Recordings and bundles: strict JSON, all of it, typed getters. */
TEST(json_strict_whole_typed)
{
	char err[128];
	const char *s;
	json_object *o;

	s = "{\"a\":\"x\",\"n\":1,\"z\":null,\"o\":{\"b\":\"y\"}} \n";
	o = vbt_json_parse_exact(s, strlen(s), 8, err, sizeof(err));
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("x", vbt_jstr(o, "a"));
	EXPECT_EQ(NULL, vbt_jstr(o, "n"));	/* a number is not a name */
	EXPECT_EQ(NULL, vbt_jget(o, "z"));
	EXPECT_EQ(NULL, vbt_jstr(o, "z"));
	EXPECT_STREQ("y", vbt_jstr(vbt_jget(o, "o"), "b"));
	EXPECT_EQ(NULL, vbt_jstr(vbt_jget(o, "a"), "b"));	/* not an object */
	EXPECT_EQ(NULL, vbt_jget(NULL, "a"));
	json_object_put(o);

	s = "{\"a\":1} x";
	EXPECT_EQ(NULL, vbt_json_parse_exact(s, strlen(s), 8, err,
					     sizeof(err)));
	EXPECT_STREQ("trailing bytes after the JSON value at byte 8", err);
	s = "{\"a\":";
	EXPECT_EQ(NULL, vbt_json_parse_exact(s, strlen(s), 8, err,
					     sizeof(err)));
	EXPECT_STREQ("truncated JSON at byte 5", err);
	s = "[[[[1]]]]";
	EXPECT_EQ(NULL, vbt_json_parse_exact(s, strlen(s), 3, err,
					     sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "too deep")) TH_LOG("%s", err);
	/* Single quotes: QEMU's leniency, never a recording's. */
	s = "{'a':'x'}";
	EXPECT_EQ(NULL, vbt_json_parse_exact(s, strlen(s), 8, err,
					     sizeof(err)));
	o = vbt_json_parse(s, strlen(s), 8, 0, err, sizeof(err));
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("x", vbt_jstr(o, "a"));
	json_object_put(o);
}

TEST_HARNESS_MAIN
