// SPDX-License-Identifier: GPL-2.0
/*
 * The human line and the JSON object carry exactly what
 * docs/events.schema.json says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "kselftest_harness.h"

#include "decode/names.h"
#include "sink/format.h"
#include "util/json_writer.h"

FIXTURE(fmt) {
	struct vbt_clock clock;
	struct vbt_fmt f;
	struct vbt_event ev;
};

FIXTURE_SETUP(fmt)
{
	/* 2026-11-22T04:00:00Z at mono 1 s */
	self->clock.mono_to_real_ns = 1795320000LL * 1000000000LL - 1000000000LL;
	self->f.clock = &self->clock;
	self->f.color = false;
	memset(&self->ev, 0, sizeof(self->ev));
	self->ev.kind = VBT_KIND_BLOCK;
	self->ev.mono_ns = 1000000000ULL + 123456789;
	self->ev.pid = 321;
	self->ev.tid = 322;
	strcpy(self->ev.comm, "mkfs.xfs");
	self->ev.err = EIO;
	self->ev.blk.dev = (254 << 20) | 0;
	strcpy(self->ev.blk.disk, "vda");
	self->ev.blk.op = VBT_OP_WRITE;
	self->ev.blk.flags = VBT_RQ_SYNC | VBT_RQ_FUA;
	self->ev.blk.sector = 24571648;
	self->ev.blk.nr_sectors = 256;
	self->ev.blk.bytes = 131072;
	self->ev.blk.status = 10;
	self->ev.blk.virtio_status = VBT_VIRTIO_IOERR;
	self->ev.blk.issuer_known = true;
	self->ev.blk.lat_ns = 1500000;
	self->ev.host.direct = -1;
	self->ev.seq = 7;
}

FIXTURE_TEARDOWN(fmt)
{
}

static struct json_object *get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, k, &v);
	return v;
}

TEST_F(fmt, json_block_event_has_spec_fields)
{
	char *s = vbt_format_json(&self->ev, &self->f);
	struct json_object *o, *flags;

	ASSERT_NE(NULL, s);
	o = json_tokener_parse(s);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(1, json_object_get_int(get(o, "v")));
	EXPECT_STREQ("2026-11-22T04:00:00.123456789Z",
		     json_object_get_string(get(o, "ts")));
	EXPECT_EQ(1123456789ULL, json_object_get_uint64(get(o, "mono_ns")));
	EXPECT_STREQ("guest", json_object_get_string(get(o, "side")));
	EXPECT_STREQ("block", json_object_get_string(get(o, "kind")));
	EXPECT_EQ(5, json_object_get_int(get(o, "errno")));
	EXPECT_STREQ("EIO", json_object_get_string(get(o, "err")));
	EXPECT_EQ(321, json_object_get_int(get(o, "pid")));
	EXPECT_EQ(322, json_object_get_int(get(o, "tid")));
	EXPECT_STREQ("mkfs.xfs", json_object_get_string(get(o, "comm")));
	EXPECT_STREQ("vda", json_object_get_string(get(o, "dev")));
	EXPECT_EQ(254, json_object_get_int(get(o, "major")));
	EXPECT_EQ(0, json_object_get_int(get(o, "minor")));
	EXPECT_STREQ("WRITE", json_object_get_string(get(o, "op")));
	flags = get(o, "flags");
	ASSERT_EQ(2, json_object_array_length(flags));
	EXPECT_STREQ("SYNC", json_object_get_string(
				     json_object_array_get_idx(flags, 0)));
	EXPECT_STREQ("FUA", json_object_get_string(
				    json_object_array_get_idx(flags, 1)));
	EXPECT_EQ(24571648, json_object_get_int64(get(o, "sector")));
	EXPECT_EQ(256, json_object_get_int(get(o, "nr_sectors")));
	EXPECT_EQ(131072, json_object_get_int(get(o, "bytes")));
	EXPECT_STREQ("IOERR", json_object_get_string(get(o, "status")));
	EXPECT_EQ(1500000, json_object_get_int64(get(o, "lat_ns")));
	EXPECT_STREQ("IOERR", json_object_get_string(get(o, "virtio_status")));
	EXPECT_EQ(NULL, get(o, "vm"));
	json_object_put(o);
	free(s);
}

