/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblktrace doctor: diagnose a VM's block configuration (and, with a second
 * configuration, what breaks a live migration between the two).
 *
 * A configuration is the drive model of system/qemu/qemu.h (what QEMU does
 * with each disk) plus the few things that model leaves out and the rules
 * need: machine type, vCPU count, every PCI device with its bus/address and
 * the properties that shape its config space, and the PCIe root ports.
 * Rules are small functions in a table; each emits findings.  Facts about
 * the host (sysfs, O_DIRECT and io_uring support) come through struct
 * dr_env so the rules stay testable without the real machine.
 */
#ifndef VBT_DOCTOR_H
#define VBT_DOCTOR_H

#include <stdbool.h>
#include <stdio.h>
#include "system/qemu/qemu.h"

#define DR_MAX_DEVS	1024	/* PCI devices kept per config */
#define DR_MAX_PROPS	24	/* config-space properties kept per device */

enum dr_sev { DR_INFO, DR_WARNING, DR_ERROR };

struct dr_prop {
	char *key;		/* QEMU property name (num-queues, discard) */
	char *val;
};

/* A -device (or a libvirt device element) that sits on a PCI bus. */
struct dr_dev {
	char *id;		/* id= / <alias>; NULL if none */
	char *driver;		/* virtio-blk-pci, pcie-root-port, ... */
	char *bus;		/* bus= (pci.3, pcie.0); NULL: QEMU picks */
	int slot, fn;		/* addr=; -1: unset (QEMU picks by order) */
	char *drive;		/* drive= of block devices */
	char *target;		/* libvirt <target dev> of disks */
	bool root_port;		/* pcie-root-port: a hot-plug slot */
	bool port_hotplug_off;	/* root port with hotplug=off */
	int port_index;		/* libvirt controller index; -1 */
	bool live;		/* the running QEMU reported it (QMP) */
	bool hotplugged;	/* live, but not on the command line */
	bool backend_removed;	/* live frontend whose drive is gone */
	struct dr_prop props[DR_MAX_PROPS];
	int nprops;
};

struct dr_config {
	char *origin;		/* "libvirt XML a.xml", "pid 123", ... */
	struct vbt_vm vm;	/* drives (user/qemu) */
	char *machine;		/* -machine type / <os><type machine=> */
	char *arch;		/* x86_64, aarch64, ...; NULL unknown */
	int vcpus;		/* 0: unknown */
	bool incoming;		/* -incoming: started as a migration target */
	bool libvirt;		/* read from libvirt XML (addresses are
				 * libvirt's, which always assigns them) */
	bool xml_unaddressed;	/* XML devices without <address>: libvirt has
				 * not defined the domain yet */
	struct dr_dev *devs;
	int ndevs;
	/* What the running QEMU said of itself over QMP (doctor --pid). */
	bool live;		/* devices and drives are as QEMU reports */
	char *live_note;	/* why not, when QMP could not be asked */
};

struct dr_finding {
	char rule[40];		/* stable id, e.g. "aio-native-no-direct" */
	enum dr_sev sev;
	char subject[160];	/* the drive or device it concerns */
	char *title;		/* one line */
	char *means;		/* what it means */
	char *see;		/* what the user will see */
	char *todo;		/* what to do */
};

struct dr_report {
	struct dr_finding *f;
	int n;
};

/* Host facts the rules may use; tests fill them by hand. */
struct dr_env {
	const char *sysfs;	/* "/sys" */
	bool local;		/* images are paths on this machine */
	int io_uring;		/* 1 usable, 0 not (errno in io_uring_errno),
				 * -1 unknown */
	int io_uring_errno;
	/* O_DIRECT open probe of an image: 0 ok, positive errno, -1 unknown */
	int (*direct_probe)(const char *path);
	/* Filesystem name under a path (tmpfs, fuse, ...), or NULL. */
	const char *(*fs_name)(const char *path);
};

/* The default O_DIRECT probe: opens only a regular file, read-only and
 * non-blocking; -1 (unknown) for anything else, never opened. */
int dr_probe_direct(const char *path);

/* ---- loading configurations (doctor_config.c, doctor_xml.c) ---- */

