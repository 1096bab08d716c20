/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The QEMU / libvirt drive model: which guest-visible disks a QEMU process
 * has, and for each the host backend that serves it (block node chain,
 * image, format, aio engine, cache mode, error policies, the fds that hold
 * the image).  The host side of vblktrace uses it to attribute every failed
 * QEMU I/O to VM, drive, node and image.
 *
 * Sources, in order of authority:
 *   1. the command line (/proc/PID/cmdline): what QEMU was told;
 *   2. /proc/PID/{fd,fdinfo,maps}: what QEMU really did (O_DIRECT, AIO ring);
 *   3. libvirt's live XML: names QEMU never sees (<target dev='vda'>).
 *
 * This module knows nothing of BPF or output formats.  It never copies
 * secrets (-object secret data, key-secret/password-secret, libvirt <auth>,
 * rbd keys, URL passwords) into the model.  Anything it cannot determine is
 * left NULL / -1 / VBT_AIO_UNKNOWN rather than guessed; QEMU 7.2 defaults are
 * applied only where QEMU itself would apply them.
 *
 * All strings in the model are owned by it (malloc) except 'cache', which
 * points to a static name.  A struct vbt_vm must be zeroed before the first
 * call that fills it and released with vbt_vm_free().
 */
#ifndef VBT_QEMU_H
#define VBT_QEMU_H

#include <stdbool.h>
#include <stddef.h>

#define VBT_QEMU_MAX_CMDLINE	(1024 * 1024)	/* bigger argv is refused */
#define VBT_QEMU_MAX_DRIVES	1024		/* more are dropped, 'truncated' */
#define VBT_QEMU_MAX_FDS	8		/* image fds kept per drive */
#define VBT_LIBVIRT_MAX_XML	(16 * 1024 * 1024)

enum vbt_aio {
	VBT_AIO_UNKNOWN,
	VBT_AIO_THREADS,
	VBT_AIO_NATIVE,
	VBT_AIO_IO_URING,
};

/* One guest-visible disk and its host backend chain. */
struct vbt_drive {
	char *id;		/* -device id (virtio-disk1), else legacy drive
				 * id; NULL for a device without id= */
	char *drive;		/* the device's drive= (BlockBackend / node) */
	char *node;		/* format node-name (blockdev) or legacy node-name
				 * or drive id */
	char *image;		/* file/device path of the protocol node, or a
				 * credential-free URL-ish name (rbd:pool/img) */
	char *format;		/* raw, qcow2, ...; NULL: unknown (probed) */
	char *protocol;		/* file, host_device, nbd, rbd, ... */
	char *filters;		/* filter nodes on the way, comma separated
				 * (blkdebug,throttle,...); NULL: none */
	char *device_driver;	/* virtio-blk-pci, scsi-hd, ...; NULL: none */
	char *serial;		/* serial= */
	char *target;		/* libvirt <target dev=> (vda) */
	char *bus;		/* libvirt <target bus=> (virtio) */
	char *discard;		/* ignore|unmap of the protocol node */
	enum vbt_aio aio;	/* configured engine */
	bool aio_confirmed;	/* native: the [aio] ring exists in maps */
	bool direct;		/* configured cache.direct (O_DIRECT) */
	bool no_flush;		/* configured cache.no-flush */
	int write_cache;	/* guest write cache: -1 unknown, 0 off, 1 on */
	const char *cache;	/* none|writeback|writethrough|directsync|unsafe,
				 * NULL if write_cache is unknown */
	int fd_direct;		/* from fdinfo: -1 no image fd seen, 0 some fd
				 * lacks O_DIRECT, 1 every image fd has it */
	bool direct_confirmed;	/* fd_direct == 1 */
	char *werror, *rerror;	/* report|ignore|enospc|stop; NULL unknown */
	/* A vendor QEMU's werror/rerror=retry (openEuler's disk I/O
	 * suspension): resubmit every interval until the timeout; 0 if not
	 * given. */
	long retry_interval_ms, retry_timeout_ms;
	unsigned int logical_block_size, physical_block_size; /* 0: unknown */
	unsigned int num_queues;	/* num-queues=; 0: not given */
	int fds[VBT_QEMU_MAX_FDS];	/* fds in QEMU that hold the image */
	int nfds;
};

struct vbt_vm {
	int pid;
	char *name;		/* -name guest=NAME or <name> */
	char *uuid;		/* -uuid or <uuid> */
	char *binary;		/* /proc/PID/exe, else argv[0] */
	char *comm;		/* /proc/PID/comm */
	struct vbt_drive *drives;
	int ndrives;
	bool truncated;		/* more than VBT_QEMU_MAX_DRIVES drives */
	bool has_aio_ring;	/* an [aio] mapping: Linux AIO is in use */
	bool inspected;		/* PID/fd was readable: fds and fd_direct are facts */
	bool verified;		/* the name can be believed (qemu_verify.c) */
	bool libvirt_verified;	/* libvirt's NAME.pid names this pid */
	bool exe_trusted;	/* its binary passed qemu_verify.c's checks */
	char *label;		/* '"NAME" (unverified, pid N)', else NULL */
	char *unverified_why;	/* why not verified, else NULL */
	/* A vhost-user backend process (qemu-storage-daemon) serving a
	 * VM's disks: the QEMU pid it serves (0: none found) and what it is.
	 * Its drives carry the VM's device ids; name is the VM's. */
	int backend_of;
	char *backend;
	/* libvirt's <domstatus state= reason= pid=>, when it keeps one */
	char *run_state, *run_reason;
	int libvirt_pid;	/* the pid libvirt says runs the domain; 0 */
	char *libvirt_err;	/* why its live XML could not be used */
};