TEST_F(fmt, json_escapes_hostile_comm)
{
	struct json_object *o;
	char *s;

	strcpy(self->ev.comm, "a\"b\\c\nd");
	s = vbt_format_json(&self->ev, &self->f);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(NULL, strchr(s, '\n'));
	o = json_tokener_parse(s);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("a\"b\\c\nd", json_object_get_string(get(o, "comm")));
	json_object_put(o);
	free(s);
}

/* json-c's own serialization of what we wrote, to compare byte by byte. */
static void same_as_json_c(struct __test_metadata *_metadata, const char *out)
{
	struct json_object *o = json_tokener_parse(out);

	ASSERT_NE(NULL, o);
	EXPECT_STREQ(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE), out);
	json_object_put(o);
}

/*
 * The record writer is not json-c, so it must write what json-c would:
 * every kind and optional field, and strings holding every control
 * character, quotes, backslashes, slashes, DEL and UTF-8.
 */
TEST_F(fmt, json_writer_is_byte_identical_to_json_c)
{
	static const int kinds[] = {
		VBT_KIND_BLOCK, VBT_KIND_SYSCALL, VBT_KIND_IO_URING,
		VBT_KIND_AIO, VBT_KIND_LOST, VBT_KIND_VM_STATE, VBT_KIND_BIO,
	};
	char hostile[64];
	char *out;
	int n = 0;

	for (int c = 1; c < 32; c++)
		hostile[n++] = c;
	strcpy(hostile + n, "\"\\/\x7f\xc3\xa9");

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct vbt_event ev = self->ev;

		ev.kind = kinds[k];
		snprintf(ev.comm, sizeof(ev.comm), "%.16s", hostile + 20);
		if (ev.kind == VBT_KIND_BLOCK) {
			ev.blk.not_issued = true;
			ev.blk.virtio_derived = true;
			ev.blk.flags = ~0U;
			ev.blk.sector = UINT64_MAX;
		} else if (ev.kind == VBT_KIND_SYSCALL) {
			ev.sys.sys = VBT_SYS_PWRITEV;
			ev.sys.fd = -1;
			snprintf(ev.sys.path, sizeof(ev.sys.path), "/a/%s", hostile);
			ev.sys.offset = 1ULL << 63;
			ev.sys.cause_seq = 3;
		} else if (ev.kind == VBT_KIND_BIO) {
			snprintf(ev.bio.disk, sizeof(ev.bio.disk), "dm-0");
			ev.bio.status = 10;
			ev.bio.stacked = true;
			ev.bio.remap = true;
			snprintf(ev.bio.from_disk, sizeof(ev.bio.from_disk),
				 "%.20s", hostile);
			ev.bio.from_sector = 99;
		} else if (ev.kind == VBT_KIND_LOST) {
			ev.lost = 12345;
		} else if (ev.kind == VBT_KIND_VM_STATE) {
			snprintf(ev.vmstate.state, sizeof(ev.vmstate.state),
				 "paused");
			snprintf(ev.vmstate.reason, sizeof(ev.vmstate.reason),
				 "%.20s", hostile);
		} else {
			ev.async.opcode = 23;
			ev.async.fd = 13;
			snprintf(ev.async.path, sizeof(ev.async.path), "%s", hostile);
		}
		ev.host.known = k % 2;
		snprintf(ev.host.vm, sizeof(ev.host.vm), "vm\"%.40s", hostile);
		snprintf(ev.host.image, sizeof(ev.host.image), "/img/%.40s",
			 hostile);
		ev.host.direct = k % 3 == 0 ? -1 : 1;
		snprintf(ev.host.guest_sees, sizeof(ev.host.guest_sees), "EIO");
		ev.host.retry_of = k;
		out = vbt_format_json(&ev, &self->f);
		ASSERT_NE(NULL, out);
		same_as_json_c(_metadata, out);
		free(out);
	}
	/* no optional field at all */
	self->ev.blk.status = -1;
	self->ev.blk.virtio_status = VBT_VIRTIO_NONE;
	self->ev.blk.flags = 0;
	out = vbt_format_json(&self->ev, &self->f);
	ASSERT_NE(NULL, out);
	same_as_json_c(_metadata, out);
	EXPECT_NE(NULL, strstr(out, "\"flags\":[]"));
	free(out);
}

