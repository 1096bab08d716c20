// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace doctor: configurations in the shapes users paste (libvirt XML,
 * NUL-separated argv, one argument per line, libvirt's shell-quoted log
 * line) from tests/unit/corpus/doctor/, each rule's finding (rule id,
 * severity, drive), the migration comparison of seeds 002 and 003, and
 * the host-fact rules with a fake sysfs and stub probes.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "diagnose/doctor.h"
#include "doctor_test.h"
#include "system/facts.h"

/* No probing of this machine: only what the configuration says. */
static void offline_env(struct dr_env *e)
{
	memset(e, 0, sizeof(*e));
	e->io_uring = -1;
}

TEST(seed000_arm64_xml)
{
	struct dr_config c;
	struct dr_report r = { 0 };
	struct dr_env e;
	const struct dr_finding *f;

	offline_env(&e);
	ASSERT_EQ(0, load(&c, "seed000-arm64.xml"));
	EXPECT_STREQ("virt-7.2", c.machine);
	EXPECT_STREQ("aarch64", c.arch);
	EXPECT_EQ(4, c.vcpus);
	EXPECT_EQ(3, c.vm.ndrives);
	dr_diagnose(&c, &e, &r);
	/* vdb: io='native' with cache='writeback': QEMU refuses to start. */
	EXPECT_FINDING(&r, "aio-native-no-direct", DR_ERROR, "vdb");
	EXPECT_EQ(1, count(&r, "aio-native-no-direct"));
	/* vda: the seed's cache=none,io=native on arm64. */
	EXPECT_FINDING(&r, "native-aio-eio", DR_WARNING, "vda");
	EXPECT_EQ(1, count(&r, "native-aio-eio"));
	/* Five root ports, five devices on them: nothing left to hot-plug. */
	f = dr_find(&r, "pcie-hotplug-slots", "a-b-data-2");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(DR_WARNING, f->sev);
	EXPECT_NE(NULL, strstr(f->title, "0 free"));
	EXPECT_FINDING(&r, "discard-unmap-raw", DR_INFO, "vdb");
	EXPECT_EQ(NULL, dr_find(&r, "discard-unmap-raw", "vda")); /* LVM */
	EXPECT_EQ(0, count(&r, "pci-address-unset"));
	dr_report_free(&r);
	dr_config_free(&c);
}

TEST(q35_spare_ports_error_policies)
{
	struct dr_config c;
	struct dr_report r = { 0 };
	struct dr_env e;
	const struct dr_finding *f;

	offline_env(&e);
	e.io_uring = 0;
	e.io_uring_errno = EPERM;
	ASSERT_EQ(0, load(&c, "q35-spare-ports.xml"));
	dr_diagnose(&c, &e, &r);
	/* 6 ports: net, vda, balloon use 3, one is hotplug=off: 2 free. */
	EXPECT_EQ(0, count(&r, "pcie-hotplug-slots"));
	EXPECT_FINDING(&r, "error-policy-stop", DR_WARNING, "vda");
	EXPECT_FINDING(&r, "error-policy-ignore", DR_WARNING, "vda");
	f = dr_find(&r, "io-uring-unsupported", "vda");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(DR_ERROR, f->sev);
	EXPECT_NE(NULL, strstr(f->title, strerror(EPERM)));
	EXPECT_EQ(0, count(&r, "native-aio-eio"));
	dr_report_free(&r);
	dr_config_free(&c);
}

TEST(legacy_one_arg_per_line)
{
	struct dr_config c;
	struct dr_report r = { 0 };
	struct dr_env e;

	offline_env(&e);
	ASSERT_EQ(0, load(&c, "legacy-mixed.argv"));
	EXPECT_STREQ("q35", c.machine);
	ASSERT_EQ(2, c.vm.ndrives);
	dr_diagnose(&c, &e, &r);
	/* -drive if=virtio,aio=native: default cache is writeback. */
	EXPECT_FINDING(&r, "aio-native-no-direct", DR_ERROR, "virtio0");
	EXPECT_FINDING(&r, "error-policy-ignore", DR_WARNING, "virtio0");
	EXPECT_FINDING(&r, "cache-unsafe", DR_WARNING, "virtio-disk1");
	EXPECT_FINDING(&r, "discard-unmap-raw", DR_INFO, "virtio-disk1");
	/* Neither device has addr=: both are placed by order. */
	EXPECT_FINDING(&r, "pci-address-unset", DR_WARNING, "virtio0");
	EXPECT_FINDING(&r, "pci-address-unset", DR_WARNING, "virtio-disk1");
	/* q35 without a single root port. */
	EXPECT_FINDING(&r, "pcie-hotplug-slots", DR_WARNING, NULL);
	dr_report_free(&r);
	dr_config_free(&c);
}

