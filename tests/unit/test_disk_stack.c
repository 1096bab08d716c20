// SPDX-License-Identifier: GPL-2.0
/*
 * disks: the SCSI facts of an sd disk and the stack of a dm device, from a
 * sysfs tree shaped like a 6.1 guest's (virtio-scsi sda; LVM vg0/lv-data
 * over dm-linear over vda2), plus the loops and junk a hostile tree holds.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "file_tree.h"
#include "system/disk_facts.h"


#define HBA "devices/pci0000:00/0000:00:1f.0/virtio2/host0/target0:0:0/0:0:0:0"

static int make_tree(const char *r)
{
	return ft_put(r, "block/sda/dev", "8:0\n") ||
	       ft_link(r, "block/sda/device", "../../" HBA) ||
	       ft_put(r, HBA "/vendor", "QEMU    \n") ||
	       ft_put(r, HBA "/model", "QEMU HARDDISK   \n") ||
	       ft_put(r, HBA "/rev", "2.5+\n") ||
	       ft_put(r, HBA "/queue_depth", "128\n") ||
	       ft_put(r, HBA "/timeout", "30\n") ||
	       ft_link(r, HBA "/driver", "../../../../../../bus/scsi/drivers/sd") ||
	       ft_put(r, "class/scsi_host/host0/proc_name", "virtio_scsi\n") ||
	       ft_put(r, "class/scsi_disk/0:0:0:0/cache_type", "write back\n") ||
	       ft_put(r, "class/scsi_disk/0:0:0:0/FUA", "0\n") ||
	       ft_put(r, "block/vda/dev", "254:0\n") ||
	       ft_put(r, "block/vda/vda2/partition", "2\n") ||
	       ft_put(r, "block/vda/vda2/dev", "254:2\n") ||
	       ft_put(r, "block/dm-0/dev", "253:0\n") ||
	       ft_put(r, "block/dm-0/dm/name", "base\n") ||
	       ft_put(r, "block/dm-0/dm/uuid", "\n") ||
	       ft_put(r, "block/dm-0/slaves/vda2", "") ||
	       ft_put(r, "block/dm-1/dev", "253:1\n") ||
	       ft_put(r, "block/dm-1/dm/name", "vg0-lv--data\n") ||
	       ft_put(r, "block/dm-1/dm/uuid", "LVM-abcdef\n") ||
	       ft_put(r, "block/dm-1/slaves/dm-0", "") ||
	       /* a loop of slaves: dm-7 <-> dm-8 */
	       ft_put(r, "block/dm-7/dev", "253:7\n") ||
	       ft_put(r, "block/dm-7/slaves/dm-8", "") ||
	       ft_put(r, "block/dm-8/dev", "253:8\n") ||
	       ft_put(r, "block/dm-8/slaves/dm-7", "") ||
	       ft_link(r, "class/block/sda", "../../block/sda") ||
	       ft_link(r, "class/block/vda", "../../block/vda") ||
	       ft_link(r, "class/block/vda2", "../../block/vda/vda2") ||
	       ft_link(r, "class/block/dm-0", "../../block/dm-0") ||
	       ft_link(r, "class/block/dm-1", "../../block/dm-1") ||
	       ft_link(r, "class/block/dm-7", "../../block/dm-7") ||
	       ft_link(r, "class/block/dm-8", "../../block/dm-8");
}

FIXTURE(tree) {
	char root[64];
};

