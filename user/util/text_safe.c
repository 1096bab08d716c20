// SPDX-License-Identifier: GPL-2.0
/* The one sanitiser for hostile strings in text output (see text_safe.h). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/text_safe.h"

/* Length of a valid UTF-8 sequence at S (at most N bytes), else 0. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t need;
	uint32_t c;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	need = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (need > n)
		return 0;
	c = s[0] & (0x7f >> need);
	for (size_t k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[k] & 0x3f);
	}
	/* overlong, surrogates, beyond U+10FFFF */
	if ((need == 3 && c < 0x800) || (need == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return need;
}

/* C1 controls and the bidirectional embeddings, overrides and isolates. */
static bool bad_codepoint(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

size_t vbt_text_safe_n(const char *in, size_t n, char *out, size_t outlen,
		       unsigned int flags)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, i = 0;

#define PUT(ch) do { if (o + 1 < outlen) out[o] = (ch); o++; } while (0)
	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp = 0;
		size_t u;

		if (c >= 0x20 && c < 0x7f) {
			if ((flags & VBT_TS_QUOTE) && (c == '\\' || c == '"'))
				PUT('\\');
			PUT(c);
			i++;
			continue;
		}
		if (c == '\t' && (flags & VBT_TS_TAB)) {
			PUT(c);
			i++;
			continue;
		}
		u = c >= 0x80 ? utf8_len(s + i, n - i, &cp) : 0;
		if (u && !bad_codepoint(cp)) {
			for (size_t k = 0; k < u; k++)
				PUT(s[i + k]);
			i += u;
			continue;
		}
		/* One escape per byte of a bad sequence. */
		if (!u)
			u = 1;
		for (size_t k = 0; k < u; k++, i++) {
			if (flags & VBT_TS_REPLACE) {
				PUT('?');
			} else if (s[i] == '\n') {
				PUT('\\');
				PUT('n');
			} else {
				PUT('\\');
				PUT('x');
				PUT(hex[s[i] >> 4]);
				PUT(hex[s[i] & 15]);
			}
		}
	}
#undef PUT
	if (outlen)
		out[o < outlen ? o : outlen - 1] = 0;
	return o;
}

size_t vbt_text_safe(const char *in, char *out, size_t outlen,
		     unsigned int flags)
{
	return vbt_text_safe_n(in, in ? strlen(in) : 0, out, outlen, flags);
}

const char *vbt_ts(const char *s)
{
	static __thread char bufs[8][4096];
	static __thread unsigned int next;
	char *b;

	if (!s)
		return NULL;
	b = bufs[next++ % 8];
	if (vbt_text_safe(s, b, sizeof(bufs[0]), 0) >= sizeof(bufs[0]))
		memcpy(b + sizeof(bufs[0]) - 4, "...", 4);
	return b;
}
