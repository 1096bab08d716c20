// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace bundle: record for a while (guest or host side, as live
 * decides) or take an existing recording (--from), collect the facts of
 * this machine, and write the bug-report bundle of docs/bundle.md:
 * MANIFEST.json, events.jsonl, facts.json, summary.txt in a .tar.gz, mode
 * 0600, written atomically.  Secrets are redacted before anything is
 * packed, and every member is scrubbed of the redacted values once more.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd/commands.h"
#include "decode/bundle_input.h"
#include "redact/redact.h"
#include "util/msg.h"
#include "session.h"
#include "sink/bundle.h"
#include "sink/report_render.h"
#include "system/facts.h"
#include "system/qemu/qemu.h"
#include "system/vmtrack.h"
#include "util/json.h"

struct stamp {
	uint64_t real_ns, mono_ns;
};

static void usage(const char *cmd)
{
	printf("Usage: vblktrace %s -o FILE.tar.gz [OPTIONS]\n"
	       "Record failed I/O (guest or host side, as 'vblktrace live' decides)\n"
	       "and write a bug-report bundle: MANIFEST.json, events.jsonl,\n"
	       "facts.json (kernel, disks, QEMU processes and drives on a host) and\n"
	       "summary.txt.  Secrets (passwords, keys, -object secret data, URL\n"
	       "credentials, libvirt <auth>) are replaced by <redacted>.\n\n"
	       "  -o, --output FILE    the bundle to write (mode 0600, atomically)\n"
	       "      --from FILE      pack this recording (JSON Lines) instead of\n"
	       "                       recording; facts are of this machine\n"
	       "  -t, --duration SEC   stop recording after SEC seconds (else Ctrl-C)\n"
	       "  -d, --disk NAME      only this disk (repeatable)\n"
	       "  -p, --pid PID        guest: only this process; host: also watch it\n"
	       "  -a, --all            every completion, not only failures\n"
	       "      --stuck SEC      record requests in flight over SEC seconds\n"
	       "                       (default 5; 0: off)\n"
	       "  -j, --json           show events as JSON Lines while recording\n"
	       "      --side auto|guest|host   (default auto)\n"
	       "      --driver auto|bpf|kmod   event source (default auto)\n"
	       "      --no-color       never colour the output\n"
	       "  -v, --verbose        say more about probing and attaching\n\n"
	       "Exit status: 0 ok, 1 runtime failure, 2 usage error,\n"
	       "3 missing privilege or kernel feature.\n", cmd);
}

static struct stamp now_stamp(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return (struct stamp){
		.real_ns = r.tv_sec * 1000000000ULL + r.tv_nsec,
		.mono_ns = m.tv_sec * 1000000000ULL + m.tv_nsec,
	};
}

static const struct vbt_session_hooks guest_hooks = {
	.side = VBT_SIDE_GUEST,
	.what = "failed block requests (for a bundle)",
};

/* Take --from FILE out of argv: the common parser does not know it. */
static int take_from(int *argc, char **argv, const char **from)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--from")) {
			if (i + 1 >= *argc) {
				return vbt_usage_error("--from needs a file");
			}
			*from = argv[++i];
			continue;
		}
		if (!strncmp(argv[i], "--from=", 7)) {
			*from = argv[i] + 7;
			continue;
		}
		argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

static struct json_object *stamp_json(struct stamp s)
{
	struct json_object *o = json_object_new_object();
	char ts[48];

	vbt_format_rfc3339(s.real_ns, ts, sizeof(ts));
	json_object_object_add(o, "ts", json_object_new_string(ts));
	json_object_object_add(o, "mono_ns", json_object_new_uint64(s.mono_ns));
	return o;
}

static struct json_object *manifest(int side, struct stamp start,
				    struct stamp end, int argc, char **argv,
				    const struct vbt_recording *rec,
				    struct vbt_redactions *r, const char *from)
{
	struct json_object *o = json_object_new_object();
	struct json_object *span = json_object_new_object();
	struct json_object *cmd = json_object_new_array();
	struct json_object *red = json_object_new_array();
	struct json_object *members = json_object_new_array();
	static const char *const names[] = { "MANIFEST.json", "events.jsonl",
					     "facts.json", "summary.txt" };
	uint64_t errors = 0, lost = 0;
	const char *prev = NULL;

