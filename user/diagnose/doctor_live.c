// SPDX-License-Identifier: GPL-2.0
/*
 * doctor --pid: what only the running QEMU knows, asked over its own QMP
 * socket with read-only queries (system/qemu/qmp.h).  The command line
 * shows how a VM started, not what it is now: devices hot-plugged since
 * (seed: a disk added after start sits at 00:0b.0, and a destination
 * started from the old command line fails with "Unknown savevm section"),
 * addresses QEMU picked, and frontends whose drive was deleted while the
 * guest still holds the device (drive_del before device_del completed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "diagnose/doctor.h"
#include "system/qemu/qmp.h"

#define QMP_TIMEOUT_MS	1000

static const char *driver_of(int vendor, int device)
{
	static const struct {
		int vendor, device;
		const char *driver;
	} ids[] = {
		{ 0x1af4, 0x1000, "virtio-net-pci" },
		{ 0x1af4, 0x1041, "virtio-net-pci" },
		{ 0x1af4, 0x1001, "virtio-blk-pci" },
		{ 0x1af4, 0x1042, "virtio-blk-pci" },
		{ 0x1af4, 0x1002, "virtio-balloon-pci" },
		{ 0x1af4, 0x1045, "virtio-balloon-pci" },
		{ 0x1af4, 0x1003, "virtio-serial-pci" },
		{ 0x1af4, 0x1043, "virtio-serial-pci" },
		{ 0x1af4, 0x1004, "virtio-scsi-pci" },
		{ 0x1af4, 0x1048, "virtio-scsi-pci" },
		{ 0x1af4, 0x1005, "virtio-rng-pci" },
		{ 0x1af4, 0x1044, "virtio-rng-pci" },
		{ 0x1b36, 0x000c, "pcie-root-port" },
		{ 0x1b36, 0x0001, "pci-bridge" },
	};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i].vendor == vendor && ids[i].device == device)
			return ids[i].driver;
	return NULL;
}

static int jint(struct json_object *o, const char *key, int dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return dflt;
	return json_object_get_int(v);
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static struct dr_dev *dev_by_id(struct dr_config *c, const char *id)
{
	for (int i = 0; i < c->ndevs; i++)
		if (c->devs[i].id && !strcmp(c->devs[i].id, id))
			return &c->devs[i];
	return NULL;
}

/* One bus of query-pci's answer; @bus is the parent port's id or NULL. */
static void apply_pci_bus(struct dr_config *c, struct json_object *devs,
			  const char *bus, int depth)
{
	size_t n;

	if (!json_object_is_type(devs, json_type_array) || depth > 8)
		return;
	n = json_object_array_length(devs);
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(devs, i);
		struct json_object *ids, *br, *sub;
		const char *id = jstr(p, "qdev_id"), *drv;
		struct dr_dev *d;

		if (json_object_object_get_ex(p, "pci_bridge", &br) &&
		    json_object_object_get_ex(br, "devices", &sub))
			apply_pci_bus(c, sub, id && *id ? id : bus, depth + 1);
		/* Chipset devices have no id: the same on every side. */
		if (!id || !*id)
			continue;
		d = dev_by_id(c, id);
		if (!d) {
			d = dr_add_dev(c);
			if (!d)
				return;
			d->id = strdup(id);
			json_object_object_get_ex(p, "id", &ids);
			drv = driver_of(jint(ids, "vendor", -1),
					jint(ids, "device", -1));
			d->driver = drv ? strdup(drv) : NULL;
			d->bus = bus ? strdup(bus) : NULL;
			d->root_port = drv && !strcmp(drv, "pcie-root-port");
			d->hotplugged = true;
		}
		/* Where QEMU put it, when the command line left it open. */
		if (d->slot < 0) {
			d->slot = jint(p, "slot", -1);
			d->fn = jint(p, "function", -1);
		}
		d->live = true;
	}
}

static void apply_pci(struct dr_config *c, struct json_object *ret)
{
	size_t n = json_object_is_type(ret, json_type_array) ?
		   json_object_array_length(ret) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(ret, i), *d;

		if (json_object_object_get_ex(b, "devices", &d))
			apply_pci_bus(c, d, NULL, 0);
	}
}

