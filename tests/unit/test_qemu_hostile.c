// SPDX-License-Identifier: GPL-2.0
/* Hostile command lines and XML: never crash, never hang, say what is wrong. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kselftest_harness.h"
#include "system/qemu/qemu.h"

static int parse(const char *buf, size_t len, struct vbt_vm *vm, char *err)
{
	return vbt_qemu_parse_cmdline(buf, len, vm, err, 256);
}

#define ARGV(s) s, sizeof(s) - 1

FIXTURE(h) {
	struct vbt_vm vm;
	char err[256];
};

FIXTURE_SETUP(h)
{
	memset(&self->vm, 0, sizeof(self->vm));
	self->err[0] = '\0';
}

FIXTURE_TEARDOWN(h)
{
	vbt_vm_free(&self->vm);
}

TEST_F(h, empty_and_null)
{
	ASSERT_EQ(-EINVAL, parse(NULL, 0, &self->vm, self->err));
	ASSERT_NE(0u, strlen(self->err));
	ASSERT_EQ(-EINVAL, parse("", 0, &self->vm, self->err));
	ASSERT_EQ(0, parse(ARGV("\0\0\0"), &self->vm, self->err));
	ASSERT_EQ(0, self->vm.ndrives);
}

TEST_F(h, huge_argv_refused)
{
	size_t len = 1024 * 1024 + 1;
	char *buf = malloc(len);

	ASSERT_NE(NULL, buf);
	memset(buf, 'a', len);
	ASSERT_EQ(-E2BIG, parse(buf, len, &self->vm, self->err));
	ASSERT_NE(NULL, strstr(self->err, "refused"));
	free(buf);
	ASSERT_EQ(0, self->vm.ndrives);
}

TEST_F(h, truncated_json)
{
	static const char a[] = "qemu-system-x86_64\0-blockdev\0"
		"{\"driver\":\"file\",\"filename\":\"/x\",\"node-na";

	ASSERT_EQ(-EINVAL, parse(ARGV(a), &self->vm, self->err));
	TH_LOG("err: %s", self->err);
	ASSERT_NE(NULL, strstr(self->err, "-blockdev"));
	ASSERT_NE(NULL, strstr(self->err, "truncated"));
	ASSERT_NULL(self->vm.drives);
}

TEST_F(h, unbalanced_quotes_and_garbage_json)
{
	static const char a[] = "qemu-system-x86_64\0-device\0"
		"{\"driver\":\"virtio-blk-pci,\"drive\":\"x}\0";
	static const char b[] = "qemu-system-x86_64\0-device\0{]]]\0";
	static const char c[] = "qemu-system-x86_64\0-blockdev\0{\"a\":1}}\0";

	ASSERT_EQ(-EINVAL, parse(ARGV(a), &self->vm, self->err));
	ASSERT_NE(NULL, strstr(self->err, "-device"));
	ASSERT_EQ(-EINVAL, parse(ARGV(b), &self->vm, self->err));
	ASSERT_EQ(-EINVAL, parse(ARGV(c), &self->vm, self->err));
}

TEST_F(h, deep_json_nesting)
{
	char *buf = malloc(600100);
	size_t n = 0;

	ASSERT_NE(NULL, buf);
	n += sprintf(buf, "q%c-blockdev%c", 0, 0);
	for (int i = 0; i < 100000; i++)
		n += sprintf(buf + n, "{\"a\":");
	ASSERT_EQ(-EINVAL, parse(buf, n, &self->vm, self->err));
	TH_LOG("err: %s", self->err);
	free(buf);
}

TEST_F(h, no_trailing_nul_and_odd_nuls)
{
	static const char a[] = "\0\0qemu-system-x86_64\0\0-name\0\0-drive\0"
		"file=/a.img,if=virtio\0\0\0-name\0x";

	/* "-name" takes "" as its value; "-drive" then parses normally. */
	ASSERT_EQ(0, parse(ARGV(a), &self->vm, self->err));
	ASSERT_EQ(1, self->vm.ndrives);
	ASSERT_STREQ("/a.img", self->vm.drives[0].image);
	ASSERT_STREQ("x", self->vm.name);	/* last arg, no NUL */
	ASSERT_STREQ("", self->vm.binary);
}

TEST_F(h, option_without_value_at_end)
{
	static const char a[] = "qemu\0-drive";
	static const char b[] = "qemu\0-device\0";

	ASSERT_EQ(0, parse(ARGV(a), &self->vm, self->err));
	ASSERT_EQ(0, self->vm.ndrives);
	vbt_vm_free(&self->vm);
	ASSERT_EQ(0, parse(ARGV(b), &self->vm, self->err));
	ASSERT_EQ(0, self->vm.ndrives);
}

