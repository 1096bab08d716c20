/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unit tests' corpus: tests/unit/corpus/DIR/NAME, found next to the
 * test's source (@src, its __FILE__) or, for a binary moved away from its
 * sources, from the binary (build/tests/unit/X -> tests/unit/corpus).
 */
#ifndef VBT_TEST_CORPUS_H
#define VBT_TEST_CORPUS_H

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static inline const char *vbt_corpus_path(const char *src, const char *dir,
					  const char *name)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX], here[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	snprintf(here, sizeof(here), "%s", src);
	snprintf(path, sizeof(path), "%s/corpus/%s/%s", dirname(here), dir,
		 name);
	if (!access(path, R_OK))
		return path;
	snprintf(path, sizeof(path), "%s/tests/unit/corpus/%s/%s",
		 dirname(dirname(dirname(dirname(exe)))), dir, name);
	return path;
}

#endif