TEST(nul_separated_argv)
{
	struct dr_config c;
	struct dr_report r = { 0 };
	struct dr_env e;
	const struct dr_dev *d;

	offline_env(&e);
	e.io_uring = 1;
	ASSERT_EQ(0, load(&c, "q35-full.cmdline"));
	EXPECT_STREQ("pc-q35-7.2", c.machine);
	EXPECT_EQ(2, c.vcpus);
	ASSERT_EQ(4, c.ndevs);
	d = dr_dev_by_id(&c, "virtio-disk1");
	ASSERT_NE(NULL, d);
	EXPECT_STREQ("rp2", d->bus);
	EXPECT_EQ(0, d->slot);
	EXPECT_STREQ("2", dr_dev_prop(d, "num-queues"));
	d = dr_dev_by_id(&c, "rp2");
	ASSERT_NE(NULL, d);
	EXPECT_TRUE(d->root_port);
	EXPECT_EQ(2, d->slot);
	EXPECT_EQ(1, d->fn);
	dr_diagnose(&c, &e, &r);
	EXPECT_EQ(0, count(&r, "pci-address-unset"));
	EXPECT_EQ(0, count(&r, "io-uring-unsupported"));
	EXPECT_FINDING(&r, "pcie-hotplug-slots", DR_WARNING, NULL);
	dr_report_free(&r);
	dr_config_free(&c);
}

/* A NUL-separated argv whose last word has no NUL (a file cut short or
 * edited by hand): the words handed on must all be terminated within the
 * returned length, or strlen() reads past the heap buffer. */
TEST(nul_separated_without_final_nul)
{
	static const char argv[] = "qemu-system-x86_64\0-name\0guest=a\0"
				   "-machine\0pc-q35-7.2";
	char err[256] = "";
	struct dr_config c;
	size_t n;
	char *out = NULL;

	ASSERT_EQ(0, dr_split_cmdline(argv, sizeof(argv) - 1, &out, &n, err,
				      sizeof(err)));
	ASSERT_NE(NULL, out);
	ASSERT_EQ(sizeof(argv), n);
	EXPECT_EQ(0, out[n - 1]);
	EXPECT_STREQ("pc-q35-7.2", out + n - sizeof("pc-q35-7.2"));
	free(out);
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, dr_config_from_cmdline(&c, argv, sizeof(argv) - 1, err,
					    sizeof(err)));
	EXPECT_STREQ("pc-q35-7.2", c.machine);
	dr_config_free(&c);
}

TEST(seed002_migration)
{
	struct dr_config s, d;
	struct dr_report r = { 0 };
	const struct dr_finding *f;

	ASSERT_EQ(0, load(&s, "seed002-src.cmdline"));
	ASSERT_EQ(0, load(&d, "seed002-dst.cmdline"));
	/* The libvirt log line: environment words dropped, qemu-kvm kept. */
	EXPECT_STREQ("/usr/libexec/qemu-kvm", s.vm.binary);
	EXPECT_STREQ("vm-2ed1", s.vm.name);
	EXPECT_EQ(4, s.vcpus);
	EXPECT_FALSE(s.incoming);
	EXPECT_TRUE(d.incoming);
	dr_diagnose_migration(&s, &d, &r);
	EXPECT_FINDING(&r, "mig-machine-type", DR_ERROR, "machine");
	f = dr_find(&r, "mig-pci-address", "virtio-disk1");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(DR_ERROR, f->sev);
	EXPECT_NE(NULL, strstr(f->title, "0x0b.0"));
	EXPECT_NE(NULL, strstr(f->title, "0x0c.0"));
	EXPECT_EQ(NULL, dr_find(&r, "mig-pci-address", "virtio-disk0"));
	f = dr_find(&r, "mig-device-missing", "net1");
	ASSERT_NE(NULL, f);
	EXPECT_NE(NULL, strstr(f->title, "only on the destination"));
	/* 2.12 -> 7.2: discard/write-zeroes default on, BAR0 64 -> 128 bytes */
	f = dr_find(&r, "mig-virtio-blk-config", "virtio-disk0");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(DR_ERROR, f->sev);
	EXPECT_NE(NULL, strstr(f->see, "Bad config data: i=0x10"));
	EXPECT_NE(NULL, strstr(f->see, "0000:00:09.0/virtio-blk"));
	EXPECT_FINDING(&r, "mig-virtio-blk-config", DR_ERROR, "virtio-disk1");
	EXPECT_EQ(0, count(&r, "mig-device-props"));
	EXPECT_FINDING(&r, "mig-cache-aio", DR_INFO, "virtio-disk1");
	EXPECT_EQ(0, count(&r, "mig-vcpus"));
	dr_report_free(&r);
	dr_config_free(&s);
	dr_config_free(&d);
}

