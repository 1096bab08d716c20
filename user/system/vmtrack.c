// SPDX-License-Identifier: GPL-2.0
/* Following QEMU processes as they come and go. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "decode/clock.h"
#include "decode/event.h"
#include "system/qemu/qmp.h"
#include "system/vmtrack.h"
#include "util/msg.h"
#include "util/text_safe.h"

/* How long after an error a QEMU without libvirt status is asked. */
#define STATE_WATCH_NS	(30ULL * 1000000000ULL)
#define QMP_TIMEOUT_MS	200

#define LIBVIRT_XML_MAX (4 * 1024 * 1024)

void vbt_vmtrack_init(struct vbt_vmtrack *t, struct vbt_source *src,
		      FILE *notes)
{
	memset(t, 0, sizeof(*t));
	t->procroot = "/proc";
	t->src = src;
	t->notes = notes;
}

static bool pid_in(const struct vbt_vm *vms, int n, int pid)
{
	for (int i = 0; i < n; i++)
		if (vms[i].pid == pid)
			return true;
	return false;
}

void vbt_vm_describe(const struct vbt_vm *vm, FILE *f)
{
	if (!vm->verified)
		fprintf(f, "%s: VM %s is not believed: %s\n", vbt_prog,
			vbt_ts(vbt_vm_label(vm)),
			vm->unverified_why ? vm->unverified_why : "?");
	if (vm->libvirt_err)
		fprintf(f, "%s: VM %s: libvirt's live XML left out: %s\n",
			vbt_prog, vbt_ts(vbt_vm_label(vm)),
			vbt_ts(vm->libvirt_err));
	if (vm->backend)
		fprintf(f, "VM %s: vhost-user backend %s (pid %d) of QEMU pid "
			"%d\n", vbt_vm_label(vm) ? vbt_ts(vbt_vm_label(vm)) : "?",
			vm->backend, vm->pid, vm->backend_of);
	else
		fprintf(f, "VM %s (pid %d%s)\n",
			vbt_vm_label(vm) ? vbt_ts(vbt_vm_label(vm)) : "?",
			vm->pid, vm->inspected ? "" :
			"; /proc/PID/fd unreadable: needs CAP_SYS_PTRACE, fds and "
			"O_DIRECT not confirmed");
	for (int i = 0; i < vm->ndrives; i++) {
		const struct vbt_drive *d = &vm->drives[i];

		fprintf(f, "  %-14s %s%s%s%s (%s%s%s) aio=%s%s cache=%s%s werror=%s rerror=%s\n",
			d->id ? vbt_ts(d->id) : d->node ? vbt_ts(d->node) : "?",
			d->target ? "guest " : "",
			d->target ? vbt_ts(d->target) : "",
			d->target ? ": " : "",
			d->image ? vbt_ts(d->image) : "?",
			d->format ? vbt_ts(d->format) : "format probed",
			d->filters ? ", via " : "",
			d->filters ? vbt_ts(d->filters) : "",
			vbt_aio_name(d->aio),
			d->aio == VBT_AIO_NATIVE && vm->inspected ?
				(d->aio_confirmed ? " (AIO ring seen)" :
				 " (no AIO ring: QEMU fell back to threads?)") : "",
			d->cache ? vbt_ts(d->cache) : "?",
			d->fd_direct == 1 ? " (O_DIRECT confirmed)" :
			d->fd_direct == 0 && d->direct ?
				" (O_DIRECT configured but not set!)" : "",
			d->werror ? vbt_ts(d->werror) : "?",
			d->rerror ? vbt_ts(d->rerror) : "?");
	}
}

static struct vbt_vm_watch *watch_of(struct vbt_vmtrack *t, int pid,
				      bool add)
{
	struct vbt_vm_watch *w;

	for (int i = 0; i < t->nwatch; i++)
		if (t->watch[i].pid == pid)
			return &t->watch[i];
	if (!add)
		return NULL;
	w = realloc(t->watch, (t->nwatch + 1) * sizeof(*w));
	if (!w)
		return NULL;
	t->watch = w;
	w = &t->watch[t->nwatch++];
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	return w;
}

