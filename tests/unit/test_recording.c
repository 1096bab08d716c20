// SPDX-License-Identifier: GPL-2.0
/*
 * The recording reader takes back what format_json writes, and refuses
 * corrupt, truncated, oversized and newer input with a message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "decode/bundle_input.h"
#include "decode/compact.h"
#include "decode/recording.h"
#include "sink/format.h"

static const char block_line[] =
	"{\"v\":1,\"ts\":\"2026-11-22T04:51:19.414725566Z\",\"mono_ns\":4110203112,"
	"\"side\":\"guest\",\"kind\":\"block\",\"errno\":5,\"err\":\"EIO\",\"pid\":111,"
	"\"tid\":111,\"comm\":\"dd\",\"dev\":\"vda\",\"major\":254,\"minor\":0,"
	"\"op\":\"WRITE\",\"flags\":[\"SYNC\",\"IDLE\"],\"sector\":6144,"
	"\"nr_sectors\":128,\"bytes\":65536,\"status\":\"IOERR\",\"lat_ns\":1281383,"
	"\"issuer_known\":true,\"virtio_status\":\"IOERR\",\"seq\":1}";

static const char host_line[] =
	"{\"v\":1,\"ts\":\"2026-11-22T04:51:19.863367077Z\",\"mono_ns\":2002764807989,"
	"\"side\":\"host\",\"kind\":\"syscall\",\"errno\":28,\"err\":\"ENOSPC\","
	"\"pid\":4974,\"tid\":4978,\"comm\":\"worker\",\"syscall\":\"pwritev\",\"fd\":13,"
	"\"path\":\"/tmp/disk.img\",\"offset\":3145728,\"len\":65536,\"seq\":1,"
	"\"vm\":\"vm1\",\"drive\":\"virtio-disk0\",\"node\":\"n0\",\"image\":\"/tmp/disk.img\","
	"\"format\":\"raw\",\"aio\":\"threads\",\"cache\":\"none\",\"direct\":true,"
	"\"werror\":\"report\",\"rerror\":\"report\",\"guest_sees\":\"IOERR\"}";

static int parse(const char *line, struct vbt_rec_event *re, char *err)
{
	return vbt_rec_parse_line(line, strlen(line), re, err, 200);
}

/* line with the first occurrence of @from replaced by @to */
static char *edit(const char *line, const char *from, const char *to)
{
	const char *p = strstr(line, from);
	char *out;

	if (!p)
		return NULL;
	out = malloc(strlen(line) + strlen(to) + 1);
	sprintf(out, "%.*s%s%s", (int)(p - line), line, to, p + strlen(from));
	return out;
}

TEST(block_event_round_trips)
{
	struct vbt_rec_event re;
	char err[200] = "";

	ASSERT_EQ(0, parse(block_line, &re, err)) TH_LOG("%s", err);
	EXPECT_EQ(VBT_KIND_BLOCK, re.ev.kind);
	EXPECT_EQ(VBT_SIDE_GUEST, re.ev.side);
	EXPECT_EQ(5, re.ev.err);
	EXPECT_STREQ("vda", re.ev.blk.disk);
	EXPECT_EQ((254u << 20), re.ev.blk.dev);
	EXPECT_EQ(VBT_OP_WRITE, re.ev.blk.op);
	EXPECT_EQ(VBT_RQ_SYNC | VBT_RQ_IDLE, re.ev.blk.flags);
	EXPECT_EQ(6144, re.ev.blk.sector);
	EXPECT_EQ(128, re.ev.blk.nr_sectors);
	EXPECT_EQ(10, re.ev.blk.status);
	EXPECT_EQ(VBT_VIRTIO_IOERR, re.ev.blk.virtio_status);
	EXPECT_EQ(1795323079414725566ULL, re.real_ns);
	EXPECT_TRUE(re.reached_device);
}

