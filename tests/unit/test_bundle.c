// SPDX-License-Identifier: GPL-2.0
/*
 * The bundle container: what the writer packs, the reader gives back; GNU
 * tar can list it; the file is 0600 and appears atomically; the reader
 * refuses corrupt, truncated, oversized and newer bundles with a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <zlib.h>

#include "kselftest_harness.h"

#include "decode/bundle_input.h"
#include "sink/bundle.h"

static const char manifest[] =
	"{\"format\":\"vblktrace-bundle\",\"format_version\":1,\"side\":\"guest\"}";
static const char events[] =
	"{\"v\":1,\"ts\":\"2026-11-22T04:51:19.414725566Z\",\"mono_ns\":4110203112,"
	"\"side\":\"guest\",\"kind\":\"block\",\"errno\":5,\"err\":\"EIO\",\"pid\":111,"
	"\"tid\":111,\"comm\":\"dd\",\"dev\":\"vda\",\"major\":254,\"minor\":0,"
	"\"op\":\"WRITE\",\"flags\":[],\"sector\":6144,\"nr_sectors\":128,"
	"\"bytes\":65536,\"status\":\"IOERR\",\"lat_ns\":1281383,"
	"\"virtio_status\":\"IOERR\",\"seq\":1}\n";

FIXTURE(bundle) {
	char dir[64];
	char path[128];
	char *buf;
	size_t len;
};

static void members(struct vbt_member *m, const char *man)
{
	snprintf(m[0].name, sizeof(m[0].name), "MANIFEST.json");
	m[0].data = man;
	m[0].len = strlen(man);
	snprintf(m[1].name, sizeof(m[1].name), "events.jsonl");
	m[1].data = events;
	m[1].len = strlen(events);
	snprintf(m[2].name, sizeof(m[2].name), "facts.json");
	m[2].data = "{\"v\":1}";
	m[2].len = 7;
	snprintf(m[3].name, sizeof(m[3].name), "summary.txt");
	m[3].data = "1 failed\n";
	m[3].len = 9;
}

static int slurp(const char *path, char **buf, size_t *len)
{
	return vbt_read_file_max(path, 1 << 24, buf, len);
}

FIXTURE_SETUP(bundle)
{
	struct vbt_member m[4];
	char err[200] = "";

	strcpy(self->dir, "/tmp/vbt-test-bundle.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/b.tar.gz", self->dir);
	members(m, manifest);
	ASSERT_EQ(0, vbt_archive_write(self->path, m, 4, 1795320000, err,
				       sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, slurp(self->path, &self->buf, &self->len));
}

FIXTURE_TEARDOWN(bundle)
{
	char cmd[200];

	free(self->buf);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd) != 0)
		TH_LOG("could not remove %s", self->dir);
}

TEST_F(bundle, round_trips_and_is_private)
{
	struct vbt_archive a;
	const struct vbt_member *m;
	struct stat st;
	char err[200] = "";

	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	ASSERT_EQ(0, vbt_archive_read_mem(self->buf, self->len, &a, err,
					  sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(4, a.n);
	m = vbt_archive_get(&a, "events.jsonl");
	ASSERT_NE(NULL, m);
	EXPECT_EQ(strlen(events), m->len);
	EXPECT_EQ(0, memcmp(events, m->data, m->len));
	vbt_archive_free(&a);
}

TEST_F(bundle, gnu_tar_lists_it_with_mode_0600)
{
	char cmd[300], line[300];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "tar -tvzf %s 2>&1", self->path);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p)) {
		EXPECT_EQ(0, strncmp(line, "-rw-------", 10)) TH_LOG("%s", line);
		n++;
	}
	EXPECT_EQ(0, pclose(p));
	EXPECT_EQ(4, n);
}

TEST_F(bundle, no_temporary_file_is_left_behind)
{
	char cmd[200], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s | wc -l", self->dir);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, fgets(out, sizeof(out), p));
	pclose(p);
	EXPECT_EQ(1, atoi(out));
}

TEST_F(bundle, input_opens_a_bundle)
{
	struct vbt_input in;
	char err[300] = "";

	ASSERT_EQ(0, vbt_input_open(self->path, &in, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_TRUE(in.is_bundle);
	EXPECT_EQ(VBT_SIDE_GUEST, in.side);
	EXPECT_EQ(1, in.rec.n);
	EXPECT_STREQ("1 failed\n", in.summary);
	vbt_input_close(&in);
}

TEST_F(bundle, every_truncation_is_refused)
{
	struct vbt_input in;
	char err[300];

	/* (an empty file is an empty recording, not a bundle) */
	for (size_t n = 1; n < self->len; n++) {
		err[0] = 0;
		ASSERT_NE(0, vbt_input_open_mem(self->buf, n, &in, err,
						sizeof(err))) TH_LOG("length %zu", n);
		ASSERT_NE(0, err[0]);
	}
}

