// SPDX-License-Identifier: GPL-2.0
/*
 * Guest <-> host correlation on synthetic recordings: disks pair, clocks
 * align, and every guest error gets the origin its host side proves.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "kselftest_harness.h"

#include "correlate/correlate.h"

#define T0 1795323079000000000ULL	/* guest wall clock, ns */
#define SKEW 700000000LL		/* host clock is 0.7 s ahead */

struct buf {
	char s[16384];
	size_t len;
};

static void ts(uint64_t ns, char *out)
{
	unsigned long long s = ns / 1000000000ULL;
	unsigned int sub = ns % 1000000000ULL;

	/* 2026-11-22T04:51:19 is 1795323079 */
	snprintf(out, 40, "2026-11-22T04:%02llu:%02llu.%09uZ",
		 (s - 1795320000ULL) / 60 % 60, (s - 1795320000ULL) % 60, sub);
}

static void guest_block(struct buf *b, int seq, uint64_t t, const char *dev,
			const char *op, uint64_t sector, const char *virtio,
			bool reached)
{
	char when[40];

	ts(t, when);
	b->len += snprintf(b->s + b->len, sizeof(b->s) - b->len,
		"{\"v\":1,\"ts\":\"%s\",\"mono_ns\":%llu,\"side\":\"guest\","
		"\"kind\":\"block\",\"errno\":5,\"err\":\"EIO\",\"pid\":9,\"tid\":9,"
		"\"comm\":\"dd\",\"dev\":\"%s\",\"major\":254,\"minor\":0,\"op\":\"%s\","
		"\"flags\":[],\"sector\":%llu,\"nr_sectors\":128,\"bytes\":65536,"
		"\"status\":\"IOERR\",\"lat_ns\":1000%s%s%s%s,\"seq\":%d}\n",
		when, (unsigned long long)(t - T0 + 5000000000ULL), dev, op,
		(unsigned long long)sector, virtio ? ",\"virtio_status\":\"" : "",
		virtio ? virtio : "", virtio ? "\"" : "",
		reached ? "" : ",\"reached_device\":false", seq);
}

static void guest_syscall(struct buf *b, int seq, uint64_t t, int cause)
{
	char when[40];

	ts(t, when);
	b->len += snprintf(b->s + b->len, sizeof(b->s) - b->len,
		"{\"v\":1,\"ts\":\"%s\",\"mono_ns\":1,\"side\":\"guest\",\"kind\":"
		"\"syscall\",\"errno\":5,\"err\":\"EIO\",\"pid\":9,\"tid\":9,\"comm\":"
		"\"dd\",\"syscall\":\"write\",\"fd\":1,\"path\":\"/dev/vda\",\"len\":1,"
		"\"cause\":%d,\"seq\":%d}\n", when, cause, seq);
}

static void host_io(struct buf *b, int seq, uint64_t t, const char *drive,
		    const char *sys, uint64_t off, int err, int cause)
{
	char when[40], c[32] = "";

	ts(t, when);
	if (cause)
		snprintf(c, sizeof(c), ",\"cause\":%d", cause);
	b->len += snprintf(b->s + b->len, sizeof(b->s) - b->len,
		"{\"v\":1,\"ts\":\"%s\",\"mono_ns\":7,\"side\":\"host\",\"kind\":"
		"\"syscall\",\"errno\":%d,\"err\":\"x\",\"pid\":50,\"tid\":51,"
		"\"comm\":\"worker\",\"syscall\":\"%s\",\"fd\":13,\"path\":\"/i\","
		"\"offset\":%llu,\"len\":65536%s,\"seq\":%d,\"vm\":\"vm1\","
		"\"drive\":\"%s\",\"image\":\"/i\",\"format\":\"raw\",\"aio\":"
		"\"threads\"}\n", when, err, sys, (unsigned long long)off, c, seq,
		drive);
}

