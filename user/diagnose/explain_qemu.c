// SPDX-License-Identifier: GPL-2.0
/*
 * explain: QEMU's error lines (migration load, PCI config check, drive
 * open), QMP events as JSON (bare or inside libvirt's monitor logging) and
 * libvirt's log lines.  The migration facts: hw/pci/pci.c
 * get_pci_config_device() compares the received config space byte by byte
 * under cmask & ~wmask & ~w1cmask; migration/savevm.c names a device's
 * section by its qdev path ("0000:00:0b.0/virtio-blk").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/names.h"
#include "diagnose/explain.h"

/* ---- PCI config space ---- */

static void pci_reg_name(unsigned int off, char *buf, size_t len)
{
	static const struct {
		unsigned int lo, hi;
		const char *name;
	} regs[] = {
		{ 0x00, 0x01, "vendor ID" }, { 0x02, 0x03, "device ID" },
		{ 0x04, 0x05, "command" }, { 0x06, 0x07, "status" },
		{ 0x08, 0x08, "revision" }, { 0x09, 0x0b, "class code" },
		{ 0x0c, 0x0c, "cache line size" }, { 0x0d, 0x0d, "latency timer" },
		{ 0x0e, 0x0e, "header type" }, { 0x0f, 0x0f, "BIST" },
		{ 0x28, 0x2b, "CardBus CIS" }, { 0x2c, 0x2d, "subsystem vendor ID" },
		{ 0x2e, 0x2f, "subsystem ID" }, { 0x30, 0x33, "expansion ROM BAR" },
		{ 0x34, 0x34, "capabilities pointer" },
		{ 0x3c, 0x3c, "interrupt line" }, { 0x3d, 0x3d, "interrupt pin" },
		{ 0x3e, 0x3f, "min grant / max latency" },
	};

	if (off >= 0x10 && off < 0x28) {
		snprintf(buf, len, "BAR%u byte %u", (off - 0x10) / 4, off & 3);
		return;
	}
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		if (off >= regs[i].lo && off <= regs[i].hi) {
			snprintf(buf, len, "%s", regs[i].name);
			return;
		}
	}
	snprintf(buf, len, off >= 0x100 ? "PCIe extended capability" :
		 "capability list (virtio-pci capabilities, MSI-X, PCIe)");
}

static unsigned int lowest_bit(unsigned int v)
{
	return v & -v;
}

/*
 * One byte of a BAR that differs.  A BAR's low bits are its type (I/O:
 * bit 0 set, bit 1 reserved; memory: bits 1-2 32/64-bit, bit 3
 * prefetchable), the rest its address; the address bits the guest cannot
 * write give the size (the lowest writable bit is the size).  So byte k
 * of the BAR holds address bits 8k..8k+7: a difference there is a size or
 * a placement, a difference in the type bits is another kind of BAR.
 */