/* Seed 001: the vendor retry policy, read from libvirt XML. */
TEST(seed001_retry_policy)
{
	struct dr_config c, d;
	struct dr_report r = { 0 }, m = { 0 };
	struct dr_env env;
	const struct dr_finding *f;

	ASSERT_EQ(0, load(&c, "seed001-retry.xml"));
	ASSERT_EQ(1, c.vm.ndrives);
	EXPECT_STREQ("retry", c.vm.drives[0].werror);
	EXPECT_EQ(2000, c.vm.drives[0].retry_interval_ms);
	EXPECT_EQ(10000, c.vm.drives[0].retry_timeout_ms);
	dr_env_default(&env);
	env.local = false;
	dr_diagnose(&c, &env, &r);
	f = dr_find(&r, "error-policy-retry", "vda");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(DR_WARNING, f->sev);
	EXPECT_NE(NULL, strstr(f->title, "every 2000 ms"));
	EXPECT_NE(NULL, strstr(f->title, "10000 ms"));
	EXPECT_NE(NULL, strstr(f->see, "hangs"));
	EXPECT_NE(NULL, strstr(f->means, "'retry' invalid write error action"));
	/* A destination that does not retry: the fault acts differently. */
	ASSERT_EQ(0, load(&d, "seed001-retry.xml"));
	free(d.vm.drives[0].werror);
	d.vm.drives[0].werror = strdup("stop");
	d.vm.drives[0].retry_timeout_ms = 0;
	dr_diagnose_migration(&c, &d, &m);
	EXPECT_FINDING(&m, "mig-error-policy", DR_WARNING, "vda");
	dr_report_free(&r);
	dr_report_free(&m);
	dr_config_free(&c);
	dr_config_free(&d);
}

TEST(seed003_migration)
{
	struct dr_config s, d;
	struct dr_report r = { 0 };
	const struct dr_finding *f;

	ASSERT_EQ(0, load(&s, "seed003-src.argv"));
	ASSERT_EQ(0, load(&d, "seed003-dst.argv"));
	dr_diagnose_migration(&s, &d, &r);
	f = dr_find(&r, "mig-device-missing", "virtio-disk1");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(DR_ERROR, f->sev);
	EXPECT_NE(NULL, strstr(f->title, "only on the source"));
	EXPECT_NE(NULL, strstr(f->title, "slot 0x06.0"));
	EXPECT_NE(NULL, strstr(f->see, "Unknown savevm section"));
	EXPECT_EQ(0, count(&r, "mig-machine-type"));
	EXPECT_EQ(1, r.n);
	dr_report_free(&r);
	dr_config_free(&s);
	dr_config_free(&d);
}

TEST(same_config_migrates_clean)
{
	struct dr_config s, d;
	struct dr_report r = { 0 };

	ASSERT_EQ(0, load(&s, "seed000-arm64.xml"));
	ASSERT_EQ(0, load(&d, "seed000-arm64.xml"));
	dr_diagnose_migration(&s, &d, &r);
	EXPECT_EQ(0, r.n);
	dr_report_free(&r);
	dr_config_free(&s);
	dr_config_free(&d);
}