static void host_block(struct buf *b, int seq, uint64_t t, const char *dev)
{
	char when[40];

	ts(t, when);
	b->len += snprintf(b->s + b->len, sizeof(b->s) - b->len,
		"{\"v\":1,\"ts\":\"%s\",\"mono_ns\":3,\"side\":\"host\",\"kind\":"
		"\"block\",\"errno\":5,\"err\":\"EIO\",\"pid\":50,\"tid\":51,"
		"\"comm\":\"worker\",\"dev\":\"%s\",\"major\":8,\"minor\":0,\"op\":"
		"\"WRITE\",\"flags\":[],\"sector\":1,\"nr_sectors\":8,\"bytes\":4096,"
		"\"status\":\"IOERR\",\"lat_ns\":5,\"seq\":%d}\n", when, dev, seq);
}

static const char guest_facts[] =
	"{\"disks\":[{\"name\":\"vda\",\"serial\":\"SER-A\",\"virtio\":true},"
	"{\"name\":\"vdb\",\"serial\":\"\",\"virtio\":true,\"pci\":\"0000:00:05.0\"},"
	"{\"name\":\"sda\",\"serial\":\"\",\"virtio\":false}]}";

static const char host_facts[] =
	"{\"qemu\":[{\"name\":\"other\",\"drives\":[{\"id\":\"virtio-disk0\","
	"\"serial\":\"SER-Z\",\"format\":\"raw\",\"image\":\"/z\"}],\"argv\":[]},"
	"{\"name\":\"vm1\",\"argv\":[\"qemu\",\"-device\","
	"\"virtio-blk-pci,bus=pci.0,addr=0x5,drive=drive-virtio-disk1,id=virtio-disk1\"],"
	"\"drives\":[{\"id\":\"virtio-disk0\",\"drive\":\"drive-virtio-disk0\","
	"\"serial\":\"SER-A\",\"format\":\"raw\",\"image\":\"/i\",\"aio\":\"threads\","
	"\"storage\":{\"block_devices\":[{\"name\":\"sdz\"}]}},"
	"{\"id\":\"virtio-disk1\",\"drive\":\"drive-virtio-disk1\",\"format\":\"raw\","
	"\"image\":\"/j\",\"filters\":\"blkdebug\",\"aio\":\"native\"}]}]}";

FIXTURE(corr) {
	const char *host_facts;
	struct buf g, h;
	struct vbt_input gin, hin;
	struct vbt_correlation c;
};

FIXTURE_SETUP(corr)
{
	memset(&self->g, 0, sizeof(self->g));
	memset(&self->h, 0, sizeof(self->h));
	memset(&self->c, 0, sizeof(self->c));
	self->host_facts = host_facts;
}

FIXTURE_TEARDOWN(corr)
{
	vbt_correlation_free(&self->c);
	vbt_input_close(&self->gin);
	vbt_input_close(&self->hin);
}

static int run(struct __test_metadata *_metadata, FIXTURE_DATA(corr) *self)
{
	struct vbt_corr_opts o = { 0 };
	char err[300] = "";

	ASSERT_EQ(0, vbt_input_open_mem(self->g.s, self->g.len, &self->gin, err,
					sizeof(err))) TH_LOG("guest: %s", err);
	ASSERT_EQ(0, vbt_input_open_mem(self->h.s, self->h.len, &self->hin, err,
					sizeof(err))) TH_LOG("host: %s", err);
	self->gin.facts = json_tokener_parse(guest_facts);
	self->hin.facts = json_tokener_parse(self->host_facts);
	EXPECT_EQ(0, vbt_correlate(&self->gin, &self->hin, &o, &self->c, err,
				   sizeof(err))) TH_LOG("%s", err);
	return 0;
}

static const struct vbt_join *join_of(FIXTURE_DATA(corr) *self, uint64_t seq)
{
	for (size_t i = 0; i < self->c.njoins; i++)
		if (self->gin.rec.ev[self->c.joins[i].guest].ev.seq == seq)
			return &self->c.joins[i];
	return NULL;
}

/* The pairing of a disk by name, or "" if it is not paired. */
static const char *paired_by(FIXTURE_DATA(corr) *self, const char *guest,
			     const char **drive)
{
	for (int i = 0; i < self->c.ndisks; i++)
		if (!strcmp(self->c.disks[i].guest, guest) &&
		    self->c.disks[i].matched) {
			*drive = self->c.disks[i].drive;
			return self->c.disks[i].by;
		}
	return "";
}

