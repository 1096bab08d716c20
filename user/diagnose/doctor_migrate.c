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

/* Root ports and PCI bridges have no drive; everything else counts. */
static void compare_presence(const struct dr_config *a,
			     const struct dr_config *b, bool a_is_src,
			     struct dr_report *r)
{
	char key[160], addr[80], t[256], m[1024];

	for (int i = 0; i < a->ndevs; i++) {
		const struct dr_dev *d = &a->devs[i];

		dev_key(a, d, key, sizeof(key));
		if (find_dev(b, key))
			continue;
		addr_str(a, d, addr, sizeof(addr));
		fmt(t, sizeof(t), "%s (%s, %s) exists only on the %s",
		    key, d->driver ? d->driver : "?", addr,
		    a_is_src ? "source" : "destination");
		if (a_is_src)
			fmt(m, sizeof(m), "The source sends this device's state "
			    "in its own savevm section; the destination has no "
			    "device to load it into. This is what a disk whose "
			    "backend was removed while the guest still held the "
			    "frontend looks like: libvirt's migration XML no "
			    "longer lists it, QEMU's PCI bus still has it.");
		else
			fmt(m, sizeof(m), "The destination creates a device the "
			    "source does not have; no state arrives for it and "
			    "the running guest never enumerated it.");
		dr_add(r, "mig-device-missing", DR_ERROR, key, t, m,
		       a_is_src ? "The destination fails the load: \"Unknown "
		       "savevm section or instance '0000:00:06.0/virtio-blk' "
		       "0\", \"load of migration failed: Invalid argument\"; the "
		       "VM keeps running on the source." :
		       "libvirt's ABI stability check refuses the migration "
		       "(\"Target domain ... count ... does not match "
		       "source\"); plain QEMU migrates and the guest meets a "
		       "device it never probed.",
		       a_is_src ? "Make both sides agree before migrating. If "
		       "the disk was meant to be gone, finish the unplug on the "
		       "source: device_del, wait for the DEVICE_DELETED event "
		       "(the guest released it), only then blockdev-del / "
		       "drive_del; a stuck frontend needs the guest to release "
		       "it, or a reboot." :
		       "Remove the extra device from the destination "
		       "configuration (or hot-plug it after the migration).");
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
		if (!same(a->werror, b->werror) || !same(a->rerror, b->rerror))
			dr_add(r, "mig-error-policy", DR_INFO, name,
			       fmt(t, sizeof(t), "werror/rerror %s/%s on the "
				   "source, %s/%s on the destination",
				   a->werror ? a->werror : "?",
				   a->rerror ? a->rerror : "?",
				   b->werror ? b->werror : "?",
				   b->rerror ? b->rerror : "?"),
			       "The error policy decides whether a host I/O "
			       "error reaches the guest, pauses the VM or is "
			       "dropped.",
			       "The same storage fault has a different effect "
			       "after the migration.",
			       "Use the same error_policy/rerror_policy.");
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
		compare_props(a, b, key, r);
	}
	compare_drives(src, dst, r);
}