bool vbt_vmtrack_io_seen(struct vbt_vmtrack *t, int pid)
{
	struct vbt_vm_watch *w = watch_of(t, pid, false);

	if (!w || strcmp(w->state, "paused"))
		return false;
	snprintf(w->state, sizeof(w->state), "running");
	w->reason[0] = 0;
	return true;
}

void vbt_vmtrack_note_error(struct vbt_vmtrack *t, int pid, uint64_t now_ns)
{
	struct vbt_vm_watch *w = watch_of(t, pid, true);

	if (w)
		w->until_ns = now_ns + STATE_WATCH_NS;
}

/* query-status over the QEMU's own QMP socket: 0 with @state filled. */
static int qmp_state(struct vbt_vmtrack *t, int pid, char *state, size_t slen,
		     char *reason, size_t rlen)
{
	struct json_object *o, *run = NULL, *st = NULL;
	char path[256], err[160];
	struct vbt_qmp q;
	int ret;

	if (vbt_qmp_socket_of(t->procroot, pid, path, sizeof(path)) ||
	    vbt_qmp_open(path, QMP_TIMEOUT_MS, &q, err, sizeof(err)))
		return -1;
	o = vbt_qmp_query(&q, "query-status", err, sizeof(err));
	vbt_qmp_close(&q);
	if (!o)
		return -1;
	json_object_object_get_ex(o, "running", &run);
	json_object_object_get_ex(o, "status", &st);
	ret = run ? 0 : -1;
	if (!ret) {
		bool running = json_object_get_boolean(run);

		snprintf(state, slen, "%s", running ? "running" : "paused");
		snprintf(reason, rlen, "%s", running || !st ? "" :
			 json_object_get_string(st));
	}
	json_object_put(o);
	return ret;
}

static const struct vbt_drive *same_drive(const struct vbt_vm *vm,
					  const struct vbt_drive *d)
{
	for (int i = 0; i < vm->ndrives; i++) {
		const struct vbt_drive *x = &vm->drives[i];

		if ((d->id && x->id && !strcmp(d->id, x->id)) ||
		    (!d->id && d->node && x->node && !strcmp(d->node, x->node)))
			return x;
	}
	return NULL;
}

static void change(struct vbt_vmtrack *t, int kind, const struct vbt_vm *vm,
		   const struct vbt_drive *d, const char *state,
		   const char *reason, const char *source)
{
	struct vbt_vm_change c = {
		.kind = kind, .vm = vm, .drive = d, .state = state,
		.reason = reason, .source = source,
	};

	if (t->on_change)
		t->on_change(t->change_ctx, &c);
}

/*
 * Paused before ever running: libvirt starts every domain paused
 * ("starting up") and QEMU's -S and -incoming wait in "prelaunch" and
 * "inmigrate".  Nobody paused such a VM; its first run is no resume.
 */
static bool not_started(const char *state, const char *reason)
{
	return !strcmp(state, "paused") &&
	       (!strcmp(reason, "starting up") ||
		!strcmp(reason, "prelaunch") || !strcmp(reason, "inmigrate"));
}

/*
 * What changed in one VM since the last rescan: a drive whose image fds
 * are all gone while QEMU still runs (its backend was deleted: drive_del,
 * blockdev-del), and its run state (libvirt's status, else QMP).
 */
