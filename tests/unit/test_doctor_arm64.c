// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace doctor on ARM64 configurations: the architecture of a pasted
 * qemu-kvm or qemu-system-aarch64 command line and of libvirt XML, seed
 * 003's rules (UEFI loader, no IDE on 'virt', the root-port ceiling, the
 * CPU model) and seed 000's cache=none,io=native on an LVM volume.
 *
 * seed000-arm64.argv and seed003-kunpeng.argv are command lines that real
 * qemu-system-aarch64 7.2 accepts (seed003's with virt-2.12 for the RHEL
 * machine type and TCG's GICv2 for KVM's GICv3, refusing only its IDE
 * CD-ROM, as doctor says):
 * tests/host/doctor_arm64.sh runs them, and boots the root-port ceiling.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "diagnose/doctor.h"
#include "doctor_test.h"

/* A command line given one argument per line. */
static int from_lines(struct dr_config *c, const char *lines)
{
	char err[256] = "";
	int r;

	memset(c, 0, sizeof(*c));
	r = dr_config_from_cmdline(c, lines, strlen(lines), err, sizeof(err));
	if (r)
		fprintf(stderr, "cmdline: %s\n", err);
	return r;
}

static void diagnose(const struct dr_config *c, struct dr_report *r)
{
	struct dr_env e;

	memset(&e, 0, sizeof(e));
	e.io_uring = -1;
	memset(r, 0, sizeof(*r));
	dr_diagnose(c, &e, r);
}

/* Seed 003's host: CentOS 7.6 qemu-kvm 2.12 on a Kunpeng 920, libvirt 4.5,
 * 28 root ports as nova sets them, a CPU model and an IDE CD-ROM. */
TEST(seed003_qemu_kvm_argv)
{
	struct dr_config c;
	struct dr_report r;
	const struct dr_finding *f;

	ASSERT_EQ(0, load(&c, "seed003-kunpeng.argv"));
	/* qemu-kvm names no architecture: its machine type does, whatever
	 * machine reads the command line. */
	EXPECT_STREQ("aarch64", c.arch);
	EXPECT_STREQ("virt-rhel7.6.0", c.machine);
	EXPECT_STREQ("kvm", c.accel);
	EXPECT_STREQ("cortex-a57", c.cpu);
	EXPECT_STREQ("/usr/share/edk2.git/aarch64/QEMU_EFI-pflash.raw",
		     c.firmware);
	EXPECT_EQ(1, c.ide);
	diagnose(&c, &r);
	EXPECT_FINDING(&r, "virt-no-ide", DR_ERROR, "kunpeng-vm1");
	f = dr_find(&r, "virt-no-ide", "kunpeng-vm1");
	ASSERT_NE(NULL, f);
	EXPECT_NE(NULL, strstr(f->title, "ide0-0-0"));
	/* The message real QEMU prints for this argv (doctor_arm64.sh). */
	EXPECT_NE(NULL, strstr(f->see, "Bus 'ide.0' not found"));
	f = dr_find(&r, "virt-root-port-ceiling", "kunpeng-vm1");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(DR_ERROR, f->sev);
	EXPECT_NE(NULL, strstr(f->title, "28 PCIe root ports"));
	EXPECT_NE(NULL, strstr(f->title, "15 ports"));
	EXPECT_FINDING(&r, "arm64-cpu-model", DR_WARNING, "kunpeng-vm1");
	EXPECT_EQ(0, count(&r, "arm64-no-uefi"));
	EXPECT_EQ(0, count(&r, "arm64-firmware-x86"));
	/* A qcow2 file, not an LVM volume: the general warning only. */
	EXPECT_FINDING(&r, "native-aio-eio", DR_WARNING, "virtio-disk0");
	EXPECT_EQ(0, count(&r, "native-aio-lvm"));
	dr_report_free(&r);
	dr_config_free(&c);
}

/* Seed 000 as libvirt 9 starts it: AAVMF through -blockdev pflash0, -cpu
 * host, the installer's disk an LVM volume with cache=none,io=native. */
