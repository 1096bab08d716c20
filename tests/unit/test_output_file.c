// SPDX-License-Identifier: GPL-2.0
/*
 * Output files written as root (-o recordings, report/merge -o, bundles,
 * the metrics textfile): never through a symlink, created 0600, and never
 * truncating or replacing a file that belongs to someone else.  The other
 * user is a real one ("nobody"), the ground truth is the file system.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sink/atomic_file.h"

FIXTURE(out) {
	char dir[64];
	char path[128];
	char victim[128];
};

FIXTURE_SETUP(out)
{
	strcpy(self->dir, "/tmp/vbt-out.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/o", self->dir);
	snprintf(self->victim, sizeof(self->victim), "%s/victim",
		 self->dir);
}

FIXTURE_TEARDOWN(out)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", self->dir);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static long file_size(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? -1 : (long)st.st_size;
}

/* A file of "nobody": what root must not truncate or replace. */
static uid_t give_to_nobody(const char *path)
{
	struct passwd *pw = getpwnam("nobody");

	if (!pw || chown(path, pw->pw_uid, pw->pw_gid))
		return (uid_t)-1;
	return pw->pw_uid;
}

TEST_F(out, new_file_is_0600_whatever_the_umask)
{
	mode_t old = umask(0);
	struct stat st;
	int fd = vbt_open_output(self->path);

	umask(old);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
}

TEST_F(out, own_file_is_truncated)
{
	int fd;

	write_text(self->path, "old contents\n");
	fd = vbt_open_output(self->path);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, file_size(self->path));
}

TEST_F(out, symlink_is_not_followed)
{
	write_text(self->victim, "precious\n");
	ASSERT_EQ(0, symlink(self->victim, self->path));
	EXPECT_EQ(-ELOOP, vbt_open_output(self->path));
	EXPECT_EQ(9, file_size(self->victim));
	EXPECT_EQ(-ELOOP, vbt_write_file_atomic(self->path, "x", 1, 0600));
	EXPECT_EQ(9, file_size(self->victim));
	EXPECT_NE(NULL, realpath(self->path, NULL));	/* link still there */
}

TEST_F(out, other_users_file_is_neither_truncated_nor_replaced)
{
	struct stat st;

	write_text(self->path, "nobody's data\n");
	ASSERT_NE((uid_t)-1, give_to_nobody(self->path));
	EXPECT_EQ(-EPERM, vbt_open_output(self->path));
	EXPECT_EQ(14, file_size(self->path));
	EXPECT_EQ(-EPERM, vbt_write_file_atomic(self->path, "x", 1, 0600));
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(14, st.st_size);
	EXPECT_NE(0, st.st_uid);
}

TEST_F(out, fifo_without_reader_does_not_block)
{
	ASSERT_EQ(0, mkfifo(self->path, 0600));
	/* O_NONBLOCK write-open of a FIFO nobody reads: ENXIO at once. */
	EXPECT_EQ(-ENXIO, vbt_open_output(self->path));
	EXPECT_EQ(-EINVAL, vbt_write_file_atomic(self->path, "x", 1, 0600));
}

TEST_F(out, stdio_wrapper_writes)
{
	FILE *f = vbt_fopen_output(self->path);

	ASSERT_NE(NULL, f);
	fputs("12345", f);
	ASSERT_EQ(0, fclose(f));
	EXPECT_EQ(5, file_size(self->path));
	ASSERT_EQ(0, unlink(self->path));
	ASSERT_EQ(0, symlink(self->victim, self->path));
	EXPECT_EQ(NULL, vbt_fopen_output(self->path));
	EXPECT_EQ(ELOOP, errno);
}

TEST_HARNESS_MAIN