static void explain_bar_byte(struct ex_hit *h, unsigned int i,
			     unsigned int rd, unsigned int dv, unsigned int cm,
			     unsigned int wm, unsigned int w1)
{
	unsigned int bar = (i - 0x10) / 4, byte = i & 3;
	unsigned int diff = (rd ^ dv) & cm & ~wm & ~w1 & 0xff;
	/* Byte 0 only: which bits are type bits depends on the BAR kind. */
	bool io = byte == 0 && (dv & 1);
	unsigned int typemask = byte ? 0 : io ? 0x3 : 0xf;
	unsigned long long dsize, smax;

	if (byte == 0)
		ex_fstr(h, "bar_type", io ? "io" : "memory");
	if (diff && !(diff & ~typemask)) {
		ex_fstr(h, "bar_difference", "type");
		ex_detail(h, "Offset 0x%x is the low byte of BAR%u, and only its "
			  "type bits differ: on one side the BAR is %s, on the "
			  "other %s. The two sides built different devices (or "
			  "different BAR layouts, e.g. a modern-only virtio "
			  "device against a transitional one with an I/O BAR). ",
			  i, bar, (rd & 1) ? "an I/O BAR" : (rd & 0x4) ?
			  "a 64-bit memory BAR" : "a 32-bit memory BAR",
			  (dv & 1) ? "an I/O BAR" : (dv & 0x4) ?
			  "a 64-bit memory BAR" : "a 32-bit memory BAR");
		return;
	}
	ex_fstr(h, "bar_difference", "size");
	dsize = (unsigned long long)lowest_bit(wm & 0xff & ~typemask) <<
		(8 * byte);
	smax = (unsigned long long)lowest_bit(rd & 0xff & ~typemask) <<
	       (8 * byte);
	if (dsize)
		ex_fint(h, "destination_bar_size", dsize);
	if (smax && (!dsize || smax < dsize))
		ex_fint(h, "source_bar_size_max", smax);
	ex_detail(h, "Offset 0x%x is byte %u of BAR%u (address bits %u-%u). A "
		  "BAR's size shows in which address bits the guest can write: ",
		  i, byte, bar, 8 * byte, 8 * byte + 7);
	if (dsize)
		ex_detail(h, "on the destination the lowest writable bit here "
			  "is 0x%x, so BAR%u is %llu bytes there", wm & 0xff &
			  ~typemask, bar, dsize);
	else
		ex_detail(h, "on the destination no address bit of this byte is "
			  "writable, so BAR%u is larger than %llu bytes there "
			  "(or not implemented at all)", bar,
			  (1ULL << (8 * byte + 8)) - 1);
	if (smax && (!dsize || smax < dsize))
		ex_detail(h, "; the source's address had bit 0x%x set, so its "
			  "BAR was at most %llu bytes", lowest_bit(rd & 0xff &
			  ~typemask), smax);
	ex_detail(h, ". The BAR has another size on each side: the "
		  "destination created the device with another layout. For "
		  "virtio-blk the legacy I/O BAR0 holds the virtio config, "
		  "which grew when a newer QEMU enabled discard/write-zeroes "
		  "(QEMU commit 20764be042 sizes it by the enabled features); "
		  "other causes are a different machine type, num-queues or "
		  "device properties, or another device at this address. ");
}

static bool m_pci_config(const char *line, struct ex_ctx *ctx,
			 struct ex_hit *h)
{
	const char *p = strstr(line, "Bad config data: ");
	unsigned int i, rd, dv, cm, wm, w1;
	char reg[80];

	if (!p || sscanf(p + 17, "i=0x%x read: %x device: %x cmask: %x "
			 "wmask: %x w1cmask:%x", &i, &rd, &dv, &cm, &wm, &w1) != 6)
		return false;
	pci_reg_name(i, reg, sizeof(reg));
	ex_set(h, "qemu-pci-config", "qemu", "error");
	ex_fint(h, "offset", i);
	ex_fstr(h, "register", reg);
	ex_fint(h, "source_value", rd);
	ex_fint(h, "destination_value", dv);
	ex_fint(h, "cmask", cm);
	ex_fint(h, "wmask", wm);
	ex_fint(h, "w1cmask", w1);
	ex_fint(h, "differing_bits", (rd ^ dv) & cm & ~wm & ~w1 & 0xff);
	ex_summary(h, "migration load: PCI config byte 0x%x (%s) is 0x%x in "
		   "the stream but 0x%x on the destination device", i, reg, rd,
		   dv);
	ex_detail(h, "While loading the device state, the destination compares "
		  "the source's PCI config space (\"read\") with the one it "
		  "built itself (\"device\"), only on bits it checks (cmask), "
		  "that the guest cannot write (wmask) and that are not "
		  "write-1-to-clear (w1cmask): here bits 0x%x differ. ",
		  (rd ^ dv) & cm & ~wm & ~w1 & 0xff);
	if (i >= 0x10 && i < 0x28)
		explain_bar_byte(h, i, rd, dv, cm, wm, w1);
	else if (i >= 0x40) {
		ex_detail(h, "Past the standard header: a capability differs, "
			  "typically a count (queues, MSI-X vectors) or a "
			  "virtio-pci capability's offset/length, i.e. different "
			  "num-queues/vectors or config size on the two sides. ");
	}
	ex_detail(h, "Fix: start the destination with the source's exact "
		  "machine type and device properties (run `vblktrace doctor "
		  "--pid SRC --to DST`); the next lines name the device "
		  "(\"error while loading state for instance 0x0 of device "
		  "'...'\"). The VM keeps running on the source.");
	return true;
}

