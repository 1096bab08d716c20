// SPDX-License-Identifier: GPL-2.0
/*
 * explain: what an aarch64 'virt' guest's QEMU and kernel print when the
 * domain was written the x86 way (seed 003).  Each message was taken from
 * qemu-system-aarch64 7.2 and the Debian arm64 kernels on this project's
 * machine (tests/unit/corpus/explain/arm64-virt.log); doctor's arm64 rules
 * (doctor_arm64.c) find the same causes in the configuration.
 */
#include <stdio.h>
#include <string.h>

#include "diagnose/explain.h"

static bool m_no_ide(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	char bus[32];
	const char *p = strstr(line, "Bus '");

	if (!(p && sscanf(p, "Bus '%31[^']'", bus) == 1 &&
	      !strncmp(bus, "ide.", 4) && strstr(p, "' not found")) &&
	    !strstr(line, "No 'IDE' bus found for device") &&
	    !strstr(line, "machine type does not support if=ide"))
		return false;
	ex_set(h, "qemu-virt-no-ide", "qemu", "error");
	ex_summary(h, "this machine has no IDE bus (arm64 'virt')");
	ex_detail(h, "QEMU's arm64 'virt' machine has no IDE controller, so a "
		  "CD-ROM or disk on bus='ide' (x86 habit) stops QEMU at start. "
		  "Put the CD-ROM on SCSI (<target bus='scsi'/> with a "
		  "virtio-scsi controller) or USB, disks on virtio. `vblktrace "
		  "doctor` flags it as virt-no-ide.");
	return true;
}

static bool m_no_msi(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	if (!strstr(line, "MSI-X is not supported by interrupt controller"))
		return false;
	ex_set(h, "qemu-arm-no-msi", "qemu", "error");
	ex_summary(h, "the GIC gives no MSI-X: PCIe root ports cannot work");
	ex_detail(h, "pcie-root-port (and virtio-pci with MSI-X) needs message "
		  "interrupts: a GICv3 ITS or GICv2's v2m frame. Under TCG, QEMU "
		  "emulates the ITS only from machine type virt-6.2; with KVM "
		  "the host kernel's vGIC provides it. Use a newer machine type, "
		  "gic-version=2 under TCG, or KVM.");
	return true;
}

static bool m_no_accel(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	char acc[32];
	const char *p = strstr(line, "invalid accelerator ");

	if (!p || sscanf(p, "invalid accelerator %31s", acc) != 1)
		return false;
	ex_set(h, "qemu-invalid-accel", "qemu", "error");
	ex_fstr(h, "accel", acc);
	ex_summary(h, "QEMU has no %s accelerator for this target", acc);
	ex_detail(h, "KVM runs a guest of the host's own architecture only: "
		  "qemu-system-aarch64 on an x86-64 host (or an arm64 host "
		  "without /dev/kvm) cannot use kvm. Run the guest on an ARM64 "
		  "host, or use TCG (-accel tcg, libvirt <domain type='qemu'>), "
		  "which emulates and is many times slower.");
	return true;
}

/* "pci_bus 0000:10: busn_res: can not insert [bus 10] under [bus 00-0f]" */
static bool m_busn(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	unsigned int bus, lo, hi;
	const char *p = strstr(line, "busn_res: can not insert [bus ");
	const char *u = p ? strstr(p, "] under [bus ") : NULL;

	if (!u || sscanf(p, "busn_res: can not insert [bus %x", &bus) != 1 ||
	    sscanf(u, "] under [bus %x-%x]", &lo, &hi) != 2)
		return false;
	ex_set(h, "kernel-pci-bus-range", "kernel", "error");
	ex_fint(h, "bus", bus);
	ex_fint(h, "bus_max", hi);
	ex_summary(h, "PCI bus %02x is beyond the host bridge's buses %02x-%02x",
		   bus, lo, hi);
	ex_detail(h, "Each PCIe root port or bridge needs a bus number; the host "
		  "bridge only maps config space for buses %02x-%02x. On arm64 "
		  "'virt' that is QEMU's low ECAM window (machine types up to "
		  "virt-2.12, or highmem=off): 15 root ports at most, and the "
		  "devices behind the others are missing in the guest. Fewer "
		  "ports, or virt-3.0 or later with highmem. `vblktrace doctor` "
		  "flags it as virt-root-port-ceiling.", lo, hi);
	return true;
}

const struct ex_pattern ex_arm64_patterns[] = {
	{ "qemu-virt-no-ide", "qemu", m_no_ide },
	{ "qemu-arm-no-msi", "qemu", m_no_msi },
	{ "qemu-invalid-accel", "qemu", m_no_accel },
	{ "kernel-pci-bus-range", "kernel", m_busn },
	{ NULL, NULL, NULL }
};