TEST(split_pasted_command_lines)
{
	static const char sh[] =
		"2024-01-01 10:00:00.000+0000: starting up libvirt version: 9.0.0\n"
		"LC_ALL=C \\\n/usr/bin/qemu-system-x86_64 \\\n"
		"-name 'guest=a b,debug-threads=on' \\\n"
		"-blockdev '{\"driver\":\"file\",\"filename\":\"/x y.img\"}' \\\n"
		"-device virtio-blk-pci,drive=d\\,x \"-append\" \"a \\\"b\\\"\"";
	static const char one[] = "qemu-system-x86_64\n-m\n512\n-append\n"
				  "console=ttyS0 quiet\n";
	const char *want[] = {
		"/usr/bin/qemu-system-x86_64", "-name",
		"guest=a b,debug-threads=on", "-blockdev",
		"{\"driver\":\"file\",\"filename\":\"/x y.img\"}", "-device",
		"virtio-blk-pci,drive=d,x", "-append", "a \"b\"",
	};
	const char *want1[] = { "qemu-system-x86_64", "-m", "512", "-append",
				"console=ttyS0 quiet" };
	size_t len, i = 0;
	char *out, *p, err[128];

	ASSERT_EQ(0, dr_split_cmdline(sh, strlen(sh), &out, &len, err,
				      sizeof(err)));
	for (p = out; p < out + len; p += strlen(p) + 1, i++) {
		ASSERT_LT(i, sizeof(want) / sizeof(want[0]));
		EXPECT_STREQ(want[i], p);
	}
	EXPECT_EQ(sizeof(want) / sizeof(want[0]), i);
	free(out);
	ASSERT_EQ(0, dr_split_cmdline(one, strlen(one), &out, &len, err,
				      sizeof(err)));
	for (i = 0, p = out; p < out + len; p += strlen(p) + 1, i++) {
		ASSERT_LT(i, 5);
		EXPECT_STREQ(want1[i], p);
	}
	EXPECT_EQ(5, i);
	free(out);
}

static int stub_einval(const char *path)
{
	return EINVAL;
}

static int stub_ok(const char *path)
{
	return 0;
}

static const char *stub_fuse(const char *path)
{
	return "fuse";
}

/* A fake sysfs saying the device under @img has 4096-byte sectors. */
static void fake_sysfs(const char *root, const char *img)
{
	char path[PATH_MAX + 128], cmd[PATH_MAX * 2];
	struct stat st;
	FILE *f;

	if (stat(img, &st))
		abort();
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u/queue", root,
		 major(st.st_dev), minor(st.st_dev));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	if (system(cmd))
		abort();
	strcat(path, "/logical_block_size");
	f = fopen(path, "w");
	fprintf(f, "4096\n");
	fclose(f);
	path[strlen(path) - strlen("logical_block_size")] = '\0';
	strcat(path, "physical_block_size");
	f = fopen(path, "w");
	fprintf(f, "4096\n");
	fclose(f);
}

TEST(host_facts)
{
	char dir[] = "/tmp/vbt-doctor-XXXXXX", img[PATH_MAX], sys[PATH_MAX];
	char cmd[PATH_MAX * 2], err[256];
	struct dr_config c = { 0 };
	struct dr_report r = { 0 };
	struct dr_env e;
	const struct dr_finding *f;
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/disk.raw", dir);
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	fd = open(img, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 1 << 20));
	close(fd);
	fake_sysfs(sys, img);
	snprintf(cmd, sizeof(cmd), "qemu-system-x86_64 -drive file=%s,format=raw,"
		 "if=none,id=d0,cache=none,aio=native -device virtio-blk-pci,"
		 "drive=d0,id=virtio-disk0,addr=0x4", img);
	ASSERT_EQ(0, dr_config_from_cmdline(&c, cmd, strlen(cmd), err,
					    sizeof(err)));
	offline_env(&e);
	e.local = true;
	e.sysfs = sys;
	e.direct_probe = stub_ok;
	dr_diagnose(&c, &e, &r);
	/* 512-byte guest sectors on a 4096-byte device, with O_DIRECT. */
	f = dr_find(&r, "block-size-mismatch", "virtio-disk0");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(DR_WARNING, f->sev);
	EXPECT_NE(NULL, strstr(f->title, "512"));
	EXPECT_NE(NULL, strstr(f->title, "4096"));
	EXPECT_EQ(0, count(&r, "direct-io-unsupported"));
	EXPECT_EQ(0, count(&r, "pci-address-unset"));
	/* The sparse raw file and the default werror=enospc. */
	EXPECT_FINDING(&r, "error-policy-stop", DR_INFO, "virtio-disk0");
	dr_report_free(&r);
	e.direct_probe = stub_einval;
	dr_diagnose(&c, &e, &r);
	EXPECT_FINDING(&r, "direct-io-unsupported", DR_ERROR, "virtio-disk0");
	dr_report_free(&r);
	e.direct_probe = stub_ok;
	e.fs_name = stub_fuse;
	dr_diagnose(&c, &e, &r);
	EXPECT_FINDING(&r, "direct-io-unsupported", DR_WARNING, "virtio-disk0");
	dr_report_free(&r);
	dr_config_free(&c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ASSERT_EQ(0, system(cmd));
}

