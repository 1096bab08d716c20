// SPDX-License-Identifier: GPL-2.0
/*
 * SCSI: sense data parsed (fixed and descriptor formats, short and junk
 * buffers), the SPC names worded as the Linux kernel logs them, QEMU's
 * errno -> sense mapping inverted, a SCSI record joined to its request,
 * and explain on real guest logs (tests/unit/corpus/explain/guest-6.1-
 * scsi.dmesg and guest-6.12-scsi.dmesg: scripts/guest/run.sh, a scsi-hd
 * over blkdebug failing a read with ENODATA and a write with ENOSPC).
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "corpus.h"
#include "decode/event.h"
#include "decode/scsi_names.h"
#include "diagnose/explain.h"
#include "enrich/scsi_join.h"

TEST(sense_fixed_format)
{
	/* What QEMU's scsi-hd returns for ENODATA: Medium Error 11/00. */
	const uint8_t b[18] = { 0x70, 0, 0x03, 0, 0, 0, 0, 10, 0, 0, 0, 0,
				0x11, 0x00 };
	struct vbt_sense s;

	ASSERT_TRUE(vbt_sense_parse(b, sizeof(b), &s));
	EXPECT_EQ(3, s.key);
	EXPECT_EQ(0x11, s.asc);
	EXPECT_EQ(0, s.ascq);
	EXPECT_FALSE(s.deferred);
	EXPECT_FALSE(s.descriptor);
	EXPECT_STREQ("Medium Error", vbt_sense_key_name(s.key));
	EXPECT_STREQ("Unrecovered read error", vbt_asc_name(s.asc, s.ascq));
	EXPECT_STREQ("ENODATA", vbt_scsi_qemu_errno(s.key, s.asc, s.ascq));
}

TEST(sense_descriptor_and_deferred)
{
	const uint8_t d[8] = { 0x72, 0x07, 0x27, 0x07, 0, 0, 0, 0 };
	const uint8_t df[18] = { 0xf1, 0, 0x0b, 0, 0, 0, 0, 10, 0, 0, 0, 0,
				 0x00, 0x06 };
	struct vbt_sense s;

	ASSERT_TRUE(vbt_sense_parse(d, sizeof(d), &s));
	EXPECT_TRUE(s.descriptor);
	EXPECT_STREQ("Data Protect", vbt_sense_key_name(s.key));
	EXPECT_STREQ("Space allocation failed write protect",
		     vbt_asc_name(s.asc, s.ascq));
	EXPECT_STREQ("ENOSPC", vbt_scsi_qemu_errno(s.key, s.asc, s.ascq));
	/* 0xf1: valid bit set, deferred error. */
	ASSERT_TRUE(vbt_sense_parse(df, sizeof(df), &s));
	EXPECT_TRUE(s.deferred);
	EXPECT_STREQ("Aborted Command", vbt_sense_key_name(s.key));
	EXPECT_STREQ("I/O process terminated", vbt_asc_name(s.asc, s.ascq));
}

TEST(sense_short_or_junk)
{
	const uint8_t fixed_no_codes[14] = { 0x70, 0, 0x06, 0, 0, 0, 0, 0 };
	const uint8_t junk[18] = { 0x12, 0x34 };
	struct vbt_sense s;

	EXPECT_FALSE(vbt_sense_parse(NULL, 0, &s));
	EXPECT_EQ(-1, s.key);
	EXPECT_FALSE(vbt_sense_parse(junk, sizeof(junk), &s));
	EXPECT_FALSE(vbt_sense_parse(fixed_no_codes, 8, &s));	/* too short */
	/* Additional length 0: a key, no codes. */
	ASSERT_TRUE(vbt_sense_parse(fixed_no_codes, sizeof(fixed_no_codes), &s));
	EXPECT_STREQ("Unit Attention", vbt_sense_key_name(s.key));
	EXPECT_EQ(-1, s.asc);
	EXPECT_STREQ("", vbt_sense_key_name(16));
	EXPECT_EQ(NULL, vbt_asc_name(0xff, 0xff));
	EXPECT_EQ(NULL, vbt_scsi_qemu_errno(3, 0x11, 0x01));
}

