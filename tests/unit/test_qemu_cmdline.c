// SPDX-License-Identifier: GPL-2.0
/*
 * The QEMU drive model from real-shaped command lines (libvirt 8/9 with
 * -blockdev/-device JSON and keyval, legacy -drive, qemu-kvm, blkdebug) and
 * libvirt's live status XML.  Corpus: tests/unit/corpus/qemu/.
 */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "system/qemu/qemu.h"

/* The corpus: $VBT_QEMU_CORPUS, or next to this source, or from the binary
 * (build/tests/unit/X -> tests/unit/corpus/qemu). */
static char *load(const char *name, size_t *len)
{
	char path[PATH_MAX], exe[PATH_MAX], src[] = __FILE__;
	const char *dirs[3];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *buf = NULL;

	exe[n > 0 ? n : 0] = '\0';
	dirs[0] = getenv("VBT_QEMU_CORPUS");
	dirs[1] = dirname(src);
	dirs[2] = dirname(dirname(dirname(dirname(exe))));
	for (int i = 0; i < 3 && !buf; i++) {
		FILE *f;

		if (!dirs[i])
			continue;
		snprintf(path, sizeof(path), "%s%s/%s", dirs[i],
			 i == 2 ? "/tests/unit/corpus/qemu" :
			 i == 1 ? "/corpus/qemu" : "", name);
		f = fopen(path, "r");
		if (!f)
			continue;
		buf = malloc(1 << 20);
		*len = fread(buf, 1, 1 << 20, f);
		fclose(f);
	}
	return buf;
}

#define ASSERT_STR(want, got) do {					\
		const char *_w = (want), *_g = (got);			\
		if (!_w) {						\
			ASSERT_NULL(_g);				\
		} else {						\
			ASSERT_NE(NULL, _g);				\
			ASSERT_STREQ(_w, _g);				\
		}							\
	} while (0)

struct want {
	const char *id, *drive, *node, *image, *format, *protocol, *filters;
	const char *device_driver, *serial, *target, *bus, *discard;
	enum vbt_aio aio;
	bool aio_confirmed, direct, no_flush;
	int write_cache;
	const char *cache;
	int fd_direct;
	const char *werror, *rerror;
	unsigned int lbs, pbs, nq;
	int nfds;
};

static void check_drive(struct __test_metadata *_metadata,
			const struct vbt_drive *d, const struct want *w)
{
	ASSERT_NE(NULL, d);
	TH_LOG("drive %s", w->id ? w->id : w->drive);
	ASSERT_STR(w->id, d->id);
	ASSERT_STR(w->drive, d->drive);
	ASSERT_STR(w->node, d->node);
	ASSERT_STR(w->image, d->image);
	ASSERT_STR(w->format, d->format);
	ASSERT_STR(w->protocol, d->protocol);
	ASSERT_STR(w->filters, d->filters);
	ASSERT_STR(w->device_driver, d->device_driver);
	ASSERT_STR(w->serial, d->serial);
	ASSERT_STR(w->target, d->target);
	ASSERT_STR(w->bus, d->bus);
	ASSERT_STR(w->discard, d->discard);
	ASSERT_EQ(w->aio, d->aio);
	ASSERT_EQ(w->aio_confirmed, d->aio_confirmed);
	ASSERT_EQ(w->direct, d->direct);
	ASSERT_EQ(w->no_flush, d->no_flush);
	ASSERT_EQ(w->write_cache, d->write_cache);
	ASSERT_STR(w->cache, d->cache);
	ASSERT_EQ(w->fd_direct, d->fd_direct);
	ASSERT_EQ(w->fd_direct == 1, d->direct_confirmed);
	ASSERT_STR(w->werror, d->werror);
	ASSERT_STR(w->rerror, d->rerror);
	ASSERT_EQ(w->lbs, d->logical_block_size);
	ASSERT_EQ(w->pbs, d->physical_block_size);
	ASSERT_EQ(w->nq, d->num_queues);
	ASSERT_EQ(w->nfds, d->nfds);
}

static const struct vbt_drive *by_id(const struct vbt_vm *vm, const char *id)
{
	for (int i = 0; i < vm->ndrives; i++)
		if (vm->drives[i].id && !strcmp(vm->drives[i].id, id))
			return &vm->drives[i];
	return NULL;
}

static bool has(const char *s, const char *needle)
{
	return s && strstr(s, needle);
}