TEST(seed000_libvirt9_argv)
{
	struct dr_config c;
	struct dr_report r;
	const struct dr_finding *f;

	ASSERT_EQ(0, load(&c, "seed000-arm64.argv"));
	EXPECT_STREQ("aarch64", c.arch);
	EXPECT_STREQ("virt-7.2", c.machine);
	EXPECT_STREQ("host", c.cpu);
	EXPECT_STREQ("kvm", c.accel);
	EXPECT_STREQ("/usr/share/AAVMF/AAVMF_CODE.fd", c.firmware);
	EXPECT_EQ(0, c.ide);
	diagnose(&c, &r);
	f = dr_find(&r, "native-aio-lvm", "virtio-disk0");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(DR_WARNING, f->sev);
	EXPECT_NE(NULL, strstr(f->title, "/dev/vg-libvirt/a-b-data-2"));
	/* What to check, and what io=threads changes. */
	EXPECT_NE(NULL, strstr(f->todo, "blockdev --getss --getpbsz "
				       "/dev/vg-libvirt/a-b-data-2"));
	EXPECT_NE(NULL, strstr(f->todo, "io=threads keeps cache=none"));
	EXPECT_NE(NULL, strstr(f->todo, "io='threads'"));
	EXPECT_EQ(1, count(&r, "native-aio-lvm"));
	EXPECT_EQ(0, count(&r, "arm64-no-uefi"));
	EXPECT_EQ(0, count(&r, "arm64-cpu-model"));
	EXPECT_EQ(0, count(&r, "virt-no-ide"));
	EXPECT_EQ(0, count(&r, "virt-root-port-ceiling"));
	dr_report_free(&r);
	dr_config_free(&c);
}

/* The x86 way of writing a domain, on a Kunpeng host (seed 003). */
TEST(seed003_kunpeng_xml)
{
	struct dr_config c;
	struct dr_report r;
	const struct dr_finding *f;

	ASSERT_EQ(0, load(&c, "seed003-kunpeng.xml"));
	EXPECT_STREQ("aarch64", c.arch);
	EXPECT_STREQ("host-model", c.cpu);
	EXPECT_STREQ("kvm", c.accel);
	EXPECT_EQ(NULL, c.firmware);
	diagnose(&c, &r);
	EXPECT_FINDING(&r, "arm64-no-uefi", DR_ERROR, "kunpeng-vm2");
	f = dr_find(&r, "virt-no-ide", "kunpeng-vm2");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(DR_ERROR, f->sev);
	EXPECT_NE(NULL, strstr(f->title, "hda"));
	f = dr_find(&r, "arm64-cpu-model", "kunpeng-vm2");
	ASSERT_NE(NULL, f);
	EXPECT_NE(NULL, strstr(f->title, "host-model"));
	/* 15 root ports: exactly what 16 bus numbers allow. */
	EXPECT_EQ(0, count(&r, "virt-root-port-ceiling"));
	dr_report_free(&r);
	dr_config_free(&c);
}

/* seed000-arm64.xml has its loader, no <cpu> (libvirt's default, not
 * QEMU's) and the LVM volume. */
TEST(seed000_xml_lvm)
{
	struct dr_config c;
	struct dr_report r;

	ASSERT_EQ(0, load(&c, "seed000-arm64.xml"));
	EXPECT_STREQ("/usr/share/AAVMF/AAVMF_CODE.fd", c.firmware);
	diagnose(&c, &r);
	EXPECT_FINDING(&r, "native-aio-lvm", DR_WARNING, "vda");
	EXPECT_EQ(1, count(&r, "native-aio-lvm"));	/* vdb is a file */
	EXPECT_EQ(0, count(&r, "arm64-no-uefi"));
	EXPECT_EQ(0, count(&r, "arm64-cpu-model"));
	EXPECT_EQ(0, count(&r, "virt-no-ide"));	/* the CD-ROM is SCSI */
	dr_report_free(&r);
	dr_config_free(&c);
}

/* ports_cmdline MACHINE N: N root ports the way libvirt lays them out. */
static char *ports_cmdline(const char *machine, int n)
{
	size_t cap = 256 + n * 128, len;
	char *s = malloc(cap);

	len = snprintf(s, cap, "qemu-system-aarch64\n-machine\n%s\n-cpu\nmax\n"
		       "-kernel\n/boot/Image\n", machine);
	for (int i = 1; i <= n; i++) {
		int slot = (i - 1) / 8 + 1, fn = (i - 1) % 8;

		len += snprintf(s + len, cap - len,
				"-device\npcie-root-port,port=0x%x,chassis=%d,"
				"id=pci.%d,bus=pcie.0,addr=0x%x.0x%x%s\n",
				7 + i, i, i, slot, fn,
				fn ? "" : ",multifunction=on");
	}
	return s;
}

/* The ceiling follows the ECAM window measured with QEMU 7.2: 16 buses up
 * to virt-2.12 and with highmem=off, 256 from virt-3.0. */
