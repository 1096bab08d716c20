/* SPDX-License-Identifier: GPL-2.0 */
/* Rendering alert records: a JSON object for machines, a line for syslog. */
#ifndef VBT_ALERT_FORMAT_H
#define VBT_ALERT_FORMAT_H

#include <stddef.h>

#include <json-c/json.h>

#include "sink/alert.h"
#include "sink/format.h"

/*
 * The record as JSON: for the first error, every field of the event;
 * otherwise v, ts, mono_ns, side, vm, drive, errno, err.  Always added:
 * alert (error|repeat|recovered), op, alert_events, alert_total,
 * alert_first_ts, alert_last_ts, alert_interval_s.
 */
struct json_object *vbt_alert_json(const struct vbt_alert *a,
				   const struct vbt_fmt *f,
				   uint64_t interval_ns);
/* The same as one line without the newline, malloc'd. */
char *vbt_alert_json_line(const struct vbt_alert *a, const struct vbt_fmt *f,
			  uint64_t interval_ns);
/* One human line; VM names and paths have control characters escaped. */
void vbt_alert_text(const struct vbt_alert *a, uint64_t interval_ns,
		    char *buf, size_t len);

#endif
