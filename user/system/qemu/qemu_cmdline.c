// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU argv -> drive model.  Three generations of syntax meet here:
 *   -drive file=IMG,if=...,format=,cache=,aio=   (legacy; BlockBackend +
 *        a node tree built from the filename and dotted keys)
 *   -blockdev '{"driver":..,"node-name":..}'     (libvirt >= 4.x; JSON or
 *        dotted keyval), one node each, children by node-name or inline
 *   -device '{"driver":..,"drive":..,"id":..}'   (JSON or QemuOpts)
 * Everything becomes json-c trees first; each device (or legacy drive
 * without one, or unreferenced node) then walks device -> format node ->
 * filters -> protocol node to find the image.  Defaults are QEMU 7.2's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "system/qemu/qemu_int.h"
#include "util/json.h"

struct ctx {
	struct vbt_vm *vm;
	json_object *nodes;	/* node-name -> -blockdev options */
	json_object *legacy;	/* array of legacy -drive descriptors */
	json_object *devices;	/* array of -device options with drive= */
	json_object *refs;	/* set of node names used as a child */
	json_object *ids;	/* set of legacy drive ids */
	int nnodes;
	char *err;
	size_t errlen;
};

/* Walk state that a parent passes to an inline child (QEMU inherits the
 * cache flags and the legacy aio/discard flags, not across node-names). */
struct wstate {
	int direct, no_flush;	/* -1: not set */
	enum vbt_aio aio;	/* legacy -drive aio=, else unknown */
	const char *discard;
};

enum kind { K_UNKNOWN, K_FORMAT, K_FILTER, K_PROTOCOL };

static const char *const format_drivers[] = {
	"raw", "qcow2", "qcow", "qed", "vmdk", "vdi", "vhdx", "vpc", "luks",
	"parallels", "dmg", "bochs", "cloop", NULL
};
static const char *const filter_drivers[] = {
	"throttle", "copy-on-read", "blkdebug", "blkverify", "blkreplay",
	"preallocate", "compress", "copy-before-write", "blklogwrites",
	"snapshot-access", "replication", "quorum", NULL
};
static const char *const protocol_drivers[] = {
	"file", "host_device", "host_cdrom", "nbd", "rbd", "iscsi", "gluster",
	"ssh", "http", "https", "ftp", "ftps", "nfs", "nvme", "null-co",
	"null-aio", "vvfat", "io_uring", "nvme-io_uring",
	"virtio-blk-vfio-pci", "virtio-blk-vhost-user",
	"virtio-blk-vhost-vdpa", NULL
};
/* Keys under which a node names its children. */
static const char *const child_keys[] = {
	"file", "backing", "image", "test", "raw", "data-file", "log",
	"target", "children", NULL
};

