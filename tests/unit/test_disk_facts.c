// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace disks: facts read from fake sysfs trees (a virtio disk, a loop
 * device, a disk full of garbage) and from this machine's real /sys.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "kselftest_harness.h"
#include "file_tree.h"

#include "cmd/commands.h"
#include "sink/disk_text.h"
#include "system/disk_facts.h"

/*
 * bits: SEG_MAX GEOMETRY BLK_SIZE FLUSH TOPOLOGY CONFIG_WCE MQ DISCARD
 * WRITE_ZEROES | RING_INDIRECT_DESC RING_EVENT_IDX VERSION_1
 */
#define VDA_FEATURES \
	"0010101001111110000000000000110010000000000000000000000000000000"

static const char *const vda_feature_names[] = {
	"VIRTIO_BLK_F_SEG_MAX", "VIRTIO_BLK_F_GEOMETRY",
	"VIRTIO_BLK_F_BLK_SIZE", "VIRTIO_BLK_F_FLUSH",
	"VIRTIO_BLK_F_TOPOLOGY", "VIRTIO_BLK_F_CONFIG_WCE",
	"VIRTIO_BLK_F_MQ", "VIRTIO_BLK_F_DISCARD",
	"VIRTIO_BLK_F_WRITE_ZEROES", "VIRTIO_RING_F_INDIRECT_DESC",
	"VIRTIO_RING_F_EVENT_IDX", "VIRTIO_F_VERSION_1",
};


/*
 * A virtio-blk disk as QEMU shows it with cache=none,
 * logical_block_size=4096,physical_block_size=4096,num-queues=4.
 */
static int make_vda(const char *r)
{
	return ft_put(r, "block/vda/dev", "254:0\n") ||
	       ft_put(r, "block/vda/size", "2097152\n") ||
	       ft_put(r, "block/vda/ro", "0\n") ||
	       ft_put(r, "block/vda/serial", "QM-0001\n") ||
	       ft_put(r, "block/vda/cache_type", "write back\n") ||
	       ft_link(r, "block/vda/device/driver",
		       "../../../../bus/virtio/drivers/virtio_blk") ||
	       ft_put(r, "block/vda/device/features", VDA_FEATURES "\n") ||
	       ft_put(r, "block/vda/queue/write_cache", "write back\n") ||
	       ft_put(r, "block/vda/queue/rotational", "1\n") ||
	       ft_put(r, "block/vda/queue/logical_block_size", "4096\n") ||
	       ft_put(r, "block/vda/queue/physical_block_size", "4096\n") ||
	       ft_put(r, "block/vda/queue/minimum_io_size", "4096\n") ||
	       ft_put(r, "block/vda/queue/optimal_io_size", "0\n") ||
	       ft_put(r, "block/vda/queue/discard_max_bytes", "1073741824\n") ||
	       ft_put(r, "block/vda/queue/discard_granularity", "4096\n") ||
	       ft_put(r, "block/vda/queue/write_zeroes_max_bytes", "33554432\n") ||
	       ft_put(r, "block/vda/queue/nr_requests", "256\n") ||
	       ft_put(r, "block/vda/queue/scheduler",
		   "none [mq-deadline] kyber bfq \n") ||
	       ft_mkdir(r, "block/vda/mq/0") || ft_mkdir(r, "block/vda/mq/1") ||
	       ft_mkdir(r, "block/vda/mq/2") || ft_mkdir(r, "block/vda/mq/3") ||
	       ft_put(r, "block/vda/vda1/partition", "1\n") ||
	       ft_put(r, "block/vda/vda1/dev", "254:1\n") ||
	       ft_put(r, "block/vda/vda1/start", "2048\n") ||
	       ft_put(r, "block/vda/vda1/size", "2095104\n");
}

