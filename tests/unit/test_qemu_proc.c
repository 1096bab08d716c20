// SPDX-License-Identifier: GPL-2.0
/*
 * vbt_qemu_inspect() and vbt_qemu_scan() on a fake /proc tree built here in
 * a temp dir: fd/ symlinks (to real files, sockets, deleted files),
 * fdinfo/ with and without O_DIRECT, maps with and without [aio].
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "system/qemu/qemu.h"
#include "system/vmtrack.h"

#define ASSERT_STR(want, got) do {					\
		const char *_w = (want), *_g = (got);			\
		if (!_w) {						\
			ASSERT_NULL(_g);				\
		} else {						\
			ASSERT_NE(NULL, _g);				\
			ASSERT_STREQ(_w, _g);				\
		}							\
	} while (0)

static void put(const char *dir, const char *name, const char *data,
		size_t len)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void link_at(const char *target, const char *dir, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (symlink(target, path)) {
		perror(path);
		exit(1);
	}
}

static void mk(const char *proc, int pid, const char *sub)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%d/%s", proc, pid, sub);
	mkdir(path, 0755);
}

/* fdinfo as the kernel prints it, flags in octal. */
static void fdinfo(const char *proc, int pid, int fd, int flags)
{
	char dir[PATH_MAX], name[32], buf[128];
	int n;

	snprintf(dir, sizeof(dir), "%s/%d/fdinfo", proc, pid);
	snprintf(name, sizeof(name), "%d", fd);
	n = snprintf(buf, sizeof(buf), "pos:\t0\nflags:\t0%o\nmnt_id:\t25\n"
		     "ino:\t1234\n", flags);
	put(dir, name, buf, n);
}

static void fdlink(const char *proc, int pid, int fd, const char *target)
{
	char dir[PATH_MAX], name[32];

	snprintf(dir, sizeof(dir), "%s/%d/fd", proc, pid);
	snprintf(name, sizeof(name), "%d", fd);
	link_at(target, dir, name);
}

static void process(const char *proc, int pid, const char *comm,
		    const char *exe, const char *argv, size_t len,
		    const char *maps)
{
	char dir[PATH_MAX];

	mk(proc, pid, "");
	mk(proc, pid, "fd");
	mk(proc, pid, "fdinfo");
	snprintf(dir, sizeof(dir), "%s/%d", proc, pid);
	put(dir, "comm", comm, strlen(comm));
	put(dir, "cmdline", argv, len);
	put(dir, "maps", maps, strlen(maps));
	link_at(exe, dir, "exe");
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(p);
}

#define DIRECT_RW	(O_DIRECT | O_RDWR | 0100000)	/* + O_LARGEFILE */
#define PLAIN_RW	(O_RDWR | 0100000)

static const char maps_aio[] =
	"55d0c0000000-55d0c0a00000 r-xp 00000000 fe:01 131 /usr/bin/qemu\n"
	"7f0000000000-7f0000001000 rw-s 00000000 00:10 88 /[aio] (deleted)\n"
	"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]\n";
static const char maps_plain[] =
	"55d0c0000000-55d0c0a00000 r-xp 00000000 fe:01 131 /usr/bin/qemu\n"
	"7f0000000000-7f0000001000 rw-s 00000000 00:10 88 /tmp/[aio]x\n";

FIXTURE(fakeproc) {
	char root[64];
	char proc[128];
	char img[128];
	struct vbt_vm vm;
	char err[256];
};

/* pid 4242: libvirt-style VM, 3 drives; 4300: qemu-kvm without [aio];
 * 4400: bash; 4500: qemu with a >1 MiB argv; 4600: qemu without fd/. */
