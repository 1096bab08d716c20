// SPDX-License-Identifier: GPL-2.0
/*
 * libvirt domain XML for vblktrace doctor.  The disks go through the shared
 * model (vbt_libvirt_apply_xml); this file reads what the doctor needs
 * beyond it: <os><type machine arch>, <vcpu>, the PCI topology (root ports
 * and every device's <address type='pci'>), <driver queues=...> and
 * <blockio> of disks.  It then applies the defaults QEMU uses when libvirt
 * passes nothing (cache writeback, aio threads, werror enospc).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util/xml_util.h"

#include "diagnose/doctor.h"

static bool attr_is(xmlNode *n, const char *name, const char *val)
{
	char *v = vbt_xml_attr(n, name);
	bool yes = v && !strcmp(v, val);

	xmlFree(v);
	return yes;
}

static long attr_num(xmlNode *n, const char *name, long dflt)
{
	char *v = vbt_xml_attr(n, name), *end;
	long x;

	if (!v)
		return dflt;
	x = strtol(v, &end, 0);
	if (*end || end == v)
		x = dflt;
	xmlFree(v);
	return x;
}

static void prop(struct dr_dev *d, const char *key, char *val)
{
	if (val && d->nprops < DR_MAX_PROPS) {
		int b = !strcmp(val, "on") ? 1 : !strcmp(val, "off") ? 0 : -1;

		d->props[d->nprops].key = strdup(key);
		d->props[d->nprops].val = strdup(b < 0 ? val : b ? "on" : "off");
		d->nprops++;
	}
	xmlFree(val);
}

/* libvirt names the bus of controller index N "pci.N"; index 0 is the
 * root bus, pcie.0 on q35/virt and pci.0 on i440fx. */
static void set_address(struct dr_config *c, struct dr_dev *d, xmlNode *el)
{
	xmlNode *a = vbt_xml_child(el, "address");
	long bus;
	char buf[32];

	if (!a || !attr_is(a, "type", "pci")) {
		c->xml_unaddressed = true;
		return;
	}
	bus = attr_num(a, "bus", 0);
	if (bus == 0)
		snprintf(buf, sizeof(buf), "%s",
			 dr_is_pcie_machine(c) ? "pcie.0" : "pci.0");
	else
		snprintf(buf, sizeof(buf), "pci.%ld", bus);
	d->bus = strdup(buf);
	d->slot = attr_num(a, "slot", -1);
	d->fn = attr_num(a, "function", 0);
}

static void set_alias(struct dr_dev *d, xmlNode *el, const char *fallback)
{
	char *a = vbt_xml_attr(vbt_xml_child(el, "alias"), "name");

	d->id = a ? strdup(a) : fallback ? strdup(fallback) : NULL;
	xmlFree(a);
}

static void add_disk(struct dr_config *c, xmlNode *el)
{
	xmlNode *t = vbt_xml_child(el, "target"), *drv = vbt_xml_child(el, "driver");
	xmlNode *bio = vbt_xml_child(el, "blockio");
	char *bus = vbt_xml_attr(t, "bus"), *dev = vbt_xml_attr(t, "dev");
	struct dr_dev *d;

	d = bus && !strcmp(bus, "virtio") ? dr_add_dev(c) : NULL;
	if (!d) {
		xmlFree(bus);
		xmlFree(dev);
		return;
	}
	d->driver = strdup("virtio-blk-pci");
	d->target = dev ? strdup(dev) : NULL;
	set_alias(d, el, NULL);
	set_address(c, d, el);
	prop(d, "num-queues", vbt_xml_attr(drv, "queues"));
	prop(d, "queue-size", vbt_xml_attr(drv, "queue_size"));
	prop(d, "packed", vbt_xml_attr(drv, "packed"));
	prop(d, "event_idx", vbt_xml_attr(drv, "event_idx"));
	prop(d, "ats", vbt_xml_attr(drv, "ats"));
	prop(d, "iommu_platform", vbt_xml_attr(drv, "iommu"));
	prop(d, "logical_block_size", vbt_xml_attr(bio, "logical_block_size"));
	prop(d, "physical_block_size", vbt_xml_attr(bio, "physical_block_size"));
	xmlFree(bus);
	xmlFree(dev);
}

