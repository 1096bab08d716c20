// SPDX-License-Identifier: GPL-2.0
/* Block device numbers to names (devname.h). */
#include <stdio.h>
#include <string.h>

#include "enrich/devname.h"

void vbt_devnames_init(struct vbt_devnames *c, const struct vbt_disk *disks,
		       int ndisks, const char *sysroot)
{
	memset(c, 0, sizeof(*c));
	c->disks = disks;
	c->ndisks = ndisks;
	c->sysroot = sysroot;
}

const char *vbt_devname(struct vbt_devnames *c, uint32_t dev, bool *found)
{
	const struct vbt_disk *known;
	struct vbt_disk part;
	int i;

	for (i = 0; i < c->n; i++)
		if (c->cache[i].dev == dev)
			goto out;
	i = c->n < VBT_DEVNAME_CACHE ? c->n++ : (int)(dev % VBT_DEVNAME_CACHE);
	c->cache[i].dev = dev;
	c->cache[i].found = true;
	known = vbt_disk_by_dev(c->disks, c->ndisks, dev);
	/* Major 0 is never a block device (tmpfs, overlay, ...). */
	if (known)
		snprintf(c->cache[i].name, sizeof(c->cache[i].name), "%s",
			 known->name);
	else if (vbt_major(dev) && !vbt_disk_lookup_dev(c->sysroot, dev, &part))
		snprintf(c->cache[i].name, sizeof(c->cache[i].name), "%s",
			 part.name);
	else {
		snprintf(c->cache[i].name, sizeof(c->cache[i].name), "%u:%u",
			 vbt_major(dev), vbt_minor(dev));
		c->cache[i].found = false;
	}
out:
	if (found)
		*found = c->cache[i].found;
	return c->cache[i].name;
}
