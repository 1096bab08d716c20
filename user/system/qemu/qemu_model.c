// SPDX-License-Identifier: GPL-2.0
/* The vbt_vm / vbt_drive model: naming, lookups, lifetime. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "system/qemu/qemu_int.h"

const char *vbt_cache_mode_name(int write_cache, bool direct, bool no_flush)
{
	/* QEMU's -drive cache= table, read backwards. */
	if (write_cache < 0)
		return NULL;
	if (!write_cache)
		return direct ? "directsync" : "writethrough";
	if (no_flush)
		return "unsafe";
	return direct ? "none" : "writeback";
}

const char *vbt_aio_name(enum vbt_aio aio)
{
	switch (aio) {
	case VBT_AIO_THREADS:
		return "threads";
	case VBT_AIO_NATIVE:
		return "native";
	case VBT_AIO_IO_URING:
		return "io_uring";
	default:
		return "unknown";
	}
}

enum vbt_aio vbt_aio_parse(const char *s)
{
	if (!s)
		return VBT_AIO_UNKNOWN;
	if (!strcmp(s, "threads"))
		return VBT_AIO_THREADS;
	if (!strcmp(s, "native"))
		return VBT_AIO_NATIVE;
	if (!strcmp(s, "io_uring"))
		return VBT_AIO_IO_URING;
	return VBT_AIO_UNKNOWN;
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

bool vbt_is_qemu_comm(const char *comm, const char *exe)
{
	if (comm && (has_prefix(comm, "qemu-system-") ||
		     !strcmp(comm, "qemu-kvm")))
		return true;
	if (exe) {
		const char *base = strrchr(exe, '/');

		base = base ? base + 1 : exe;
		/* After a package upgrade exe reads "... (deleted)". */
		if (has_prefix(base, "qemu-system-") ||
		    !strcmp(base, "qemu-kvm") ||
		    !strcmp(base, "qemu-kvm (deleted)"))
			return true;
	}
	return false;
}

struct vbt_drive *vbt_vm_add_drive(struct vbt_vm *vm)
{
	struct vbt_drive *d;

	if (vm->ndrives >= VBT_QEMU_MAX_DRIVES) {
		vm->truncated = true;
		return NULL;
	}
	d = realloc(vm->drives, (vm->ndrives + 1) * sizeof(*d));
	if (!d)
		return NULL;
	vm->drives = d;
	d = &vm->drives[vm->ndrives++];
	memset(d, 0, sizeof(*d));
	d->write_cache = -1;
	d->fd_direct = -1;
	return d;
}

void vbt_drive_finish(struct vbt_drive *d)
{
	d->cache = vbt_cache_mode_name(d->write_cache, d->direct, d->no_flush);
	d->direct_confirmed = d->fd_direct == 1;
}

static void drive_free(struct vbt_drive *d)
{
	free(d->id);
	free(d->drive);
	free(d->node);
	free(d->image);
	free(d->format);
	free(d->protocol);
	free(d->filters);
	free(d->device_driver);
	free(d->serial);
	free(d->target);
	free(d->bus);
	free(d->discard);
	free(d->werror);
	free(d->rerror);
}

void vbt_vm_free(struct vbt_vm *vm)
{
	if (!vm)
		return;
	for (int i = 0; i < vm->ndrives; i++)
		drive_free(&vm->drives[i]);
	free(vm->drives);
	free(vm->name);
	free(vm->uuid);
	free(vm->binary);
	free(vm->comm);
	free(vm->label);
	free(vm->unverified_why);
	free(vm->backend);
	free(vm->run_state);
	free(vm->run_reason);
	free(vm->libvirt_err);
	memset(vm, 0, sizeof(*vm));
}

const struct vbt_drive *vbt_vm_drive_by_fd(const struct vbt_vm *vm, int fd)
{
	for (int i = 0; vm && i < vm->ndrives; i++)
		for (int j = 0; j < vm->drives[i].nfds; j++)
			if (vm->drives[i].fds[j] == fd)
				return &vm->drives[i];
	return NULL;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	/* A device node may live in libvirt's private /dev: compare rdev. */
	if (S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode))
		return a->st_rdev == b->st_rdev;
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

const struct vbt_drive *vbt_vm_drive_by_path(const struct vbt_vm *vm,
					     const char *path)
{
	struct stat want, st;

	if (!vm || !path)
		return NULL;
	for (int i = 0; i < vm->ndrives; i++)
		if (vm->drives[i].image && !strcmp(vm->drives[i].image, path))
			return &vm->drives[i];
	if (stat(path, &want) < 0)
		return NULL;
	for (int i = 0; i < vm->ndrives; i++)
		if (vm->drives[i].image && vm->drives[i].image[0] == '/' &&
		    !stat(vm->drives[i].image, &st) && same_file(&want, &st))
			return &vm->drives[i];
	return NULL;
}

/* Drop "user:password@" from "scheme://user:pa,ss@host/...": the
 * authority ends at '/', '?' or '#' and its last '@' ends the userinfo. */
static void strip_userinfo(char *s)
{
	char *p = strstr(s, "://"), *end, *at = NULL;

	if (!p)
		return;
	p += 3;
	end = p + strcspn(p, "/?#");
	for (char *q = p; q < end; q++)
		if (*q == '@')
			at = q;
	if (at)
		memmove(p, at + 1, strlen(at + 1) + 1);
}

/* Query keys that name a place, never a credential (nbd+unix:...?socket=). */
static bool harmless_query(const char *q, size_t n)
{
	static const char *const keys[] = { "socket", "export", NULL };

	while (n) {
		size_t e = strcspn(q, "&;"), k = strcspn(q, "=&;");
		bool ok = false;

		if (e > n)
			e = n;
		for (int i = 0; keys[i]; i++)
			ok |= k == strlen(keys[i]) && !strncmp(q, keys[i], k);
		if (!ok)
			return false;
		q += e;
		n -= e;
		if (n) {
			q++;
			n--;
		}
	}
	return true;
}

/*
 * Drop a URL's query and fragment: signed URLs carry their credential
 * there under any name (sig=, X-Amz-Signature=, token=).  Fail closed:
 * only a query of known harmless keys (socket=, export=) stays.  A local
 * path may contain '?': only URLs lose it.
 */
static void strip_query(char *s)
{
	char *p = strstr(s, "://"), *q, *h;

	if (!p)
		return;
	q = p + 3 + strcspn(p + 3, "?#");
	h = strchr(q, '#');
	if (h)
		*h = '\0';
	if (*q == '?' && harmless_query(q + 1, strlen(q + 1)))
		return;
	*q = '\0';
}

/* rbd:pool/image[@snap][:opt=val...]: options may hold "key=": drop all. */
static void strip_rbd_options(char *s)
{
	char *p = s + strlen("rbd:");

	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == ':') {
			*p = '\0';
			return;
		}
	}
}

char *vbt_qemu_image_sanitize(const char *s)
{
	char *c = vbt_qstrdup(s);

	if (!c)
		return NULL;
	/* A json: filename the model could not take apart: none of it. */
	if (has_prefix(c, "json:")) {
		free(c);
		return vbt_qstrdup("json:{...}");
	}
	if (has_prefix(c, "rbd:"))
		strip_rbd_options(c);
	strip_userinfo(c);
	strip_query(c);
	return c;
}