/* An attached loop device: no device/ link, a loop/ directory. */
static int make_loop(const char *r)
{
	return ft_put(r, "block/loop3/dev", "7:3\n") ||
	       ft_put(r, "block/loop3/size", "131072\n") ||
	       ft_put(r, "block/loop3/ro", "1\n") ||
	       ft_put(r, "block/loop3/loop/backing_file", "/var/tmp/disk.img\n") ||
	       ft_put(r, "block/loop3/loop/dio", "1\n") ||
	       ft_put(r, "block/loop3/queue/write_cache", "write back\n") ||
	       ft_put(r, "block/loop3/queue/rotational", "0\n") ||
	       ft_put(r, "block/loop3/queue/logical_block_size", "512\n") ||
	       ft_put(r, "block/loop3/queue/scheduler", "[none] mq-deadline\n") ||
	       ft_mkdir(r, "block/loop3/mq/0");
}

/* Everything a broken driver, a fuzzer or a prankster could leave. */
static int make_garbage(const char *r)
{
	static char huge[1 << 20];

	memset(huge, 'A', sizeof(huge));
	return ft_put(r, "block/vdz/dev", "254:16\n") ||
	       ft_link(r, "block/vdz/device/driver", "virtio_blk") ||
	       ft_put(r, "block/vdz/size", "12abc\n") ||
	       ft_put(r, "block/vdz/ro", "\n") ||
	       ft_put_n(r, "block/vdz/serial", "se\x01ri\xff" "al\n", -1) ||
	       ft_put_n(r, "block/vdz/device/model", huge, sizeof(huge)) ||
	       ft_put(r, "block/vdz/device/features", "01x1\n") ||
	       ft_put(r, "block/vdz/cache_type", "write sideways\n") ||
	       ft_put(r, "block/vdz/queue/write_cache", "write sideways\n") ||
	       ft_put(r, "block/vdz/queue/rotational", "2\n") ||
	       ft_put(r, "block/vdz/queue/logical_block_size", "-512\n") ||
	       ft_put(r, "block/vdz/queue/physical_block_size",
		   "99999999999999999999999\n") ||
	       ft_put(r, "block/vdz/queue/minimum_io_size", "") ||
	       ft_put(r, "block/vdz/queue/optimal_io_size", " 7\n") ||
	       ft_put_n(r, "block/vdz/queue/discard_max_bytes", "5\0" "12", 4) ||
	       ft_put(r, "block/vdz/queue/discard_granularity", "0x1000\n") ||
	       ft_put(r, "block/vdz/queue/scheduler", "none [mq-dead\n") ||
	       ft_put(r, "block/vdz/mq", "not a directory\n") ||
	       ft_mkfifo(r, "block/vdz/queue/nr_requests") ||
	       ft_put(r, "block/vdz/vdz1/partition", "1\n") ||
	       ft_put(r, "block/vdz/vdz1/dev", "254:17:3\n") ||
	       ft_put(r, "block/vdz/vdz1/start", "-1\n") ||
	       ft_put(r, "block/vdz/vdz1/size", "18446744073709551615\n") ||
	       ft_put(r, "block/we\tird\x7f\xc3\xa9/dev", "259:3\n");
}

FIXTURE(sysfs) {
	char root[64];
};

FIXTURE_SETUP(sysfs)
{
	snprintf(self->root, sizeof(self->root), "/tmp/vbt-sysfs-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	ASSERT_EQ(0, make_vda(self->root));
	ASSERT_EQ(0, make_loop(self->root));
	ASSERT_EQ(0, make_garbage(self->root));
}

FIXTURE_TEARDOWN(sysfs)
{
	ft_rm_tree(self->root);
}

static const struct vbt_disk_facts *find(const struct vbt_disk_facts *f,
					 int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(f[i].id.name, name))
			return &f[i];
	return NULL;
}

static bool has_hint(const struct vbt_disk_facts *f, const char *text)
{
	for (int i = 0; i < f->nhints; i++)
		if (strstr(f->hints[i], text))
			return true;
	return false;
}

static char *render_text(const struct vbt_disk_facts *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	vbt_disk_facts_print(f, m);
	fclose(m);
	return buf;
}

/* The JSON line, parsed back: what a script reading -j sees. */
static struct json_object *render_json(const struct vbt_disk_facts *f)
{
	struct json_object *o = vbt_disk_facts_json(f);
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	struct json_object *back = json_tokener_parse(s);