/* libvirt's run directory ("/run/libvirt/qemu"; tests point it elsewhere) */
extern const char *vbt_libvirt_run_dir;
/*
 * Decide whether @vm's name can be believed (see qemu_verify.c): sets
 * verified, libvirt_verified (only then may NAME.xml be read for it),
 * label and unverified_why.  vbt_qemu_inspect() calls it.
 */
void vbt_vm_verify(const char *procroot, const char *libvirt_dir,
		   struct vbt_vm *vm);
/* A vhost-user backend named after the VM it serves: as trusted as both. */
void vbt_vm_trust_as_backend(struct vbt_vm *b, const struct vbt_vm *served);
/* The name to show, label and alert with: the name, or the label. */
const char *vbt_vm_label(const struct vbt_vm *vm);

/*
 * Parse raw /proc/PID/cmdline bytes (NUL separated, the last argument maybe
 * not NUL terminated) into @vm.  Returns 0, or a negative errno with a
 * message in @err (which may be NULL) and @vm left empty.
 */
int vbt_qemu_parse_cmdline(const char *buf, size_t len, struct vbt_vm *vm,
			   char *err, size_t errlen);

/*
 * Build @vm for process @pid from @procroot ("/proc"; tests pass a fake
 * tree): argv, comm, exe, the fds holding each image, O_DIRECT from fdinfo,
 * the [aio] ring from maps.  Returns 0 or a negative errno (with @err).
 */
int vbt_qemu_inspect(const char *procroot, int pid, struct vbt_vm *vm,
		     char *err, size_t errlen);

/*
 * Merge libvirt's live XML (<domain> or <domstatus><domain>) into @vm:
 * name/uuid if unknown, and per disk (matched by <alias> to the drive id,
 * then by node name, then by image) target dev/bus, serial, and whatever
 * the command line left unknown.  Disks not on the command line are added.
 * <auth>/<secret> are never read.  Returns 0 or a negative errno.
 */
int vbt_libvirt_apply_xml(struct vbt_vm *vm, const char *xml, size_t len,
			  char *err, size_t errlen);

/*
 * libvirt's live XML of @vm (vbt_libvirt_run_dir/NAME.xml), read only when
 * libvirt_verified, without following links, from a root-owned regular
 * file of at most VBT_LIBVIRT_MAX_XML bytes.  A malloc'ed NUL-terminated
 * buffer with its length in *@len, or NULL.
 */
char *vbt_libvirt_live_xml(const struct vbt_vm *vm, size_t *len);
/* Merge that XML into @vm (vbt_qemu_inspect does); a failure is kept in
 * vm->libvirt_err. */
void vbt_libvirt_apply_live(struct vbt_vm *vm);

/* A new, empty drive of @vm; NULL past VBT_QEMU_MAX_DRIVES (truncated). */
struct vbt_drive *vbt_vm_add_drive(struct vbt_vm *vm);
const struct vbt_drive *vbt_vm_drive_by_fd(const struct vbt_vm *vm, int fd);
/* By image path, exact string, else by st_dev/st_ino (st_rdev for devices). */
const struct vbt_drive *vbt_vm_drive_by_path(const struct vbt_vm *vm,
					     const char *path);

/*
 * Inspect every QEMU process under @procroot.  On success *vms is a
 * malloc'ed array of *nvms models (free each with vbt_vm_free, then the
 * array with free) and the return is *nvms; processes that vanish or
 * cannot be read are skipped.  Negative errno if @procroot is unreadable.
 */
int vbt_qemu_scan(const char *procroot, struct vbt_vm **vms, int *nvms);

/*
 * vhost-user block backends serving the VMs in @vms (qemu-storage-daemon
 * processes under @procroot whose vhost-user-blk export socket a VM's
 * vhost-user-blk device names, and which really listen on it): each a
 * struct vbt_vm of its own (pid = the daemon, name = the VM's, drives =
 * its exports under the VM's device ids, backend_of = the QEMU pid).
 * Appended to the arrays; returns how many, or -errno.
 */
int vbt_vhost_scan(const char *procroot, struct vbt_vm **vms, int *nvms);

/* Is this a QEMU system emulator (qemu-system-*, qemu-kvm)?  Either may be
 * NULL; comm is the 15-character kernel name, exe a path. */
bool vbt_is_qemu_comm(const char *comm, const char *exe);

/* QEMU's cache mode name for the three knobs; NULL if write_cache < 0. */
const char *vbt_cache_mode_name(int write_cache, bool direct, bool no_flush);

const char *vbt_aio_name(enum vbt_aio aio);	/* "threads", ... "unknown" */

void vbt_vm_free(struct vbt_vm *vm);		/* leaves *vm zeroed */

#endif /* VBT_QEMU_H */