	json_object_array_add(cmd, json_object_new_string("vblktrace"));
	for (int i = 0; i < argc; i++) {
		char *a = vbt_redact_arg(r, prev, argv[i],
					 "vblktrace command line");

		json_object_array_add(cmd, json_object_new_string(a ? a : ""));
		free(a);
		prev = argv[i][0] == '-' ? argv[i] : NULL;
	}
	for (size_t i = 0; i < rec->n; i++) {
		if (rec->ev[i].ev.kind == VBT_KIND_LOST)
			lost += rec->ev[i].ev.lost;
		else if (rec->ev[i].ev.err)
			errors++;
	}
	json_object_object_add(o, "format",
			       json_object_new_string(VBT_BUNDLE_FORMAT));
	json_object_object_add(o, "format_version",
			       json_object_new_int(VBT_BUNDLE_VERSION));
	json_object_object_add(o, "event_format_version",
			       json_object_new_int(VBT_REC_VERSION));
	json_object_object_add(o, "tool", json_object_new_string("vblktrace"));
	json_object_object_add(o, "tool_version", json_object_new_string(
		VBT_VERSION " (" VBT_GIT_REV ")"));
	json_object_object_add(o, "side", json_object_new_string(
		side == VBT_SIDE_HOST ? "host" : "guest"));
	json_object_object_add(span, "start", stamp_json(start));
	json_object_object_add(span, "end", stamp_json(end));
	json_object_object_add(o, "span", span);
	/* realtime = mono + this, on the recording machine */
	json_object_object_add(o, "mono_to_real_ns", json_object_new_int64(
		(int64_t)(end.real_ns - end.mono_ns)));
	if (rec->n) {
		struct json_object *ev = json_object_new_object();

		json_object_object_add(ev, "first", stamp_json((struct stamp){
			rec->first_real_ns, rec->first_mono_ns }));
		json_object_object_add(ev, "last", stamp_json((struct stamp){
			rec->last_real_ns, rec->last_mono_ns }));
		json_object_object_add(o, "events_span", ev);
	}
	json_object_object_add(o, "from_recording", from ?
			       json_object_new_boolean(1) : NULL);
	json_object_object_add(o, "command_line", cmd);
	json_object_object_add(o, "events", json_object_new_uint64(rec->n));
	json_object_object_add(o, "errors", json_object_new_uint64(errors));
	json_object_object_add(o, "lost", json_object_new_uint64(lost));
	for (int i = 0; i < r->nwhat; i++)
		json_object_array_add(red, json_object_new_string(r->what[i]));
	json_object_object_add(o, "redacted", red);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_object_array_add(members, json_object_new_string(names[i]));
	json_object_object_add(o, "members", members);
	return o;
}

static char *summary_text(int side, struct json_object *man,
			  struct json_object *facts,
			  const struct vbt_recording *rec)
{
	struct vbt_input in = {
		.is_bundle = true, .side = side, .manifest = man,
		.facts = facts, .rec = *rec,
	};
	struct vbt_report rep;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (!vbt_report_build(&in, &rep)) {
		vbt_report_text(&rep, f);
		vbt_report_free(&rep);
	}
	fclose(f);
	return buf;
}

/* One member, scrubbed of every redacted value. */
static int add_member(struct vbt_member *m, char **keep, const char *name,
		      const char *data, size_t len,
		      const struct vbt_redactions *r)
{
	size_t n = 0;

	*keep = vbt_redact_scrub(r, data ? data : "", data ? len : 0, &n);
	if (!*keep)
		return -ENOMEM;
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->data = *keep;
	m->len = n;
	return 0;
}

static int write_bundle(const char *path, int side, struct stamp start,
			struct stamp end, int argc, char **argv,
			const char *events, size_t events_len,
			const struct vbt_recording *rec,
			struct json_object *facts, struct vbt_redactions *r,
			const char *from)
{
	struct json_object *man;
	struct vbt_member m[4];
	char *keep[4] = { NULL }, *sum, err[300];
	const char *js;
	int ret = 0;

	man = manifest(side, start, end, argc, argv, rec, r, from);
	sum = summary_text(side, man, facts, rec);
	js = json_object_to_json_string_ext(man, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE);
	ret |= add_member(&m[0], &keep[0], "MANIFEST.json", js, strlen(js), r);
	ret |= add_member(&m[1], &keep[1], "events.jsonl", events, events_len,
			  r);
	js = json_object_to_json_string_ext(facts, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE);
	ret |= add_member(&m[2], &keep[2], "facts.json", js, strlen(js), r);
	ret |= add_member(&m[3], &keep[3], "summary.txt", sum,
			  sum ? strlen(sum) : 0, r);
	if (ret) {
		vbt_msg("out of memory\n");
	} else if (vbt_archive_write(path, m, 4, end.real_ns / 1000000000ULL,
				     err, sizeof(err))) {
		vbt_msg("%s\n", err);
		ret = -1;
	} else {
		vbt_msg("wrote %s: %s side, %zu events, "
			"%lld failed, %d redaction%s\n", path,
			side == VBT_SIDE_HOST ? "host" : "guest", rec->n,
			(long long)json_object_get_int64(vbt_jget(man, "errors")),
			r->nwhat, r->nwhat == 1 ? "" : "s");
	}
	for (int i = 0; i < 4; i++)
		free(keep[i]);
	free(sum);
	json_object_put(man);
	return ret ? VBT_EXIT_RUNTIME : VBT_EXIT_OK;
}