FIXTURE_SETUP(fakeproc)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], argv[8192];
	char *huge;
	int n;

	memset(&self->vm, 0, sizeof(self->vm));
	strcpy(self->root, "/tmp/vbt-qemu-proc-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->proc, sizeof(self->proc), "%s/proc", self->root);
	snprintf(self->img, sizeof(self->img), "%s/img", self->root);
	mkdir(self->proc, 0755);
	mkdir(self->img, 0755);
	mkdir(strcat(strcpy(a, self->proc), "/self"), 0755);
	put(self->img, "a.img", "A", 1);
	put(self->img, "b.img", "B", 1);
	put(self->img, "c.img", "C", 1);
	link_at("a.img", self->img, "link-a.img");
	snprintf(a, sizeof(a), "%s/a.img", self->img);
	snprintf(b, sizeof(b), "%s/b.img", self->img);
	snprintf(c, sizeof(c), "%s/c.img", self->img);

	/* The image path is a symlink: matched by inode, not by name. */
	n = snprintf(argv, sizeof(argv),
		"/usr/bin/qemu-system-x86_64%c-name%cguest=vm1,debug-threads=on%c"
		"-blockdev%c{\"driver\":\"file\",\"filename\":\"%s/link-a.img\","
		"\"aio\":\"native\",\"node-name\":\"s0\",\"cache\":"
		"{\"direct\":true}}%c"
		"-blockdev%c{\"driver\":\"raw\",\"node-name\":\"f0\","
		"\"file\":\"s0\"}%c"
		"-device%c{\"driver\":\"virtio-blk-pci\",\"drive\":\"f0\","
		"\"id\":\"virtio-disk0\"}%c"
		"-drive%cfile=%s,if=virtio,format=raw%c"
		"-drive%cfile=/nonexistent-vbt/gone.img,if=virtio,format=raw,"
		"cache=none,aio=native%c",
		0, 0, 0, 0, self->img, 0, 0, 0, 0, 0, 0, b, 0, 0, 0);
	process(self->proc, 4242, "qemu-system-x86\n",
		"/usr/bin/qemu-system-x86_64", argv, n, maps_aio);
	fdlink(self->proc, 4242, 0, "/dev/null");
	fdlink(self->proc, 4242, 3, "socket:[4711]");
	fdlink(self->proc, 4242, 4, "anon_inode:[io_uring]");
	fdlink(self->proc, 4242, 10, a);
	fdinfo(self->proc, 4242, 10, DIRECT_RW);
	fdlink(self->proc, 4242, 11, a);
	fdinfo(self->proc, 4242, 11, O_DIRECT | 0100000);
	fdlink(self->proc, 4242, 12, b);
	fdinfo(self->proc, 4242, 12, PLAIN_RW);
	fdlink(self->proc, 4242, 13, "/nonexistent-vbt/gone.img (deleted)");
	fdinfo(self->proc, 4242, 13, DIRECT_RW);
	fdlink(self->proc, 4242, 14, c);
	fdinfo(self->proc, 4242, 14, PLAIN_RW);

	/* aio=native + cache=none configured, but neither happened. */
	n = snprintf(argv, sizeof(argv),
		"/usr/libexec/qemu-kvm%c-name%crhel%c-drive%c"
		"file=%s,if=virtio,format=raw,cache=none,aio=native",
		0, 0, 0, 0, c);		/* no trailing NUL */
	process(self->proc, 4300, "qemu-kvm\n", "/usr/libexec/qemu-kvm",
		argv, n, maps_plain);
	fdlink(self->proc, 4300, 5, c);
	fdinfo(self->proc, 4300, 5, PLAIN_RW);

	process(self->proc, 4400, "bash\n", "/usr/bin/bash", "bash", 5, "");

	huge = malloc(1024 * 1024 + 10);
	ASSERT_NE(NULL, huge);
	memset(huge, 'x', 1024 * 1024 + 10);
	process(self->proc, 4500, "qemu-system-x86\n",
		"/usr/bin/qemu-system-x86_64", huge, 1024 * 1024 + 10, "");
	free(huge);

	n = snprintf(argv, sizeof(argv), "qemu-system-x86_64%c-drive%c"
		     "file=%s,if=virtio%c", 0, 0, a, 0);
	process(self->proc, 4600, "qemu-system-x86\n",
		"/usr/bin/qemu-system-x86_64", argv, n, "");
	snprintf(a, sizeof(a), "%s/4600/fd", self->proc);
	rmdir(a);
}