TEST(host_event_keeps_enrichment)
{
	struct vbt_rec_event re;
	char err[200] = "";

	ASSERT_EQ(0, parse(host_line, &re, err)) TH_LOG("%s", err);
	EXPECT_EQ(VBT_KIND_SYSCALL, re.ev.kind);
	EXPECT_EQ(VBT_SIDE_HOST, re.ev.side);
	EXPECT_EQ(28, re.ev.err);
	EXPECT_EQ(VBT_SYS_PWRITEV, re.ev.sys.sys);
	EXPECT_EQ(3145728, re.ev.sys.offset);
	EXPECT_TRUE(re.ev.host.known);
	EXPECT_STREQ("virtio-disk0", re.ev.host.drive);
	EXPECT_STREQ("threads", re.ev.host.aio);
	EXPECT_EQ(1, re.ev.host.direct);
}

/* What format_json writes, the reader takes back unchanged. */
TEST(format_json_output_reads_back)
{
	struct vbt_clock clock = { .mono_to_real_ns = 1795320000LL * 1000000000LL };
	struct vbt_fmt f = { .clock = &clock };
	struct vbt_event ev = { 0 };
	struct vbt_rec_event re;
	char err[200] = "", *s;

	ev.kind = VBT_KIND_BLOCK;
	ev.mono_ns = 42;
	ev.err = 5;
	strcpy(ev.comm, "mkfs.xfs");
	strcpy(ev.blk.disk, "vdb");
	ev.blk.op = VBT_OP_FLUSH;
	ev.blk.sector = UINT64_MAX;	/* a flush has no sector */
	ev.blk.status = 10;
	ev.blk.not_issued = true;
	ev.blk.virtio_status = VBT_VIRTIO_NONE;
	ev.host.direct = -1;
	ev.seq = 9;
	s = vbt_format_json(&ev, &f);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, parse(s, &re, err)) TH_LOG("%s: %s", err, s);
	EXPECT_EQ(UINT64_MAX, re.ev.blk.sector);
	EXPECT_EQ(VBT_OP_FLUSH, re.ev.blk.op);
	EXPECT_FALSE(re.reached_device);
	EXPECT_EQ(9, re.ev.seq);
	EXPECT_EQ(42, re.ev.mono_ns);
	EXPECT_EQ(1795320000ULL * 1000000000ULL + 42, re.real_ns);
	free(s);
}

/* A lost record's cause survives the round trip; an unknown one fails. */
TEST(lost_cause_reads_back)
{
	struct vbt_clock clock = { 0 };
	struct vbt_fmt f = { .clock = &clock };
	struct vbt_event ev = { 0 };
	struct vbt_rec_event re;
	char err[200] = "", *s, *bad;

	ev.kind = VBT_KIND_LOST;
	ev.lost = 3;
	ev.seq = 1;
	ev.host.direct = -1;
	s = vbt_format_json(&ev, &f);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(NULL, strstr(s, "cause"));
	ASSERT_EQ(0, parse(s, &re, err)) TH_LOG("%s: %s", err, s);
	EXPECT_FALSE(re.ev.lost_unseen);
	free(s);
	ev.lost_unseen = true;
	s = vbt_format_json(&ev, &f);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, parse(s, &re, err)) TH_LOG("%s: %s", err, s);
	EXPECT_TRUE(re.ev.lost_unseen);
	EXPECT_EQ(3, re.ev.lost);
	bad = edit(s, "\"unseen\"", "\"ring\"");
	ASSERT_NE(NULL, bad);
	EXPECT_NE(0, parse(bad, &re, err));
	EXPECT_NE(NULL, strstr(err, "cause"));
	free(bad);
	free(s);
}

TEST(newer_version_is_refused_with_a_message)
{
	struct vbt_rec_event re;
	char err[200] = "", *l = edit(block_line, "\"v\":1", "\"v\":2");

	EXPECT_EQ(-EPROTONOSUPPORT, parse(l, &re, err));
	EXPECT_NE(NULL, strstr(err, "newer")) TH_LOG("%s", err);
	free(l);
}