TEST_F(fmt, json_non_virtio_disk_has_no_virtio_status)
{
	struct json_object *o;
	char *s;

	self->ev.blk.virtio_status = VBT_VIRTIO_NONE;
	s = vbt_format_json(&self->ev, &self->f);
	o = json_tokener_parse(s);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(NULL, get(o, "virtio_status"));
	json_object_put(o);
	free(s);
}

TEST_F(fmt, text_line_names_disk_op_range_status_issuer)
{
	char line[512];

	vbt_format_text(&self->ev, &self->f, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, "vda"));
	EXPECT_NE(NULL, strstr(line, "WRITE"));
	EXPECT_NE(NULL, strstr(line, "24571648+256"));
	EXPECT_NE(NULL, strstr(line, "128 KiB"));
	EXPECT_NE(NULL, strstr(line, "EIO (IOERR, virtio IOERR)"));
	EXPECT_NE(NULL, strstr(line, "mkfs.xfs[321]"));
	EXPECT_NE(NULL, strstr(line, "1.50 ms"));
	EXPECT_EQ(NULL, strchr(line, '\033'));
}

TEST_F(fmt, text_color_only_when_asked)
{
	char line[512];

	self->f.color = true;
	vbt_format_text(&self->ev, &self->f, line, sizeof(line));
	EXPECT_NE(NULL, strchr(line, '\033'));
}

TEST_F(fmt, text_unknown_issuer_says_so)
{
	char line[512];

	self->ev.blk.issuer_known = false;
	strcpy(self->ev.comm, "ksoftirqd/0");
	vbt_format_text(&self->ev, &self->f, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, "issuer unknown (completed in ksoftirqd/0)"));
}

TEST_F(fmt, text_lost_event)
{
	char line[512];

	self->ev.kind = VBT_KIND_LOST;
	self->ev.lost = 17;
	vbt_format_text(&self->ev, &self->f, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, "17 events lost"));
	EXPECT_NE(NULL, strstr(line, "ring buffer full"));
	self->ev.lost_unseen = true;
	vbt_format_text(&self->ev, &self->f, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, "never ran vblktrace's programs"));
}

TEST_F(fmt, text_truncates_safely)
{
	char line[16];
	int n = vbt_format_text(&self->ev, &self->f, line, sizeof(line));

	EXPECT_GT(n, 15);
	EXPECT_EQ(15, strlen(line));
}

/*
 * The streamed pretty writer (merge's JSON) gives the bytes json-c prints
 * for the same tree: nesting, empty and non-empty arrays and objects,
 * nulls, extreme numbers, every byte json-c escapes and some it does not.
 */
