/* SPDX-License-Identifier: GPL-2.0 */
/* What the doctor unit tests share: loading a corpus file, counting and
 * expecting findings.  Include after kselftest_harness.h. */
#ifndef VBT_DOCTOR_TEST_H
#define VBT_DOCTOR_TEST_H

#include <stdio.h>
#include <string.h>

#include "corpus.h"
#include "diagnose/doctor.h"

static inline int load(struct dr_config *c, const char *name)
{
	char err[256] = "";
	int r;

	memset(c, 0, sizeof(*c));
	r = dr_config_from_file(c, vbt_corpus_path(__FILE__, "doctor", name),
				false, err, sizeof(err));
	if (r)
		fprintf(stderr, "%s: %s\n", name, err);
	return r;
}

static inline int count(const struct dr_report *r, const char *rule)
{
	int n = 0;

	for (int i = 0; i < r->n; i++)
		n += !strcmp(r->f[i].rule, rule);
	return n;
}

#define EXPECT_FINDING(r, rule, want, subj) do {			\
		const struct dr_finding *_f = dr_find(r, rule, subj);	\
		EXPECT_NE(NULL, _f);					\
		if (_f)							\
			EXPECT_EQ(want, _f->sev);			\
	} while (0)

#endif
