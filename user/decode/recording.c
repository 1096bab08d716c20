// SPDX-License-Identifier: GPL-2.0
/*
 * The strict reader of the JSON Lines of docs/events.schema.json.
 * Everything a recording says is checked before it is believed: required
 * fields, JSON types, ranges and string lengths.  New optional fields of format version 1 are ignored, so
 * an older reader accepts a newer writer of the same version; a higher
 * version is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "decode/names.h"
#include "decode/recording.h"
#include "decode/scsi_names.h"
#include "util/json.h"

#define JSON_DEPTH 8

struct ctx {
	struct json_object *o;
	struct vbt_rec_event *re;
	char *err;
	size_t errlen;
	int ret;		/* first error */
};

static int fail(struct ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;

	if (c->ret)
		return c->ret;
	c->ret = ret;
	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Keep the first value this reader does not know, instead of failing. */
static void unknown_value(struct ctx *c, const char *key, const char *val)
{
	if (!c->re->unknown[0])
		snprintf(c->re->unknown, sizeof(c->re->unknown), "%s \"%s\"",
			 key, val);
}

/* field() of a value already looked up: @had says the key was there. */
static struct json_object *field_of(struct ctx *c, const char *key,
				    struct json_object *v, bool had,
				    json_type type, bool required)
{
	if (!had || !v) {
		if (required)
			fail(c, -EINVAL, "missing field \"%s\"", key);
		return NULL;
	}
	if (!json_object_is_type(v, type)) {
		fail(c, -EINVAL, "field \"%s\" has the wrong type (%s)", key,
		     json_type_to_name(json_object_get_type(v)));
		return NULL;
	}
	return v;
}

static struct json_object *field(struct ctx *c, const char *key,
				 json_type type, bool required)
{
	struct json_object *v = NULL;
	bool had = json_object_object_get_ex(c->o, key, &v);

	return field_of(c, key, v, had, type, required);
}

/* An integer in [0, max]; json-c keeps integers above INT64_MAX unsigned. */
static uint64_t get_u64(struct ctx *c, const char *key, uint64_t max,
			bool required, uint64_t dflt)
{
	struct json_object *v = field(c, key, json_type_int, required);
	uint64_t u;

	if (!v)
		return dflt;
	if (json_object_get_int64(v) < 0) {
		fail(c, -EINVAL, "field \"%s\" is negative", key);
		return dflt;
	}
	u = json_object_get_uint64(v);
	if (u > max) {
		fail(c, -EINVAL, "field \"%s\" is out of range", key);
		return dflt;
	}
	return u;
}

static int64_t get_i64(struct ctx *c, const char *key, int64_t min,
		       int64_t max, bool required, int64_t dflt)
{
	struct json_object *v = field(c, key, json_type_int, required);
	int64_t i;

	if (!v)
		return dflt;
	i = json_object_get_int64(v);
	if (i < min || i > max) {
		fail(c, -EINVAL, "field \"%s\" is out of range", key);
		return dflt;
	}
	return i;
}

static bool get_bool(struct ctx *c, const char *key, bool dflt)
{
	struct json_object *v = field(c, key, json_type_boolean, false);

	return v ? json_object_get_boolean(v) : dflt;
}

static const char *str_of(struct ctx *c, const char *key,
			  struct json_object *v, char *buf, size_t len);

/* Copy a string field into buf (size len, NUL included); "" if absent. */
static const char *get_str(struct ctx *c, const char *key, char *buf,
			   size_t len, bool required)
{
	return str_of(c, key, field(c, key, json_type_string, required), buf,
		      len);
}

/*
 * An optional string field into @buf; true if the key is there at all
 * (even as null, or with a value that fails the line).
 */
static bool opt_str(struct ctx *c, const char *key, char *buf, size_t len)
{
	struct json_object *v = NULL;
	bool had = json_object_object_get_ex(c->o, key, &v);

	str_of(c, key, field_of(c, key, v, had, json_type_string, false), buf,
	       len);
	return had;
}

/* get_str() of a value field() gave (NULL: absent, or a failure). */
static const char *str_of(struct ctx *c, const char *key,
			  struct json_object *v, char *buf, size_t len)
{
	const char *s;
	size_t n;

	if (buf)
		buf[0] = 0;
	if (!v)
		return NULL;
	s = json_object_get_string(v);
	n = json_object_get_string_len(v);
	if (strlen(s) != n) {
		fail(c, -EINVAL, "field \"%s\" contains a NUL byte", key);
		return NULL;
	}
	if (buf) {
		if (n >= len) {
			fail(c, -EINVAL, "field \"%s\" is too long (%zu bytes, "
			     "at most %zu)", key, n, len - 1);
			return NULL;
		}
		memcpy(buf, s, n + 1);
	}
	return s;
}

static int kind_from_name(const char *s)
{
	static const int user_kinds[] = { VBT_KIND_VM_STATE,
					  VBT_KIND_BACKEND_REMOVED };

	for (int k = VBT_KIND_BLOCK; k <= VBT_KIND_STUCK; k++)
		/* SCSI records are joined to requests, never written. */
		if (k != VBT_KIND_SCSI && !strcmp(s, vbt_kind_name(k)))
			return k;
	for (size_t i = 0; i < sizeof(user_kinds) / sizeof(user_kinds[0]); i++)
		if (!strcmp(s, vbt_kind_name(user_kinds[i])))
			return user_kinds[i];
	return -1;
}

static int sys_from_name(const char *s)
{
	for (int i = 1; i < VBT_SYS_MAX; i++)
		if (!strcmp(s, vbt_sys_name(i)))
			return i;
	return -1;
}

/* "IOERR" or "STS_42" -> blk_status_t; -1 if neither. */
static int status_from_name(const char *s)
{
	char *end;
	long v;

	for (int i = 0; i < 64; i++) {
		const char *n = vbt_blk_status_name(i);

		if (!strncmp(n, "STS_", 4))
			break;
		if (!strcmp(s, n))
			return i;
	}
	if (strncmp(s, "STS_", 4) || !s[4])
		return -1;
	errno = 0;
	v = strtol(s + 4, &end, 10);
	if (errno || *end || v < 0 || v > 255)
		return -1;
	return v;
}

static int virtio_from_name(const char *s)
{
	static const int vs[] = { VBT_VIRTIO_OK, VBT_VIRTIO_IOERR,
				  VBT_VIRTIO_UNSUPP };

	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
		if (!strcmp(s, vbt_virtio_status_name(vs[i])))
			return vs[i];
	if (!strcmp(s, "UNKNOWN"))
		return 3;
	return -1;
}

static uint32_t flags_from_array(struct ctx *c)
{
	struct json_object *a = field(c, "flags", json_type_array, true);
	uint32_t flags = 0;
	size_t n;

	if (!a)
		return 0;
	n = json_object_array_length(a);
	if (n > 64) {
		fail(c, -EINVAL, "field \"flags\" has too many entries");
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(a, i);
		const char *names[32];

		if (!json_object_is_type(f, json_type_string)) {
			fail(c, -EINVAL, "field \"flags\" holds a non-string");
			return 0;
		}
		/* Flag names this reader does not know are dropped. */
		for (int bit = 0; bit < 32; bit++)
			if (vbt_rq_flag_names(1U << bit, names, 1) == 1 &&
			    !strcmp(names[0], json_object_get_string(f)))
				flags |= 1U << bit;
	}
	return flags;
}

/* The "scsi" object of a block record (format_json.c add_scsi). */
static void parse_scsi(struct ctx *c, struct vbt_scsi_info *si)
{
	struct json_object *o = field(c, "scsi", json_type_object, false);
	struct ctx sub = *c;
	unsigned long long lun;
	char buf[64];

	if (!o)
		return;
	sub.o = o;
	if (get_str(&sub, "address", buf, sizeof(buf), true) &&
	    sscanf(buf, "%u:%u:%u:%llu", &si->host, &si->channel, &si->id,
		   &lun) == 4)
		si->lun = lun;
	si->result = get_u64(&sub, "result", UINT32_MAX, true, 0);
	si->opcode = get_u64(&sub, "opcode", 255, true, 0);
	si->tries = get_u64(&sub, "tries", INT32_MAX, true, 1);
	si->sense_key = -1;
	if (get_str(&sub, "sense_key", buf, sizeof(buf), false))
		si->sense_key = vbt_sense_key_from_name(buf, strlen(buf));
	si->asc = get_i64(&sub, "asc", 0, 255, false, -1);
	si->ascq = get_i64(&sub, "ascq", 0, 255, false, -1);
	si->deferred = get_bool(&sub, "deferred", false);
	si->known = !sub.ret;
	if (sub.ret)
		c->ret = sub.ret;	/* sub wrote the message */
}

static void parse_bio(struct ctx *c, struct vbt_rec_event *re)
{
	struct vbt_bio_info *b = &re->ev.bio;
	uint64_t major, minor;
	char name[32];

	get_str(c, "dev", b->disk, sizeof(b->disk), true);
	major = get_u64(c, "major", 4095, true, 0);
	minor = get_u64(c, "minor", 0xfffff, true, 0);
	b->dev = (uint32_t)(major << 20 | minor);
	if (get_str(c, "op", name, sizeof(name), true)) {
		b->op = vbt_op_from_name(name);
		if (b->op < 0)
			unknown_value(c, "op", name);
	}
	b->sector = get_u64(c, "sector", UINT64_MAX, true, 0);
	b->nr_sectors = get_u64(c, "nr_sectors", UINT32_MAX, true, 0);
	b->bytes = get_u64(c, "bytes", UINT32_MAX, true, 0);
	if (get_str(c, "status", name, sizeof(name), true)) {
		b->status = status_from_name(name);
		if (b->status < 0)
			unknown_value(c, "status", name);
	}
	b->stacked = get_bool(c, "stacked", false);
	if (get_str(c, "from_dev", b->from_disk, sizeof(b->from_disk), false)) {
		b->remap = true;
		b->from_sector = get_u64(c, "from_sector", UINT64_MAX, true, 0);
	}
}

/* "cause" is absent for records the ring had no room for. */
static void parse_lost(struct ctx *c, struct vbt_rec_event *out)
{
	char cause[16];

	out->ev.lost = get_u64(c, "count", UINT64_MAX, true, 0);
	if (get_str(c, "cause", cause, sizeof(cause), false) &&
	    strcmp(cause, "unseen"))
		fail(c, -EINVAL, "field \"cause\" is not \"unseen\"");
	out->ev.lost_unseen = cause[0];
}

static void parse_stuck(struct ctx *c, struct vbt_rec_event *re)
{
	static const char *const phases[] = { "in_flight", "ended", "gone" };
	struct vbt_stuck_info *st = &re->ev.stuck;
	uint64_t major, minor;
	char name[32];

	get_str(c, "dev", st->disk, sizeof(st->disk), true);
	major = get_u64(c, "major", 4095, true, 0);
	minor = get_u64(c, "minor", 0xfffff, true, 0);
	st->dev = (uint32_t)(major << 20 | minor);
	if (get_str(c, "op", name, sizeof(name), true)) {
		st->op = vbt_op_from_name(name);
		if (st->op < 0)
			unknown_value(c, "op", name);
	}
	st->sector = get_u64(c, "sector", UINT64_MAX, true, 0);
	st->nr_sectors = get_u64(c, "nr_sectors", UINT32_MAX, true, 0);
	st->bytes = get_u64(c, "bytes", UINT32_MAX, true, 0);
	st->phase = -1;
	if (get_str(c, "phase", name, sizeof(name), true)) {
		for (int i = 0; i < 3; i++)
			if (!strcmp(name, phases[i]))
				st->phase = i;
		if (st->phase < 0)
			unknown_value(c, "phase", name);
	}
	st->age_ns = get_u64(c, st->phase == VBT_STUCK_FOUND ? "age_ns" :
			     "lat_ns", UINT64_MAX, false, 0);
	st->found_seq = get_u64(c, "stuck_seq", UINT64_MAX, false, 0);
	st->start_ns = get_u64(c, "start_mono_ns", UINT64_MAX, true, 0);
	st->status = -1;
	if (get_str(c, "status", name, sizeof(name), false)) {
		st->status = status_from_name(name);
		if (st->status < 0)
			unknown_value(c, "status", name);
	}
	st->issuer_known = get_bool(c, "issuer_known", false);
}

/* A syscall's "cause_chain": the stacked layers, top first. */
static void parse_chain(struct ctx *c, struct vbt_sys_info *s)
{
	struct json_object *a = field(c, "cause_chain", json_type_array,
				      false);
	size_t n;

	if (!a)
		return;
	n = json_object_array_length(a);
	for (size_t i = 0; i < n && s->nchain < VBT_CHAIN_MAX && !c->ret;
	     i++) {
		struct vbt_chain_link *l = &s->chain[s->nchain];
		struct ctx sub = *c;
		char st[32];

		sub.o = json_object_array_get_idx(a, i);
		if (!json_object_is_type(sub.o, json_type_object)) {
			fail(c, -EINVAL, "field \"cause_chain\" holds a "
			     "non-object");
			return;
		}
		l->seq = get_u64(&sub, "seq", UINT64_MAX, true, 0);
		get_str(&sub, "dev", l->disk, sizeof(l->disk), true);
		l->sector = get_u64(&sub, "sector", UINT64_MAX, true, 0);
		l->nr_sectors = get_u64(&sub, "nr_sectors", UINT32_MAX, true,
					0);
		l->status = -1;
		if (get_str(&sub, "status", st, sizeof(st), true))
			l->status = status_from_name(st);
		if (sub.ret)
			c->ret = sub.ret;
		else
			s->nchain++;
	}
}

static void parse_block(struct ctx *c, struct vbt_rec_event *re)
{
	struct vbt_block_info *b = &re->ev.blk;
	char name[32];
	uint64_t major, minor;

	get_str(c, "dev", b->disk, sizeof(b->disk), true);
	major = get_u64(c, "major", 4095, true, 0);
	minor = get_u64(c, "minor", 0xfffff, true, 0);
	b->dev = (uint32_t)(major << 20 | minor);
	if (get_str(c, "op", name, sizeof(name), true)) {
		b->op = vbt_op_from_name(name);
		if (b->op < 0)
			unknown_value(c, "op", name);
	}
	b->flags = flags_from_array(c);
	b->sector = get_u64(c, "sector", UINT64_MAX, true, 0);
	b->nr_sectors = get_u64(c, "nr_sectors", UINT32_MAX, true, 0);
	b->bytes = get_u64(c, "bytes", UINT32_MAX, true, 0);
	b->status = -1;
	if (get_str(c, "status", name, sizeof(name), false)) {
		b->status = status_from_name(name);
		if (b->status < 0)
			unknown_value(c, "status", name);
	}
	b->lat_ns = get_u64(c, "lat_ns", UINT64_MAX, false, 0);
	b->issuer_known = get_bool(c, "issuer_known", false);
	re->reached_device = get_bool(c, "reached_device", true);
	b->not_issued = !re->reached_device;
	b->virtio_status = VBT_VIRTIO_NONE;
	if (get_str(c, "virtio_status", name, sizeof(name), false)) {
		b->virtio_status = virtio_from_name(name);
		if (b->virtio_status < 0) {
			b->virtio_status = 3;	/* shown as UNKNOWN */
			unknown_value(c, "virtio_status", name);
		}
	}
	b->virtio_derived = get_bool(c, "virtio_status_derived", false);
	parse_scsi(c, &b->scsi);
}

static void parse_syscall(struct ctx *c, struct vbt_rec_event *re)
{
	struct vbt_sys_info *s = &re->ev.sys;
	char name[32];

	if (get_str(c, "syscall", name, sizeof(name), true)) {
		s->sys = sys_from_name(name);
		if (s->sys < 0) {
			s->sys = 0;	/* shown as "unknown" */
			unknown_value(c, "syscall", name);
		}
	}
	s->fd = get_i64(c, "fd", INT32_MIN, INT32_MAX, true, -1);
	get_str(c, "path", s->path, sizeof(s->path), true);
	s->offset = get_u64(c, "offset", UINT64_MAX - 1, false, UINT64_MAX);
	s->len = get_u64(c, "len", UINT64_MAX, true, 0);
	s->cause_seq = get_u64(c, "cause", UINT64_MAX, false, 0);
	parse_chain(c, s);
	s->ret = -(int64_t)re->ev.err;
}

static void parse_async(struct ctx *c, struct vbt_rec_event *re)
{
	struct vbt_async_info *a = &re->ev.async;

	a->opcode = get_i64(c, "opcode", 0, 255, true, 0);
	a->fd = get_i64(c, "fd", INT32_MIN, INT32_MAX, true, -1);
	get_str(c, "path", a->path, sizeof(a->path), true);
	a->offset = get_u64(c, "offset", UINT64_MAX, true, 0);
	a->len = get_u64(c, "len", UINT32_MAX, true, 0);
	a->res = -re->ev.err;
}

static void parse_host(struct ctx *c, struct vbt_host_info *h)
{
	bool known = false;

	h->direct = -1;
	/* Any of these keys makes the event enriched; one lookup each. */
	known |= opt_str(c, "vm", h->vm, sizeof(h->vm));
	known |= opt_str(c, "drive", h->drive, sizeof(h->drive));
	known |= opt_str(c, "node", h->node, sizeof(h->node));
	known |= opt_str(c, "image", h->image, sizeof(h->image));
	known |= opt_str(c, "format", h->format, sizeof(h->format));
	known |= opt_str(c, "aio", h->aio, sizeof(h->aio));
	known |= opt_str(c, "cache", h->cache, sizeof(h->cache));
	h->known = known;
	if (!known)
		return;
	if (field(c, "direct", json_type_boolean, false))
		h->direct = get_bool(c, "direct", false);
	get_str(c, "werror", h->werror, sizeof(h->werror), false);
	get_str(c, "rerror", h->rerror, sizeof(h->rerror), false);
	get_str(c, "guest_sees", h->guest_sees, sizeof(h->guest_sees), false);
	h->retry_of = get_u64(c, "retry_of", UINT64_MAX, false, 0);
}

static void parse_common(struct ctx *c, struct vbt_rec_event *re)
{
	struct vbt_event *ev = &re->ev;
	char buf[48];

	if (get_str(c, "ts", buf, sizeof(buf), true) &&
	    vbt_parse_rfc3339(buf, &re->real_ns))
		fail(c, -EINVAL, "field \"ts\" is not an RFC 3339 UTC time: "
		     "\"%s\"", buf);
	ev->mono_ns = get_u64(c, "mono_ns", INT64_MAX, true, 0);
	if (get_str(c, "side", buf, sizeof(buf), true)) {
		if (!strcmp(buf, "guest"))
			ev->side = VBT_SIDE_GUEST;
		else if (!strcmp(buf, "host"))
			ev->side = VBT_SIDE_HOST;
		else
			fail(c, -EINVAL, "unknown side \"%s\"", buf);
	}
	if (get_str(c, "kind", buf, sizeof(buf), true))
		ev->kind = kind_from_name(buf);
	ev->err = get_u64(c, "errno", 4095, true, 0);
	get_str(c, "err", buf, sizeof(buf), true);
	ev->pid = get_u64(c, "pid", UINT32_MAX, true, 0);
	ev->tid = get_u64(c, "tid", UINT32_MAX, true, 0);
	get_str(c, "comm", ev->comm, sizeof(ev->comm), true);
	ev->seq = get_u64(c, "seq", UINT64_MAX, false, 0);
}

static int check_version(struct ctx *c)
{
	struct json_object *v = field(c, "v", json_type_int, true);
	int64_t ver;

	if (!v)
		return c->ret;
	ver = json_object_get_int64(v);
	if (ver > VBT_REC_VERSION)
		return fail(c, -EPROTONOSUPPORT, "format version %lld is newer "
			    "than this vblktrace reads (%d): upgrade vblktrace",
			    (long long)ver, VBT_REC_VERSION);
	if (ver < 1)
		return fail(c, -EINVAL, "bad format version %lld",
			    (long long)ver);
	return 0;
}

static int parse_line(struct json_tokener *tok, const char *line, size_t len,
		      struct vbt_rec_event *out, char *err, size_t errlen)
{
	struct ctx c = { .err = err, .errlen = errlen, .re = out };
	char jerr[128], kind[32];

	memset(out, 0, sizeof(*out));
	out->reached_device = true;
	if (len > VBT_REC_MAX_LINE)
		return fail(&c, -E2BIG, "line longer than %d bytes",
			    VBT_REC_MAX_LINE);
	c.o = vbt_json_parse_tok(tok, line, len, jerr, sizeof(jerr));
	if (!c.o)
		return fail(&c, -EINVAL, "not JSON: %s", jerr);
	if (!json_object_is_type(c.o, json_type_object)) {
		fail(&c, -EINVAL, "not a JSON object");
		goto out;
	}
	if (check_version(&c))
		goto out;
	/*
	 * Records that are not events: watch's alert folds and its final
	 * record.  A kind nobody here knows came from a newer vblktrace: it
	 * is skipped and counted, the rest of the file still read.
	 */
	if (get_str(&c, "kind", kind, sizeof(kind), true) &&
	    kind_from_name(kind) < 0) {
		if (!strcmp(kind, "alert") || !strcmp(kind, "stopped")) {
			c.ret = VBT_REC_META;
		} else {
			unknown_value(&c, "kind", kind);
			c.ret = VBT_REC_UNKNOWN_KIND;
		}
		goto out;
	}
	if (c.ret)
		goto out;
	parse_common(&c, out);
	if (c.ret)
		goto out;
	switch (out->ev.kind) {
	case VBT_KIND_BLOCK:
		parse_block(&c, out);
		break;
	case VBT_KIND_SYSCALL:
		parse_syscall(&c, out);
		break;
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		parse_async(&c, out);
		break;
	case VBT_KIND_LOST:
		parse_lost(&c, out);
		break;
	case VBT_KIND_BIO:
		parse_bio(&c, out);
		break;
	case VBT_KIND_STUCK:
		parse_stuck(&c, out);
		break;
	case VBT_KIND_VM_STATE:
	case VBT_KIND_BACKEND_REMOVED:
		get_str(&c, "state", out->ev.vmstate.state,
			sizeof(out->ev.vmstate.state), true);
		get_str(&c, "reason", out->ev.vmstate.reason,
			sizeof(out->ev.vmstate.reason), false);
		get_str(&c, "state_source", out->ev.vmstate.source,
			sizeof(out->ev.vmstate.source), false);
		break;
	}
	parse_host(&c, &out->ev.host);
out:
	json_object_put(c.o);
	return c.ret;
}

int vbt_rec_parse_line(const char *line, size_t len, struct vbt_rec_event *out,
		       char *err, size_t errlen)
{
	struct json_tokener *tok = vbt_json_tokener(JSON_DEPTH,
						    VBT_JSON_STRICT);
	int ret;

	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = parse_line(tok, line, len, out, err, errlen);
	json_tokener_free(tok);
	return ret;
}

static int append(void *arg, const struct vbt_rec_event *re)
{
	struct vbt_recording *r = arg;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		void *p = reallocarray(r->ev, cap, sizeof(*r->ev));

		if (!p)
			return -ENOMEM;
		r->ev = p;
		r->cap = cap;
	}
	r->ev[r->n++] = *re;
	return 0;
}

