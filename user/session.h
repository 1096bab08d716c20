/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tracing session: the loop every tracing command shares.  It opens the
 * source, decodes and filters records, lets the command enrich them, feeds
 * the sinks (stdout, the -o recording, the summary) and stops on a signal
 * or after -t.  Commands differ only in their hooks.
 */
#ifndef VBT_SESSION_H
#define VBT_SESSION_H

#include <signal.h>
#include <stdio.h>

#include "decode/clock.h"
#include "decode/event.h"
#include "enrich/enrich.h"
#include "enrich/stuck.h"
#include "opts.h"
#include "sink/audit.h"
#include "sink/format.h"
#include "sink/status_line.h"
#include "sink/summary.h"
#include "source/source.h"
#include "system/disks.h"

struct vbt_session;

struct vbt_session_hooks {
	enum vbt_side side;
	const char *what;	/* banner: "failed block requests", ... */
	/* Adjust the source configuration before it opens. */
	void (*configure)(struct vbt_session *s, struct vbt_source_cfg *cfg);
	/* Runs once the source is attached; non-zero exit status aborts. */
	int (*started)(struct vbt_session *s);
	/*
	 * After the common enrichment, before the sinks.  Returns false for
	 * an event that is expected behaviour, not a fault (it is counted in
	 * the summary as such, never silently dropped).
	 */
	bool (*enrich)(struct vbt_session *s, struct vbt_event *ev);
	/* About every 100 ms. */
	void (*tick)(struct vbt_session *s, uint64_t now);
	void (*finish)(struct vbt_session *s);
	/* Called on SIGHUP instead of stopping (e.g. to reopen logs). */
	void (*hangup)(struct vbt_session *s);
	/* Events go to the command's sinks only, summaries to stderr. */
	bool no_stdout;
	/* Every emitted event, after stdout, the recording and the summary. */
	void (*sink)(struct vbt_session *s, const struct vbt_event *ev);
};

struct vbt_session {
	struct vbt_opts opts;
	const struct vbt_session_hooks *hooks;
	void *priv;			/* the command's own state */
	struct vbt_source *src;
	struct vbt_clock clock;
	struct vbt_fmt fmt;
	struct vbt_jw jw;		/* each event's JSON, buffer reused */
	struct vbt_summary sum;
	struct vbt_enricher enrich;
	struct vbt_disk *disks;
	int ndisks;
	FILE *record;			/* -o FILE, JSON Lines */
	bool pids_watch;		/* -p adds watched processes (host) */
	uint32_t devs[VBT_MAX_FILTER];	/* -d filters as dev_t */
	int ndevs;
	uint64_t seq;
	uint64_t lost_seen;
	int write_error;		/* errno of a failed write to the recording */
	bool stdout_reg;		/* stdout is a regular file */
	struct vbt_status_line status;	/* -t on a terminal */
	struct vbt_stuck_track stuck;	/* stuck requests not yet ended */
	struct vbt_audit audit;		/* --all: completions vs the disks' */
};

/* Parse options with the command's usage; returns -1 for --help. */
int vbt_session_parse(struct vbt_session *s, int argc, char **argv,
		      const char *cmd, void (*usage)(const char *cmd));
/* Run until stopped; returns the exit status. */
int vbt_session_run(struct vbt_session *s,
		    const struct vbt_session_hooks *hooks);
/* Show and record one event (hooks may inject their own). */
void vbt_session_emit(struct vbt_session *s, struct vbt_event *ev);

#endif
