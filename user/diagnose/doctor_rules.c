// SPDX-License-Identifier: GPL-2.0
/*
 * The rules of vblktrace doctor, one function each, run from a table.  Each
 * states a fact of QEMU 7.2 / libvirt / Linux behaviour (the comment says
 * where it comes from) and turns it into a finding with what it means, what
 * the user will see and what to do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <linux/magic.h>

#include "diagnose/doctor.h"

/* Formatted texts for dr_add, in a small rotating set of buffers. */
static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
	static char bufs[4][2048];
	static int next;
	char *b = bufs[next++ & 3];
	va_list ap;

	va_start(ap, f);
	vsnprintf(b, sizeof(bufs[0]), f, ap);
	va_end(ap);
	return b;
}

static bool posix_image(const struct vbt_drive *d)
{
	return d->image && d->image[0] == '/' &&
	       (!d->protocol || !strcmp(d->protocol, "file") ||
		!strcmp(d->protocol, "host_device"));
}

static bool is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static bool is_disk_device(const struct vbt_drive *d)
{
	const char *dd = d->device_driver;

	return dd && strcmp(dd, "ide-cd") && strcmp(dd, "scsi-cd") &&
	       strcmp(dd, "floppy");
}

/* ---- host facts ---- */

int dr_probe_direct(const char *path)
{
	struct stat st;
	int fd;

	/*
	 * A pasted command line names any path: opening a device node can
	 * have side effects (a watchdog starts counting, a tape rewinds) and
	 * a FIFO can block.  Only a regular file is opened, non-blocking,
	 * and it must still be one once open (no swap in between).
	 */
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return -1;
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC | O_NONBLOCK |
		  O_NOCTTY);
	if (fd < 0)
		return errno == EINVAL ? EINVAL : -1;	/* only EINVAL is O_DIRECT */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static const char *probe_fs(const char *path)
{
	struct statfs s;

	if (statfs(path, &s) < 0)
		return NULL;
	switch ((unsigned long)s.f_type) {
	case TMPFS_MAGIC:
		return "tmpfs";
	case 0x65735546:	/* FUSE_SUPER_MAGIC */
		return "fuse";
	case V9FS_MAGIC:
		return "9p";
	case OVERLAYFS_SUPER_MAGIC:
		return "overlayfs";
	case 0x2fc12fc1:	/* ZFS */
		return "zfs";
	case NFS_SUPER_MAGIC:
		return "nfs";
	default:
		return NULL;
	}
}

static int probe_io_uring(int *err)
{
	struct io_uring_params p;
	long fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(__NR_io_uring_setup, 1, &p);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	*err = errno;
	return 0;
}

void dr_env_default(struct dr_env *env)
{
	memset(env, 0, sizeof(*env));
	env->sysfs = "/sys";
	env->local = true;
	env->io_uring = probe_io_uring(&env->io_uring_errno);
	env->direct_probe = dr_probe_direct;
	env->fs_name = probe_fs;
}

