// SPDX-License-Identifier: GPL-2.0
/*
 * Who is this QEMU?  Any user can start a process called
 * qemu-system-x86_64 with "-name guest=prod-db": a root daemon must not
 * take that name on trust, attribute the process's failures to prod-db,
 * alert for it or read prod-db's libvirt XML into its model.  A name is
 * believed when
 *   - the executable is named like QEMU and is a root-owned file,
 *     writable by root only, in a root-owned directory writable by root
 *     only (so only root could have put that program there), and
 *   - if libvirt knows a domain of that name (NAME.pid or NAME.xml in its
 *     run directory), libvirt's root-owned NAME.pid names this very pid.
 * Otherwise the VM is "unverified": shown as '"NAME" (unverified, pid N)'
 * and no libvirt file of that name is read for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "system/qemu/qemu_int.h"

const char *vbt_libvirt_run_dir = "/run/libvirt/qemu";

static bool root_only(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static bool trusted_exe(const char *procroot, int pid, char *why,
			size_t len)
{
	char path[PATH_MAX], target[PATH_MAX], *slash;
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/exe", procroot, pid);
	/* stat() through the link: the file the process runs, even if
	 * its name was since replaced. */
	if (stat(path, &st) || !S_ISREG(st.st_mode) || !root_only(&st)) {
		snprintf(why, len, "its executable is not a root-owned file "
			 "only root can write");
		return false;
	}
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0) {
		snprintf(why, len, "its executable's path is unknown");
		return false;
	}
	target[n] = '\0';
	/* A package upgrade leaves running VMs on a deleted binary. */
	if (n > 10 && !strcmp(target + n - 10, " (deleted)"))
		target[n - 10] = '\0';
	slash = strrchr(target, '/');
	if (!slash || target[0] != '/') {
		snprintf(why, len, "its executable's path is not absolute");
		return false;
	}
	/* A script called qemu-system-x86_64 has that comm but runs
	 * /bin/sh: root's shell is no proof of anything. */
	if (!vbt_is_qemu_comm(NULL, slash + 1) &&
	    strcmp(slash + 1, "qemu-storage-daemon")) {
		snprintf(why, len, "its executable is not QEMU");
		return false;
	}
	*slash = '\0';
	if (stat(target[0] ? target : "/", &st) || !S_ISDIR(st.st_mode) ||
	    !root_only(&st)) {
		snprintf(why, len, "its executable is in a directory others "
			 "can write");
		return false;
	}
	return true;
}

/* 1 NAME.pid names @pid, 0 it names another or is not libvirt's own,
 * -1 libvirt knows no domain of that name. */
static int libvirt_pid_matches(const char *dir, const char *name, int pid,
			       char *why, size_t len)
{
	char path[PATH_MAX], buf[32];
	struct stat st;
	ssize_t n;
	long v;
	char *end;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.pid", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		snprintf(path, sizeof(path), "%s/%s.xml", dir, name);
		if (errno == ENOENT && lstat(path, &st) && errno == ENOENT)
			return -1;
		snprintf(why, len, "libvirt has a domain of that name but "
			 "no pid file for it");
		return 0;
	}
	n = -1;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && root_only(&st))
		n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		snprintf(why, len, "libvirt's pid file of that name is not "
			 "root's");
		return 0;
	}
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (end == buf || v != pid) {
		snprintf(why, len, "libvirt's domain of that name is pid %.20s",
			 end == buf ? "?" : buf);
		return 0;
	}
	return 1;
}

static void set_unverified(struct vbt_vm *vm, const char *why)
{
	char *w = strdup(why);

	free(vm->unverified_why);
	vm->unverified_why = w;
	free(vm->label);
	if (asprintf(&vm->label, "\"%s\" (unverified, pid %d)",
		     vm->name ? vm->name : "", vm->pid) < 0)
		vm->label = NULL;
}

void vbt_vm_verify(const char *procroot, const char *libvirt_dir,
		   struct vbt_vm *vm)
{
	char why[128] = "";
	bool named = vm->name && vm->name[0] && !strchr(vm->name, '/') &&
		     strcmp(vm->name, ".") && strcmp(vm->name, "..");
	int lv = -1;

	free(vm->label);
	vm->label = NULL;
	vm->verified = trusted_exe(procroot, vm->pid, why, sizeof(why));
	vm->exe_trusted = vm->verified;
	vm->libvirt_verified = false;
	if (named && libvirt_dir) {
		lv = libvirt_pid_matches(libvirt_dir, vm->name, vm->pid,
					 vm->verified ? why : (char[128]){ 0 },
					 sizeof(why));
		if (lv == 0)
			vm->verified = false;
		vm->libvirt_verified = vm->verified && lv == 1;
	}
	if (vm->verified)
		return;
	set_unverified(vm, why);
}

/*
 * A vhost-user backend (qemu-storage-daemon) takes the name of the VM it
 * serves: believed only if its own binary is root's and the VM is.
 */
void vbt_vm_trust_as_backend(struct vbt_vm *b, const struct vbt_vm *served)
{
	b->verified = b->exe_trusted && served->verified;
	b->libvirt_verified = false;
	free(b->label);
	b->label = NULL;
	if (b->verified) {
		free(b->unverified_why);
		b->unverified_why = NULL;
		return;
	}
	set_unverified(b, !b->exe_trusted && b->unverified_why ?
		       b->unverified_why : "the QEMU it serves is not believed");
}

const char *vbt_vm_label(const struct vbt_vm *vm)
{
	return vm->label ? vm->label : vm->name;
}
