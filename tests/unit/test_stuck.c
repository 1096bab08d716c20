// SPDX-License-Identifier: GPL-2.0
/*
 * Stuck requests in userspace: the raw record decoded, the end joined to
 * its first report, the summary's count (a request that never ended
 * included), the JSON and text views, a recording read back, --stuck.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "kselftest_harness.h"

#include "decode/event.h"
#include "decode/recording.h"
#include "enrich/stuck.h"
#include "opts.h"
#include "sink/format.h"
#include "sink/summary.h"

static void raw(struct vbt_stuck *r, int phase, uint64_t now, uint8_t status)
{
	memset(r, 0, sizeof(*r));
	r->hdr.abi = VBT_ABI_VERSION;
	r->hdr.kind = VBT_KIND_STUCK;
	r->hdr.size = sizeof(*r);
	r->hdr.mono_ns = now;
	r->hdr.pid = 412;
	r->hdr.tid = 412;
	strcpy(r->hdr.comm, "dd");
	r->sector = 16384;
	r->start_ns = 10000000000ULL;
	r->slot = 777;
	r->dev = 254 << 20;
	r->nr_bytes = 4096;
	r->op = VBT_OP_READ;
	r->phase = phase;
	r->status = status;
	if (phase != VBT_STUCK_GONE)
		strcpy(r->disk, "vda");
}

static void decode(struct __test_metadata *_metadata, int phase,
		   uint64_t now, uint8_t status, struct vbt_event *ev)
{
	struct vbt_stuck r;
	char msg[160];

	raw(&r, phase, now, status);
	ASSERT_EQ(0, vbt_event_decode(&r, sizeof(r), ev, msg, sizeof(msg)));
}

TEST(decode_and_join)
{
	struct vbt_stuck_track *t = calloc(1, sizeof(*t));
	struct vbt_event found, end, gone;
	struct vbt_stuck r;
	char msg[160];

	ASSERT_NE(NULL, t);
	decode(_metadata, VBT_STUCK_FOUND, 12310000000ULL, 0, &found);
	EXPECT_EQ(VBT_KIND_STUCK, found.kind);
	EXPECT_EQ(2310000000ULL, found.stuck.age_ns);
	EXPECT_EQ(8, found.stuck.nr_sectors);
	EXPECT_EQ(-1, found.stuck.status);
	EXPECT_EQ(0, found.err);
	EXPECT_TRUE(found.stuck.issuer_known);
	found.seq = 7;
	vbt_stuck_join(t, &found);

	/* Its end: the first report's seq; a failure's errno. */
	decode(_metadata, VBT_STUCK_ENDED, 14520000000ULL, 10, &end);
	EXPECT_EQ(5, end.err);
	end.seq = 9;
	vbt_stuck_join(t, &end);
	EXPECT_EQ(7, end.stuck.found_seq);
	EXPECT_EQ(4520000000ULL, end.stuck.age_ns);

	/* Joined once: a second end of it is not. */
	end.stuck.found_seq = 0;
	vbt_stuck_join(t, &end);
	EXPECT_EQ(0, end.stuck.found_seq);

	/* A request found gone takes its disk from the first report. */
	vbt_stuck_join(t, &found);
	decode(_metadata, VBT_STUCK_GONE, 15000000000ULL, 0, &gone);
	EXPECT_STREQ("", gone.stuck.disk);
	gone.seq = 11;
	vbt_stuck_join(t, &gone);
	EXPECT_EQ(7, gone.stuck.found_seq);
	EXPECT_STREQ("vda", gone.stuck.disk);

	/* Too short a record is refused. */
	raw(&r, VBT_STUCK_FOUND, 1, 0);
	EXPECT_NE(0, vbt_event_decode(&r, sizeof(r) - 8, &found, msg,
				      sizeof(msg)));
	free(t);
}

TEST(summary_counts_stuck_and_still_in_flight)
{
	struct vbt_summary *s = calloc(1, sizeof(*s));
	struct vbt_clock clock = { 0 };
	struct vbt_event a, b, end;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_NE(NULL, s);
	vbt_summary_init(s, 0);
	decode(_metadata, VBT_STUCK_FOUND, 12310000000ULL, 0, &a);
	decode(_metadata, VBT_STUCK_FOUND, 13310000000ULL, 0, &b);
	decode(_metadata, VBT_STUCK_ENDED, 14520000000ULL, 10, &end);
	vbt_summary_add(s, &a);
	vbt_summary_add(s, &b);
	vbt_summary_add(s, &end);
	/* The failed end is its block record's failure, not another. */
	EXPECT_EQ(0, s->errors);
	f = open_memstream(&out, &len);
	vbt_summary_print(s, f, &clock, 20000000000ULL, true);
	fclose(f);
	EXPECT_NE(NULL, strstr(out, ", 2 stuck (1 still in flight) ---"));
	free(out);
	free(s);
}

