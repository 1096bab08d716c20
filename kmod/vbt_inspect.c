// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-blk inspector: /sys/kernel/debug/vblktrace/<disk>/{features,
 * config,queues,errors}, what userspace cannot read cheaply.
 *
 * Virtio devices are found on the virtio bus, which is not exported: a
 * driver that matches no device is registered only to learn the bus from
 * it, and to hear of disks bound later.  Each read looks the disk up again
 * and works under the virtio device's lock, so virtio_blk cannot unbind
 * meanwhile.  Feature bits are read from vdev->features, never with
 * virtio_has_feature(), which BUG()s when the bound driver did not list
 * the bit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <uapi/linux/virtio_blk.h>
#include <uapi/linux/virtio_pci.h>

#include "vbt.h"

/* Config space read when probing its size: beyond all known fields. */
#define VBT_CFG_PROBE	128

struct vbt_idisk {
	struct list_head list;
	struct dentry *dir;
	char name[DISK_NAME_LEN];
};

static LIST_HEAD(idisks);
static DEFINE_MUTEX(idisks_lock);
static struct dentry *root;

/* ---- finding a disk ------------------------------------------------ */

static int block_child(struct device *dev, void *data)
{
	struct gendisk **disk = data;

	if (dev->class && !strcmp(dev->class->name, "block")) {
		*disk = dev_to_disk(dev);
		return 1;
	}
	return 0;
}

/* The disk virtio_blk made of @dev, if it is bound to virtio_blk. */
static struct gendisk *vdev_disk(struct device *dev)
{
	struct gendisk *disk = NULL;

	if (!dev->driver || strcmp(dev->driver->name, "virtio_blk"))
		return NULL;
	device_for_each_child(dev, &disk, block_child);
	return disk;
}

static int match_name(struct device *dev, const void *data)
{
	struct gendisk *disk = vdev_disk(dev);

	return disk && !strcmp(disk->disk_name, data);
}

static int vbt_noprobe(struct virtio_device *vdev)
{
	return -ENODEV;
}

static const struct virtio_device_id no_ids[] = { { 0 } };

static struct virtio_driver vbt_vdrv = {
	.driver.name = "vblktrace_inspect",
	.id_table = no_ids,
	.probe = vbt_noprobe,
};

typedef void (*vbt_show_fn)(struct seq_file *m, struct virtio_device *vdev,
			    struct gendisk *disk);

/* Runs @fn on the disk named by the file, under its device's lock. */
static int with_disk(struct seq_file *m, vbt_show_fn fn)
{
	struct vbt_idisk *d = m->private;
	struct gendisk *disk;
	struct device *dev;

	dev = bus_find_device(vbt_vdrv.driver.bus, NULL, d->name, match_name);
	if (!dev)
		return -ENODEV;
	device_lock(dev);
	disk = vdev_disk(dev);
	if (disk && !strcmp(disk->disk_name, d->name))
		fn(m, dev_to_virtio(dev), disk);
	device_unlock(dev);
	put_device(dev);
	return disk ? 0 : -ENODEV;
}

/* ---- features ------------------------------------------------------ */

static const char *const feature_names[64] = {
	[0] = "BARRIER", [1] = "SIZE_MAX", [2] = "SEG_MAX",
	[4] = "GEOMETRY", [5] = "RO", [6] = "BLK_SIZE", [7] = "SCSI",
	[9] = "FLUSH", [10] = "TOPOLOGY", [11] = "CONFIG_WCE", [12] = "MQ",
	[13] = "DISCARD", [14] = "WRITE_ZEROES", [15] = "LIFETIME",
	[16] = "SECURE_ERASE", [17] = "ZONED",
	[24] = "NOTIFY_ON_EMPTY", [27] = "ANY_LAYOUT",
	[28] = "RING_INDIRECT_DESC", [29] = "RING_EVENT_IDX",
	[32] = "VERSION_1", [33] = "ACCESS_PLATFORM", [34] = "RING_PACKED",
	[35] = "IN_ORDER", [36] = "ORDER_PLATFORM", [37] = "SR_IOV",
	[38] = "NOTIFICATION_DATA", [39] = "NOTIF_CONFIG_DATA",
	[40] = "RING_RESET",
};

