// SPDX-License-Identifier: GPL-2.0
/*
 * A doctor report: the findings every rule file adds to, and the names
 * they use.  Below the rules, so that rule files can share it without
 * calling each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/doctor.h"

const char *dr_sev_name(enum dr_sev s)
{
	return s == DR_ERROR ? "error" : s == DR_WARNING ? "warning" : "info";
}

void dr_add(struct dr_report *r, const char *rule, enum dr_sev sev,
	    const char *subject, const char *title, const char *means,
	    const char *see, const char *todo)
{
	struct dr_finding *f = realloc(r->f, (r->n + 1) * sizeof(*f));

	if (!f)
		return;
	r->f = f;
	f = &r->f[r->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->rule, sizeof(f->rule), "%s", rule);
	snprintf(f->subject, sizeof(f->subject), "%s", subject ? subject : "");
	f->sev = sev;
	f->title = strdup(title);
	f->means = strdup(means ? means : "");
	f->see = strdup(see ? see : "");
	f->todo = strdup(todo ? todo : "");
}

const struct dr_finding *dr_find(const struct dr_report *r, const char *rule,
				 const char *subject_part)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].rule, rule) &&
		    (!subject_part || strstr(r->f[i].subject, subject_part)))
			return &r->f[i];
	return NULL;
}

void dr_report_free(struct dr_report *r)
{
	for (int i = 0; i < r->n; i++) {
		free(r->f[i].title);
		free(r->f[i].means);
		free(r->f[i].see);
		free(r->f[i].todo);
	}
	free(r->f);
	r->f = NULL;
	r->n = 0;
}

void dr_drive_name(const struct vbt_drive *d, char *buf, size_t len)
{
	const char *id = d->id ? d->id : d->drive;

	if (!id) {	/* libvirt XML before define: the target names it */
		snprintf(buf, len, "%s%s%s%s", d->target ? d->target : "drive",
			 d->image ? " (" : "", d->image ? d->image : "",
			 d->image ? ")" : "");
		return;
	}
	if (d->target && d->image)
		snprintf(buf, len, "%s (%s, %s)", id, d->target, d->image);
	else if (d->target || d->image)
		snprintf(buf, len, "%s (%s)", id,
			 d->target ? d->target : d->image);
	else
		snprintf(buf, len, "%s", id);
}