TEST(pretty_stream_is_byte_identical_to_json_c)
{
	struct json_object *doc = json_object_new_object(), *a, *o, *e;
	char hostile[64], *mine = NULL;
	size_t mlen = 0, n = 0;
	struct vbt_jpw w;
	const char *want;
	FILE *f;

	for (int c = 1; c < 32; c++)
		hostile[n++] = c;
	strcpy(hostile + n, "\"\\/\x7f\xc3\xa9");
	f = open_memstream(&mine, &mlen);
	ASSERT_NE(NULL, f);
	vbt_jpw_init(&w, f);
	vbt_jpw_obj(&w, NULL);

	json_object_object_add(doc, "v", json_object_new_int(1));
	vbt_jpw_int(&w, "v", 1);
	json_object_object_add(doc, "s", json_object_new_string(hostile));
	vbt_jpw_str(&w, "s", hostile);
	json_object_object_add(doc, "none", NULL);
	vbt_jpw_str(&w, "none", NULL);
	json_object_object_add(doc, "empty_array", json_object_new_array());
	vbt_jpw_arr(&w, "empty_array");
	vbt_jpw_end(&w);
	json_object_object_add(doc, "empty_object", json_object_new_object());
	vbt_jpw_obj(&w, "empty_object");
	vbt_jpw_end(&w);

	a = json_object_new_array();
	json_object_object_add(doc, "list", a);
	vbt_jpw_arr(&w, "list");
	for (int i = 0; i < 3; i++) {
		o = json_object_new_object();
		json_object_array_add(a, o);
		vbt_jpw_obj(&w, NULL);
		json_object_object_add(o, "min", json_object_new_int64(INT64_MIN));
		vbt_jpw_int(&w, "min", INT64_MIN);
		json_object_object_add(o, "max", json_object_new_uint64(UINT64_MAX));
		vbt_jpw_u64(&w, "max", UINT64_MAX);
		json_object_object_add(o, "zero", json_object_new_uint64(0));
		vbt_jpw_u64(&w, "zero", 0);
		json_object_object_add(o, "neg", json_object_new_int(-i));
		vbt_jpw_int(&w, "neg", -i);
		json_object_object_add(o, "b", json_object_new_boolean(i & 1));
		vbt_jpw_bool(&w, "b", i & 1);
		e = json_object_new_object();
		json_object_object_add(o, "inner", e);
		vbt_jpw_obj(&w, "inner");
		if (i) {
			json_object_object_add(e, "k\"ey", json_object_new_string(""));
			vbt_jpw_str(&w, "k\"ey", "");
		}
		vbt_jpw_end(&w);
		e = json_object_new_array();
		json_object_object_add(o, "strings", e);
		vbt_jpw_arr(&w, "strings");
		for (int k = 0; k < i; k++) {
			json_object_array_add(e, json_object_new_string(hostile + k));
			vbt_jpw_str(&w, NULL, hostile + k);
		}
		vbt_jpw_end(&w);
		vbt_jpw_end(&w);
	}
	vbt_jpw_end(&w);
	vbt_jpw_end(&w);
	ASSERT_EQ(0, vbt_jpw_finish(&w));
	fclose(f);
	want = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	ASSERT_EQ(strlen(want) + 1, mlen);
	EXPECT_EQ(0, memcmp(want, mine, strlen(want)))
		TH_LOG("json-c:\n%s\nstreamed:\n%s", want, mine);
	EXPECT_EQ('\n', mine[mlen - 1]);
	json_object_put(doc);
	free(mine);
}

TEST(bytes_and_durations)
{
	char b[32];

	vbt_format_bytes(512, b, sizeof(b));
	EXPECT_STREQ("512 B", b);
	vbt_format_bytes(4096, b, sizeof(b));
	EXPECT_STREQ("4 KiB", b);
	vbt_format_bytes(1536, b, sizeof(b));
	EXPECT_STREQ("1536 B", b);
	vbt_format_bytes(2 << 20, b, sizeof(b));
	EXPECT_STREQ("2 MiB", b);
	vbt_format_duration(850000, b, sizeof(b));
	EXPECT_STREQ("850 us", b);
	vbt_format_duration(2500000000ULL, b, sizeof(b));
	EXPECT_STREQ("2.50 s", b);
}

/*
 * The trace's times and rates (report_perfetto.c): doubles, nested args
 * and the reused buffer give json-c's bytes for the same object.
 */