TEST_F(h, unknown_drivers_and_missing_fields)
{
	static const char a[] = "qemu\0"
		"-blockdev\0{\"driver\":\"fancy-proto\",\"node-name\":\"p\"}\0"
		"-blockdev\0{\"driver\":\"fancy-fmt\",\"node-name\":\"f\","
		"\"file\":\"p\"}\0"
		"-blockdev\0{\"driver\":\"file\"}\0"	/* no node-name */
		"-blockdev\0{\"node-name\":\"nodrv\"}\0"
		"-device\0{\"driver\":\"virtio-blk-pci\",\"drive\":\"f\","
		"\"id\":\"d1\",\"write-cache\":\"auto\",\"werror\":\"auto\"}\0"
		"-device\0{\"driver\":\"weird-dev\",\"drive\":\"nowhere\"}\0"
		"-device\0{\"drive\":{\"x\":1}}\0"
		"-device\0{\"driver\":\"virtio-blk-pci\",\"drive\":7,"
		"\"logical_block_size\":[1]}\0";
	struct vbt_drive *d;

	ASSERT_EQ(0, parse(ARGV(a), &self->vm, self->err));
	ASSERT_EQ(4, self->vm.ndrives);	/* d1, weird-dev, "7", nodrv */
	d = &self->vm.drives[0];
	ASSERT_STREQ("d1", d->id);
	ASSERT_STREQ("f", d->node);
	ASSERT_NULL(d->format);		/* unknown, not guessed */
	ASSERT_STREQ("fancy-proto", d->protocol);
	ASSERT_NULL(d->image);
	ASSERT_EQ(VBT_AIO_UNKNOWN, (int)d->aio);
	ASSERT_EQ(1, d->write_cache);
	ASSERT_STREQ("enospc", d->werror);
	d = &self->vm.drives[1];
	ASSERT_NULL(d->id);
	ASSERT_STREQ("nowhere", d->drive);
	ASSERT_NULL(d->node);
	ASSERT_NULL(d->image);
	ASSERT_EQ(-1, d->write_cache);
	ASSERT_NULL(d->cache);
	ASSERT_NULL(d->werror);		/* unknown device: no defaults */
	ASSERT_EQ(0u, d->logical_block_size);
	d = &self->vm.drives[2];
	ASSERT_STREQ("7", d->drive);
	ASSERT_EQ(512u, d->logical_block_size);
	d = &self->vm.drives[3];
	ASSERT_STREQ("nodrv", d->drive);
	ASSERT_NULL(d->protocol);
	ASSERT_NULL(d->image);
}

TEST_F(h, loops_in_node_chains)
{
	static const char a[] = "qemu\0"
		"-blockdev\0{\"driver\":\"raw\",\"node-name\":\"a\","
		"\"file\":\"b\"}\0"
		"-blockdev\0{\"driver\":\"throttle\",\"node-name\":\"b\","
		"\"file\":\"a\"}\0"
		"-blockdev\0{\"driver\":\"qcow2\",\"node-name\":\"self\","
		"\"file\":\"self\"}\0"
		"-device\0{\"driver\":\"virtio-blk-pci\",\"drive\":\"a\","
		"\"id\":\"x\"}\0"
		"-device\0virtio-blk-pci,drive=self,id=y\0";

	ASSERT_EQ(0, parse(ARGV(a), &self->vm, self->err));
	ASSERT_EQ(2, self->vm.ndrives);
	ASSERT_STREQ("raw", self->vm.drives[0].format);
	ASSERT_NULL(self->vm.drives[0].image);
	ASSERT_NULL(self->vm.drives[0].protocol);
	ASSERT_NE(NULL, self->vm.drives[0].filters);
	ASSERT_LT(strlen(self->vm.drives[0].filters), 1100u);
	ASSERT_STREQ("qcow2", self->vm.drives[1].format);
	ASSERT_NULL(self->vm.drives[1].image);
}

TEST_F(h, thousands_of_drives_are_capped)
{
	size_t cap = 5000 * 64, n = 0;
	char *buf = malloc(cap);

	ASSERT_NE(NULL, buf);
	n += sprintf(buf, "qemu") + 1;
	for (int i = 0; i < 5000; i++)
		n += sprintf(buf + n, "-drive%cfile=/d/%d.img,if=virtio", 0,
			     i) + 1;
	ASSERT_EQ(0, parse(buf, n, &self->vm, self->err));
	ASSERT_EQ(VBT_QEMU_MAX_DRIVES, self->vm.ndrives);
	ASSERT_TRUE(self->vm.truncated);
	ASSERT_STREQ("virtio0", self->vm.drives[0].id);
	ASSERT_STREQ("virtio1023", self->vm.drives[1023].id);
	free(buf);
}

