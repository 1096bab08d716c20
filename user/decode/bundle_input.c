// SPDX-License-Identifier: GPL-2.0
/* Reading a bundle or a recording back, checking everything (bundle_input.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
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

static int crec_add(void *arg, const struct vbt_rec_event *re)
{
	return vbt_crec_add(arg, re);
}

/* A recording in memory, into rec and crec or (compact) crec. */
static int load_events(const char *buf, size_t len, int flags,
		       struct vbt_input *in, char *err, size_t errlen)
{
	int ret;

	if (flags & VBT_INPUT_COMPACT) {
		in->crec.lines = (flags & VBT_INPUT_LINES) == VBT_INPUT_LINES;
		ret = vbt_rec_scan_mem(buf, len, &in->rec, crec_add,
				       &in->crec, err, errlen);
		if (!ret && in->crec.lines) {
			in->text = buf;
			in->text_len = len;
		}
		return ret;
	}
	ret = vbt_rec_load_mem(buf, len, &in->rec, err, errlen);
	if (!ret && vbt_crec_from_rec(&in->crec, &in->rec)) {
		vbt_rec_free(&in->rec);
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
	}
	return ret;
}

/* Check and decode a bundle's members; @a is freed. */
static int open_members(struct vbt_archive *a, int flags,
			struct vbt_input *in, char *err, size_t errlen);

static int open_bundle(const char *buf, size_t len, int flags,
		       struct vbt_input *in, char *err, size_t errlen)
{
	struct vbt_archive a;
	int ret;

	ret = vbt_archive_read_mem(buf, len, &a, err, errlen);
	if (ret)
		return ret;
	return open_members(&a, flags, in, err, errlen);
}

static int open_members(struct vbt_archive *a, int flags,
			struct vbt_input *in, char *err, size_t errlen)
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
	ret = load_events(ev->data, ev->len, flags, in, msg, sizeof(msg));
	if (ret) {
		snprintf(err, errlen, "events.jsonl: %s", msg);
		goto out;
	}
	if (in->rec.sides & ~(in->side == VBT_SIDE_HOST ? 2 : 1)) {
		snprintf(err, errlen, "events.jsonl holds events of the other "
			 "side than MANIFEST.json says");
		ret = -EINVAL;
	}
	if (!ret && in->text) {
		/* the lines are read again from the archive: keep it */
		in->own_text = a->tar;
		a->tar = NULL;
	}
out:
	vbt_archive_free(a);
	return ret;
}

/* A plain recording's side: from its events. */
static int recording_side(struct vbt_input *in, char *err, size_t errlen)
{
	if (in->rec.sides == 3) {
		snprintf(err, errlen, "the recording mixes guest and host "
			 "events");
		return -EINVAL;
	}
	if (in->rec.sides)
		in->side = in->rec.sides == 2 ? VBT_SIDE_HOST : VBT_SIDE_GUEST;
	return 0;
}

int vbt_input_open_mem_ex(const char *buf, size_t len, int flags,
			  struct vbt_input *in, char *err, size_t errlen)
{
	int ret;

	memset(in, 0, sizeof(*in));
	in->side = -1;
	if (vbt_is_gzip(buf, len)) {
		ret = open_bundle(buf, len, flags, in, err, errlen);
	} else {
		ret = load_events(buf, len, flags, in, err, errlen);
		if (!ret)
			ret = recording_side(in, err, errlen);
	}
	if (ret)
		vbt_input_close(in);
	return ret;
}

int vbt_input_open_mem(const char *buf, size_t len, struct vbt_input *in,
		       char *err, size_t errlen)
{
	return vbt_input_open_mem_ex(buf, len, 0, in, err, errlen);
}

/*
 * A plain recording file, compact: streamed, never held whole.  1 if it
 * is not one (a bundle, standard input): the caller reads it whole.
 */
static int stream_recording(const char *path, int flags,
			    struct vbt_input *in, char *err, size_t errlen)
{
	char head[2], msg[240];
	struct stat st;
	ssize_t n = 0, r;
	int fd, ret;

	if (!strcmp(path, "-"))
		return 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return 1;	/* the whole-file reader says why */
	}
	if ((uint64_t)st.st_size > VBT_REC_MAX_BYTES) {
		close(fd);
		return 1;	/* a bundle this large is refused there too */
	}
	while (n < (ssize_t)sizeof(head)) {
		r = read(fd, head + n, sizeof(head) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	if (vbt_is_gzip(head, n)) {
		close(fd);
		return 1;
	}
	in->crec.lines = (flags & VBT_INPUT_LINES) == VBT_INPUT_LINES;
	ret = vbt_rec_scan_fd(fd, head, n, &in->rec, crec_add, &in->crec,
			      msg, sizeof(msg));
	if (!ret && in->crec.lines) {
		in->fd = fd;	/* the lines are read again from it */
		in->has_fd = true;
	} else {
		close(fd);
	}
	if (!ret)
		ret = recording_side(in, msg, sizeof(msg));
	if (ret) {
		vbt_input_close(in);
		snprintf(err, errlen, "%s: %s", path, ret == -EFBIG ?
			 "too large" : msg);
	}
	return ret;
}

int vbt_input_open(const char *path, struct vbt_input *in, char *err,
		   size_t errlen)
{
	return vbt_input_open_ex(path, 0, in, err, errlen);
}

int vbt_input_open_ex(const char *path, int flags, struct vbt_input *in,
		      char *err, size_t errlen)
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
			ret = open_members(&a, flags, in, msg, sizeof(msg));
		if (ret) {
			vbt_input_close(in);
			snprintf(err, errlen, "%s: %s", path, msg);
		}
		return ret;
	}
	if (flags & VBT_INPUT_COMPACT) {
		ret = stream_recording(path, flags, in, err, errlen);
		if (ret <= 0)
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
	ret = vbt_input_open_mem_ex(buf, len, flags, in, msg, sizeof(msg));
	if (ret)
		snprintf(err, errlen, "%s: %s", path, msg);
	if (!ret && in->text == buf)	/* its lines are read again */
		in->own_text = buf;
	else
		free(buf);
	return ret;
}