static void note_span(struct vbt_recording *r, const struct vbt_rec_event *re,
		      bool first)
{
	const struct vbt_event *ev = &re->ev;

	r->sides |= ev->side == VBT_SIDE_HOST ? 2 : 1;
	if (first) {
		r->mono_to_real_ns = (int64_t)(re->real_ns - ev->mono_ns);
		r->first_real_ns = r->last_real_ns = re->real_ns;
		r->first_mono_ns = r->last_mono_ns = ev->mono_ns;
		return;
	}
	if (re->real_ns < r->first_real_ns)
		r->first_real_ns = re->real_ns;
	if (re->real_ns > r->last_real_ns)
		r->last_real_ns = re->real_ns;
	if (ev->mono_ns < r->first_mono_ns)
		r->first_mono_ns = ev->mono_ns;
	if (ev->mono_ns > r->last_mono_ns)
		r->last_mono_ns = ev->mono_ns;
}

static void note_unknown(struct vbt_recording *r, size_t *count,
			 size_t lineno, const struct vbt_rec_event *re)
{
	if (!r->note[0])
		snprintf(r->note, sizeof(r->note), "line %zu: %s", lineno,
			 re->unknown);
	(*count)++;
}

/* One recording being read, line by line, wherever its bytes come from. */
struct loader {
	struct vbt_recording *r;	/* counts, spans (and events: append) */
	vbt_rec_add_fn add;
	void *arg;
	struct json_tokener *tok;
	struct vbt_rec_event *re;	/* 1.2 KiB: one, reused */
	size_t lineno, nev;
	uint64_t line_off;		/* of the line loader_line() gets */
	char *err;
	size_t errlen;
};