FIXTURE_TEARDOWN(fakeproc)
{
	vbt_vm_free(&self->vm);
	nftw(self->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

TEST_F(fakeproc, inspect_finds_fds_direct_and_aio_ring)
{
	struct vbt_vm *vm = &self->vm;
	const struct vbt_drive *d;
	char b[PATH_MAX];

	ASSERT_EQ(0, vbt_qemu_inspect(self->proc, 4242, vm, self->err,
				      sizeof(self->err)));
	ASSERT_EQ(4242, vm->pid);
	ASSERT_STR("vm1", vm->name);
	ASSERT_STR("qemu-system-x86", vm->comm);
	ASSERT_STR("/usr/bin/qemu-system-x86_64", vm->binary);
	ASSERT_TRUE(vm->has_aio_ring);
	ASSERT_TRUE(vm->inspected);
	ASSERT_EQ(3, vm->ndrives);

	d = &vm->drives[0];
	ASSERT_STR("virtio-disk0", d->id);
	ASSERT_EQ(2, d->nfds);
	ASSERT_EQ(10, d->fds[0] < d->fds[1] ? d->fds[0] : d->fds[1]);
	ASSERT_EQ(1, d->fd_direct);
	ASSERT_TRUE(d->direct_confirmed);
	ASSERT_TRUE(d->direct);
	ASSERT_EQ(VBT_AIO_NATIVE, (int)d->aio);
	ASSERT_TRUE(d->aio_confirmed);
	ASSERT_STR("none", d->cache);
	ASSERT_EQ(d, vbt_vm_drive_by_fd(vm, 10));
	ASSERT_EQ(d, vbt_vm_drive_by_fd(vm, 11));

	d = &vm->drives[1];
	ASSERT_STR("virtio0", d->id);
	snprintf(b, sizeof(b), "%s/b.img", self->img);
	ASSERT_STR(b, d->image);
	ASSERT_EQ(1, d->nfds);
	ASSERT_EQ(12, d->fds[0]);
	ASSERT_EQ(0, d->fd_direct);
	ASSERT_FALSE(d->direct_confirmed);
	ASSERT_FALSE(d->direct);
	ASSERT_EQ(VBT_AIO_THREADS, (int)d->aio);
	ASSERT_FALSE(d->aio_confirmed);
	ASSERT_STR("writeback", d->cache);
	ASSERT_EQ(d, vbt_vm_drive_by_path(vm, b));

	/* A path that no longer exists: matched by name, "(deleted)". */
	d = &vm->drives[2];
	ASSERT_STR("virtio1", d->id);
	ASSERT_EQ(1, d->nfds);
	ASSERT_EQ(13, d->fds[0]);
	ASSERT_EQ(1, d->fd_direct);
	ASSERT_TRUE(d->aio_confirmed);

	ASSERT_NULL(vbt_vm_drive_by_fd(vm, 14));	/* not an image */
	ASSERT_NULL(vbt_vm_drive_by_fd(vm, 3));
}

TEST_F(fakeproc, native_without_ring_and_no_odirect)
{
	struct vbt_vm *vm = &self->vm;
	const struct vbt_drive *d;

	ASSERT_EQ(0, vbt_qemu_inspect(self->proc, 4300, vm, self->err,
				      sizeof(self->err)));
	ASSERT_STR("rhel", vm->name);
	ASSERT_STR("qemu-kvm", vm->comm);
	ASSERT_FALSE(vm->has_aio_ring);
	ASSERT_EQ(1, vm->ndrives);
	d = &vm->drives[0];
	ASSERT_EQ(VBT_AIO_NATIVE, (int)d->aio);	/* configured ... */
	ASSERT_FALSE(d->aio_confirmed);		/* ... not in effect */
	ASSERT_TRUE(d->direct);
	ASSERT_EQ(0, d->fd_direct);
	ASSERT_FALSE(d->direct_confirmed);
	ASSERT_EQ(1, d->nfds);
	ASSERT_EQ(5, d->fds[0]);
}

TEST_F(fakeproc, huge_cmdline_refused)
{
	ASSERT_EQ(-E2BIG, vbt_qemu_inspect(self->proc, 4500, &self->vm,
					   self->err, sizeof(self->err)));
	TH_LOG("err: %s", self->err);
	ASSERT_NE(NULL, strstr(self->err, "refused"));
	ASSERT_EQ(0, self->vm.ndrives);
}

TEST_F(fakeproc, missing_fd_dir_keeps_argv_model)
{
	ASSERT_EQ(0, vbt_qemu_inspect(self->proc, 4600, &self->vm, self->err,
				      sizeof(self->err)));
	ASSERT_FALSE(self->vm.inspected);
	ASSERT_EQ(1, self->vm.ndrives);
	ASSERT_EQ(0, self->vm.drives[0].nfds);
	ASSERT_EQ(-1, self->vm.drives[0].fd_direct);
}

TEST_F(fakeproc, missing_pid)
{
	ASSERT_EQ(-ENOENT, vbt_qemu_inspect(self->proc, 9999, &self->vm,
					    self->err, sizeof(self->err)));
	ASSERT_NE(NULL, strstr(self->err, "9999"));
	ASSERT_EQ(-EINVAL, vbt_qemu_inspect(self->proc, -1, &self->vm,
					    self->err, sizeof(self->err)));
}

TEST_F(fakeproc, scan_finds_qemu_processes_only)
{
	struct vbt_vm *vms = NULL;
	int n = -1, pids = 0;

	ASSERT_EQ(3, vbt_qemu_scan(self->proc, &vms, &n));
	ASSERT_EQ(3, n);
	for (int i = 0; i < n; i++) {
		pids += vms[i].pid;
		vbt_vm_free(&vms[i]);
	}
	free(vms);
	ASSERT_EQ(4242 + 4300 + 4600, pids);	/* not bash, not 4500 */
	ASSERT_EQ(-ENOENT, vbt_qemu_scan("/nonexistent-vbt", &vms, &n));
	ASSERT_EQ(0, n);
}

/* Identity: a QEMU-named root-owned binary in a root-owned directory,
 * and libvirt's pid file for a domain of that name. */
TEST_F(fakeproc, names_are_verified_before_they_are_believed)
{
	char lv[PATH_MAX], argv[256];
	struct vbt_vm *vm = &self->vm;
	int n;

	snprintf(lv, sizeof(lv), "%s/libvirt", self->root);
	ASSERT_EQ(0, mkdir(lv, 0755));
	vbt_libvirt_run_dir = lv;
	/* No libvirt domain vm1: the binary alone decides. */
	ASSERT_EQ(0, vbt_qemu_inspect(self->proc, 4242, vm, NULL, 0));
	EXPECT_TRUE(vm->verified);
	EXPECT_FALSE(vm->libvirt_verified);
	EXPECT_STREQ("vm1", vbt_vm_label(vm));
	vbt_vm_free(vm);
	/* libvirt's vm1 is another pid: an impostor. */
	put(lv, "vm1.pid", "9999", 4);
	put(lv, "vm1.xml", "<domstatus/>", 12);
	ASSERT_EQ(0, vbt_qemu_inspect(self->proc, 4242, vm, NULL, 0));
	EXPECT_FALSE(vm->verified);
	EXPECT_FALSE(vm->libvirt_verified);
	EXPECT_STREQ("\"vm1\" (unverified, pid 4242)", vbt_vm_label(vm));
	EXPECT_NE(NULL, strstr(vm->unverified_why, "pid 9999"));
	vbt_vm_free(vm);
	/* ... and libvirt's own pid file naming this pid: believed. */
	put(lv, "vm1.pid", "4242\n", 5);
	ASSERT_EQ(0, vbt_qemu_inspect(self->proc, 4242, vm, NULL, 0));
	EXPECT_TRUE(vm->verified);
	EXPECT_TRUE(vm->libvirt_verified);
	vbt_vm_free(vm);
	/* An XML but no pid file: not libvirt's word either. */
	ASSERT_EQ(0, unlink(strcat(strcpy(argv, lv), "/vm1.pid")));
	ASSERT_EQ(0, vbt_qemu_inspect(self->proc, 4242, vm, NULL, 0));
	EXPECT_FALSE(vm->verified);
	vbt_vm_free(vm);
	/* A binary that is not there (or not root's). */
	ASSERT_EQ(0, vbt_qemu_inspect(self->proc, 4300, vm, NULL, 0));
	EXPECT_FALSE(vm->verified);
	vbt_vm_free(vm);
	/* A script named qemu-system-x86_64 runs root's /bin/sh. */
	n = snprintf(argv, sizeof(argv), "qemu-system-x86_64%c-name%cprod%c",
		     0, 0, 0);
	process(self->proc, 4700, "qemu-system-x86\n", "/bin/sh", argv, n, "");
	ASSERT_EQ(0, vbt_qemu_inspect(self->proc, 4700, vm, NULL, 0));
	EXPECT_FALSE(vm->verified);
	EXPECT_STREQ("its executable is not QEMU", vm->unverified_why);
	vbt_libvirt_run_dir = "/run/libvirt/qemu";
}

/* libvirt's live XML of domain @state/@reason, vda on virtio-disk0. */
static void domstatus(const char *lv, const char *state, const char *reason)
{
	char xml[1024];
	int n;

	n = snprintf(xml, sizeof(xml),
		     "<domstatus state='%s' reason='%s' pid='4242'><domain "
		     "type='kvm'><name>vm1</name><devices><disk type='file' "
		     "device='disk'><target dev='vda' bus='virtio'/><alias "
		     "name='virtio-disk0'/></disk></devices></domain>"
		     "</domstatus>", state, reason);
	put(lv, "vm1.xml", xml, n);
}

static char changes[8][64];
static int nchanges;

static void record_change(void *ctx, const struct vbt_vm_change *c)
{
	if (nchanges < 8)
		snprintf(changes[nchanges], sizeof(changes[0]), "%s %s %s",
			 c->state, c->reason, c->source);
	nchanges++;
}

/*
 * Every user of the model gets libvirt's names (disks, doctor, host), and
 * the host view follows libvirt's run state: a pause is news, the paused
 * "starting up" phase of every libvirt start is not (a real libvirtd
 * showed it to a rescan that fell between QEMU's start and its first cont).
 */
TEST_F(fakeproc, libvirt_live_xml_names_disks_and_its_start_is_no_pause)
{
	const struct vbt_drive *d;
	struct vbt_vmtrack t;
	char lv[PATH_MAX];

	snprintf(lv, sizeof(lv), "%s/libvirt", self->root);
	ASSERT_EQ(0, mkdir(lv, 0755));
	vbt_libvirt_run_dir = lv;
	put(lv, "vm1.pid", "4242\n", 5);
	domstatus(lv, "paused", "starting up");
	vbt_vmtrack_init(&t, NULL, NULL);
	t.procroot = self->proc;
	t.on_change = record_change;
	nchanges = 0;

	ASSERT_EQ(3, vbt_vmtrack_scan(&t));
	ASSERT_NE(NULL, vbt_vmtrack_vm(&t, 4242));
	d = vbt_vm_drive_by_fd(vbt_vmtrack_vm(&t, 4242), 10);
	ASSERT_NE(NULL, d);
	ASSERT_STR("virtio-disk0", d->id);
	ASSERT_STR("vda", d->target);
	EXPECT_EQ(0, nchanges);
	domstatus(lv, "running", "booted");
	vbt_vmtrack_scan(&t);
	EXPECT_EQ(0, nchanges);
	domstatus(lv, "paused", "ioerror");
	vbt_vmtrack_scan(&t);
	vbt_vmtrack_scan(&t);
	ASSERT_EQ(1, nchanges);
	EXPECT_STREQ("paused ioerror libvirt", changes[0]);
	domstatus(lv, "running", "unpaused");
	vbt_vmtrack_scan(&t);
	ASSERT_EQ(2, nchanges);
	EXPECT_STREQ("running  libvirt", changes[1]);
	vbt_vmtrack_free(&t);

	/* A VM first seen paused by an error is news at once. */
	domstatus(lv, "paused", "ioerror");
	vbt_vmtrack_init(&t, NULL, NULL);
	t.procroot = self->proc;
	t.on_change = record_change;
	nchanges = 0;
	vbt_vmtrack_scan(&t);
	ASSERT_EQ(1, nchanges);
	EXPECT_STREQ("paused ioerror libvirt", changes[0]);
	vbt_vmtrack_free(&t);
	vbt_libvirt_run_dir = "/run/libvirt/qemu";
}

TEST_HARNESS_MAIN