FIXTURE_SETUP(tree)
{
	snprintf(self->root, sizeof(self->root), "/tmp/vbt-stack-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	ASSERT_EQ(0, make_tree(self->root));
}

FIXTURE_TEARDOWN(tree)
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

TEST_F(tree, scsi_disk)
{
	struct vbt_disk_facts *f;
	const struct vbt_disk_facts *sda, *vda;
	int n = vbt_disk_facts_scan(self->root, &f);

	ASSERT_EQ(6, n);
	sda = find(f, n, "sda");
	ASSERT_NE(NULL, sda);
	EXPECT_STREQ("0:0:0:0", sda->scsi_addr);
	EXPECT_STREQ("QEMU", sda->vendor);
	EXPECT_STREQ("QEMU HARDDISK", sda->model);
	EXPECT_STREQ("2.5+", sda->rev);
	EXPECT_STREQ("QEMU scsi-hd", sda->emulated);
	EXPECT_STREQ("virtio_scsi", sda->scsi_host);
	EXPECT_EQ(128, sda->queue_depth);
	EXPECT_EQ(30, sda->scsi_timeout);
	EXPECT_STREQ("write back", sda->scsi_cache_type);
	EXPECT_EQ(VBT_TRI_NO, sda->scsi_fua);
	EXPECT_STREQ("", sda->stack);
	vda = find(f, n, "vda");
	ASSERT_NE(NULL, vda);
	EXPECT_STREQ("", vda->scsi_addr);
	EXPECT_EQ(VBT_UNKNOWN, vda->queue_depth);
	vbt_disk_facts_free(f, n);
}

TEST_F(tree, stacks_with_lvm_names_and_a_loop)
{
	struct vbt_disk_facts *f;
	int n = vbt_disk_facts_scan(self->root, &f);

	ASSERT_EQ(6, n);
	EXPECT_STREQ("dm-0 (base) -> vda2 -> vda", find(f, n, "dm-0")->stack);
	EXPECT_STREQ("vg0/lv-data", find(f, n, "dm-1")->dm_name);
	EXPECT_STREQ("dm-1 (vg0/lv-data) -> dm-0 (base) -> vda2 -> vda",
		     find(f, n, "dm-1")->stack);
	/* A loop ends after a bounded walk. */
	EXPECT_EQ(0, strncmp("dm-7 -> dm-8 -> dm-7 -> dm-8",
			     find(f, n, "dm-7")->stack, 27));
	vbt_disk_facts_free(f, n);
}

/* md raid1 over vdc + vdd with vdd failed, as a 6.1 guest's sysfs shows it
 * after "md/raid1:md1: Disk failure on vdd". */
TEST(md_array_members_and_state)
{
	char r[64] = "/tmp/vbt-md-XXXXXX";
	const struct vbt_disk_facts *md;
	struct vbt_disk_facts *f;
	int n;

	ASSERT_NE(NULL, mkdtemp(r));
	ASSERT_EQ(0, ft_put(r, "block/md1/dev", "9:1\n") ||
		     ft_put(r, "block/md1/md/level", "raid1\n") ||
		     ft_put(r, "block/md1/md/array_state", "clean\n") ||
		     ft_put(r, "block/md1/md/raid_disks", "2\n") ||
		     ft_put(r, "block/md1/md/degraded", "1\n") ||
		     ft_put(r, "block/md1/md/dev-vdd/state", "faulty\n") ||
		     ft_put(r, "block/md1/md/dev-vdc/state", "in_sync\n") ||
		     ft_put(r, "block/md1/slaves/vdd", "") ||
		     ft_put(r, "block/md1/slaves/vdc", "") ||
		     ft_put(r, "block/md2/dev", "9:2\n") ||
		     ft_put(r, "block/md2/md/level", "raid0\n") ||
		     ft_put(r, "block/md2/slaves/vd\033[2Jx", "") ||
		     ft_put(r, "block/vdc/dev", "254:32\n") ||
		     ft_put(r, "block/vdd/dev", "254:48\n") ||
		     ft_link(r, "class/block/md1", "../../block/md1") ||
		     ft_link(r, "class/block/md2", "../../block/md2") ||
		     ft_link(r, "class/block/vdc", "../../block/vdc") ||
		     ft_link(r, "class/block/vdd", "../../block/vdd"));
	n = vbt_disk_facts_scan(r, &f);
	ASSERT_EQ(4, n);
	md = find(f, n, "md1");
	ASSERT_NE(NULL, md);
	EXPECT_STREQ("md1 (raid1) -> vdc + vdd", md->stack);
	EXPECT_STREQ("raid1", md->md_level);
	EXPECT_STREQ("clean", md->md_array_state);
	EXPECT_EQ(2, md->md_raid_disks);
	EXPECT_EQ(1, md->md_degraded);
	ASSERT_EQ(2, md->md_nmembers);
	EXPECT_STREQ("vdc", md->md_members[0].dev);
	EXPECT_STREQ("in_sync", md->md_members[0].state);
	EXPECT_STREQ("vdd", md->md_members[1].dev);
	EXPECT_STREQ("faulty", md->md_members[1].state);
	/* A member name with a terminal escape is made printable. */
	md = find(f, n, "md2");
	ASSERT_NE(NULL, md);
	EXPECT_STREQ("vd?[2Jx", md->md_members[0].dev);
	EXPECT_STREQ("", md->md_members[0].state);
	EXPECT_EQ(VBT_UNKNOWN, md->md_degraded);
	EXPECT_EQ(NULL, find(f, n, "vdc")->md_level[0] ? "md" : NULL);
	vbt_disk_facts_free(f, n);
	ft_rm_tree(r);
}

TEST_HARNESS_MAIN