static bool in_list(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static bool starts(const char *s, const char *p)
{
	return s && !strncmp(s, p, strlen(p));
}

static enum kind classify(const char *drv)
{
	if (in_list(format_drivers, drv))
		return K_FORMAT;
	if (in_list(filter_drivers, drv))
		return K_FILTER;
	if (in_list(protocol_drivers, drv))
		return K_PROTOCOL;
	return K_UNKNOWN;
}

static bool posix_protocol(const char *drv)
{
	return drv && (!strcmp(drv, "file") || !strcmp(drv, "host_device") ||
		       !strcmp(drv, "host_cdrom"));
}

static void jset_str(json_object *o, const char *key, const char *val)
{
	if (val)
		json_object_object_add(o, key, json_object_new_string(val));
}

static void jdefault_str(json_object *o, const char *key, const char *val)
{
	if (!vbt_jget(o, key))
		jset_str(o, key, val);
}

/* "cache":{"direct":true} (JSON) or "cache.direct":"on" (flat keys). */
static int cache_flag(json_object *n, const char *flag)
{
	char flat[32];
	int v = vbt_qjson_bool(vbt_jget(n, "cache"), flag);

	if (v >= 0)
		return v;
	snprintf(flat, sizeof(flat), "cache.%s", flag);
	return vbt_qjson_bool(n, flat);
}

/* ---- image names of protocol nodes, free of credentials ---- */

static void nbd_name(json_object *n, char *buf, size_t len)
{
	json_object *srv = vbt_jget(n, "server");
	const char *type = vbt_qjson_str(srv, "type");
	const char *exp = vbt_qjson_str(n, "export");
	const char *path = vbt_qjson_str(srv, "path");
	const char *host = vbt_qjson_str(srv, "host");
	const char *port = vbt_qjson_str(srv, "port");

	if (!srv) {	/* legacy flat keys */
		path = vbt_qjson_str(n, "path");
		host = vbt_qjson_str(n, "host");
		port = vbt_qjson_str(n, "port");
	}
	if ((type && !strcmp(type, "unix")) || (!type && path))
		snprintf(buf, len, "nbd+unix:///%s?socket=%s", exp ? exp : "",
			 path ? path : "");
	else if (host)
		snprintf(buf, len, "nbd://%s:%s/%s", host, port ? port : "10809",
			 exp ? exp : "");
}

static void rbd_name(json_object *n, char *buf, size_t len)
{
	const char *pool = vbt_qjson_str(n, "pool");
	const char *ns = vbt_qjson_str(n, "namespace");
	const char *img = vbt_qjson_str(n, "image");
	const char *snap = vbt_qjson_str(n, "snapshot");

	if (pool && img)
		snprintf(buf, len, "rbd:%s/%s%s%s%s%s", pool, ns ? ns : "",
			 ns ? "/" : "", img, snap ? "@" : "", snap ? snap : "");
}

static void image_name(json_object *n, const char *drv, char *buf, size_t len)
{
	const char *f = vbt_qjson_str(n, "filename");

	buf[0] = '\0';
	if (f) {
		snprintf(buf, len, "%s", f);
	} else if (drv && !strcmp(drv, "nbd")) {
		nbd_name(n, buf, len);
	} else if (drv && !strcmp(drv, "rbd")) {
		rbd_name(n, buf, len);
	} else if (drv && !strcmp(drv, "iscsi")) {
		const char *portal = vbt_qjson_str(n, "portal");
		const char *target = vbt_qjson_str(n, "target");
		const char *lun = vbt_qjson_str(n, "lun");

		if (portal && target)
			snprintf(buf, len, "iscsi://%s/%s/%s", portal, target,
				 lun ? lun : "0");
	} else if (vbt_qjson_str(n, "url")) {
		snprintf(buf, len, "%s", vbt_qjson_str(n, "url"));
	} else if (vbt_qjson_str(n, "path")) {
		snprintf(buf, len, "%s", vbt_qjson_str(n, "path"));
	}
}

/* ---- the walk: device -> format -> filters -> protocol ---- */

static void add_filter(struct vbt_drive *d, const char *drv)
{
	size_t old = d->filters ? strlen(d->filters) : 0;
	char *f;

	if (old > 1024)
		return;
	f = realloc(d->filters, old + strlen(drv) + 2);
	if (!f)
		return;
	if (old)
		f[old++] = ',';
	strcpy(f + old, drv);
	d->filters = f;
}

static void set_protocol(struct vbt_drive *d, json_object *n, const char *drv,
			 const struct wstate *st)
{
	char buf[4096];
	const char *disc = vbt_qjson_str(n, "discard");

	d->protocol = vbt_qstrdup(drv);
	image_name(n, drv, buf, sizeof(buf));
	if (buf[0])
		d->image = vbt_qemu_image_sanitize(buf);
	d->direct = st->direct == 1;
	d->no_flush = st->no_flush == 1;
	if (posix_protocol(drv)) {
		const char *aio = vbt_qjson_str(n, "aio");

		if (aio)
			d->aio = vbt_aio_parse(aio);
		else if (st->aio != VBT_AIO_UNKNOWN)
			d->aio = st->aio;
		else
			d->aio = VBT_AIO_THREADS;	/* file-posix default */
	}
	disc = disc ? disc : st->discard;
	d->discard = vbt_qstrdup(disc ? disc : "ignore");
}

static const char *filter_child_key(const char *drv)
{
	if (!strcmp(drv, "blkdebug"))
		return "image";
	if (!strcmp(drv, "blkverify"))
		return "test";
	return "file";
}

static void walk(struct ctx *c, struct vbt_drive *d, json_object *n,
		 struct wstate st, int depth)
{
	const char *drv, *name;
	json_object *child;
	int v;

	if (!n || depth > VBT_QEMU_MAX_DEPTH)
		return;		/* also ends loops of node-name references */
	if (json_object_is_type(n, json_type_string)) {
		n = vbt_jget(c->nodes, json_object_get_string(n));
		st = (struct wstate){ -1, -1, VBT_AIO_UNKNOWN, NULL };
	}
	if (!n || !json_object_is_type(n, json_type_object))
		return;
	v = cache_flag(n, "direct");
	if (v >= 0)
		st.direct = v;
	v = cache_flag(n, "no-flush");
	if (v >= 0)
		st.no_flush = v;
	if (vbt_qjson_str(n, "discard"))
		st.discard = vbt_qjson_str(n, "discard");
	drv = vbt_qjson_str(n, "driver");
	name = vbt_qjson_str(n, "node-name");

	switch (classify(drv)) {
	case K_FORMAT:
		if (!d->format) {
			d->format = vbt_qstrdup(drv);
			if (name) {
				free(d->node);
				d->node = vbt_qstrdup(name);
			}
		}
		walk(c, d, vbt_jget(n, "file"), st, depth + 1);
		return;
	case K_FILTER:
		add_filter(d, drv);
		child = vbt_jget(n, filter_child_key(drv));
		if (!strcmp(drv, "quorum"))	/* the first child speaks */
			child = json_object_array_get_idx(
					vbt_jget(n, "children"), 0);
		walk(c, d, child, st, depth + 1);
		return;
	case K_PROTOCOL:
		set_protocol(d, n, drv, &st);
		return;
	case K_UNKNOWN:
		child = vbt_jget(n, "file");
		if (child)	/* a format or filter we do not know */
			walk(c, d, child, st, depth + 1);
		else if (drv || vbt_qjson_str(n, "filename"))
			set_protocol(d, n, drv, &st);
		return;
	}
}

/* ---- legacy -drive ---- */

/* BlockBackend/drive-level keys, not options of the node tree. */
static bool legacy_skip(const char *k)
{
	static const char *const bb[] = {
		"file", "if", "id", "index", "bus", "unit", "media", "format",
		"cache", "aio", "werror", "rerror", "serial", "snapshot",
		"readonly", "copy-on-read", "addr", "boot", "trans", "cyls",
		"heads", "secs", "group", "cache.writeback", NULL
	};

	return in_list(bb, k) || starts(k, "throttling.") ||
	       starts(k, "bps") || starts(k, "iops") || starts(k, "stats-");
}

static const char *const url_protocols[] = {
	"nbd", "nbd+unix", "nbd+tcp", "rbd", "iscsi", "gluster", "gluster+tcp",
	"gluster+unix", "gluster+rdma", "ssh", "http", "https", "ftp", "ftps",
	"nfs", "nvme", "null-co", "null-aio", "vvfat", "host_device",
	"host_cdrom", "file", NULL
};

static void merge_missing(json_object *dst, json_object *src)
{
	json_object_object_foreach(src, k, v) {
		if (!vbt_jget(dst, k))
			json_object_object_add(dst, k, json_object_get(v));
	}
}

/* Fill node @n from a legacy filename: "IMG", "proto:...", "json:{}",
 * "blkdebug:CONF:IMG" (QEMU's bdrv_parse_filename, reduced). */
static void filename_to_node(json_object *n, const char *f, int depth)
{
	char proto[32];
	size_t plen = strcspn(f, ":/");
	const char *drv;

	if (depth > 4)
		return;
	if (starts(f, "json:")) {
		json_object *j = vbt_qjson_parse(f + 5, NULL, 0);

		if (j)
			merge_missing(n, j);
		json_object_put(j);
		return;
	}
	if (starts(f, "blkdebug:")) {
		const char *conf = f + 9, *img = strchr(conf, ':');
		json_object *child = vbt_jget(n, "image");

		jdefault_str(n, "driver", "blkdebug");
		if (!img)
			return;
		if (img > conf) {
			char *c = strndup(conf, img - conf);

			jdefault_str(n, "config", c);
			free(c);
		}
		if (!child || !json_object_is_type(child, json_type_object)) {
			child = json_object_new_object();
			json_object_object_add(n, "image", child);
		}
		filename_to_node(child, img + 1, depth + 1);
		return;
	}
	if (f[plen] == ':' && plen < sizeof(proto)) {
		memcpy(proto, f, plen);
		proto[plen] = '\0';
		if (in_list(url_protocols, proto)) {
			drv = strchr(proto, '+') ? "nbd" : proto;
			if (starts(proto, "gluster"))
				drv = "gluster";
			jdefault_str(n, "driver", drv);
			/* "file:" and "host_device:" prefixes are dropped. */
			if (posix_protocol(proto))
				f += plen + 1;
			jdefault_str(n, "filename", f);
			return;
		}
	}
	jdefault_str(n, "driver", starts(f, "/dev/") ? "host_device" : "file");
	jdefault_str(n, "filename", f);
}

/* QEMU's generated drive ids (blockdev.c drive_new()). */
static void legacy_gen_id(struct ctx *c, const char *iface, const char *media,
			  const char *index, char *buf, size_t len)
{
	int maxdevs = !strcmp(iface, "ide") ? 2 : !strcmp(iface, "scsi") ? 7 : 0;
	bool hdcd = maxdevs != 0;
	int start = index ? atoi(index) : 0;

	if (start < 0 || start > 65536)
		start = 0;
	for (int n = start; n < start + 4096; n++) {
		if (maxdevs)
			snprintf(buf, len, "%s%d%s%d", iface, n / maxdevs,
				 hdcd ? (media && !strcmp(media, "cdrom") ?
					 "-cd" : "-hd") : "", n % maxdevs);
		else
			snprintf(buf, len, "%s%d", iface, n);
		if (!vbt_jget(c->ids, buf) || index)
			return;
	}
}

/* (write-cache, direct, no-flush) of a legacy cache= mode; false if bad. */
static bool cache_mode_bits(const char *mode, int *wc, int *direct, int *nf)
{
	static const struct {
		const char *name;
		int wc, direct, nf;
	} modes[] = {
		{ "writeback", 1, 0, 0 }, { "none", 1, 1, 0 },
		{ "off", 1, 1, 0 }, { "writethrough", 0, 0, 0 },
		{ "directsync", 0, 1, 0 }, { "unsafe", 1, 0, 1 },
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(mode, modes[i].name)) {
			*wc = modes[i].wc;
			*direct = modes[i].direct;
			*nf = modes[i].nf;
			return true;
		}
	}
	return false;
}

