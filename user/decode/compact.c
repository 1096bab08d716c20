// SPDX-License-Identifier: GPL-2.0
/* Compact recordings for joins at scale (compact.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode/compact.h"

/* FNV-1a: strings here are short (names, paths). */
static uint32_t hash_bytes(const void *p, size_t n, uint32_t h)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

static int grow(void **p, size_t need, size_t *cap, size_t size)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = reallocarray(*p, c, size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static int str_rehash(struct vbt_strtab *t)
{
	uint32_t n = t->nslot ? t->nslot * 2 : 1024;
	uint32_t *slot = calloc(n, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (uint32_t id = 0; id < t->n; id++) {
		const char *s = t->buf + t->off[id];
		uint32_t i = hash_bytes(s, strlen(s), 2166136261u) & (n - 1);

		while (slot[i])
			i = (i + 1) & (n - 1);
		slot[i] = id + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = n;
	return 0;
}

/* The id of @s (added if new); 0 for "" or when out of memory (*oom). */
static uint32_t str_id(struct vbt_strtab *t, const char *s, bool *oom)
{
	size_t len = strlen(s), cap_ids = t->cap_ids;
	uint32_t h, i;

	if (!t->n) {	/* id 0 is "" */
		if (grow((void **)&t->buf, 1, &t->cap, 1) ||
		    grow((void **)&t->off, 1, &cap_ids, sizeof(*t->off)))
			goto oom;
		t->cap_ids = cap_ids;
		t->buf[0] = 0;
		t->len = 1;
		t->off[0] = 0;
		t->n = 1;
	}
	if (!len)
		return 0;
	if ((t->n + 1) * 2 > t->nslot && str_rehash(t))
		goto oom;
	h = hash_bytes(s, len, 2166136261u);
	for (i = h & (t->nslot - 1); t->slot[i]; i = (i + 1) & (t->nslot - 1))
		if (!strcmp(t->buf + t->off[t->slot[i] - 1], s))
			return t->slot[i] - 1;
	if (t->n == UINT32_MAX ||
	    grow((void **)&t->buf, t->len + len + 1, &t->cap, 1) ||
	    grow((void **)&t->off, (size_t)t->n + 1, &cap_ids, sizeof(*t->off)))
		goto oom;
	t->cap_ids = cap_ids;
	memcpy(t->buf + t->len, s, len + 1);
	t->off[t->n] = t->len;
	t->len += len + 1;
	t->slot[i] = t->n + 1;
	return t->n++;
oom:
	*oom = true;
	return 0;
}

static int host_rehash(struct vbt_crec *c)
{
	uint32_t n = c->nhost_slot ? c->nhost_slot * 2 : 64;
	uint32_t *slot = calloc(n, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (uint32_t k = 0; k < c->nhosts; k++) {
		uint32_t i = hash_bytes(&c->hosts[k], sizeof(c->hosts[k]),
					2166136261u) & (n - 1);

		while (slot[i])
			i = (i + 1) & (n - 1);
		slot[i] = k + 1;
	}
	free(c->host_slot);
	c->host_slot = slot;
	c->nhost_slot = n;
	return 0;
}

/* hosts[] index + 1 of tuple @h (added if new); 0 when out of memory. */
static uint32_t host_id(struct vbt_crec *c, const struct vbt_chost *h,
			bool *oom)
{
	size_t cap = c->cap_hosts;
	uint32_t i;

	if ((c->nhosts + 1) * 2 > c->nhost_slot && host_rehash(c))
		goto oom;
	i = hash_bytes(h, sizeof(*h), 2166136261u) & (c->nhost_slot - 1);
	for (; c->host_slot[i]; i = (i + 1) & (c->nhost_slot - 1))
		if (!memcmp(&c->hosts[c->host_slot[i] - 1], h, sizeof(*h)))
			return c->host_slot[i];
	if (c->nhosts == UINT32_MAX - 1 ||
	    grow((void **)&c->hosts, (size_t)c->nhosts + 1, &cap,
		 sizeof(*c->hosts)))
		goto oom;
	c->cap_hosts = cap;
	c->hosts[c->nhosts++] = *h;
	c->host_slot[i] = c->nhosts;
	return c->nhosts;
oom:
	*oom = true;
	return 0;
}

int vbt_crec_add(struct vbt_crec *c, const struct vbt_rec_event *re)
{
	const struct vbt_event *ev = &re->ev;
	struct vbt_cev e = {
		.seq = ev->seq, .real_ns = re->real_ns, .pid = ev->pid,
		.tid = ev->tid, .err = ev->err, .kind = ev->kind,
		.reached_device = re->reached_device, .status = -1,
		.virtio_status = VBT_VIRTIO_NONE,
	};
	bool oom = false;

	if (grow((void **)&c->ev, c->n + 1, &c->cap, sizeof(*c->ev)))
		return -ENOMEM;
	if (c->lines) {
		size_t cap = c->cap_lines;

		if (grow((void **)&c->line_off, c->n + 1, &cap,
			 sizeof(*c->line_off)))
			return -ENOMEM;
		if (cap != c->cap_lines &&
		    grow((void **)&c->line_len, c->n + 1, &c->cap_lines,
			 sizeof(*c->line_len)))
			return -ENOMEM;
		c->line_off[c->n] = re->line_off;
		c->line_len[c->n] = re->line_len;
	}
	e.comm = str_id(&c->str, ev->comm, &oom);
	switch (ev->kind) {
	case VBT_KIND_BLOCK:
		e.off = ev->blk.sector;
		e.len = ev->blk.bytes;
		e.nr_sectors = ev->blk.nr_sectors;
		e.lat_ns = ev->blk.lat_ns;
		e.op = ev->blk.op;
		e.status = ev->blk.status;
		e.virtio_status = ev->blk.virtio_status;
		e.disk = str_id(&c->str, ev->blk.disk, &oom);
		break;
	case VBT_KIND_SYSCALL:
		e.off = ev->sys.offset;
		e.len = ev->sys.len;
		e.op = ev->sys.sys;
		e.cause_seq = ev->sys.cause_seq;
		e.path = str_id(&c->str, ev->sys.path, &oom);
		break;
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		e.off = ev->async.offset;
		e.len = ev->async.len;
		e.op = ev->async.opcode;
		e.path = str_id(&c->str, ev->async.path, &oom);
		break;
	case VBT_KIND_LOST:
		e.len = ev->lost;
		break;
	}
	if (ev->host.known) {
		const struct vbt_host_info *hi = &ev->host;
		struct vbt_chost h = {
			.vm = str_id(&c->str, hi->vm, &oom),
			.drive = str_id(&c->str, hi->drive, &oom),
			.node = str_id(&c->str, hi->node, &oom),
			.image = str_id(&c->str, hi->image, &oom),
			.format = str_id(&c->str, hi->format, &oom),
			.aio = str_id(&c->str, hi->aio, &oom),
			.cache = str_id(&c->str, hi->cache, &oom),
		};

		e.host = oom ? 0 : host_id(c, &h, &oom);
	}
	if (oom)
		return -ENOMEM;
	c->ev[c->n++] = e;
	return 0;
}

int vbt_crec_from_rec(struct vbt_crec *c, const struct vbt_recording *r)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < r->n; i++) {
		if (vbt_crec_add(c, &r->ev[i])) {
			vbt_crec_free(c);
			return -ENOMEM;
		}
	}
	return 0;
}

/* By seq, then by position: a scan finds the first event of a seq. */
static int by_seq_cmp(const void *a, const void *b, void *arg)
{
	const struct vbt_crec *c = arg;
	uint32_t i = *(const uint32_t *)a, k = *(const uint32_t *)b;
	uint64_t si = c->ev[i].seq, sk = c->ev[k].seq;

	return si < sk ? -1 : si > sk ? 1 : i < k ? -1 : i > k;
}

long vbt_crec_index(const struct vbt_crec *c, uint32_t **by_seq,
		    uint64_t seq)
{
	uint32_t *x = *by_seq;
	size_t lo = 0, hi = c->n;

	/* the reader numbers events from 1 in file order: try that first */
	if (seq >= 1 && seq <= c->n && c->ev[seq - 1].seq == seq)
		return (long)seq - 1;
	if (!x && c->n) {
		x = malloc(c->n * sizeof(*x));
		if (!x) {	/* no room for the index: the scan */
			for (size_t i = 0; i < c->n; i++)
				if (c->ev[i].seq == seq)
					return (long)i;
			return -1;
		}
		for (size_t i = 0; i < c->n; i++)
			x[i] = i;
		qsort_r(x, c->n, sizeof(*x), by_seq_cmp, (void *)c);
		*by_seq = x;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->ev[x[mid]].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->ev[x[lo]].seq == seq ? (long)x[lo] : -1;
}

void vbt_crec_free(struct vbt_crec *c)
{
	free(c->line_off);
	free(c->line_len);
	free(c->ev);
	free(c->str.buf);
	free(c->str.off);
	free(c->str.slot);
	free(c->hosts);
	free(c->host_slot);
	memset(c, 0, sizeof(*c));
}