static int loader_init(struct loader *l, struct vbt_recording *r,
		       vbt_rec_add_fn add, void *arg, char *err,
		       size_t errlen)
{
	memset(r, 0, sizeof(*r));
	*l = (struct loader){ .r = r, .add = add ? add : append,
			      .arg = add ? arg : r, .err = err,
			      .errlen = errlen };
	l->re = malloc(sizeof(*l->re));
	l->tok = vbt_json_tokener(JSON_DEPTH, VBT_JSON_STRICT);
	if (!l->re || !l->tok) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int loader_done(struct loader *l, int ret)
{
	free(l->re);
	if (l->tok)
		json_tokener_free(l->tok);
	if (ret)
		vbt_rec_free(l->r);
	return ret;
}

/* One line without its newline. */
static int loader_line(struct loader *l, const char *line, size_t n)
{
	struct vbt_recording *r = l->r;
	struct vbt_rec_event *re = l->re;
	char msg[200];
	int ret;

	l->lineno++;
	if (n == 0 || (n == 1 && line[0] == '\r'))
		return 0;
	if (l->nev == VBT_REC_MAX_EVENTS) {
		snprintf(l->err, l->errlen, "more than %d events",
			 VBT_REC_MAX_EVENTS);
		return -E2BIG;
	}
	ret = parse_line(l->tok, line, n, re, msg, sizeof(msg));
	if (ret == VBT_REC_META || ret == VBT_REC_UNKNOWN_KIND) {
		if (ret == VBT_REC_META)
			r->n_meta++;
		else
			note_unknown(r, &r->n_skipped, l->lineno, re);
		return 0;
	}
	if (ret) {
		snprintf(l->err, l->errlen, "line %zu: %s", l->lineno, msg);
		return ret;
	}
	if (re->unknown[0])
		note_unknown(r, &r->n_unknown, l->lineno, re);
	if (!re->ev.seq)
		re->ev.seq = l->nev + 1;
	re->line_off = l->line_off;
	re->line_len = n;
	ret = l->add(l->arg, re);
	if (ret) {
		snprintf(l->err, l->errlen, "out of memory");
		return ret;
	}
	note_span(r, re, l->nev == 0);
	l->nev++;
	return 0;
}

static int truncated(struct loader *l)
{
	snprintf(l->err, l->errlen, "line %zu: truncated (no newline at the "
		 "end of the recording)", l->lineno + 1);
	return -EINVAL;
}

int vbt_rec_scan_mem(const char *buf, size_t len, struct vbt_recording *r,
		     vbt_rec_add_fn add, void *arg, char *err, size_t errlen)
{
	struct loader l;
	size_t pos = 0;
	int ret;

	if (len > VBT_REC_MAX_BYTES) {
		memset(r, 0, sizeof(*r));
		snprintf(err, errlen, "recording larger than %lu MiB",
			 VBT_REC_MAX_BYTES >> 20);
		return -EFBIG;
	}
	ret = loader_init(&l, r, add, arg, err, errlen);
	while (!ret && pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);

		if (!nl) {
			ret = truncated(&l);
			break;
		}
		l.line_off = pos;
		ret = loader_line(&l, buf + pos, nl - (buf + pos));
		pos = nl - buf + 1;
	}
	return loader_done(&l, ret);
}