/* "0000:00:0b.0/virtio-blk" or the old "0000:06.0/virtio-blk" */
static void qdev_path(struct ex_hit *h, const char *path)
{
	unsigned int dom, bus = 0, slot, fn;
	char type[64] = "";
	const char *slash = strchr(path, '/');
	bool ok;

	ok = sscanf(path, "%x:%x:%x.%x", &dom, &bus, &slot, &fn) == 4;
	if (!ok) {
		bus = 0;
		ok = sscanf(path, "%x:%x.%x", &dom, &slot, &fn) == 3;
	}
	if (slash)
		snprintf(type, sizeof(type), "%s", slash + 1);
	ex_fstr(h, "device_path", path);
	if (type[0])
		ex_fstr(h, "device_type", type);
	if (ok) {
		char a[32];

		snprintf(a, sizeof(a), "%04x:%02x:%02x.%x", dom, bus, slot, fn);
		ex_fstr(h, "pci_address", a);
		ex_fint(h, "pci_slot", slot);
		ex_fint(h, "pci_function", fn);
	}
}

static bool m_load_instance(const char *line, struct ex_ctx *ctx,
			    struct ex_hit *h)
{
	char path[256];
	unsigned int inst;
	const char *p = strstr(line, "error while loading state for instance ");

	if (!p || sscanf(p + 39, "0x%x of device '%255[^']'", &inst, path) != 2)
		return false;
	ex_set(h, "qemu-load-state", "qemu", "error");
	ex_fint(h, "instance", inst);
	qdev_path(h, path);
	ex_summary(h, "migration load failed in the state of %s", path);
	ex_detail(h, "The destination could not load this device's section of "
		  "the stream; the line before it says why (\"Bad config "
		  "data\": a different PCI layout, \"Features ... "
		  "unsupported\", \"VQ ... inconsistent\"). The address is the "
		  "device's PCI address on both sides: the source must have had "
		  "a device there. A device at that slot that is not on the "
		  "source's original command line was hot-plugged (a "
		  "hot-added disk at 00:0b.0).");
	return true;
}

static bool m_unknown_section(const char *line, struct ex_ctx *ctx,
			      struct ex_hit *h)
{
	char path[256];
	int inst = 0;
	const char *p = strstr(line, "Unknown savevm section or instance '");

	if (!p || sscanf(p + 36, "%255[^']' %d", path, &inst) < 1)
		return false;
	ex_set(h, "qemu-unknown-section", "qemu", "error");
	ex_fint(h, "instance", inst);
	qdev_path(h, path);
	ex_summary(h, "the destination has no device %s", path);
	ex_detail(h, "The source sent state for a device the destination did "
		  "not create: a device present on one side only, or at another "
		  "PCI address. The classic cause: a disk's backend "
		  "was removed (drive_del/blockdev-del) before the guest "
		  "released the frontend, so libvirt's migration XML no longer "
		  "has the disk while QEMU's PCI bus still does. Hot-unplug is "
		  "asynchronous: device_del asks the guest, and only the "
		  "DEVICE_DELETED event means it is gone; remove the backend "
		  "after it. Check the source with `virsh qemu-monitor-command "
		  "VM --hmp info pci` and compare configurations with "
		  "`vblktrace doctor --to`.");
	return true;
}

static bool m_load_failed(const char *line, struct ex_ctx *ctx,
			  struct ex_hit *h)
{
	const char *p = strstr(line, "Failed to load ");
	char what[128];

	if (!p || sscanf(p + 15, "%127[^ \n]", what) != 1 || !strchr(what, ':'))
		return false;
	ex_set(h, "qemu-load-failed", "qemu", "error");
	ex_fstr(h, "vmstate", what);
	ex_summary(h, "migration load failed in vmstate %s", what);
	ex_detail(h, "The state of %s (VMStateDescription:field) could not be "
		  "loaded; one of the neighbouring lines has the reason and "
		  "the device. \"PCIDevice:config\" means the PCI config space "
		  "check failed, \"virtio-blk:virtio\" the virtio part of a "
		  "virtio-blk device.", what);
	return true;
}