/* No string of the model may carry @needle (secret material). */
static bool model_mentions(const struct vbt_vm *vm, const char *needle)
{
	if (has(vm->name, needle) || has(vm->uuid, needle) ||
	    has(vm->binary, needle))
		return true;
	for (int i = 0; i < vm->ndrives; i++) {
		const struct vbt_drive *d = &vm->drives[i];
		const char *s[] = { d->id, d->drive, d->node, d->image,
				    d->format, d->protocol, d->filters,
				    d->device_driver, d->serial, d->target,
				    d->bus, d->discard, d->werror, d->rerror };

		for (size_t j = 0; j < sizeof(s) / sizeof(s[0]); j++)
			if (has(s[j], needle))
				return true;
	}
	return false;
}

FIXTURE(corpus) {
	struct vbt_vm vm;
	char err[256];
};

FIXTURE_SETUP(corpus)
{
	memset(&self->vm, 0, sizeof(self->vm));
	self->err[0] = '\0';
}

FIXTURE_TEARDOWN(corpus)
{
	vbt_vm_free(&self->vm);
}

static int parse_file(struct __test_metadata *_metadata, const char *name,
		      struct vbt_vm *vm, char *err, size_t errlen)
{
	size_t len = 0;
	char *buf = load(name, &len);
	int r;

	if (!buf)
		TH_LOG("corpus file %s not found", name);
	ASSERT_NE(NULL, buf);
	r = vbt_qemu_parse_cmdline(buf, len, vm, err, errlen);
	free(buf);
	if (r)
		TH_LOG("%s: %s", name, err);
	return r;
}

TEST_F(corpus, libvirt9_blockdev_json)
{
	struct vbt_vm *vm = &self->vm;

	ASSERT_EQ(0, parse_file(_metadata, "libvirt9-blockdev.cmdline", vm,
				self->err, sizeof(self->err)));
	ASSERT_STR("vm1", vm->name);
	ASSERT_STR("6a1f4d2e-7c1b-4f3a-9d2e-0b8c5e4f1a27", vm->uuid);
	ASSERT_STR("/usr/bin/qemu-system-x86_64", vm->binary);
	ASSERT_EQ(0, vm->pid);
	ASSERT_FALSE(vm->truncated);
	ASSERT_FALSE(vm->inspected);
	ASSERT_EQ(4, vm->ndrives);
	check_drive(_metadata, by_id(vm, "virtio-disk0"), &(struct want){
		.id = "virtio-disk0", .drive = "libvirt-4-format",
		.node = "libvirt-4-format",
		.image = "/var/lib/libvirt/images/vm1.qcow2", .format = "qcow2",
		.protocol = "file", .device_driver = "virtio-blk-pci",
		.discard = "unmap", .aio = VBT_AIO_NATIVE, .direct = true,
		.write_cache = 1, .cache = "none", .fd_direct = -1,
		.werror = "stop", .rerror = "stop", .lbs = 512, .pbs = 512 });
	check_drive(_metadata, by_id(vm, "virtio-disk1"), &(struct want){
		.id = "virtio-disk1", .drive = "libvirt-3-format",
		.node = "libvirt-3-format", .image = "/dev/mapper/vg-data",
		.format = "raw", .protocol = "host_device",
		.device_driver = "virtio-blk-pci", .serial = "DATA-1",
		.discard = "unmap", .aio = VBT_AIO_IO_URING, .direct = true,
		.write_cache = 0, .cache = "directsync", .fd_direct = -1,
		.werror = "enospc", .rerror = "report", .lbs = 4096,
		.pbs = 4096, .nq = 4 });
	check_drive(_metadata, by_id(vm, "scsi0-0-0-0"), &(struct want){
		.id = "scsi0-0-0-0", .drive = "libvirt-2-format",
		.node = "libvirt-2-format", .image = "rbd:rbdpool/vol1",
		.format = "raw", .protocol = "rbd", .device_driver = "scsi-hd",
		.discard = "unmap", .aio = VBT_AIO_UNKNOWN, .write_cache = 1,
		.cache = "writeback", .fd_direct = -1, .werror = "report",
		.rerror = "report", .lbs = 512, .pbs = 512 });
	check_drive(_metadata, by_id(vm, "virtio-disk3"), &(struct want){
		.id = "virtio-disk3", .drive = "libvirt-1-storage",
		.node = "libvirt-1-storage",
		.image = "nbd://nbd.example.org:10809/disk3", .format = "raw",
		.protocol = "nbd", .device_driver = "virtio-blk-pci",
		.discard = "unmap", .aio = VBT_AIO_UNKNOWN, .no_flush = true,
		.write_cache = 1, .cache = "unsafe", .fd_direct = -1,
		.werror = "enospc", .rerror = "report", .lbs = 512,
		.pbs = 512 });
	/* -object secret data and key-secret names stay out of the model. */
	/* The secret's data and IV (AES-256-CBC under the master key, as
	 * libvirt makes them; real QEMU decrypts them, see qemu-verdicts.txt). */
	ASSERT_FALSE(model_mentions(vm, "JEay1SLpEKoy4xxRb8R2VKkUNqRAtkAXwXG5uXBlga8="));
	ASSERT_FALSE(model_mentions(vm, "foQ6ca+9Z2XqGBRzE3t24g=="));
	ASSERT_FALSE(model_mentions(vm, "secret"));
	ASSERT_FALSE(model_mentions(vm, "masterKey"));
	ASSERT_FALSE(model_mentions(vm, "admin"));
}

