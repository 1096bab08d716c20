// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user block backends: a guest disk whose I/O is done by another
 * process (qemu-storage-daemon --export type=vhost-user-blk, SPDK-style
 * daemons alike) fails in that process, not in QEMU.  Such a daemon is
 * modelled like a QEMU process (its --blockdev nodes are parsed by the
 * same code, its image fds found in its /proc/PID/fd), and tied to the VM
 * whose vhost-user-blk device connects to its export socket:
 *   QEMU:   -chardev socket,id=C,path=SOCK -device vhost-user-blk-pci,chardev=C,id=ID
 *   daemon: --export type=vhost-user-blk,node-name=N,addr.type=unix,addr.path=SOCK
 * The daemon must really listen on SOCK (its /proc/PID/net/unix entry and
 * fd), so an argv cannot claim a VM it does not serve.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "system/qemu/qemu_int.h"
#include "system/qemu/qmp.h"

#define MAX_LINKS 64

struct vhost_link {
	char path[108];		/* the export socket */
	char node[64];		/* daemon: exported node; QEMU: chardev id */
	char id[64];		/* QEMU: the vhost-user-blk device id */
};

static bool is_backend(const char *procroot, const char *pid)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/exe", procroot, pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = 0;
	base = strrchr(link, '/');
	return !strcmp(base ? base + 1 : link, "qemu-storage-daemon");
}

/* Each option of NAME in /proc/PID/cmdline, as QEMU reads it, to @fn. */
static void each_opt(const char *procroot, int pid, const char *name,
		     const char *implied, bool nest,
		     void (*fn)(json_object *o, void *ctx), void *ctx)
{
	char path[PATH_MAX], *buf = NULL;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/cmdline", procroot, pid);
	n = vbt_qemu_read_file(path, &buf, VBT_QEMU_MAX_CMDLINE);
	if (n <= 0) {
		free(buf);
		return;
	}
	for (char *a = buf; a < buf + n; a += strlen(a) + 1) {
		char *v = a + strlen(a) + 1;
		json_object *o;

		if (v >= buf + n || a[0] != '-')
			continue;
		if (strcmp(a + (a[1] == '-' ? 2 : 1), name))
			continue;
		o = vbt_qemu_opt_json(v, implied, nest, NULL, 0);
		if (o)
			fn(o, ctx);
		json_object_put(o);
	}
	free(buf);
}

struct links {
	struct vhost_link l[MAX_LINKS];
	int n;
};

static void add_link(struct links *ls, const char *path, const char *node,
		     const char *id)
{
	struct vhost_link *l;

	if (!path || ls->n == MAX_LINKS || strlen(path) >= sizeof(l->path))
		return;
	l = &ls->l[ls->n++];
	snprintf(l->path, sizeof(l->path), "%s", path);
	snprintf(l->node, sizeof(l->node), "%s", node ? node : "");
	snprintf(l->id, sizeof(l->id), "%s", id ? id : "");
}

/* daemon --export type=vhost-user-blk,node-name=N,addr.path=SOCK */
static void export_opt(json_object *o, void *ctx)
{
	const char *type = vbt_qjson_str(o, "type");
	json_object *addr = NULL;

	json_object_object_get_ex(o, "addr", &addr);
	if (type && !strcmp(type, "vhost-user-blk") && addr)
		add_link(ctx, vbt_qjson_str(addr, "path"),
			 vbt_qjson_str(o, "node-name"), vbt_qjson_str(o, "id"));
}

/* QEMU -chardev socket,id=C,path=SOCK */
static void chardev_opt(json_object *o, void *ctx)
{
	const char *b = vbt_qjson_str(o, "backend");

	if (b && !strcmp(b, "socket"))
		add_link(ctx, vbt_qjson_str(o, "path"), vbt_qjson_str(o, "id"),
			 NULL);
}

/* QEMU -device vhost-user-blk-pci,chardev=C,id=ID: names the chardev */
static void device_opt(json_object *o, void *ctx)
{
	struct links *ls = ctx;
	const char *drv = vbt_qjson_str(o, "driver");
	const char *chr = vbt_qjson_str(o, "chardev");

	if (!drv || strncmp(drv, "vhost-user-blk", 14) || !chr)
		return;
	for (int i = 0; i < ls->n; i++)
		if (!strcmp(ls->l[i].node, chr))
			snprintf(ls->l[i].id, sizeof(ls->l[i].id), "%s",
				 vbt_qjson_str(o, "id") ?: chr);
}

/* Tie the daemon @b to the VM among @vms whose device uses its sockets. */
static void link_backend(const char *procroot, struct vbt_vm *b,
			 const struct vbt_vm *vms, int nvms)
{
	struct links ex = { 0 };

	each_opt(procroot, b->pid, "export", "type", true, export_opt, &ex);
	for (int v = 0; v < nvms; v++) {
		struct links q = { 0 };

		if (vms[v].backend)
			continue;
		each_opt(procroot, vms[v].pid, "chardev", "backend", false,
			 chardev_opt, &q);
		each_opt(procroot, vms[v].pid, "device", "driver", false,
			 device_opt, &q);
		for (int e = 0; e < ex.n; e++) {
			for (int c = 0; c < q.n; c++) {
				if (!q.l[c].id[0] ||
				    strcmp(q.l[c].path, ex.l[e].path) ||
				    !vbt_pid_listens_on(procroot, b->pid,
							ex.l[e].path))
					continue;
				/* The export's node is the drive. */
				for (int d = 0; d < b->ndrives; d++) {
					struct vbt_drive *dr = &b->drives[d];

					if (!dr->drive ||
					    strcmp(dr->drive, ex.l[e].node))
						continue;
					free(dr->id);
					dr->id = strdup(q.l[c].id);
					free(dr->device_driver);
					dr->device_driver =
						strdup("vhost-user-blk-pci");
				}
				if (!b->backend_of) {
					b->backend_of = vms[v].pid;
					free(b->name);
					b->name = vms[v].name ?
						  strdup(vms[v].name) : NULL;
					vbt_vm_trust_as_backend(b, &vms[v]);
				}
			}
		}
	}
}

int vbt_vhost_scan(const char *procroot, struct vbt_vm **vms, int *nvms)
{
	int nq = *nvms, added = vbt_proc_scan(procroot, is_backend, vms, nvms);

	for (int i = nq; i < *nvms; i++) {
		struct vbt_vm *b = &(*vms)[i];

		free(b->name);	/* a daemon has no -name: the VM's is used */
		b->name = NULL;
		b->backend = strdup("qemu-storage-daemon");
		link_backend(procroot, b, *vms, nq);
	}
	return added;
}
