// SPDX-License-Identifier: GPL-2.0
/*
 * What a QEMU process really did, read from /proc (or a fake tree in
 * tests): which fds hold each image, whether they were opened O_DIRECT,
 * and whether a Linux AIO ring exists (aio=native silently falls back to
 * threads when io_setup() fails; the ring is the proof it did not).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "system/qemu/qemu_int.h"

/* O_DIRECT as fdinfo prints it: the octal open flags of this architecture. */
#if defined(__x86_64__) || defined(__i386__)
#define FDINFO_O_DIRECT	040000
#elif defined(__aarch64__) || defined(__arm__)
#define FDINFO_O_DIRECT	0200000
#else
#define FDINFO_O_DIRECT	O_DIRECT
#endif

/* Read a whole small file; returns bytes read, -errno, or -E2BIG. */
ssize_t vbt_qemu_read_file(const char *path, char **out, size_t cap)
{
	size_t len = 0, size = 4096;
	char *buf = malloc(size + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || !buf) {
		n = fd < 0 ? -errno : -ENOMEM;
		goto fail;
	}
	for (;;) {
		if (len == size) {
			char *b;

			if (size > cap) {
				n = -E2BIG;
				goto fail;
			}
			size *= 2;
			b = realloc(buf, size + 1);
			if (!b) {
				n = -ENOMEM;
				goto fail;
			}
			buf = b;
		}
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (len > cap) {
		n = -E2BIG;
		goto fail;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return len;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return n;
}

static char *read_line_file(const char *path)
{
	char *s = NULL;

	if (vbt_qemu_read_file(path, &s, 4096) < 0)
		return NULL;
	s[strcspn(s, "\n")] = '\0';
	return s;
}

/* fdinfo "flags:\t0100002" -> flags, or -1. */
static long fdinfo_flags(const char *procroot, int pid, int fd)
{
	char path[PATH_MAX], *s = NULL, *p;
	long flags = -1;

	snprintf(path, sizeof(path), "%s/%d/fdinfo/%d", procroot, pid, fd);
	if (vbt_qemu_read_file(path, &s, 65536) < 0)
		return -1;
	for (p = s; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, "flags:", 6)) {
			char *end;

			errno = 0;
			flags = strtol(p + 6, &end, 8);
			if (errno || end == p + 6)
				flags = -1;
			break;
		}
	}
	free(s);
	return flags;
}

/* The Linux AIO ring maps as "/[aio] (deleted)" (an anon file of aio fs). */
static bool maps_have_aio(const char *procroot, int pid)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/maps", procroot, pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		char *name = strchr(line, '/');

		if (!name)
			name = strchr(line, '[');
		found = name && (!strncmp(name, "/[aio]", 6) ||
				 !strncmp(name, "[aio]", 5));
	}
	free(line);
	fclose(f);
	return found;
}

struct image_id {
	bool have_st;
	struct stat st;
};

static bool same_file(const struct stat *a, const struct stat *b)
{
	if (S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode))
		return a->st_rdev == b->st_rdev;
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* stat() the image as QEMU sees it: through /proc/PID/root if present. */
static void image_stat(const char *procroot, int pid, const char *image,
		       struct image_id *id)
{
	char path[PATH_MAX];
	struct stat st;

	id->have_st = false;
	if (!image || image[0] != '/')
		return;
	snprintf(path, sizeof(path), "%s/%d/root", procroot, pid);
	if (!lstat(path, &st) && (size_t)snprintf(path, sizeof(path),
		"%s/%d/root%s", procroot, pid, image) < sizeof(path) &&
	    !stat(path, &id->st)) {
		id->have_st = true;
		return;
	}
	id->have_st = !stat(image, &id->st);
}

static bool fd_matches(const struct vbt_drive *d, const struct image_id *id,
		       const char *link, const struct stat *fst, bool have_fst)
{
	size_t n;

	if (!d->image)
		return false;
	if (id->have_st)
		return have_fst && same_file(&id->st, fst);
	n = strlen(d->image);
	return !strncmp(link, d->image, n) &&
	       (!link[n] || !strcmp(link + n, " (deleted)"));
}

static void add_fd(struct vbt_drive *d, int fd, long flags)
{
	if (d->nfds < VBT_QEMU_MAX_FDS)
		d->fds[d->nfds++] = fd;
	if (flags < 0)
		return;
	if (!(flags & FDINFO_O_DIRECT))
		d->fd_direct = 0;
	else if (d->fd_direct < 0)
		d->fd_direct = 1;
}