TEST_F(corpus, libvirt8_keyval)
{
	struct vbt_vm *vm = &self->vm;

	ASSERT_EQ(0, parse_file(_metadata, "libvirt8-keyval.cmdline", vm,
				self->err, sizeof(self->err)));
	ASSERT_STR("kv", vm->name);
	ASSERT_STR("0f0e0d0c-0b0a-0908-0706-050403020100", vm->uuid);
	ASSERT_EQ(3, vm->ndrives);
	/* ",," in a value is a comma, in filename= and in serial=. */
	check_drive(_metadata, by_id(vm, "virtio-disk0"), &(struct want){
		.id = "virtio-disk0", .drive = "libvirt-1-format",
		.node = "libvirt-1-format",
		.image = "/var/lib/libvirt/images/a,b.img", .format = "raw",
		.protocol = "file", .device_driver = "virtio-blk-pci",
		.serial = "AB,CD", .discard = "unmap", .aio = VBT_AIO_NATIVE,
		.direct = true, .write_cache = 1, .cache = "none",
		.fd_direct = -1, .werror = "enospc", .rerror = "report",
		.lbs = 512, .pbs = 512 });
	/* copy-on-read filter -> qcow2 with an inline file child that
	 * inherits cache.direct from its parent. */
	check_drive(_metadata, by_id(vm, "scsi0-0-0-1"), &(struct want){
		.id = "scsi0-0-0-1", .drive = "cor2", .node = "fmt2",
		.image = "/images/b.qcow2", .format = "qcow2",
		.protocol = "file", .filters = "copy-on-read",
		.device_driver = "scsi-hd", .discard = "ignore",
		.aio = VBT_AIO_IO_URING, .direct = true, .write_cache = 0,
		.cache = "directsync", .fd_direct = -1, .werror = "enospc",
		.rerror = "ignore", .lbs = 4096, .pbs = 4096 });
	/* A node nothing uses is still open: listed without a device. */
	check_drive(_metadata, &vm->drives[2], &(struct want){
		.drive = "orphan-storage", .node = "orphan-storage",
		.image = "/images/orphan.raw", .format = "raw",
		.protocol = "file", .discard = "ignore",
		.aio = VBT_AIO_THREADS, .write_cache = -1, .fd_direct = -1 });
}

