// SPDX-License-Identifier: GPL-2.0
/*
 * doctor rules for aarch64 'virt' guests, the seeds' own platform (ARM64
 * KVM hosts, Kunpeng/openEuler manuals, the aarch64 installer of seed 000).
 *
 * What keeps such a guest from booting is not what does on x86: there is
 * no BIOS (UEFI firmware or a direct kernel boot), no IDE bus, a PCIe
 * topology whose bus numbers can run out, and KVM that only runs the
 * host's own CPU.  The facts come from the command line or libvirt XML
 * (doctor_config.c, doctor_xml.c); the limits were checked against QEMU
 * 7.2's qemu-system-aarch64 (tests/host/doctor_arm64.sh boots them).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/doctor.h"

static const char *afmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *afmt(const char *f, ...)
{
	static char buf[4][2048];
	static int n;
	char *b = buf[n++ % 4];
	va_list ap;

	va_start(ap, f);
	vsnprintf(b, sizeof(buf[0]), f, ap);
	va_end(ap);
	return b;
}

static bool is_arm_virt(const struct dr_config *c)
{
	return dr_is_aarch64(c) &&
	       (!c->machine || !strncmp(c->machine, "virt", 4));
}

bool dr_is_aarch64(const struct dr_config *c)
{
	return c->arch && (!strcmp(c->arch, "aarch64") ||
			   !strcmp(c->arch, "arm64"));
}

static bool contains_ci(const char *s, const char *w)
{
	return s && strcasestr(s, w);
}

/* An x86 firmware image by its usual names (OVMF, SeaBIOS). */
static bool x86_firmware(const char *p)
{
	return contains_ci(p, "ovmf") || contains_ci(p, "x64") ||
	       contains_ci(p, "x86_64") || contains_ci(p, "seabios") ||
	       contains_ci(p, "bios-256k") || contains_ci(p, "/bios.bin");
}

static void rule_firmware(const struct dr_config *c, struct dr_report *r,
			  const char *subj)
{
	if (c->firmware && x86_firmware(c->firmware)) {
		dr_add(r, "arm64-firmware-x86", DR_ERROR, subj,
		       afmt("aarch64 guest with x86 firmware %s", c->firmware),
		       "An aarch64 'virt' guest runs AArch64 code from its "
		       "first instruction: it needs the aarch64 build of EDK2 "
		       "(AAVMF). OVMF and SeaBIOS are x86 code. Distributions "
		       "ship edk2 as 'noarch' packages, but the images inside "
		       "are per architecture.",
		       "The guest never prints anything on its console; libvirt "
		       "shows it running with a CPU spinning.",
		       "Use the aarch64 firmware: Debian/Ubuntu "
		       "/usr/share/AAVMF/AAVMF_CODE.fd (qemu-efi-aarch64), "
		       "Fedora/RHEL/openEuler /usr/share/edk2/aarch64/"
		       "QEMU_EFI-pflash.raw (edk2-aarch64). libvirt: <os "
		       "firmware='efi'> picks it from the firmware descriptors.");
		return;
	}
	if (c->firmware || c->firmware_auto || c->direct_kernel)
		return;
	dr_add(r, "arm64-no-uefi", DR_ERROR, subj,
	       "aarch64 'virt' guest without UEFI firmware",
	       "There is no BIOS on arm64: a 'virt' guest boots from disk or "
	       "CD-ROM only through UEFI firmware (EDK2 for aarch64, AAVMF) "
	       "loaded as pflash, unless QEMU is given -kernel. Without it the "
	       "vCPU starts at address 0 of an empty flash.",
	       "QEMU runs but the console stays blank; virt-install waits for "
	       "ever; nothing in the guest's logs because no guest ran.",
	       "libvirt: <os firmware='efi'> or <loader readonly='yes' "
	       "type='pflash'>/usr/share/AAVMF/AAVMF_CODE.fd</loader> with an "
	       "<nvram> copy of AAVMF_VARS.fd (seed 003: qemu.conf nvram = "
	       "[\"CODE:VARS\"] for the edk2 in use). QEMU: -drive if=pflash,"
	       "format=raw,unit=0,readonly=on,file=AAVMF_CODE.fd -drive "
	       "if=pflash,format=raw,unit=1,file=VARS.fd (a private copy).");
}

