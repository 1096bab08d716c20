// SPDX-License-Identifier: GPL-2.0
/* Joining a stuck request's end to its first report (enrich/stuck.h). */
#include <string.h>

#include "enrich/stuck.h"

void vbt_stuck_join(struct vbt_stuck_track *t, struct vbt_event *ev)
{
	struct vbt_stuck_info *st = &ev->stuck;
	int free_i = -1;

	if (ev->kind != VBT_KIND_STUCK)
		return;
	for (int i = 0; i < VBT_STUCK_TRACK; i++) {
		struct vbt_stuck_info *o = &t->s[i].st;

		if (!t->s[i].seq) {
			if (free_i < 0)
				free_i = i;
			continue;
		}
		if (o->slot != st->slot || o->start_ns != st->start_ns)
			continue;
		if (st->phase == VBT_STUCK_FOUND) {
			/* A repeat of a report already shown: refresh it. */
			t->s[i].seq = ev->seq;
			*o = *st;
			return;
		}
		st->found_seq = t->s[i].seq;
		if (!st->disk[0]) {
			memcpy(st->disk, o->disk, sizeof(st->disk));
			st->dev = o->dev;
		}
		t->s[i].seq = 0;
		return;
	}
	/* More stuck at once than we track: the end goes unjoined. */
	if (st->phase == VBT_STUCK_FOUND && free_i >= 0) {
		t->s[free_i].seq = ev->seq;
		t->s[free_i].st = *st;
	}
}
