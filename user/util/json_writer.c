// SPDX-License-Identifier: GPL-2.0
/*
 * One flat JSON object, written as json-c would (json_writer.h).  Every
 * record streamed with --all passes through here, so the common case is
 * kept to a capacity check and a memcpy per piece: strings are scanned
 * for the few bytes JSON escapes and copied in runs, numbers are
 * converted without printf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_writer.h"

/* Room for n more bytes and the NUL; false (and oom) when there is none. */
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

static inline bool room(struct vbt_jw *w, size_t n)
{
	return w->len + n + 1 <= w->cap || grow(w, n);
}

static inline void put(struct vbt_jw *w, const char *s, size_t n)
{
	if (!room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void putc1(struct vbt_jw *w, char c)
{
	if (!room(w, 1))
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

static void put_escaped(struct vbt_jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	putc1(w, '"');
	for (; *s; s++) {
		unsigned char c = *s;
		char esc[6] = { '\\', escape[c] };

		if (!esc[1])
			continue;
		put(w, run, s - run);
		if (esc[1] == 'u') {
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			put(w, esc, 6);
		} else {
			put(w, esc, 2);
		}
		run = s + 1;
	}
	put(w, run, s - run);
	putc1(w, '"');
}

/*
 * Keys are the callers' own literals (plain ASCII names, never input):
 * copied as they are, in one piece with their quotes and colon.
 */
static void key(struct vbt_jw *w, const char *k)
{
	size_t n = strlen(k);

	if (!room(w, n + 4))
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

static void put_u64(struct vbt_jw *w, uint64_t v, bool neg)
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
	put(w, p, num + sizeof(num) - p);
}

void vbt_jw_begin(struct vbt_jw *w)
{
	w->len = 0;
	w->fields = false;
	w->oom = false;
	putc1(w, '{');
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
	key(w, k);
	/* -(v + 1) + 1: INT64_MIN has no positive int64_t */
	put_u64(w, v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v, v < 0);
}

void vbt_jw_u64(struct vbt_jw *w, const char *k, uint64_t v)
{
	key(w, k);
	put_u64(w, v, false);
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
	putc1(w, '[');
	for (int i = 0; i < n; i++) {
		if (i)
			putc1(w, ',');
		put_escaped(w, v[i]);
	}
	putc1(w, ']');
}

const char *vbt_jw_copy(struct vbt_jw *w, const char *s)
{
	w->len = 0;
	w->fields = false;
	w->oom = false;
	put(w, s, strlen(s));
	if (w->oom)
		return NULL;
	w->buf[w->len] = 0;
	return w->buf;
}

const char *vbt_jw_finish(struct vbt_jw *w)
{
	putc1(w, '}');
	if (w->oom)
		return NULL;
	w->buf[w->len] = 0;	/* room() always leaves a byte for it */
	return w->buf;
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
