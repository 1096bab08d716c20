/* SPDX-License-Identifier: GPL-2.0 */
/*
 * facts.json of a bundle: what a maintainer on another machine needs to
 * know about the one that recorded.  Kernel, arch, boot command line, the
 * disks (queue limits, virtio features: disk_facts.h), and on a hypervisor
 * every QEMU process with its (redacted) command line, QEMU version, drives
 * with aio and cache modes, and the host block devices under each image.
 * Everything that could hold a secret passes through redact.h.
 */
#ifndef VBT_FACTS_H
#define VBT_FACTS_H

#include <stdint.h>

#include "decode/event.h"
#include "redact/redact.h"
#include "system/qemu/qemu.h"

struct json_object;

#define VBT_FACTS_VERSION 1

/* A new facts object for @side; NULL on ENOMEM. */
struct json_object *vbt_facts_collect(enum vbt_side side,
				      struct vbt_redactions *r);
/*
 * Add the QEMU processes running now that @facts does not list yet (a VM
 * started while recording).  Host side only.
 */
void vbt_facts_add_vms(struct json_object *facts, struct vbt_redactions *r);

/*
 * The offset= of drive @d's raw node in QEMU's argv (-blockdev by node
 * name, JSON or keyval; legacy -drive by id), read with QEMU's own option
 * syntax; -1 if it has none.
 */
int64_t vbt_facts_image_offset(const char *const *argv, int argc,
			       const struct vbt_drive *d);

/* "QEMU emulator version 7.2.22 (...)" read from the binary, not run. */
int vbt_qemu_version(const char *exe, char *buf, size_t len);

/*
 * The block devices under @path (a file: its filesystem's device, a device:
 * itself), down through partitions, device mapper slaves and loop backing
 * files; a JSON object, or NULL if @path cannot be stat'ed.
 */
struct json_object *vbt_facts_storage(const char *sysroot, const char *path);

#endif