TEST_F(corr, enospc_joins_the_right_host_syscall_across_clock_skew)
{
	const struct vbt_join *j;

	/* the same offset written twice, 10 s apart: no cross-joining */
	guest_block(&self->g, 1, T0, "vda", "WRITE", 6144, "IOERR", true);
	guest_block(&self->g, 2, T0 + 10000000000ULL, "vda", "WRITE", 6144,
		    "IOERR", true);
	guest_block(&self->g, 3, T0 + 20000000000ULL, "vda", "WRITE", 8192,
		    "IOERR", true);
	host_io(&self->h, 1, T0 + SKEW - 300000, "virtio-disk0", "pwritev",
		6144 * 512, ENOSPC, 0);
	host_io(&self->h, 2, T0 + 10000000000ULL + SKEW - 200000,
		"virtio-disk0", "pwritev", 6144 * 512, ENOSPC, 0);
	host_io(&self->h, 3, T0 + 20000000000ULL + SKEW - 400000,
		"virtio-disk0", "pwritev", 8192 * 512, ENOSPC, 0);
	run(_metadata, self);

	EXPECT_STREQ("vm1", self->c.vm);
	EXPECT_STREQ("serial", self->c.disks[0].by);
	EXPECT_EQ(3, self->c.clock_pairs);
	EXPECT_LT(llabs(self->c.clock_offset_ns - SKEW), 1000000);
	for (int s = 1; s <= 3; s++) {
		j = join_of(self, s);
		ASSERT_NE(NULL, j);
		EXPECT_EQ(VBT_ORIGIN_HOST_SYSCALL, j->origin) TH_LOG("%s", j->why);
		EXPECT_EQ(ENOSPC, j->host_err);
		ASSERT_GE(j->host, 0);
		EXPECT_EQ(s, self->hin.rec.ev[j->host].ev.seq);
	}
}

TEST_F(corr, blkdebug_without_host_failure_is_qemu_internal)
{
	const struct vbt_join *j;
	const char *drive = NULL;

	guest_block(&self->g, 1, T0, "vdb", "WRITE", 0, "IOERR", true);
	/* a host failure on another drive at the same time is not it */
	host_io(&self->h, 1, T0, "virtio-disk0", "pwritev", 0, EIO, 0);
	run(_metadata, self);

	/* by name: the disks with failures take the first slots */
	EXPECT_STREQ("PCI slot", paired_by(self, "vdb", &drive));
	j = join_of(self, 1);
	ASSERT_NE(NULL, j);
	EXPECT_EQ(VBT_ORIGIN_QEMU_INTERNAL, j->origin) TH_LOG("%s", j->why);
	EXPECT_EQ(-1, j->host);
	EXPECT_NE(NULL, strstr(j->why, "blkdebug"));
}

/* A stuck request that failed: its block record is joined, not its end. */
TEST_F(corr, failed_stuck_end_is_not_a_second_failure)
{
	char when[40];

	guest_block(&self->g, 1, T0, "vdb", "WRITE", 0, "IOERR", true);
	ts(T0, when);
	self->g.len += snprintf(self->g.s + self->g.len,
		sizeof(self->g.s) - self->g.len,
		"{\"v\":1,\"ts\":\"%s\",\"mono_ns\":9,\"side\":\"guest\","
		"\"kind\":\"stuck\",\"errno\":5,\"err\":\"EIO\",\"pid\":9,"
		"\"tid\":9,\"comm\":\"dd\",\"dev\":\"vdb\",\"major\":254,"
		"\"minor\":16,\"op\":\"WRITE\",\"sector\":0,\"nr_sectors\":128,"
		"\"bytes\":65536,\"phase\":\"ended\",\"lat_ns\":6000000000,"
		"\"status\":\"IOERR\",\"start_mono_ns\":3,\"issuer_known\":true,"
		"\"seq\":2}\n", when);
	host_io(&self->h, 1, T0, "virtio-disk0", "pwritev", 0, EIO, 0);
	run(_metadata, self);

	EXPECT_EQ(1, self->c.njoins);
	EXPECT_NE(NULL, join_of(self, 1));
	EXPECT_EQ(NULL, join_of(self, 2));
}

