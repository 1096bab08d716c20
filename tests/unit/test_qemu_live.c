// SPDX-License-Identifier: GPL-2.0
/*
 * vbt_qemu_inspect() on a real QEMU (TCG, stopped with -S): one raw image in
 * libvirt-style -blockdev JSON (aio=io_uring, cache.direct=true), one in
 * legacy -drive syntax (aio=native, cache=none).  SKIPs without QEMU.
 * Starts and kills its own QEMU and removes its images.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "system/qemu/qemu.h"

static const char *find_qemu(void)
{
	static const char *const paths[] = {
		"/usr/bin/qemu-system-x86_64", "/usr/local/bin/qemu-system-x86_64",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!access(paths[i], X_OK))
			return paths[i];
	return NULL;
}

static int make_image(const char *path)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	int r = fd < 0 ? -1 : ftruncate(fd, 16 << 20);

	if (fd >= 0)
		close(fd);
	return r;
}

static pid_t start_qemu(const char *qemu, const char *dir)
{
	char bd1[512], bd2[512], drv[512];
	pid_t pid;

	snprintf(bd1, sizeof(bd1), "{\"driver\":\"file\",\"filename\":"
		 "\"%s/a.raw\",\"aio\":\"io_uring\",\"node-name\":"
		 "\"libvirt-1-storage\",\"cache\":{\"direct\":true,"
		 "\"no-flush\":false}}", dir);
	snprintf(bd2, sizeof(bd2), "{\"node-name\":\"libvirt-1-format\","
		 "\"driver\":\"raw\",\"file\":\"libvirt-1-storage\",\"cache\":"
		 "{\"direct\":true,\"no-flush\":false}}");
	snprintf(drv, sizeof(drv), "file=%s/b.raw,format=raw,if=virtio,"
		 "cache=none,aio=native,id=legacy1", dir);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		execl(qemu, qemu, "-accel", "tcg", "-nographic", "-S",
		      "-nodefaults", "-serial", "null", "-monitor", "none",
		      "-name", "guest=t1,debug-threads=on",
		      "-blockdev", bd1, "-blockdev", bd2, "-device",
		      "{\"driver\":\"virtio-blk-pci\",\"drive\":"
		      "\"libvirt-1-format\",\"id\":\"virtio-disk0\","
		      "\"write-cache\":\"on\",\"werror\":\"report\","
		      "\"rerror\":\"report\"}",
		      "-drive", drv, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void print_model(const struct vbt_vm *vm)
{
	printf("# vm pid=%d name=%s comm=%s binary=%s aio_ring=%d\n", vm->pid,
	       vm->name, vm->comm, vm->binary, vm->has_aio_ring);
	for (int i = 0; i < vm->ndrives; i++) {
		const struct vbt_drive *d = &vm->drives[i];

		printf("#  drive id=%s node=%s image=%s format=%s protocol=%s "
		       "dev=%s aio=%s%s cache=%s direct=%d fd_direct=%d "
		       "werror=%s rerror=%s fds=", d->id, d->node, d->image,
		       d->format, d->protocol, d->device_driver,
		       vbt_aio_name(d->aio), d->aio_confirmed ? "(confirmed)" :
		       "", d->cache, d->direct, d->fd_direct, d->werror,
		       d->rerror);
		for (int j = 0; j < d->nfds; j++)
			printf("%s%d", j ? "," : "", d->fds[j]);
		printf("\n");
		fflush(stdout);
	}
}

FIXTURE(live) {
	char dir[64];
	pid_t pid;
	struct vbt_vm vm;
};

FIXTURE_SETUP(live)
{
	const char *qemu = find_qemu();
	char path[128];

	self->pid = 0;
	memset(&self->vm, 0, sizeof(self->vm));
	strcpy(self->dir, "/tmp/vbt-qemu-live-XXXXXX");
	if (!qemu)
		SKIP(return, "qemu-system-x86_64 not installed");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(path, sizeof(path), "%s/a.raw", self->dir);
	ASSERT_EQ(0, make_image(path));
	snprintf(path, sizeof(path), "%s/b.raw", self->dir);
	ASSERT_EQ(0, make_image(path));
	self->pid = start_qemu(qemu, self->dir);
	ASSERT_GT(self->pid, 0);
}

FIXTURE_TEARDOWN(live)
{
	char path[128];

	vbt_vm_free(&self->vm);
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	snprintf(path, sizeof(path), "%s/a.raw", self->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/b.raw", self->dir);
	unlink(path);
	rmdir(self->dir);
}

TEST_F_TIMEOUT(live, inspect_real_qemu, 60)
{
	struct vbt_vm *vm = &self->vm;
	char err[256];
	int tries;

	/* Wait (up to 20 s) until QEMU has opened both images. */
	for (tries = 0; tries < 200; tries++) {
		int st;

		ASSERT_EQ(0, waitpid(self->pid, &st, WNOHANG));
		vbt_vm_free(vm);
		if (vbt_qemu_inspect("/proc", self->pid, vm, err,
				     sizeof(err)) == 0 && vm->ndrives == 2 &&
		    vm->drives[0].nfds && vm->drives[1].nfds)
			break;
		usleep(100 * 1000);
	}
	print_model(vm);
	fflush(stdout);
	ASSERT_LT(tries, 200);
	ASSERT_STREQ("t1", vm->name);
	ASSERT_TRUE(vbt_is_qemu_comm(vm->comm, vm->binary));
	ASSERT_TRUE(vm->inspected);

	ASSERT_STREQ("virtio-disk0", vm->drives[0].id);
	ASSERT_EQ(VBT_AIO_IO_URING, (int)vm->drives[0].aio);
	ASSERT_STREQ("none", vm->drives[0].cache);
	ASSERT_EQ(1, vm->drives[0].fd_direct);
	ASSERT_TRUE(vm->drives[0].direct_confirmed);

	ASSERT_STREQ("legacy1", vm->drives[1].id);
	ASSERT_EQ(VBT_AIO_NATIVE, (int)vm->drives[1].aio);
	ASSERT_STREQ("none", vm->drives[1].cache);
	ASSERT_EQ(1, vm->drives[1].fd_direct);
	/* Linux AIO set up at open: the [aio] ring proves native is real. */
	ASSERT_TRUE(vm->has_aio_ring);
	ASSERT_TRUE(vm->drives[1].aio_confirmed);
	ASSERT_EQ(&vm->drives[1], vbt_vm_drive_by_fd(vm,
						     vm->drives[1].fds[0]));
}

TEST_HARNESS_MAIN
