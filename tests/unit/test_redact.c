// SPDX-License-Identifier: GPL-2.0
/*
 * Secrets never survive redaction: each test plants one and checks that
 * its value is gone, that "<redacted>" took its place and that the note
 * names what was redacted without the value.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "redact/redact.h"

FIXTURE(red) {
	struct vbt_redactions r;
};

FIXTURE_SETUP(red)
{
	vbt_redact_init(&self->r);
}

FIXTURE_TEARDOWN(red)
{
	vbt_redact_free(&self->r);
}

static bool notes_clean(const struct vbt_redactions *r, const char *secret)
{
	for (int i = 0; i < r->nwhat; i++)
		if (strstr(r->what[i], secret))
			return false;
	return r->nwhat > 0;
}

#define EXPECT_REDACTED(out, secret) do {				\
	ASSERT_NE(NULL, out);						\
	EXPECT_EQ(NULL, strstr(out, secret)) TH_LOG("%s", out);		\
	EXPECT_NE(NULL, strstr(out, VBT_REDACTED)) TH_LOG("%s", out);	\
	EXPECT_TRUE(notes_clean(&self->r, secret));			\
} while (0)

TEST_F(red, object_secret_data_and_iv)
{
	char *o = vbt_redact_arg(&self->r, "-object",
		"secret,id=sec0,data=S3cr3tPassw0rd,iv=IVIVIVIV,format=base64",
		"qemu pid 1");

	EXPECT_REDACTED(o, "S3cr3tPassw0rd");
	EXPECT_EQ(NULL, strstr(o, "IVIVIVIV"));
	EXPECT_NE(NULL, strstr(o, "id=sec0"));
	EXPECT_NE(NULL, strstr(o, "format=base64"));
	EXPECT_STREQ("qemu pid 1: -object secret id=sec0: data",
		     self->r.what[0]);
	free(o);
}

TEST_F(red, object_secret_as_json)
{
	char *o = vbt_redact_arg(&self->r, "-object",
		"{\"qom-type\":\"secret\",\"id\":\"s1\",\"data\":\"JsonSecretValue\"}",
		"qemu");

	EXPECT_REDACTED(o, "JsonSecretValue");
	EXPECT_NE(NULL, strstr(o, "\"id\":\"s1\""));
	free(o);
}

TEST_F(red, data_outside_a_secret_object_stays)
{
	char *o = vbt_redact_arg(&self->r, "-device",
		"virtio-blk-pci,drive=d0,id=disk0,serial=data", "qemu");

	EXPECT_STREQ("virtio-blk-pci,drive=d0,id=disk0,serial=data", o);
	EXPECT_EQ(0, self->r.nwhat);
	free(o);
}

TEST_F(red, secret_references_stay_but_passwords_go)
{
	char *o = vbt_redact_arg(&self->r, "-drive",
		"file=iscsi://u%25x:IscsiPw123@10.0.0.1/iqn.x/0,password-secret=sec0,"
		"file.password=PlainPw999,,withcomma,format=raw", "qemu");

	EXPECT_REDACTED(o, "IscsiPw123");
	EXPECT_EQ(NULL, strstr(o, "PlainPw999"));
	EXPECT_EQ(NULL, strstr(o, "withcomma")) TH_LOG("%s", o);
	EXPECT_NE(NULL, strstr(o, "password-secret=sec0"));
	EXPECT_NE(NULL, strstr(o, "@10.0.0.1/iqn.x/0"));
	EXPECT_NE(NULL, strstr(o, "format=raw"));
	free(o);
}

TEST_F(red, rbd_key_in_legacy_filename)
{
	char *o = vbt_redact_arg(&self->r, "-drive",
		"file=rbd:pool/img:id=admin:key=AQBKeyKeyKey==:conf=/etc/ceph/c.conf,if=none",
		"qemu");

	EXPECT_REDACTED(o, "AQBKeyKeyKey==");
	EXPECT_NE(NULL, strstr(o, "id=admin"));
	EXPECT_NE(NULL, strstr(o, "conf=/etc/ceph/c.conf,if=none")) TH_LOG("%s", o);
	free(o);
}

TEST_F(red, blockdev_json_with_nested_password_and_url)
{
	char *o = vbt_redact_arg(&self->r, "-blockdev",
		"{\"driver\":\"raw\",\"file\":{\"driver\":\"http\","
		"\"url\":\"https://bob:HttpPw777@example.org/x.img\","
		"\"password\":\"NestedPw555\",\"key-secret\":\"sec2\"}}", "qemu");

	EXPECT_REDACTED(o, "HttpPw777");
	EXPECT_EQ(NULL, strstr(o, "NestedPw555"));
	EXPECT_EQ(NULL, strstr(o, "bob:"));
	EXPECT_NE(NULL, strstr(o, "\"key-secret\":\"sec2\""));
	free(o);
}

TEST_F(red, kernel_command_line)
{
	char *o = vbt_redact_words(&self->r,
		"root=/dev/vda1 console=ttyS0 rd.luks.key=LuksKey42 "
		"ds=nocloud;s=http://u:CloudPw1@h/ quiet", "kernel command line");

	EXPECT_REDACTED(o, "LuksKey42");
	EXPECT_EQ(NULL, strstr(o, "CloudPw1"));
	EXPECT_NE(NULL, strstr(o, "root=/dev/vda1 console=ttyS0"));
	EXPECT_NE(NULL, strstr(o, " quiet"));
	free(o);
}

TEST_F(red, append_is_a_kernel_command_line)
{
	char *o = vbt_redact_arg(&self->r, "-append",
		"console=ttyS0 password=AppendPw8", "qemu");

	EXPECT_REDACTED(o, "AppendPw8");
	free(o);
}

TEST_F(red, libvirt_auth_secret_and_passwd)
{
	static const char xml[] =
		"<domain type='kvm'><name>vm1</name><devices>"
		"<disk type='network'><source protocol='rbd' name='p/i'>"
		"<auth username='libvirtuser'><secret type='ceph' "
		"uuid='0a1b2c3d-UUIDSECRET'/></auth></source>"
		"<target dev='vda' bus='virtio'/></disk>"
		"<graphics type='vnc' passwd='VncPw321'/>"
		"<disk type='network'><source protocol='http' "
		"name='http://x:XmlUrlPw@host/a'/></disk>"
		"</devices></domain>";
	char *o = vbt_redact_xml(&self->r, xml, strlen(xml), "libvirt XML");

	ASSERT_NE(NULL, o);
	/* XML spells the marker &lt;redacted&gt; */
	EXPECT_NE(NULL, strstr(o, "&lt;redacted&gt;")) TH_LOG("%s", o);
	EXPECT_EQ(NULL, strstr(o, "UUIDSECRET"));
	EXPECT_TRUE(notes_clean(&self->r, "UUIDSECRET"));
	EXPECT_EQ(NULL, strstr(o, "libvirtuser"));
	EXPECT_EQ(NULL, strstr(o, "VncPw321"));
	EXPECT_EQ(NULL, strstr(o, "XmlUrlPw"));
	EXPECT_NE(NULL, strstr(o, "<target dev=\"vda\""));
	free(o);
}