TEST_F(corpus, legacy_drive)
{
	struct vbt_vm *vm = &self->vm;

	ASSERT_EQ(0, parse_file(_metadata, "legacy-drive.cmdline", vm,
				self->err, sizeof(self->err)));
	ASSERT_STR("old", vm->name);
	ASSERT_STR("11111111-2222-3333-4444-555555555555", vm->uuid);
	ASSERT_EQ(5, vm->ndrives);
	check_drive(_metadata, by_id(vm, "virtio-disk0"), &(struct want){
		.id = "virtio-disk0", .drive = "drive-virtio-disk0",
		.node = "drive-virtio-disk0",
		.image = "/var/lib/libvirt/images/old.img", .format = "raw",
		.protocol = "file", .device_driver = "virtio-blk-pci",
		.serial = "OLD1", .discard = "ignore", .aio = VBT_AIO_NATIVE,
		.direct = true, .write_cache = 1, .cache = "none",
		.fd_direct = -1, .werror = "stop", .rerror = "stop",
		.lbs = 512, .pbs = 512 });
	check_drive(_metadata, by_id(vm, "scsi0-0-0-0"), &(struct want){
		.id = "scsi0-0-0-0", .drive = "drive-scsi0-0-0-0",
		.node = "drive-scsi0-0-0-0",
		.image = "/var/lib/libvirt/images/data.qcow2",
		.format = "qcow2", .protocol = "file",
		.device_driver = "scsi-hd", .discard = "ignore",
		.aio = VBT_AIO_THREADS, .write_cache = 0,
		.cache = "writethrough", .fd_direct = -1, .werror = "enospc",
		.rerror = "report", .lbs = 512, .pbs = 512 });
	/* An empty CD-ROM: no image, nothing guessed. */
	check_drive(_metadata, by_id(vm, "ide0-1-0"), &(struct want){
		.id = "ide0-1-0", .drive = "drive-ide0-1-0",
		.node = "drive-ide0-1-0", .device_driver = "ide-cd",
		.write_cache = 1, .cache = "writeback", .fd_direct = -1,
		.werror = "enospc", .rerror = "report", .lbs = 512,
		.pbs = 512 });
	/* rbd:pool/img:id=..:key=SECRET -> the key is not kept. */
	check_drive(_metadata, by_id(vm, "virtio-disk3"), &(struct want){
		.id = "virtio-disk3", .drive = "drive-virtio-disk3",
		.node = "drive-virtio-disk3", .image = "rbd:pool/img",
		.format = "raw", .protocol = "rbd",
		.device_driver = "virtio-blk-pci", .discard = "ignore",
		.write_cache = 1, .cache = "writeback", .fd_direct = -1,
		.werror = "enospc", .rerror = "report", .lbs = 512,
		.pbs = 512 });
	ASSERT_FALSE(model_mentions(vm, "AQBsecret"));
	ASSERT_FALSE(model_mentions(vm, "key="));
	/* if=none and no -device: open, but no guest device. */
	check_drive(_metadata, by_id(vm, "drive-spare"), &(struct want){
		.id = "drive-spare", .drive = "drive-spare",
		.node = "drive-spare", .image = "/dev/sdc", .format = "raw",
		.protocol = "host_device", .discard = "ignore",
		.aio = VBT_AIO_NATIVE, .direct = true, .write_cache = 0,
		.cache = "directsync", .fd_direct = -1 });
}

TEST_F(corpus, qemu_kvm_implicit_devices)
{
	struct vbt_vm *vm = &self->vm;

	/* This file also lacks its final NUL. */
	ASSERT_EQ(0, parse_file(_metadata, "qemu-kvm.cmdline", vm,
				self->err, sizeof(self->err)));
	ASSERT_STR("rhel9", vm->name);
	ASSERT_NULL(vm->uuid);
	ASSERT_STR("/usr/libexec/qemu-kvm", vm->binary);
	ASSERT_TRUE(vbt_is_qemu_comm(NULL, vm->binary));
	ASSERT_EQ(3, vm->ndrives);
	check_drive(_metadata, by_id(vm, "virtio0"), &(struct want){
		.id = "virtio0", .drive = "virtio0", .node = "virtio0",
		.image = "/var/lib/images/rhel.qcow2", .format = "qcow2",
		.protocol = "file", .device_driver = "virtio-blk-pci",
		.discard = "ignore", .aio = VBT_AIO_THREADS, .no_flush = true,
		.write_cache = 1, .cache = "unsafe", .fd_direct = -1,
		.werror = "enospc", .rerror = "report", .lbs = 512,
		.pbs = 512 });
	check_drive(_metadata, by_id(vm, "virtio1"), &(struct want){
		.id = "virtio1", .drive = "virtio1", .node = "virtio1",
		.image = "/var/lib/images/two.raw", .format = "raw",
		.protocol = "file", .device_driver = "virtio-blk-pci",
		.discard = "ignore", .aio = VBT_AIO_IO_URING, .direct = true,
		.write_cache = 1, .cache = "none", .fd_direct = -1,
		.werror = "enospc", .rerror = "report", .lbs = 512,
		.pbs = 512 });
	/* No format=: QEMU probes it; we do not guess. */
	check_drive(_metadata, by_id(vm, "ide0-cd0"), &(struct want){
		.id = "ide0-cd0", .drive = "ide0-cd0", .node = "ide0-cd0",
		.image = "/tmp/x.iso", .protocol = "file",
		.device_driver = "ide-cd", .discard = "ignore",
		.aio = VBT_AIO_THREADS, .write_cache = 1,
		.cache = "writeback", .fd_direct = -1, .werror = "enospc",
		.rerror = "report", .lbs = 512, .pbs = 512 });
}