static bool m_migration_failed(const char *line, struct ex_ctx *ctx,
			       struct ex_hit *h)
{
	const char *p = strstr(line, "load of migration failed");

	if (!p)
		return false;
	ex_set(h, "qemu-migration-failed", "qemu", "error");
	p = strchr(p, ':');
	if (p)
		ex_fstr(h, "reason", p + 2);
	ex_summary(h, "the incoming migration failed");
	ex_detail(h, "The destination QEMU gave up loading the stream and "
		  "exits; the source keeps running the VM. The lines before "
		  "this one name the device.");
	return true;
}

static const char *const virtio_bits[64] = {
	[1] = "BLK_SIZE_MAX", [2] = "BLK_SEG_MAX", [4] = "BLK_GEOMETRY",
	[5] = "BLK_RO", [6] = "BLK_BLK_SIZE", [7] = "BLK_SCSI",
	[9] = "BLK_FLUSH", [10] = "BLK_TOPOLOGY", [11] = "BLK_CONFIG_WCE",
	[12] = "BLK_MQ", [13] = "BLK_DISCARD", [14] = "BLK_WRITE_ZEROES",
	[15] = "BLK_LIFETIME", [16] = "BLK_SECURE_ERASE", [17] = "BLK_ZONED",
	[24] = "NOTIFY_ON_EMPTY", [27] = "ANY_LAYOUT",
	[28] = "RING_INDIRECT_DESC", [29] = "RING_EVENT_IDX",
	[32] = "VERSION_1", [33] = "ACCESS_PLATFORM", [34] = "RING_PACKED",
	[35] = "IN_ORDER", [36] = "ORDER_PLATFORM", [37] = "SR_IOV",
	[38] = "NOTIFICATION_DATA",
};

static bool m_features(const char *line, struct ex_ctx *ctx,
		       struct ex_hit *h)
{
	const char *p = strstr(line, "Features 0x");
	unsigned long long f, allowed, miss;
	json_object *a;

	if (!p || sscanf(p, "Features 0x%llx unsupported. Allowed features: "
			 "0x%llx", &f, &allowed) != 2)
		return false;
	miss = f & ~allowed;
	a = json_object_new_array();
	for (int b = 0; b < 64; b++) {
		char buf[16];

		if (!(miss & (1ULL << b)))
			continue;
		snprintf(buf, sizeof(buf), "BIT%d", b);
		json_object_array_add(a, json_object_new_string(
					      virtio_bits[b] ? virtio_bits[b] :
					      buf));
	}
	ex_set(h, "qemu-virtio-features", "qemu", "error");
	json_object_object_add(h->fields, "missing_features", a);
	ex_summary(h, "the guest negotiated virtio features 0x%llx the "
		   "destination device does not offer", miss);
	ex_detail(h, "The source device offered more features than the "
		  "destination's (names assume a virtio-blk device; bits 0-23 "
		  "are device specific). Enable the same properties (discard, "
		  "write-zeroes, num-queues, packed...) or machine type on the "
		  "destination.");
	return true;
}

static bool m_vq(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	const char *p = strstr(line, "VQ ");
	unsigned int vq, size, g, host, delta;

	if (!p || !strstr(p, "inconsistent with Host index") ||
	    sscanf(p, "VQ %u size 0x%x Guest index 0x%x inconsistent with Host "
		   "index 0x%x: delta 0x%x", &vq, &size, &g, &host, &delta) != 5)
		return false;
	ex_set(h, "qemu-virtqueue", "qemu", "error");
	ex_fint(h, "vq", vq);
	ex_fint(h, "size", size);
	ex_fint(h, "guest_index", g);
	ex_fint(h, "host_index", host);
	ex_summary(h, "virtqueue %u state is inconsistent after migration", vq);
	ex_detail(h, "More requests are in flight than the queue holds: "
		  "a different queue-size on the two sides, or state of another "
		  "device loaded into this one (devices at swapped addresses).");
	return true;
}