/* IN_OPEN events on PATH while FN runs: the kernel's word on whether
 * the path was opened at all. */
static int opens_during(const char *path, int (*fn)(const char *))
{
	char buf[4096];
	int fd = inotify_init1(IN_NONBLOCK), n = 0;
	ssize_t len;

	if (fd < 0 || inotify_add_watch(fd, path, IN_OPEN) < 0)
		return -1;
	fn(path);
	while ((len = read(fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + len;
		     p += sizeof(struct inotify_event) +
			  ((struct inotify_event *)p)->len)
			n++;
	close(fd);
	return n;
}

/* A pasted command line may name a device node or a FIFO: doctor never
 * opens them (side effects, blocking), only regular files, and it says
 * the path was not probed. */
TEST(probes_only_regular_files)
{
	char dir[] = "/tmp/vbt-doctor-XXXXXX", path[PATH_MAX], cmd[PATH_MAX * 2];
	char err[256] = "", ver[64];
	struct dr_config c = { 0 };
	struct dr_report r = { 0 };
	struct dr_env e;
	const struct dr_finding *f;
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	alarm(20);	/* a blocking open fails the test, not the suite */
	snprintf(path, sizeof(path), "%s/img", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(1, opens_during(path, dr_probe_direct));	/* control */
	snprintf(path, sizeof(path), "%s/null", dir);
	ASSERT_EQ(0, mknod(path, S_IFCHR | 0600, makedev(1, 3)));
	EXPECT_EQ(0, opens_during(path, dr_probe_direct));
	EXPECT_EQ(-1, dr_probe_direct(path));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ASSERT_EQ(0, mkfifo(path, 0600));
	EXPECT_EQ(0, opens_during(path, dr_probe_direct));
	/* Readers of named files do not hang on a FIFO either. */
	EXPECT_EQ(-EINVAL, vbt_qemu_version(path, ver, sizeof(ver)));
	EXPECT_EQ(-EINVAL, dr_config_from_file(&c, path, false, err,
					       sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a regular file"));
	dr_config_free(&c);
	memset(&c, 0, sizeof(c));
	snprintf(cmd, sizeof(cmd), "qemu-system-x86_64 -drive file=%s,"
		 "format=raw,if=none,id=d0,cache=none -device virtio-blk-pci,"
		 "drive=d0,id=virtio-disk0", path);
	ASSERT_EQ(0, dr_config_from_cmdline(&c, cmd, strlen(cmd), err,
					    sizeof(err)));
	dr_env_default(&e);
	dr_diagnose(&c, &e, &r);
	f = dr_find(&r, "image-not-probed", "virtio-disk0");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(DR_INFO, f->sev);
	alarm(0);
	dr_report_free(&r);
	dr_config_free(&c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	EXPECT_EQ(0, system(cmd));
}

TEST(bad_input)
{
	struct dr_config c = { 0 };
	char err[256] = "";

	EXPECT_GT(0, dr_config_from_file(&c, "/nonexistent/x.xml", false, err,
					 sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "/nonexistent/x.xml"));
	dr_config_free(&c);
	EXPECT_GT(0, dr_config_from_xml(&c, "<domain><devices>", 17, err,
					sizeof(err)));
	dr_config_free(&c);
	EXPECT_GT(0, dr_config_from_cmdline(&c, "", 0, err, sizeof(err)));
	dr_config_free(&c);
	/* Garbage that is neither: parsed as an argv without drives. */
	EXPECT_EQ(0, dr_config_from_cmdline(&c, "\x01\xff junk", 7, err,
					    sizeof(err)));
	EXPECT_EQ(0, c.vm.ndrives);
	dr_config_free(&c);
}

TEST_HARNESS_MAIN
