// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel module's character device contract (kmod/vbt_main.c): ABI
 * handshake, one reader, nothing before START, whole records only, and a
 * reader that vanishes leaves nothing behind.  Needs the module loaded:
 * tests/vm/kmod_parity.sh runs this binary inside the guests right after
 * insmod, so a missing /dev/vblktrace is a failure, never a skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"

#include "vblktrace/abi.h"

#define DEV "/dev/vblktrace"

FIXTURE(kdev) {
	int fd;
};

FIXTURE_SETUP(kdev)
{
	self->fd = open(DEV, O_RDONLY | O_CLOEXEC);
	if (self->fd < 0 && errno != ENOENT)
		ASSERT_LE(0, self->fd);
}

/*
 * Checked in each body, not in the setup: the 6.1 harness runs the body
 * even after the setup gave up.
 */
#define NEED_MODULE() \
	ASSERT_LE(0, self->fd) \
		TH_LOG(DEV " missing: the module must be loaded before this test")

FIXTURE_TEARDOWN(kdev)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int start(int fd, __u32 abi, __u32 flags, __u32 ndevs, __u32 dev)
{
	struct vbt_kmod_start st = {
		.abi = abi, .flags = flags, .ndevs = ndevs,
	};

	st.devs[0] = dev;
	return ioctl(fd, VBT_IOC_START, &st) ? -errno : 0;
}

TEST_F(kdev, abi_version_answers)
{
	__u32 abi = 0;

	NEED_MODULE();
	ASSERT_EQ(0, ioctl(self->fd, VBT_IOC_ABI_VERSION, &abi));
	EXPECT_EQ(VBT_ABI_VERSION, abi);
}

TEST_F(kdev, read_before_start_is_refused)
{
	char buf[4096];

	NEED_MODULE();
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EPROTO, errno);
}

TEST_F(kdev, other_abi_is_refused_then_ours_accepted)
{
	NEED_MODULE();
	EXPECT_EQ(-EPROTO, start(self->fd, VBT_ABI_VERSION + 1, 0, 0, 0));
	EXPECT_EQ(-EPROTO, start(self->fd, 0, 0, 0, 0));
	EXPECT_EQ(0, start(self->fd, VBT_ABI_VERSION, 0, 0, 0));
	EXPECT_EQ(-EBUSY, start(self->fd, VBT_ABI_VERSION, 0, 0, 0));
}

TEST_F(kdev, bad_flags_and_device_counts_are_refused)
{
	NEED_MODULE();
	EXPECT_EQ(-EINVAL, start(self->fd, VBT_ABI_VERSION, 0x80, 0, 0));
	EXPECT_EQ(-EINVAL, start(self->fd, VBT_ABI_VERSION, 0,
				 VBT_KMOD_MAX_DEVS + 1, 0));
}

TEST_F(kdev, one_reader_at_a_time)
{
	int fd2;

	NEED_MODULE();
	fd2 = open(DEV, O_RDONLY | O_CLOEXEC);
	EXPECT_EQ(-1, fd2);
	EXPECT_EQ(EBUSY, errno);
	if (fd2 >= 0)
		close(fd2);
}

TEST_F(kdev, short_buffer_and_empty_nonblocking_read)
{
	char buf[4096];

	NEED_MODULE();
	/* A device that does not exist: nothing will ever match. */
	ASSERT_EQ(0, start(self->fd, VBT_ABI_VERSION, VBT_KMOD_ALL, 1,
			   0xfffff));
	EXPECT_EQ(-1, read(self->fd, buf, 16));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

TEST_F(kdev, stats_and_error_counters)
{
	struct vbt_kmod_errcount e[4];
	struct vbt_kmod_errors req = { .n = 4, .ptr = (uintptr_t)e };
	struct vbt_kmod_stats st;

	NEED_MODULE();
	ASSERT_EQ(0, ioctl(self->fd, VBT_IOC_STATS, &st));
	EXPECT_LE(4096, st.ring_bytes);
	EXPECT_EQ(0, st.dropped);
	ASSERT_EQ(0, ioctl(self->fd, VBT_IOC_ERRORS, &req));
	EXPECT_GE(4, req.n);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(VBT_IOC_MAGIC, 99)));
	EXPECT_EQ(ENOTTY, errno);
}

/* A reader killed while tracing leaves the device free and clean. */
TEST_F(kdev, vanished_reader_leaves_no_trace)
{
	struct vbt_kmod_stats st;
	int status, fd2;
	pid_t pid;

	NEED_MODULE();
	close(self->fd);
	self->fd = -1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open(DEV, O_RDONLY);
		char buf[4096];

		if (fd < 0 || start(fd, VBT_ABI_VERSION, VBT_KMOD_ALL, 0, 0))
			_exit(1);
		for (;;)
			if (read(fd, buf, sizeof(buf)) < 0)
				_exit(2);
	}
	usleep(300 * 1000);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	fd2 = open(DEV, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ioctl(fd2, VBT_IOC_STATS, &st));
	EXPECT_EQ(0, st.dropped);
	close(fd2);
}

TEST_HARNESS_MAIN