static bool m_aio_native(const char *line, struct ex_ctx *ctx,
			 struct ex_hit *h)
{
	if (!strstr(line, "aio=native was specified, but it requires "
		    "cache.direct=on"))
		return false;
	ex_set(h, "qemu-aio-native-no-direct", "qemu", "error");
	ex_summary(h, "QEMU refuses aio=native without cache.direct=on");
	ex_detail(h, "Linux AIO is only asynchronous with O_DIRECT, so QEMU "
		  "(7.2 refuses; old releases fell back to threads) will not "
		  "open the drive. Use cache=none (or directsync) with "
		  "aio=native, or aio=threads/io_uring with the page cache. "
		  "`vblktrace doctor` flags this as aio-native-no-direct.");
	return true;
}

static bool m_open(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	char path[512], why[128];
	const char *p = strstr(line, "Could not open '");
	int e;

	if (!p || sscanf(p + 16, "%511[^']': %127[^\n]", path, why) != 2)
		return false;
	e = ex_errno_from_text(why);
	ex_set(h, "qemu-open-failed", "qemu", "error");
	ex_fstr(h, "path", path);
	if (e)
		ex_fstr(h, "errno", vbt_errno_name(e));
	ex_summary(h, "QEMU could not open %s: %s", path, why);
	if (e == EINVAL)
		ex_detail(h, "EINVAL from open(2) of an image is O_DIRECT: the "
			  "drive uses cache=none or directsync (cache.direct=on) "
			  "and the filesystem holding %s does not support "
			  "O_DIRECT (tmpfs before Linux 6.6, some FUSE and "
			  "network filesystems). Move the image, or use "
			  "cache=writeback.", path);
	else if (e == EACCES || e == EPERM)
		ex_detail(h, "Permissions: file ownership (libvirt runs QEMU as "
			  "qemu/libvirt-qemu), AppArmor/SELinux labels.");
	else
		ex_detail(h, "The image could not be opened; QEMU does not "
			  "start or the hot-plug fails.");
	return true;
}

static bool m_io_uring(const char *line, struct ex_ctx *ctx,
		       struct ex_hit *h)
{
	if (!strstr(line, "Unable to use io_uring") &&
	    !strstr(line, "failed to init linux io_uring ring"))
		return false;
	ex_set(h, "qemu-io-uring", "qemu", "error");
	ex_summary(h, "QEMU cannot set up io_uring for a drive");
	ex_detail(h, "aio=io_uring needs Linux 5.1+, a QEMU built with liburing "
		  "and io_uring allowed for the process (sysctl "
		  "kernel.io_uring_disabled, seccomp, containers). Use "
		  "aio=threads or native, or allow io_uring.");
	return true;
}

static bool m_hotplug(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	char bus[64], dev[64], user[64];
	unsigned int slot, fn;
	const char *p;

	p = strstr(line, "Bus '");
	if (p &&
	    sscanf(p, "Bus '%63[^']' does not support hotplugging", bus) == 1) {
		ex_set(h, "qemu-hotplug-bus", "qemu", "error");
		ex_fstr(h, "bus", bus);
		ex_summary(h, "hot-plug onto %s is impossible", bus);
		ex_detail(h, "On q35 and arm64 virt the root bus (pcie.0) takes "
			  "no hot-plug: devices go into free pcie-root-ports, "
			  "and root ports must exist from the start. "
			  "Add spare <controller type='pci' "
			  "model='pcie-root-port'/> before the next boot; "
			  "`vblktrace doctor` counts them.");
		return true;
	}
	p = strstr(line, "PCI: slot ");
	if (p && sscanf(p, "PCI: slot %u function %u not available for %63[^,], in "
		   "use by %63[^\n]", &slot, &fn, dev, user) == 4) {
		ex_set(h, "qemu-pci-slot-busy", "qemu", "error");
		ex_fint(h, "pci_slot", slot);
		ex_fint(h, "pci_function", fn);
		ex_fstr(h, "device", dev);
		ex_fstr(h, "in_use_by", user);
		ex_summary(h, "PCI slot 0x%x.%u is taken by %s", slot, fn, user);
		ex_detail(h, "Two devices ask for the same address: an explicit "
			  "addr= collides with a device QEMU placed by order.");
		return true;
	}
	return false;
}