static int add_legacy_drive(struct ctx *c, const char *arg)
{
	struct vbt_qopts o;
	json_object *desc, *top, *filenode;
	const char *file, *iface, *format, *mode, *id, *wb;
	char idbuf[64];
	int wc = 1, direct = -1, nf = -1, r;

	if (json_object_array_length(c->legacy) >= VBT_QEMU_MAX_DRIVES) {
		c->vm->truncated = true;
		return 0;
	}
	r = vbt_qopts_parse(arg, NULL, &o, c->err, c->errlen);
	if (r < 0)
		return r;
	desc = json_object_new_object();
	top = vbt_qopts_crumple(&o, legacy_skip);
	if (!desc || !top) {
		json_object_put(desc);
		json_object_put(top);
		vbt_qopts_free(&o);
		return -ENOMEM;
	}
	file = vbt_qopts_get(&o, "file");
	iface = vbt_qopts_get(&o, "if");
	iface = iface ? iface : "ide";		/* pc machine default */
	format = vbt_qopts_get(&o, "format");
	mode = vbt_qopts_get(&o, "cache");
	id = vbt_qopts_get(&o, "id");
	if (!id) {
		legacy_gen_id(c, iface, vbt_qopts_get(&o, "media"),
			      vbt_qopts_get(&o, "index"), idbuf, sizeof(idbuf));
		id = idbuf;
	}
	if (mode && !cache_mode_bits(mode, &wc, &direct, &nf))
		wc = -1;	/* QEMU refuses it; we know nothing */
	wb = vbt_qopts_get(&o, "cache.writeback");
	if (vbt_qparse_bool(wb) >= 0)
		wc = vbt_qparse_bool(wb);
	/* cache= only sets defaults; explicit cache.direct= wins. */
	if (direct >= 0 && cache_flag(top, "direct") < 0)
		jset_str(top, "cache.direct", direct ? "on" : "off");
	if (nf >= 0 && cache_flag(top, "no-flush") < 0)
		jset_str(top, "cache.no-flush", nf ? "on" : "off");

	if (format && classify(format) == K_PROTOCOL) {
		jdefault_str(top, "driver", format);	/* no format layer */
		filenode = top;
	} else {
		jset_str(top, "driver", format);
		filenode = vbt_jget(top, "file");
		if (file && *file &&
		    (!filenode || !json_object_is_type(filenode,
						       json_type_object))) {
			filenode = json_object_new_object();
			json_object_object_add(top, "file", filenode);
		}
	}
	if (file && *file)
		filename_to_node(filenode, file, 0);

	jset_str(desc, "id", id);
	json_object_object_add(c->ids, id, json_object_new_boolean(1));
	jset_str(desc, "if", iface);
	jset_str(desc, "media", vbt_qopts_get(&o, "media"));
	jset_str(desc, "werror", vbt_qopts_get(&o, "werror"));
	jset_str(desc, "rerror", vbt_qopts_get(&o, "rerror"));
	jset_str(desc, "serial", vbt_qopts_get(&o, "serial"));
	jset_str(desc, "aio", vbt_qopts_get(&o, "aio"));
	jset_str(desc, "node", vbt_qjson_str(top, "node-name"));
	if (vbt_qparse_bool(vbt_qopts_get(&o, "copy-on-read")) == 1)
		json_object_object_add(desc, "cor", json_object_new_boolean(1));
	json_object_object_add(desc, "wc", json_object_new_int(wc));
	json_object_object_add(desc, "tree", top);
	json_object_array_add(c->legacy, desc);
	vbt_qopts_free(&o);
	return 0;
}