TEST(root_port_ceiling)
{
	static const struct {
		const char *machine;
		int ports;
		int want;	/* -1 no finding, else the severity */
	} cases[] = {
		{ "virt-2.12", 16, DR_ERROR },
		{ "virt-2.12", 15, -1 },
		{ "virt-3.0", 16, -1 },
		{ "virt-3.0", 28, -1 },
		{ "virt-7.2,highmem=off", 16, DR_ERROR },
		{ "virt", 16, DR_INFO },
		{ "virt-rhel8.2.0", 28, -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dr_config c;
		struct dr_report r;
		const struct dr_finding *f;
		char *cmd = ports_cmdline(cases[i].machine, cases[i].ports);

		ASSERT_EQ(0, from_lines(&c, cmd));
		free(cmd);
		EXPECT_STREQ("aarch64", c.arch);
		diagnose(&c, &r);
		f = dr_find(&r, "virt-root-port-ceiling", "VM");
		if (cases[i].want < 0) {
			EXPECT_EQ(NULL, f);
		} else {
			ASSERT_NE(NULL, f);
			EXPECT_EQ(cases[i].want, f->sev);
		}
		EXPECT_EQ(0, count(&r, "arm64-no-uefi"));	/* -kernel */
		EXPECT_EQ(0, count(&r, "arm64-cpu-model"));	/* TCG */
		dr_report_free(&r);
		dr_config_free(&c);
	}
}

TEST(firmware_and_cpu)
{
	struct dr_config c;
	struct dr_report r;

	/* x86 OVMF handed to an aarch64 guest. */
	ASSERT_EQ(0, from_lines(&c, "qemu-system-aarch64\n-M\nvirt\n-accel\n"
				"kvm\n-cpu\nhost\n-bios\n"
				"/usr/share/OVMF/OVMF_CODE.fd\n"));
	diagnose(&c, &r);
	EXPECT_FINDING(&r, "arm64-firmware-x86", DR_ERROR, "VM");
	EXPECT_EQ(0, count(&r, "arm64-no-uefi"));
	EXPECT_EQ(0, count(&r, "arm64-cpu-model"));
	dr_report_free(&r);
	dr_config_free(&c);

	/* No firmware, no kernel, KVM with QEMU's default CPU. */
	ASSERT_EQ(0, from_lines(&c, "/usr/bin/qemu-system-aarch64\n-machine\n"
				"virt,accel=kvm\n"));
	EXPECT_STREQ("kvm", c.accel);
	diagnose(&c, &r);
	EXPECT_FINDING(&r, "arm64-no-uefi", DR_ERROR, "VM");
	EXPECT_FINDING(&r, "arm64-cpu-model", DR_WARNING, "VM");
	dr_report_free(&r);
	dr_config_free(&c);

	/* -enable-kvm and a named core. */
	ASSERT_EQ(0, from_lines(&c, "qemu-system-aarch64\n-M\nvirt-7.2\n"
				"-enable-kvm\n-cpu\ncortex-a72,pmu=on\n"
				"-kernel\nImage\n"));
	EXPECT_STREQ("cortex-a72", c.cpu);
	diagnose(&c, &r);
	EXPECT_FINDING(&r, "arm64-cpu-model", DR_WARNING, "VM");
	dr_report_free(&r);
	dr_config_free(&c);
}

/* qemu-kvm's architecture is its machine's; x86 configs get no arm64
 * rule even with the same mistakes. */
TEST(qemu_kvm_architecture)
{
	struct dr_config c;
	struct dr_report r;

	ASSERT_EQ(0, from_lines(&c, "/usr/libexec/qemu-kvm\n-machine\n"
				"pc-q35-rhel8.6.0,accel=kvm\n-cpu\nSkylake\n"));
	EXPECT_STREQ("x86_64", c.arch);
	diagnose(&c, &r);
	EXPECT_EQ(0, count(&r, "arm64-cpu-model"));
	EXPECT_EQ(0, count(&r, "arm64-no-uefi"));
	dr_report_free(&r);
	dr_config_free(&c);

	ASSERT_EQ(0, from_lines(&c, "/usr/libexec/qemu-kvm\n-machine\n"
				"virt-rhel9.2.0,accel=kvm\n-cpu\nhost\n"));
	EXPECT_STREQ("aarch64", c.arch);
	dr_config_free(&c);

	/* -drive if=ide on 'virt', as QEMU refuses it. */
	ASSERT_EQ(0, from_lines(&c, "qemu-system-aarch64\n-M\nvirt\n-kernel\n"
				"Image\n-drive\nfile=/tmp/x.img,format=raw,"
				"if=ide\n"));
	EXPECT_EQ(1, c.ide);
	diagnose(&c, &r);
	EXPECT_FINDING(&r, "virt-no-ide", DR_ERROR, "VM");
	dr_report_free(&r);
	dr_config_free(&c);
}

TEST_HARNESS_MAIN
