/* SPDX-License-Identifier: GPL-2.0 */
/* Attributing host events to VM, drive and the drive's configuration. */
#ifndef VBT_HOST_ENRICH_H
#define VBT_HOST_ENRICH_H

#include <stdbool.h>

#include "decode/event.h"
#include "system/qemu/qemu.h"
#include "system/vmtrack.h"

/* Is this syscall / async opcode a write (werror) or a read (rerror)? */
bool vbt_event_is_read(const struct vbt_event *ev);
/*
 * What the guest sees of a failed host I/O under the drive's policy:
 * werror/rerror report -> an I/O error, ignore -> success, stop -> the VM
 * pauses, enospc -> pauses on ENOSPC, else an I/O error.
 */
const char *vbt_guest_sees(const char *policy, int err);
void vbt_host_fill(struct vbt_host_info *h, const struct vbt_vm *vm,
		   const struct vbt_drive *d);
/*
 * QEMU probes O_DIRECT alignment when it opens an image: preads at offset
 * 0 with misaligned sizes or buffers, expecting EINVAL.  Not a fault.
 */
bool vbt_is_alignment_probe(const struct vbt_vmtrack *t,
			    const struct vbt_event *ev);
/* Fill ev->host from the tracked VMs; false if the event is not a VM's. */
bool vbt_host_enrich(const struct vbt_vmtrack *t, struct vbt_event *ev);

#endif
