// SPDX-License-Identifier: GPL-2.0
/* QEMU's key=value,... option syntax (QemuOpts/keyval), the one parser of
 * system/qemu/ that is written by hand. */
#include <string.h>
#include "kselftest_harness.h"
#include "system/qemu/qemu_int.h"

TEST(plain_pairs)
{
	struct vbt_qopts o;

	ASSERT_EQ(0, vbt_qopts_parse("a=1,b=two,c=", NULL, &o, NULL, 0));
	ASSERT_EQ(3, o.n);
	ASSERT_STREQ("1", vbt_qopts_get(&o, "a"));
	ASSERT_STREQ("two", vbt_qopts_get(&o, "b"));
	ASSERT_STREQ("", vbt_qopts_get(&o, "c"));
	ASSERT_NULL(vbt_qopts_get(&o, "d"));
	vbt_qopts_free(&o);
	ASSERT_EQ(0, o.n);
}

TEST(double_comma_escapes)
{
	struct vbt_qopts o;

	ASSERT_EQ(0, vbt_qopts_parse("file=/a,,b,,,,c.img,x=,,", NULL, &o,
				    NULL, 0));
	ASSERT_EQ(2, o.n);
	ASSERT_STREQ("/a,b,,c.img", vbt_qopts_get(&o, "file"));
	ASSERT_STREQ(",", vbt_qopts_get(&o, "x"));
	vbt_qopts_free(&o);
}

TEST(implied_first_key)
{
	struct vbt_qopts o;

	ASSERT_EQ(0, vbt_qopts_parse("vm,,1,debug-threads=on", "guest", &o,
				    NULL, 0));
	ASSERT_STREQ("vm,1", vbt_qopts_get(&o, "guest"));
	ASSERT_STREQ("on", vbt_qopts_get(&o, "debug-threads"));
	vbt_qopts_free(&o);
	/* Only the first element is implied; with '=' it is not. */
	ASSERT_EQ(0, vbt_qopts_parse("guest=x,y", "guest", &o, NULL, 0));
	ASSERT_STREQ("x", vbt_qopts_get(&o, "guest"));
	ASSERT_STREQ("on", vbt_qopts_get(&o, "y"));	/* bare flag */
	vbt_qopts_free(&o);
}

TEST(last_value_wins_and_empty_elements)
{
	struct vbt_qopts o;

	ASSERT_EQ(0, vbt_qopts_parse(",a=1,,a=2,", NULL, &o, NULL, 0));
	/* ",a=1,,a=2," : the value of a is "1,a=2" (escaped comma). */
	ASSERT_STREQ("1,a=2", vbt_qopts_get(&o, "a"));
	vbt_qopts_free(&o);
	ASSERT_EQ(0, vbt_qopts_parse("a=1,a=2", NULL, &o, NULL, 0));
	ASSERT_STREQ("2", vbt_qopts_get(&o, "a"));
	vbt_qopts_free(&o);
	ASSERT_EQ(0, vbt_qopts_parse("", NULL, &o, NULL, 0));
	ASSERT_EQ(0, o.n);
	vbt_qopts_free(&o);
	ASSERT_EQ(0, vbt_qopts_parse(",,,,", "driver", &o, NULL, 0));
	vbt_qopts_free(&o);
	ASSERT_EQ(0, vbt_qopts_parse("=x,==,=", NULL, &o, NULL, 0));
	ASSERT_STREQ("", vbt_qopts_get(&o, ""));
	ASSERT_EQ(3, o.n);
	vbt_qopts_free(&o);
}

