// SPDX-License-Identifier: GPL-2.0
/* Sorted views of host events for the guest <-> host join (host_index.h). */
#include <errno.h>
#include <stdlib.h>

#include "correlate/host_index.h"

int vbt_hidx_add(struct vbt_hidx *x, uint64_t key, uint64_t real_ns,
		 uint64_t len, uint32_t k)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		struct vbt_hidx_ent *e = realloc(x->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		x->e = e;
		x->cap = cap;
	}
	x->e[x->n++] = (struct vbt_hidx_ent){ key, real_ns, len, k };
	if (len > x->max_len)
		x->max_len = len;
	return 0;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct vbt_hidx_ent *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->real_ns != y->real_ns)
		return x->real_ns < y->real_ns ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

void vbt_hidx_sort(struct vbt_hidx *x)
{
	size_t i = 1;

	/* a recording is in time order: a view by time often already is */
	while (i < x->n && cmp_ent(&x->e[i - 1], &x->e[i]) <= 0)
		i++;
	if (i < x->n)
		qsort(x->e, x->n, sizeof(*x->e), cmp_ent);
}

size_t vbt_hidx_lower(const struct vbt_hidx *x, uint64_t key,
		      uint64_t real_ns)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vbt_hidx_ent *e = &x->e[mid];

		if (e->key < key || (e->key == key && e->real_ns < real_ns))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void vbt_hidx_free(struct vbt_hidx *x)
{
	free(x->e);
	x->e = NULL;
	x->n = x->cap = 0;
	x->max_len = 0;
}
