/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing one flat JSON object straight into a buffer, for the records
 * vblktrace emits at up to hundreds of thousands per second: building a
 * json-c tree per record (an allocation and a hash insertion per field)
 * cost more than tracing.  The bytes are exactly json-c's
 * JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE output for the
 * same fields in the same order (tests/unit/test_format.c re-serializes
 * with json-c to check).  Reading JSON stays with json-c.
 */
#ifndef VBT_JSON_WRITER_H
#define VBT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
/* As json-c prints a double: "%.17g", and ".0" if that reads as an integer. */
void vbt_jw_double(struct vbt_jw *w, const char *key, double v);
/* @json, a value already written (a nested object), as is. */
void vbt_jw_raw(struct vbt_jw *w, const char *key, const char *json,
		size_t len);
/* The object as a malloc'd string (the caller frees it), or NULL. */
char *vbt_jw_end(struct vbt_jw *w);
/*
 * The object closed, its bytes kept in @w for the next vbt_jw_begin() to
 * reuse (no allocation per object); NULL when out of memory.  The last
 * one is released with vbt_jw_free().
 */
const char *vbt_jw_close(struct vbt_jw *w, size_t *len);
void vbt_jw_free(struct vbt_jw *w);

/*
 * A whole document streamed to a FILE, nested, in the bytes json-c's
 * JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE gives for the
 * same tree (two-space indents, "key":value), without building the tree:
 * a merge of a million joins is a gigabyte of JSON.  A @key is NULL for
 * an array's elements and the document itself.
 */
#define VBT_JPW_DEPTH	16

struct vbt_jpw {
	FILE *f;
	struct vbt_jw w;		/* pending bytes */
	int depth;
	bool had[VBT_JPW_DEPTH];	/* the container at each depth has a member */
	bool array[VBT_JPW_DEPTH];
	bool err;
};

void vbt_jpw_init(struct vbt_jpw *p, FILE *f);
void vbt_jpw_obj(struct vbt_jpw *p, const char *key);
void vbt_jpw_arr(struct vbt_jpw *p, const char *key);
void vbt_jpw_end(struct vbt_jpw *p);	/* of the innermost object or array */
void vbt_jpw_str(struct vbt_jpw *p, const char *key, const char *s);
void vbt_jpw_int(struct vbt_jpw *p, const char *key, int64_t v);
void vbt_jpw_u64(struct vbt_jpw *p, const char *key, uint64_t v);
void vbt_jpw_bool(struct vbt_jpw *p, const char *key, bool v);
/* The last newline, everything written out; 0 or -1 (write error, OOM). */
int vbt_jpw_finish(struct vbt_jpw *p);

#endif