static bool m_signal(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	const char *p = strstr(line, "terminating on signal ");
	int sig, pid = 0;
	char who[64] = "";

	if (!p || sscanf(p + 22, "%d from pid %d (%63[^)])", &sig, &pid, who) < 1)
		return false;
	ex_set(h, "qemu-terminated", "qemu", "info");
	ex_fint(h, "signal", sig);
	if (pid)
		ex_fint(h, "pid", pid);
	ex_fstr(h, "sender", who);
	ex_summary(h, "QEMU was stopped by signal %d%s%s", sig, who[0] ? " from " :
		   "", who);
	ex_detail(h, "A normal shutdown or kill (libvirt destroy sends 15), "
		  "not a crash.");
	return true;
}

/* ---- QMP events, bare or in libvirt's "event={...}" ---- */

static json_object *find_json(const char *line)
{
	for (const char *p = strchr(line, '{'); p; p = strchr(p + 1, '{')) {
		struct json_tokener *tok = json_tokener_new();
		json_object *o;

		if (!tok)
			return NULL;
		o = json_tokener_parse_ex(tok, p, strlen(p));
		json_tokener_free(tok);
		if (o && json_object_is_type(o, json_type_object) &&
		    json_object_object_get(o, "event"))
			return o;
		json_object_put(o);
	}
	return NULL;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v = json_object_object_get(o, k);

	return v ? json_object_get_string(v) : NULL;
}

static bool m_qmp(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	json_object *o, *data;
	const char *ev, *dev, *node, *op, *action, *reason;

	o = strstr(line, "\"event\"") ? find_json(line) : NULL;
	if (!o)
		return false;
	ev = jstr(o, "event");
	data = json_object_object_get(o, "data");
	if (!strcmp(ev, "BLOCK_IO_ERROR")) {
		json_object *ns = json_object_object_get(data, "nospace");

		dev = jstr(data, "device");
		node = jstr(data, "node-name");
		op = jstr(data, "operation");
		action = jstr(data, "action");
		reason = jstr(data, "reason");
		ex_set(h, "qmp-block-io-error", "qmp", "error");
		ex_fstr(h, "device", dev && *dev ? dev : NULL);
		ex_fstr(h, "node", node);
		ex_fstr(h, "operation", op);
		ex_fstr(h, "action", action);
		ex_fstr(h, "reason", reason);
		ex_fbool(h, "nospace", ns && json_object_get_boolean(ns));
		ex_summary(h, "QEMU %s error on %s: %s, action %s",
			   op ? op : "I/O", node ? node : dev ? dev : "?",
			   reason ? reason : "?", action ? action : "?");
		ex_detail(h, "QEMU's own record of a failed host I/O. The action "
			  "is the drive's werror/rerror policy at work: "
			  "\"report\" - the guest got an I/O error; \"stop\" - "
			  "the VM is paused until 'cont'; \"ignore\" - the guest "
			  "was told it succeeded. %s The event is rate limited "
			  "(1/s per device since QEMU 9.2): count errors with "
			  "`vblktrace host`.", ns && json_object_get_boolean(ns) ?
			  "nospace=true: the host returned ENOSPC." : "");
	} else if (!strcmp(ev, "DEVICE_DELETED")) {
		ex_set(h, "qmp-device-deleted", "qmp", "info");
		ex_fstr(h, "device", jstr(data, "device"));
		ex_fstr(h, "path", jstr(data, "path"));
		ex_summary(h, "the guest released %s", jstr(data, "device") ?
			   jstr(data, "device") : jstr(data, "path"));
		ex_detail(h, "Hot-unplug completed: only now may the backend "
			  "(blockdev-del / drive_del) go. Removing it earlier "
			  "leaves a frontend without backend that breaks the next "
			  "migration.");
	} else if (!strcmp(ev, "MIGRATION") && jstr(data, "status")) {
		ex_set(h, "qmp-migration", "qmp", !strcmp(jstr(data, "status"),
		       "failed") ? "error" : "info");
		ex_fstr(h, "status", jstr(data, "status"));
		ex_summary(h, "migration status: %s", jstr(data, "status"));
	} else {
		json_object_put(o);
		return false;
	}
	json_object_put(o);
	return true;
}