	json_object_put(o);
	return back;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return -1;
	return json_object_get_int64(v);
}

static bool jnull(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && !v;
}

TEST_F(sysfs, disks_are_sorted_and_odd_names_survive)
{
	struct vbt_disk_facts *f;
	int n = vbt_disk_facts_scan(self->root, &f);

	ASSERT_EQ(4, n);
	EXPECT_STREQ("loop3", f[0].id.name);
	EXPECT_STREQ("vda", f[1].id.name);
	EXPECT_STREQ("vdz", f[2].id.name);
	/* the raw name stays usable, the shown one is printable */
	EXPECT_STREQ("we\tird\x7f\xc3\xa9", f[3].id.name);
	EXPECT_STREQ("we?ird???", f[3].name);
	EXPECT_EQ(259, f[3].id.major);
	EXPECT_EQ(VBT_UNKNOWN, f[3].size);
	vbt_disk_facts_free(f, n);
}

TEST_F(sysfs, virtio_disk_facts)
{
	struct vbt_disk_facts f;

	ASSERT_EQ(0, vbt_disk_facts_get(self->root, "vda", &f));
	EXPECT_STREQ("vda", f.name);
	EXPECT_EQ(254, f.id.major);
	EXPECT_EQ(0, f.id.minor);
	EXPECT_TRUE(f.id.virtio);
	EXPECT_STREQ("virtio_blk", f.driver);
	EXPECT_EQ(2097152ULL * 512, f.size);
	EXPECT_STREQ("QM-0001", f.serial);
	EXPECT_STREQ("", f.model);
	EXPECT_EQ(VBT_WCACHE_WRITE_BACK, f.wcache);
	EXPECT_EQ(VBT_WCACHE_WRITE_BACK, f.dev_wcache);
	EXPECT_EQ(VBT_TRI_YES, f.rotational);
	EXPECT_EQ(VBT_TRI_NO, f.read_only);
	EXPECT_EQ(4096, f.logical_block_size);
	EXPECT_EQ(4096, f.physical_block_size);
	EXPECT_EQ(4096, f.minimum_io_size);
	EXPECT_EQ(0, f.optimal_io_size);
	EXPECT_EQ(1073741824, f.discard_max_bytes);
	EXPECT_EQ(4096, f.discard_granularity);
	EXPECT_EQ(33554432, f.write_zeroes_max_bytes);
	EXPECT_EQ(4, f.hw_queues);
	EXPECT_EQ(256, f.nr_requests);
	EXPECT_STREQ("mq-deadline", f.scheduler);
	EXPECT_STREQ("", f.backing_file);

	ASSERT_EQ(1, f.nparts);
	EXPECT_STREQ("vda1", f.parts[0].name);
	EXPECT_TRUE(f.parts[0].dev_known);
	EXPECT_EQ(254, f.parts[0].major);
	EXPECT_EQ(1, f.parts[0].minor);
	EXPECT_EQ(2048, f.parts[0].start);
	EXPECT_EQ(2095104ULL * 512, f.parts[0].size);
	vbt_disk_facts_fini(&f);
}

TEST_F(sysfs, virtio_features_decoded_bit0_first)
{
	struct vbt_disk_facts f;
	unsigned int want[] = { 2, 4, 6, 9, 10, 11, 12, 13, 14, 28, 29, 32 };
	size_t k = 0;

	ASSERT_EQ(0, vbt_disk_facts_get(self->root, "vda", &f));
	ASSERT_TRUE(f.features_known);
	EXPECT_STREQ(VDA_FEATURES, f.features_raw);
	for (unsigned int bit = 0; bit < VBT_FEATURE_BITS; bit++) {
		if (!vbt_disk_has_feature(&f, bit))
			continue;
		ASSERT_LT(k, sizeof(want) / sizeof(want[0]));
		EXPECT_EQ(want[k], bit);
		EXPECT_STREQ(vda_feature_names[k], vbt_virtio_feature_name(bit));
		k++;
	}
	EXPECT_EQ(sizeof(want) / sizeof(want[0]), k);
	vbt_disk_facts_fini(&f);
}

