/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's QEMU processes, kept current while tracing: new ones
 * are modelled and watched by the source, gone ones forgotten.
 */
#ifndef VBT_VMTRACK_H
#define VBT_VMTRACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "source/source.h"
#include "system/qemu/qemu.h"

struct vbt_vmtrack {
	const char *procroot;		/* "/proc" */
	const char *libvirt_dir;	/* "/run/libvirt/qemu" */
	struct vbt_source *src;		/* told to watch/unwatch pids */
	struct vbt_vm *vms;
	int nvms;
	const int *extra_pids;		/* -p: watched as if they were QEMU */
	int nextra;
	FILE *notes;			/* where to say what changed, or NULL */
};

void vbt_vmtrack_init(struct vbt_vmtrack *t, struct vbt_source *src,
		      FILE *notes);
/* Rescan /proc; returns the number of VMs, or -errno. */
int vbt_vmtrack_scan(struct vbt_vmtrack *t);
const struct vbt_vm *vbt_vmtrack_vm(const struct vbt_vmtrack *t, uint32_t pid);
void vbt_vmtrack_free(struct vbt_vmtrack *t);
/* Is any QEMU process running here (--side auto: then this is a host)? */
bool vbt_qemu_running(void);
/* One line per VM and drive, as printed at start and by 'disks'. */
void vbt_vm_describe(const struct vbt_vm *vm, FILE *f);

#endif
