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
#include <stdio.h>
#include <string.h>

struct vbt_jw {
	char *buf;
	size_t len, cap;
	bool fields;			/* a field was written: next needs ',' */
	bool oom;
};

/*
 * The pieces every field is made of.  The field writers below are inline
 * so that a literal key's length and copy are worked out at compile time:
 * a record is some thirty fields, written hundreds of thousands of times
 * a second when streaming.
 */
bool vbt_jw_grow(struct vbt_jw *w, size_t n);
void vbt_jw_put_escaped(struct vbt_jw *w, const char *s);
void vbt_jw_put_num(struct vbt_jw *w, uint64_t v, bool neg);

/* Room for n more bytes and a NUL; false once memory ran out. */
static inline bool vbt_jw_room(struct vbt_jw *w, size_t n)
{
	return w->len + n + 1 <= w->cap || vbt_jw_grow(w, n);
}

static inline void vbt_jw_put(struct vbt_jw *w, const char *s, size_t n)
{
	if (!vbt_jw_room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

/*
 * Keys are the callers' own literals (plain ASCII names, never input):
 * copied as they are, with their quotes and colon.
 */
static inline void vbt_jw_key(struct vbt_jw *w, const char *k)
{
	size_t n = strlen(k);

	if (!vbt_jw_room(w, n + 4))
		return;
	if (w->fields)
		w->buf[w->len++] = ',';
	w->fields = true;
	w->buf[w->len++] = '"';
	memcpy(w->buf + w->len, k, n);
	w->len += n;
	w->buf[w->len++] = '"';
	w->buf[w->len++] = ':';
}

void vbt_jw_begin(struct vbt_jw *w);

/* @s NULL writes null. */
static inline void vbt_jw_str(struct vbt_jw *w, const char *k, const char *s)
{
	vbt_jw_key(w, k);
	if (s)
		vbt_jw_put_escaped(w, s);
	else
		vbt_jw_put(w, "null", 4);
}

static inline void vbt_jw_int(struct vbt_jw *w, const char *k, int64_t v)
{
	vbt_jw_key(w, k);
	/* -(v + 1) + 1: INT64_MIN has no positive int64_t */
	vbt_jw_put_num(w, v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v, v < 0);
}

static inline void vbt_jw_u64(struct vbt_jw *w, const char *k, uint64_t v)
{
	vbt_jw_key(w, k);
	vbt_jw_put_num(w, v, false);
}

static inline void vbt_jw_bool(struct vbt_jw *w, const char *k, bool v)
{
	vbt_jw_key(w, k);
	vbt_jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

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
 * Close the object; the NUL-terminated text stays in w->buf (w->len
 * bytes) until the next vbt_jw_begin().  NULL when memory ran out.
 */
const char *vbt_jw_finish(struct vbt_jw *w);
/* vbt_jw_finish(), with the length in *@len. */
const char *vbt_jw_close(struct vbt_jw *w, size_t *len);
/* Free a reused writer's buffer. */
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
