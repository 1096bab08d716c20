/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblktrace report: what a recording or bundle says, folded for a human
 * (what failed, where, how often, first/last, the likely cause), and its
 * renderers: text (also the bundle's summary.txt), JSON, one self-contained
 * HTML page, and Chrome trace-event JSON for ui.perfetto.dev.
 */
#ifndef VBT_REPORT_RENDER_H
#define VBT_REPORT_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "decode/bundle_input.h"

#define VBT_REPORT_LAT_BUCKETS 40	/* log2(ns) buckets */
#define VBT_REPORT_MAX_LANES 64

struct vbt_report_group {
	int side;			/* enum vbt_side */
	int kind;
	char what[64];			/* vda, pwritev(), io_uring, ... */
	char where[64];			/* host: vm/drive, else "" */
	int op;				/* block op or -1 */
	int err;
	int status;			/* blk_status or -1 */
	int virtio;			/* VBT_VIRTIO_* */
	uint64_t count;
	uint64_t first_ns, last_ns;	/* wall clock */
	size_t first;			/* index of its first event */
	char cause[400];
};

struct vbt_report {
	const struct vbt_input *in;
	struct vbt_report_group *groups;
	int ngroups;
	uint64_t events, errors, lost;
	uint64_t lat[VBT_REPORT_LAT_BUCKETS];	/* block latencies, 2^i ns */
	uint64_t lat_errors[VBT_REPORT_LAT_BUCKETS];
	uint64_t nlat;
	char lanes[VBT_REPORT_MAX_LANES][64];	/* timeline rows */
	uint64_t lane_errors[VBT_REPORT_MAX_LANES];
	int nlanes;
	uint64_t start_ns, end_ns;		/* wall clock span */
};

int vbt_report_build(const struct vbt_input *in, struct vbt_report *r);
void vbt_report_free(struct vbt_report *r);
/* The timeline row of an event, or -1 if it is not a failed I/O. */
int vbt_report_lane(const struct vbt_report *r, const struct vbt_event *ev);
/* One sentence: why this event most likely failed. */
void vbt_likely_cause(const struct vbt_input *in, const struct vbt_rec_event *re,
		      char *buf, size_t len);

int vbt_report_text(const struct vbt_report *r, FILE *f);
/* Says what of the recording this vblktrace could not read fully. */
void vbt_report_unknown_note(const struct vbt_recording *rec, FILE *f);
int vbt_report_json(const struct vbt_report *r, FILE *f);
int vbt_report_html(const struct vbt_report *r, FILE *f);

struct vbt_trace_track {
	const struct vbt_recording *rec;
	const char *name;		/* "guest", "host" */
	int pid;			/* track id in the trace */
	int64_t shift_ns;		/* added to wall times (clock alignment) */
};

/* Chrome trace-event JSON (ui.perfetto.dev, chrome://tracing). */
int vbt_report_perfetto(const struct vbt_trace_track *t, int n, FILE *f);

/* "04:22:11.123456" in UTC, for reports read on other machines. */
void vbt_report_time(uint64_t real_ns, char *buf, size_t len);

#endif