int vbt_rec_load_mem(const char *buf, size_t len, struct vbt_recording *r,
		     char *err, size_t errlen)
{
	return vbt_rec_scan_mem(buf, len, r, NULL, NULL, err, errlen);
}

#define SCAN_CHUNK	(1024 * 1024)

int vbt_rec_scan_fd(int fd, const char *head, size_t headlen,
		    struct vbt_recording *r, vbt_rec_add_fn add, void *arg,
		    char *err, size_t errlen)
{
	/* a chunk and, before it, room for the line it cuts */
	size_t cap = VBT_REC_MAX_LINE + 2 + SCAN_CHUNK, have = 0, total = 0;
	struct loader l;
	char *buf = NULL;
	int ret;

	ret = loader_init(&l, r, add, arg, err, errlen);
	if (!ret)
		buf = malloc(cap);
	if (!ret && !buf) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
	}
	if (!ret && headlen > cap) {
		snprintf(err, errlen, "%zu bytes read ahead: more than a "
			 "chunk", headlen);
		ret = -EINVAL;
	} else if (!ret && headlen) {
		memcpy(buf, head, headlen);
		have = total = headlen;
	}
	while (!ret) {
		size_t pos = 0;
		ssize_t got = 0;

		if (have < cap)
			got = read(fd, buf + have, cap - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s", strerror(errno));
			break;
		}
		have += got;
		total += got;
		if (total > VBT_REC_MAX_BYTES) {
			snprintf(err, errlen, "recording larger than %lu MiB",
				 VBT_REC_MAX_BYTES >> 20);
			ret = -EFBIG;
			break;
		}
		while (!ret) {
			const char *nl = memchr(buf + pos, '\n', have - pos);

			if (!nl)
				break;
			/* total - have: where buf starts in the stream */
			l.line_off = total - have + pos;
			ret = loader_line(&l, buf + pos, nl - (buf + pos));
			pos = nl - buf + 1;
		}
		if (ret)
			break;
		/* the cut line moves to the front; too long a line is refused */
		memmove(buf, buf + pos, have - pos);
		have -= pos;
		if (have > VBT_REC_MAX_LINE) {
			snprintf(err, errlen, "line %zu: line longer than %d "
				 "bytes", l.lineno + 1, VBT_REC_MAX_LINE);
			ret = -E2BIG;
		} else if (!got && !pos) {
			if (have)
				ret = truncated(&l);
			break;
		}
	}
	free(buf);
	return loader_done(&l, ret);
}