/* ---- -blockdev and -device ---- */

static int add_blockdev(struct ctx *c, const char *arg)
{
	json_object *j = vbt_qemu_opt_json(arg, "driver", true,
					   c->err, c->errlen);
	const char *name;

	if (!j)
		return -EINVAL;
	name = vbt_qjson_str(j, "node-name");
	if (!name || c->nnodes >= VBT_QEMU_MAX_NODES) {
		if (name)
			c->vm->truncated = true;
		json_object_put(j);	/* QEMU refuses a nameless node */
		return 0;
	}
	json_object_object_add(c->nodes, name, j);
	c->nnodes++;
	return 0;
}

static int add_device(struct ctx *c, const char *arg)
{
	json_object *j = vbt_qemu_opt_json(arg, "driver", false,
					   c->err, c->errlen);

	if (!j)
		return -EINVAL;
	if (!vbt_qjson_str(j, "drive") ||
	    json_object_array_length(c->devices) >= VBT_QEMU_MAX_DRIVES) {
		json_object_put(j);
		return 0;
	}
	json_object_array_add(c->devices, j);
	return 0;
}

/* ---- building drives ---- */

static bool blk_device(const char *drv)
{
	return drv && (starts(drv, "virtio-blk") || starts(drv, "ide-") ||
		       (starts(drv, "scsi-") && strcmp(drv, "scsi-generic")) ||
		       starts(drv, "nvme") || !strcmp(drv, "usb-storage"));
}