static unsigned int read_uint(const char *path)
{
	FILE *f = fopen(path, "re");
	unsigned int v = 0;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* The queue limits of the host block device under an image (the device
 * itself, or the one holding the file; a partition's parent disk). */
static bool host_blocks(const struct dr_env *env, const char *image,
			unsigned int *lbs, unsigned int *pbs, char *dev,
			size_t devlen)
{
	char base[512], path[600];
	struct stat st;
	dev_t d;

	if (!env->local || !env->sysfs || stat(image, &st) < 0)
		return false;
	d = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
	snprintf(base, sizeof(base), "%s/dev/block/%u:%u", env->sysfs,
		 major(d), minor(d));
	snprintf(path, sizeof(path), "%s/partition", base);
	if (!access(path, F_OK))
		snprintf(base + strlen(base), sizeof(base) - strlen(base),
			 "/..");
	snprintf(path, sizeof(path), "%s/queue/logical_block_size", base);
	*lbs = read_uint(path);
	snprintf(path, sizeof(path), "%s/queue/physical_block_size", base);
	*pbs = read_uint(path);
	snprintf(dev, devlen, "%u:%u", major(d), minor(d));
	return *lbs > 0;
}

/* ---- per-drive rules ---- */

struct ctx {
	const struct dr_config *c;
	const struct dr_env *env;
	struct dr_report *r;
	const struct vbt_drive *d;
	char name[160];
};

/* file-posix.c raw_open_common(): "Currently Linux does AIO only for files
 * opened with O_DIRECT"; QEMU 7.2 fails the open (checked on this host),
 * releases before 5.0 warned and fell back to the thread pool. */
static void rule_aio_native_no_direct(struct ctx *x)
{
	if (x->d->aio != VBT_AIO_NATIVE || x->d->direct)
		return;
	dr_add(x->r, "aio-native-no-direct", DR_ERROR, x->name,
	       fmt("aio=native without cache.direct=on (cache=%s)",
		   x->d->cache ? x->d->cache : "?"),
	       "Linux AIO (io_submit) is only asynchronous on files opened "
	       "with O_DIRECT, so QEMU's file driver refuses aio=native unless "
	       "cache.direct=on. Older QEMU releases only warned and quietly "
	       "used the thread pool.",
	       "QEMU 7.2 does not start (or the hot-plug fails): \"aio=native "
	       "was specified, but it requires cache.direct=on, which was not "
	       "specified.\" libvirt shows it as \"internal error: process "
	       "exited while connecting to monitor\".",
	       "Either use cache=none (or directsync) with io=native, or keep "
	       "the page cache and use io=threads (or io_uring, which works "
	       "with buffered I/O).");
}

/* Seed 000: cache=none,io=native failed every mkfs.xfs write on an arm64
 * host with LVM volumes; io=threads fixed it. */
static void rule_native_aio_eio(struct ctx *x)
{
	bool arm = is(x->c->arch, "aarch64");

	if (x->d->aio != VBT_AIO_NATIVE || !x->d->direct)
		return;
	dr_add(x->r, "native-aio-eio", arm ? DR_WARNING : DR_INFO, x->name,
	       "cache=none + io=native: the I/O path with the fewest safety nets",
	       "Every guest request goes to the host with io_submit(2) on an "
	       "O_DIRECT fd: offset, length and buffer must be aligned to the "
	       "host device's logical block size (QEMU probes it at open time; "
	       "stacked, network or LVM-on-4Kn storage can mislead the probe), "
	       "the filesystem or driver under the image must implement "
	       "O_DIRECT async I/O, and the host kernel's AIO path must behave "
	       "(arm64 hosts with 64 KiB pages and old kernels have had bugs "
	       "there). Completions are read from the AIO ring in user space, "
	       "so an error is only visible as QEMU's I/O result.",
	       "If any of this breaks, the guest gets EIO for its writes: "
	       "\"I/O error, dev vda, sector N op 0x1:(WRITE)\" in dmesg and, for "
	       "an installer, \"mkfs.xfs: pwrite failed: Input/output error\" "
	       "(an arm64 KVM host with LVM volumes).",
	       "When the guest reports I/O errors, run `vblktrace host` on the "
	       "hypervisor to see which layer fails (the host syscall or AIO "
	       "completion with its errno, or the host device). If the host "
	       "device is healthy, switch this disk to io=threads (libvirt: "
	       "<driver io='threads'/>) and keep cache=none; it is slower under "
	       "deep queues but takes the well-trodden pread/pwrite path.");
}

static void rule_direct_support(struct ctx *x)
{
	const struct dr_env *e = x->env;
	struct stat st;
	const char *fs;
	int r;

	if (!x->d->direct || !posix_image(x->d) || !e->local ||
	    stat(x->d->image, &st))
		return;
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		dr_add(x->r, "image-not-probed", DR_INFO, x->name,
		       fmt("%s is not a regular file or block device: not "
			   "opened", x->d->image),
		       "doctor opens only regular files (read-only, "
		       "non-blocking) to test O_DIRECT: a device node or FIFO "
		       "named in a pasted command line is never opened.",
		       "Nothing is known of O_DIRECT support for this path.",
		       "Check the path; QEMU needs a regular file or a block "
		       "device here.");
		return;
	}
	r = e->direct_probe ? e->direct_probe(x->d->image) : -1;
	if (r == EINVAL) {
		dr_add(x->r, "direct-io-unsupported", DR_ERROR, x->name,
		       fmt("cache=%s, but %s cannot be opened with O_DIRECT",
			   x->d->cache ? x->d->cache : "none", x->d->image),
		       "cache=none and cache=directsync open the image with "
		       "O_DIRECT; the filesystem holding it refuses that flag.",
		       fmt("QEMU does not start: \"Could not open '%s': Invalid "
			   "argument\".", x->d->image),
		       "Move the image to a filesystem with O_DIRECT support "
		       "(ext4, XFS, a block device) or use cache=writeback with "
		       "io=threads on this one.");
		return;
	}
	fs = e->fs_name ? e->fs_name(x->d->image) : NULL;
	if (fs && strcmp(fs, "nfs"))
		dr_add(x->r, "direct-io-unsupported", DR_WARNING, x->name,
		       fmt("cache=%s on %s: O_DIRECT there is not what it is on "
			   "a disk", x->d->cache ? x->d->cache : "none", fs),
		       fmt("The image lives on %s. tmpfs only accepts O_DIRECT "
			   "since Linux 6.6, FUSE only if the server allows "
			   "direct I/O, ZFS before 2.3 and 9p/overlayfs may "
			   "accept the flag and still cache, or refuse it on "
			   "another kernel.", fs),
		       "QEMU may refuse to open the image after a host kernel "
		       "or filesystem update (\"Could not open ...: Invalid "
		       "argument\"), or cache=none may not protect the data as "
		       "it promises.",
		       "Keep images for cache=none on ext4, XFS or raw block "
		       "devices; elsewhere prefer cache=writeback.");
}

/* file-posix.c: aio=io_uring needs io_uring_setup(2); when it fails QEMU
 * reports "Unable to use io_uring" (or, in newer releases, warns and falls
 * back to the thread pool). */
static void rule_io_uring(struct ctx *x)
{
	if (x->d->aio != VBT_AIO_IO_URING || x->env->io_uring != 0)
		return;
	dr_add(x->r, "io-uring-unsupported", DR_ERROR, x->name,
	       fmt("aio=io_uring, but io_uring_setup fails on this host (%s)",
		   strerror(x->env->io_uring_errno)),
	       "io_uring needs Linux 5.1 or later, a QEMU built with liburing, "
	       "and a kernel that lets the QEMU process use it: "
	       "kernel.io_uring_disabled (6.6+) set to 1 or 2, a seccomp "
	       "profile or a container runtime can forbid it.",
	       "QEMU refuses the drive (\"Unable to use io_uring: failed to "
	       "init linux io_uring ring\") or, on newer releases, silently "
	       "falls back to the thread pool.",
	       "Check `sysctl kernel.io_uring_disabled` and the seccomp policy "
	       "of the QEMU process, or use io=threads / io=native.");
}

/* blockdev.c / block-backend.c: BLOCKDEV_ON_ERROR_IGNORE completes the
 * request as if it succeeded; STOP and ENOSPC pause the VM (runstate
 * io-error) until 'cont'. */
static void rule_error_policy(struct ctx *x)
{
	const struct vbt_drive *d = x->d;
	bool wi = is(d->werror, "ignore"), ri = is(d->rerror, "ignore");
	struct stat st;
	bool thin;

	if (wi || ri)
		dr_add(x->r, "error-policy-ignore", DR_WARNING, x->name,
		       fmt("%s=ignore: failed I/O is reported as success",
			   wi ? "werror" : "rerror"),
		       fmt("With %s QEMU drops the error and completes the "
			   "request with VIRTIO_BLK_S_OK: the guest believes "
			   "data was written (or read) that never was.",
			   wi && ri ? "werror=ignore and rerror=ignore" :
			   wi ? "werror=ignore" : "rerror=ignore"),
		       "No I/O error in the guest, ever; instead silent "
		       "corruption found much later (fsck, checksums, "
		       "databases). Only QEMU's BLOCK_IO_ERROR event and "
		       "`vblktrace host` show that errors happen.",
		       "Use werror=report,rerror=report (libvirt "
		       "error_policy='report') so the guest sees the error, or "
		       "stop/enospc to pause the VM instead.");
	if (is(d->werror, "stop") || is(d->rerror, "stop")) {
		dr_add(x->r, "error-policy-stop", DR_WARNING, x->name,
		       fmt("%s=stop: an I/O error pauses the whole VM",
			   is(d->werror, "stop") ? "werror" : "rerror"),
		       "QEMU keeps the failed request and stops all vCPUs; the "
		       "request is retried when the VM is resumed.",
		       "The VM freezes: `virsh domstate --reason` says \"paused "
		       "(ioerror)\", QMP emits BLOCK_IO_ERROR with action "
		       "\"stop\". Nothing appears in the guest's dmesg.",
		       "Fix the storage, then `virsh resume` (QMP 'cont'). "
		       "Monitor for paused domains; run `vblktrace host` to "
		       "catch the failing host syscall.");
		return;
	}
	thin = is(d->format, "qcow2") ||
	       (x->env->local && posix_image(d) && !stat(d->image, &st) &&
		S_ISREG(st.st_mode) && st.st_blocks * 512 < st.st_size);
	if (is(d->werror, "enospc") && thin)
		dr_add(x->r, "error-policy-stop", DR_INFO, x->name,
		       "werror=enospc on thin storage: a full host filesystem "
		       "pauses the VM",
		       fmt("%s grows as the guest writes. werror=enospc (QEMU's "
			   "default) pauses the VM when the host returns "
			   "ENOSPC and reports every other write error to the "
			   "guest.", is(d->format, "qcow2") ? "The qcow2 image" :
			   "The sparse image"),
		       "The VM stops with \"paused (ioerror)\" when the host "
		       "filesystem fills up; after `virsh resume` it continues "
		       "where it stopped.",
		       "Watch free space under the image; resume only after "
		       "making room.");
}

/* Block size: QEMU aligns O_DIRECT requests to the host's logical block
 * size (raw_probe_alignment) with read-modify-write of the edges. */
static void rule_block_size(struct ctx *x)
{
	const struct vbt_drive *d = x->d;
	unsigned int hl, hp, gl = d->logical_block_size ?
		d->logical_block_size : 512, gp = d->physical_block_size ?
		d->physical_block_size : 512;
	char dev[32];

	if (!posix_image(d) || !is_disk_device(d) ||
	    !host_blocks(x->env, d->image, &hl, &hp, dev, sizeof(dev)))
		return;
	if (hl > gl)
		dr_add(x->r, "block-size-mismatch",
		       d->direct ? DR_WARNING : DR_INFO, x->name,
		       fmt("guest logical block %u bytes on a %u-byte host "
			   "device (%s)", gl, hl, dev),
		       fmt("The guest may issue %u-byte aligned I/O; the host "
			   "device only takes %u-byte aligned I/O.%s", gl, hl,
			   d->direct ? " With O_DIRECT (cache=none/directsync) "
			   "QEMU must turn each misaligned write into a "
			   "read-modify-write of the surrounding block, and a "
			   "wrong alignment probe ends in EINVAL." :
			   " The host page cache absorbs the difference."),
		       d->direct ? "Slow small writes, torn writes on host "
		       "crash (a guest 512-byte write is no longer atomic), and "
		       "where the probe fails: EINVAL from pwritev/io_submit, "
		       "which the guest sees as \"I/O error, dev vda\"." :
		       "Extra host I/O for small writes; no errors.",
		       fmt("For new disks expose the host geometry: -device "
			   "...,logical_block_size=%u,physical_block_size=%u "
			   "(libvirt <blockio logical_block_size='%u' "
			   "physical_block_size='%u'/>). Do not change it under "
			   "an existing guest filesystem made with 512-byte "
			   "sectors: it may no longer mount.", hl, hp, hl, hp));
	else if (hp > gp)
		dr_add(x->r, "block-size-mismatch", DR_INFO, x->name,
		       fmt("guest physical block %u bytes, host device %u",
			   gp, hp),
		       "The guest does not know the host writes in larger "
		       "units, so its partitions and filesystem may not align "
		       "to them.",
		       "Read-modify-write inside the host device: lower write "
		       "throughput, no errors.",
		       fmt("Set physical_block_size=%u on the device (libvirt "
			   "<blockio physical_block_size='%u'/>).", hp, hp));
}

/* file-posix.c: discard=unmap punches holes (fallocate PUNCH_HOLE) in a
 * file, BLKDISCARD on a device. */
static void rule_discard_raw(struct ctx *x)
{
	const struct vbt_drive *d = x->d;

	if (!is(d->discard, "unmap") || !is(d->format, "raw") ||
	    !is(d->protocol, "file"))
		return;
	dr_add(x->r, "discard-unmap-raw", DR_INFO, x->name,
	       "discard=unmap on a raw image file: the file becomes sparse",
	       "Guest TRIM/discard (fstrim, mount -o discard, mkfs) punches "
	       "holes in the image file. The space returns to the host, and "
	       "every later write must allocate again: the file fragments, and "
	       "on an overcommitted filesystem writes can hit ENOSPC.",
	       "Host free space grows and shrinks with the guest; if the host "
	       "filesystem fills, writes fail with ENOSPC (the VM pauses with "
	       "werror=enospc). Guests before Linux 5.0 never send discards "
	       "to virtio-blk.",
	       "Fine for thin provisioning; then monitor the host filesystem. "
	       "For a preallocated image that must stay dense use "
	       "discard=ignore (libvirt discard='ignore').");
}

static void rule_cache_unsafe(struct ctx *x)
{
	if (!is(x->d->cache, "unsafe"))
		return;
	dr_add(x->r, "cache-unsafe", DR_WARNING, x->name,
	       "cache=unsafe: guest flushes are ignored",
	       "QEMU drops every flush the guest sends; data stays in the host "
	       "page cache until the kernel writes it back.",
	       "A host crash or power loss loses writes the guest believes "
	       "durable: corrupted filesystems and databases.",
	       "Only for throw-away VMs (installs, CI); use cache=none or "
	       "writeback otherwise.");
}

static void rule_address_unset(struct ctx *x)
{
	const struct dr_dev *dev = dr_dev_of_drive(x->c, x->d);
	const char *dd = x->d->device_driver;

	if (!dd || !strstr(dd, "-pci") || (dev && dev->slot >= 0))
		return;
	if (x->c->libvirt) {
		if (!dev)
			return;
		dr_add(x->r, "pci-address-unset", DR_INFO, x->name,
		       "no <address type='pci'> yet",
		       "libvirt assigns a PCI address when it defines the "
		       "domain and keeps it; a disk XML for attach-device "
		       "without an address gets the first free slot of the "
		       "running VM.",
		       "Nothing now; after hot-plug the persistent and live "
		       "configs can disagree about where the disk sits.",
		       "Attach with both --live and --config (or give the "
		       "address explicitly) so the migration XML and the next "
		       "boot use the same slot.");
		return;
	}
	dr_add(x->r, "pci-address-unset", DR_WARNING, x->name,
	       fmt("%s without bus=/addr=: QEMU picks the PCI slot by order",
		   dd),
	       "Without addr= QEMU gives each PCI device the next free slot in "
	       "command-line order, and a hot-plugged device the next free "
	       "slot at the time of the hot-plug. A migration destination "
	       "built from a different command line (a hot-plugged disk now "
	       "listed among the others, a device added or removed) places "
	       "devices elsewhere.",
	       "Live migration fails on the destination: \"Unknown savevm "
	       "section or instance '0000:00:0b.0/virtio-blk'\", or \"error "
	       "while loading state for instance 0x0 of device "
	       "'0000:00:0b.0/virtio-blk'\" after \"get_pci_config_device: Bad "
	       "config data\".",
	       "Give every PCI device an explicit bus= and addr= (libvirt does "
	       "this for you), and use the same ones on the destination; "
	       "compare with `vblktrace doctor --cmdline SRC --to DST`.");
}

typedef void (*drive_rule)(struct ctx *x);

static const drive_rule drive_rules[] = {
	rule_aio_native_no_direct,
	rule_native_aio_eio,
	rule_direct_support,
	rule_io_uring,
	rule_error_policy,
	rule_block_size,
	rule_discard_raw,
	rule_cache_unsafe,
	rule_address_unset,
};

/* ---- per-VM rules ---- */

static bool dev_on_bus(const struct dr_config *c, const struct dr_dev *port)
{
	char libvirt_bus[32];

	snprintf(libvirt_bus, sizeof(libvirt_bus), "pci.%d", port->port_index);
	for (int i = 0; i < c->ndevs; i++) {
		const char *b = c->devs[i].bus;

		if (b && ((port->id && !strcmp(b, port->id)) ||
			  (port->port_index > 0 && !strcmp(b, libvirt_bus))))
			return true;
	}
	return false;
}

/* Seed 001 and docs/pcie.txt: on q35/virt devices are hot-plugged into
 * pcie-root-ports; pcie.0 itself and the ports are not hot-pluggable. */
static void rule_pcie_slots(const struct dr_config *c, struct dr_report *r)
{
	int ports = 0, used = 0, off = 0, unaddressed = 0, vblk = 0, free_;
	const char *subj = c->vm.name ? c->vm.name : "VM";

	if (!dr_is_pcie_machine(c))
		return;
	for (int i = 0; i < c->ndevs; i++) {
		const struct dr_dev *d = &c->devs[i];

		if (d->root_port) {
			ports++;
			if (d->port_hotplug_off)
				off++;
			else if (dev_on_bus(c, d))
				used++;
		} else if (c->libvirt && d->slot < 0) {
			unaddressed++;	/* libvirt will give it a port */
		}
		if (d->driver && !strcmp(d->driver, "virtio-blk-pci"))
			vblk++;
	}
	free_ = ports - used - off - unaddressed;
	if (free_ < 0)
		free_ = 0;
	if (free_ <= 1)
		dr_add(r, "pcie-hotplug-slots", free_ ? DR_INFO : DR_WARNING,
		       subj,
		       fmt("%d free pcie-root-port%s for hot-plug (%d ports, "
			   "%d in use%s)", free_, free_ == 1 ? "" : "s", ports,
			   used + unaddressed, off ? ", some hotplug=off" : ""),
		       "On a PCIe machine (q35, arm64 virt) a hot-plugged "
		       "disk or NIC needs an empty pcie-root-port; the root "
		       "bus pcie.0 does not take hot-plug, and root ports "
		       "themselves cannot be hot-plugged: they exist only if "
		       "they were in the configuration at start.",
		       "The next `virsh attach-disk`/`attach-device` fails "
		       "(libvirt: \"No more available PCI slots\"; QEMU: "
		       "\"Bus 'pcie.0' does not support hotplugging\").",
		       "Reserve ports before the next start: add <controller "
		       "type='pci' model='pcie-root-port'/> once per disk or "
		       "NIC you may hot-plug (-device pcie-root-port,id=rpN,"
		       "chassis=N,bus=pcie.0,addr=... with QEMU), or hot-plug "
		       "disks as virtio-scsi LUNs, which need no PCI slot.");
	if (vblk >= 8)
		dr_add(r, "virtio-scsi-many-disks", DR_INFO, subj,
		       fmt("%d virtio-blk disks, one PCI function each", vblk),
		       "Each virtio-blk disk is its own PCI device (a root port "
		       "each on PCIe machines, 31 slots per bus on i440fx); "
		       "virtio-scsi puts many LUNs behind one controller.",
		       "Running out of slots or root ports when adding disks.",
		       "Keep virtio-blk for the few hot disks; put the many "
		       "others on a virtio-scsi controller (multi-queue, "
		       "hot-plug without PCI slots).");
}

void dr_diagnose(const struct dr_config *c, const struct dr_env *env,
		 struct dr_report *r)
{
	struct ctx x = { .c = c, .env = env, .r = r };

	for (int i = 0; i < c->vm.ndrives; i++) {
		x.d = &c->vm.drives[i];
		dr_drive_name(x.d, x.name, sizeof(x.name));
		for (size_t k = 0; k < sizeof(drive_rules) /
		     sizeof(drive_rules[0]); k++)
			drive_rules[k](&x);
	}
	rule_pcie_slots(c, r);
	dr_diagnose_policy(c, r);
	dr_diagnose_live(c, r);
}