/* ---- libvirt ---- */

static void nested(struct ex_hit *h, const char *tail, struct ex_ctx *ctx)
{
	struct ex_hit n;

	if (!tail || !*tail)
		return;
	ex_fstr(h, "qemu_message", tail);
	if (ex_explain_line(ctx, tail, &n)) {
		ex_fstr(h, "qemu_pattern", n.id);
		ex_detail(h, " QEMU said: %s. %s", n.summary, n.detail);
		ex_hit_clear(&n);
	}
}

/*
 * Seed 001's I/O error retry policy (werror=retry, retry_interval,
 * retry_timeout) is a vendor extension: upstream QEMU refuses each spelling
 * in its own words, and libvirt the XML attribute.
 */
static bool m_retry_policy(const char *line, struct ex_ctx *ctx,
			   struct ex_hit *h)
{
	const char *what;

	if (strstr(line, "'retry' invalid write error action") ||
	    strstr(line, "'retry' invalid read error action") ||
	    (strstr(line, "does not accept value 'retry'") &&
	     strstr(line, "error'")))
		what = "the error action 'retry'";
	else if (strstr(line, "retry_interval' not found") ||
		 strstr(line, "retry_timeout' not found") ||
		 strstr(line, "does not support the option 'retry_interval'") ||
		 strstr(line, "does not support the option 'retry_timeout'"))
		what = "retry_interval/retry_timeout";
	else if (strstr(line, "Invalid value for attribute") &&
		 strstr(line, "error_policy") && strstr(line, "'retry'"))
		what = "error_policy='retry'";
	else
		return false;
	ex_set(h, "qemu-retry-policy-unsupported",
	       strstr(line, "Invalid value for attribute") ? "libvirt" : "qemu",
	       "error");
	ex_fstr(h, "unsupported", what);
	ex_summary(h, "this QEMU/libvirt has no I/O error retry policy: %s is "
		   "refused", what);
	ex_detail(h, "werror=retry/rerror=retry with retry_interval and "
		  "retry_timeout (libvirt error_policy='retry') exist only in "
		  "some vendors' QEMU builds (openEuler's disk I/O suspension); "
		  "upstream QEMU knows report, ignore, enospc and stop. The VM "
		  "does not start, or a migration to this host fails. Use "
		  "werror=stop (the VM pauses on an error until `virsh resume`) "
		  "or report, or run the QEMU that supports retry on every host "
		  "the VM may migrate to (`vblktrace doctor --to` compares "
		  "them).");
	(void)ctx;
	return true;
}

