/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing one flat JSON object straight into a buffer, for the records
 * vblktrace emits at up to hundreds of thousands per second: building a
 * json-c tree per record (an allocation and a hash insertion per field)
 * cost more than tracing.  The bytes are exactly json-c's
 * JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE output for the
 * same fields in the same order (tests/unit/test_format.c re-serializes
 * with json-c to check).  Reading JSON stays with json-c.
 *
 * A writer can be reused: vbt_jw_finish() leaves the buffer with the
 * writer, so a stream of records costs no allocation per record.
 */
#ifndef VBT_JSON_WRITER_H
#define VBT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vbt_jw {
	char *buf;
	size_t len, cap;
	bool fields;			/* a field was written: next needs ',' */
	bool oom;
};

void vbt_jw_begin(struct vbt_jw *w);
/* @s NULL writes null. */
void vbt_jw_str(struct vbt_jw *w, const char *key, const char *s);
void vbt_jw_int(struct vbt_jw *w, const char *key, int64_t v);
void vbt_jw_u64(struct vbt_jw *w, const char *key, uint64_t v);
void vbt_jw_bool(struct vbt_jw *w, const char *key, bool v);
void vbt_jw_strv(struct vbt_jw *w, const char *key, const char *const *v,
		 int n);
/* Make the writer hold @s (already JSON text), as vbt_jw_finish() would. */
const char *vbt_jw_copy(struct vbt_jw *w, const char *s);
/* The object as a malloc'd string (the caller frees it), or NULL. */
char *vbt_jw_end(struct vbt_jw *w);
/*
 * Close the object; the NUL-terminated text stays in w->buf (w->len
 * bytes) until the next vbt_jw_begin().  NULL when memory ran out.
 */
const char *vbt_jw_finish(struct vbt_jw *w);
/* Free a reused writer's buffer. */
void vbt_jw_free(struct vbt_jw *w);

#endif
