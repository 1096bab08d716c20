// SPDX-License-Identifier: GPL-2.0
/*
 * libvirt's live domain XML (/run/libvirt/qemu/NAME.xml, a <domstatus>
 * wrapping the <domain>) adds what QEMU's argv cannot say: the guest's
 * disk names (<target dev='vda'>).  The command line stays the authority
 * for what QEMU does; the XML only fills gaps and adds disks the argv did
 * not show.  <auth> and <secret> are never read.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "system/qemu/qemu_int.h"
#include "util/xml_util.h"

/* Take @val into *@dst if *@dst is unknown; always consumes @val. */
static void fill(char **dst, char *val)
{
	if (val && !*dst)
		*dst = strdup(val);
	xmlFree(val);
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* libvirt's private data: <source><privateData><nodenames><nodename
 * type='format' name='libvirt-1-format'/>... */
static bool node_matches(xmlNode *source, const struct vbt_drive *d)
{
	xmlNode *names = vbt_xml_child(vbt_xml_child(source, "privateData"), "nodenames");

	for (xmlNode *c = names ? names->children : NULL; c; c = c->next) {
		char *name = vbt_xml_attr(c, "name");
		bool m = vbt_xml_is(c, "nodename") &&
			 (same(name, d->node) || same(name, d->drive));

		xmlFree(name);
		if (m)
			return true;
	}
	return false;
}

static struct vbt_drive *match_disk(struct vbt_vm *vm, xmlNode *disk,
				    const char *alias, const char *src)
{
	xmlNode *source = vbt_xml_child(disk, "source");

	for (int i = 0; alias && i < vm->ndrives; i++)
		if (same(vm->drives[i].id, alias))
			return &vm->drives[i];
	for (int i = 0; source && i < vm->ndrives; i++)
		if (node_matches(source, &vm->drives[i]))
			return &vm->drives[i];
	for (int i = 0; src && i < vm->ndrives; i++)
		if (same(vm->drives[i].image, src))
			return &vm->drives[i];
	return NULL;
}

/* <source file=|dev=|dir=> or, for network disks, protocol + name. */
static char *source_name(xmlNode *source, char **proto)
{
	static const char *const keys[] = { "file", "dev", "dir", "volume" };
	char *s, *p, *name, *out;

	*proto = NULL;
	for (size_t i = 0; source && i < sizeof(keys) / sizeof(keys[0]); i++) {
		s = vbt_xml_attr(source, keys[i]);
		if (s) {
			out = strdup(s);
			xmlFree(s);
			return out;
		}
	}
	p = vbt_xml_attr(source, "protocol");
	name = vbt_xml_attr(source, "name");
	out = NULL;
	if (p && name && strlen(p) + strlen(name) < 4096 &&
	    asprintf(&out, "%s:%s", p, name) < 0)
		out = NULL;
	if (p)
		*proto = strdup(p);
	xmlFree(p);
	xmlFree(name);
	if (out) {
		s = vbt_qemu_image_sanitize(out);
		free(out);
		out = s;
	}
	return out;
}

static void retry_ms(long *out, xmlNode *drv, const char *attr)
{
	char *v = vbt_xml_attr(drv, attr), *end;
	long ms;

	if (!v)
		return;
	ms = strtol(v, &end, 10);
	if (end != v && !*end && ms >= 0 && !*out)
		*out = ms;
	xmlFree(v);
}

static void apply_driver(struct vbt_drive *d, xmlNode *drv, bool fresh)
{
	char *cache = vbt_xml_attr(drv, "cache"), *io = vbt_xml_attr(drv, "io");

	fill(&d->format, vbt_xml_attr(drv, "type"));
	fill(&d->werror, vbt_xml_attr(drv, "error_policy"));
	fill(&d->rerror, vbt_xml_attr(drv, "rerror_policy"));
	fill(&d->discard, vbt_xml_attr(drv, "discard"));
	retry_ms(&d->retry_interval_ms, drv, "retry_interval");
	retry_ms(&d->retry_timeout_ms, drv, "retry_timeout");
	if (fresh && io && d->aio == VBT_AIO_UNKNOWN)
		d->aio = vbt_aio_parse((char *)io);
	if (fresh && cache && d->write_cache < 0) {
		static const struct {
			const char *n;
			int wc, direct, nf;
		} m[] = {
			{ "none", 1, 1, 0 }, { "writeback", 1, 0, 0 },
			{ "writethrough", 0, 0, 0 }, { "directsync", 0, 1, 0 },
			{ "unsafe", 1, 0, 1 },
		};

		for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
			if (strcmp(cache, m[i].n))
				continue;
			d->write_cache = m[i].wc;
			d->direct = m[i].direct;
			d->no_flush = m[i].nf;
		}
	}
	xmlFree(cache);
	xmlFree(io);
}

