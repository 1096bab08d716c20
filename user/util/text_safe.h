/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one sanitiser for text that reaches a terminal, a log or a report:
 * process names, file and disk names, VM names, anything read from /proc,
 * a guest or a bundle.  Such strings may hold ESC sequences (a comm of
 * "\e]0;...\a" retitles root's terminal, "\e[2J" wipes it), newlines that
 * forge log lines, C1 controls (U+0080..U+009F, 8-bit CSI), invalid UTF-8
 * and bidirectional overrides that make text read differently from what it
 * is.  All of them come out as visible escapes; printable ASCII and valid
 * UTF-8 text pass unchanged.
 */
#ifndef VBT_TEXT_SAFE_H
#define VBT_TEXT_SAFE_H

#include <stddef.h>

enum {
	VBT_TS_QUOTE = 1,	/* also escape '\\' and '"' (inside "...") */
	VBT_TS_REPLACE = 2,	/* '?' per bad byte instead of \xNN: never
				 * longer than the input, may run in place */
	VBT_TS_TAB = 4,		/* keep TAB as is */
};

/*
 * Sanitise N bytes of IN (NUL bytes included, as \x00) into OUT of OUTLEN
 * bytes, always NUL-terminated when OUTLEN > 0.  '\n' becomes "\n".
 * Returns the length the whole result needs (without the NUL).
 */
size_t vbt_text_safe_n(const char *in, size_t n, char *out, size_t outlen,
		       unsigned int flags);
/* The same for a NUL-terminated string. */
size_t vbt_text_safe(const char *in, char *out, size_t outlen,
		     unsigned int flags);
/*
 * For printf arguments: S sanitised into one of a few rotating per-thread
 * buffers (valid until eight more calls), truncated with "..." when long.
 * NULL stays NULL.
 */
const char *vbt_ts(const char *s);

#endif
