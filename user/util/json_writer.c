// SPDX-License-Identifier: GPL-2.0
/*
 * One flat JSON object, written as json-c would (json_writer.h).  Every
 * record streamed with --all passes through here, so the common case is
 * kept to a capacity check and a memcpy per piece: strings are scanned
 * for the few bytes JSON escapes and copied in runs, numbers are
 * converted without printf.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_writer.h"

/* Room for n more bytes and the NUL; false (and oom) when there is none. */
bool vbt_jw_grow(struct vbt_jw *w, size_t n)
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

static inline void putc1(struct vbt_jw *w, char c)
{
	if (!vbt_jw_room(w, 1))
		return;
	w->buf[w->len++] = c;
}

/*
 * What json-c's json_escape_str() writes for a byte, without '/'
 * escaping (NOSLASHESCAPE): 0 copies it, a letter is a two-character
 * escape, 'u' is \u00XX.
 */
static const char escape[256] = {
	['\b'] = 'b', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't', ['\f'] = 'f',
	['"'] = '"', ['\\'] = '\\',
	[0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u',
	[0x06] = 'u', [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u',
	[0x10] = 'u', [0x11] = 'u', [0x12] = 'u', [0x13] = 'u', [0x14] = 'u',
	[0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u', [0x19] = 'u',
	[0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u', [0x1e] = 'u',
	[0x1f] = 'u',
};

void vbt_jw_put_escaped(struct vbt_jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	putc1(w, '"');
	for (; *s; s++) {
		unsigned char c = *s;
		char esc[6] = { '\\', escape[c] };

		if (!esc[1])
			continue;
		vbt_jw_put(w, run, s - run);
		if (esc[1] == 'u') {
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			vbt_jw_put(w, esc, 6);
		} else {
			vbt_jw_put(w, esc, 2);
		}
		run = s + 1;
	}
	vbt_jw_put(w, run, s - run);
	putc1(w, '"');
}

void vbt_jw_put_num(struct vbt_jw *w, uint64_t v, bool neg)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	char num[24], *p = num + sizeof(num);

	/* Two digits per division: mono_ns and sectors are long. */
	while (v >= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * v, 2);
	} else {
		*--p = '0' + v;
	}
	if (neg)
		*--p = '-';
	vbt_jw_put(w, p, num + sizeof(num) - p);
}

void vbt_jw_begin(struct vbt_jw *w)
{
	w->len = 0;
	w->fields = false;
	w->oom = false;
	putc1(w, '{');
}

void vbt_jw_strv(struct vbt_jw *w, const char *k, const char *const *v,
		 int n)
{
	vbt_jw_key(w, k);
	putc1(w, '[');
	for (int i = 0; i < n; i++) {
		if (i)
			putc1(w, ',');
		vbt_jw_put_escaped(w, v[i]);
	}
	putc1(w, ']');
}

void vbt_jw_double(struct vbt_jw *w, const char *k, double v)
{
	char num[64];
	int n;

	vbt_jw_key(w, k);
	/* json-c 0.16's json_object_double_to_json_string_format() */
	if (isnan(v)) {
		vbt_jw_put(w, "NaN", 3);
		return;
	}
	if (isinf(v)) {
		vbt_jw_put(w, v > 0 ? "Infinity" : "-Infinity", v > 0 ? 8 : 9);
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
	vbt_jw_put(w, num, n);
}

void vbt_jw_raw(struct vbt_jw *w, const char *k, const char *json,
		size_t len)
{
	vbt_jw_key(w, k);
	vbt_jw_put(w, json, len);
}

const char *vbt_jw_finish(struct vbt_jw *w)
{
	putc1(w, '}');
	if (w->oom)
		return NULL;
	w->buf[w->len] = 0;	/* room() always leaves a byte for it */
	return w->buf;
}

const char *vbt_jw_close(struct vbt_jw *w, size_t *len)
{
	const char *out = vbt_jw_finish(w);

	*len = w->len;
	return out;
}

char *vbt_jw_end(struct vbt_jw *w)
{
	char *out = (char *)vbt_jw_finish(w);

	if (!out)
		free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
	return out;
}

void vbt_jw_free(struct vbt_jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
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
		vbt_jw_put(&p->w, sep_indent, 2 + 2 * d);
	else
		vbt_jw_put(&p->w, sep_indent + 2, 2 * d);
	p->had[d - 1] = true;
	if (k && !p->array[d - 1]) {
		vbt_jw_put_escaped(&p->w, k);
		vbt_jw_put(&p->w, ":", 1);
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
	vbt_jw_put(&p->w, array ? "[\n" : "{\n", 2);
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
		vbt_jw_put(&p->w, sep_indent + 1, 1 + 2 * d);
	else
		vbt_jw_put(&p->w, sep_indent + 2, 2 * d);
	vbt_jw_put(&p->w, p->array[d] ? "]" : "}", 1);
	p->depth = d;
}

void vbt_jpw_str(struct vbt_jpw *p, const char *k, const char *s)
{
	jpw_member(p, k);
	if (s)
		vbt_jw_put_escaped(&p->w, s);
	else
		vbt_jw_put(&p->w, "null", 4);
}

void vbt_jpw_int(struct vbt_jpw *p, const char *k, int64_t v)
{
	jpw_member(p, k);
	vbt_jw_put_num(&p->w, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
}

void vbt_jpw_u64(struct vbt_jpw *p, const char *k, uint64_t v)
{
	jpw_member(p, k);
	vbt_jw_put_num(&p->w, v, false);
}

void vbt_jpw_bool(struct vbt_jpw *p, const char *k, bool v)
{
	jpw_member(p, k);
	vbt_jw_put(&p->w, v ? "true" : "false", v ? 4 : 5);
}

int vbt_jpw_finish(struct vbt_jpw *p)
{
	vbt_jw_put(&p->w, "\n", 1);
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