static void add_controller(struct dr_config *c, xmlNode *el)
{
	char *type = vbt_xml_attr(el, "type"), *model = vbt_xml_attr(el, "model");
	char name[64];
	struct dr_dev *d;

	/* The root bus itself and non-PCI controllers are no devices. */
	d = !type || (!strcmp(type, "pci") && model &&
		      (!strcmp(model, "pcie-root") ||
		       !strcmp(model, "pci-root"))) ||
	    !strcmp(type, "ide") || !strcmp(type, "fdc") ? NULL : dr_add_dev(c);
	if (!d) {
		xmlFree(type);
		xmlFree(model);
		return;
	}
	if (!strcmp(type, "pci"))
		snprintf(name, sizeof(name), "%s", model ? model : "pci");
	else if (!strcmp(type, "scsi") && model && !strcmp(model, "virtio-scsi"))
		snprintf(name, sizeof(name), "virtio-scsi-pci");
	else
		snprintf(name, sizeof(name), "%s-controller%s%s", type,
			 model ? "-" : "", model ? model : "");
	d->driver = strdup(name);
	d->root_port = !strcmp(type, "pci") && model &&
		       (!strcmp(model, "pcie-root-port") ||
			!strcmp(model, "pcie-switch-downstream-port"));
	d->port_index = attr_num(el, "index", -1);
	d->port_hotplug_off = attr_is(vbt_xml_child(el, "target"), "hotplug", "off");
	snprintf(name, sizeof(name), "%s.%d", type, d->port_index);
	set_alias(d, el, !strcmp(type, "pci") ? name : NULL);
	set_address(c, d, el);
	xmlFree(type);
	xmlFree(model);
}

/* Other device elements that are PCI devices when virtio (or addressed). */
static void add_other(struct dr_config *c, xmlNode *el)
{
	const char *n = (const char *)el->name;
	xmlNode *a = vbt_xml_child(el, "address");
	char *model = vbt_xml_attr(el, "model");
	char *mtype = vbt_xml_attr(vbt_xml_child(el, "model"), "type");
	bool virtio = (model && !strcmp(model, "virtio")) ||
		      (mtype && !strcmp(mtype, "virtio"));
	bool pci = a && attr_is(a, "type", "pci");
	char name[64];
	struct dr_dev *d;

	if (!strcmp(n, "interface"))
		pci = pci || !a;	/* a NIC is PCI unless told otherwise */
	d = pci || virtio ? dr_add_dev(c) : NULL;
	if (d) {
		if (virtio && !strcmp(n, "interface"))
			snprintf(name, sizeof(name), "virtio-net-pci");
		else if (virtio)
			snprintf(name, sizeof(name), "virtio-%s-pci",
				 !strcmp(n, "memballoon") ? "balloon" : n);
		else if (!strcmp(n, "hostdev"))
			snprintf(name, sizeof(name), "vfio-pci");
		else
			snprintf(name, sizeof(name), "%s%s%s", n,
				 mtype || model ? "-" : "",
				 mtype ? mtype : model ? model : "");
		d->driver = strdup(name);
		set_alias(d, el, NULL);
		set_address(c, d, el);
	}
	xmlFree(model);
	xmlFree(mtype);
}

static void read_os(struct dr_config *c, xmlNode *dom)
{
	xmlNode *type = vbt_xml_child(vbt_xml_child(dom, "os"), "type");
	xmlNode *vcpu = vbt_xml_child(dom, "vcpu");
	char *m = vbt_xml_attr(type, "machine"), *a = vbt_xml_attr(type, "arch");

	if (m && !c->machine)
		c->machine = strdup(m);
	if (a && !c->arch)
		c->arch = strdup(a);
	xmlFree(m);
	xmlFree(a);
	if (vcpu && !c->vcpus) {
		xmlChar *t = xmlNodeGetContent(vcpu);

		c->vcpus = t ? atoi((const char *)t) : 0;
		xmlFree(t);
	}
}