void vbt_rec_free(struct vbt_recording *r)
{
	free(r->ev);
	memset(r, 0, sizeof(*r));
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's
 * days_from_civil): timegm()'s answer without its locks and time zone
 * look-ups, two million times per merge.  Linear in @d, so an out-of-month
 * day (Feb 31) lands where timegm() normalizes it.
 */
static long long days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;		/* y >= 1969: no negative division */
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097LL + doe - 719468;
}

int vbt_parse_rfc3339(const char *s, uint64_t *ns)
{
	int y, mo, d, h, mi, sec, frac = 0, fdig = 0;
	long long t;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
	    digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return -EINVAL;
	s += 19;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			if (fdig++ >= 9)
				return -EINVAL;
			frac = frac * 10 + (*s++ - '0');
		}
		if (!fdig)
			return -EINVAL;
		while (fdig++ < 9)
			frac *= 10;
	}
	if (strcmp(s, "Z") || y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > 31 || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	t = days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + sec;
	if (t < 0 || (uint64_t)t > UINT64_MAX / 1000000000ULL - 1)
		return -EINVAL;
	*ns = (uint64_t)t * 1000000000ULL + frac;
	return 0;
}

int vbt_read_file_max(const char *path, size_t max, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	struct stat st;
	char *b, *p;
	ssize_t r;
	int fd, ret = 0;

	/* "-" is standard input, a pipe as often as a file: read to EOF. */
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) :
				 dup(STDIN_FILENO);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) ||
	    !(S_ISREG(st.st_mode) ||
	      (!strcmp(path, "-") && !S_ISDIR(st.st_mode)))) {
		close(fd);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	b = malloc(cap + 1);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (n == cap) {
			char probe;

			if (cap >= max) {
				/* Exactly max bytes is fine; one more is not. */
				r = read(fd, &probe, 1);
				ret = r == 0 ? 0 : r < 0 ? -errno : -EFBIG;
				break;
			}
			cap = cap * 2 > max ? max : cap * 2;
			p = realloc(b, cap + 1);
			if (!p) {
				ret = -ENOMEM;
				break;
			}
			b = p;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			break;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	if (ret) {
		free(b);
		return ret;
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

long vbt_rec_index(const struct vbt_recording *r, uint64_t seq)
{
	/* the reader numbers events from 1 in file order: try that first */
	if (seq >= 1 && seq <= r->n && r->ev[seq - 1].ev.seq == seq)
		return (long)seq - 1;
	for (size_t i = 0; i < r->n; i++)
		if (r->ev[i].ev.seq == seq)
			return (long)i;
	return -1;
}
