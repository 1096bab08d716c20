/* SPDX-License-Identifier: GPL-2.0 */
/* Error messages into a caller's buffer, the convention of err/errlen. */
#ifndef VBT_ERRMSG_H
#define VBT_ERRMSG_H

#include <stddef.h>

/* Format into @err (if any) and return @ret, so a caller can 'return' it. */
int vbt_seterr(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