#define F_SIZE_MAX	1
#define F_SEG_MAX	2
#define F_GEOMETRY	4
#define F_BLK_SIZE	6
#define F_TOPOLOGY	10
#define F_CONFIG_WCE	11
#define F_MQ		12
#define F_DISCARD	13
#define F_WRITE_ZEROES	14
#define F_SECURE_ERASE	16
#define F_ZONED		17
#define F_VERSION_1	32

/* The negotiated bits, as the kernel keeps them. */
static u64 negotiated(struct virtio_device *vdev)
{
	return vdev->features;
}

static void bitstring(struct seq_file *m, const char *key, u64 bits)
{
	int i;

	seq_printf(m, "%s ", key);
	for (i = 0; i < 64; i++)
		seq_putc(m, bits & BIT_ULL(i) ? '1' : '0');
	seq_putc(m, '\n');
}

static void names(struct seq_file *m, const char *key, u64 bits)
{
	const char *sep = "";
	int i;

	seq_printf(m, "%s ", key);
	for (i = 0; i < 64; i++) {
		if (!(bits & BIT_ULL(i)))
			continue;
		if (feature_names[i])
			seq_printf(m, "%s%s", sep, feature_names[i]);
		else
			seq_printf(m, "%sbit%d", sep, i);
		sep = ",";
	}
	seq_puts(m, sep[0] ? "\n" : "-\n");
}

static void show_features(struct seq_file *m, struct virtio_device *vdev,
			  struct gendisk *disk)
{
	u64 neg = negotiated(vdev);
	u64 off = vdev->config->get_features(vdev);

	/* Same bit string as /sys/block/<disk>/device/features. */
	bitstring(m, "negotiated", neg);
	bitstring(m, "offered", off);
	names(m, "negotiated_names", neg);
	names(m, "offered_not_negotiated", off & ~neg);
}

static int features_show(struct seq_file *m, void *v)
{
	return with_disk(m, show_features);
}
DEFINE_SHOW_ATTRIBUTE(features);

/* ---- config space -------------------------------------------------- */

struct cfg_field {
	const char *name;
	u8 off;
	u8 len;
	s8 feature;	/* the bit that makes the field valid, -1: always */
};

/* struct virtio_blk_config, by the virtio specification's offsets. */
static const struct cfg_field fields[] = {
	{ "capacity", 0, 8, -1 },
	{ "size_max", 8, 4, F_SIZE_MAX },
	{ "seg_max", 12, 4, F_SEG_MAX },
	{ "geometry.cylinders", 16, 2, F_GEOMETRY },
	{ "geometry.heads", 18, 1, F_GEOMETRY },
	{ "geometry.sectors", 19, 1, F_GEOMETRY },
	{ "blk_size", 20, 4, F_BLK_SIZE },
	{ "physical_block_exp", 24, 1, F_TOPOLOGY },
	{ "alignment_offset", 25, 1, F_TOPOLOGY },
	{ "min_io_size", 26, 2, F_TOPOLOGY },
	{ "opt_io_size", 28, 4, F_TOPOLOGY },
	{ "writeback", 32, 1, F_CONFIG_WCE },
	{ "num_queues", 34, 2, F_MQ },
	{ "max_discard_sectors", 36, 4, F_DISCARD },
	{ "max_discard_seg", 40, 4, F_DISCARD },
	{ "discard_sector_alignment", 44, 4, F_DISCARD },
	{ "max_write_zeroes_sectors", 48, 4, F_WRITE_ZEROES },
	{ "max_write_zeroes_seg", 52, 4, F_WRITE_ZEROES },
	{ "write_zeroes_may_unmap", 56, 1, F_WRITE_ZEROES },
	{ "max_secure_erase_sectors", 60, 4, F_SECURE_ERASE },
	{ "max_secure_erase_seg", 64, 4, F_SECURE_ERASE },
	{ "secure_erase_sector_alignment", 68, 4, F_SECURE_ERASE },
	{ "zoned.zone_sectors", 72, 4, F_ZONED },
	{ "zoned.max_open_zones", 76, 4, F_ZONED },
	{ "zoned.max_active_zones", 80, 4, F_ZONED },
	{ "zoned.max_append_sectors", 84, 4, F_ZONED },
	{ "zoned.write_granularity", 88, 4, F_ZONED },
	{ "zoned.model", 92, 1, F_ZONED },
};