TEST(crumple_dotted_keys)
{
	struct vbt_qopts o;
	json_object *j, *file;

	ASSERT_EQ(0, vbt_qopts_parse("qcow2,file.driver=file,file.filename=/x,"
				    "cache.direct=on,a..b=1,.c=2,d.=3",
				    "driver", &o, NULL, 0));
	j = vbt_qopts_crumple(&o, NULL);
	ASSERT_NE(NULL, j);
	ASSERT_STREQ("qcow2", vbt_qjson_str(j, "driver"));
	ASSERT_TRUE(json_object_object_get_ex(j, "file", &file));
	ASSERT_STREQ("file", vbt_qjson_str(file, "driver"));
	ASSERT_STREQ("/x", vbt_qjson_str(file, "filename"));
	ASSERT_TRUE(json_object_object_get_ex(j, "cache", &file));
	ASSERT_EQ(1, vbt_qjson_bool(file, "direct"));
	json_object_put(j);
	vbt_qopts_free(&o);
}

TEST(bools_and_sizes)
{
	ASSERT_EQ(1, vbt_qparse_bool("on"));
	ASSERT_EQ(1, vbt_qparse_bool("true"));
	ASSERT_EQ(0, vbt_qparse_bool("off"));
	ASSERT_EQ(0, vbt_qparse_bool("no"));
	ASSERT_EQ(-1, vbt_qparse_bool("auto"));
	ASSERT_EQ(-1, vbt_qparse_bool(NULL));
	ASSERT_EQ(4096u, vbt_qparse_size("4096"));
	ASSERT_EQ(4096u, vbt_qparse_size("4k"));
	ASSERT_EQ(4096u, vbt_qparse_size("4K"));
	ASSERT_EQ(1048576u, vbt_qparse_size("1M"));
	ASSERT_EQ(0u, vbt_qparse_size("-1"));
	ASSERT_EQ(0u, vbt_qparse_size("4x"));
	ASSERT_EQ(0u, vbt_qparse_size("99999999999999999999"));
	ASSERT_EQ(0u, vbt_qparse_size("5000000000"));
	ASSERT_EQ(0u, vbt_qparse_size(NULL));
}

TEST(json_helpers)
{
	char err[128];
	json_object *j = vbt_qjson_parse(" {\"a\":true,\"n\":7,\"s\":\"off\","
					"\"o\":{}} \n", err, sizeof(err));

	ASSERT_NE(NULL, j);
	ASSERT_EQ(1, vbt_qjson_bool(j, "a"));
	ASSERT_EQ(0, vbt_qjson_bool(j, "s"));
	ASSERT_EQ(-1, vbt_qjson_bool(j, "n"));
	ASSERT_STREQ("7", vbt_qjson_str(j, "n"));
	ASSERT_NULL(vbt_qjson_str(j, "o"));
	ASSERT_NULL(vbt_qjson_str(j, "missing"));
	json_object_put(j);
	ASSERT_NULL(vbt_qjson_parse("{\"a\":1} x", err, sizeof(err)));
	ASSERT_NULL(vbt_qjson_parse("[1,2]", err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "not an object"));
	ASSERT_NULL(vbt_qjson_parse("{\"a\":", err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "truncated"));
}

TEST(image_names_lose_credentials)
{
	char *s;

	s = vbt_qemu_image_sanitize("rbd:pool/img@snap:id=admin:key=AQB==");
	ASSERT_STREQ("rbd:pool/img@snap", s);
	free(s);
	s = vbt_qemu_image_sanitize("rbd:pool/we\\:ird:key=x");
	ASSERT_STREQ("rbd:pool/we\\:ird", s);
	free(s);
	s = vbt_qemu_image_sanitize("iscsi://user%pass@host/iqn.x/0");
	ASSERT_STREQ("iscsi://host/iqn.x/0", s);
	free(s);
	s = vbt_qemu_image_sanitize("https://u:p@h/x.img?password=z");
	ASSERT_STREQ("https://h/x.img", s);
	free(s);
	s = vbt_qemu_image_sanitize("nbd+unix:///e?socket=/run/n.sock");
	ASSERT_STREQ("nbd+unix:///e?socket=/run/n.sock", s);
	free(s);
	s = vbt_qemu_image_sanitize("/plain/path@x");
	ASSERT_STREQ("/plain/path@x", s);
	free(s);
}

TEST_HARNESS_MAIN