TEST(sense_keys_as_the_kernel_words_them)
{
	/* drivers/scsi/constants.c snstext[] */
	static const char *const k[] = { "No Sense", "Recovered Error",
		"Not Ready", "Medium Error", "Hardware Error",
		"Illegal Request", "Unit Attention", "Data Protect" };

	for (int i = 0; i < 8; i++) {
		EXPECT_STREQ(k[i], vbt_sense_key_name(i));
		EXPECT_EQ(i, vbt_sense_key_from_name(k[i], strlen(k[i])));
	}
	EXPECT_EQ(11, vbt_sense_key_from_name("ABORTED COMMAND", 15));
	EXPECT_EQ(-1, vbt_sense_key_from_name("Medium", 6));
	EXPECT_STREQ("Invalid field in cdb", vbt_asc_name(0x24, 0));
	EXPECT_STREQ("Medium not present", vbt_asc_name(0x3a, 0));
	EXPECT_STREQ("Internal target failure", vbt_asc_name(0x44, 0));
	EXPECT_STREQ("Logical block address out of range",
		     vbt_asc_name(0x21, 0));
}

TEST(result_bytes)
{
	char b[24];

	EXPECT_STREQ("DID_OK", vbt_scsi_host_byte(0, b, sizeof(b)));
	EXPECT_STREQ("DID_TIME_OUT", vbt_scsi_host_byte(3, b, sizeof(b)));
	EXPECT_STREQ("DID_TRANSPORT_MARGINAL",
		     vbt_scsi_host_byte(0x14, b, sizeof(b)));
	EXPECT_STREQ("DID_0x42", vbt_scsi_host_byte(0x42, b, sizeof(b)));
	EXPECT_STREQ("DRIVER_OK", vbt_scsi_driver_byte(0, b, sizeof(b)));
	EXPECT_STREQ("DRIVER_0x07", vbt_scsi_driver_byte(7, b, sizeof(b)));
	EXPECT_STREQ("CHECK CONDITION", vbt_scsi_status_name(2, b, sizeof(b)));
	EXPECT_STREQ("RESERVATION CONFLICT",
		     vbt_scsi_status_name(0x18, b, sizeof(b)));
	EXPECT_STREQ("status 0x7e", vbt_scsi_status_name(0x7e, b, sizeof(b)));
}

static struct vbt_scsi raw_scsi(uint32_t dev, uint64_t sector, uint64_t ns)
{
	struct vbt_scsi r;

	memset(&r, 0, sizeof(r));
	r.hdr.abi = VBT_ABI_VERSION;
	r.hdr.kind = VBT_KIND_SCSI;
	r.hdr.size = sizeof(r);
	r.hdr.mono_ns = ns;
	r.dev = dev;
	r.sector = sector;
	r.result = 0x02;
	r.opcode = 0x2a;
	r.sense_len = 18;
	r.sense[0] = 0x70;
	r.sense[2] = 0x0b;
	r.sense[7] = 10;
	r.sense[13] = 0x06;
	return r;
}

/* A retried command: two records, one request; another request unjoined. */
TEST(record_joined_to_its_request)
{
	struct vbt_scsi r1 = raw_scsi(8 << 20, 128, 1000);
	struct vbt_scsi r2 = raw_scsi(8 << 20, 128, 2000);
	struct vbt_scsi_tab *t = calloc(1, sizeof(*t));
	struct vbt_event ev, blk;
	char msg[128], line[256];

	ASSERT_EQ(0, vbt_event_decode(&r1, sizeof(r1), &ev, msg, sizeof(msg)));
	EXPECT_EQ(VBT_KIND_SCSI, ev.kind);
	vbt_scsi_note(t, &ev);
	ASSERT_EQ(0, vbt_event_decode(&r2, sizeof(r2), &ev, msg, sizeof(msg)));
	vbt_scsi_note(t, &ev);

	memset(&blk, 0, sizeof(blk));
	blk.kind = VBT_KIND_BLOCK;
	blk.mono_ns = 3000;
	blk.blk.dev = 8 << 20;
	blk.blk.sector = 136;
	EXPECT_FALSE(vbt_scsi_join(t, &blk));
	blk.blk.sector = 128;
	ASSERT_TRUE(vbt_scsi_join(t, &blk));
	EXPECT_EQ(2, blk.blk.scsi.tries);
	EXPECT_EQ(0xb, blk.blk.scsi.sense_key);
	vbt_scsi_describe(&blk.blk.scsi, line, sizeof(line));
	EXPECT_STREQ("0:0:0:0 CHECK CONDITION, Aborted Command: I/O process "
		     "terminated (asc 0x00 ascq 0x06), hostbyte=DID_OK, 2 tries",
		     line);
	/* Used up: a later request at the same place is not given it. */
	memset(&blk.blk.scsi, 0, sizeof(blk.blk.scsi));
	EXPECT_FALSE(vbt_scsi_join(t, &blk));
	/* A record shorter than the ABI's is refused. */
	EXPECT_NE(0, vbt_event_decode(&r1, sizeof(r1) - 1, &ev, msg,
				      sizeof(msg)));
	free(t);
}

