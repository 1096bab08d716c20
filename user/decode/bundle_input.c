// SPDX-License-Identifier: GPL-2.0
/* Reading a bundle or a recording back, checking everything (bundle_input.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "decode/archive.h"
#include "decode/bundle_input.h"
#include "util/json.h"

static int side_of(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "guest"))
		return VBT_SIDE_GUEST;
	if (!strcmp(s, "host"))
		return VBT_SIDE_HOST;
	return -1;
}

static struct json_object *member_json(const struct vbt_archive *a,
				       const char *name, char *err,
				       size_t errlen)
{
	const struct vbt_member *m = vbt_archive_get(a, name);
	struct json_object *o;
	char msg[160];

	if (!m) {
		snprintf(err, errlen, "the bundle has no %s", name);
		return NULL;
	}
	if (m->len > VBT_BUNDLE_MAX_JSON) {
		snprintf(err, errlen, "%s is larger than %lu MiB", name,
			 VBT_BUNDLE_MAX_JSON >> 20);
		return NULL;
	}
	o = vbt_json_parse_exact(m->data, m->len, 64, msg, sizeof(msg));
	if (!o) {
		snprintf(err, errlen, "%s: %s", name, msg);
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "%s is not a JSON object", name);
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int check_manifest(struct vbt_input *in, char *err, size_t errlen)
{
	struct json_object *v = vbt_jget(in->manifest, "format_version");
	const char *fmt = vbt_jstr(in->manifest, "format");
	int64_t ver;

	if (!fmt || strcmp(fmt, VBT_BUNDLE_FORMAT)) {
		snprintf(err, errlen, "MANIFEST.json: not a vblktrace bundle "
			 "(\"format\" is not \"%s\")", VBT_BUNDLE_FORMAT);
		return -EINVAL;
	}
	if (!v || !json_object_is_type(v, json_type_int)) {
		snprintf(err, errlen, "MANIFEST.json: no \"format_version\"");
		return -EINVAL;
	}
	ver = json_object_get_int64(v);
	if (ver > VBT_BUNDLE_VERSION) {
		snprintf(err, errlen, "bundle format version %lld is newer than "
			 "this vblktrace reads (%d): upgrade vblktrace",
			 (long long)ver, VBT_BUNDLE_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (ver < 1) {
		snprintf(err, errlen, "MANIFEST.json: bad format_version %lld",
			 (long long)ver);
		return -EINVAL;
	}
	in->side = side_of(vbt_jstr(in->manifest, "side"));
	if (in->side < 0) {
		snprintf(err, errlen, "MANIFEST.json: \"side\" is neither "
			 "guest nor host");
		return -EINVAL;
	}
	return 0;
}

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* The members a bundle has; an unpacked one is read by these names. */
static const char *const bundle_members[] = {
	"MANIFEST.json", "events.jsonl", "facts.json", "summary.txt",
};

/* Check and decode a bundle's members; @a is freed. */
static int open_members(struct vbt_archive *a, struct vbt_input *in,
			char *err, size_t errlen);

static int open_bundle(const char *buf, size_t len, struct vbt_input *in,
		       char *err, size_t errlen)
{
	struct vbt_archive a;
	int ret;

	ret = vbt_archive_read_mem(buf, len, &a, err, errlen);
	if (ret)
		return ret;
	return open_members(&a, in, err, errlen);
}

static int open_members(struct vbt_archive *a, struct vbt_input *in,
			char *err, size_t errlen)
{
	const struct vbt_member *ev, *sum;
	char msg[200];
	int ret;

	in->is_bundle = true;
	ret = -EINVAL;
	in->manifest = member_json(a, "MANIFEST.json", err, errlen);
	if (!in->manifest)
		goto out;
	ret = check_manifest(in, err, errlen);
	if (ret)
		goto out;
	ret = -EINVAL;
	in->facts = member_json(a, "facts.json", err, errlen);
	if (!in->facts)
		goto out;
	ev = vbt_archive_get(a, "events.jsonl");
	sum = vbt_archive_get(a, "summary.txt");
	if (!ev || !sum) {
		snprintf(err, errlen, "the bundle has no %s",
			 ev ? "summary.txt" : "events.jsonl");
		goto out;
	}
	in->summary = strndup(sum->data, sum->len);
	ret = vbt_rec_load_mem(ev->data, ev->len, &in->rec, msg, sizeof(msg));
	if (ret) {
		snprintf(err, errlen, "events.jsonl: %s", msg);
		goto out;
	}
	if (in->rec.sides & ~(in->side == VBT_SIDE_HOST ? 2 : 1)) {
		snprintf(err, errlen, "events.jsonl holds events of the other "
			 "side than MANIFEST.json says");
		ret = -EINVAL;
	}
out:
	vbt_archive_free(a);
	return ret;
}

int vbt_input_open_mem(const char *buf, size_t len, struct vbt_input *in,
		       char *err, size_t errlen)
{
	int ret;

	memset(in, 0, sizeof(*in));
	in->side = -1;
	if (vbt_is_gzip(buf, len)) {
		ret = open_bundle(buf, len, in, err, errlen);
	} else {
		ret = vbt_rec_load_mem(buf, len, &in->rec, err, errlen);
		if (!ret && in->rec.sides == 3) {
			snprintf(err, errlen, "the recording mixes guest and "
				 "host events");
			ret = -EINVAL;
		}
		if (!ret && in->rec.sides)
			in->side = in->rec.sides == 2 ? VBT_SIDE_HOST :
							VBT_SIDE_GUEST;
	}
	if (ret)
		vbt_input_close(in);
	return ret;
}

int vbt_input_open(const char *path, struct vbt_input *in, char *err,
		   size_t errlen)
{
	char *buf = NULL, msg[240];
	struct stat st;
	size_t len = 0;
	int ret;

	memset(in, 0, sizeof(*in));
	in->side = -1;
	/* An unpacked bundle: the folder a person made of it. */
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		struct vbt_archive a;

		ret = vbt_archive_read_dir(path, bundle_members,
					   ARRAY_SIZE(bundle_members), &a, msg,
					   sizeof(msg));
		if (!ret)
			ret = open_members(&a, in, msg, sizeof(msg));
		if (ret) {
			vbt_input_close(in);
			snprintf(err, errlen, "%s: %s", path, msg);
		}
		return ret;
	}
	ret = vbt_read_file_max(path, VBT_BUNDLE_MAX_GZ > VBT_REC_MAX_BYTES ?
				VBT_BUNDLE_MAX_GZ : VBT_REC_MAX_BYTES, &buf,
				&len);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, ret == -EFBIG ?
			 "too large" : ret == -EINVAL ? "not a regular file" :
			 strerror(-ret));
		return ret;
	}
	ret = vbt_input_open_mem(buf, len, in, msg, sizeof(msg));
	if (ret)
		snprintf(err, errlen, "%s: %s", path, msg);
	free(buf);
	return ret;
}

void vbt_input_close(struct vbt_input *in)
{
	json_object_put(in->manifest);
	json_object_put(in->facts);
	free(in->summary);
	vbt_rec_free(&in->rec);
	memset(in, 0, sizeof(*in));
	in->side = -1;
}
