// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the kernel module's per-disk inspector files (one "key value..."
 * line each, written by kmod/vbt_inspect.c) and renders them for
 * 'vblktrace disks'.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "system/kmod_inspect.h"

static FILE *open_part(const char *root, const char *disk, const char *part)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/%s", root, disk, part);
	return fopen(path, "re");
}

/* Truncating copy (the module's names are short; never overflow). */
static void copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

static void read_features(FILE *f, struct vbt_kmod_inspect *in)
{
	char key[64], val[512];

	while (fscanf(f, "%63s %511s", key, val) == 2) {
		if (!strcmp(key, "negotiated"))
			copy(in->negotiated, sizeof(in->negotiated), val);
		else if (!strcmp(key, "offered"))
			copy(in->offered, sizeof(in->offered), val);
		else if (!strcmp(key, "negotiated_names"))
			copy(in->negotiated_names,
			     sizeof(in->negotiated_names), val);
		else if (!strcmp(key, "offered_not_negotiated"))
			copy(in->offered_only, sizeof(in->offered_only), val);
	}
}

static uint64_t u64_or_zero(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	return *end ? 0 : v;
}

static void read_config(FILE *f, struct vbt_kmod_inspect *in)
{
	char line[256], name[64], val[32], feat[32], on[8];

	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "%63s %31s %31s %7s", name, val, feat, on);

		if (n == 2 && !strcmp(name, "config_size_features"))
			in->size_features = u64_or_zero(val);
		else if (n == 2 && !strcmp(name, "config_size_probed"))
			in->size_probed = u64_or_zero(val);
		else if (n == 2 && !strcmp(name, "config_region_len"))
			in->region_len = u64_or_zero(val);
		else if (n == 2 && !strcmp(name, "config_struct_size"))
			in->struct_size = u64_or_zero(val);
		else if (n == 4 && in->nfields < VBT_KMOD_MAX_FIELDS) {
			struct vbt_kmod_field *fl = &in->fields[in->nfields++];

			copy(fl->name, sizeof(fl->name), name);
			fl->value = strtoull(val, NULL, 10);
			copy(fl->feature, sizeof(fl->feature), feat);
			fl->on = !strcmp(on, "on");
		}
	}
}

static void read_queues(FILE *f, struct vbt_kmod_inspect *in)
{
	char line[256], name[32];
	unsigned int a, b, c, d;

	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "virtqueues %u", &a) == 1) {
			in->virtqueues = a;
		} else if (sscanf(line, "hw_queues %u", &a) == 1) {
			in->hw_queues = a;
		} else if (sscanf(line, "vq %31s %u %u %u %u", name, &a, &b, &c,
				  &d) == 5 && in->nvqs < VBT_KMOD_MAX_VQS) {
			struct vbt_kmod_vq *q = &in->vqs[in->nvqs++];

			copy(q->name, sizeof(q->name), name);
			q->index = a;
			q->size = b;
			q->free = c;
			q->in_flight = d;
		} else if (sscanf(line, "hctx %u %u", &a, &b) == 2 &&
			   a < VBT_KMOD_MAX_VQS) {
			in->hctx_in_flight[a] = b;
			if ((int)a >= in->nhctx)
				in->nhctx = a + 1;
		}
	}
}

static void read_errors(FILE *f, struct vbt_kmod_inspect *in)
{
	char op[24];
	uint64_t n;

	while (fscanf(f, "%23s %" SCNu64, op, &n) == 2) {
		if (!strcmp(op, "total")) {
			in->errors_total = n;
		} else if (in->nerrors < 16) {
			copy(in->errors[in->nerrors].op,
			     sizeof(in->errors[0].op), op);
			in->errors[in->nerrors++].count = n;
		}
	}
}

int vbt_kmod_inspect_read(const char *root, const char *disk,
			  struct vbt_kmod_inspect *out)
{
	static const struct {
		const char *name;
		void (*read)(FILE *f, struct vbt_kmod_inspect *in);
	} parts[] = {
		{ "features", read_features },
		{ "config", read_config },
		{ "queues", read_queues },
		{ "errors", read_errors },
	};

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		FILE *f = open_part(root, disk, parts[i].name);

		if (!f)
			return -errno;
		parts[i].read(f, out);
		fclose(f);
	}
	return 0;
}