TEST(missing_or_mistyped_fields_are_refused)
{
	static const char *const edits[][2] = {
		{ "\"v\":1,", "" },
		{ "\"mono_ns\":4110203112", "\"mono_ns\":\"4110203112\"" },
		{ "\"errno\":5", "\"errno\":-5" },
		{ "\"errno\":5", "\"errno\":5.5" },
		{ "\"side\":\"guest\"", "\"side\":\"both\"" },
		{ "\"comm\":\"dd\"", "\"comm\":\"a-very-long-command-name\"" },
		{ "\"ts\":\"2026-11-22T04:51:19.414725566Z\"", "\"ts\":\"yesterday\"" },
		{ "\"major\":254", "\"major\":99999" },
		{ "\"sector\":6144,", "" },
		{ "\"flags\":[\"SYNC\",\"IDLE\"]", "\"flags\":\"SYNC\"" },
	};
	struct vbt_rec_event re;

	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		char err[200] = "", *l = edit(block_line, edits[i][0], edits[i][1]);

		ASSERT_NE(NULL, l);
		EXPECT_EQ(-EINVAL, parse(l, &re, err)) TH_LOG("accepted: %s", l);
		EXPECT_NE(0, err[0]);
		free(l);
	}
}

/* A newer vblktrace's values are kept, not a reason to refuse the file. */
TEST(unknown_enum_values_are_kept_with_a_note)
{
	static const char *const edits[][3] = {
		{ "\"op\":\"WRITE\"", "\"op\":\"SCRIBBLE\"", "op \"SCRIBBLE\"" },
		{ "\"status\":\"IOERR\"", "\"status\":\"QUANTUM\"",
		  "status \"QUANTUM\"" },
		{ "\"virtio_status\":\"IOERR\"", "\"virtio_status\":\"LATER\"",
		  "virtio_status \"LATER\"" },
	};
	struct vbt_rec_event re;

	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		char err[200] = "", *l = edit(block_line, edits[i][0], edits[i][1]);

		ASSERT_NE(NULL, l);
		EXPECT_EQ(0, parse(l, &re, err)) TH_LOG("%s: %s", l, err);
		EXPECT_STREQ(edits[i][2], re.unknown);
		EXPECT_EQ(6144, re.ev.blk.sector);
		free(l);
	}
}