TEST_F(red, scrub_removes_remembered_values_everywhere)
{
	static const char text[] = "path /srv/S3cr3tPassw0rd/disk.img and "
				   "\"Quo\\\"teSecret\" end";
	char *o, *a;
	size_t n;

	a = vbt_redact_arg(&self->r, "-object",
			   "secret,id=a,data=S3cr3tPassw0rd", "q");
	free(a);
	a = vbt_redact_arg(&self->r, "-object",
			   "secret,id=b,data=Quo\"teSecret", "q");
	free(a);
	o = vbt_redact_scrub(&self->r, text, strlen(text), &n);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(NULL, strstr(o, "S3cr3tPassw0rd")) TH_LOG("%s", o);
	EXPECT_EQ(NULL, strstr(o, "teSecret")) TH_LOG("%s", o);
	EXPECT_EQ(strlen(o), n);
	free(o);
}

TEST_F(red, key_names)
{
	EXPECT_TRUE(vbt_redact_key_is_secret("password", 8, false));
	EXPECT_TRUE(vbt_redact_key_is_secret("file.passwd", 11, false));
	EXPECT_TRUE(vbt_redact_key_is_secret("key", 3, false));
	EXPECT_TRUE(vbt_redact_key_is_secret("api_token", 9, false));
	EXPECT_TRUE(vbt_redact_key_is_secret("data", 4, true));
	EXPECT_FALSE(vbt_redact_key_is_secret("data", 4, false));
	EXPECT_FALSE(vbt_redact_key_is_secret("password-secret", 15, false));
	EXPECT_FALSE(vbt_redact_key_is_secret("key-secret", 10, false));
	EXPECT_FALSE(vbt_redact_key_is_secret("keyid", 5, false));
	EXPECT_FALSE(vbt_redact_key_is_secret("keymap", 6, false));
	EXPECT_FALSE(vbt_redact_key_is_secret("cache", 5, false));
}

TEST_HARNESS_MAIN
