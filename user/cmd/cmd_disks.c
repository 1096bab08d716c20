// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace disks: every whole disk with the facts that tie it back to its
 * host configuration (write cache, block sizes, queues, virtio features).
 *
 * disk_facts.c collects; this file only renders, as text or JSON Lines
 * ("v":1, "kind":"disk", one disk per line).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "commands.h"
#include "disk_facts.h"
#include "disks_vms.h"
#include "kmod_inspect.h"
#include "msg.h"
#include "opts.h"

static const char *const sysroot = "/sys";

static void usage(const char *cmd)
{
	printf("Usage: vblktrace %s [OPTIONS]\n"
	       "Show every disk with what sysfs says about its host side: size,\n"
	       "driver, serial, write cache mode, block and I/O sizes, discard and\n"
	       "write-zeroes limits, hardware queues, scheduler, partitions, and for\n"
	       "virtio-blk disks the negotiated features and what they mean for the\n"
	       "host drive's configuration.  Needs no privileges.\n\n"
	       "  -d, --disk NAME      only this disk (repeatable), e.g. vda\n"
	       "  -j, --json           JSON Lines on stdout (one disk per line)\n"
	       "  -h, --help           this text\n\n"
	       "Exit status: 0 ok, 1 runtime failure, 2 usage error.\n", cmd);
}

/* ---- JSON ---------------------------------------------------------- */

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
	ADD("partitions", j_parts(f));
#undef ADD
	return o;
}

/* ---- text ---------------------------------------------------------- */

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
	for (int i = 0; i < f->nhints; i++)
		fprintf(out, "  host: %s\n", f->hints[i]);
	print_parts(f, out);
}

/* ---- command ------------------------------------------------------- */

static int print_json(const struct vbt_disk_facts *f)
{
	struct json_object *o = vbt_disk_facts_json(f);
	const char *s;

	if (!o)
		return -ENOMEM;
	vbt_kmod_inspect_json_add(o, f->id.name);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s)
		printf("%s\n", s);
	json_object_put(o);
	return s ? 0 : -ENOMEM;
}

static bool wanted(const struct vbt_opts *o, const char *name)
{
	if (!o->ndisks)
		return true;
	for (int i = 0; i < o->ndisks; i++)
		if (!strcmp(o->disks[i], name))
			return true;
	return false;
}

/* Every -d names a whole disk, or nothing is printed (exit 2). */
static int check_names(const struct vbt_opts *o,
		       const struct vbt_disk_facts *f, int n)
{
	char path[512];

	for (int i = 0; i < o->ndisks; i++) {
		int j;

		for (j = 0; j < n && strcmp(f[j].id.name, o->disks[i]); j++)
			;
		if (j < n)
			continue;
		snprintf(path, sizeof(path), "%s/class/block/%s/partition",
			 sysroot, o->disks[i]);
		if (!access(path, F_OK))
			return vbt_usage_error("'%s' is a partition; name its "
					       "disk, it lists its partitions",
					       o->disks[i]);
		return vbt_usage_error("no such disk: '%s' (see %s/block)",
				       o->disks[i], sysroot);
	}
	return 0;
}

static int refuse_tracing_options(const struct vbt_opts *o)
{
	if (!o->npids && !o->all && !o->output && !o->duration &&
	    !o->interval && o->driver == VBT_DRIVER_AUTO &&
	    o->side == VBT_SIDE_AUTO)
		return 0;
	fprintf(stderr, "vblktrace disks: only -d, -j and --help apply here\n"
		"Try 'vblktrace disks --help'.\n");
	return VBT_EXIT_USAGE;
}

int cmd_disks(int argc, char **argv)
{
	struct vbt_disk_facts *facts;
	struct vbt_opts o;
	int n, ret, shown = 0;

	ret = vbt_opts_parse(argc, argv, &o, "disks", usage);
	if (ret)
		return ret < 0 ? VBT_EXIT_OK : ret;
	ret = refuse_tracing_options(&o);
	if (ret)
		return ret;
	n = vbt_disk_facts_scan(sysroot, &facts);
	if (n < 0) {
		fprintf(stderr, "vblktrace disks: cannot read %s/block: %s\n",
			sysroot, strerror(-n));
		return VBT_EXIT_RUNTIME;
	}
	ret = check_names(&o, facts, n);
	for (int i = 0; i < n && !ret; i++) {
		if (!wanted(&o, facts[i].id.name))
			continue;
		if (o.json) {
			if (print_json(&facts[i]))
				ret = VBT_EXIT_RUNTIME;
		} else {
			if (shown++)
				putchar('\n');
			vbt_disk_facts_print(&facts[i], stdout);
			vbt_kmod_inspect_print(facts[i].id.name, stdout);
		}
	}
	vbt_disk_facts_free(facts, n);
	if (!ret && !o.ndisks)
		vbt_disks_print_vms(o.json, stdout);
	if (!ret && (fflush(stdout) || ferror(stdout))) {
		fprintf(stderr, "vblktrace disks: writing output: %s\n",
			strerror(errno));
		ret = VBT_EXIT_RUNTIME;
	}
	return ret;
}
