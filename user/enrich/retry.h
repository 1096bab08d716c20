/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A request QEMU resubmits after a VM paused on an I/O error was resumed
 * (werror/rerror=stop, enospc, or a vendor's retry policy) is the same
 * guest request, not a new fault: it is joined to its first failure.
 * Same QEMU, same file, same offset and length, and a resume in between.
 */
#ifndef VBT_RETRY_H
#define VBT_RETRY_H

#include <stdint.h>

#include "decode/event.h"

#define VBT_RETRY_SLOTS 256

struct vbt_retry_slot {
	uint32_t pid;
	uint64_t ino;			/* the file, by inode (0: by path) */
	char path[64];
	uint64_t offset, len;
	uint64_t seq, mono_ns;
};

struct vbt_retry_tab {
	struct vbt_retry_slot s[VBT_RETRY_SLOTS];
	unsigned int next;
	struct {
		uint32_t pid;
		uint64_t mono_ns;
	} resumed[16];			/* the latest resume per VM */
};

/* QEMU @pid's VM runs again (after a pause). */
void vbt_retry_resumed(struct vbt_retry_tab *t, uint32_t pid, uint64_t now);
/*
 * A failed host I/O about to be shown as @seq: returns the seq of the
 * failure it repeats, or 0, and remembers it.
 */
uint64_t vbt_retry_join(struct vbt_retry_tab *t, const struct vbt_event *ev,
			uint64_t seq);

#endif
