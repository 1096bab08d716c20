// SPDX-License-Identifier: GPL-2.0
/* One flat JSON object, written as json-c would (json_writer.h). */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_writer.h"

static bool grow(struct vbt_jw *w, size_t n)
{
	size_t cap = w->cap ? w->cap : 512;
	char *b;

	if (w->oom)
		return false;
	while (w->len + n + 1 > cap)
		cap *= 2;
	b = realloc(w->buf, cap);
	if (!b) {
		w->oom = true;
		return false;
	}
	w->buf = b;
	w->cap = cap;
	return true;
}

/* Called for every few bytes of a gigabyte: the common case inline. */
static inline void put(struct vbt_jw *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap && !grow(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

/* Bytes json-c escapes: controls, '"' and '\\'. */
static bool needs_escape(unsigned char c)
{
	return c < ' ' || c == '"' || c == '\\';
}

/* json-c's json_escape_str() without '/' escaping (NOSLASHESCAPE). */
static void put_escaped(struct vbt_jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	put(w, "\"", 1);
	for (; *s; s++) {
		unsigned char c = *s;
		char esc[7] = "\\";
		size_t n = 2;

		if (!needs_escape(c))
			continue;
		switch (c) {
		case '\b':
			esc[1] = 'b';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			n = 6;
		}
		put(w, run, s - run);
		put(w, esc, n);
		run = s + 1;
	}
	put(w, run, s - run);
	put(w, "\"", 1);
}

static void key(struct vbt_jw *w, const char *k)
{
	if (w->fields)
		put(w, ",", 1);
	w->fields = true;
	put_escaped(w, k);
	put(w, ":", 1);
}

void vbt_jw_begin(struct vbt_jw *w)
{
	w->len = 0;
	w->fields = false;
	w->oom = false;
	put(w, "{", 1);
}

void vbt_jw_str(struct vbt_jw *w, const char *k, const char *s)
{
	key(w, k);
	if (s)
		put_escaped(w, s);
	else
		put(w, "null", 4);
}

void vbt_jw_int(struct vbt_jw *w, const char *k, int64_t v)
{
	char num[24];

	key(w, k);
	put(w, num, snprintf(num, sizeof(num), "%" PRId64, v));
}

void vbt_jw_u64(struct vbt_jw *w, const char *k, uint64_t v)
{
	char num[24];

	key(w, k);
	put(w, num, snprintf(num, sizeof(num), "%" PRIu64, v));
}

void vbt_jw_bool(struct vbt_jw *w, const char *k, bool v)
{
	key(w, k);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void vbt_jw_strv(struct vbt_jw *w, const char *k, const char *const *v,
		 int n)
{
	key(w, k);
	put(w, "[", 1);
	for (int i = 0; i < n; i++) {
		if (i)
			put(w, ",", 1);
		put_escaped(w, v[i]);
	}
	put(w, "]", 1);
}

void vbt_jw_double(struct vbt_jw *w, const char *k, double v)
{
	char num[64];
	int n;

	key(w, k);
	/* json-c 0.16's json_object_double_to_json_string_format() */
	if (isnan(v)) {
		put(w, "NaN", 3);
		return;
	}
	if (isinf(v)) {
		put(w, v > 0 ? "Infinity" : "-Infinity", v > 0 ? 8 : 9);
		return;
	}
	n = snprintf(num, sizeof(num), "%.17g", v);
	if (n < 0 || n >= (int)sizeof(num) - 2)
		return;
	for (char *c = num; *c; c++)
		if (*c == ',')	/* a locale's decimal comma */
			*c = '.';
	if ((isdigit((unsigned char)num[0]) ||
	     (num[0] == '-' && isdigit((unsigned char)num[1]))) &&
	    !strchr(num, '.') && !strchr(num, 'e')) {
		memcpy(num + n, ".0", 3);
		n += 2;
	}
	put(w, num, n);
}

void vbt_jw_raw(struct vbt_jw *w, const char *k, const char *json,
		size_t len)
{
	key(w, k);
	put(w, json, len);
}

const char *vbt_jw_close(struct vbt_jw *w, size_t *len)
{
	put(w, "}", 1);
	*len = w->len;
	return w->oom ? NULL : w->buf;
}

void vbt_jw_free(struct vbt_jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

char *vbt_jw_end(struct vbt_jw *w)
{
	char *out;

	put(w, "}", 1);
	out = w->oom ? NULL : w->buf;
	if (!out)
		free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
	return out;
}

/* ---- pretty, streamed ---------------------------------------------------- */

#define JPW_FLUSH	(256 * 1024)

static void jpw_flush(struct vbt_jpw *p)
{
	if (p->w.len && !p->w.oom && fwrite(p->w.buf, 1, p->w.len, p->f) !=
					p->w.len)
		p->err = true;
	p->w.len = 0;
}

/* Decimal digits of @v, as json-c's "%" PRIu64. */
static void put_u64(struct vbt_jw *w, uint64_t v)
{
	char num[24], *e = num + sizeof(num), *s = e;

	do {
		*--s = '0' + v % 10;
		v /= 10;
	} while (v);
	put(w, s, e - s);
}

/* ",\n" and the indent of any depth (2 * VBT_JPW_DEPTH spaces) */
static const char sep_indent[] = ",\n                                ";

/* What comes before a member: separator, newline, indent, key. */
static void jpw_member(struct vbt_jpw *p, const char *k)
{
	int d = p->depth;

	if (p->w.len >= JPW_FLUSH)
		jpw_flush(p);
	if (!d)
		return;
	/* json-c 0.16 opens an object, like an array, with a newline */
	if (p->had[d - 1])
		put(&p->w, sep_indent, 2 + 2 * d);
	else
		put(&p->w, sep_indent + 2, 2 * d);
	p->had[d - 1] = true;
	if (k && !p->array[d - 1]) {
		put_escaped(&p->w, k);
		put(&p->w, ":", 1);
	}
}

void vbt_jpw_init(struct vbt_jpw *p, FILE *f)
{
	memset(p, 0, sizeof(*p));
	p->f = f;
}

static void jpw_open(struct vbt_jpw *p, const char *k, bool array)
{
	jpw_member(p, k);
	if (p->depth == VBT_JPW_DEPTH) {
		p->err = true;
		return;
	}
	put(&p->w, array ? "[\n" : "{\n", 2);
	p->had[p->depth] = false;
	p->array[p->depth] = array;
	p->depth++;
}

void vbt_jpw_obj(struct vbt_jpw *p, const char *k)
{
	jpw_open(p, k, false);
}

void vbt_jpw_arr(struct vbt_jpw *p, const char *k)
{
	jpw_open(p, k, true);
}

void vbt_jpw_end(struct vbt_jpw *p)
{
	int d = p->depth - 1;

	if (d < 0) {
		p->err = true;
		return;
	}
	/* json-c: an empty one still gets its indent */
	if (p->had[d])
		put(&p->w, sep_indent + 1, 1 + 2 * d);
	else
		put(&p->w, sep_indent + 2, 2 * d);
	put(&p->w, p->array[d] ? "]" : "}", 1);
	p->depth = d;
}

void vbt_jpw_str(struct vbt_jpw *p, const char *k, const char *s)
{
	jpw_member(p, k);
	if (s)
		put_escaped(&p->w, s);
	else
		put(&p->w, "null", 4);
}

void vbt_jpw_int(struct vbt_jpw *p, const char *k, int64_t v)
{
	jpw_member(p, k);
	if (v < 0) {
		put(&p->w, "-", 1);
		put_u64(&p->w, -(uint64_t)v);
	} else {
		put_u64(&p->w, v);
	}
}

void vbt_jpw_u64(struct vbt_jpw *p, const char *k, uint64_t v)
{
	jpw_member(p, k);
	put_u64(&p->w, v);
}

void vbt_jpw_bool(struct vbt_jpw *p, const char *k, bool v)
{
	jpw_member(p, k);
	put(&p->w, v ? "true" : "false", v ? 4 : 5);
}

int vbt_jpw_finish(struct vbt_jpw *p)
{
	put(&p->w, "\n", 1);
	if (p->depth)
		p->err = true;
	if (p->w.oom)
		p->err = true;
	jpw_flush(p);
	free(p->w.buf);
	p->w.buf = NULL;
	p->w.len = p->w.cap = 0;
	return p->err || ferror(p->f) ? -1 : 0;
}