static void rule_ide(const struct dr_config *c, struct dr_report *r,
		     const char *subj)
{
	int n = c->ide;
	const char *first = c->ide_first;

	for (int i = 0; i < c->vm.ndrives; i++) {
		const struct vbt_drive *d = &c->vm.drives[i];

		if (d->bus && !strcmp(d->bus, "ide") && !n++)
			first = d->target ? d->target : d->image;
	}
	if (!n)
		return;
	dr_add(r, "virt-no-ide", DR_ERROR, subj,
	       afmt("%d disk%s on an IDE bus (%s): 'virt' has no IDE", n,
		    n == 1 ? "" : "s", first ? first : "?"),
	       "The arm64 'virt' machine has no IDE (or SATA/AHCI by "
	       "default) controller; its default block interface is virtio. "
	       "x86 habits such as a CD-ROM on bus='ide' do not carry over.",
	       "QEMU refuses to start: \"Bus 'ide.0' not found\" (libvirt's "
	       "-device ide-cd,bus=ide.0), \"No 'IDE' bus found for device "
	       "'ide-cd'\" (no bus=) or \"machine type does not support "
	       "if=ide,bus=0,unit=0\" (-drive if=ide); newer libvirt refuses "
	       "the domain: IDE controllers are unsupported for this machine.",
	       "Put the installer CD-ROM on SCSI (<target bus='scsi'/> with a "
	       "<controller type='scsi' model='virtio-scsi'/>) or USB, and "
	       "disks on virtio (bus='virtio') or virtio-scsi.");
}

static bool is_bridge(const struct dr_dev *d)
{
	return d->root_port || (d->driver &&
				(strstr(d->driver, "bridge") ||
				 strstr(d->driver, "xio3130") ||
				 strstr(d->driver, "x3130")));
}

/*
 * Every root port (or bridge) takes a PCI bus number.  On 'virt' machine
 * types up to virt-2.12, and with highmem=off, QEMU maps a 16 MiB ECAM
 * window: buses 0x00-0x0f, so 15 ports at most; from virt-3.0 with
 * highmem the ECAM covers 256 buses.  Measured with QEMU 7.2: 28 root
 * ports on virt-2.12 boot, but a disk behind the 16th is never seen (Linux:
 * "busn_res: can not insert [bus 10] under [bus 00-0f]"); on virt-3.0
 * and later the same disk behind port 28 works.  That is seed 003's
 * "28 fail, 15 work" on a QEMU 2.12 host.
 */
static bool low_ecam(const struct dr_config *c, bool *known)
{
	const char *m = c->machine;
	int maj = 0, min = 0;

	*known = true;
	if (c->highmem_off)
		return true;
	if (m && strstr(m, "rhel7"))		/* qemu-kvm-ev 2.12 */
		return true;
	if (m && sscanf(m, "virt-%d.%d", &maj, &min) == 2)
		return maj < 3;
	if (m && (strstr(m, "rhel") || strstr(m, "openEuler")))
		return false;
	*known = false;				/* plain 'virt' */
	return false;
}

