// SPDX-License-Identifier: GPL-2.0
/* The alert policy: first error at once, repeats folded, recovery once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/names.h"
#include "enrich/host_enrich.h"
#include "sink/alert.h"

struct vbt_alert_entry {
	struct vbt_alert_entry *next;
	struct vbt_alert_key key;
	uint64_t total;			/* errors in this episode */
	uint64_t episode_first;
	uint64_t pending;		/* folded, not yet reported */
	uint64_t pend_first, pend_last;
	uint64_t last_err;		/* mono time of the last error */
	uint64_t window_end;		/* no record for this key before */
};

const char *vbt_alert_type_name(enum vbt_alert_type t)
{
	static const char *const names[] = {
		[VBT_ALERT_ERROR] = "error",
		[VBT_ALERT_REPEAT] = "repeat",
		[VBT_ALERT_RECOVERED] = "recovered",
	};

	return t < VBT_ALERT_NTYPES ? names[t] : "?";
}

static const char *sys_op_class(const struct vbt_event *ev)
{
	switch (ev->sys.sys) {
	case VBT_SYS_FSYNC: case VBT_SYS_FDATASYNC: case VBT_SYS_SYNC_FILE_RANGE:
		return "FLUSH";
	case VBT_SYS_FALLOCATE:
		return "FALLOCATE";
	case VBT_SYS_IOCTL:
		return "IOCTL";
	case VBT_SYS_COPY_FILE_RANGE:
		return "COPY";
	default:
		return vbt_event_is_read(ev) ? "READ" : "WRITE";
	}
}

/* IORING_OP_* and IOCB_CMD_* values are UAPI. */
static const char *async_op_class(const struct vbt_event *ev)
{
	int op = ev->async.opcode;

	if (vbt_event_is_read(ev))
		return "READ";
	if (ev->kind == VBT_KIND_IO_URING) {
		if (op == 2 || op == 5 || op == 23)	/* WRITEV WRITE_FIXED WRITE */
			return "WRITE";
		if (op == 3 || op == 8)			/* FSYNC SYNC_FILE_RANGE */
			return "FLUSH";
		if (op == 17)
			return "FALLOCATE";
	} else {
		if (op == 1 || op == 8)			/* PWRITE PWRITEV */
			return "WRITE";
		if (op == 2 || op == 3)			/* FSYNC FDSYNC */
			return "FLUSH";
	}
	return vbt_async_op_name(ev->kind, op);
}

const char *vbt_event_op_class(const struct vbt_event *ev)
{
	switch (ev->kind) {
	case VBT_KIND_BLOCK:
		return vbt_op_name(ev->blk.op);
	case VBT_KIND_SYSCALL:
		return sys_op_class(ev);
	case VBT_KIND_IO_URING:
	case VBT_KIND_AIO:
		return async_op_class(ev);
	case VBT_KIND_LOST:
		return "LOST";
	}
	return "OTHER";
}

void vbt_alert_key_of(const struct vbt_event *ev, const char *dev,
		      struct vbt_alert_key *key)
{
	memset(key, 0, sizeof(*key));
	if (ev->host.known) {
		snprintf(key->vm, sizeof(key->vm), "%s", ev->host.vm);
		snprintf(key->drive, sizeof(key->drive), "%s", ev->host.drive);
	}
	/* Host disk errors outside any VM are told apart by the disk. */
	if (!key->drive[0] && dev)
		snprintf(key->drive, sizeof(key->drive), "%s", dev);
	snprintf(key->op, sizeof(key->op), "%s", vbt_event_op_class(ev));
	key->err = ev->kind == VBT_KIND_LOST ? 0 : ev->err;
}

static uint32_t key_hash(const struct vbt_alert_key *k)
{
	uint32_t h = 2166136261u;
	const char *parts[] = { k->vm, k->drive, k->op };

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		h = (h ^ 0xff) * 16777619u;	/* separator: "a","bc" != "ab","c" */
	}
	return (h ^ (uint32_t)k->err) * 16777619u;
}

static bool key_eq(const struct vbt_alert_key *a, const struct vbt_alert_key *b)
{
	return a->err == b->err && !strcmp(a->vm, b->vm) &&
	       !strcmp(a->drive, b->drive) && !strcmp(a->op, b->op);
}

int vbt_alerts_init(struct vbt_alerts *a, uint64_t interval_ns,
		    unsigned int max_keys, vbt_alert_fn fn, void *ctx)
{
	memset(a, 0, sizeof(*a));
	a->interval_ns = interval_ns;
	a->max_keys = max_keys ? max_keys : VBT_ALERT_MAX_KEYS;
	a->fn = fn;
	a->ctx = ctx;
	a->nbuckets = 1024;
	a->buckets = calloc(a->nbuckets, sizeof(*a->buckets));
	return a->buckets ? 0 : -ENOMEM;
}

