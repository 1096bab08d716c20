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

/* Something the host view should say about a VM, found by a rescan. */
struct vbt_vm_change {
	int kind;			/* VBT_KIND_VM_STATE, _BACKEND_REMOVED */
	const struct vbt_vm *vm;
	const struct vbt_drive *drive;	/* BACKEND_REMOVED: the drive */
	const char *state, *reason;	/* VM_STATE: "paused", "io-error" */
	const char *source;		/* libvirt, qmp, proc */
};

/* The run state followed for one QEMU pid across rescans. */
struct vbt_vm_watch {
	int pid;
	char state[16], reason[32];
	uint64_t until_ns;		/* ask QMP until then (after errors) */
	/* A drive whose image fds just went: said only if the QEMU still
	 * runs at the next rescan (one that exits closes them first). */
	char gone_drive[64];
};

struct vbt_vmtrack {
	const char *procroot;		/* "/proc" */
	struct vbt_source *src;		/* told to watch/unwatch pids */
	struct vbt_vm *vms;
	int nvms;
	const int *extra_pids;		/* -p: watched as if they were QEMU */
	int nextra;
	FILE *notes;			/* where to say what changed, or NULL */
	/* Told of paused/resumed VMs and of drives whose image was closed. */
	void (*on_change)(void *ctx, const struct vbt_vm_change *c);
	void *change_ctx;
	/* Ask QEMUs that libvirt does not keep a status for over their own
	 * QMP socket, read-only, for a while after one of their errors. */
	bool qmp;
	struct vbt_vm_watch *watch;
	int nwatch;
};

void vbt_vmtrack_init(struct vbt_vmtrack *t, struct vbt_source *src,
		      FILE *notes);
/* Rescan /proc; returns the number of VMs, or -errno. */
int vbt_vmtrack_scan(struct vbt_vmtrack *t);
const struct vbt_vm *vbt_vmtrack_vm(const struct vbt_vmtrack *t, uint32_t pid);
/*
 * An I/O of this QEMU: a VM last seen paused has run since (QEMU resumed
 * it and resubmitted its request).  Returns true once for that resume,
 * with the state set to running, so the next pause is news again.
 */
bool vbt_vmtrack_io_seen(struct vbt_vmtrack *t, int pid);
/* A failed I/O of this QEMU: follow its run state for a while. */
void vbt_vmtrack_note_error(struct vbt_vmtrack *t, int pid, uint64_t now_ns);
void vbt_vmtrack_free(struct vbt_vmtrack *t);
/* Is any QEMU process running here (--side auto: then this is a host)? */
bool vbt_qemu_running(void);
/* One line per VM and drive, as printed at start and by 'disks'. */
void vbt_vm_describe(const struct vbt_vm *vm, FILE *f);

#endif