/* Parse a QEMU command line as users paste it: NUL separated
 * (/proc/PID/cmdline), one argument per line, or a shell-quoted line
 * (backslash continuations, leading VAR=value, libvirt log style). */
int dr_config_from_cmdline(struct dr_config *c, const char *buf, size_t len,
			   char *err, size_t errlen);
int dr_config_from_xml(struct dr_config *c, const char *buf, size_t len,
		       char *err, size_t errlen);
/* Machine, vCPUs and PCI devices of libvirt XML into @c; with @devices
 * false only what the command line cannot say (disk targets). */
int dr_xml_extras(struct dr_config *c, const char *buf, size_t len,
		  bool devices);
/* A file holding either: XML if it starts with '<', else a command line. */
int dr_config_from_file(struct dr_config *c, const char *path, bool xml,
			char *err, size_t errlen);
/* A running QEMU: argv, /proc facts, libvirt's live XML if any. */
int dr_config_from_pid(struct dr_config *c, const char *procroot, int pid,
		       char *err, size_t errlen);
/*
 * Ask the running QEMU @pid over its own QMP socket (read-only queries)
 * for its PCI devices and drives: addresses QEMU picked, hot-plugged
 * devices, frontends whose drive was removed.  Sets c->live, or
 * c->live_note saying why the state is unknown (doctor_live.c).
 */
void dr_config_apply_live(struct dr_config *c, const char *procroot, int pid);
/*
 * Split a pasted command line into NUL-separated argv bytes (*argv,
 * malloc'd): 0, -ENOMEM, or -EINVAL with a message for an open quote.
 */
int dr_split_cmdline(const char *buf, size_t len, char **argv,
		     size_t *outlen, char *err, size_t errlen);

/* ---- the device model (doctor_model.c) ---- */

/* A new, empty device in @c (no PCI address yet); NULL past the limit. */
struct dr_dev *dr_add_dev(struct dr_config *c);
void dr_config_free(struct dr_config *c);
const struct dr_dev *dr_dev_by_id(const struct dr_config *c, const char *id);
const char *dr_dev_prop(const struct dr_dev *d, const char *key);
/* The PCI device that carries drive @d, or NULL. */
const struct dr_dev *dr_dev_of_drive(const struct dr_config *c,
				     const struct vbt_drive *d);
bool dr_is_pcie_machine(const struct dr_config *c);

/* ---- rules (doctor_rules.c, doctor_migrate.c, doctor_policy.c,
 * doctor_live.c); the report they fill (doctor_report.c) ---- */

void dr_env_default(struct dr_env *env);
void dr_diagnose(const struct dr_config *c, const struct dr_env *env,
		 struct dr_report *r);
/* The vendor retry error policy (doctor_policy.c). */
void dr_diagnose_policy(const struct dr_config *c, struct dr_report *r);
/* Findings only the running QEMU can give (doctor_live.c). */
void dr_diagnose_live(const struct dr_config *c, struct dr_report *r);
void dr_diagnose_migration(const struct dr_config *src,
			   const struct dr_config *dst, struct dr_report *r);

/* Add a finding; the texts are printf formats of one argument list each
 * would be unwieldy, so they are taken as ready strings (copied). */
void dr_add(struct dr_report *r, const char *rule, enum dr_sev sev,
	    const char *subject, const char *title, const char *means,
	    const char *see, const char *todo);
const struct dr_finding *dr_find(const struct dr_report *r, const char *rule,
				 const char *subject_part);
void dr_report_free(struct dr_report *r);
const char *dr_sev_name(enum dr_sev s);
/* A human name for a drive: "virtio-disk0 (vda, /var/lib/x.img)". */
void dr_drive_name(const struct vbt_drive *d, char *buf, size_t len);

/* ---- output (doctor_output.c) ---- */
void dr_print_text(FILE *f, const struct dr_config *c,
		   const struct dr_config *dst, const struct dr_report *r);
void dr_print_json(FILE *f, const struct dr_config *c,
		   const struct dr_config *dst, const struct dr_report *r);

#endif /* VBT_DOCTOR_H */