void vbt_alerts_free(struct vbt_alerts *a)
{
	for (unsigned int i = 0; a->buckets && i < a->nbuckets; i++) {
		struct vbt_alert_entry *e = a->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(a->buckets);
	a->buckets = NULL;
	a->nkeys = 0;
}

static struct vbt_alert_entry **lookup(struct vbt_alerts *a,
				       const struct vbt_alert_key *k)
{
	struct vbt_alert_entry **pp = &a->buckets[key_hash(k) % a->nbuckets];

	while (*pp && !key_eq(&(*pp)->key, k))
		pp = &(*pp)->next;
	return pp;
}

static void emit(struct vbt_alerts *a, enum vbt_alert_type type,
		 const struct vbt_alert_entry *e, uint64_t events,
		 uint64_t first, uint64_t last, uint64_t now,
		 const struct vbt_event *ev)
{
	struct vbt_alert rec = {
		.type = type, .key = &e->key, .events = events,
		.total = e->total, .first_ns = first, .last_ns = last,
		.now_ns = now, .ev = ev,
	};

	a->sent[type]++;
	if (a->fn)
		a->fn(a->ctx, &rec);
}

/* A new key, or the shared overflow key once the table is full. */
static struct vbt_alert_entry **add_key(struct vbt_alerts *a,
					const struct vbt_alert_key *k,
					bool *overflow)
{
	static const struct vbt_alert_key over = {
		.vm = VBT_ALERT_OVERFLOW, .drive = VBT_ALERT_OVERFLOW,
		.op = VBT_ALERT_OVERFLOW,
	};
	struct vbt_alert_entry **pp;

	*overflow = a->nkeys >= a->max_keys;
	if (*overflow)
		k = &over;
	pp = lookup(a, k);
	if (*pp)
		return pp;
	*pp = calloc(1, sizeof(**pp));
	if (!*pp)
		return NULL;
	(*pp)->key = *k;
	a->nkeys++;
	return pp;
}

void vbt_alerts_feed(struct vbt_alerts *a, const struct vbt_alert_key *key,
		     const struct vbt_event *ev, uint64_t now)
{
	uint64_t t = ev->mono_ns && ev->mono_ns < now ? ev->mono_ns : now;
	struct vbt_alert_entry **pp, *e;
	bool overflow = false;

	a->events++;
	pp = lookup(a, key);
	if (!*pp)
		pp = add_key(a, key, &overflow);
	if (overflow)
		a->overflowed++;
	if (!pp || !*pp)
		return;		/* ENOMEM: still counted in a->events */
	e = *pp;
	e->total++;
	e->last_err = t;
	if (e->total == 1) {
		e->episode_first = t;
		e->window_end = now + a->interval_ns;
		emit(a, VBT_ALERT_ERROR, e, 1, t, t, now, ev);
		return;
	}
	if (!e->pending++)
		e->pend_first = t;
	e->pend_last = t;
}

void vbt_alerts_tick(struct vbt_alerts *a, uint64_t now)
{
	for (unsigned int i = 0; i < a->nbuckets; i++) {
		struct vbt_alert_entry **pp = &a->buckets[i], *e;

		while ((e = *pp)) {
			if (now < e->window_end) {
				pp = &e->next;
				continue;
			}
			if (e->pending) {
				emit(a, VBT_ALERT_REPEAT, e, e->pending,
				     e->pend_first, e->pend_last, now, NULL);
				e->pending = 0;
				e->window_end = now + a->interval_ns;
				pp = &e->next;
				continue;
			}
			if (now - e->last_err < a->interval_ns) {
				pp = &e->next;
				continue;
			}
			emit(a, VBT_ALERT_RECOVERED, e, 0, e->episode_first,
			     e->last_err, now, NULL);
			*pp = e->next;
			free(e);
			a->nkeys--;
		}
	}
}

void vbt_alerts_flush(struct vbt_alerts *a, uint64_t now)
{
	for (unsigned int i = 0; i < a->nbuckets; i++)
		for (struct vbt_alert_entry *e = a->buckets[i]; e; e = e->next) {
			if (!e->pending)
				continue;
			emit(a, VBT_ALERT_REPEAT, e, e->pending, e->pend_first,
			     e->pend_last, now, NULL);
			e->pending = 0;
		}
}