TEST_F(corpus, blkdebug_legacy_and_inline)
{
	struct vbt_vm *vm = &self->vm;

	ASSERT_EQ(0, parse_file(_metadata, "blkdebug.cmdline", vm,
				self->err, sizeof(self->err)));
	ASSERT_STR("bd", vm->name);
	ASSERT_EQ(2, vm->ndrives);
	/* blkdebug:CONF:IMG: raw -> blkdebug -> file, aio inherited. */
	check_drive(_metadata, by_id(vm, "virtio0"), &(struct want){
		.id = "virtio0", .drive = "virtio0", .node = "virtio0",
		.image = "/tmp/vbt/disk.img", .format = "raw",
		.protocol = "file", .filters = "blkdebug",
		.device_driver = "virtio-blk-pci", .discard = "ignore",
		.aio = VBT_AIO_NATIVE, .direct = true, .write_cache = 1,
		.cache = "none", .fd_direct = -1, .werror = "report",
		.rerror = "report", .lbs = 512, .pbs = 512 });
	check_drive(_metadata, by_id(vm, "bd2"), &(struct want){
		.id = "bd2", .drive = "bd-fmt", .node = "bd-fmt",
		.image = "/tmp/vbt/disk2.img", .format = "raw",
		.protocol = "file", .filters = "blkdebug",
		.device_driver = "virtio-blk-pci", .discard = "ignore",
		.aio = VBT_AIO_IO_URING, .direct = true, .write_cache = 1,
		.cache = "none", .fd_direct = -1, .werror = "enospc",
		.rerror = "report", .lbs = 512, .pbs = 512 });
}

TEST_F(corpus, libvirt_domstatus_xml)
{
	struct vbt_vm *vm = &self->vm;
	size_t len = 0;
	char *xml = load("domstatus-vm1.xml", &len);

	ASSERT_NE(NULL, xml);
	ASSERT_EQ(0, parse_file(_metadata, "libvirt9-blockdev.cmdline", vm,
				self->err, sizeof(self->err)));
	ASSERT_EQ(0, vbt_libvirt_apply_xml(vm, xml, len, self->err,
					   sizeof(self->err)));
	free(xml);
	ASSERT_STR("vm1", vm->name);
	ASSERT_EQ(5, vm->ndrives);	/* + the empty SATA CD-ROM */
	check_drive(_metadata, by_id(vm, "virtio-disk0"), &(struct want){
		.id = "virtio-disk0", .drive = "libvirt-4-format",
		.node = "libvirt-4-format",
		.image = "/var/lib/libvirt/images/vm1.qcow2", .format = "qcow2",
		.protocol = "file", .device_driver = "virtio-blk-pci",
		.target = "vda", .bus = "virtio", .discard = "unmap",
		.aio = VBT_AIO_NATIVE, .direct = true, .write_cache = 1,
		.cache = "none", .fd_direct = -1, .werror = "stop",
		.rerror = "stop", .lbs = 512, .pbs = 512 });
	ASSERT_STR("vdb", by_id(vm, "virtio-disk1")->target);
	ASSERT_STR("sda", by_id(vm, "scsi0-0-0-0")->target);
	ASSERT_STR("scsi", by_id(vm, "scsi0-0-0-0")->bus);
	ASSERT_STR("vdd", by_id(vm, "virtio-disk3")->target);
	/* The argv says more than the XML; the XML never overrides it. */
	ASSERT_STR("unsafe", by_id(vm, "virtio-disk3")->cache);
	check_drive(_metadata, by_id(vm, "sata0-0-1"), &(struct want){
		.id = "sata0-0-1", .target = "sdb", .bus = "sata",
		.write_cache = -1, .fd_direct = -1 });
	ASSERT_FALSE(model_mentions(vm, "0a81f5b2"));	/* <secret uuid> */
	ASSERT_FALSE(model_mentions(vm, "client.admin"));
	/* libvirt's own record of the run state and of the QEMU pid. */
	ASSERT_STR("running", vm->run_state);
	ASSERT_STR("booted", vm->run_reason);
	ASSERT_EQ(4242, vm->libvirt_pid);
}