/* The recording, read back strictly: a bundle never holds what report rejects. */
static int load_recording(const char *path, char **buf, size_t *len,
			  struct vbt_recording *rec)
{
	char err[300];
	int ret;

	ret = vbt_read_file_max(path, VBT_REC_MAX_BYTES, buf, len);
	if (ret) {
		vbt_msg("cannot read %s: %s\n", path,
			ret == -EFBIG ? "too large" : strerror(-ret));
		return VBT_EXIT_RUNTIME;
	}
	if (vbt_rec_load_mem(*buf, *len, rec, err, sizeof(err))) {
		vbt_msg("%s: %s\n", path, err);
		free(*buf);
		*buf = NULL;
		return VBT_EXIT_RUNTIME;
	}
	return 0;
}

/* Record through a session into a temporary file next to the bundle. */
static int record(struct vbt_session *s, int side, char *tmp)
{
	int fd = mkostemp(tmp, O_CLOEXEC), ret;

	if (fd < 0) {
		vbt_msg("cannot create %s: %s\n", tmp,
			strerror(errno));
		return VBT_EXIT_RUNTIME;
	}
	close(fd);
	s->opts.output = tmp;
	if (side == VBT_SIDE_HOST)
		ret = vbt_host_run(s);
	else
		ret = vbt_session_run(s, &guest_hooks);
	return ret;
}

int cmd_bundle(int argc, char **argv)
{
	const char *from = NULL, *path;
	struct vbt_redactions red;
	struct vbt_recording rec = { 0 };
	struct json_object *facts;
	struct vbt_session s;
	struct stamp start, end;
	char *tmp = NULL, *events = NULL, **typed;
	size_t events_len = 0;
	int ret, side, typed_argc = argc;

	/* The manifest keeps the command line as typed, --from included. */
	typed = calloc(argc + 1, sizeof(*typed));
	if (!typed)
		return VBT_EXIT_RUNTIME;
	memcpy(typed, argv, argc * sizeof(*typed));
	ret = take_from(&argc, argv, &from);
	if (ret) {
		free(typed);
		return ret;
	}
	ret = vbt_session_parse(&s, argc, argv, "bundle", usage);
	if (ret) {
		free(typed);
		return ret < 0 ? VBT_EXIT_OK : ret;
	}
	path = s.opts.output;
	if (!path) {
		free(typed);
		return vbt_usage_error("-o FILE.tar.gz is required");
	}
	side = s.opts.side == VBT_SIDE_OPT_HOST ? VBT_SIDE_HOST :
	       s.opts.side == VBT_SIDE_OPT_GUEST ? VBT_SIDE_GUEST :
	       !from && vbt_qemu_running() ? VBT_SIDE_HOST : VBT_SIDE_GUEST;
	vbt_redact_init(&red);
	/* Facts first: a VM may be gone by the time recording stops. */
	facts = vbt_facts_collect(side, &red);
	start = now_stamp();
	if (from) {
		ret = load_recording(from, &events, &events_len, &rec);
		if (!ret && rec.sides == 3) {
			vbt_msg("%s mixes guest and host "
				"events\n", from);
			ret = VBT_EXIT_RUNTIME;
		}
		if (!ret && rec.sides && s.opts.side == VBT_SIDE_AUTO) {
			side = rec.sides == 2 ? VBT_SIDE_HOST : VBT_SIDE_GUEST;
			json_object_object_add(facts, "side",
				json_object_new_string(side == VBT_SIDE_HOST ?
						       "host" : "guest"));
		}
		if (!ret && rec.n) {
			start.real_ns = rec.first_real_ns;
			start.mono_ns = rec.first_mono_ns;
		}
	} else {
		if (asprintf(&tmp, "%s.events.XXXXXX", path) < 0) {
			ret = VBT_EXIT_RUNTIME;
			goto out;
		}
		ret = record(&s, side, tmp);
		if (!ret)
			ret = load_recording(tmp, &events, &events_len, &rec);
		unlink(tmp);
	}
	end = now_stamp();
	if (from && rec.n) {
		end.real_ns = rec.last_real_ns;
		end.mono_ns = rec.last_mono_ns;
	}
	if (ret)
		goto out;
	if (side == VBT_SIDE_HOST && !from)
		vbt_facts_add_vms(facts, &red);
	ret = write_bundle(path, side, start, end, typed_argc, typed, events,
			   events_len, &rec, facts, &red, from);
out:
	free(typed);
	free(tmp);
	free(events);
	vbt_rec_free(&rec);
	json_object_put(facts);
	vbt_redact_free(&red);
	return ret;
}