/* "/machine/peripheral/virtio-disk1/virtio-backend" -> "virtio-disk1" */
static void qdev_id(const char *qdev, char *id, size_t len)
{
	const char *p = strstr(qdev, "/peripheral/"), *e;

	if (!p) {
		snprintf(id, len, "%s", qdev);
		return;
	}
	p += strlen("/peripheral/");
	e = strchr(p, '/');
	snprintf(id, len, "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
}

static void apply_block(struct dr_config *c, struct json_object *ret)
{
	size_t n = json_object_is_type(ret, json_type_array) ?
		   json_object_array_length(ret) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(ret, i);
		const char *qdev = jstr(b, "qdev");
		struct dr_dev *d;
		char id[128];

		if (!qdev || !*qdev ||
		    json_object_object_get_ex(b, "inserted", NULL))
			continue;
		/* A CD-ROM without a disc is normal; a disk without a drive
		 * is what drive_del leaves of a device still attached. */
		if (json_object_object_get_ex(b, "removable", NULL) &&
		    json_object_get_boolean(json_object_object_get(b,
							"removable")))
			continue;
		qdev_id(qdev, id, sizeof(id));
		d = dev_by_id(c, id);
		if (d)
			d->backend_removed = true;
	}
}

void dr_config_apply_live(struct dr_config *c, const char *procroot, int pid)
{
	char path[256], err[256] = "";
	struct json_object *o;
	struct vbt_qmp q;
	int ret;

	ret = vbt_qmp_socket_of(procroot, pid, path, sizeof(path));
	if (ret) {
		if (asprintf(&c->live_note, "no QMP socket of its own on the "
			     "command line: hot-plugged devices and removed "
			     "drives are not visible") < 0)
			c->live_note = NULL;
		return;
	}
	ret = vbt_qmp_open(path, QMP_TIMEOUT_MS, &q, err, sizeof(err));
	if (ret) {
		if (asprintf(&c->live_note, "QMP at %s: %s; hot-plugged devices "
			     "and removed drives are not visible", path,
			     err) < 0)
			c->live_note = NULL;
		return;
	}
	o = vbt_qmp_query(&q, "query-pci", err, sizeof(err));
	if (o) {
		apply_pci(c, o);
		json_object_put(o);
		c->live = true;
	}
	o = vbt_qmp_query(&q, "query-block", err, sizeof(err));
	if (o) {
		apply_block(c, o);
		json_object_put(o);
	}
	vbt_qmp_close(&q);
	if (!c->live && asprintf(&c->live_note, "QMP at %s: %s", path,
				 err) < 0)
		c->live_note = NULL;
}

void dr_diagnose_live(const struct dr_config *c, struct dr_report *r)
{
	char t[300];

	for (int i = 0; i < c->ndevs; i++) {
		const struct dr_dev *d = &c->devs[i];

		if (d->backend_removed) {
			snprintf(t, sizeof(t), "%s: the guest still has the "
				 "device, but its drive was removed", d->id);
			dr_add(r, "orphan-frontend", DR_ERROR, d->id, t,
			       "The drive was deleted (drive_del or "
			       "blockdev-del) before the device was: the "
			       "guest did not release the frontend (device_del "
			       "only asks it to), so the PCI device stays while "
			       "its backend is gone. Every request to it fails.",
			       "In the guest, I/O errors on that disk. A "
			       "migration whose destination lacks the device "
			       "fails with \"Unknown savevm section or instance "
			       "'0000:00:xx.0/virtio-blk' 0\"; one that has it "
			       "carries a disk with no data behind it.",
			       "Finish the unplug before migrating: device_del, "
			       "then wait for the DEVICE_DELETED event (the "
			       "guest must release the disk: unmount it, or "
			       "echo 1 > /sys/bus/pci/devices/.../remove); only "
			       "then drive_del. Or plug a drive back in.");
		} else if (d->hotplugged && !d->root_port) {
			snprintf(t, sizeof(t), "%s (%s) was hot-plugged: the "
				 "command line does not show it", d->id,
				 d->driver ? d->driver : "PCI device");
			dr_add(r, "hotplugged-device", DR_INFO, d->id, t,
			       "QEMU added this device at run time (device_add, "
			       "virsh attach-device); its address was chosen "
			       "then.",
			       "A migration destination started from this "
			       "VM's original command line lacks it and fails "
			       "with \"Unknown savevm section\".",
			       "Start a destination with this device at the "
			       "same bus and address (libvirt does so from the "
			       "live XML); doctor --pid SRC --to DST checks it.");
		}
	}
}
