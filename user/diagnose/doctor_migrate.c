// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace doctor --to: what breaks a live migration from one
 * configuration to another.  The facts behind the rules:
 *  - each device's state travels in a savevm section named after its qdev
 *    path, for PCI devices "DOMAIN:BUS:SLOT.FN/virtio-blk"; a section the
 *    destination has no device for ends the load with "Unknown savevm
 *    section or instance";
 *  - the destination compares the PCI config space it built with the one
 *    it receives, byte by byte under cmask & ~wmask & ~w1cmask
 *    (hw/pci/pci.c get_pci_config_device), so any property that changes
 *    BAR sizes or capabilities (virtio config size from discard /
 *    write-zeroes, MSI-X vectors, queue counts) fails with "Bad config
 *    data";
 *  - machine types carry compat properties (e.g. discard/write-zeroes off
 *    before 4.0, num-queues = vCPUs from 5.2), so an unversioned alias
 *    (q35, pc, virt) means different devices on different QEMU versions.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/doctor.h"

static const char *fmt(char *b, size_t n, const char *f, ...)
	__attribute__((format(printf, 3, 4)));
static const char *fmt(char *b, size_t n, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(b, n, f, ap);
	va_end(ap);
	return b;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void dev_key(const struct dr_config *c, const struct dr_dev *d,
		    char *buf, size_t len)
{
	int nth = 0;

	if (d->id) {
		snprintf(buf, len, "%s", d->id);
		return;
	}
	if (d->target) {
		snprintf(buf, len, "disk %s", d->target);
		return;
	}
	if (d->drive) {
		snprintf(buf, len, "drive %s", d->drive);
		return;
	}
	for (const struct dr_dev *x = c->devs; x < d; x++)
		if (same(x->driver, d->driver) && !x->id && !x->target &&
		    !x->drive)
			nth++;
	snprintf(buf, len, "%s #%d", d->driver ? d->driver : "device", nth);
}

static const struct dr_dev *find_dev(const struct dr_config *c,
				     const char *key)
{
	char k[160];

	for (int i = 0; i < c->ndevs; i++) {
		dev_key(c, &c->devs[i], k, sizeof(k));
		if (!strcmp(k, key))
			return &c->devs[i];
	}
	return NULL;
}

static const char *bus_name(const struct dr_config *c, const struct dr_dev *d)
{
	if (d->bus)
		return d->bus;
	return dr_is_pcie_machine(c) ? "pcie.0" : "pci.0";
}

static void addr_str(const struct dr_config *c, const struct dr_dev *d,
		     char *buf, size_t len)
{
	if (d->slot < 0)
		snprintf(buf, len, "unset (QEMU picks)");
	else
		snprintf(buf, len, "%s slot 0x%02x.%d", bus_name(c, d), d->slot,
			 d->fn < 0 ? 0 : d->fn);
}

/*
 * The savevm instance QEMU names in its errors: "0000:00:0b.0/virtio-blk"
 * for a device on the root bus (behind a bridge the path grows).
 */
static void instance_str(const struct dr_config *c, const struct dr_dev *d,
			 char *buf, size_t len)
{
	char model[64];
	size_t n;

	snprintf(model, sizeof(model), "%s", d->driver ? d->driver : "device");
	n = strlen(model);
	if (n > 4 && !strcmp(model + n - 4, "-pci"))
		model[n - 4] = 0;
	if (d->slot >= 0 && (!d->bus || !strcmp(d->bus, bus_name(c, d))))
		snprintf(buf, len, "0000:00:%02x.%d/%s", d->slot,
			 d->fn < 0 ? 0 : d->fn, model);
	else
		snprintf(buf, len, "<its PCI address>/%s", model);
}

/* What to do about a device only one side has, from what we know of it. */
static const char *presence_todo(const struct dr_config *a,
				 const struct dr_config *b,
				 const struct dr_dev *d, bool a_is_src,
				 char *buf, size_t len)
{
	char addr[80];

	addr_str(a, d, addr, sizeof(addr));
	if (a_is_src && d->backend_removed)
		return "Finish the unplug on the source before migrating: "
		       "device_del, wait for the DEVICE_DELETED event (the "
		       "guest released it), only then blockdev-del / "
		       "drive_del; a stuck frontend needs the guest to release "
		       "it, or a reboot.";
	if (a_is_src) {
		snprintf(buf, len, "%s the destination with %s at the same "
			 "address (%s) and its drive: add -device %s,id=%s,... "
			 "to its command line (libvirt does this from the "
			 "source's live XML).", d->hotplugged ? "It was "
			 "hot-plugged on the source after start; start" :
			 "Start", d->id ? d->id : "this device", addr,
			 d->driver ? d->driver : "...", d->id ? d->id : "...");
		return buf;
	}
	if (b->live)
		return "Remove the extra device from the destination "
		       "configuration (the running source does not have it), "
		       "or hot-plug it after the migration.";
	return "If it was hot-plugged on the source after it started, the "
	       "source's command line cannot show it and the destination is "
	       "right: check the running source (doctor --pid SRC --to ..., "
	       "or `info pci`). Otherwise remove it from the destination.";
}

/* Root ports and PCI bridges have no drive; everything else counts. */
static void compare_presence(const struct dr_config *a,
			     const struct dr_config *b, bool a_is_src,
			     struct dr_report *r)
{
	char key[160], addr[80], t[256], m[1024], inst[96], see[512];
	char todo[512];

	for (int i = 0; i < a->ndevs; i++) {
		const struct dr_dev *d = &a->devs[i];

		dev_key(a, d, key, sizeof(key));
		if (find_dev(b, key))
			continue;
		addr_str(a, d, addr, sizeof(addr));
		instance_str(a, d, inst, sizeof(inst));
		fmt(t, sizeof(t), "%s (%s, %s) exists only on the %s",
		    key, d->driver ? d->driver : "?", addr,
		    a_is_src ? "source" : "destination");
		if (a_is_src)
			fmt(m, sizeof(m), "The source sends this device's state "
			    "in its own savevm section; the destination has no "
			    "device to load it into.%s", d->backend_removed ?
			    " Its drive was removed while the guest still held "
			    "the frontend: libvirt's migration XML no longer "
			    "lists it, QEMU's PCI bus still has it." :
			    d->hotplugged ? " It was hot-plugged: the source's "
			    "command line does not show it." : "");
		else
			fmt(m, sizeof(m), "The destination creates a device the "
			    "source does not have; no state arrives for it and "
			    "the running guest never enumerated it.");
		if (a_is_src)
			fmt(see, sizeof(see), "The destination fails the load: "
			    "\"Unknown savevm section or instance '%s' 0\", "
			    "\"load of migration failed: Invalid argument\"; "
			    "the VM keeps running on the source.", inst);
		else
			fmt(see, sizeof(see), "libvirt's ABI stability check "
			    "refuses the migration (\"Target domain ... count "
			    "... does not match source\"); plain QEMU migrates "
			    "and the guest meets a device it never probed.");
		dr_add(r, "mig-device-missing", DR_ERROR, key, t, m, see,
		       presence_todo(a, b, d, a_is_src, todo, sizeof(todo)));
	}
}

static void compare_address(const struct dr_config *s,
			    const struct dr_config *d, const struct dr_dev *a,
			    const struct dr_dev *b, const char *key,
			    struct dr_report *r)
{
	char as[80], bs[80], t[300];

	addr_str(s, a, as, sizeof(as));
	addr_str(d, b, bs, sizeof(bs));
	if (a->slot < 0 || b->slot < 0) {
		if (a->root_port || b->root_port)
			return;
		dr_add(r, "mig-pci-address-unset", DR_WARNING, key,
		       fmt(t, sizeof(t), "PCI address of %s: source %s, "
			   "destination %s", key, as, bs),
		       "Where the address is unset, QEMU assigns the next free "
		       "slot in command-line order (or, for a hot-plugged "
		       "device, at hot-plug time); nothing guarantees both "
		       "sides agree.",
		       "If the slots differ: \"Unknown savevm section or "
		       "instance\" or \"get_pci_config_device: Bad config data: "
		       "i=0x10\" on the destination.",
		       "Pin bus= and addr= on both sides to the address the "
		       "running source uses (`info pci` in the HMP monitor, or "
		       "libvirt's live XML).");
		return;
	}
	if (!strcmp(bus_name(s, a), bus_name(d, b)) && a->slot == b->slot &&
	    (a->fn < 0 ? 0 : a->fn) == (b->fn < 0 ? 0 : b->fn))
		return;
	dr_add(r, "mig-pci-address", DR_ERROR, key,
	       fmt(t, sizeof(t), "%s moves from %s to %s", key, as, bs),
	       "The device's savevm section is named after its PCI address; "
	       "at another address the destination either has no such "
	       "section or loads another device's state into it.",
	       "\"Unknown savevm section or instance '0000:...'\" or "
	       "\"get_pci_config_device: Bad config data\" followed by "
	       "\"error while loading state for instance 0x0 of device "
	       "'0000:00:0b.0/virtio-blk'\".",
	       "Use the source's address on the destination (libvirt: copy "
	       "the <address> from the source's live XML, `virsh dumpxml "
	       "--migratable`).");
}

/*
 * "pc-i440fx-3.1" -> 301; an alias (pc, q35, virt) or no -machine at all
 * is the binary's newest type: INT_MAX.
 */
static int machine_version(const char *m)
{
	const char *p;
	int maj, min;

	if (!m || !(p = strrchr(m, '-')) || sscanf(p + 1, "%d.%d", &maj,
						   &min) != 2)
		return 1 << 30;
	return maj * 100 + min;
}

/* A virtio-blk feature switch: explicit, else the machine type's default
 * (hw_compat_3_1 turned discard and write-zeroes off before 4.0). */
static bool blk_feature_on(const struct dr_config *c, const struct dr_dev *d,
			   const char *key)
{
	const char *v = dr_dev_prop(d, key);

	if (v)
		return !strcmp(v, "on") || !strcmp(v, "true") ||
		       !strcmp(v, "yes") || !strcmp(v, "1");
	return machine_version(c->machine) >= 400;
}

/*
 * The legacy I/O BAR of a transitional virtio-blk holds the 24-byte legacy
 * header and the device config, whose size depends on the highest feature
 * enabled: 36 bytes, 48 with discard, 60 with write-zeroes.  BAR sizes are
 * powers of two, so the BAR is 64 or 128 bytes.
 */
static int blk_io_bar(const struct dr_config *c, const struct dr_dev *d)
{
	int cfg = blk_feature_on(c, d, "write-zeroes") ? 60 :
		  blk_feature_on(c, d, "discard") ? 48 : 36;

	return 24 + cfg > 64 ? 128 : 64;
}

static bool is_blk_config_prop(const struct dr_dev *d, const char *k)
{
	return d->driver && !strcmp(d->driver, "virtio-blk-pci") &&
	       (!strcmp(k, "discard") || !strcmp(k, "write-zeroes"));
}

/* Seed 002: a newer QEMU enabled discard/write-zeroes; BAR0 doubled. */
static void compare_blk_config(const struct dr_config *s,
			       const struct dr_config *d,
			       const struct dr_dev *a, const struct dr_dev *b,
			       const char *key, struct dr_report *r)
{
	char t[300], m[700], see[600], inst[96];
	int sa, sb;

	if (!a->driver || strcmp(a->driver, "virtio-blk-pci"))
		return;
	sa = blk_io_bar(s, a);
	sb = blk_io_bar(d, b);
	if (blk_feature_on(s, a, "discard") == blk_feature_on(d, b, "discard") &&
	    blk_feature_on(s, a, "write-zeroes") ==
	    blk_feature_on(d, b, "write-zeroes"))
		return;
	instance_str(s, a, inst, sizeof(inst));
	fmt(t, sizeof(t), "%s: discard %s, write-zeroes %s on the source; "
	    "%s, %s on the destination", key,
	    blk_feature_on(s, a, "discard") ? "on" : "off",
	    blk_feature_on(s, a, "write-zeroes") ? "on" : "off",
	    blk_feature_on(d, b, "discard") ? "on" : "off",
	    blk_feature_on(d, b, "write-zeroes") ? "on" : "off");
	fmt(m, sizeof(m), "These features size the virtio-blk config space "
	    "(36 bytes, 48 with discard, 60 with write-zeroes; set "
	    "explicitly or by the machine type: off before 4.0)%s.",
	    sa != sb ? "; with the 24-byte legacy header the I/O BAR0 is "
	    "64 bytes on one side and 128 on the other, and the destination "
	    "compares the BAR bits it cannot write" : "");
	if (sa != sb)
		fmt(see, sizeof(see), "\"get_pci_config_device: Bad config "
		    "data: i=0x10 read: .. device: 1 cmask: ff wmask: %s "
		    "w1cmask:0\" then \"error while loading state for "
		    "instance 0x0 of device '%s'\" (when the source's BAR0 is "
		    "not 128-aligned, as a second or hot-plugged disk's "
		    "usually is); otherwise the guest keeps a config layout "
		    "the device no longer has.", sb > sa ? "80" : "c0", inst);
	else
		fmt(see, sizeof(see), "The destination offers features the "
		    "guest negotiated without, or lacks ones it uses: "
		    "\"Features 0x... unsupported\" on the load.");
	dr_add(r, "mig-virtio-blk-config", sa != sb ? DR_ERROR : DR_WARNING,
	       key, t, m, see,
	       "Give the destination the source's values explicitly: "
	       "-device virtio-blk-pci,...,discard=off,write-zeroes=off (libvirt: "
	       "a versioned machine type both sides know, or <driver "
	       "discard=...>), then migrate; cold-boot later to get the "
	       "features.");
}

static void compare_props(const struct dr_dev *a, const struct dr_dev *b,
			  const char *key, struct dr_report *r)
{
	char t[300], m[600], todo[200];

	for (int pass = 0; pass < 2; pass++) {
		const struct dr_dev *x = pass ? b : a, *y = pass ? a : b;

		for (int i = 0; i < x->nprops; i++) {
			const char *k = x->props[i].key;
			const char *xv = x->props[i].val;
			const char *yv = dr_dev_prop(y, k);
			const char *sv = pass ? yv : xv, *dv = pass ? xv : yv;

			if (yv && (pass || !strcmp(xv, yv)))
				continue;	/* equal, or seen in pass 0 */
			if (is_blk_config_prop(x, k))
				continue;	/* compare_blk_config */
			fmt(t, sizeof(t), "%s: %s=%s on the source, %s on the "
			    "destination", key, k, sv ? sv : "(default)",
			    dv ? dv : "(default)");
			fmt(m, sizeof(m), "%s changes what the guest sees of the "
			    "device: virtio config space size and contents, "
			    "queue layout or MSI-X vectors.%s", k,
			    sv && dv ? "" : " The default depends on the "
			    "machine type and QEMU version, so it may or may "
			    "not match.");
			dr_add(r, "mig-device-props", sv && dv ? DR_ERROR :
			       DR_WARNING, key, t, m,
			       "The destination fails with \"get_pci_config_device: "
			       "Bad config data: i=0x..\" (a different BAR or "
			       "capability), \"Features 0x... unsupported\", or "
			       "\"VQ n size ... inconsistent\"; or the guest "
			       "driver misbehaves after the switch.",
			       fmt(todo, sizeof(todo), "Set %s to the source's value "
				   "on the destination explicitly.", k));
		}
	}
}

static bool unversioned(const char *m)
{
	if (!m)
		return false;
	for (const char *p = m; *p; p++)
		if (isdigit((unsigned char)*p))
			return false;
	return true;
}

static void compare_vm(const struct dr_config *s, const struct dr_config *d,
		       struct dr_report *r)
{
	char t[300];

	if (s->machine && d->machine && strcmp(s->machine, d->machine))
		dr_add(r, "mig-machine-type", DR_ERROR, "machine",
		       fmt(t, sizeof(t), "machine type %s on the source, %s on "
			   "the destination", s->machine, d->machine),
		       "A versioned machine type freezes device defaults (compat "
		       "properties). Another type means other defaults: "
		       "virtio-blk discard/write-zeroes, num-queues, queue-size, "
		       "seg-max-adjust, PCI layout.",
		       "Config-space mismatches (\"Bad config data\"), feature "
		       "mismatches, or libvirt refusing the migration.",
		       "Start the destination with exactly the source's machine "
		       "type (libvirt keeps it in the domain XML).");
	else if (unversioned(s->machine) || unversioned(d->machine))
		dr_add(r, "mig-machine-type", DR_WARNING, "machine",
		       fmt(t, sizeof(t), "unversioned machine type %s",
			   unversioned(s->machine) ? s->machine : d->machine),
		       "An alias like q35, pc or virt resolves to the newest "
		       "machine type of each QEMU binary: two QEMU versions give "
		       "two sets of device defaults (a newer QEMU "
		       "enabled virtio-blk discard/write-zeroes, which enlarged "
		       "the device's config space and its I/O BAR).",
		       "Migration between QEMU versions fails with "
		       "\"get_pci_config_device: Bad config data: i=0x10\".",
		       "Use the versioned name (pc-q35-7.2, virt-7.2) on both "
		       "sides.");
	if (s->vcpus && d->vcpus && s->vcpus != d->vcpus)
		dr_add(r, "mig-vcpus", DR_ERROR, "machine",
		       fmt(t, sizeof(t), "%d vCPUs on the source, %d on the "
			   "destination", s->vcpus, d->vcpus),
		       "The CPU state of every vCPU is migrated; virtio-blk "
		       "num-queues also defaults to the vCPU count on 5.2+ "
		       "machine types.",
		       "libvirt refuses (\"Target CPU count ... does not match "
		       "source\"); QEMU fails the load.",
		       "Use the same -smp / <vcpu> on both sides.");
}

static const struct vbt_drive *find_drive(const struct dr_config *c,
					  const struct vbt_drive *d)
{
	for (int i = 0; i < c->vm.ndrives; i++) {
		const struct vbt_drive *x = &c->vm.drives[i];

		if ((d->id && x->id && !strcmp(d->id, x->id)) ||
		    (!d->id && d->target && x->target &&
		     !strcmp(d->target, x->target)))
			return x;
	}
	return NULL;
}

/* One side retries failed requests and the other not, or not as long. */
static bool retry_differs(const struct vbt_drive *a, const struct vbt_drive *b)
{
	bool ra = (a->werror && !strcmp(a->werror, "retry")) ||
		  (a->rerror && !strcmp(a->rerror, "retry"));
	bool rb = (b->werror && !strcmp(b->werror, "retry")) ||
		  (b->rerror && !strcmp(b->rerror, "retry"));

	return ra != rb || (ra && (a->retry_interval_ms != b->retry_interval_ms ||
				   a->retry_timeout_ms != b->retry_timeout_ms));
}

static void compare_drives(const struct dr_config *s,
			   const struct dr_config *d, struct dr_report *r)
{
	char name[160], t[400];

	for (int i = 0; i < s->vm.ndrives; i++) {
		const struct vbt_drive *a = &s->vm.drives[i];
		const struct vbt_drive *b = find_drive(d, a);

		dr_drive_name(a, name, sizeof(name));
		if (!b)
			continue;	/* devices report presence */
		if (!same(a->cache, b->cache) || a->aio != b->aio)
			dr_add(r, "mig-cache-aio", DR_INFO, name,
			       fmt(t, sizeof(t), "cache=%s aio=%s on the "
				   "source, cache=%s aio=%s on the destination",
				   a->cache ? a->cache : "?",
				   vbt_aio_name(a->aio),
				   b->cache ? b->cache : "?",
				   vbt_aio_name(b->aio)),
			       "Host-side I/O modes are not part of the "
			       "migration stream: the migration works, the disk "
			       "just behaves differently afterwards (durability "
			       "with writeback/unsafe, alignment rules with "
			       "O_DIRECT, aio=native's requirements).",
			       "Different latency, and with a change of cache "
			       "mode a different crash-safety guarantee.",
			       "Keep them equal unless the change is the point. "
			       "libvirt refuses a migration whose disks use a "
			       "cache mode other than none/directsync on "
			       "storage it cannot prove safe, unless --unsafe.");
		if (!same(a->werror, b->werror) || !same(a->rerror, b->rerror) ||
		    a->retry_interval_ms != b->retry_interval_ms ||
		    a->retry_timeout_ms != b->retry_timeout_ms)
			dr_add(r, "mig-error-policy",
			       retry_differs(a, b) ? DR_WARNING : DR_INFO, name,
			       fmt(t, sizeof(t), "werror/rerror %s/%s (retry "
				   "%ld/%ld ms) on the source, %s/%s (retry "
				   "%ld/%ld ms) on the destination",
				   a->werror ? a->werror : "?",
				   a->rerror ? a->rerror : "?",
				   a->retry_interval_ms, a->retry_timeout_ms,
				   b->werror ? b->werror : "?",
				   b->rerror ? b->rerror : "?",
				   b->retry_interval_ms, b->retry_timeout_ms),
			       "The error policy decides whether a host I/O "
			       "error reaches the guest, pauses the VM, is "
			       "retried (a vendor QEMU's werror=retry with "
			       "retry_interval/retry_timeout) or is dropped.",
			       "The same storage fault has a different effect "
			       "after the migration: where the source would "
			       "retry and ride out a short outage, the "
			       "destination fails or pauses the guest, or "
			       "the reverse. A destination QEMU without the "
			       "retry extension refuses to start: \"'retry' "
			       "invalid write error action\".",
			       "Use the same error_policy/rerror_policy and "
			       "retry_interval/retry_timeout on both sides.");
		if (a->image && b->image && strcmp(a->image, b->image))
			dr_add(r, "mig-image", DR_INFO, name,
			       fmt(t, sizeof(t), "image %s on the source, %s on "
				   "the destination", a->image, b->image),
			       "Different paths are fine for shared storage "
			       "mounted elsewhere, or for a storage migration "
			       "(--copy-storage-all / blockdev-mirror).",
			       "If neither holds: the guest continues on "
			       "another disk's data.",
			       "Check that both paths are the same data.");
	}
}

void dr_diagnose_migration(const struct dr_config *src,
			   const struct dr_config *dst, struct dr_report *r)
{
	char key[160];

	compare_vm(src, dst, r);
	compare_presence(src, dst, true, r);
	compare_presence(dst, src, false, r);
	for (int i = 0; i < src->ndevs; i++) {
		const struct dr_dev *a = &src->devs[i], *b;

		dev_key(src, a, key, sizeof(key));
		b = find_dev(dst, key);
		if (!b)
			continue;
		if (!same(a->driver, b->driver)) {
			char t[300];

			dr_add(r, "mig-device-driver", DR_ERROR, key,
			       fmt(t, sizeof(t), "%s is %s on the source, %s "
				   "on the destination", key,
				   a->driver ? a->driver : "?",
				   b->driver ? b->driver : "?"),
			       "Another device model has another savevm "
			       "section and state layout.",
			       "\"Unknown savevm section or instance\" on the "
			       "destination.",
			       "Use the same device model on both sides.");
			continue;
		}
		compare_address(src, dst, a, b, key, r);
		compare_blk_config(src, dst, a, b, key, r);
		compare_props(a, b, key, r);
	}
	compare_drives(src, dst, r);
}
