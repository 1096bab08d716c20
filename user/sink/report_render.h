/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblktrace report: what a recording or bundle says, folded for a human
 * (what failed, where, how often, first/last, the likely cause), and its
 * renderers: text (also the bundle's summary.txt), JSON, one self-contained
 * HTML page, and Chrome trace-event JSON for ui.perfetto.dev.
 */
#ifndef VBT_REPORT_RENDER_H
#define VBT_REPORT_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "correlate/correlate.h"
#include "decode/bundle_input.h"

#define VBT_REPORT_LAT_BUCKETS 40	/* log2(ns) buckets */

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
	uint64_t stuck, stuck_ended;		/* requests reported stuck */
	uint64_t lat[VBT_REPORT_LAT_BUCKETS];	/* block latencies, 2^i ns */
	uint64_t lat_errors[VBT_REPORT_LAT_BUCKETS];
	uint64_t nlat;
	uint64_t start_ns, end_ns;		/* wall clock span of the events */
	/* what was recorded (the MANIFEST's span), else the events' */
	uint64_t span_start_ns, span_end_ns;
};

int vbt_report_build(const struct vbt_input *in, struct vbt_report *r);
void vbt_report_free(struct vbt_report *r);
/* The facts.json drive entry of @drive of VM @vm ("" or NULL: any VM). */
struct json_object *vbt_report_facts_drive(struct json_object *facts,
					   const char *vm, const char *drive);
/* One sentence: why this event most likely failed. */
void vbt_likely_cause(const struct vbt_input *in, const struct vbt_rec_event *re,
		      char *buf, size_t len);

int vbt_report_text(const struct vbt_report *r, FILE *f);
/* Says what of the recording this vblktrace could not read fully. */
void vbt_report_unknown_note(const struct vbt_recording *rec, FILE *f);
int vbt_report_json(const struct vbt_report *r, FILE *f);

/*
 * What a page is made of: one recording, or the guest side of a merge with
 * its host side and their correlation; and doctor's findings on the
 * bundle's configuration (filled by the command, which may call doctor).
 */
struct vbt_report_advice {
	char rule[40];
	int sev;			/* 0 info, 1 warning, 2 error */
	char vm[64];			/* the VM whose command line it read */
	char subject[160];		/* the drive it concerns, id first */
	char title[300];
	char todo[900];
};

struct vbt_page {
	const struct vbt_report *r;	/* the recording, or the guest side */
	const struct vbt_report *host;	/* merge: the host side, else NULL */
	const struct vbt_correlation *c;	/* merge, else NULL */
	const char *names[2];		/* file names shown, may be NULL */
	const struct vbt_report_advice *advice;
	int nadvice;
	/* filled by vbt_page_html(): the failures drawn and listed */
	const bool *listed[2];		/* per event of each recording */
	uint64_t nlisted[2], nfailed[2];
	uint32_t **by_seq;		/* [2]: vbt_crec_index() of each */
};

/*
 * A class of failures as the page opens with it: one origin, one errno,
 * one disk or drive, and the sentences that say why and what to change.
 */
struct vbt_story_class {
	int origin;			/* enum vbt_origin */
	bool origin_known;		/* false: no host side to say */
	int side;			/* enum vbt_side of the failures */
	int err;			/* what the failures returned */
	int host_err;			/* the host's errno, 0 if none */
	char where[64];			/* vda, vm/drive, loop3 */
	char host_what[80];		/* pwritev(), io_uring WRITEV, loop3 */
	char vm[64], drive[64];		/* the QEMU drive, "" if unknown */
	struct vbt_host_info host;	/* what a host event said of it */
	uint64_t requests, syscalls, other;
	uint64_t first_ns, last_ns;
	char anchor[32];		/* id of its first listed failure, or "" */
	uint64_t anchor_ns;
	char what[300], why[600], config[600], change[700];
};

struct vbt_story {
	struct vbt_story_class *c;
	int n;
	int last;			/* the class found last (building) */
};

int vbt_story_build(const struct vbt_page *p, struct vbt_story *s);
void vbt_story_free(struct vbt_story *s);

/* One self-contained page; vbt_report_html() is a page of @r alone. */
int vbt_page_html(const struct vbt_page *p, FILE *f);
int vbt_report_html(const struct vbt_report *r, FILE *f);

struct vbt_trace_track {
	const struct vbt_crec *rec;
	const char *name;		/* "guest", "host" */
	int pid;			/* track id in the trace */
	int64_t shift_ns;		/* added to wall times (clock alignment) */
};

/*
 * Chrome trace-event JSON (ui.perfetto.dev, chrome://tracing).  Flow
 * arrows follow the cause links of each recording (host block -> host
 * syscall, guest block -> guest syscall) and, with @c, each guest error's
 * host event (@t[0] guest, @t[1] host) -> the guest request.
 */
int vbt_report_perfetto(const struct vbt_trace_track *t, int n,
			const struct vbt_correlation *c, FILE *f);

/* "04:22:11.123456" in UTC, for reports read on other machines. */
void vbt_report_time(uint64_t real_ns, char *buf, size_t len);

#endif
