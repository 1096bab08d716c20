// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace explain: every pattern on lines in the shapes the seeds and the
 * real tools print (tests/unit/corpus/explain/; guest-6.*-rig.dmesg and
 * guest-6.12-mkfs.out are whole real guest logs, captured by
 * scripts/capture-corpus.sh capture-guest: a blkdebug write fault at
 * sector 8000 in 6.1, mkfs.xfs failing at sector 1048320 in 6.12), the
 * decoded fields, and hostile input.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "corpus.h"
#include "diagnose/explain.h"

static FILE *open_corpus(const char *name)
{
	return fopen(vbt_corpus_path(__FILE__, "explain", name), "r");
}

/* Lines of a corpus file, and those containing @needle: counted here, not
 * by explain, so they are the reference for its counts. */
static long count_lines(const char *name, const char *needle)
{
	FILE *f = open_corpus(name);
	char line[8192];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!needle || strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

/* Run explain -j over @in; returns the JSON objects (array) it printed. */
static json_object *run(FILE *in, struct ex_ctx *ctx, size_t max_line,
			struct ex_stats *st)
{
	struct ex_opts o = { .json = true, .max_line = max_line };
	char *out = NULL, *line, *save = NULL;
	size_t outlen = 0;
	FILE *mem = open_memstream(&out, &outlen);
	json_object *arr = json_object_new_array();

	ex_run(in, mem, ctx, &o, st);
	fclose(mem);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_object *j = json_tokener_parse(line);

		/* Every output line is valid JSON, whatever the input. */
		if (!j) {
			fprintf(stderr, "bad JSON line: %s\n", line);
			abort();
		}
		json_object_array_add(arr, j);
	}
	free(out);
	return arr;
}

static json_object *run_file(const char *name, struct ex_stats *st)
{
	struct ex_ctx ctx = { 0 };
	FILE *f = open_corpus(name);
	json_object *a;

	if (!f) {
		fprintf(stderr, "corpus file %s missing\n", name);
		abort();
	}
	a = run(f, &ctx, 0, st);
	fclose(f);
	return a;
}

/* The @nth (0-based) hit of @pattern. */
static json_object *hit(json_object *arr, const char *pattern, int nth)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i), *p;

		if (json_object_object_get_ex(o, "pattern", &p) &&
		    !strcmp(json_object_get_string(p), pattern) && nth-- == 0)
			return o;
	}
	return NULL;
}

static json_object *field(json_object *h, const char *key)
{
	json_object *f = NULL, *v = NULL;

	if (h && json_object_object_get_ex(h, "fields", &f))
		json_object_object_get_ex(f, key, &v);
	return v;
}

static const char *fstr(json_object *h, const char *key)
{
	json_object *v = field(h, key);

	return v ? json_object_get_string(v) : "(none)";
}

static long long fint(json_object *h, const char *key)
{
	json_object *v = field(h, key);

	return v ? json_object_get_int64(v) : -1;
}

static const char *flag_list(json_object *h, char *buf, size_t len)
{
	json_object *a = field(h, "flags");

	buf[0] = '\0';
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 i ? "|" : "", json_object_get_string(
				 json_object_array_get_idx(a, i)));
	return buf;
}