TEST_F(sysfs, virtio_hints_name_the_host_config)
{
	struct vbt_disk_facts f;

	ASSERT_EQ(0, vbt_disk_facts_get(self->root, "vda", &f));
	EXPECT_TRUE(has_hint(&f, "write back: the host drive has a writeback "
			     "cache (QEMU cache=none, writeback or unsafe; "
			     "write-cache=on)"));
	EXPECT_TRUE(has_hint(&f, "logical block size 4096: the host drive set "
			     "logical_block_size=4096"));
	EXPECT_TRUE(has_hint(&f, "MQ: 4 hardware queues"));
	EXPECT_TRUE(has_hint(&f, "CONFIG_WCE: the guest may switch the mode"));
	EXPECT_FALSE(has_hint(&f, "no DISCARD"));
	EXPECT_FALSE(has_hint(&f, "no GEOMETRY"));
	/* logical == physical: nothing to say about physical_block_size */
	EXPECT_FALSE(has_hint(&f, "physical block size"));
	vbt_disk_facts_fini(&f);
}

TEST_F(sysfs, write_through_and_missing_features)
{
	struct vbt_disk_facts f;

	/* cache=writethrough on a read-only drive, discard=off, 1 queue */
	ASSERT_EQ(0, ft_put(self->root, "block/vda/queue/write_cache",
			 "write through\n"));
	ASSERT_EQ(0, ft_put(self->root, "block/vda/cache_type", "write through\n"));
	ASSERT_EQ(0, ft_put(self->root, "block/vda/device/features",
			 "0010111001110000000000000000110010000000000000000000000000000000\n"));
	ASSERT_EQ(0, vbt_disk_facts_get(self->root, "vda", &f));
	EXPECT_EQ(VBT_WCACHE_WRITE_THROUGH, f.wcache);
	EXPECT_TRUE(vbt_disk_has_feature(&f, VBT_VIRTIO_BLK_F_RO));
	EXPECT_FALSE(vbt_disk_has_feature(&f, VBT_VIRTIO_BLK_F_DISCARD));
	EXPECT_TRUE(has_hint(&f, "write through: the host drive has "
			     "write-cache=off (QEMU cache=writethrough or "
			     "directsync)"));
	EXPECT_TRUE(has_hint(&f, "no DISCARD feature"));
	EXPECT_TRUE(has_hint(&f, "no WRITE_ZEROES feature"));
	EXPECT_TRUE(has_hint(&f, "no MQ feature"));
	EXPECT_TRUE(has_hint(&f, "RO feature: the host drive is read-only"));
	vbt_disk_facts_fini(&f);
}

TEST_F(sysfs, guest_override_of_write_cache_is_told)
{
	struct vbt_disk_facts f;

	ASSERT_EQ(0, ft_put(self->root, "block/vda/queue/write_cache",
			 "write through\n"));
	ASSERT_EQ(0, vbt_disk_facts_get(self->root, "vda", &f));
	EXPECT_EQ(VBT_WCACHE_WRITE_THROUGH, f.wcache);
	EXPECT_EQ(VBT_WCACHE_WRITE_BACK, f.dev_wcache);
	EXPECT_TRUE(has_hint(&f, "the device says write back but "
			     "queue/write_cache says write through"));
	vbt_disk_facts_fini(&f);
}

TEST_F(sysfs, loop_device_facts)
{
	struct vbt_disk_facts f;

	ASSERT_EQ(0, vbt_disk_facts_get(self->root, "loop3", &f));
	EXPECT_EQ(7, f.id.major);
	EXPECT_EQ(3, f.id.minor);
	EXPECT_FALSE(f.id.virtio);
	EXPECT_STREQ("loop", f.driver);
	EXPECT_EQ(131072ULL * 512, f.size);
	EXPECT_EQ(VBT_TRI_YES, f.read_only);
	EXPECT_EQ(VBT_TRI_NO, f.rotational);
	EXPECT_STREQ("none", f.scheduler);
	EXPECT_EQ(1, f.hw_queues);
	EXPECT_STREQ("/var/tmp/disk.img", f.backing_file);
	EXPECT_EQ(VBT_TRI_YES, f.loop_dio);
	EXPECT_FALSE(f.features_known);
	EXPECT_TRUE(has_hint(&f, "loop device over /var/tmp/disk.img, direct "
			     "I/O on"));
	/* files the tree does not have are unknown, not zero */
	EXPECT_EQ(VBT_UNKNOWN, f.physical_block_size);
	EXPECT_EQ(VBT_UNKNOWN, f.nr_requests);
	EXPECT_EQ(0, f.nparts);
	vbt_disk_facts_fini(&f);
}