static json_object *find_legacy(struct ctx *c, const char *id)
{
	size_t n = json_object_array_length(c->legacy);

	for (size_t i = 0; id && i < n; i++) {
		json_object *l = json_object_array_get_idx(c->legacy, i);

		if (!strcmp(vbt_qjson_str(l, "id"), id))
			return l;
	}
	return NULL;
}

static void backend_from_legacy(struct ctx *c, struct vbt_drive *d,
				json_object *l)
{
	struct wstate st = { -1, -1, VBT_AIO_UNKNOWN, NULL };
	const char *node = vbt_qjson_str(l, "node");
	json_object *wc = vbt_jget(l, "wc");

	st.aio = vbt_aio_parse(vbt_qjson_str(l, "aio"));
	if (st.aio == VBT_AIO_UNKNOWN)
		st.aio = VBT_AIO_THREADS;	/* -drive default */
	if (vbt_jget(l, "cor"))
		add_filter(d, "copy-on-read");
	walk(c, d, vbt_jget(l, "tree"), st, 0);
	/* The walk names the format node only if it has a node-name. */
	free(d->node);
	d->node = vbt_qstrdup(node ? node : vbt_qjson_str(l, "id"));
	d->write_cache = wc ? json_object_get_int(wc) : 1;
	d->werror = vbt_qstrdup(vbt_qjson_str(l, "werror"));
	d->rerror = vbt_qstrdup(vbt_qjson_str(l, "rerror"));
	d->serial = vbt_qstrdup(vbt_qjson_str(l, "serial"));
	json_object_object_add(l, "used", json_object_new_boolean(1));
}