static void rule_root_ports(const struct dr_config *c, struct dr_report *r,
			    const char *subj)
{
	int bridges = 0;
	bool known, low;

	for (int i = 0; i < c->ndevs; i++)
		bridges += is_bridge(&c->devs[i]);
	low = low_ecam(c, &known);
	if (bridges <= 15)
		return;
	if (low) {
		dr_add(r, "virt-root-port-ceiling", DR_ERROR, subj,
		       afmt("%d PCIe root ports/bridges, but %s has 16 PCI buses "
			    "(15 ports)", bridges, c->highmem_off ?
			    "highmem=off" : c->machine),
		       "Each root port or bridge needs its own bus number. "
		       "This machine type maps PCIe config space (ECAM) for "
		       "buses 0x00-0x0f only: ports past the 15th get bus "
		       "numbers the guest cannot reach (virt-3.0 and later, "
		       "with highmem, have 256 buses).",
		       "Devices behind those ports do not exist for the guest: "
		       "a boot disk there means no boot (seed 003: 28 ports "
		       "failed, 15 worked). Linux logs \"busn_res: can not "
		       "insert [bus 10] under [bus 00-0f]\".",
		       "Keep at most 15 root ports, or use a newer machine type "
		       "(virt-3.0 or later, which libvirt picks with "
		       "machine='virt') with highmem on; for many disks use "
		       "one virtio-scsi controller instead of a port per "
		       "disk.");
	} else if (!known) {
		dr_add(r, "virt-root-port-ceiling", DR_INFO, subj,
		       afmt("%d PCIe root ports/bridges on '%s'", bridges,
			    c->machine ? c->machine : "virt"),
		       "Each root port takes a PCI bus number. QEMU before 3.0 "
		       "(machine types up to virt-2.12) and highmem=off give "
		       "'virt' only 16 buses; newer ones 256.",
		       "On an old QEMU, devices behind port 16 and later are "
		       "missing in the guest.",
		       "Check the real machine type (virsh dumpxml: machine="
		       "'virt-X.Y'); keep at most 15 ports below virt-3.0.");
	}
}

static bool named_cpu(const char *cpu)
{
	return cpu && strcmp(cpu, "host") && strcmp(cpu, "host-model");
}

static void rule_cpu(const struct dr_config *c, struct dr_report *r,
		     const char *subj)
{
	bool kvm = c->accel && !strcmp(c->accel, "kvm");

	if (!kvm)
		return;
	if (!c->cpu && !c->libvirt) {	/* libvirt's default is not ours */
		dr_add(r, "arm64-cpu-model", DR_WARNING, subj,
		       "aarch64 KVM guest without -cpu",
		       "qemu-system-aarch64's default CPU for 'virt' is a "
		       "cortex-a15, a 32-bit core that KVM on an arm64 host "
		       "cannot run.",
		       "QEMU fails to create the vCPU (\"kvm_arch_init_vcpu "
		       "failed\") or the guest does not start.",
		       "Use -cpu host (libvirt: <cpu mode='host-passthrough'/>).");
		return;
	}
	if (!c->cpu)
		return;
	if (!strcmp(c->cpu, "host-model")) {
		dr_add(r, "arm64-cpu-model", DR_WARNING, subj,
		       "<cpu mode='host-model'> on aarch64",
		       "libvirt cannot describe an arm64 host CPU as a model: "
		       "older releases (seed 003: libvirt 4.5) report host-model "
		       "as unsupported for aarch64 and refuse to start the "
		       "domain; newer ones turn it into host-passthrough.",
		       "The domain does not start, or gets host-passthrough "
		       "without saying so.",
		       "Write <cpu mode='host-passthrough'/> and migrate only "
		       "between hosts with the same CPU.");
		return;
	}
	if (named_cpu(c->cpu))
		dr_add(r, "arm64-cpu-model", DR_WARNING, subj,
		       afmt("aarch64 KVM guest with CPU model '%s'", c->cpu),
		       "KVM on arm64 runs the host's own cores: a named model "
		       "(cortex-a57, cortex-a72, max) is only accepted when it "
		       "is exactly the host's core, which a Kunpeng or Neoverse "
		       "host never is. virsh domcapabilities lists these models "
		       "with usable='unknown', so nothing warns in advance "
		       "(seed 003).",
		       "The guest fails to start (\"kvm_arch_init_vcpu failed\" "
		       "or \"CPU model not supported by KVM\").",
		       "Use -cpu host (<cpu mode='host-passthrough'/>). For "
		       "migration, keep the hosts identical (CPU, firmware and "
		       "kernel): arm64 KVM cannot mask CPU features the way "
		       "x86 CPU models do.");
}