void vbt_input_close(struct vbt_input *in)
{
	json_object_put(in->manifest);
	json_object_put(in->facts);
	free(in->summary);
	vbt_rec_free(&in->rec);
	vbt_crec_free(&in->crec);
	if (in->has_fd)
		close(in->fd);
	free(in->own_text);
	memset(in, 0, sizeof(*in));
	in->side = -1;
}

/* What the compact event holds, as a full one. */
static void from_compact(const struct vbt_input *in, size_t i,
			 struct vbt_rec_event *re)
{
	const struct vbt_crec *c = &in->crec;
	const struct vbt_cev *e = &c->ev[i];
	const struct vbt_chost *h = vbt_crec_host(c, e);
	struct vbt_event *ev = &re->ev;

	re->real_ns = e->real_ns;
	re->reached_device = e->reached_device;
	ev->seq = e->seq;
	ev->kind = e->kind;
	ev->side = in->side == VBT_SIDE_HOST ? VBT_SIDE_HOST : VBT_SIDE_GUEST;
	ev->pid = e->pid;
	ev->tid = e->tid;
	ev->err = e->err;
	snprintf(ev->comm, sizeof(ev->comm), "%s", vbt_crec_str(c, e->comm));
	switch (e->kind) {
	case VBT_KIND_BLOCK:
		ev->blk.sector = e->off;
		ev->blk.bytes = e->len;
		ev->blk.nr_sectors = e->nr_sectors;
		ev->blk.lat_ns = e->lat_ns;
		ev->blk.op = e->op;
		ev->blk.status = e->status;
		ev->blk.virtio_status = e->virtio_status;
		ev->blk.not_issued = !e->reached_device;
		snprintf(ev->blk.disk, sizeof(ev->blk.disk), "%s",
			 vbt_crec_str(c, e->disk));
		break;
	case VBT_KIND_SYSCALL:
		ev->sys.offset = e->off;
		ev->sys.len = e->len;
		ev->sys.sys = e->op;
		ev->sys.cause_seq = e->cause_seq;
		snprintf(ev->sys.path, sizeof(ev->sys.path), "%s",
			 vbt_crec_str(c, e->path));
		break;
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		ev->async.offset = e->off;
		ev->async.len = e->len;
		ev->async.opcode = e->op;
		snprintf(ev->async.path, sizeof(ev->async.path), "%s",
			 vbt_crec_str(c, e->path));
		break;
	case VBT_KIND_LOST:
		ev->lost = e->len;
		break;
	}
	ev->host.direct = -1;
	if (h) {
		ev->host.known = true;
#define HOST_STR(f) snprintf(ev->host.f, sizeof(ev->host.f), "%s", \
			     vbt_crec_str(c, h->f))
		HOST_STR(vm);
		HOST_STR(drive);
		HOST_STR(node);
		HOST_STR(image);
		HOST_STR(format);
		HOST_STR(aio);
		HOST_STR(cache);
#undef HOST_STR
	}
}

/* Event @i's line parsed again; false if it does not read as it did. */
static bool read_again(const struct vbt_input *in, size_t i,
		       struct vbt_rec_event *re)
{
	const struct vbt_crec *c = &in->crec;
	uint64_t off = c->line_off[i];
	size_t len = c->line_len[i];
	char err[200], *line = NULL;
	const char *p;
	bool ok;

	if (in->text) {
		if (off > in->text_len || len > in->text_len - off)
			return false;
		p = in->text + off;
	} else {
		line = len <= VBT_REC_MAX_LINE ? malloc(len + 1) : NULL;
		if (!line || pread(in->fd, line, len, off) != (ssize_t)len) {
			free(line);
			return false;
		}
		p = line;
	}
	ok = !vbt_rec_parse_line(p, len, re, err, sizeof(err)) &&
	     re->real_ns == c->ev[i].real_ns && re->ev.kind == c->ev[i].kind &&
	     (!re->ev.seq || re->ev.seq == c->ev[i].seq);
	free(line);
	re->ev.seq = c->ev[i].seq;
	re->line_off = off;
	re->line_len = len;
	return ok;
}

const struct vbt_rec_event *vbt_input_event(const struct vbt_input *in,
					    size_t i,
					    struct vbt_rec_event *buf)
{
	if (i < in->rec.n)
		return &in->rec.ev[i];
	if (in->crec.lines && (in->text || in->has_fd) &&
	    read_again(in, i, buf))
		return buf;
	memset(buf, 0, sizeof(*buf));
	if (i < in->crec.n)
		from_compact(in, i, buf);
	return buf;
}
