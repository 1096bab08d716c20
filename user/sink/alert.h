/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The alert policy of 'vblktrace watch': which failed I/Os become alerts.
 *
 * Errors are grouped by key (VM, drive, operation, errno).  The first error
 * of a key alerts at once; later ones are folded and reported as one
 * "repeat" record per interval with their count; once a key saw no error
 * for a whole interval, one "recovered" record closes the episode and the
 * key is forgotten (its next error alerts at once again).  Nothing is
 * dropped: every event is counted in some record, and keys beyond the cap
 * share one overflow key.
 *
 * Pure logic: time comes from the caller, records go to a callback.
 */
#ifndef VBT_ALERT_H
#define VBT_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/event.h"

#define VBT_ALERT_OVERFLOW	"__overflow__"
#define VBT_ALERT_MAX_KEYS	4096

enum vbt_alert_type {
	VBT_ALERT_ERROR,	/* first error of a key: carries the event */
	VBT_ALERT_REPEAT,	/* errors folded since the last record */
	VBT_ALERT_RECOVERED,	/* no error for an interval */
	VBT_ALERT_NTYPES,
};

struct vbt_alert_key {
	char vm[64];
	char drive[64];		/* drive id, else the host disk name */
	char op[24];		/* READ, WRITE, FLUSH, ... (vbt_event_op_class) */
	int err;		/* positive errno; 0 for lost events */
};

struct vbt_alert {
	enum vbt_alert_type type;
	const struct vbt_alert_key *key;
	uint64_t events;	/* errors this record stands for */
	uint64_t total;		/* errors of the key in this episode */
	uint64_t first_ns;	/* mono time of the first of 'events' (or of */
	uint64_t last_ns;	/* the episode, for RECOVERED) and the last */
	uint64_t now_ns;	/* when the record was made */
	const struct vbt_event *ev;	/* VBT_ALERT_ERROR only */
};

typedef void (*vbt_alert_fn)(void *ctx, const struct vbt_alert *a);

struct vbt_alert_entry;

struct vbt_alerts {
	uint64_t interval_ns;
	unsigned int max_keys;
	vbt_alert_fn fn;
	void *ctx;
	struct vbt_alert_entry **buckets;
	unsigned int nbuckets;
	unsigned int nkeys;
	/* Counters, for metrics and the final summary. */
	uint64_t events;		/* errors fed in */
	uint64_t overflowed;		/* of them, under the overflow key */
	uint64_t sent[VBT_ALERT_NTYPES];
};

int vbt_alerts_init(struct vbt_alerts *a, uint64_t interval_ns,
		    unsigned int max_keys, vbt_alert_fn fn, void *ctx);
void vbt_alerts_free(struct vbt_alerts *a);
/* One failed I/O (ev->err != 0) or lost event under @key. */
void vbt_alerts_feed(struct vbt_alerts *a, const struct vbt_alert_key *key,
		     const struct vbt_event *ev, uint64_t now);
/* Emit due repeat and recovery records. */
void vbt_alerts_tick(struct vbt_alerts *a, uint64_t now);
/* At exit: emit a repeat record for every key with folded errors. */
void vbt_alerts_flush(struct vbt_alerts *a, uint64_t now);

/* READ, WRITE, FLUSH, DISCARD, WRITE_ZEROES, ... for any event kind. */
const char *vbt_event_op_class(const struct vbt_event *ev);
/* The alert key of an event; @dev names the host disk of a non-VM event. */
void vbt_alert_key_of(const struct vbt_event *ev, const char *dev,
		      struct vbt_alert_key *key);
const char *vbt_alert_type_name(enum vbt_alert_type t);

#endif
