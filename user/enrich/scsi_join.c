// SPDX-License-Identifier: GPL-2.0
/* SCSI results joined to their block requests (scsi_join.h). */
#include <string.h>

#include "enrich/scsi_join.h"

static struct vbt_scsi_pending *find(struct vbt_scsi_tab *t, uint32_t dev,
				     uint64_t sector)
{
	for (unsigned int i = 0; i < VBT_SCSI_PENDING; i++)
		if (t->p[i].info.known && t->p[i].dev == dev &&
		    t->p[i].sector == sector)
			return &t->p[i];
	return NULL;
}

void vbt_scsi_note(struct vbt_scsi_tab *t, const struct vbt_event *ev)
{
	struct vbt_scsi_pending *p;
	int tries = 1;

	if (ev->kind != VBT_KIND_SCSI)
		return;
	p = find(t, ev->scsi_dev, ev->scsi_sector);
	if (p && ev->mono_ns - p->mono_ns < VBT_SCSI_JOIN_NS)
		tries = p->info.tries + 1;	/* a retry of the same command */
	if (!p) {
		p = &t->p[t->next];
		t->next = (t->next + 1) % VBT_SCSI_PENDING;
	}
	t->known -= p->info.known;
	p->dev = ev->scsi_dev;
	p->sector = ev->scsi_sector;
	p->mono_ns = ev->mono_ns;
	p->info = ev->scsi;
	p->info.tries = tries;
	t->known += p->info.known;
}

bool vbt_scsi_join(struct vbt_scsi_tab *t, struct vbt_event *ev)
{
	struct vbt_scsi_pending *p;

	/* Every request of a streamed --all passes here. */
	if (ev->kind != VBT_KIND_BLOCK || !t->known)
		return false;
	p = find(t, ev->blk.dev, ev->blk.sector);
	if (!p)
		return false;
	if (p->mono_ns <= ev->mono_ns &&
	    ev->mono_ns - p->mono_ns < VBT_SCSI_JOIN_NS)
		ev->blk.scsi = p->info;
	memset(p, 0, sizeof(*p));
	t->known--;
	return ev->blk.scsi.known;
}