TEST_F(sysfs, garbage_is_unknown)
{
	struct vbt_disk_facts f;
	char *text;

	ASSERT_EQ(0, vbt_disk_facts_get(self->root, "vdz", &f));
	EXPECT_TRUE(f.id.virtio);
	EXPECT_EQ(VBT_UNKNOWN, f.size);
	EXPECT_EQ(VBT_TRI_UNKNOWN, f.read_only);
	EXPECT_EQ(VBT_TRI_UNKNOWN, f.rotational);
	EXPECT_EQ(VBT_WCACHE_UNKNOWN, f.wcache);
	EXPECT_EQ(VBT_WCACHE_UNKNOWN, f.dev_wcache);
	EXPECT_EQ(VBT_UNKNOWN, f.logical_block_size);
	EXPECT_EQ(VBT_UNKNOWN, f.physical_block_size);
	EXPECT_EQ(VBT_UNKNOWN, f.minimum_io_size);
	EXPECT_EQ(VBT_UNKNOWN, f.optimal_io_size);
	EXPECT_EQ(VBT_UNKNOWN, f.discard_max_bytes);
	EXPECT_EQ(VBT_UNKNOWN, f.discard_granularity);
	EXPECT_EQ(VBT_UNKNOWN, f.hw_queues);
	EXPECT_EQ(VBT_UNKNOWN, f.nr_requests);	/* a FIFO: never blocks */
	EXPECT_STREQ("", f.scheduler);
	EXPECT_STREQ("se?ri?al", f.serial);
	EXPECT_STREQ("", f.model);		/* larger than any attribute */
	EXPECT_FALSE(f.features_known);
	EXPECT_TRUE(has_hint(&f, "negotiated features unknown"));
	ASSERT_EQ(1, f.nparts);
	EXPECT_FALSE(f.parts[0].dev_known);
	EXPECT_EQ(VBT_UNKNOWN, f.parts[0].start);
	EXPECT_EQ(VBT_UNKNOWN, f.parts[0].size);

	text = render_text(&f);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "write cache: unknown"));
	EXPECT_NE(NULL, strstr(text, "logical block size: unknown"));
	EXPECT_NE(NULL, strstr(text, "features: unknown"));
	free(text);
	vbt_disk_facts_fini(&f);
}

TEST_F(sysfs, text_has_stable_lines)
{
	struct vbt_disk_facts f;
	char *text;

	ASSERT_EQ(0, vbt_disk_facts_get(self->root, "vda", &f));
	text = render_text(&f);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "vda  254:0  virtio_blk  1 GiB (1073741824 bytes)"));
	EXPECT_NE(NULL, strstr(text, "write cache: write back"));
	EXPECT_NE(NULL, strstr(text, "logical block size: 4096"));
	EXPECT_NE(NULL, strstr(text, "hardware queues: 4"));
	EXPECT_NE(NULL, strstr(text, "scheduler: mq-deadline"));
	EXPECT_NE(NULL, strstr(text, "features: SEG_MAX GEOMETRY BLK_SIZE FLUSH "
			       "TOPOLOGY CONFIG_WCE MQ DISCARD WRITE_ZEROES | "
			       "RING_INDIRECT_DESC RING_EVENT_IDX VERSION_1\n"));
	EXPECT_NE(NULL, strstr(text, "partition vda1  254:1  start sector 2048"));
	free(text);
	vbt_disk_facts_fini(&f);
}