void vbt_kmod_inspect_print(const char *disk, FILE *out)
{
	struct vbt_kmod_inspect in;
	const char *sep = "";

	if (vbt_kmod_inspect_read(VBT_KMOD_DEBUGFS, disk, &in))
		return;
	fprintf(out, "  kmod inspector (%s/%s):\n", VBT_KMOD_DEBUGFS, disk);
	fprintf(out, "    negotiated: %s\n", in.negotiated_names);
	if (strcmp(in.offered_only, "-"))
		fprintf(out, "    offered, not negotiated: %s\n",
			in.offered_only);
	fprintf(out, "    config space: %" PRIu64 " bytes by the offered "
		"features, ", in.size_features);
	if (in.size_probed)
		fprintf(out, "%" PRIu64 " probed", in.size_probed);
	else
		fprintf(out, "size not probed");
	fprintf(out, " (region %" PRIu64 ", kernel struct %" PRIu64 ")\n",
		in.region_len, in.struct_size);
	fprintf(out, "    config:");
	for (int i = 0; i < in.nfields; i++)
		fprintf(out, " %s=%" PRIu64 "%s", in.fields[i].name,
			in.fields[i].value, in.fields[i].on ? "" : "(off)");
	fprintf(out, "\n    virtqueues: %u  hw queues: %u  in flight:",
		in.virtqueues, in.hw_queues);
	for (int i = 0; i < in.nvqs; i++)
		fprintf(out, " %s=%u/%u", in.vqs[i].name, in.vqs[i].in_flight,
			in.vqs[i].size);
	fprintf(out, "\n    errors since load: %" PRIu64, in.errors_total);
	for (int i = 0; i < in.nerrors; i++) {
		fprintf(out, "%s%s %" PRIu64, i ? ", " : " (", in.errors[i].op,
			in.errors[i].count);
		sep = ")";
	}
	fprintf(out, "%s\n", sep);
}

static struct json_object *json_fields(const struct vbt_kmod_inspect *in)
{
	struct json_object *o = json_object_new_object();

	for (int i = 0; i < in->nfields; i++) {
		struct json_object *f = json_object_new_object();

		json_object_object_add(f, "value",
				       json_object_new_uint64(in->fields[i].value));
		json_object_object_add(f, "feature",
				       json_object_new_string(in->fields[i].feature));
		json_object_object_add(f, "negotiated",
				       json_object_new_boolean(in->fields[i].on));
		json_object_object_add(o, in->fields[i].name, f);
	}
	return o;
}

static struct json_object *json_queues(const struct vbt_kmod_inspect *in)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < in->nvqs; i++) {
		struct json_object *q = json_object_new_object();

		json_object_object_add(q, "name",
				       json_object_new_string(in->vqs[i].name));
		json_object_object_add(q, "size",
				       json_object_new_int(in->vqs[i].size));
		json_object_object_add(q, "in_flight",
				       json_object_new_int(in->vqs[i].in_flight));
		json_object_array_add(a, q);
	}
	return a;
}

void vbt_kmod_inspect_json_add(struct json_object *o, const char *disk)
{
	struct vbt_kmod_inspect in;
	struct json_object *k, *errs;

	if (vbt_kmod_inspect_read(VBT_KMOD_DEBUGFS, disk, &in))
		return;
	k = json_object_new_object();
	errs = json_object_new_object();
	json_object_object_add(k, "features_raw",
			       json_object_new_string(in.negotiated));
	json_object_object_add(k, "offered_raw",
			       json_object_new_string(in.offered));
	json_object_object_add(k, "config", json_fields(&in));
	json_object_object_add(k, "config_size_features",
			       json_object_new_uint64(in.size_features));
	json_object_object_add(k, "config_size_probed", in.size_probed ?
			       json_object_new_uint64(in.size_probed) : NULL);
	json_object_object_add(k, "virtqueues",
			       json_object_new_int(in.virtqueues));
	json_object_object_add(k, "queues", json_queues(&in));
	for (int i = 0; i < in.nerrors; i++)
		json_object_object_add(errs, in.errors[i].op,
				       json_object_new_uint64(in.errors[i].count));
	json_object_object_add(k, "errors_since_load", errs);
	json_object_object_add(o, "kmod", k);
}
