// SPDX-License-Identifier: GPL-2.0
/* Joining a resubmitted request to its first failure (retry.h). */
#include <stdio.h>
#include <string.h>

#include "enrich/retry.h"

void vbt_retry_resumed(struct vbt_retry_tab *t, uint32_t pid, uint64_t now)
{
	size_t n = sizeof(t->resumed) / sizeof(t->resumed[0]), oldest = 0;

	for (size_t i = 0; i < n; i++) {
		if (t->resumed[i].pid == pid || !t->resumed[i].pid) {
			oldest = i;
			break;
		}
		if (t->resumed[i].mono_ns < t->resumed[oldest].mono_ns)
			oldest = i;
	}
	t->resumed[oldest].pid = pid;
	t->resumed[oldest].mono_ns = now;
}

static uint64_t resumed_at(const struct vbt_retry_tab *t, uint32_t pid)
{
	for (size_t i = 0; i < sizeof(t->resumed) / sizeof(t->resumed[0]); i++)
		if (t->resumed[i].pid == pid)
			return t->resumed[i].mono_ns;
	return 0;
}

/* The I/O's file and range; false for events that are no data I/O. */
static bool io_of(const struct vbt_event *ev, struct vbt_retry_slot *k)
{
	memset(k, 0, sizeof(*k));
	k->pid = ev->pid;
	switch (ev->kind) {
	case VBT_KIND_SYSCALL:
		if (ev->sys.offset == UINT64_MAX)
			return false;
		k->ino = ev->sys.ino;
		snprintf(k->path, sizeof(k->path), "%.63s", ev->sys.path);
		k->offset = ev->sys.offset;
		k->len = ev->sys.len;
		return true;
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		k->ino = ev->async.ino;
		snprintf(k->path, sizeof(k->path), "%.63s", ev->async.path);
		k->offset = ev->async.offset;
		k->len = ev->async.len;
		return true;
	default:
		return false;
	}
}

static bool same_io(const struct vbt_retry_slot *a,
		    const struct vbt_retry_slot *b)
{
	return a->pid == b->pid && a->offset == b->offset &&
	       a->len == b->len && (a->ino || b->ino ? a->ino == b->ino :
				    !strcmp(a->path, b->path));
}

uint64_t vbt_retry_join(struct vbt_retry_tab *t, const struct vbt_event *ev,
			uint64_t seq)
{
	struct vbt_retry_slot k;
	uint64_t resumed, first = 0;

	if (ev->side != VBT_SIDE_HOST || !ev->err || !io_of(ev, &k))
		return 0;
	resumed = resumed_at(t, ev->pid);
	for (size_t i = 0; i < VBT_RETRY_SLOTS; i++) {
		struct vbt_retry_slot *s = &t->s[i];

		if (!s->seq || !same_io(s, &k) || !resumed ||
		    s->mono_ns >= resumed)
			continue;
		/* Keep the first failure as the reference of every retry. */
		first = s->seq;
		s->mono_ns = ev->mono_ns;
		return first;
	}
	k.seq = seq;
	k.mono_ns = ev->mono_ns;
	t->s[t->next++ % VBT_RETRY_SLOTS] = k;
	return 0;
}