TEST_F(sysfs, json_fields)
{
	struct json_object *o, *feat, *parts, *p0;
	struct vbt_disk_facts f;

	ASSERT_EQ(0, vbt_disk_facts_get(self->root, "vda", &f));
	o = render_json(&f);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(1, jint(o, "v"));
	EXPECT_STREQ("disk", jstr(o, "kind"));
	EXPECT_STREQ("vda", jstr(o, "name"));
	EXPECT_EQ(254, jint(o, "major"));
	EXPECT_EQ(1073741824, jint(o, "size"));
	EXPECT_STREQ("virtio_blk", jstr(o, "driver"));
	EXPECT_STREQ("write back", jstr(o, "cache_type"));
	EXPECT_EQ(4096, jint(o, "logical_block_size"));
	EXPECT_EQ(4, jint(o, "hw_queues"));
	EXPECT_STREQ(VDA_FEATURES, jstr(o, "features_raw"));
	EXPECT_TRUE(jnull(o, "model"));
	ASSERT_TRUE(json_object_object_get_ex(o, "features", &feat));
	ASSERT_EQ(12, json_object_array_length(feat));
	for (size_t i = 0; i < 12; i++)
		EXPECT_STREQ(vda_feature_names[i], json_object_get_string(
				json_object_array_get_idx(feat, i)));
	ASSERT_TRUE(json_object_object_get_ex(o, "partitions", &parts));
	ASSERT_EQ(1, json_object_array_length(parts));
	p0 = json_object_array_get_idx(parts, 0);
	EXPECT_STREQ("vda1", jstr(p0, "name"));
	EXPECT_EQ(2048, jint(p0, "start"));
	json_object_put(o);
	vbt_disk_facts_fini(&f);
}

TEST_F(sysfs, json_of_garbage_and_loop)
{
	struct vbt_disk_facts *f;
	struct json_object *o;
	int n = vbt_disk_facts_scan(self->root, &f);

	ASSERT_EQ(4, n);
	for (int i = 0; i < n; i++) {
		o = render_json(&f[i]);
		ASSERT_NE(NULL, o);	/* always valid JSON */
		json_object_put(o);
	}
	o = render_json(find(f, n, "vdz"));
	EXPECT_TRUE(jnull(o, "size"));
	EXPECT_TRUE(jnull(o, "cache_type"));
	EXPECT_TRUE(jnull(o, "logical_block_size"));
	EXPECT_TRUE(jnull(o, "features"));
	EXPECT_TRUE(jnull(o, "features_raw"));
	EXPECT_TRUE(jnull(o, "rotational"));
	json_object_put(o);
	o = render_json(find(f, n, "loop3"));
	EXPECT_STREQ("loop", jstr(o, "driver"));
	EXPECT_STREQ("/var/tmp/disk.img", jstr(o, "backing_file"));
	EXPECT_FALSE(json_object_object_get_ex(o, "features", NULL));
	json_object_put(o);
	vbt_disk_facts_free(f, n);
}

TEST_F(sysfs, long_feature_strings_are_cut_not_overrun)
{
	char bits[601];
	struct vbt_disk_facts f;

	memset(bits, '0', 600);
	bits[600] = 0;
	bits[200] = '1';
	bits[599] = '1';
	ASSERT_EQ(0, ft_put(self->root, "block/vda/device/features", bits));
	ASSERT_EQ(0, vbt_disk_facts_get(self->root, "vda", &f));
	ASSERT_TRUE(f.features_known);
	EXPECT_TRUE(vbt_disk_has_feature(&f, 200));
	EXPECT_FALSE(vbt_disk_has_feature(&f, 599));
	EXPECT_EQ(VBT_FEATURE_BITS, strlen(f.features_raw));
	vbt_disk_facts_fini(&f);
}

TEST_F(sysfs, unknown_and_partition_names_are_not_disks)
{
	struct vbt_disk_facts f;

	EXPECT_EQ(-ENOENT, vbt_disk_facts_get(self->root, "vdq", &f));
	EXPECT_EQ(-ENOENT, vbt_disk_facts_get(self->root, "vda1", &f));
	EXPECT_EQ(-ENOENT, vbt_disk_facts_get(self->root, "", &f));
}