static void backend_from_node(struct ctx *c, struct vbt_drive *d,
			      const char *name)
{
	json_object *n = vbt_jget(c->nodes, name);
	struct wstate st = { -1, -1, VBT_AIO_UNKNOWN, NULL };

	if (!n)
		return;		/* unknown backend: fields stay unknown */
	d->node = vbt_qstrdup(name);
	walk(c, d, n, st, 0);
	/* A device straight on a protocol node reads it raw. */
	if (!d->format && classify(vbt_qjson_str(n, "driver")) == K_PROTOCOL)
		d->format = strdup("raw");
	d->write_cache = 1;	/* blk_new() default */
}

static void apply_device(struct vbt_drive *d, json_object *dev)
{
	const char *drv = vbt_qjson_str(dev, "driver");
	const char *s;
	int wc;

	d->device_driver = vbt_qstrdup(drv);
	wc = vbt_qparse_bool(vbt_qjson_str(dev, "write-cache"));
	if (wc >= 0)
		d->write_cache = wc;	/* "auto" keeps the backend's */
	s = vbt_qjson_str(dev, "werror");
	if (s && strcmp(s, "auto")) {
		free(d->werror);
		d->werror = strdup(s);
	}
	s = vbt_qjson_str(dev, "rerror");
	if (s && strcmp(s, "auto")) {
		free(d->rerror);
		d->rerror = strdup(s);
	}
	s = vbt_qjson_str(dev, "retry_interval");
	if (s)
		d->retry_interval_ms = strtol(s, NULL, 10);
	s = vbt_qjson_str(dev, "retry_timeout");
	if (s)
		d->retry_timeout_ms = strtol(s, NULL, 10);
	s = vbt_qjson_str(dev, "serial");
	if (s) {
		free(d->serial);
		d->serial = strdup(s);
	}
	s = vbt_qjson_str(dev, "logical_block_size");
	d->logical_block_size = vbt_qparse_size(s ? s :
		vbt_qjson_str(dev, "logical-block-size"));
	s = vbt_qjson_str(dev, "physical_block_size");
	d->physical_block_size = vbt_qparse_size(s ? s :
		vbt_qjson_str(dev, "physical-block-size"));
	d->num_queues = vbt_qparse_size(vbt_qjson_str(dev, "num-queues"));
}

/* QEMU 7.2 defaults of a block device's BlockBackend and properties. */
static void device_defaults(struct vbt_drive *d)
{
	if (!blk_device(d->device_driver))
		return;
	if (!d->werror)
		d->werror = strdup("enospc");
	if (!d->rerror)
		d->rerror = strdup("report");
	if (!d->logical_block_size)
		d->logical_block_size = 512;
	if (!d->physical_block_size)
		d->physical_block_size = 512;
}

static int build_from_device(struct ctx *c, json_object *dev)
{
	const char *ref = vbt_qjson_str(dev, "drive");
	struct vbt_drive *d = vbt_vm_add_drive(c->vm);
	json_object *l;

	if (!d)
		return c->vm->truncated ? 0 : -ENOMEM;
	d->id = vbt_qstrdup(vbt_qjson_str(dev, "id"));
	d->drive = vbt_qstrdup(ref);
	l = find_legacy(c, ref);
	if (l) {
		backend_from_legacy(c, d, l);
		if (!d->id)
			d->id = vbt_qstrdup(ref);
	} else {
		backend_from_node(c, d, ref);
	}
	apply_device(d, dev);
	device_defaults(d);
	return 0;
}

