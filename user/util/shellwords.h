/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shell words, split as a POSIX shell would and nothing more: nothing is
 * expanded, no command is run.  Blanks (space, tab, newline, CR, VT, FF)
 * separate words; '...' quotes every byte; "..." quotes all but a
 * backslash before " \ $ or `, which it escapes; outside quotes a
 * backslash escapes the next byte, and backslash-newline joins two lines.
 * A quote left open is an error, never a guess at where it ends: both
 * --alert-exec commands and command lines pasted into doctor go through
 * here.
 */
#ifndef VBT_SHELLWORDS_H
#define VBT_SHELLWORDS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Split @len bytes of @s into words, each NUL-terminated, one after the
 * other in @out, which must hold @len + 1 bytes.  Returns the bytes
 * written (0: no word), or -EINVAL with a message in @err for a quote
 * left open.
 */
ssize_t vbt_shell_split(const char *s, size_t len, char *out, char *err,
			size_t errlen);

#endif
