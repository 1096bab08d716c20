// SPDX-License-Identifier: GPL-2.0
/*
 * The HTML report page, assembled where every stage may be used: the
 * report model of each side (sink), the correlation (correlate) and
 * doctor's findings on the bundle's QEMU command lines (diagnose), which
 * the page reuses to say what to change.  doctor runs with no probe of
 * this machine: the bundle was recorded on another one.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd/report_page.h"
#include "diagnose/doctor.h"
#include "sink/report_render.h"
#include "util/json.h"

#define MAX_ADVICE 256

/* The recorded argv of a VM as the NUL-separated bytes doctor reads. */
static char *argv_bytes(struct json_object *argv, size_t *len)
{
	size_t n = argv && json_object_is_type(argv, json_type_array) ?
		   json_object_array_length(argv) : 0, used = 0, cap = 1;
	char *buf;

	for (size_t i = 0; i < n; i++)
		cap += json_object_get_string_len(
			json_object_array_get_idx(argv, i)) + 1;
	buf = n ? malloc(cap) : NULL;
	if (!buf)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(argv, i);
		const char *s = json_object_get_string(a);
		size_t l = json_object_get_string_len(a);

		if (!s || memchr(s, 0, l))	/* hostile: NUL inside */
			continue;
		memcpy(buf + used, s, l + 1);
		used += l + 1;
	}
	*len = used;
	return buf;
}

static void diagnose_vm(struct json_object *vm, struct vbt_report_advice *a,
			int *n)
{
	const char *name = vbt_jstr(vm, "name");
	struct dr_config c = { 0 };
	struct dr_report r = { 0 };
	struct dr_env env = { .local = false, .io_uring = -1 };
	char err[256];
	size_t len = 0;
	char *argv = argv_bytes(vbt_jget(vm, "argv"), &len);

	if (!argv)
		return;
	if (!dr_config_from_cmdline(&c, argv, len, err, sizeof(err))) {
		dr_diagnose(&c, &env, &r);
		for (int i = 0; i < r.n && *n < MAX_ADVICE; i++) {
			struct vbt_report_advice *x = &a[(*n)++];

			snprintf(x->rule, sizeof(x->rule), "%s", r.f[i].rule);
			x->sev = r.f[i].sev == DR_ERROR ? 2 :
				 r.f[i].sev == DR_WARNING ? 1 : 0;
			snprintf(x->vm, sizeof(x->vm), "%s", name ? name : "");
			snprintf(x->subject, sizeof(x->subject), "%s",
				 r.f[i].subject);
			snprintf(x->title, sizeof(x->title), "%s",
				 r.f[i].title ? r.f[i].title : "");
			snprintf(x->todo, sizeof(x->todo), "%s",
				 r.f[i].todo ? r.f[i].todo : "");
		}
		dr_report_free(&r);
	}
	dr_config_free(&c);
	free(argv);
}

/* doctor on each VM of the host facts (a merge: only its VM). */
static int advise(struct json_object *facts, const char *only,
		  struct vbt_report_advice *a)
{
	struct json_object *qemu = vbt_jget(facts, "qemu");
	size_t nvm = qemu && json_object_is_type(qemu, json_type_array) ?
		     json_object_array_length(qemu) : 0;
	int n = 0;

	for (size_t i = 0; i < nvm; i++) {
		struct json_object *vm = json_object_array_get_idx(qemu, i);
		const char *name = vbt_jstr(vm, "name");

		if (only && (!name || strcmp(name, only)))
			continue;
		diagnose_vm(vm, a, &n);
	}
	return n;
}

int vbt_report_page(const struct vbt_input *in, const struct vbt_input *host,
		    const struct vbt_correlation *c, const char *name,
		    const char *host_name, FILE *f)
{
	struct vbt_report r, hr;
	struct vbt_page p = {
		.r = &r, .c = c, .names = { name, host_name },
	};
	struct vbt_report_advice *a = calloc(MAX_ADVICE, sizeof(*a));
	const struct vbt_input *hin = host ? host :
				      in->side == VBT_SIDE_HOST ? in : NULL;
	int ret = -1;

	if (!a)
		return -1;
	if (vbt_report_build(in, &r))
		goto out;
	if (host && vbt_report_build(host, &hr)) {
		vbt_report_free(&r);
		goto out;
	}
	if (host)
		p.host = &hr;
	if (hin)
		p.nadvice = advise(hin->facts, c && c->vm[0] ? c->vm : NULL, a);
	p.advice = a;
	ret = vbt_page_html(&p, f);
	if (host)
		vbt_report_free(&hr);
	vbt_report_free(&r);
out:
	free(a);
	return ret;
}
