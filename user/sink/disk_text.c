// SPDX-License-Identifier: GPL-2.0
/* A disk's facts as text, for 'vblktrace disks'. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sink/disk_text.h"

/* "512 MiB", "20 GiB", "1.5 TiB": for people; the exact bytes follow. */
static void human_size(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
					    "PiB", "EiB" };
	double v = b;
	int u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v == (uint64_t)v)
		snprintf(buf, len, "%.0f %s", v, unit[u]);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
}

static const char *num(uint64_t v, char *buf, size_t len)
{
	if (v == VBT_UNKNOWN)
		return "unknown";
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

static const char *tri(int v)
{
	return v == VBT_TRI_YES ? "yes" : v == VBT_TRI_NO ? "no" : "unknown";
}

static const char *str(const char *s)
{
	return s && *s ? s : "unknown";
}

static void size_text(uint64_t bytes, char *buf, size_t len)
{
	char h[32];

	if (bytes == VBT_UNKNOWN) {
		snprintf(buf, len, "size unknown");
		return;
	}
	human_size(bytes, h, sizeof(h));
	snprintf(buf, len, "%s (%" PRIu64 " bytes)", h, bytes);
}

/* Short names for a human: FLUSH, VERSION_1, RING_EVENT_IDX. */
static void print_features(const struct vbt_disk_facts *f, FILE *out)
{
	bool transport = false;

	fprintf(out, "  features:");
	for (unsigned int i = 0; i < VBT_FEATURE_BITS; i++) {
		const char *name = vbt_virtio_feature_name(i);

		if (!vbt_disk_has_feature(f, i))
			continue;
		if (i >= 24 && !transport) {
			fprintf(out, " |");
			transport = true;
		}
		if (!name)
			fprintf(out, " bit%u", i);
		else if (!strncmp(name, "VIRTIO_BLK_F_", 13))
			fprintf(out, " %s", name + 13);
		else if (!strncmp(name, "VIRTIO_RING_F_", 14))
			fprintf(out, " RING_%s", name + 14);
		else
			fprintf(out, " %s", name + 9);	/* VIRTIO_F_ */
	}
	fprintf(out, "\n  features raw: %s\n", f->features_raw);
}

static void print_parts(const struct vbt_disk_facts *f, FILE *out)
{
	char dev[32], start[24], size[64];

	for (int i = 0; i < f->nparts; i++) {
		const struct vbt_part_facts *p = &f->parts[i];

		if (p->dev_known)
			snprintf(dev, sizeof(dev), "%u:%u", p->major, p->minor);
		else
			snprintf(dev, sizeof(dev), "unknown");
		size_text(p->size, size, sizeof(size));
		fprintf(out, "  partition %s  %s  start sector %s  %s\n",
			p->name, dev, num(p->start, start, sizeof(start)), size);
	}
}

void vbt_disk_facts_print(const struct vbt_disk_facts *f, FILE *out)
{
	char sz[64], n1[24], n2[24], n3[24], n4[24];

	size_text(f->size, sz, sizeof(sz));
	fprintf(out, "%s  %u:%u  %s  %s", f->name, f->id.major, f->id.minor,
		str(f->driver), sz);
	if (f->model[0])
		fprintf(out, "  model %s", f->model);
	if (f->serial[0])
		fprintf(out, "  serial %s", f->serial);
	fprintf(out, "\n  write cache: %s  rotational: %s  read-only: %s\n",
		str(vbt_wcache_name(f->wcache)), tri(f->rotational),
		tri(f->read_only));
	fprintf(out, "  logical block size: %s  physical block size: %s  "
		"io size min/opt: %s/%s\n",
		num(f->logical_block_size, n1, sizeof(n1)),
		num(f->physical_block_size, n2, sizeof(n2)),
		num(f->minimum_io_size, n3, sizeof(n3)),
		num(f->optimal_io_size, n4, sizeof(n4)));
	fprintf(out, "  discard max bytes: %s  granularity: %s  "
		"write zeroes max bytes: %s\n",
		num(f->discard_max_bytes, n1, sizeof(n1)),
		num(f->discard_granularity, n2, sizeof(n2)),
		num(f->write_zeroes_max_bytes, n3, sizeof(n3)));
	fprintf(out, "  hardware queues: %s  nr_requests: %s  scheduler: %s\n",
		f->hw_queues == VBT_UNKNOWN ? "unknown (not blk-mq)" :
		num(f->hw_queues, n1, sizeof(n1)),
		num(f->nr_requests, n2, sizeof(n2)), str(f->scheduler));
	if (f->id.virtio && f->features_known)
		print_features(f, out);
	else if (f->id.virtio)
		fprintf(out, "  features: unknown\n");
	if (f->scsi_addr[0])
		fprintf(out, "  scsi %s  %s%s%s %s rev %s  host adapter %s  "
			"queue depth %s  timeout %s s\n", f->scsi_addr,
			f->emulated[0] ? f->emulated : "",
			f->emulated[0] ? ": " : "", str(f->vendor),
			str(f->model), str(f->rev), str(f->scsi_host),
			num(f->queue_depth, n1, sizeof(n1)),
			num(f->scsi_timeout, n2, sizeof(n2)));
	if (f->scsi_addr[0])
		fprintf(out, "  scsi cache_type: %s (WCE %s)  FUA: %s\n",
			str(f->scsi_cache_type),
			strstr(f->scsi_cache_type, "write back") ? "on" :
			f->scsi_cache_type[0] ? "off" : "unknown",
			tri(f->scsi_fua));
	if (f->stack[0])
		fprintf(out, "  stack: %s\n", f->stack);
	if (f->md_level[0]) {
		fprintf(out, "  md: %s %s, ", f->md_level,
			str(f->md_array_state));
		/* raid0 and linear have no redundancy: no degraded count. */
		if (f->md_degraded == VBT_UNKNOWN)
			fprintf(out, "%s members",
				num(f->md_raid_disks, n2, sizeof(n2)));
		else
			fprintf(out, "%s of %s members failed or missing%s",
				num(f->md_degraded, n1, sizeof(n1)),
				num(f->md_raid_disks, n2, sizeof(n2)),
				f->md_degraded ? " (degraded)" : "");
		for (int i = 0; i < f->md_nmembers; i++)
			fprintf(out, "%s%s %s", i ? ", " : ": ",
				f->md_members[i].dev,
				str(f->md_members[i].state));
		fprintf(out, "\n");
	}
	for (int i = 0; i < f->nhints; i++)
		fprintf(out, "  host: %s\n", f->hints[i]);
	print_parts(f, out);
}