static int scan_fds(const char *procroot, int pid, struct vbt_vm *vm)
{
	struct image_id *ids = calloc(vm->ndrives + 1, sizeof(*ids));
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	if (!ids)
		return -ENOMEM;
	for (int i = 0; i < vm->ndrives; i++)
		image_stat(procroot, pid, vm->drives[i].image, &ids[i]);
	snprintf(path, sizeof(path), "%s/%d/fd", procroot, pid);
	dir = opendir(path);
	if (!dir) {
		free(ids);
		return -errno;
	}
	while ((de = readdir(dir))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		struct stat fst;
		bool have_fst;
		ssize_t n;
		long flags = -2;

		if (*end || end == de->d_name || fd < 0 || fd > INT_MAX)
			continue;
		snprintf(path, sizeof(path), "%s/%d/fd/%ld", procroot, pid, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strncmp(link, "socket:", 7) || !strncmp(link, "pipe:", 5) ||
		    !strncmp(link, "anon_inode:", 11))
			continue;
		have_fst = !stat(path, &fst);
		for (int i = 0; i < vm->ndrives; i++) {
			if (!fd_matches(&vm->drives[i], &ids[i], link, &fst,
					have_fst))
				continue;
			if (flags == -2)
				flags = fdinfo_flags(procroot, pid, fd);
			add_fd(&vm->drives[i], fd, flags);
		}
	}
	closedir(dir);
	free(ids);
	return 0;
}

int vbt_qemu_inspect(const char *procroot, int pid, struct vbt_vm *vm,
		     char *err, size_t errlen)
{
	char path[PATH_MAX], link[PATH_MAX], *buf = NULL;
	ssize_t len, n;
	int r;

	memset(vm, 0, sizeof(*vm));
	if (!procroot || pid <= 0) {
		vbt_seterr(err, errlen, 0, "bad procroot or pid %d", pid);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/%d/cmdline", procroot, pid);
	len = vbt_qemu_read_file(path, &buf, VBT_QEMU_MAX_CMDLINE);
	if (len == -E2BIG) {
		vbt_seterr(err, errlen, 0,
			   "pid %d: command line larger than %d bytes refused",
			   pid, VBT_QEMU_MAX_CMDLINE);
		return -E2BIG;
	}
	if (len < 0) {
		vbt_seterr(err, errlen, 0, "%s: %s", path, strerror(-len));
		return len;
	}
	r = vbt_qemu_parse_cmdline(buf, len, vm, err, errlen);
	free(buf);
	if (r < 0)
		return r;
	vm->pid = pid;
	snprintf(path, sizeof(path), "%s/%d/comm", procroot, pid);
	vm->comm = read_line_file(path);
	snprintf(path, sizeof(path), "%s/%d/exe", procroot, pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		free(vm->binary);
		vm->binary = strdup(link);
	}
	/* Without fd/ (EACCES) the argv model still stands; 'inspected'
	 * stays false so nobody mistakes "no fd found" for a fact. */
	r = scan_fds(procroot, pid, vm);
	vm->has_aio_ring = maps_have_aio(procroot, pid);
	for (int i = 0; i < vm->ndrives; i++) {
		struct vbt_drive *d = &vm->drives[i];

		d->aio_confirmed = d->aio == VBT_AIO_NATIVE && vm->has_aio_ring;
		vbt_drive_finish(d);
	}
	vm->inspected = r == 0;
	vbt_vm_verify(procroot, vbt_libvirt_run_dir, vm);
	/* The guest's names for the disks (<target dev='vda'>) and the run
	 * state are only in libvirt's XML: every user of the model gets them. */
	vbt_libvirt_apply_live(vm);
	return 0;
}

static bool is_qemu_pid(const char *procroot, const char *pid)
{
	char path[PATH_MAX], link[PATH_MAX], *comm;
	ssize_t n;
	bool yes;

	snprintf(path, sizeof(path), "%s/%s/comm", procroot, pid);
	comm = read_line_file(path);
	snprintf(path, sizeof(path), "%s/%s/exe", procroot, pid);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	yes = vbt_is_qemu_comm(comm, n > 0 ? link : NULL);
	free(comm);
	return yes;
}

int vbt_proc_scan(const char *procroot,
		  bool (*match)(const char *procroot, const char *pid),
		  struct vbt_vm **vms, int *nvms)
{
	struct dirent *de;
	int added = 0;
	DIR *dir = opendir(procroot);

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		struct vbt_vm vm, *a;

		if (*end || end == de->d_name || pid <= 0 || pid > INT_MAX ||
		    !match(procroot, de->d_name))
			continue;
		if (vbt_qemu_inspect(procroot, pid, &vm, NULL, 0) < 0)
			continue;	/* gone, or not readable */
		a = realloc(*vms, (*nvms + 1) * sizeof(*a));
		if (!a) {
			vbt_vm_free(&vm);
			break;
		}
		*vms = a;
		(*vms)[(*nvms)++] = vm;
		added++;
	}
	closedir(dir);
	return added;
}

int vbt_qemu_scan(const char *procroot, struct vbt_vm **vms, int *nvms)
{
	*vms = NULL;
	*nvms = 0;
	return vbt_proc_scan(procroot, is_qemu_pid, vms, nvms);
}
