/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rendering events: one human line, or one JSON object
 * (docs/events.schema.json).
 */
#ifndef VBT_FORMAT_H
#define VBT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "decode/clock.h"
#include "decode/event.h"
#include "util/json_writer.h"

struct vbt_fmt {
	const struct vbt_clock *clock;
	bool color;
};

/* One line without the newline; returns its length (truncated to len). */
int vbt_format_text(const struct vbt_event *ev, const struct vbt_fmt *f,
		    char *buf, size_t len);
/* One JSON object without the newline, malloc'd; NULL on ENOMEM. */
char *vbt_format_json(const struct vbt_event *ev, const struct vbt_fmt *f);
/*
 * The same bytes in @w's buffer (w->len long), reused from call to call:
 * no allocation per record.  NULL on ENOMEM.
 */
const char *vbt_format_json_into(const struct vbt_event *ev,
				 const struct vbt_fmt *f, struct vbt_jw *w);
/* "4 KiB", "512 B", "1.5 MiB" */
void vbt_format_bytes(uint64_t bytes, char *buf, size_t len);
/* "850 us", "1.23 ms", "2.5 s" */
void vbt_format_duration(uint64_t ns, char *buf, size_t len);

#endif
