/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a recording back: the JSON Lines of docs/events.schema.json
 * ("v": 1), as written by -o and kept in bundles, into decoded events.
 * The reader is strict: every field the schema requires must be there
 * with the right type, numbers must be in range, strings must fit.  A
 * line of a newer format version, a truncated last line, an oversized
 * line or file are refused with a message that names the line; nothing
 * is guessed.
 */
#ifndef VBT_RECORDING_H
#define VBT_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/event.h"

#define VBT_REC_VERSION		1		/* the "v" we read and write */
#define VBT_REC_MAX_LINE	(64 * 1024)	/* bytes per JSON line */
/*
 * A million events per side must merge; a JSON line of the schema is at
 * most ~1 KiB, so 1 GiB holds them, and anything larger is refused before
 * it is read.
 */
#define VBT_REC_MAX_EVENTS	1000000
#define VBT_REC_MAX_BYTES	(1024UL * 1024 * 1024)

/* One event as recorded: the decoded event and its wall-clock time. */
struct vbt_rec_event {
	struct vbt_event ev;
	uint64_t real_ns;		/* "ts", ns since the epoch (UTC) */
	bool reached_device;		/* block: false if never issued */
	char unknown[48];		/* first value this reader did not
					 * know, e.g. op "ZONE_X"; "" if none */
	/* where its line is in the recording (bytes), to read it again */
	uint64_t line_off;
	uint32_t line_len;
};

struct vbt_recording {
	struct vbt_rec_event *ev;
	size_t n, cap;
	int sides;			/* bit 0 guest, bit 1 host seen */
	uint64_t first_real_ns, last_real_ns;
	uint64_t first_mono_ns, last_mono_ns;
	int64_t mono_to_real_ns;	/* ts - mono_ns of the first event */
	/*
	 * A newer vblktrace may write values or record kinds this one does
	 * not know.  Such events are kept (the value shown as UNKNOWN) and
	 * records of unknown kind skipped, never the whole file refused;
	 * @note names the first one so the reader can say so.
	 */
	size_t n_unknown;		/* events with an unknown value */
	size_t n_skipped;		/* records of an unknown kind */
	size_t n_meta;			/* watch's alert/stopped records */
	char note[96];
};

/*
 * Parse one JSON object (no newline) into @out.  Returns 0 for an event,
 * VBT_REC_META for a record that carries no event (watch's "alert" folds
 * and "stopped"), VBT_REC_UNKNOWN_KIND for a kind this reader does not
 * know (@out->unknown names it), or -EINVAL / -EPROTONOSUPPORT (newer
 * version) / -E2BIG with a message in @err.
 */
#define VBT_REC_META		1
#define VBT_REC_UNKNOWN_KIND	2
int vbt_rec_parse_line(const char *line, size_t len, struct vbt_rec_event *out,
		       char *err, size_t errlen);

/*
 * Parse a whole recording held in memory.  Empty lines are allowed; the
 * last line must end with a newline (a missing one means truncation).
 * On failure @r is left empty and @err says "line N: ...".
 */
int vbt_rec_load_mem(const char *buf, size_t len, struct vbt_recording *r,
		     char *err, size_t errlen);
void vbt_rec_free(struct vbt_recording *r);

/*
 * The same, handing each event to @add (which copies what it keeps; a
 * non-zero return stops the read as out of memory) instead of holding it:
 * @r gets the counts, sides and spans, its ev stays NULL and n 0.
 */
typedef int (*vbt_rec_add_fn)(void *arg, const struct vbt_rec_event *re);
int vbt_rec_scan_mem(const char *buf, size_t len, struct vbt_recording *r,
		     vbt_rec_add_fn add, void *arg, char *err, size_t errlen);
/*
 * Read a recording from @fd to its end, @head (bytes already read from it)
 * first, a chunk at a time: memory for one chunk, not for the file.  The
 * same checks and messages as vbt_rec_load_mem(), and the same limits: a
 * line longer than VBT_REC_MAX_LINE or a stream past VBT_REC_MAX_BYTES
 * is refused as soon as it is seen.  @add NULL keeps the events in @r.
 */
int vbt_rec_scan_fd(int fd, const char *head, size_t headlen,
		    struct vbt_recording *r, vbt_rec_add_fn add, void *arg,
		    char *err, size_t errlen);

/* The index of the event numbered @seq (a cause link's target), or -1. */
long vbt_rec_index(const struct vbt_recording *r, uint64_t seq);

/* RFC 3339 "2026-11-22T04:00:00.123456789Z" -> ns; 0 or -EINVAL. */
int vbt_parse_rfc3339(const char *s, uint64_t *ns);

/*
 * Read a whole regular file of at most @max bytes into a malloc'd,
 * NUL-terminated buffer; "-" reads standard input (a file or a pipe) to
 * its end.  Returns 0 or -errno (-EFBIG: too big).
 */
int vbt_read_file_max(const char *path, size_t max, char **buf, size_t *len);

#endif
