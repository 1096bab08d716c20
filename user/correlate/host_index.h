/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sorted views of a host recording's failed I/O, so that joining N guest
 * errors with N host events costs N log N instead of N * N: entries keyed
 * by (byte offset or 0, wall time, index), found by binary search.
 */
#ifndef VBT_HOST_INDEX_H
#define VBT_HOST_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct vbt_hidx_ent {
	uint64_t key;			/* byte offset, or 0 for time-only views */
	uint64_t real_ns;		/* the event's wall time */
	uint64_t len;			/* bytes (offset views) */
	uint32_t k;			/* index into the host recording */
};

struct vbt_hidx {
	struct vbt_hidx_ent *e;
	size_t n, cap;
	uint64_t max_len;		/* longest entry: bounds overlap searches */
};

/* Append an entry; -ENOMEM if it cannot grow. */
int vbt_hidx_add(struct vbt_hidx *x, uint64_t key, uint64_t real_ns,
		 uint64_t len, uint32_t k);
/* Sort by (key, real_ns, k); call once after the last add. */
void vbt_hidx_sort(struct vbt_hidx *x);
/* Index of the first entry not before (key, real_ns); x->n if none. */
size_t vbt_hidx_lower(const struct vbt_hidx *x, uint64_t key,
		      uint64_t real_ns);
void vbt_hidx_free(struct vbt_hidx *x);

#endif