static int apply_disk(struct vbt_vm *vm, xmlNode *disk)
{
	xmlNode *source = vbt_xml_child(disk, "source"), *target = vbt_xml_child(disk, "target");
	char *alias = vbt_xml_attr(vbt_xml_child(disk, "alias"), "name");
	char *proto = NULL, *src = source_name(source, &proto);
	struct vbt_drive *d = match_disk(vm, disk, alias, src);
	bool fresh = !d;

	if (!d)
		d = vbt_vm_add_drive(vm);
	if (!d) {
		xmlFree(alias);
		free(src);
		free(proto);
		return vm->truncated ? 0 : -ENOMEM;
	}
	if (fresh) {
		d->id = vbt_qstrdup(alias);
		d->image = src;
		d->protocol = proto;
		src = proto = NULL;
	}
	apply_driver(d, vbt_xml_child(disk, "driver"), fresh);
	fill(&d->target, vbt_xml_attr(target, "dev"));
	fill(&d->bus, vbt_xml_attr(target, "bus"));
	fill(&d->serial, vbt_xml_text(vbt_xml_child(disk, "serial")));
	vbt_drive_finish(d);
	xmlFree(alias);
	free(src);
	free(proto);
	return 0;
}

static void apply_domain(struct vbt_vm *vm, xmlNode *dom)
{
	fill(&vm->name, vbt_xml_text(vbt_xml_child(dom, "name")));
	fill(&vm->uuid, vbt_xml_text(vbt_xml_child(dom, "uuid")));
}

int vbt_libvirt_apply_xml(struct vbt_vm *vm, const char *xml, size_t len,
			  char *err, size_t errlen)
{
	xmlDoc *doc;
	xmlNode *root, *dom, *devs;
	int r = 0;

	if (!xml || !len || len > VBT_LIBVIRT_MAX_XML || len > INT32_MAX) {
		vbt_seterr(err, errlen, 0, "libvirt XML of %zu bytes refused",
			   len);
		return -EINVAL;
	}
	/* No network, no entity expansion, no DTD loading, quiet. */
	doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		const char *m = e && e->message ? e->message : "parse error";

		vbt_seterr(err, errlen, 0, "libvirt XML: %.*s",
			   (int)strcspn(m, "\n"), m);
		xmlResetLastError();
		return -EINVAL;
	}
	root = xmlDocGetRootElement(doc);
	if (vbt_xml_is(root, "domstatus")) {
		char *pid = vbt_xml_attr(root, "pid");

		/* The domain's run state as libvirt last saw it. */
		fill(&vm->run_state, vbt_xml_attr(root, "state"));
		fill(&vm->run_reason, vbt_xml_attr(root, "reason"));
		vm->libvirt_pid = pid ? atoi(pid) : 0;
		xmlFree(pid);
	}
	dom = vbt_xml_is(root, "domstatus") ? vbt_xml_child(root, "domain") : root;
	if (!vbt_xml_is(dom, "domain")) {
		vbt_seterr(err, errlen, 0, "libvirt XML: no <domain> element");
		xmlFreeDoc(doc);
		return -EINVAL;
	}
	apply_domain(vm, dom);
	devs = vbt_xml_child(dom, "devices");
	for (xmlNode *c = devs ? devs->children : NULL; c && !r; c = c->next)
		if (vbt_xml_is(c, "disk"))
			r = apply_disk(vm, c);
	if (r < 0)
		vbt_seterr(err, errlen, 0, "libvirt XML: out of memory");
	xmlFreeDoc(doc);
	return r;
}