/* A legacy drive that no -device claimed: if= made its device. */
static int build_from_legacy(struct ctx *c, json_object *l)
{
	const char *iface = vbt_qjson_str(l, "if");
	const char *media = vbt_qjson_str(l, "media");
	bool cd = media && !strcmp(media, "cdrom");
	const char *drv = NULL;
	struct vbt_drive *d;

	if (vbt_jget(l, "used"))
		return 0;
	if (!strcmp(iface, "virtio"))
		drv = "virtio-blk-pci";
	else if (!strcmp(iface, "ide"))
		drv = cd ? "ide-cd" : "ide-hd";
	else if (!strcmp(iface, "scsi"))
		drv = cd ? "scsi-cd" : "scsi-hd";
	else if (!strcmp(iface, "floppy"))
		drv = "floppy";
	else if (!strcmp(iface, "sd"))
		drv = "sd-card";
	d = vbt_vm_add_drive(c->vm);
	if (!d)
		return c->vm->truncated ? 0 : -ENOMEM;
	d->id = vbt_qstrdup(vbt_qjson_str(l, "id"));
	d->drive = vbt_qstrdup(d->id);
	backend_from_legacy(c, d, l);
	d->device_driver = vbt_qstrdup(drv);
	device_defaults(d);
	return 0;
}

static void mark_refs(struct ctx *c, json_object *n, int depth)
{
	if (!n || depth > VBT_QEMU_MAX_DEPTH)
		return;
	if (json_object_is_type(n, json_type_string)) {
		json_object_object_add(c->refs, json_object_get_string(n),
				       json_object_new_boolean(1));
	} else if (json_object_is_type(n, json_type_array)) {
		size_t len = json_object_array_length(n);

		for (size_t i = 0; i < len && i < 64; i++)
			mark_refs(c, json_object_array_get_idx(n, i), depth + 1);
	} else if (json_object_is_type(n, json_type_object)) {
		for (const char *const *k = child_keys; *k; k++)
			mark_refs(c, vbt_jget(n, *k), depth + 1);
	}
}

/* A -blockdev node that nothing uses as a child or drive: still open. */
static int build_orphans(struct ctx *c)
{
	size_t ndev = json_object_array_length(c->devices);

	json_object_object_foreach(c->nodes, k, n) {
		(void)k;
		mark_refs(c, n, 0);
	}
	for (size_t i = 0; i < ndev; i++)
		mark_refs(c, vbt_jget(json_object_array_get_idx(c->devices, i),
				  "drive"), 0);
	json_object_object_foreach(c->nodes, name, node) {
		struct vbt_drive *d;

		(void)node;
		if (vbt_jget(c->refs, name))
			continue;
		d = vbt_vm_add_drive(c->vm);
		if (!d)
			return c->vm->truncated ? 0 : -ENOMEM;
		d->drive = strdup(name);
		backend_from_node(c, d, name);
		d->write_cache = -1;	/* no BlockBackend, no guest cache */
	}
	return 0;
}

static int build(struct ctx *c)
{
	size_t n = json_object_array_length(c->devices);
	int r = 0;

	for (size_t i = 0; !r && i < n; i++)
		r = build_from_device(c, json_object_array_get_idx(c->devices,
								  i));
	n = json_object_array_length(c->legacy);
	for (size_t i = 0; !r && i < n; i++)
		r = build_from_legacy(c, json_object_array_get_idx(c->legacy,
								  i));
	if (!r)
		r = build_orphans(c);
	for (int i = 0; i < c->vm->ndrives; i++)
		vbt_drive_finish(&c->vm->drives[i]);
	return r;
}

/* ---- argv ---- */

