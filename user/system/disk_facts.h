/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What sysfs tells about each disk, and what that says about the host side:
 * queue limits, write cache mode, virtio-blk negotiated features.  Collected
 * without privileges; rendering lives in disk_facts_json.c (JSON) and
 * sink/disk_text.c (text).
 */
#ifndef VBT_DISK_FACTS_H
#define VBT_DISK_FACTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "system/disks.h"

struct json_object;

/* A number sysfs did not give (missing file, garbage, overflow). */
#define VBT_UNKNOWN UINT64_MAX

/* Yes/no facts that may be unknown. */
enum vbt_tri { VBT_TRI_UNKNOWN = -1, VBT_TRI_NO = 0, VBT_TRI_YES = 1 };

enum vbt_wcache {
	VBT_WCACHE_UNKNOWN,
	VBT_WCACHE_WRITE_BACK,
	VBT_WCACHE_WRITE_THROUGH,
};

/* Bits kept from device/features; the kernel prints 64 (6.1) or 128 (6.18). */
#define VBT_FEATURE_BITS 256
#define VBT_MAX_HINTS 12
#define VBT_MD_MEMBERS 16	/* md members listed; more are counted */

/* virtio-blk feature bits (include/uapi/linux/virtio_blk.h) */
enum {
	VBT_VIRTIO_BLK_F_BARRIER = 0,
	VBT_VIRTIO_BLK_F_SIZE_MAX = 1,
	VBT_VIRTIO_BLK_F_SEG_MAX = 2,
	VBT_VIRTIO_BLK_F_GEOMETRY = 4,
	VBT_VIRTIO_BLK_F_RO = 5,
	VBT_VIRTIO_BLK_F_BLK_SIZE = 6,
	VBT_VIRTIO_BLK_F_SCSI = 7,
	VBT_VIRTIO_BLK_F_FLUSH = 9,
	VBT_VIRTIO_BLK_F_TOPOLOGY = 10,
	VBT_VIRTIO_BLK_F_CONFIG_WCE = 11,
	VBT_VIRTIO_BLK_F_MQ = 12,
	VBT_VIRTIO_BLK_F_DISCARD = 13,
	VBT_VIRTIO_BLK_F_WRITE_ZEROES = 14,
	VBT_VIRTIO_BLK_F_LIFETIME = 15,
	VBT_VIRTIO_BLK_F_SECURE_ERASE = 16,
	VBT_VIRTIO_BLK_F_ZONED = 17,
	/* transport bits (virtio_config.h, virtio_ring.h) */
	VBT_VIRTIO_RING_F_INDIRECT_DESC = 28,
	VBT_VIRTIO_RING_F_EVENT_IDX = 29,
	VBT_VIRTIO_F_VERSION_1 = 32,
	VBT_VIRTIO_F_ACCESS_PLATFORM = 33,
	VBT_VIRTIO_F_RING_PACKED = 34,
};

struct vbt_part_facts {
	char name[64];			/* printable ASCII ('?' for other bytes) */
	unsigned int major, minor;
	bool dev_known;
	uint64_t start;			/* 512-byte sectors, or VBT_UNKNOWN */
	uint64_t size;			/* bytes, or VBT_UNKNOWN */
};

struct vbt_disk_facts {
	struct vbt_disk id;		/* name, dev_t, driver, virtio flag */
	char name[32];			/* id.name made printable */
	char driver[32];		/* id.driver, or a guess for virtual disks */
	uint64_t size;			/* bytes */
	char model[64];			/* "" = unknown */
	char serial[64];
	enum vbt_wcache wcache;		/* queue/write_cache, the guest's view */
	enum vbt_wcache dev_wcache;	/* virtio-blk cache_type, the device's */
	int rotational;			/* enum vbt_tri */
	int read_only;
	uint64_t logical_block_size;
	uint64_t physical_block_size;
	uint64_t minimum_io_size;
	uint64_t optimal_io_size;
	uint64_t discard_max_bytes;
	uint64_t discard_granularity;
	uint64_t write_zeroes_max_bytes;
	uint64_t hw_queues;		/* entries of mq/; unknown if not blk-mq */
	uint64_t nr_requests;
	char scheduler[32];		/* the [selected] one; "" = unknown */

	/* loop devices */
	char backing_file[256];		/* "" = none or unknown */
	int loop_dio;			/* enum vbt_tri */

	/* virtio-blk: the negotiated features, bit 0 first as sysfs shows */
	bool features_known;
	uint64_t features[VBT_FEATURE_BITS / 64];
	char features_raw[VBT_FEATURE_BITS + 1];

	struct vbt_part_facts *parts;
	int nparts;

	/* SCSI disks (sd): address H:C:T:L, INQUIRY strings, HBA and queue */
	char scsi_addr[48];		/* "" = not SCSI */
	char vendor[32];
	char rev[16];
	char scsi_host[32];		/* the HBA driver: virtio_scsi, ... */
	char emulated[48];		/* "QEMU scsi-hd", ... "" = unknown */
	uint64_t queue_depth;
	uint64_t scsi_timeout;		/* seconds */
	char scsi_cache_type[32];	/* scsi_disk cache_type: the WCE bit */
	int scsi_fua;			/* enum vbt_tri: FUA supported */

	/* Stacked devices: "dm-1 (vbtlv) -> dm-0 (vbtlin) -> vda" */
	char dm_name[128];		/* device-mapper name, "" if none */
	char stack[512];		/* "" = not stacked on anything */

	/* md (software RAID): sysfs md/ of the array */
	char md_level[16];		/* "raid1", "" = not md */
	char md_array_state[24];	/* "clean", "active", ... */
	uint64_t md_raid_disks;
	uint64_t md_degraded;		/* members failed or missing */
	struct vbt_md_member {
		char dev[32];
		char state[48];		/* "in_sync", "faulty", ... */
	} md_members[VBT_MD_MEMBERS];
	int md_nmembers;

	/* What the facts mean for the host configuration, one sentence each. */
	char hints[VBT_MAX_HINTS][240];
	int nhints;
};

/*
 * Facts of every whole disk under SYSROOT/block, sorted by name.  Returns
 * the count and a malloc'd array in *out (free with vbt_disk_facts_free),
 * or -errno when SYSROOT/block cannot be read.
 */
int vbt_disk_facts_scan(const char *sysroot, struct vbt_disk_facts **out);
/* One whole disk by name: 0, or -ENOENT.  Release with vbt_disk_facts_fini. */
int vbt_disk_facts_get(const char *sysroot, const char *name,
		       struct vbt_disk_facts *f);
void vbt_disk_facts_fini(struct vbt_disk_facts *f);
void vbt_disk_facts_free(struct vbt_disk_facts *f, int n);

bool vbt_disk_has_feature(const struct vbt_disk_facts *f, unsigned int bit);
/* "VIRTIO_BLK_F_FLUSH", or NULL for a bit without a known name. */
const char *vbt_virtio_feature_name(unsigned int bit);
/* "write back", "write through", NULL when unknown (sysfs spelling) */
const char *vbt_wcache_name(enum vbt_wcache w);

/* The "kind":"disk" JSON record (disk_facts_json.c); NULL on ENOMEM. */
struct json_object *vbt_disk_facts_json(const struct vbt_disk_facts *f);

/* SCSI and stack facts of disk DDIR = SYSROOT/block/NAME (disk_stack.c). */
void vbt_disk_stack_facts(struct vbt_disk_facts *f, const char *sysroot,
			  const char *ddir);

#endif