/*
 * The size the device's offered features imply: the fields before
 * max_discard_sectors always exist, each later group with its feature
 * (QEMU sizes its config space by this rule, and a migration target must
 * agree with the source on it).
 */
static u32 size_by_features(u64 offered)
{
	u32 size = 36;

	if (offered & BIT_ULL(F_DISCARD))
		size = max(size, 48U);
	if (offered & BIT_ULL(F_WRITE_ZEROES))
		size = max(size, 57U);
	if (offered & BIT_ULL(F_SECURE_ERASE))
		size = max(size, 72U);
	if (offered & BIT_ULL(F_ZONED))
		size = max(size, 96U);
	return size;
}

/*
 * Length of the device-specific config region the modern transport mapped
 * (its VIRTIO_PCI_CAP_DEVICE_CFG capability), 0 if unknown.  The transport
 * maps exactly that much and BUG()s on reads beyond, so the capability is
 * chosen and sized as virtio_pci_modern_dev.c does: the first one of the
 * type whose BAR is a memory BAR that exists, offset 4-aligned, the region
 * inside the BAR, at most a page.  A capability the transport would not
 * have mapped gives 0: the caller then reads only what the features imply.
 */
static u32 cfg_region_len(struct virtio_device *vdev)
{
	struct device *parent = vdev->dev.parent;
	struct pci_dev *pdev;
	u32 offset, len;
	u8 pos, type, bar;

	if (!(negotiated(vdev) & BIT_ULL(F_VERSION_1)) || !parent ||
	    !dev_is_pci(parent))
		return 0;
	pdev = to_pci_dev(parent);
	for (pos = pci_find_capability(pdev, PCI_CAP_ID_VNDR); pos;
	     pos = pci_find_next_capability(pdev, pos, PCI_CAP_ID_VNDR)) {
		pci_read_config_byte(pdev, pos +
				     offsetof(struct virtio_pci_cap, cfg_type),
				     &type);
		pci_read_config_byte(pdev, pos +
				     offsetof(struct virtio_pci_cap, bar),
				     &bar);
		if (type != VIRTIO_PCI_CAP_DEVICE_CFG)
			continue;
		/* virtio_pci_find_capability() skips these too */
		if (bar >= PCI_STD_NUM_BARS || !pci_resource_len(pdev, bar) ||
		    !(pci_resource_flags(pdev, bar) & IORESOURCE_MEM))
			continue;
		pci_read_config_dword(pdev, pos +
				      offsetof(struct virtio_pci_cap, offset),
				      &offset);
		pci_read_config_dword(pdev, pos +
				      offsetof(struct virtio_pci_cap, length),
				      &len);
		/* vp_modern_map_capability()'s checks */
		if (offset & 3 || (u64)offset + len >
		    pci_resource_len(pdev, bar))
			return 0;
		return min_t(u32, len, PAGE_SIZE);
	}
	return 0;
}

/* Config fields are little-endian, or guest-endian on legacy devices. */
static u64 field_value(const u8 *buf, const struct cfg_field *f, bool le)
{
	u64 v = 0;
	int i;

	for (i = 0; i < f->len; i++)
		v |= (u64)buf[f->off + (le ? i : f->len - 1 - i)] << (8 * i);
	return v;
}

/*
 * Reads past the end of the config space return all ones on QEMU, so the
 * last byte that is not 0xff ends it.  Only done where the mapping is
 * known to be large enough (cfg_region_len()).
 */