static void diff_vm(struct vbt_vmtrack *t, const struct vbt_vm *old,
		    const struct vbt_vm *vm, uint64_t now)
{
	struct vbt_vm_watch *w;
	char state[16] = "", reason[32] = "";
	const char *source = NULL;

	w = watch_of(t, vm->pid, false);
	for (int i = 0; old && old->inspected && vm->inspected &&
	     i < vm->ndrives; i++) {
		const struct vbt_drive *d = &vm->drives[i];
		const struct vbt_drive *od = same_drive(old, d);
		const char *id = d->id ? d->id : d->node;

		if (!od || d->nfds || !id)
			continue;
		if (od->nfds > 0) {
			/* Closed since the last look: QEMU may be exiting. */
			if (!w)
				w = watch_of(t, vm->pid, true);
			if (w)
				snprintf(w->gone_drive, sizeof(w->gone_drive),
					 "%s", id);
		} else if (w && !strcmp(w->gone_drive, id)) {
			/* Still running a second later, still closed. */
			change(t, VBT_KIND_BACKEND_REMOVED, vm, d, "removed",
			       "", "proc");
			w->gone_drive[0] = 0;
		}
	}
	if (vm->run_state) {
		snprintf(state, sizeof(state), "%s", vm->run_state);
		if (strcmp(vm->run_state, "running"))
			snprintf(reason, sizeof(reason), "%s",
				 vm->run_reason ? vm->run_reason : "");
		source = "libvirt";
	} else if (t->qmp && w && (w->until_ns > now ||
				   (w->state[0] && strcmp(w->state, "running"))) &&
		   !qmp_state(t, vm->pid, state, sizeof(state), reason,
			      sizeof(reason))) {
		source = "qmp";
	}
	if (!source)
		return;
	if (!w)
		w = watch_of(t, vm->pid, true);
	if (!w || (!strcmp(w->state, state) && !strcmp(w->reason, reason)) ||
	    (!w->state[0] && not_started(state, reason)))
		return;
	/* A VM first seen running is not news; one first seen paused is. */
	if (w->state[0] || strcmp(state, "running"))
		change(t, VBT_KIND_VM_STATE, vm, NULL, state, reason, source);
	snprintf(w->state, sizeof(w->state), "%s", state);
	snprintf(w->reason, sizeof(w->reason), "%s", reason);
}

int vbt_vmtrack_scan(struct vbt_vmtrack *t)
{
	struct vbt_vm *vms = NULL;
	int n = 0, ret;

	ret = vbt_qemu_scan(t->procroot, &vms, &n);
	if (ret < 0)
		return ret;
	/* Disks served by vhost-user daemons fail there, not in QEMU. */
	vbt_vhost_scan(t->procroot, &vms, &n);
	for (int i = 0; i < n; i++) {
		diff_vm(t, vbt_vmtrack_vm(t, vms[i].pid), &vms[i],
			vbt_mono_now());
		if (pid_in(t->vms, t->nvms, vms[i].pid))
			continue;
		if (t->src && t->src->ops->watch_pid)
			t->src->ops->watch_pid(t->src, vms[i].pid, true);
		if (t->notes)
			vbt_vm_describe(&vms[i], t->notes);
	}
	for (int i = 0; i < t->nvms; i++) {
		struct vbt_vm_watch *w;

		if (pid_in(vms, n, t->vms[i].pid))
			continue;
		w = watch_of(t, t->vms[i].pid, false);
		if (w)
			*w = t->watch[--t->nwatch];
		if (t->src && t->src->ops->watch_pid)
			t->src->ops->watch_pid(t->src, t->vms[i].pid, false);
		if (t->notes)
			fprintf(t->notes, "%s: VM %s (pid %d) is gone\n", vbt_prog,
				vbt_vm_label(&t->vms[i]) ?
				vbt_ts(vbt_vm_label(&t->vms[i])) : "?",
				t->vms[i].pid);
	}
	for (int i = 0; i < t->nextra && t->src; i++)
		t->src->ops->watch_pid(t->src, t->extra_pids[i], true);
	for (int i = 0; i < t->nvms; i++)
		vbt_vm_free(&t->vms[i]);
	free(t->vms);
	t->vms = vms;
	t->nvms = n;
	return n;
}

const struct vbt_vm *vbt_vmtrack_vm(const struct vbt_vmtrack *t, uint32_t pid)
{
	for (int i = 0; i < t->nvms; i++)
		if ((uint32_t)t->vms[i].pid == pid)
			return &t->vms[i];
	return NULL;
}

void vbt_vmtrack_free(struct vbt_vmtrack *t)
{
	free(t->watch);
	t->watch = NULL;
	t->nwatch = 0;
	for (int i = 0; i < t->nvms; i++)
		vbt_vm_free(&t->vms[i]);
	free(t->vms);
	t->vms = NULL;
	t->nvms = 0;
}

bool vbt_qemu_running(void)
{
	struct vbt_vm *vms = NULL;
	int n = 0;

	if (vbt_qemu_scan("/proc", &vms, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		vbt_vm_free(&vms[i]);
	free(vms);
	return n > 0;
}
