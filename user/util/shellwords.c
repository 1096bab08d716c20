// SPDX-License-Identifier: GPL-2.0
/* Shell words (shellwords.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "util/errmsg.h"
#include "util/shellwords.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\v' || c == '\f';
}

ssize_t vbt_shell_split(const char *s, size_t len, char *out, char *err,
			size_t errlen)
{
	bool inword = false;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		size_t open = i;
		char ch = s[i];

		if (ch == '\\' && i + 1 < len) {
			if (s[++i] == '\n')
				continue;	/* a continued line */
			out[o++] = s[i];
			inword = true;
		} else if (ch == '\'' || ch == '"') {
			while (++i < len && s[i] != ch) {
				if (ch == '"' && s[i] == '\\' && i + 1 < len &&
				    strchr("\"\\$`", s[i + 1]))
					i++;
				out[o++] = s[i];
			}
			if (i == len)
				return vbt_seterr(err, errlen, -EINVAL,
						  "unterminated %c quote "
						  "opened at byte %zu", ch,
						  open);
			inword = true;
		} else if (blank(ch)) {
			if (inword)
				out[o++] = '\0';
			inword = false;
		} else {
			out[o++] = ch;
			inword = true;
		}
	}
	if (inword)
		out[o++] = '\0';
	return o;
}