static u32 probe_size(const u8 *buf, u32 len)
{
	while (len && buf[len - 1] == 0xff)
		len--;
	return len;
}

static void show_config(struct seq_file *m, struct virtio_device *vdev,
			struct gendisk *disk)
{
	u64 neg = negotiated(vdev), off = vdev->config->get_features(vdev);
	bool le = (neg & BIT_ULL(F_VERSION_1)) ||
		  virtio_legacy_is_little_endian();
	u32 region = cfg_region_len(vdev), by_features = size_by_features(off);
	u32 probed = 0, readable = by_features;
	u8 buf[VBT_CFG_PROBE];
	int i;

	memset(buf, 0xff, sizeof(buf));
	if (region) {
		readable = min_t(u32, region, VBT_CFG_PROBE);
		virtio_cread_bytes(vdev, 0, buf, readable);
		probed = probe_size(buf, readable);
	} else {
		virtio_cread_bytes(vdev, 0, buf, by_features);
	}
	/* name value feature negotiated */
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct cfg_field *f = &fields[i];

		if (f->off + f->len > (probed ?: by_features))
			continue;
		seq_printf(m, "%s %llu %s %s\n", f->name,
			   field_value(buf, f, le),
			   f->feature < 0 ? "-" : feature_names[f->feature],
			   f->feature < 0 || neg & BIT_ULL(f->feature) ?
			   "on" : "off");
	}
	seq_printf(m, "config_size_features %u\n", by_features);
	if (probed)
		seq_printf(m, "config_size_probed %u\n", probed);
	else
		seq_puts(m, "config_size_probed unknown\n");
	seq_printf(m, "config_region_len %u\n", region);
	seq_printf(m, "config_struct_size %zu\n",
		   sizeof(struct virtio_blk_config));
}

static int config_show(struct seq_file *m, void *v)
{
	return with_disk(m, show_config);
}
DEFINE_SHOW_ATTRIBUTE(config);

/* ---- queues -------------------------------------------------------- */

struct inflight {
	struct request_queue *q;
	unsigned int n[64];
};

static bool count_rq(struct request *rq, void *data)
{
	struct inflight *in = data;

	if (rq->q == in->q && rq->mq_hctx &&
	    rq->mq_hctx->queue_num < ARRAY_SIZE(in->n))
		in->n[rq->mq_hctx->queue_num]++;
	return true;
}

static void show_queues(struct seq_file *m, struct virtio_device *vdev,
			struct gendisk *disk)
{
	struct request_queue *q = disk->queue;
	struct inflight *in;
	struct virtqueue *vq;
	unsigned int i, nvq = 0;

	list_for_each_entry(vq, &vdev->vqs, list)
		nvq++;
	seq_printf(m, "virtqueues %u\n", nvq);
	seq_printf(m, "hw_queues %u\n", q->nr_hw_queues);
	/* name index size free in_flight_descriptors */
	list_for_each_entry(vq, &vdev->vqs, list) {
		unsigned int size = virtqueue_get_vring_size(vq);
		unsigned int free = READ_ONCE(vq->num_free);

		seq_printf(m, "vq %s %u %u %u %u\n", vq->name, vq->index,
			   size, free, size - min(size, free));
	}
	in = kzalloc(sizeof(*in), GFP_KERNEL);
	if (!in || !q->tag_set) {
		kfree(in);
		return;
	}
	in->q = q;
	blk_mq_tagset_busy_iter(q->tag_set, count_rq, in);
	/* hctx index in_flight_requests */
	for (i = 0; i < q->nr_hw_queues && i < ARRAY_SIZE(in->n); i++)
		seq_printf(m, "hctx %u %u\n", i, in->n[i]);
	kfree(in);
}

static int queues_show(struct seq_file *m, void *v)
{
	return with_disk(m, show_queues);
}
DEFINE_SHOW_ATTRIBUTE(queues);