TEST_F(bundle, every_flipped_byte_is_refused_or_harmless)
{
	struct vbt_input in;
	char err[300];
	int refused = 0;

	/* gzip's CRC catches almost all; none may crash or be half-read */
	for (size_t i = 0; i < self->len; i++) {
		self->buf[i] ^= 0x41;
		if (vbt_input_open_mem(self->buf, self->len, &in, err,
				       sizeof(err)))
			refused++;
		else
			vbt_input_close(&in);
		self->buf[i] ^= 0x41;
	}
	EXPECT_GT(refused, (int)self->len * 9 / 10);
}

TEST_F(bundle, newer_bundle_format_is_refused)
{
	static const char newer[] =
		"{\"format\":\"vblktrace-bundle\",\"format_version\":7,\"side\":\"guest\"}";
	struct vbt_member m[4];
	struct vbt_input in;
	char err[300] = "";

	members(m, newer);
	ASSERT_EQ(0, vbt_archive_write(self->path, m, 4, 0, err, sizeof(err)));
	EXPECT_EQ(-EPROTONOSUPPORT, vbt_input_open(self->path, &in, err,
						   sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "newer")) TH_LOG("%s", err);
}

TEST_F(bundle, missing_member_is_named)
{
	struct vbt_member m[4];
	struct vbt_input in;
	char err[300] = "";

	members(m, manifest);
	ASSERT_EQ(0, vbt_archive_write(self->path, m, 3, 0, err, sizeof(err)));
	EXPECT_NE(0, vbt_input_open(self->path, &in, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "summary.txt")) TH_LOG("%s", err);
}

/* A gzip bomb: small file, huge content. */
TEST(oversized_content_is_refused)
{
	size_t n = VBT_BUNDLE_MAX_TAR + (1 << 20);
	char *zeros = calloc(1, n), err[200] = "";
	uLongf gzlen = compressBound(n) + 64;
	unsigned char *gz = malloc(gzlen);
	struct vbt_archive a;
	z_stream z = { 0 };

	ASSERT_NE(NULL, zeros);
	ASSERT_EQ(Z_OK, deflateInit2(&z, 1, Z_DEFLATED, 31, 8,
				     Z_DEFAULT_STRATEGY));
	z.next_in = (unsigned char *)zeros;
	z.avail_in = n;
	z.next_out = gz;
	z.avail_out = gzlen;
	ASSERT_EQ(Z_STREAM_END, deflate(&z, Z_FINISH));
	deflateEnd(&z);
	EXPECT_EQ(-EFBIG, vbt_archive_read_mem(gz, z.total_out, &a, err,
					       sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "MiB")) TH_LOG("%s", err);
	free(zeros);
	free(gz);
}

TEST(not_gzip_is_a_recording_and_garbage_is_refused)
{
	struct vbt_input in;
	char err[300] = "";

	EXPECT_NE(0, vbt_input_open_mem("\x1f\x8bgarbage", 9, &in, err,
					sizeof(err)));
	EXPECT_NE(0, err[0]);
	EXPECT_NE(0, vbt_input_open_mem("hello\n", 6, &in, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "line 1")) TH_LOG("%s", err);
	EXPECT_EQ(0, vbt_input_open_mem("", 0, &in, err, sizeof(err)));
	vbt_input_close(&in);
}

TEST_HARNESS_MAIN