/* Options whose value is skipped, so a value is never read as an option. */
static bool takes_value(const char *o)
{
	static const char *const v[] = {
		"machine", "M", "cpu", "accel", "smp", "m", "mem-path",
		"object", "chardev", "mon", "monitor", "qmp", "serial",
		"parallel", "netdev", "net", "global", "set", "boot", "rtc",
		"append", "kernel", "initrd", "dtb", "bios", "L", "vga",
		"display", "vnc", "spice", "sandbox", "msg", "overcommit",
		"pidfile", "runas", "chroot", "D", "d", "trace", "incoming",
		"fsdev", "virtfs", "numa", "audiodev", "cdrom", "fda", "fdb",
		"hda", "hdb", "hdc", "hdd", "mtdblock", "sd", "pflash",
		"readconfig", "k", "device", "drive", "blockdev", "name", "uuid",
		"smbios", "fw_cfg", "loadvm", "iscsi", "icount", "watchdog-action",
		"action", "add-fd", "compat", "plugin", "seed", NULL
	};
	return in_list(v, o);
}

static void ctx_free(struct ctx *c)
{
	json_object_put(c->nodes);
	json_object_put(c->legacy);
	json_object_put(c->devices);
	json_object_put(c->refs);
	json_object_put(c->ids);
}

static int parse_args(struct ctx *c, char **argv, int argc)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *val;
		int r = 0;

		if (o[0] != '-')
			continue;
		o += o[1] == '-' ? 2 : 1;
		if (!takes_value(o))
			continue;
		if (++i >= argc)
			break;		/* QEMU would refuse a missing value */
		val = argv[i];
		if (!strcmp(o, "drive"))
			r = add_legacy_drive(c, val);
		else if (!strcmp(o, "blockdev"))
			r = add_blockdev(c, val);
		else if (!strcmp(o, "device"))
			r = add_device(c, val);
		if (r < 0) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s", c->err ? c->err : "");
			vbt_seterr(c->err, c->errlen, 0, "-%s argument %d: %s",
				   o, i, msg[0] ? msg : strerror(-r));
			return r;
		}
		if (!strcmp(o, "name")) {
			struct vbt_qopts no;

			if (vbt_qopts_parse(val, "guest", &no, NULL, 0) == 0) {
				free(c->vm->name);
				c->vm->name = vbt_qstrdup(vbt_qopts_get(&no,
								       "guest"));
				vbt_qopts_free(&no);
			}
		} else if (!strcmp(o, "uuid") && strlen(val) <= 64) {
			free(c->vm->uuid);
			c->vm->uuid = strdup(val);
		}
	}
	return 0;
}

int vbt_qemu_parse_cmdline(const char *buf, size_t len, struct vbt_vm *vm,
			   char *err, size_t errlen)
{
	struct ctx c = { .vm = vm, .err = err, .errlen = errlen };
	char *copy, **argv;
	int argc = 0, r;

	vbt_seterr(err, errlen, 0, "%s", "");
	memset(vm, 0, sizeof(*vm));
	if (!buf || !len) {
		vbt_seterr(err, errlen, 0, "empty command line");
		return -EINVAL;
	}
	if (len > VBT_QEMU_MAX_CMDLINE) {
		vbt_seterr(err, errlen, 0,
			   "command line of %zu bytes refused (limit %d)",
			   len, VBT_QEMU_MAX_CMDLINE);
		return -E2BIG;
	}
	copy = malloc(len + 1);
	argv = calloc(len + 1, sizeof(*argv));
	c.nodes = json_object_new_object();
	c.legacy = json_object_new_array();
	c.devices = json_object_new_array();
	c.refs = json_object_new_object();
	c.ids = json_object_new_object();
	if (!copy || !argv || !c.nodes || !c.legacy || !c.devices || !c.refs ||
	    !c.ids) {
		r = -ENOMEM;
		vbt_seterr(err, errlen, 0, "out of memory");
		goto out;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';	/* the last argument may lack its NUL */
	for (size_t i = 0; i < len; i++) {
		argv[argc++] = copy + i;
		i += strlen(copy + i);
	}
	vm->binary = vbt_qstrdup(argv[0]);
	r = parse_args(&c, argv, argc);
	if (!r)
		r = build(&c);
	if (r < 0 && err && !err[0])
		vbt_seterr(err, errlen, 0, "%s", strerror(-r));
out:
	if (r < 0)
		vbt_vm_free(vm);
	ctx_free(&c);
	free(argv);
	free(copy);
	return r;
}
