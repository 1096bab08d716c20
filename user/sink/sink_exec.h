/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The --alert-exec sink of 'vblktrace watch': run a command per alert
 * record, without a shell.  The command line is split into argv as a
 * shell would split words (util/shellwords.h; nothing is expanded, an
 * open quote is refused), the record's fields go to VBLKTRACE_<FIELD>
 * environment variables verbatim, each run has a time limit (SIGTERM,
 * then SIGKILL), and at most max_running run at once; more wait in a
 * bounded queue, and what does not fit is dropped and counted.
 */
#ifndef VBT_SINK_EXEC_H
#define VBT_SINK_EXEC_H

#include <stdint.h>

#include <json-c/json.h>

#include "sink/metrics.h"

#define VBT_EXEC_MAX_QUEUED	64

struct vbt_sink_exec;

typedef void (*vbt_exec_result_fn)(void *ctx, enum vbt_exec_result r);

int vbt_sink_exec_new(const char *cmd, double timeout_s, int max_running,
		      vbt_exec_result_fn fn, void *ctx,
		      struct vbt_sink_exec **out, char *err, size_t errlen);
/*
 * Run the command as @user (looked up now, never root) instead of as the
 * daemon's uid.  Either way a run starts with no capability at all.  The
 * daemon must still hold CAP_SETUID and CAP_SETGID for this.
 */
int vbt_sink_exec_set_user(struct vbt_sink_exec *x, const char *user,
			   char *err, size_t errlen);
/* Run (or queue) the command for this record. */
void vbt_sink_exec_alert(struct vbt_sink_exec *x, struct json_object *rec);
/* Reap finished runs, enforce time limits, start queued runs. */
void vbt_sink_exec_tick(struct vbt_sink_exec *x, uint64_t now);
/* Wait for running and queued runs until @deadline (mono ns), then kill. */
void vbt_sink_exec_drain(struct vbt_sink_exec *x, uint64_t deadline);
void vbt_sink_exec_free(struct vbt_sink_exec *x);
int vbt_sink_exec_running(const struct vbt_sink_exec *x);

/* Split @cmd into a NULL-terminated argv (free with vbt_strv_free). */
int vbt_split_argv(const char *cmd, char ***argv, char *err, size_t errlen);
/*
 * "VBLKTRACE_<KEY>=value" for every top-level field of @rec: KEY upper
 * case, strings verbatim, numbers and booleans as JSON prints them,
 * arrays joined with ',', objects as JSON.  NULL-terminated, malloc'd.
 */
char **vbt_alert_env(struct json_object *rec);
void vbt_strv_free(char **v);

#endif