TEST(real_guest_dmesg_injected_sector)
{
	struct ex_stats st;
	json_object *a = run_file("guest-6.1-rig.dmesg", &st), *h;
	char fl[128];

	h = hit(a, "blk-error", 0);
	ASSERT_NE(NULL, h);
	EXPECT_STREQ("vda", fstr(h, "dev"));
	EXPECT_EQ(8000, fint(h, "sector"));	/* the blkdebug sector */
	EXPECT_EQ(8000 * 512, fint(h, "offset"));
	EXPECT_STREQ("WRITE", fstr(h, "op"));
	EXPECT_EQ(1, fint(h, "op_code"));
	EXPECT_STREQ("0x8800", fstr(h, "flags_raw"));
	EXPECT_STREQ("SYNC|IDLE", flag_list(h, fl, sizeof(fl)));
	EXPECT_STREQ("6.1", fstr(h, "flags_layout"));	/* Linux version line */
	EXPECT_STREQ("IOERR", fstr(h, "status"));
	EXPECT_STREQ("EIO", fstr(h, "errno"));
	EXPECT_STREQ("BE", fstr(h, "prio_class"));
	h = hit(a, "virtio-blk", 1);
	ASSERT_NE(NULL, h);
	EXPECT_STREQ("vda", fstr(h, "dev"));
	EXPECT_EQ(536870912, fint(h, "bytes"));
	/* One failed write: exactly one I/O error line, explained once. */
	EXPECT_EQ(1, count_lines("guest-6.1-rig.dmesg", "I/O error, dev"));
	EXPECT_EQ(NULL, hit(a, "blk-error", 1));
	EXPECT_EQ(count_lines("guest-6.1-rig.dmesg", NULL), st.lines);
	EXPECT_EQ(st.lines, st.recognised + st.unknown);
	json_object_put(a);
	ex_stats_free(&st);
}

/* A real mkfs.xfs failure in a 6.12 guest: blkdebug EIO at sector
 * 1048320 (the last 128 KiB of a 512 MiB disk). */