TEST(json_text_and_recording)
{
	struct vbt_clock clock = { .mono_to_real_ns = 1795320000000000000LL };
	struct vbt_fmt fmt = { .clock = &clock };
	struct vbt_rec_event re;
	struct vbt_event ev;
	char line[512], err[160], *json;
	json_object *o, *v;

	decode(_metadata, VBT_STUCK_FOUND, 12310000000ULL, 0, &ev);
	ev.seq = 7;
	vbt_format_text(&ev, &fmt, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, "vda    READ         16384+8 4 KiB "
				     "STUCK in flight for 2.31 s  dd[412]"));
	json = vbt_format_json(&ev, &fmt);
	ASSERT_NE(NULL, json);
	o = json_tokener_parse(json);
	ASSERT_NE(NULL, o);
	ASSERT_TRUE(json_object_object_get_ex(o, "phase", &v));
	EXPECT_STREQ("in_flight", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "age_ns", &v));
	EXPECT_EQ(2310000000LL, json_object_get_int64(v));
	EXPECT_FALSE(json_object_object_get_ex(o, "lat_ns", &v));
	EXPECT_FALSE(json_object_object_get_ex(o, "status", &v));
	json_object_put(o);
	/* Read back, it is the same event. */
	ASSERT_EQ(0, vbt_rec_parse_line(json, strlen(json), &re, err,
					sizeof(err)));
	EXPECT_EQ(VBT_KIND_STUCK, re.ev.kind);
	EXPECT_EQ(VBT_STUCK_FOUND, re.ev.stuck.phase);
	EXPECT_EQ(2310000000ULL, re.ev.stuck.age_ns);
	EXPECT_EQ(16384, re.ev.stuck.sector);
	EXPECT_EQ(10000000000ULL, re.ev.stuck.start_ns);
	EXPECT_STREQ("", re.unknown);
	free(json);

	decode(_metadata, VBT_STUCK_ENDED, 14520000000ULL, 10, &ev);
	ev.seq = 9;
	ev.stuck.found_seq = 7;
	vbt_format_text(&ev, &fmt, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, "was stuck (#7): failed (IOERR) after "
				     "4.52 s  dd[412]"));
	json = vbt_format_json(&ev, &fmt);
	ASSERT_NE(NULL, json);
	o = json_tokener_parse(json);
	ASSERT_TRUE(json_object_object_get_ex(o, "stuck_seq", &v));
	EXPECT_EQ(7, json_object_get_int(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "status", &v));
	EXPECT_STREQ("IOERR", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "err", &v));
	EXPECT_STREQ("EIO", json_object_get_string(v));
	json_object_put(o);
	ASSERT_EQ(0, vbt_rec_parse_line(json, strlen(json), &re, err,
					sizeof(err)));
	EXPECT_EQ(VBT_STUCK_ENDED, re.ev.stuck.phase);
	EXPECT_EQ(4520000000ULL, re.ev.stuck.age_ns);
	EXPECT_EQ(7, re.ev.stuck.found_seq);
	EXPECT_EQ(10, re.ev.stuck.status);
	free(json);
}

static int parse(struct vbt_opts *o, const char *arg)
{
	char *argv[] = { "live", "--stuck", (char *)arg, NULL };

	return vbt_opts_parse(arg ? 3 : 1, argv, o, "live", NULL);
}

TEST(stuck_option)
{
	struct vbt_opts o;

	ASSERT_EQ(0, parse(&o, NULL));
	EXPECT_EQ(VBT_STUCK_DEFAULT, o.stuck);
	ASSERT_EQ(0, parse(&o, "2"));
	EXPECT_EQ(2.0, o.stuck);
	ASSERT_EQ(0, parse(&o, "0"));
	EXPECT_EQ(0.0, o.stuck);
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "0.1"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "-1"));
	EXPECT_EQ(VBT_EXIT_USAGE, parse(&o, "2s"));
}

TEST_HARNESS_MAIN