TEST_F(h, non_utf8_and_control_bytes)
{
	static const char a[] = "qemu\0-name\0guest=\xff\xfe\x01vm\0"
		"-drive\0file=/img/\xc3\x28\x80.raw,if=virtio,id=\xe2\x82\0"
		"-blockdev\0{\"driver\":\"file\",\"node-name\":\"\xff\","
		"\"filename\":\"/x\\u0000y\"}\0";

	ASSERT_EQ(0, parse(ARGV(a), &self->vm, self->err));
	ASSERT_STREQ("\xff\xfe\x01vm", self->vm.name);
	ASSERT_EQ(2, self->vm.ndrives);
	ASSERT_STREQ("/img/\xc3\x28\x80.raw", self->vm.drives[0].image);
}

TEST_F(h, secrets_never_copied)
{
	static const char a[] = "qemu\0"
		"-object\0secret,id=sec0,data=PLAINPASS,format=raw\0"
		"-object\0{\"qom-type\":\"secret\",\"id\":\"s1\","
		"\"data\":\"JSONPASS\"}\0"
		"-blockdev\0{\"driver\":\"iscsi\",\"node-name\":\"i\","
		"\"portal\":\"h:3260\",\"target\":\"iqn.t\",\"lun\":1,"
		"\"user\":\"bob\",\"password-secret\":\"sec0\"}\0"
		"-blockdev\0{\"driver\":\"luks\",\"node-name\":\"l\","
		"\"key-secret\":\"sec0\",\"file\":\"i\"}\0"
		"-drive\0file=https://bob:HTTPPASS@web/x.img,if=virtio,"
		"file.password-secret=sec0\0"
		"-device\0virtio-blk-pci,drive=l,id=v\0";
	const char *bad[] = { "PASS", "sec0", "bob" };

	ASSERT_EQ(0, parse(ARGV(a), &self->vm, self->err));
	ASSERT_EQ(2, self->vm.ndrives);
	ASSERT_STREQ("iscsi://h:3260/iqn.t/1", self->vm.drives[0].image);
	ASSERT_STREQ("luks", self->vm.drives[0].format);
	ASSERT_STREQ("https://web/x.img", self->vm.drives[1].image);
	ASSERT_STREQ("https", self->vm.drives[1].protocol);
	for (int i = 0; i < self->vm.ndrives; i++) {
		struct vbt_drive *d = &self->vm.drives[i];
		const char *s[] = { d->id, d->drive, d->node, d->image,
				    d->format, d->protocol, d->filters };

		for (size_t j = 0; j < sizeof(s) / sizeof(s[0]); j++)
			for (size_t k = 0; k < 3; k++)
				ASSERT_TRUE(!s[j] || !strstr(s[j], bad[k]));
	}
}

TEST_F(h, too_many_keys_in_one_option)
{
	size_t cap = 5000 * 8, n = 0;
	char *buf = malloc(cap);

	ASSERT_NE(NULL, buf);
	n += sprintf(buf, "qemu%c-drive%c", 0, 0) + 0;
	n = 4 + 1 + 6 + 1;
	for (int i = 0; i < 5000; i++)
		n += sprintf(buf + n, "k%d=1,", i);
	ASSERT_EQ(-E2BIG, parse(buf, n, &self->vm, self->err));
	ASSERT_NE(NULL, strstr(self->err, "too many keys"));
	free(buf);
}

TEST_F(h, bad_xml)
{
	static const char lol[] =
		"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'>"
		"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
		"<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
		"<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]>"
		"<domain><name>&d;</name></domain>";
	static const char trunc[] = "<domstatus><domain><name>x</na";
	static const char other[] = "<network><name>x</name></network>";
	static const char empty_status[] = "<domstatus/>";

	ASSERT_EQ(-EINVAL, vbt_libvirt_apply_xml(&self->vm, trunc,
						 strlen(trunc), self->err,
						 sizeof(self->err)));
	TH_LOG("err: %s", self->err);
	ASSERT_EQ(-EINVAL, vbt_libvirt_apply_xml(&self->vm, other,
						 strlen(other), self->err,
						 sizeof(self->err)));
	ASSERT_NE(NULL, strstr(self->err, "<domain>"));
	ASSERT_EQ(-EINVAL, vbt_libvirt_apply_xml(&self->vm, empty_status,
						 strlen(empty_status),
						 self->err, sizeof(self->err)));
	ASSERT_EQ(-EINVAL, vbt_libvirt_apply_xml(&self->vm, "x", 0,
						 self->err, sizeof(self->err)));
	/* Entities are not expanded: the name stays small (or empty). */
	vbt_libvirt_apply_xml(&self->vm, lol, strlen(lol), self->err,
			      sizeof(self->err));
	ASSERT_TRUE(!self->vm.name || strlen(self->vm.name) < 100);
}

TEST_HARNESS_MAIN