static FILE *open_corpus(const char *name)
{
	return fopen(vbt_corpus_path(__FILE__, "explain", name), "r");
}

/* explain over a real guest's log: pattern ids and fields, in order. */
static void check_guest_log(struct __test_metadata *_metadata,
			    const char *name)
{
	static const char *const want[] = {
		"scsi-result", "scsi-sense-key", "scsi-add-sense", "scsi-cdb",
		"blk-error", "scsi-result", "scsi-sense-key", "scsi-add-sense",
		"scsi-cdb", "blk-error",
	};
	struct ex_ctx ctx = { 0 };
	FILE *f = open_corpus(name);
	char line[1024];
	size_t w = 0;

	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		struct ex_hit h;
		json_object *v;

		line[strcspn(line, "\n")] = 0;
		if (!strstr(line, "tag#") && !strstr(line, "error, dev sda"))
			continue;
		ASSERT_TRUE(ex_explain_line(&ctx, line, &h));
		ASSERT_LT(w, sizeof(want) / sizeof(want[0]));
		EXPECT_STREQ(want[w], h.id);
		if (!strcmp(h.id, "scsi-add-sense") && w < 5) {
			ASSERT_TRUE(json_object_object_get_ex(h.fields,
							      "qemu_host_errno", &v));
			EXPECT_STREQ("ENODATA", json_object_get_string(v));
		}
		if (!strcmp(h.id, "scsi-add-sense") && w > 5) {
			ASSERT_TRUE(json_object_object_get_ex(h.fields, "asc",
							      &v));
			EXPECT_EQ(0x27, json_object_get_int(v));
		}
		if (!strcmp(h.id, "scsi-cdb") && w > 5) {
			ASSERT_TRUE(json_object_object_get_ex(h.fields, "lba",
							      &v));
			EXPECT_EQ(128, json_object_get_int(v));
		}
		if (!strcmp(h.id, "blk-error"))
			EXPECT_EQ(NULL, strstr(h.detail, "VIRTIO_BLK"));
		if (!strcmp(h.id, "scsi-result")) {
			ASSERT_TRUE(json_object_object_get_ex(h.fields,
							      "scsi_address", &v));
			EXPECT_STREQ("0:0:0:0", json_object_get_string(v));
		}
		ex_hit_clear(&h);
		w++;
	}
	fclose(f);
	EXPECT_EQ(sizeof(want) / sizeof(want[0]), w);
}

TEST(explain_real_guest_6_1)
{
	check_guest_log(_metadata, "guest-6.1-scsi.dmesg");
}

TEST(explain_real_guest_6_12)
{
	check_guest_log(_metadata, "guest-6.12-scsi.dmesg");
}

TEST(explain_eh_and_hostile)
{
	static const char *const lines[] = {
		"sd 2:0:0:0: [sdb] tag#3 timing out command, waited 180s",
		"sd 2:0:0:0: Device offlined - not ready after error recovery",
		"sd 2:0:0:0: rejecting I/O to offline device",
		"sd 0:0:0:0: [sda] tag#1 FAILED Result: hostbyte=DID_TIME_OUT driverbyte=DRIVER_OK cmd_age=30s",
	};
	static const char *const bad[] = {
		"sd 0:0:0:0: [sda] tag#1 Sense Key : Nonsense [current]",
		"sd x:0:0:0: [sda] tag#1 CDB: Read(10) 28 00",
		"sd 0:0:0:0: [sda] tag#1 CDB: ((((((((((((((((((((((((((((((((((((((((((((()",
		"sd 0:0:0:0: [sda",
	};
	struct ex_ctx ctx = { 0 };
	struct ex_hit h;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		ASSERT_TRUE(ex_explain_line(&ctx, lines[i], &h));
		EXPECT_STREQ(i == 3 ? "scsi-result" : "scsi-eh", h.id);
		ex_hit_clear(&h);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ex_explain_line(&ctx, bad[i], &h)) {
			EXPECT_EQ(NULL, strstr(h.id, "scsi-"));
			ex_hit_clear(&h);
		}
	}
}

TEST_HARNESS_MAIN