TEST(doubles_and_nested_args_are_json_c_bytes)
{
	static const double v[] = {
		0.0, -0.0, 1.0, 0.001, 1.5, 20.0, 3e-7, 1234567.891,
		2999905.0, 49998.417000000001, 6980.2209937966636, 1e21, -1e22,
		1e300, -42.0, 9007199254740993.0, 0.1 + 0.2,
		1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0,
	};
	struct vbt_jw w = { 0 }, a = { 0 };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct json_object *o = json_object_new_object();
		struct json_object *args = json_object_new_object();
		const char *mine, *ac;
		size_t len, alen;

		json_object_object_add(o, "ts", json_object_new_double(v[i]));
		json_object_object_add(args, "failures/s",
				       json_object_new_double(-v[i] / 3));
		json_object_object_add(o, "args", args);
		vbt_jw_begin(&w);
		vbt_jw_double(&w, "ts", v[i]);
		vbt_jw_begin(&a);
		vbt_jw_double(&a, "failures/s", -v[i] / 3);
		ac = vbt_jw_close(&a, &alen);
		ASSERT_NE(NULL, ac);
		vbt_jw_raw(&w, "args", ac, alen);
		mine = vbt_jw_close(&w, &len);
		ASSERT_NE(NULL, mine);
		EXPECT_STREQ(json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			mine);
		EXPECT_EQ(strlen(mine), len);
		json_object_put(o);
	}
	vbt_jw_free(&w);
	vbt_jw_free(&a);
}

TEST_HARNESS_MAIN

/*
 * The streaming path writes each record into one reused buffer: the same
 * bytes as vbt_format_json(), and json-c's, record after record, through
 * a growth of the buffer and the json-c tree of a SCSI record.
 */
TEST_F(fmt, json_into_reused_buffer_is_the_same_record)
{
	struct vbt_jw w = { 0 };
	struct vbt_event ev[4];
	const char *into;
	char *alone;

	for (int i = 0; i < 4; i++) {
		ev[i] = self->ev;
		ev[i].seq = 100 + i;
		ev[i].mono_ns += i * 700000000ULL;	/* crosses seconds */
	}
	ev[1].kind = VBT_KIND_SYSCALL;
	ev[1].sys.sys = VBT_SYS_PWRITEV;
	ev[1].sys.offset = UINT64_MAX;
	memset(ev[1].sys.path, 'p', sizeof(ev[1].sys.path) - 1);
	ev[1].sys.path[5] = '"';
	ev[1].sys.path[sizeof(ev[1].sys.path) - 1] = 0;
	ev[2].blk.scsi.known = true;
	ev[2].blk.scsi.sense_key = -1;
	ev[3].err = -2147483647 - 1;
	for (int i = 0; i < 4; i++) {
		into = vbt_format_json_into(&ev[i], &self->f, &w);
		alone = vbt_format_json(&ev[i], &self->f);
		ASSERT_NE(NULL, into);
		ASSERT_NE(NULL, alone);
		EXPECT_STREQ(alone, into);
		EXPECT_EQ(strlen(alone), w.len);
		same_as_json_c(_metadata, into);
		free(alone);
	}
	vbt_jw_free(&w);
}

/* The kept day text follows the clock: checked against gmtime+strftime. */
TEST(rfc3339_matches_gmtime_second_by_second)
{
	static const uint64_t at[] = {
		1795320000ULL * 1000000000ULL + 999999999,
		1795320001ULL * 1000000000ULL,
		1795320001ULL * 1000000000ULL + 5,
		86399ULL * 1000000000ULL + 1,
		1795320001ULL * 1000000000ULL + 123456789,
	};
	char got[48], want[48], day[32], small[12];

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		time_t sec = at[i] / 1000000000ULL;
		struct tm tm;

		gmtime_r(&sec, &tm);
		strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want, sizeof(want), "%s.%09lluZ", day,
			 (unsigned long long)(at[i] % 1000000000ULL));
		vbt_format_rfc3339(at[i], got, sizeof(got));
		EXPECT_STREQ(want, got);
		/* truncated as snprintf() truncates */
		vbt_format_rfc3339(at[i], small, sizeof(small));
		snprintf(got, sizeof(small), "%.*s", (int)sizeof(small) - 1, want);
		EXPECT_STREQ(got, small);
	}
}
