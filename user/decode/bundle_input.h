/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Opening what report and merge read: a bundle (docs/bundle.md) or a
 * plain recording (JSON Lines), told apart by the gzip magic.  A bundle
 * must hold MANIFEST.json of a format version this vblktrace knows,
 * events.jsonl (the strict reader of recording.h), facts.json (a JSON
 * object) and summary.txt; the manifest's side must match the events'.
 */
#ifndef VBT_BUNDLE_INPUT_H
#define VBT_BUNDLE_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "decode/compact.h"
#include "decode/recording.h"

#define VBT_BUNDLE_FORMAT	"vblktrace-bundle"
#define VBT_BUNDLE_VERSION	1
#define VBT_BUNDLE_MAX_JSON	(16UL * 1024 * 1024)	/* manifest, facts */

struct json_object;

struct vbt_input {
	bool is_bundle;
	int side;			/* enum vbt_side, or -1 if unknown */
	struct json_object *manifest;	/* NULL for a plain recording */
	struct json_object *facts;	/* NULL for a plain recording */
	char *summary;			/* summary.txt, NUL-terminated */
	struct vbt_recording rec;
	/*
	 * VBT_INPUT_COMPACT: the events are here instead, and rec holds only
	 * the counts, sides and spans (rec.n is 0).
	 */
	struct vbt_crec crec;
	/*
	 * VBT_INPUT_LINES: where the lines are read again from: a plain
	 * recording file left open, or the text (a bundle's events.jsonl,
	 * standard input), owned here when own_text.
	 */
	int fd;				/* if has_fd */
	bool has_fd;
	const char *text;
	size_t text_len;
	char *own_text;
};

/*
 * Keep the events compactly (compact.h); a plain recording is streamed.
 * A full read (no flag) also fills crec.
 */
#define VBT_INPUT_COMPACT	1
/*
 * Compact, and event i can be had in full again (vbt_input_event()): its
 * line is read and parsed once more.  vbt_input_open_mem_ex() then keeps
 * pointing into @buf, which must outlive the input.
 */
#define VBT_INPUT_LINES		(2 | VBT_INPUT_COMPACT)

/* Returns 0, or a negative errno with a message in @err. */
int vbt_input_open(const char *path, struct vbt_input *in, char *err,
		   size_t errlen);
int vbt_input_open_mem(const char *buf, size_t len, struct vbt_input *in,
		       char *err, size_t errlen);
int vbt_input_open_ex(const char *path, int flags, struct vbt_input *in,
		      char *err, size_t errlen);
int vbt_input_open_mem_ex(const char *buf, size_t len, int flags,
			  struct vbt_input *in, char *err, size_t errlen);
void vbt_input_close(struct vbt_input *in);

/*
 * Event @i in full: the full read's, or (VBT_INPUT_LINES) its line parsed
 * again into @buf.  A line that no longer reads as it did (the file was
 * changed since) and an input without lines give what the compact event
 * holds, in @buf.  @i must be < crec.n.
 */
const struct vbt_rec_event *vbt_input_event(const struct vbt_input *in,
					    size_t i,
					    struct vbt_rec_event *buf);

#endif