static bool m_libvirt(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	char cmd[64], fn[96];
	const char *p;

	p = strstr(line, "unable to execute QEMU command '");
	if (p && sscanf(p + 32, "%63[^']", cmd) == 1) {
		const char *msg = strstr(p + 32, "': ");

		ex_set(h, "libvirt-qemu-command", "libvirt", "error");
		ex_fstr(h, "command", cmd);
		ex_fstr(h, "message", msg ? msg + 3 : NULL);
		ex_summary(h, "QEMU refused the monitor command %s%s%s", cmd,
			   msg ? ": " : "", msg ? msg + 3 : "");
		if (!strcmp(cmd, "device_del"))
			ex_detail(h, "device_del only asks the guest to release "
				  "the device; libvirt then waits for "
				  "DEVICE_DELETED before it removes the backend. "
				  "\"not found\" means the frontend is already "
				  "gone (or never was), \"in the process of "
				  "unplug\" that an earlier request is pending: "
				  "the guest has not acknowledged it (no ACPI/"
				  "PCIe hot-plug driver, guest hung). Removing "
				  "the backend anyway leaves a frontend that the "
				  "next migration trips over (\"Unknown "
				  "savevm section or instance\").");
		else
			nested(h, msg ? msg + 3 : NULL, ctx);
		return true;
	}
	p = strstr(line, "closed the monitor: ");
	if (!p)
		p = strstr(line, "while connecting to monitor: ");
	if (p) {
		ex_set(h, "libvirt-qemu-exited", "libvirt", "error");
		ex_summary(h, "QEMU exited during start-up");
		ex_detail(h, "libvirt quotes QEMU's last words.");
		nested(h, strchr(p, ':') + 2, ctx);
		return true;
	}
	if (strstr(line, "No more available PCI slots")) {
		ex_set(h, "libvirt-pci-slots", "libvirt", "error");
		ex_summary(h, "no free PCI slot or pcie-root-port for the device");
		ex_detail(h, "On q35/virt each hot-plugged device needs an empty "
			  "pcie-root-port, and root ports cannot be hot-plugged "
			  "themselves. Add spare <controller "
			  "type='pci' model='pcie-root-port'/> and restart the "
			  "VM, or use virtio-scsi LUNs.");
		return true;
	}
	if (strstr(line, "Unsafe migration")) {
		ex_set(h, "libvirt-unsafe-migration", "libvirt", "error");
		ex_summary(h, "libvirt refuses the migration: disk cache mode");
		ex_detail(h, "With a cache mode other than none/directsync the "
			  "source's page cache may hold writes the destination "
			  "cannot see. Use cache='none', or --unsafe if the "
			  "storage is known to be coherent.");
		return true;
	}
	if (strstr(line, "due to IO error") || strstr(line, "due to I/O error")) {
		ex_set(h, "libvirt-io-error-pause", "libvirt", "error");
		ex_summary(h, "the VM was paused by an I/O error");
		ex_detail(h, "A drive with werror/rerror=stop (or enospc on "
			  "ENOSPC) hit a host error. Fix the storage, then "
			  "`virsh resume`.");
		return true;
	}
	p = strstr(line, "qemuMonitorIO");
	if (p && strstr(line, "error")) {
		ex_set(h, "libvirt-monitor", "libvirt", "error");
		ex_summary(h, "libvirt lost the QEMU monitor%s",
			   strstr(p, "End of file") ? ": QEMU exited" : "");
		ex_detail(h, "QEMU ended (crash, kill, or exit after a fatal "
			  "error); its reason is in /var/log/libvirt/qemu/VM.log "
			  "- run `vblktrace explain` on that file.");
		return true;
	}
	p = strstr(line, "qemuMigration");
	if (p && sscanf(p, "%95[A-Za-z0-9_]", fn) == 1) {
		const char *msg = strstr(p, " : ");

		ex_set(h, "libvirt-migration", "libvirt",
		       strstr(line, "error") ? "error" : "info");
		ex_fstr(h, "function", fn);
		ex_fstr(h, "message", msg ? msg + 3 : NULL);
		ex_summary(h, "libvirt migration (%s)%s%s", fn, msg ? ": " : "",
			   msg ? msg + 3 : "");
		ex_detail(h, "libvirt only relays the outcome; the reason of a "
			  "failed migration is in the destination's QEMU log "
			  "(\"Unknown savevm section\", \"Bad config data\"). "
			  "`vblktrace doctor --xml SRC --to DST` compares the two "
			  "configurations.");
		return true;
	}
	return false;
}

const struct ex_pattern ex_qemu_patterns[] = {
	{ "qemu-retry-policy-unsupported", "qemu", m_retry_policy },
	{ "libvirt", "libvirt", m_libvirt },
	{ "qmp", "qmp", m_qmp },
	{ "qemu-pci-config", "qemu", m_pci_config },
	{ "qemu-load-state", "qemu", m_load_instance },
	{ "qemu-unknown-section", "qemu", m_unknown_section },
	{ "qemu-load-failed", "qemu", m_load_failed },
	{ "qemu-migration-failed", "qemu", m_migration_failed },
	{ "qemu-virtio-features", "qemu", m_features },
	{ "qemu-virtqueue", "qemu", m_vq },
	{ "qemu-aio-native-no-direct", "qemu", m_aio_native },
	{ "qemu-open-failed", "qemu", m_open },
	{ "qemu-io-uring", "qemu", m_io_uring },
	{ "qemu-hotplug", "qemu", m_hotplug },
	{ "qemu-terminated", "qemu", m_signal },
	{ NULL, NULL, NULL }
};