TEST(missing_sysroot_is_an_error)
{
	struct vbt_disk_facts *f;

	EXPECT_GT(0, vbt_disk_facts_scan("/nonexistent/vbt", &f));
}

TEST(feature_names_follow_the_kernel_headers)
{
	EXPECT_STREQ("VIRTIO_BLK_F_SIZE_MAX", vbt_virtio_feature_name(1));
	EXPECT_STREQ("VIRTIO_BLK_F_RO", vbt_virtio_feature_name(5));
	EXPECT_STREQ("VIRTIO_BLK_F_FLUSH", vbt_virtio_feature_name(9));
	EXPECT_STREQ("VIRTIO_BLK_F_CONFIG_WCE", vbt_virtio_feature_name(11));
	EXPECT_STREQ("VIRTIO_BLK_F_SECURE_ERASE", vbt_virtio_feature_name(16));
	EXPECT_STREQ("VIRTIO_BLK_F_ZONED", vbt_virtio_feature_name(17));
	EXPECT_STREQ("VIRTIO_RING_F_INDIRECT_DESC", vbt_virtio_feature_name(28));
	EXPECT_STREQ("VIRTIO_F_VERSION_1", vbt_virtio_feature_name(32));
	EXPECT_STREQ("VIRTIO_F_RING_PACKED", vbt_virtio_feature_name(34));
	EXPECT_STREQ("VIRTIO_F_NOTIFICATION_DATA", vbt_virtio_feature_name(38));
	EXPECT_EQ(NULL, vbt_virtio_feature_name(3));
	EXPECT_EQ(NULL, vbt_virtio_feature_name(63));
	EXPECT_EQ(NULL, vbt_virtio_feature_name(100000));
}

/* This machine: every loop device reported carries /sys/block/loopN/dev. */
TEST(real_sys_loop_devices_match_dev)
{
	struct vbt_disk_facts *f;
	int n = vbt_disk_facts_scan("/sys", &f), loops = 0;

	ASSERT_LE(0, n);
	for (int i = 0; i < n; i++) {
		char path[256], buf[64], want[64];
		FILE *fp;

		if (strcmp(f[i].driver, "loop"))
			continue;
		loops++;
		EXPECT_EQ(0, strncmp(f[i].id.name, "loop", 4));
		snprintf(path, sizeof(path), "/sys/block/%s/dev", f[i].id.name);
		fp = fopen(path, "r");
		ASSERT_NE(NULL, fp);
		ASSERT_NE(NULL, fgets(buf, sizeof(buf), fp));
		fclose(fp);
		buf[strcspn(buf, "\n")] = 0;
		snprintf(want, sizeof(want), "%u:%u", f[i].id.major,
			 f[i].id.minor);
		EXPECT_STREQ(buf, want);
		EXPECT_EQ(7, f[i].id.major);
		EXPECT_NE(VBT_UNKNOWN, f[i].size);
		EXPECT_NE(VBT_UNKNOWN, f[i].logical_block_size);
	}
	vbt_disk_facts_free(f, n);
	if (!loops)
		SKIP(return, "no loop devices on this machine");
	TH_LOG("%d loop devices checked", loops);
}

TEST(command_refuses_unknown_disk_and_tracing_options)
{
	char *bad_disk[] = { "disks", "-d", "no-such-disk-vbt", NULL };
	char *bad_opt[] = { "disks", "-p", "1", NULL };
	char *help[] = { "disks", "--help", NULL };
	int out = dup(1);

	/* the command talks on stdout and stderr; keep TAP readable */
	fflush(stdout);
	ASSERT_EQ(0, freopen("/dev/null", "w", stdout) ? 0 : -1);
	EXPECT_EQ(2, cmd_disks(3, bad_disk));
	EXPECT_EQ(2, cmd_disks(3, bad_opt));
	EXPECT_EQ(0, cmd_disks(2, help));
	fflush(stdout);
	dup2(out, 1);
	close(out);
}

TEST_HARNESS_MAIN