TEST(records_of_unknown_or_meta_kind_are_skipped_and_counted)
{
	char *nvme = edit(block_line, "\"kind\":\"block\"", "\"kind\":\"nvme\"");
	char *op = edit(block_line, "\"op\":\"WRITE\"", "\"op\":\"SCRIBBLE\"");
	const char *stopped = "{\"v\":1,\"kind\":\"stopped\",\"ts\":\"2026-11-22T04:51:20Z\"}";
	struct vbt_recording r;
	char buf[4096], err[200] = "";

	ASSERT_NE(NULL, nvme);
	ASSERT_NE(NULL, op);
	snprintf(buf, sizeof(buf), "%s\n%s\n%s\n%s\n", block_line, nvme, op,
		 stopped);
	ASSERT_EQ(0, vbt_rec_load_mem(buf, strlen(buf), &r, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(2, r.n);
	EXPECT_EQ(1, r.n_unknown);
	EXPECT_EQ(1, r.n_skipped);
	EXPECT_EQ(1, r.n_meta);
	EXPECT_STREQ("line 2: kind \"nvme\"", r.note);
	vbt_rec_free(&r);
	free(nvme);
	free(op);
}

TEST(not_json_and_trailing_garbage_are_refused)
{
	struct vbt_rec_event re;
	char err[200];
	char *l;

	EXPECT_EQ(-EINVAL, parse("{\"v\":1", &re, err));
	EXPECT_EQ(-EINVAL, parse("[1,2]", &re, err));
	EXPECT_EQ(-EINVAL, parse("", &re, err));
	l = malloc(strlen(block_line) + 8);
	sprintf(l, "%s {}", block_line);
	EXPECT_EQ(-EINVAL, parse(l, &re, err));
	EXPECT_NE(NULL, strstr(err, "trailing")) TH_LOG("%s", err);
	free(l);
}

TEST(a_recording_loads_and_a_truncated_one_does_not)
{
	struct vbt_recording r;
	char buf[4096], err[200] = "";

	snprintf(buf, sizeof(buf), "%s\n\n%s\n", block_line, block_line);
	ASSERT_EQ(0, vbt_rec_load_mem(buf, strlen(buf), &r, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(2, r.n);
	EXPECT_EQ(1, r.sides);
	vbt_rec_free(&r);

	/* cut in the middle of the second line */
	EXPECT_EQ(-EINVAL, vbt_rec_load_mem(buf, strlen(buf) - 20, &r, err,
					    sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "line 3")) TH_LOG("%s", err);
	EXPECT_EQ(0, r.n);

	/* a complete last line without its newline is a truncation too */
	EXPECT_EQ(-EINVAL, vbt_rec_load_mem(buf, strlen(buf) - 1, &r, err,
					    sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "truncated")) TH_LOG("%s", err);
}

TEST(oversized_line_is_refused)
{
	size_t n = VBT_REC_MAX_LINE + 100;
	char *buf = malloc(n + 1), err[200] = "";
	struct vbt_recording r;

	memset(buf, ' ', n);
	buf[0] = '{';
	buf[n - 2] = '}';
	buf[n - 1] = '\n';
	buf[n] = 0;
	EXPECT_EQ(-E2BIG, vbt_rec_load_mem(buf, n, &r, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "longer")) TH_LOG("%s", err);
	free(buf);
}

/* A file of @len bytes holding @buf, open for reading at its start. */
static int memfile(const char *buf, size_t len)
{
	FILE *f = tmpfile();
	int fd;

	if (!f)
		return -1;
	if (fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	fflush(f);
	fd = dup(fileno(f));
	fclose(f);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int keep(void *arg, const struct vbt_rec_event *re)
{
	return vbt_crec_add(arg, re);
}

/*
 * Read a chunk at a time (lines cut by chunk ends, a line of 40 KiB), a
 * recording gives what the whole-buffer reader gives, and its compact form
 * keeps what merge needs of each event.
 */
TEST(streamed_recording_equals_the_whole_read)
{
	size_t n = 30000, cap = n * (sizeof(host_line) + 8) + 65536, len = 0;
	char *buf = malloc(cap), err[200] = "", err2[200] = "";
	struct vbt_recording whole, streamed, counts;
	struct vbt_crec c = { 0 };
	char *pad = malloc(40001);
	int fd;

	ASSERT_NE(NULL, buf);
	memset(pad, 'x', 40000);
	pad[40000] = 0;
	for (size_t i = 0; i < n; i++)
		len += snprintf(buf + len, cap - len, "%s\n\n", host_line);
	/* an unknown field as long as 40 KB: ignored, never a cut line */
	len += snprintf(buf + len, cap - len, "{\"pad\":\"%s\",%s\n", pad,
			host_line + 1);
	ASSERT_EQ(0, vbt_rec_load_mem(buf, len, &whole, err, sizeof(err)))
		TH_LOG("%s", err);
	fd = memfile(buf, len);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vbt_rec_scan_fd(fd, NULL, 0, &streamed, NULL, NULL, err2,
				     sizeof(err2))) TH_LOG("%s", err2);
	ASSERT_EQ(whole.n, streamed.n);
	EXPECT_EQ(n + 1, whole.n);
	for (size_t i = 0; i < whole.n; i++) {
		ASSERT_EQ(0, memcmp(&whole.ev[i], &streamed.ev[i],
				    sizeof(whole.ev[i]))) TH_LOG("event %zu", i);
	}
	lseek(fd, 0, SEEK_SET);
	ASSERT_EQ(0, vbt_rec_scan_fd(fd, NULL, 0, &counts, keep, &c, err2,
				     sizeof(err2))) TH_LOG("%s", err2);
	close(fd);
	EXPECT_EQ(0, counts.n);
	EXPECT_EQ(whole.sides, counts.sides);
	EXPECT_EQ(whole.first_real_ns, counts.first_real_ns);
	EXPECT_EQ(whole.last_real_ns, counts.last_real_ns);
	ASSERT_EQ(whole.n, c.n);
	/* strings once each; one drive tuple */
	EXPECT_EQ(1, c.nhosts);
	EXPECT_GT(10, c.str.n);
	for (size_t i = 0; i < whole.n; i++) {
		const struct vbt_rec_event *re = &whole.ev[i];
		const struct vbt_cev *e = &c.ev[i];
		const struct vbt_chost *h = vbt_crec_host(&c, e);

		ASSERT_EQ(re->ev.seq, e->seq);
		ASSERT_EQ(re->real_ns, e->real_ns);
		ASSERT_EQ(re->ev.sys.offset, e->off);
		ASSERT_EQ(re->ev.sys.len, e->len);
		ASSERT_EQ(re->ev.sys.sys, e->op);
		ASSERT_EQ(re->ev.err, e->err);
		ASSERT_EQ(re->ev.tid, e->tid);
		ASSERT_STREQ(re->ev.comm, vbt_crec_str(&c, e->comm));
		ASSERT_STREQ(re->ev.sys.path, vbt_crec_str(&c, e->path));
		ASSERT_NE(NULL, h);
		ASSERT_STREQ(re->ev.host.vm, vbt_crec_str(&c, h->vm));
		ASSERT_STREQ(re->ev.host.drive, vbt_crec_str(&c, h->drive));
		ASSERT_STREQ(re->ev.host.image, vbt_crec_str(&c, h->image));
		ASSERT_STREQ(re->ev.host.cache, vbt_crec_str(&c, h->cache));
	}
	vbt_crec_free(&c);
	vbt_rec_free(&whole);
	vbt_rec_free(&streamed);
	free(buf);
	free(pad);
}

/*
 * Thousands of distinct names and drive tuples: each string is stored
 * once and every event finds its own again after the tables grew.
 */
TEST(compact_strings_survive_growth)
{
	struct vbt_crec c = { 0 };
	struct vbt_rec_event re;
	char err[200] = "";

	ASSERT_EQ(0, vbt_rec_parse_line(host_line, strlen(host_line), &re,
					err, sizeof(err))) TH_LOG("%s", err);
	for (int i = 0; i < 6000; i++) {
		snprintf(re.ev.comm, sizeof(re.ev.comm), "w%d", i % 3000);
		snprintf(re.ev.sys.path, sizeof(re.ev.sys.path), "/img/%d", i);
		snprintf(re.ev.host.vm, sizeof(re.ev.host.vm), "vm%d", i % 700);
		snprintf(re.ev.host.drive, sizeof(re.ev.host.drive), "d%d",
			 i % 3);
		re.ev.seq = i + 1;
		ASSERT_EQ(0, vbt_crec_add(&c, &re));
	}
	ASSERT_EQ(6000, c.n);
	/* "", 3000 comms, 6000 paths, 700 vms, 3 drives, node, image, ... */
	EXPECT_GT(9800, c.str.n);
	EXPECT_LT(9700, c.str.n);
	EXPECT_EQ(2100, c.nhosts);	/* (vm, drive) pairs: i % 2100 */
	for (int i = 0; i < 6000; i++) {
		const struct vbt_cev *e = &c.ev[i];
		const struct vbt_chost *h = vbt_crec_host(&c, e);
		char want[64];

		ASSERT_NE(NULL, h);
		snprintf(want, sizeof(want), "w%d", i % 3000);
		ASSERT_STREQ(want, vbt_crec_str(&c, e->comm));
		snprintf(want, sizeof(want), "/img/%d", i);
		ASSERT_STREQ(want, vbt_crec_str(&c, e->path));
		snprintf(want, sizeof(want), "vm%d", i % 700);
		ASSERT_STREQ(want, vbt_crec_str(&c, h->vm));
		snprintf(want, sizeof(want), "d%d", i % 3);
		ASSERT_STREQ(want, vbt_crec_str(&c, h->drive));
		ASSERT_STREQ("/tmp/disk.img", vbt_crec_str(&c, h->image));
		/* the same string, the same id */
		if (i >= 3000)
			ASSERT_EQ(c.ev[i - 3000].comm, e->comm);
	}
	vbt_crec_free(&c);
}

/*
 * The streamed reader keeps the limits: a line past VBT_REC_MAX_LINE is
 * refused once that many bytes are seen without a newline (a file of one
 * endless line is not read to its end), a cut last line is a truncation.
 */
TEST(streamed_recording_keeps_the_limits)
{
	size_t n = 8 * 1024 * 1024;
	char *buf = malloc(n), err[200] = "";
	struct vbt_recording r;
	int fd;

	ASSERT_NE(NULL, buf);
	memset(buf, ' ', n);
	buf[0] = '{';
	snprintf(buf + n - 3, 3, "}\n");
	fd = memfile(buf, n);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-E2BIG, vbt_rec_scan_fd(fd, NULL, 0, &r, NULL, NULL, err,
					  sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "line 1: line longer than 65536"))
		TH_LOG("%s", err);
	/* refused within the first chunks, not after reading 8 MiB */
	EXPECT_GT(4 * 1024 * 1024, lseek(fd, 0, SEEK_CUR));
	close(fd);

	snprintf(buf, n, "%s\n%s", block_line, block_line);
	fd = memfile(buf, strlen(buf));
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, vbt_rec_scan_fd(fd, NULL, 0, &r, NULL, NULL, err,
					   sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "line 2: truncated")) TH_LOG("%s", err);
	EXPECT_EQ(0, r.n);
	close(fd);
	free(buf);
}

/* The reader's own date arithmetic agrees with libc's timegm(). */
TEST(rfc3339_matches_timegm)
{
	long checked = 0;

	for (int y = 1970; y <= 2550; y += y < 2110 ? 1 : 11) {
		for (int m = 1; m <= 12; m++) {
			for (int d = 1; d <= 31; d++) {
				int h = (y * 7 + d) % 24, mi = (m * 13 + d) % 60;
				int sec = (y + m + d) % 61;	/* 60: leap */
				struct tm tm = {
					.tm_year = y - 1900, .tm_mon = m - 1,
					.tm_mday = d, .tm_hour = h,
					.tm_min = mi, .tm_sec = sec,
				};
				char buf[48];
				uint64_t ns;

				snprintf(buf, sizeof(buf),
					 "%04d-%02d-%02dT%02d:%02d:%02d.25Z",
					 y, m, d, h, mi, sec);
				ASSERT_EQ(0, vbt_parse_rfc3339(buf, &ns));
				ASSERT_EQ((uint64_t)timegm(&tm) * 1000000000ULL +
					  250000000ULL, ns) TH_LOG("%s", buf);
				checked++;
			}
		}
	}
	EXPECT_LT(60000, checked);
}

TEST(rfc3339_is_strict)
{
	uint64_t ns;

	EXPECT_EQ(0, vbt_parse_rfc3339("1970-01-01T00:00:01Z", &ns));
	EXPECT_EQ(1000000000ULL, ns);
	EXPECT_EQ(0, vbt_parse_rfc3339("2026-11-22T04:00:00.5Z", &ns));
	EXPECT_EQ(500000000ULL, ns % 1000000000ULL);
	EXPECT_NE(0, vbt_parse_rfc3339("2026-11-22T04:00:00.1234567891Z", &ns));
	EXPECT_NE(0, vbt_parse_rfc3339("2026-11-22T04:00:00+01:00", &ns));
	EXPECT_NE(0, vbt_parse_rfc3339("2026-13-22T04:00:00Z", &ns));
	EXPECT_NE(0, vbt_parse_rfc3339("2026-11-22 04:00:00Z", &ns));
}

/* Lines a 6.12 guest wrote (tests/vm/guest_stacks.sh): a virtio-scsi
 * request with its sense, a stacked device's bio, a chained syscall. */
TEST(scsi_bio_and_chain_read_back)
{
	static const char sd[] = "{\"v\":1,\"ts\":\"2026-12-01T16:50:54.595437100Z\",\"mono_ns\":4620807147,\"side\":\"guest\",\"kind\":\"block\",\"errno\":61,\"err\":\"ENODATA\",\"pid\":196,\"tid\":196,\"comm\":\"dd\",\"dev\":\"sda\",\"major\":8,\"minor\":0,\"op\":\"READ\",\"flags\":[\"SYNC\",\"QUIET\"],\"sector\":64,\"nr_sectors\":8,\"bytes\":4096,\"status\":\"MEDIUM\",\"lat_ns\":3905865,\"issuer_known\":true,\"scsi\":{\"address\":\"0:0:0:0\",\"result\":2,\"host_byte\":\"DID_OK\",\"driver_byte\":\"DRIVER_OK\",\"status\":\"CHECK CONDITION\",\"opcode\":40,\"tries\":1,\"sense_key\":\"Medium Error\",\"asc\":17,\"ascq\":0,\"asc_text\":\"Unrecovered read error\"},\"seq\":1}";
	static const char bio[] = "{\"v\":1,\"ts\":\"2026-12-01T16:50:54.630392000Z\",\"mono_ns\":4655762047,\"side\":\"guest\",\"kind\":\"bio\",\"errno\":5,\"err\":\"EIO\",\"pid\":35,\"tid\":35,\"comm\":\"kworker/0:1H\",\"dev\":\"vda\",\"major\":254,\"minor\":0,\"op\":\"WRITE\",\"sector\":2056,\"nr_sectors\":8,\"bytes\":4096,\"status\":\"IOERR\",\"stacked\":false,\"issuer_known\":false,\"from_dev\":\"dm-0\",\"from_sector\":8,\"seq\":6}";
	static const char sys[] = "{\"v\":1,\"ts\":\"2026-12-01T16:50:54.637147890Z\",\"mono_ns\":4662517937,\"side\":\"guest\",\"kind\":\"syscall\",\"errno\":5,\"err\":\"EIO\",\"pid\":198,\"tid\":198,\"comm\":\"dd\",\"syscall\":\"write\",\"fd\":1,\"path\":\"/dev/dm-0\",\"offset\":4096,\"len\":4096,\"cause\":5,\"cause_chain\":[{\"seq\":7,\"dev\":\"dm-0\",\"sector\":8,\"nr_sectors\":8,\"status\":\"IOERR\"}],\"seq\":8}";
	struct vbt_rec_event re;
	char err[200] = "", *bad;

	ASSERT_EQ(0, parse(sd, &re, err)) TH_LOG("%s", err);
	ASSERT_TRUE(re.ev.blk.scsi.known);
	EXPECT_EQ(3, re.ev.blk.scsi.sense_key);
	EXPECT_EQ(0x11, re.ev.blk.scsi.asc);
	EXPECT_EQ(0x28, re.ev.blk.scsi.opcode);
	ASSERT_EQ(0, parse(bio, &re, err)) TH_LOG("%s", err);
	EXPECT_EQ(VBT_KIND_BIO, re.ev.kind);
	EXPECT_TRUE(re.ev.bio.remap);
	EXPECT_STREQ("dm-0", re.ev.bio.from_disk);
	EXPECT_EQ(8, re.ev.bio.from_sector);
	EXPECT_EQ(2056, re.ev.bio.sector);
	ASSERT_EQ(0, parse(sys, &re, err)) TH_LOG("%s", err);
	ASSERT_EQ(1, re.ev.sys.nchain);
	EXPECT_STREQ("dm-0", re.ev.sys.chain[0].disk);
	EXPECT_EQ(7, re.ev.sys.chain[0].seq);
	/* Damaged nested fields are refused like any other. */
	bad = edit(sd, "\"tries\":1", "\"tries\":\"one\"");
	EXPECT_NE(0, parse(bad, &re, err));
	free(bad);
	bad = edit(sys, "[{\"seq\":7", "[7,{\"seq\":7");
	EXPECT_NE(0, parse(bad, &re, err));
	free(bad);
	bad = edit(bio, "\"from_sector\":8", "\"from_sector\":-8");
	EXPECT_NE(0, parse(bad, &re, err));
	free(bad);
}

/* The fields of two events a page shows. */
static bool same_event(const struct vbt_rec_event *a,
		       const struct vbt_rec_event *b)
{
	return a->ev.seq == b->ev.seq && a->real_ns == b->real_ns &&
	       a->ev.kind == b->ev.kind && a->ev.side == b->ev.side &&
	       a->ev.err == b->ev.err && a->ev.pid == b->ev.pid &&
	       !strcmp(a->ev.comm, b->ev.comm) &&
	       !strcmp(a->ev.blk.disk, b->ev.blk.disk) &&
	       a->ev.blk.sector == b->ev.blk.sector &&
	       a->ev.blk.lat_ns == b->ev.blk.lat_ns &&
	       a->ev.blk.virtio_status == b->ev.blk.virtio_status &&
	       a->ev.blk.flags == b->ev.blk.flags &&
	       a->ev.mono_ns == b->ev.mono_ns;
}

/*
 * VBT_INPUT_LINES (the page of a million events): each event read again
 * in full from its line, in a file read a chunk at a time or a text in
 * memory, is the whole read's; once the file is changed, what the compact
 * event holds, never a crash or another event.
 */
TEST(lines_read_again_are_the_whole_read)
{
	size_t n = 20000, cap = n * 512, len = 0;
	char path[] = "/tmp/vbt-lines-XXXXXX", err[400] = "";
	struct vbt_input full, in, mem;
	struct vbt_rec_event *buf = malloc(sizeof(*buf));
	char *text = malloc(cap);
	FILE *f;
	int fd;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, text);
	for (size_t i = 0; i < n; i++)
		len += snprintf(text + len, cap - len,
			"{\"v\":1,\"ts\":\"2026-11-22T04:51:19.%09zuZ\","
			"\"mono_ns\":%zu,\"side\":\"guest\",\"kind\":\"block\","
			"\"errno\":5,\"err\":\"EIO\",\"pid\":%zu,\"tid\":1,"
			"\"comm\":\"dd%zu\",\"dev\":\"vd%c\",\"major\":254,"
			"\"minor\":0,\"op\":\"WRITE\",\"flags\":[\"SYNC\"],"
			"\"sector\":%zu,\"nr_sectors\":8,\"bytes\":4096,"
			"\"status\":\"IOERR\",\"lat_ns\":%zu%s}\n", i * 1000,
			4110203112 + i, 100 + i % 7, i % 13, 'a' + (int)(i % 3),
			i * 8, 1000 + i, i % 2 ? ",\"virtio_status\":\"IOERR\"" :
			"");
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	f = fdopen(fd, "w");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(len, fwrite(text, 1, len, f));
	ASSERT_EQ(0, fclose(f));

	ASSERT_EQ(0, vbt_input_open(path, &full, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, vbt_input_open_ex(path, VBT_INPUT_LINES, &in, err,
				       sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, vbt_input_open_mem_ex(text, len, VBT_INPUT_LINES, &mem,
					   err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(n, full.rec.n);
	EXPECT_EQ(0, in.rec.n);
	EXPECT_EQ(n, in.crec.n);
	EXPECT_EQ(n, full.crec.n);	/* a full read has the compact too */
	for (size_t i = 0; i < n; i += (i % 997) + 1) {
		EXPECT_TRUE(same_event(vbt_input_event(&in, i, buf),
				       &full.rec.ev[i])) TH_LOG("event %zu", i);
		EXPECT_TRUE(same_event(vbt_input_event(&mem, i, buf),
				       &full.rec.ev[i])) TH_LOG("event %zu", i);
	}
	EXPECT_TRUE(same_event(vbt_input_event(&in, n - 1, buf),
			       &full.rec.ev[n - 1]));
	EXPECT_EQ(len - full.rec.ev[n - 1].line_len - 1, buf->line_off);

	/* overwritten with other events, then cut: the compact event's */
	memset(text, ' ', len / 2);
	f = fopen(path, "r+");
	ASSERT_NE(NULL, f);
	fwrite(text, 1, len / 2, f);
	fclose(f);
	for (size_t i = 0; i < n; i += 1999) {
		const struct vbt_rec_event *re = vbt_input_event(&in, i, buf);

		EXPECT_EQ(full.rec.ev[i].ev.seq, re->ev.seq);
		EXPECT_EQ(full.rec.ev[i].real_ns, re->real_ns);
		EXPECT_EQ(full.rec.ev[i].ev.blk.sector, re->ev.blk.sector);
		EXPECT_STREQ(full.rec.ev[i].ev.comm, re->ev.comm);
		EXPECT_STREQ(full.rec.ev[i].ev.blk.disk, re->ev.blk.disk);
	}
	ASSERT_EQ(0, truncate(path, 100));
	EXPECT_EQ(full.rec.ev[n - 1].real_ns,
		  vbt_input_event(&in, n - 1, buf)->real_ns);
	EXPECT_EQ(VBT_VIRTIO_IOERR,
		  vbt_input_event(&in, n - 1, buf)->ev.blk.virtio_status);
	vbt_input_close(&in);
	vbt_input_close(&mem);
	vbt_input_close(&full);
	unlink(path);
	free(text);
	free(buf);
}

TEST_HARNESS_MAIN
