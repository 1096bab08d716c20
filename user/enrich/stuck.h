/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stuck request is reported twice: when a scan finds it in flight past
 * the threshold, and when it ends.  The end names the first report (its
 * seq), and takes the disk and op from it when the source could not say
 * them (a request found gone by a scan).
 */
#ifndef VBT_STUCK_H
#define VBT_STUCK_H

#include <stdint.h>

#include "decode/event.h"

#define VBT_STUCK_TRACK 256

struct vbt_stuck_track {
	struct {
		uint64_t seq;		/* 0: free */
		struct vbt_stuck_info st;
	} s[VBT_STUCK_TRACK];
};

/*
 * @ev (kind STUCK) is about to be shown with its seq set: remember a
 * FOUND one; fill an end's found_seq (and what it lacks) and forget it.
 */
void vbt_stuck_join(struct vbt_stuck_track *t, struct vbt_event *ev);

#endif
