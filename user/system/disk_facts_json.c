// SPDX-License-Identifier: GPL-2.0
/*
 * A disk's facts as JSON: the "kind":"disk" record of 'vblktrace disks -j'
 * and the disks of a bundle's facts.json (docs/events.schema.json).
 * Unknown values are null, never a guess.
 */
#include <stdio.h>
#include <json-c/json.h>

#include "system/disk_facts.h"

static struct json_object *j_u64(uint64_t v)
{
	return v == VBT_UNKNOWN ? NULL : json_object_new_uint64(v);
}

static struct json_object *j_str(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static struct json_object *j_tri(int v)
{
	return v == VBT_TRI_UNKNOWN ? NULL : json_object_new_boolean(v);
}

static struct json_object *j_features(const struct vbt_disk_facts *f)
{
	struct json_object *a = json_object_new_array();
	char bit[16];

	for (unsigned int i = 0; i < VBT_FEATURE_BITS; i++) {
		const char *name = vbt_virtio_feature_name(i);

		if (!vbt_disk_has_feature(f, i))
			continue;
		if (!name) {
			snprintf(bit, sizeof(bit), "bit%u", i);
			name = bit;
		}
		json_object_array_add(a, json_object_new_string(name));
	}
	return a;
}

static struct json_object *j_parts(const struct vbt_disk_facts *f)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < f->nparts; i++) {
		const struct vbt_part_facts *p = &f->parts[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", j_str(p->name));
		json_object_object_add(o, "major", p->dev_known ?
				       json_object_new_int(p->major) : NULL);
		json_object_object_add(o, "minor", p->dev_known ?
				       json_object_new_int(p->minor) : NULL);
		json_object_object_add(o, "start", j_u64(p->start));
		json_object_object_add(o, "size", j_u64(p->size));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *vbt_disk_facts_json(const struct vbt_disk_facts *f)
{
	struct json_object *o = json_object_new_object();
	struct json_object *hints = json_object_new_array();

#define ADD(key, val) json_object_object_add(o, key, val)
	ADD("v", json_object_new_int(1));
	ADD("kind", json_object_new_string("disk"));
	ADD("name", j_str(f->name));
	ADD("major", json_object_new_int(f->id.major));
	ADD("minor", json_object_new_int(f->id.minor));
	ADD("size", j_u64(f->size));
	ADD("driver", j_str(f->driver));
	ADD("virtio", json_object_new_boolean(f->id.virtio));
	ADD("model", j_str(f->model));
	ADD("serial", j_str(f->serial));
	ADD("cache_type", j_str(vbt_wcache_name(f->wcache)));
	if (f->id.virtio)
		ADD("device_cache_type", j_str(vbt_wcache_name(f->dev_wcache)));
	ADD("rotational", j_tri(f->rotational));
	ADD("read_only", j_tri(f->read_only));
	ADD("logical_block_size", j_u64(f->logical_block_size));
	ADD("physical_block_size", j_u64(f->physical_block_size));
	ADD("minimum_io_size", j_u64(f->minimum_io_size));
	ADD("optimal_io_size", j_u64(f->optimal_io_size));
	ADD("discard_max_bytes", j_u64(f->discard_max_bytes));
	ADD("discard_granularity", j_u64(f->discard_granularity));
	ADD("write_zeroes_max_bytes", j_u64(f->write_zeroes_max_bytes));
	ADD("hw_queues", j_u64(f->hw_queues));
	ADD("nr_requests", j_u64(f->nr_requests));
	ADD("scheduler", j_str(f->scheduler));
	if (f->backing_file[0] || f->loop_dio != VBT_TRI_UNKNOWN) {
		ADD("backing_file", j_str(f->backing_file));
		ADD("loop_dio", j_tri(f->loop_dio));
	}
	if (f->id.virtio) {
		ADD("features", f->features_known ? j_features(f) : NULL);
		ADD("features_raw", j_str(f->features_known ?
					  f->features_raw : NULL));
	}
	for (int i = 0; i < f->nhints; i++)
		json_object_array_add(hints, json_object_new_string(f->hints[i]));
	ADD("hints", hints);
	if (f->scsi_addr[0]) {
		ADD("scsi_address", j_str(f->scsi_addr));
		ADD("vendor", j_str(f->vendor));
		ADD("rev", j_str(f->rev));
		ADD("scsi_host", j_str(f->scsi_host));
		ADD("emulated", j_str(f->emulated));
		ADD("queue_depth", j_u64(f->queue_depth));
		ADD("scsi_timeout", j_u64(f->scsi_timeout));
		ADD("scsi_cache_type", j_str(f->scsi_cache_type));
		ADD("scsi_fua", j_tri(f->scsi_fua));
	}
	if (f->dm_name[0])
		ADD("dm_name", j_str(f->dm_name));
	if (f->stack[0])
		ADD("stack", j_str(f->stack));
	if (f->md_level[0]) {
		struct json_object *members = json_object_new_array();

		for (int i = 0; i < f->md_nmembers; i++) {
			struct json_object *m = json_object_new_object();

			json_object_object_add(m, "dev",
					       j_str(f->md_members[i].dev));
			json_object_object_add(m, "state",
					       j_str(f->md_members[i].state));
			json_object_array_add(members, m);
		}
		ADD("md_level", j_str(f->md_level));
		ADD("md_array_state", j_str(f->md_array_state));
		ADD("md_raid_disks", j_u64(f->md_raid_disks));
		ADD("md_degraded", j_u64(f->md_degraded));
		ADD("md_members", members);
	}
	ADD("partitions", j_parts(f));
#undef ADD
	return o;
}