TEST(libvirt_plain_domain_xml_alone)
{
	static const char xml[] =
		"<domain type='kvm'><name>solo</name>"
		"<uuid>00000000-0000-0000-0000-00000000abcd</uuid><devices>"
		"<disk type='network' device='disk'>"
		"<driver name='qemu' type='raw' cache='directsync' io='native'"
		" error_policy='enospc' rerror_policy='ignore'/>"
		"<auth username='u'><secret type='iscsi' usage='sekrit'/></auth>"
		"<source protocol='rbd' name='p/i'><host name='m'/></source>"
		"<target dev='vdc' bus='virtio'/><serial>S-1</serial>"
		"<alias name='ua-x'/></disk></devices></domain>";
	struct vbt_vm vm = { 0 };
	char err[128];

	ASSERT_EQ(0, vbt_libvirt_apply_xml(&vm, xml, strlen(xml), err,
					   sizeof(err)));
	ASSERT_STR("solo", vm.name);
	ASSERT_STR("00000000-0000-0000-0000-00000000abcd", vm.uuid);
	ASSERT_EQ(1, vm.ndrives);
	check_drive(_metadata, &vm.drives[0], &(struct want){
		.id = "ua-x", .image = "rbd:p/i", .format = "raw",
		.protocol = "rbd", .serial = "S-1", .target = "vdc",
		.bus = "virtio", .aio = VBT_AIO_NATIVE, .direct = true,
		.write_cache = 0, .cache = "directsync", .fd_direct = -1,
		.werror = "enospc", .rerror = "ignore" });
	ASSERT_FALSE(model_mentions(&vm, "sekrit"));
	vbt_vm_free(&vm);
}

TEST(cache_mode_names)
{
	ASSERT_STR("none", vbt_cache_mode_name(1, true, false));
	ASSERT_STR("writeback", vbt_cache_mode_name(1, false, false));
	ASSERT_STR("writethrough", vbt_cache_mode_name(0, false, false));
	ASSERT_STR("directsync", vbt_cache_mode_name(0, true, false));
	ASSERT_STR("unsafe", vbt_cache_mode_name(1, false, true));
	ASSERT_NULL(vbt_cache_mode_name(-1, true, false));
	ASSERT_STR("threads", vbt_aio_name(VBT_AIO_THREADS));
	ASSERT_STR("native", vbt_aio_name(VBT_AIO_NATIVE));
	ASSERT_STR("io_uring", vbt_aio_name(VBT_AIO_IO_URING));
	ASSERT_STR("unknown", vbt_aio_name(VBT_AIO_UNKNOWN));
}

TEST(is_qemu_comm)
{
	ASSERT_TRUE(vbt_is_qemu_comm("qemu-system-x86", NULL));
	ASSERT_TRUE(vbt_is_qemu_comm("qemu-kvm", NULL));
	ASSERT_TRUE(vbt_is_qemu_comm("CPU 0/TCG", "/usr/bin/qemu-system-aarch64"));
	ASSERT_TRUE(vbt_is_qemu_comm(NULL, "/usr/libexec/qemu-kvm"));
	ASSERT_TRUE(vbt_is_qemu_comm(NULL,
		"/usr/bin/qemu-system-x86_64 (deleted)"));
	ASSERT_FALSE(vbt_is_qemu_comm("qemu-img", "/usr/bin/qemu-img"));
	ASSERT_FALSE(vbt_is_qemu_comm("bash", "/bin/bash"));
	ASSERT_FALSE(vbt_is_qemu_comm(NULL, NULL));
}

TEST(lookup_by_path_and_fd)
{
	static const char argv[] = "qemu-system-x86_64\0-drive\0"
		"file=/nonexistent/vbt/a.img,if=virtio,format=raw";
	struct vbt_vm vm = { 0 };

	ASSERT_EQ(0, vbt_qemu_parse_cmdline(argv, sizeof(argv) - 1, &vm,
					    NULL, 0));
	ASSERT_EQ(1, vm.ndrives);
	vm.drives[0].fds[0] = 17;
	vm.drives[0].nfds = 1;
	ASSERT_EQ(&vm.drives[0], vbt_vm_drive_by_fd(&vm, 17));
	ASSERT_NULL(vbt_vm_drive_by_fd(&vm, 18));
	ASSERT_EQ(&vm.drives[0], vbt_vm_drive_by_path(&vm,
						      "/nonexistent/vbt/a.img"));
	ASSERT_NULL(vbt_vm_drive_by_path(&vm, "/nonexistent/vbt/b.img"));
	ASSERT_NULL(vbt_vm_drive_by_path(&vm, NULL));
	vbt_vm_free(&vm);
	ASSERT_EQ(0, vm.ndrives);
	ASSERT_NULL(vm.drives);
}

TEST_HARNESS_MAIN