TEST(real_guest_mkfs_tail_write)
{
	struct ex_stats st, st2;
	json_object *m = run_file("guest-6.12-mkfs.out", &st);
	json_object *k = run_file("guest-6.12-rig.dmesg", &st2), *h, *b;
	char fl[128];

	h = hit(m, "xfs-bwrite", 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(0xfff00, fint(h, "bno"));
	EXPECT_EQ(1048320LL * 512, fint(h, "offset"));
	EXPECT_EQ(0x100, fint(h, "len_sectors"));
	/* bno + length = the disk's 1048576 sectors: mkfs zeroing the tail */
	EXPECT_EQ(1048576, fint(h, "bno") + fint(h, "len_sectors"));
	EXPECT_NE(NULL, hit(m, "mkfs-failed", 0));	/* Lost a write */
	b = hit(k, "blk-error", 0);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(fint(h, "bno"), fint(b, "sector"));	/* whole disk */
	EXPECT_STREQ("6.12", fstr(b, "flags_layout"));
	EXPECT_STREQ("SYNC|IDLE", flag_list(b, fl, sizeof(fl)));
	EXPECT_EQ(5, st.recognised);
	json_object_put(m);
	json_object_put(k);
	ex_stats_free(&st);
	ex_stats_free(&st2);
}

TEST(guest_kernel_lines)
{
	struct ex_stats st;
	json_object *a = run_file("guest-mixed.dmesg", &st), *h;
	char fl[128];

	h = hit(a, "blk-error", 0);	/* 5.10, blk_update_request: prefix */
	EXPECT_STREQ("vdb", fstr(h, "dev"));
	EXPECT_EQ(2048, fint(h, "sector"));
	EXPECT_STREQ("SYNC", flag_list(h, fl, sizeof(fl)));
	EXPECT_STREQ("5.x", fstr(h, "flags_layout"));
	EXPECT_EQ(1, json_object_get_boolean(field(h, "old_format")));
	h = hit(a, "blk-error", 1);
	EXPECT_STREQ("MEDIUM", fstr(h, "status"));
	EXPECT_STREQ("ENODATA", fstr(h, "errno"));
	EXPECT_STREQ("FAILFAST_DEV|FAILFAST_TRANSPORT|FAILFAST_DRIVER|RAHEAD",
		     flag_list(h, fl, sizeof(fl)));
	h = hit(a, "blk-error", 2);
	EXPECT_STREQ("NOTSUPP", fstr(h, "status"));
	EXPECT_STREQ("WRITE_ZEROES", fstr(h, "op"));
	EXPECT_EQ(9, fint(h, "op_code"));
	h = hit(a, "blk-error", 3);	/* print_req_error: no op/flags */
	EXPECT_EQ(123456, fint(h, "sector"));
	EXPECT_EQ(NULL, field(h, "op"));
	h = hit(a, "blk-error", 4);	/* journalctl prefix */
	EXPECT_STREQ("loop0", fstr(h, "dev"));
	EXPECT_STREQ("NOSPC", fstr(h, "status"));
	EXPECT_STREQ("ENOSPC", fstr(h, "errno"));
	EXPECT_EQ(0, json_object_get_boolean(field(h, "old_format")));
	h = hit(a, "blk-error", 5);
	EXPECT_STREQ("TIMEOUT", fstr(h, "status"));
	EXPECT_STREQ("RAHEAD", flag_list(h, fl, sizeof(fl)));
	h = hit(a, "buffer-io-error", 0);
	EXPECT_STREQ("vdb1", fstr(h, "dev"));
	EXPECT_EQ(0, fint(h, "logical_block"));
	EXPECT_STREQ("lost async page write", fstr(h, "what"));
	h = hit(a, "xfs", 0);
	EXPECT_STREQ("vdb1", fstr(h, "dev"));
	EXPECT_EQ(2, fint(h, "daddr"));
	EXPECT_EQ(1024, fint(h, "offset"));
	EXPECT_STREQ("EIO", fstr(h, "errno"));
	h = hit(a, "xfs", 1);
	EXPECT_STREQ("EIO", fstr(h, "errno"));	/* log I/O error -5 */
	h = hit(a, "ext4", 0);
	EXPECT_STREQ("IOERR", fstr(h, "status"));	/* "I/O error 10" */
	EXPECT_EQ(1311, fint(h, "inode"));
	EXPECT_EQ(305419, fint(h, "block"));
	h = hit(a, "virtio-blk", 0);
	EXPECT_EQ(4096, fint(h, "physical_block_size"));
	EXPECT_EQ(18, st.lines);
	EXPECT_EQ(17, st.recognised);
	EXPECT_EQ(1, st.unknown);	/* the e1000 line */
	json_object_put(a);
	ex_stats_free(&st);
}

TEST(seed000_mkfs)
{
	struct ex_stats st;
	json_object *a = run_file("seed000-mkfs.log", &st), *h;

	h = hit(a, "xfs-bwrite", 0);
	ASSERT_NE(NULL, h);
	EXPECT_STREQ("(unknown)", fstr(h, "buffer"));
	EXPECT_EQ(0x177ef00, fint(h, "bno"));
	EXPECT_EQ(0x177ef00LL * 512, fint(h, "offset"));
	EXPECT_EQ(0x100, fint(h, "len_sectors"));
	EXPECT_EQ(131072, fint(h, "bytes"));
	EXPECT_STREQ("EIO", fstr(h, "errno"));
	h = hit(a, "xfs-bwrite", 2);
	EXPECT_STREQ("xfs_sb", fstr(h, "buffer"));
	EXPECT_EQ(0, fint(h, "bno"));
	EXPECT_EQ(1, fint(h, "len_sectors"));
	h = hit(a, "xfs-bwrite", 3);
	EXPECT_EQ(0xbbf830LL * 512, fint(h, "offset"));
	EXPECT_EQ(1024, fint(h, "bytes"));
	h = hit(a, "mkfs-io", 0);
	EXPECT_STREQ("pwrite", fstr(h, "syscall"));
	EXPECT_STREQ("EIO", fstr(h, "errno"));
	h = hit(a, "mkfs-io", 4);
	EXPECT_STREQ("pread", fstr(h, "syscall"));
	EXPECT_NE(NULL, hit(a, "mkfs-failed", 1));
	EXPECT_EQ(19, st.recognised);
	EXPECT_EQ(0, st.unknown);
	json_object_put(a);
	ex_stats_free(&st);
}

TEST(seed002_bad_config_data)
{
	struct ex_stats st;
	json_object *a = run_file("seed002-qemu.log", &st), *h;

	h = hit(a, "qemu-pci-config", 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(0x10, fint(h, "offset"));
	EXPECT_STREQ("BAR0 byte 0", fstr(h, "register"));
	EXPECT_EQ(0xc1, fint(h, "source_value"));
	EXPECT_EQ(0x1, fint(h, "destination_value"));
	EXPECT_EQ(0xff, fint(h, "cmask"));
	EXPECT_EQ(0x80, fint(h, "wmask"));
	EXPECT_EQ(0x40, fint(h, "differing_bits"));
	EXPECT_STREQ("io", fstr(h, "bar_type"));
	EXPECT_EQ(128, fint(h, "destination_bar_size"));
	EXPECT_EQ(64, fint(h, "source_bar_size_max"));
	h = hit(a, "qemu-load-failed", 1);
	EXPECT_STREQ("virtio-blk:virtio", fstr(h, "vmstate"));
	h = hit(a, "qemu-load-state", 0);
	EXPECT_STREQ("0000:00:0b.0", fstr(h, "pci_address"));
	EXPECT_EQ(11, fint(h, "pci_slot"));
	EXPECT_EQ(0, fint(h, "pci_function"));
	EXPECT_STREQ("virtio-blk", fstr(h, "device_type"));
	EXPECT_EQ(4, st.recognised);
	json_object_put(a);
	ex_stats_free(&st);
}

/* Every byte and bit of a BAR: sizes at any byte, type bits, no writable bit. */
TEST(bad_config_data_bar_bytes)
{
	static const struct {
		const char *line;
		const char *difference;
		long long dsize, smax;
	} cases[] = {
		/* seed 002: I/O BAR 64 -> 128 bytes */
		{ "Bad config data: i=0x10 read: c1 device: 1 cmask: ff wmask: 80 w1cmask:0",
		  "size", 128, 64 },
		/* byte 1 of a memory BAR: 4 KiB here, at most 512 bytes there */
		{ "Bad config data: i=0x15 read: 2 device: 0 cmask: ff wmask: f0 w1cmask:0",
		  "size", 4096, 512 },
		/* an I/O BAR against a memory BAR: type bits only */
		{ "Bad config data: i=0x10 read: 1 device: 0 cmask: ff wmask: 0 w1cmask:0",
		  "type", -1, -1 },
		/* 32-bit against 64-bit memory BAR */
		{ "Bad config data: i=0x14 read: 4 device: 0 cmask: ff wmask: 0 w1cmask:0",
		  "type", -1, -1 },
		/* no writable address bit in byte 0: bigger than 255, never 0 bytes */
		{ "Bad config data: i=0x10 read: 40 device: 0 cmask: ff wmask: 0 w1cmask:0",
		  "size", -1, 64 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ex_stats st;
		FILE *in = fmemopen((void *)cases[i].line, strlen(cases[i].line), "r");
		json_object *a = run(in, NULL, 0, &st), *h;

		fclose(in);
		h = hit(a, "qemu-pci-config", 0);
		ASSERT_NE(NULL, h) TH_LOG("%s", cases[i].line);
		EXPECT_STREQ(cases[i].difference, fstr(h, "bar_difference"))
			TH_LOG("%s", cases[i].line);
		EXPECT_EQ(cases[i].dsize, fint(h, "destination_bar_size"))
			TH_LOG("%s", cases[i].line);
		EXPECT_EQ(cases[i].smax, fint(h, "source_bar_size_max"))
			TH_LOG("%s", cases[i].line);
		EXPECT_EQ(NULL, strstr(json_object_to_json_string(h), " 0 bytes"));
		json_object_put(a);
		ex_stats_free(&st);
	}
}

/* Upstream QEMU 7.2's own refusals of seed 001's retry policy. */
TEST(retry_policy_refused)
{
	struct ex_stats st;
	json_object *a = run_file("retry-qemu72.log", &st);

	for (int i = 0; i < 3; i++)
		EXPECT_NE(NULL, hit(a, "qemu-retry-policy-unsupported", i));
	EXPECT_EQ(3, st.recognised);
	json_object_put(a);
	ex_stats_free(&st);
}

TEST(seed003_unknown_section)
{
	struct ex_stats st;
	json_object *a = run_file("seed003-openstack.log", &st), *h;

	h = hit(a, "qemu-unknown-section", 0);
	ASSERT_NE(NULL, h);
	EXPECT_STREQ("0000:06.0/virtio-blk", fstr(h, "device_path"));
	EXPECT_STREQ("0000:00:06.0", fstr(h, "pci_address"));
	EXPECT_EQ(6, fint(h, "pci_slot"));
	EXPECT_EQ(0, fint(h, "instance"));
	EXPECT_NE(NULL, hit(a, "qemu-migration-failed", 0));
	EXPECT_EQ(2, st.recognised);
	EXPECT_EQ(2, st.unknown);
	json_object_put(a);
	ex_stats_free(&st);
}

TEST(qemu_lines)
{
	struct ex_stats st;
	json_object *a = run_file("qemu-misc.log", &st), *h, *m;

	EXPECT_NE(NULL, hit(a, "qemu-aio-native-no-direct", 0));
	h = hit(a, "qemu-open-failed", 0);
	EXPECT_STREQ("/mnt/fuse/vm.img", fstr(h, "path"));
	EXPECT_STREQ("EINVAL", fstr(h, "errno"));
	EXPECT_NE(NULL, hit(a, "qemu-io-uring", 0));
	h = hit(a, "qemu-hotplug-bus", 0);
	EXPECT_STREQ("pcie.0", fstr(h, "bus"));
	h = hit(a, "qemu-virtio-features", 0);
	m = field(h, "missing_features");
	ASSERT_NE(NULL, m);
	ASSERT_EQ(2, json_object_array_length(m));
	EXPECT_STREQ("BLK_DISCARD", json_object_get_string(
			     json_object_array_get_idx(m, 0)));
	EXPECT_STREQ("BLK_WRITE_ZEROES", json_object_get_string(
			     json_object_array_get_idx(m, 1)));
	h = hit(a, "qemu-virtqueue", 0);
	EXPECT_EQ(0x80, fint(h, "size"));
	EXPECT_EQ(0x1a2, fint(h, "guest_index"));
	h = hit(a, "qemu-pci-slot-busy", 0);
	EXPECT_EQ(4, fint(h, "pci_slot"));
	EXPECT_STREQ("virtio-net-pci,id=net0", fstr(h, "in_use_by"));
	h = hit(a, "qemu-terminated", 0);
	EXPECT_EQ(15, fint(h, "signal"));
	EXPECT_EQ(8, st.recognised);
	json_object_put(a);
	ex_stats_free(&st);
}

/* qemu-system-aarch64 7.2 and an arm64 6.1 guest kernel, captured on this
 * project's machine: an aarch64 'virt' domain written the x86 way. */
TEST(arm64_virt_lines)
{
	struct ex_stats st;
	json_object *a = run_file("arm64-virt.log", &st), *h;

	/* libvirt's -device ide-cd,bus=ide.0: not a hot-plug problem. */
	EXPECT_EQ(NULL, hit(a, "qemu-hotplug-bus", 0));
	EXPECT_NE(NULL, hit(a, "qemu-virt-no-ide", 0));
	EXPECT_NE(NULL, hit(a, "qemu-virt-no-ide", 1));
	EXPECT_NE(NULL, hit(a, "qemu-virt-no-ide", 2));
	EXPECT_EQ(NULL, hit(a, "qemu-virt-no-ide", 3));
	h = hit(a, "qemu-invalid-accel", 0);
	EXPECT_STREQ("kvm", fstr(h, "accel"));
	EXPECT_NE(NULL, hit(a, "qemu-arm-no-msi", 0));
	h = hit(a, "kernel-pci-bus-range", 0);
	EXPECT_EQ(0x10, fint(h, "bus"));
	EXPECT_EQ(0x0f, fint(h, "bus_max"));
	/* The ECAM line is information, not an error. */
	EXPECT_EQ(6, st.recognised);
	json_object_put(a);
	ex_stats_free(&st);
}

/*
 * The hung-task reports of a 6.1 and a 6.12 guest whose host held a write
 * 4 s (tests/vm/guest_stuck.sh, hung_task_timeout_secs 1): the only thing
 * such a guest logs.  Their stacks and registers are not ours to explain.
 */
TEST(hung_task_real)
{
	struct ex_stats st;
	json_object *a = run_file("guest-hung-task.dmesg", &st), *h;

	h = hit(a, "hung-task", 0);
	ASSERT_NE(NULL, h);
	EXPECT_STREQ("dd", fstr(h, "comm"));
	EXPECT_EQ(149, fint(h, "pid"));
	EXPECT_EQ(1, fint(h, "blocked_s"));
	h = hit(a, "hung-task", 1);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(190, fint(h, "pid"));
	EXPECT_NE(NULL, hit(a, "hung-task-hint", 1));
	h = hit(a, "task-state", 1);
	ASSERT_NE(NULL, h);
	EXPECT_STREQ("dd", fstr(h, "comm"));
	EXPECT_STREQ("D", fstr(h, "state"));
	EXPECT_EQ(count_lines("guest-hung-task.dmesg", "INFO: task ") +
		  count_lines("guest-hung-task.dmesg", "disables this message") +
		  count_lines("guest-hung-task.dmesg", " state:D "),
		  st.recognised);
	json_object_put(a);
	ex_stats_free(&st);
}

/* A comm with a colon, and lines that only look like a report. */
TEST(hung_task_shapes)
{
	struct ex_ctx ctx = { 0 };
	struct ex_hit h;

	ASSERT_TRUE(ex_explain_line(&ctx, "INFO: task kworker/u4:2:77 blocked "
				    "for more than 120 seconds.", &h));
	EXPECT_STREQ("hung-task", h.id);
	EXPECT_STREQ("kworker/u4:2", json_object_get_string(
			     json_object_object_get(h.fields, "comm")));
	ex_hit_clear(&h);
	EXPECT_FALSE(ex_explain_line(&ctx, "INFO: task dd: blocked for more "
				     "than 1 seconds.", &h) &&
		     !strcmp(h.id, "hung-task"));
	ex_hit_clear(&h);
	EXPECT_FALSE(ex_explain_line(&ctx, "INFO: task dd:12x blocked for "
				     "more than 1 seconds.", &h) &&
		     !strcmp(h.id, "hung-task"));
	ex_hit_clear(&h);
}

/* The same messages as real QEMU 7.2 prints them (capture-corpus.sh
 * capture-qemu-log provokes each): every line recognised, same fields. */
TEST(real_qemu72_messages)
{
	struct ex_stats st;
	json_object *a = run_file("qemu72-real.log", &st), *h;

	EXPECT_NE(NULL, hit(a, "qemu-aio-native-no-direct", 0));
	h = hit(a, "qemu-pci-slot-busy", 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(4, fint(h, "pci_slot"));
	EXPECT_STREQ("virtio-net-pci,id=net0", fstr(h, "in_use_by"));
	h = hit(a, "qemu-terminated", 0);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(15, fint(h, "signal"));
	EXPECT_EQ(count_lines("qemu72-real.log", NULL), st.lines);
	EXPECT_EQ(st.lines, st.recognised);
	json_object_put(a);
	ex_stats_free(&st);
}

TEST(qmp_events)
{
	struct ex_stats st;
	json_object *a = run_file("qmp-events.log", &st), *h;

	h = hit(a, "qmp-block-io-error", 0);
	EXPECT_STREQ("libvirt-1-format", fstr(h, "node"));
	EXPECT_STREQ("write", fstr(h, "operation"));
	EXPECT_STREQ("report", fstr(h, "action"));
	EXPECT_EQ(0, json_object_get_boolean(field(h, "nospace")));
	h = hit(a, "qmp-block-io-error", 1);
	EXPECT_STREQ("drive-virtio-disk1", fstr(h, "device"));
	EXPECT_STREQ("stop", fstr(h, "action"));
	EXPECT_EQ(1, json_object_get_boolean(field(h, "nospace")));
	h = hit(a, "qmp-device-deleted", 0);	/* inside a libvirt line */
	EXPECT_STREQ("virtio-disk1", fstr(h, "device"));
	h = hit(a, "qmp-migration", 0);
	EXPECT_STREQ("failed", fstr(h, "status"));
	EXPECT_EQ(4, st.recognised);
	EXPECT_EQ(1, st.unknown);		/* RESUME */
	json_object_put(a);
	ex_stats_free(&st);
}

TEST(libvirt_lines)
{
	struct ex_stats st;
	json_object *a = run_file("libvirt.log", &st), *h;

	h = hit(a, "libvirt-qemu-command", 0);
	EXPECT_STREQ("device_del", fstr(h, "command"));
	h = hit(a, "libvirt-qemu-exited", 0);
	EXPECT_STREQ("qemu-aio-native-no-direct", fstr(h, "qemu_pattern"));
	h = hit(a, "libvirt-migration", 0);
	EXPECT_STREQ("qemuMigrationJobCheckStatus", fstr(h, "function"));
	EXPECT_NE(NULL, hit(a, "libvirt-monitor", 0));
	EXPECT_NE(NULL, hit(a, "libvirt-unsafe-migration", 0));
	EXPECT_NE(NULL, hit(a, "libvirt-io-error-pause", 0));
	EXPECT_NE(NULL, hit(a, "libvirt-pci-slots", 0));
	EXPECT_EQ(7, st.recognised);
	EXPECT_EQ(1, st.unknown);
	json_object_put(a);
	ex_stats_free(&st);
}

TEST(flag_layouts)
{
	const char *l;
	json_object *a;

	a = ex_req_flags(0x10000000, 6, 12, &l);	/* bit 28 */
	EXPECT_STREQ("6.12", l);
	EXPECT_STREQ("NOUNMAP", json_object_get_string(
			     json_object_array_get_idx(a, 0)));
	json_object_put(a);
	a = ex_req_flags(0x08000000, 6, 1, &l);		/* bit 27 */
	EXPECT_STREQ("6.1", l);
	EXPECT_STREQ("NOUNMAP", json_object_get_string(
			     json_object_array_get_idx(a, 0)));
	json_object_put(a);
	a = ex_req_flags(0x00800000, 5, 10, &l);	/* bit 23 */
	EXPECT_STREQ("5.x", l);
	EXPECT_STREQ("NOUNMAP", json_object_get_string(
			     json_object_array_get_idx(a, 0)));
	json_object_put(a);
	a = ex_req_flags(0x00020000 | 0x00040000, 0, 0, &l);
	EXPECT_STREQ("6.12", l);			/* unknown: newest */
	EXPECT_EQ(2, json_object_array_length(a));	/* FUA, PREFLUSH */
	json_object_put(a);
}

TEST(forced_kernel_wins)
{
	struct ex_ctx ctx = { .kmajor = 6, .kminor = 12, .kernel_forced = true };
	struct ex_hit h;

	ASSERT_TRUE(ex_explain_line(&ctx, "[0.0] Linux version 5.10.0-28-amd64",
				    &h));
	ex_hit_clear(&h);
	EXPECT_EQ(6, ctx.kmajor);
	EXPECT_EQ(12, ctx.kminor);
}

/* Binary junk, NUL bytes, invalid UTF-8, a huge line, no final newline:
 * nothing crashes, the long line is skipped and counted, the output stays
 * valid JSON, and the well-formed last line is still recognised. */
TEST(hostile_input)
{
	static const char junk[] = "\x00\x01\xff\xfe binary\x00junk\n";
	size_t big = 200000, len = 0;
	char *buf = malloc(big + 4096);
	struct ex_ctx ctx = { 0 };
	struct ex_stats st;
	json_object *a, *h;
	FILE *in;

	ASSERT_NE(NULL, buf);
	memcpy(buf, junk, sizeof(junk) - 1);
	len = sizeof(junk) - 1;
	memset(buf + len, 'A', big);
	len += big;
	buf[len++] = '\n';
	len += sprintf(buf + len, "\xc3\x28 I/O error, dev vda, sector 7 "
		       "op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 2 "
		       "\xe2\x82\n");
	len += sprintf(buf + len, "Unknown savevm section or instance "
		       "\xe2\x80\x98" "0000:00:0b.0/virtio-blk\xe2\x80\x99 0\n");
	len += sprintf(buf + len, "XFS (vdb): metadata I/O error in \"x\" at "
		       "daddr 0x10 len 8 error 5");	/* no newline */
	in = fmemopen(buf, len, "r");
	ASSERT_NE(NULL, in);
	a = run(in, &ctx, 4096, &st);
	fclose(in);
	EXPECT_EQ(5, st.lines);
	EXPECT_EQ(1, st.skipped);
	EXPECT_EQ(3, st.recognised);
	EXPECT_EQ(1, st.unknown);
	h = hit(a, "blk-error", 0);
	EXPECT_EQ(7, fint(h, "sector"));
	h = hit(a, "qemu-unknown-section", 0);	/* typographic quotes */
	EXPECT_EQ(11, fint(h, "pci_slot"));
	h = hit(a, "xfs", 0);
	EXPECT_EQ(0x10 * 512, fint(h, "offset"));
	json_object_put(a);
	ex_stats_free(&st);
	free(buf);
}

/* "error -2147483648": negating INT_MIN is undefined; the name must be
 * the clamped magnitude, never a negative number. */
TEST(int_min_error_in_xfs_lines)
{
	static const char log[] =
		"XFS (vdb): metadata I/O error in \"x\" at daddr 0x10 len 8 "
		"error -2147483648\n"
		"XFS (vdc): log I/O error -2147483648\n";
	struct ex_ctx ctx = { 0 };
	struct ex_stats st;
	json_object *a;
	FILE *in = fmemopen((void *)log, sizeof(log) - 1, "r");

	ASSERT_NE(NULL, in);
	a = run(in, &ctx, 4096, &st);
	fclose(in);
	EXPECT_EQ(2, st.recognised);
	EXPECT_STREQ("E2147483647", fstr(hit(a, "xfs", 0), "errno"));
	EXPECT_STREQ("E2147483647", fstr(hit(a, "xfs", 1), "errno"));
	json_object_put(a);
	ex_stats_free(&st);
}

TEST(empty_input)
{
	struct ex_ctx ctx = { 0 };
	struct ex_stats st;
	FILE *in = fmemopen((void *)"", 0, "r");
	json_object *a;

	if (!in)	/* glibc refuses size 0 in some versions */
		in = fopen("/dev/null", "r");
	ASSERT_NE(NULL, in);
	a = run(in, &ctx, 0, &st);
	fclose(in);
	EXPECT_EQ(0, st.lines);
	EXPECT_EQ(1, json_object_array_length(a));	/* the summary */
	json_object_put(a);
	ex_stats_free(&st);
}

TEST_HARNESS_MAIN