/* ---- errors -------------------------------------------------------- */

static const char *const op_names[VBT_OP_MAX] = {
	"READ", "WRITE", "FLUSH", "DISCARD", "SECURE_ERASE", "WRITE_ZEROES",
	"ZONE_OPEN", "ZONE_CLOSE", "ZONE_FINISH", "ZONE_APPEND", "ZONE_RESET",
	"ZONE_RESET_ALL", "DRV_IN", "DRV_OUT", "OP14", "UNKNOWN",
};

static void show_errors(struct seq_file *m, struct virtio_device *vdev,
			struct gendisk *disk)
{
	u64 counts[VBT_OP_MAX], total = 0;
	int op;

	vbt_errors_for_dev(disk_devt(disk), counts);
	for (op = 0; op < VBT_OP_MAX; op++) {
		total += counts[op];
		if (counts[op])
			seq_printf(m, "%s %llu\n", op_names[op], counts[op]);
	}
	seq_printf(m, "total %llu\n", total);
}

static int errors_show(struct seq_file *m, void *v)
{
	return with_disk(m, show_errors);
}
DEFINE_SHOW_ATTRIBUTE(errors);

/* ---- directories --------------------------------------------------- */

static void add_idisk(const char *name)
{
	struct vbt_idisk *d;
	struct dentry *dir;

	mutex_lock(&idisks_lock);
	list_for_each_entry(d, &idisks, list)
		if (!strcmp(d->name, name))
			goto out;	/* the name came back: same files */
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		goto out;
	strscpy(d->name, name, sizeof(d->name));
	list_add_tail(&d->list, &idisks);
	dir = debugfs_create_dir(d->name, root);
	d->dir = dir;
	debugfs_create_file("features", 0400, dir, d, &features_fops);
	debugfs_create_file("config", 0400, dir, d, &config_fops);
	debugfs_create_file("queues", 0400, dir, d, &queues_fops);
	debugfs_create_file("errors", 0400, dir, d, &errors_fops);
out:
	mutex_unlock(&idisks_lock);
}

static int add_existing(struct device *dev, void *data)
{
	struct gendisk *disk;

	device_lock(dev);
	disk = vdev_disk(dev);
	if (disk)
		add_idisk(disk->disk_name);
	device_unlock(dev);
	return 0;
}

/* Disks bound later get their directory too (called with dev locked). */
static int bus_event(struct notifier_block *nb, unsigned long action,
		     void *data)
{
	struct gendisk *disk;

	if (action != BUS_NOTIFY_BOUND_DRIVER)
		return NOTIFY_DONE;
	disk = vdev_disk(data);
	if (disk)
		add_idisk(disk->disk_name);
	return NOTIFY_OK;
}

static struct notifier_block bus_nb = { .notifier_call = bus_event };

int vbt_inspect_init(struct dentry *parent)
{
	int ret;

	root = parent;
	ret = register_virtio_driver(&vbt_vdrv);
	if (ret)
		return ret;
	ret = bus_register_notifier(vbt_vdrv.driver.bus, &bus_nb);
	if (ret) {
		unregister_virtio_driver(&vbt_vdrv);
		return ret;
	}
	bus_for_each_dev(vbt_vdrv.driver.bus, NULL, NULL, add_existing);
	return 0;
}

/*
 * Undoes vbt_inspect_init(): no new disk directories, then each disk's
 * directory removed (debugfs waits for readers still inside a file) before
 * its entry is freed.  The parent directory stays its creator's.
 */
void vbt_inspect_exit(void)
{
	struct vbt_idisk *d, *tmp;

	bus_unregister_notifier(vbt_vdrv.driver.bus, &bus_nb);
	mutex_lock(&idisks_lock);
	list_for_each_entry_safe(d, tmp, &idisks, list) {
		debugfs_remove_recursive(d->dir);
		list_del(&d->list);
		kfree(d);
	}
	root = NULL;
	mutex_unlock(&idisks_lock);
	unregister_virtio_driver(&vbt_vdrv);
}