/* Disk facts the shared model does not keep: protocol by <disk type>. */
static void disk_protocol(struct dr_config *c, xmlNode *el)
{
	char *type = vbt_xml_attr(el, "type");
	char *dev = vbt_xml_attr(vbt_xml_child(el, "target"), "dev");

	for (int i = 0; type && dev && i < c->vm.ndrives; i++) {
		struct vbt_drive *d = &c->vm.drives[i];

		if (!d->target || strcmp(d->target, dev) || d->protocol)
			continue;
		if (!strcmp(type, "file"))
			d->protocol = strdup("file");
		else if (!strcmp(type, "block"))
			d->protocol = strdup("host_device");
	}
	xmlFree(type);
	xmlFree(dev);
}

int dr_xml_extras(struct dr_config *c, const char *buf, size_t len,
		  bool devices)
{
	xmlDoc *doc;
	xmlNode *root, *dom, *devs;

	if (!len || len > VBT_LIBVIRT_MAX_XML || len > INT32_MAX)
		return -EINVAL;
	doc = xmlReadMemory(buf, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	if (!doc) {
		xmlResetLastError();
		return -EINVAL;
	}
	root = xmlDocGetRootElement(doc);
	dom = vbt_xml_is(root, "domstatus") ? vbt_xml_child(root, "domain") : root;
	read_os(c, dom);
	devs = vbt_xml_child(dom, "devices");
	for (xmlNode *el = devs ? devs->children : NULL; el; el = el->next) {
		if (el->type != XML_ELEMENT_NODE)
			continue;
		if (vbt_xml_is(el, "disk"))
			disk_protocol(c, el);
		if (!devices)
			continue;
		if (vbt_xml_is(el, "disk"))
			add_disk(c, el);
		else if (vbt_xml_is(el, "controller"))
			add_controller(c, el);
		else
			add_other(c, el);
	}
	xmlFreeDoc(doc);
	return 0;
}

/* What QEMU does when libvirt's XML says nothing. */
static void libvirt_defaults(struct dr_config *c)
{
	for (int i = 0; i < c->vm.ndrives; i++) {
		struct vbt_drive *d = &c->vm.drives[i];
		const struct dr_dev *dev = dr_dev_of_drive(c, d);
		const char *v;

		if (!d->device_driver && d->bus) {
			const char *drv = !strcmp(d->bus, "virtio") ?
				"virtio-blk-pci" : !strcmp(d->bus, "scsi") ?
				"scsi-hd" : !strcmp(d->bus, "usb") ?
				"usb-storage" : "ide-hd";

			d->device_driver = strdup(drv);
		}
		if (d->aio == VBT_AIO_UNKNOWN &&
		    (!d->protocol || !strcmp(d->protocol, "file") ||
		     !strcmp(d->protocol, "host_device")))
			d->aio = VBT_AIO_THREADS;
		if (d->write_cache < 0) {
			d->write_cache = 1;
			d->direct = false;
		}
		if (!d->werror)
			d->werror = strdup("enospc");
		if (!d->rerror)
			d->rerror = strdup("report");
		if (!d->discard)
			d->discard = strdup("ignore");
		v = dr_dev_prop(dev, "logical_block_size");
		if (!d->logical_block_size)
			d->logical_block_size = v ? strtoul(v, NULL, 0) : 512;
		v = dr_dev_prop(dev, "physical_block_size");
		if (!d->physical_block_size)
			d->physical_block_size = v ? strtoul(v, NULL, 0) : 512;
		v = dr_dev_prop(dev, "num-queues");
		if (!d->num_queues && v)
			d->num_queues = strtoul(v, NULL, 0);
		d->cache = vbt_cache_mode_name(d->write_cache, d->direct,
					       d->no_flush);
	}
}

int dr_config_from_xml(struct dr_config *c, const char *buf, size_t len,
		       char *err, size_t errlen)
{
	int r = vbt_libvirt_apply_xml(&c->vm, buf, len, err, errlen);

	if (r < 0)
		return r;
	c->libvirt = true;
	r = dr_xml_extras(c, buf, len, true);
	if (r < 0) {
		snprintf(err, errlen, "libvirt XML: cannot read devices");
		return r;
	}
	libvirt_defaults(c);
	return 0;
}