/* An LVM logical volume as libvirt's pools name it. */
static bool lvm_path(const char *p)
{
	int slashes = 0;

	if (!p || strncmp(p, "/dev/", 5))
		return false;
	if (!strncmp(p, "/dev/mapper/", 12) || !strncmp(p, "/dev/dm-", 8))
		return true;
	if (!strncmp(p, "/dev/disk/", 10))
		return false;
	for (const char *s = p + 5; *s; s++)
		slashes += *s == '/';
	return slashes == 1;			/* /dev/VG/LV */
}

/* Seed 000: an aarch64 Fedora installer's mkfs.xfs failed with EIO on a
 * cache=none,io=native disk of a libvirt LVM pool; io=threads fixed it. */
static void rule_native_lvm(const struct dr_config *c, struct dr_report *r)
{
	char name[160];

	for (int i = 0; i < c->vm.ndrives; i++) {
		const struct vbt_drive *d = &c->vm.drives[i];

		if (d->aio != VBT_AIO_NATIVE || !d->direct ||
		    !lvm_path(d->image) ||
		    (d->protocol && strcmp(d->protocol, "host_device")))
			continue;
		dr_drive_name(d, name, sizeof(name));
		dr_add(r, "native-aio-lvm", DR_WARNING, name,
		       afmt("aarch64 + cache=none io=native on the LVM volume "
			    "%s (seed 000)", d->image),
		       "Each guest write becomes an io_submit(2) of an O_DIRECT "
		       "request straight into device-mapper: its offset, length "
		       "and memory must be aligned to the volume's logical "
		       "block size, the volume must accept it in the AIO "
		       "context, and the completion is read by QEMU from the "
		       "AIO ring, so an error there reaches the guest as EIO "
		       "without any failing host syscall. arm64 hosts add 64 KiB "
		       "pages (CentOS, openEuler) and LVs whose physical volumes "
		       "differ in block size.",
		       "The guest logs \"I/O error, dev vda, sector N op "
		       "0x1:(WRITE)\" and the installer stops at \"mkfs.xfs: "
		       "pwrite failed: Input/output error\" while the host "
		       "shows no disk error.",
		       afmt("Check on the host: `blockdev --getss --getpbsz %s` "
			    "and `lsblk -t` for every PV under it (a 4Kn PV in a "
			    "VG of 512-byte ones changes the LV's block size); "
			    "`dmsetup table` and `lvs -o+data_percent,"
			    "metadata_percent` (a full thin pool or snapshot "
			    "fails writes); `getconf PAGESIZE`; host dmesg at "
			    "the time of the failure; and `vblktrace host` "
			    "during a failing mkfs (it names the failing "
			    "io_submit or AIO completion and its errno where "
			    "the host kernel allows). io=threads keeps "
			    "cache=none (still O_DIRECT, still aligned) but "
			    "replaces the Linux AIO path with QEMU's thread "
			    "pool of preadv/pwritev: if the errors vanish the "
			    "AIO path of this host kernel was at fault; if "
			    "they stay, the volume or its alignment is, and "
			    "the failing pwritev now shows its real errno. It "
			    "costs some throughput at deep queues. libvirt: "
			    "<driver name='qemu' type='raw' cache='none' "
			    "io='threads'/>.", d->image));
	}
}

void dr_diagnose_arm64(const struct dr_config *c, struct dr_report *r)
{
	const char *subj = c->vm.name ? c->vm.name : "VM";

	if (!dr_is_aarch64(c))
		return;
	rule_native_lvm(c, r);
	if (!is_arm_virt(c))
		return;
	rule_firmware(c, r, subj);
	rule_ide(c, r, subj);
	rule_root_ports(c, r, subj);
	rule_cpu(c, r, subj);
}