TEST_F(corr, no_virtio_error_is_the_guest)
{
	guest_block(&self->g, 1, T0, "vda", "FLUSH", 0, NULL, false);
	guest_block(&self->g, 2, T0, "sda", "READ", 8, NULL, true);
	host_io(&self->h, 1, T0, "virtio-disk0", "fdatasync", 0, EIO, 0);
	run(_metadata, self);

	EXPECT_EQ(VBT_ORIGIN_GUEST, join_of(self, 1)->origin);
	EXPECT_EQ(VBT_ORIGIN_GUEST, join_of(self, 2)->origin);
	EXPECT_EQ(2, self->c.counts[VBT_ORIGIN_GUEST]);
}

TEST_F(corr, host_block_cause_makes_it_host_device)
{
	const struct vbt_join *j;

	guest_block(&self->g, 1, T0, "vda", "WRITE", 100, "IOERR", true);
	host_block(&self->h, 1, T0 - 1000, "sdz");
	host_io(&self->h, 2, T0, "virtio-disk0", "pwritev", 100 * 512, EIO, 1);
	run(_metadata, self);

	j = join_of(self, 1);
	ASSERT_NE(NULL, j);
	EXPECT_EQ(VBT_ORIGIN_HOST_DEVICE, j->origin) TH_LOG("%s", j->why);
	EXPECT_EQ(0, j->host_block);
	EXPECT_NE(NULL, strstr(j->why, "sdz"));
}

TEST_F(corr, syscall_takes_the_origin_of_its_block_cause)
{
	guest_block(&self->g, 1, T0, "vda", "WRITE", 6144, "IOERR", true);
	guest_syscall(&self->g, 2, T0 + 1000, 1);
	guest_syscall(&self->g, 3, T0 + 2000, 0);
	host_io(&self->h, 1, T0, "virtio-disk0", "pwritev", 6144 * 512,
		ENOSPC, 0);
	run(_metadata, self);

	EXPECT_EQ(3, self->c.njoins);
	EXPECT_EQ(VBT_ORIGIN_HOST_SYSCALL, join_of(self, 2)->origin);
	EXPECT_EQ(ENOSPC, join_of(self, 2)->host_err);
	EXPECT_EQ(VBT_ORIGIN_GUEST, join_of(self, 3)->origin);
}

TEST_F(corr, unpaired_disk_is_unknown_not_guessed)
{
	guest_block(&self->g, 1, T0, "vdq", "WRITE", 1, "IOERR", true);
	run(_metadata, self);

	EXPECT_EQ(VBT_ORIGIN_UNKNOWN, join_of(self, 1)->origin);
}

/*
 * -device is read with QEMU's own option syntax: ",," is a comma inside
 * a value, so "serial=a,,addr=0x7" is a serial, not a second addr=.
 */
static const char host_facts_commas[] =
	"{\"qemu\":[{\"name\":\"vm1\",\"argv\":[\"qemu\",\"-device\","
	"\"virtio-blk-pci,bus=pci.0,addr=0x5,drive=drive-virtio-disk1,"
	"id=virtio-disk1,serial=a,,addr=0x7\"],"
	"\"drives\":[{\"id\":\"virtio-disk1\",\"drive\":\"drive-virtio-disk1\","
	"\"format\":\"raw\",\"image\":\"/j\",\"aio\":\"threads\"}]}]}";

TEST_F(corr, device_options_keep_double_commas)
{
	const char *drive = "";

	self->host_facts = host_facts_commas;
	guest_block(&self->g, 1, T0, "vdb", "WRITE", 8, "IOERR", true);
	run(_metadata, self);

	EXPECT_STREQ("PCI slot", paired_by(self, "vdb", &drive));
	EXPECT_STREQ("virtio-disk1", drive);
}

TEST_HARNESS_MAIN
