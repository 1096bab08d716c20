// SPDX-License-Identifier: GPL-2.0
/*
 * Collecting facts.json.  Disks come from disk_facts.c (the same facts
 * 'vblktrace disks' shows), QEMU processes from the drive model
 * (qemu/qemu.h via vmtrack.h, with libvirt's XML applied); this file adds
 * what only a bundle needs: uname, the boot command line, QEMU versions,
 * command lines and libvirt XML (all redacted), and the host storage
 * under each image.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>

#include <json-c/json.h>

#include "decode/clock.h"
#include "decode/recording.h"
#include "system/disk_facts.h"
#include "system/facts.h"
#include "system/qemu/qemu.h"
#include "system/qemu/qemu_opts.h"
#include "system/vmtrack.h"
#include "util/json.h"

#define MAX_DEPTH 8

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

/* /proc files report size 0: read them with a plain loop. */
static char *read_proc(const char *path, size_t max, size_t *len)
{
	char *buf = malloc(max + 1);
	size_t n = 0;
	ssize_t r;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (n < max && (r = read(fd, buf + n, max - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static void strip_nl(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
}

int vbt_qemu_version(const char *exe, char *buf, size_t len)
{
	static const char marker[] = "QEMU emulator version ";
	struct stat st;
	const char *p, *e;
	void *map;
	int fd, ret = -ENOENT;

	/* O_NONBLOCK: a FIFO in place of the binary must not hang us. */
	fd = open(exe, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    st.st_size > 1024L * 1024 * 1024) {
		close(fd);
		return -EINVAL;
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	p = memmem(map, st.st_size, marker, sizeof(marker) - 1);
	if (p) {
		p += sizeof(marker) - 1;
		e = p;
		while (e < (const char *)map + st.st_size && e - p < 120 &&
		       *e >= 0x20 && *e < 0x7f)
			e++;
		snprintf(buf, len, "%.*s", (int)(e - p), p);
		ret = buf[0] ? 0 : -ENOENT;
	}
	munmap(map, st.st_size);
	return ret;
}

/* ---- host storage under an image ---------------------------------------- */

static void sys_attr(const char *sysroot, const char *dev, const char *attr,
		     char *buf, size_t len)
{
	char path[PATH_MAX];
	char *s;

	buf[0] = 0;
	snprintf(path, sizeof(path), "%s/dev/block/%s/%s", sysroot, dev, attr);
	s = read_proc(path, 4095, NULL);
	if (s) {
		strip_nl(s);
		snprintf(buf, len, "%s", s);
		free(s);
	}
}

static struct json_object *describe_dev(const char *sysroot, unsigned int ma,
					unsigned int mi, int depth)
{
	char link[PATH_MAX + 16], real[PATH_MAX], val[PATH_MAX], id[32];
	struct json_object *o, *under;
	const char *name;
	DIR *d;

	snprintf(id, sizeof(id), "%u:%u", ma, mi);
	snprintf(link, sizeof(link), "%s/dev/block/%s", sysroot, id);
	o = json_object_new_object();
	add(o, "dev", json_object_new_string(id));
	if (!realpath(link, real))
		return o;
	name = strrchr(real, '/') + 1;
	add(o, "name", json_object_new_string(name));
	under = json_object_new_array();
	sys_attr(sysroot, id, "partition", val, sizeof(val));
	if (val[0]) {
		char *slash;

		add(o, "kind", json_object_new_string("partition"));
		sys_attr(sysroot, id, "start", val, sizeof(val));
		add(o, "start_sector", jstr(val[0] ? val : NULL));
		/* the parent directory is the whole disk */
		*strrchr(real, '/') = 0;
		slash = strrchr(real, '/');
		snprintf(link, sizeof(link), "%s/dev", real);
		if (slash && depth < MAX_DEPTH) {
			char *dev = read_proc(link, 63, NULL);
			unsigned int pma, pmi;

			if (dev && sscanf(dev, "%u:%u", &pma, &pmi) == 2)
				json_object_array_add(under,
					describe_dev(sysroot, pma, pmi,
						     depth + 1));
			free(dev);
		}
	} else if (!strncmp(name, "loop", 4)) {
		add(o, "kind", json_object_new_string("loop"));
		sys_attr(sysroot, id, "loop/backing_file", val, sizeof(val));
		add(o, "backing_file", jstr(val[0] ? val : NULL));
		if (val[0] && depth < MAX_DEPTH)
			add(o, "backing", vbt_facts_storage(sysroot, val));
	} else if (!strncmp(name, "dm-", 3)) {
		add(o, "kind", json_object_new_string("dm"));
		sys_attr(sysroot, id, "dm/name", val, sizeof(val));
		add(o, "dm_name", jstr(val[0] ? val : NULL));
	} else {
		add(o, "kind", json_object_new_string("disk"));
	}
	snprintf(link, sizeof(link), "%s/dev/block/%s/slaves", sysroot, id);
	d = depth < MAX_DEPTH ? opendir(link) : NULL;
	for (struct dirent *de; d && (de = readdir(d));) {
		char path[PATH_MAX + 300], *dev;
		unsigned int sma, smi;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/dev", link, de->d_name);
		dev = read_proc(path, 63, NULL);
		if (dev && sscanf(dev, "%u:%u", &sma, &smi) == 2)
			json_object_array_add(under, describe_dev(sysroot, sma,
								  smi, depth + 1));
		free(dev);
	}
	if (d)
		closedir(d);
	add(o, "under", under);
	return o;
}

/* fstype and source of the mount with device ma:mi, from mountinfo. */
static void mount_of(unsigned int ma, unsigned int mi, struct json_object *o)
{
	char *mi_txt = read_proc("/proc/self/mountinfo", 1 << 20, NULL);
	char want[32], *line, *save = NULL;

	if (!mi_txt)
		return;
	snprintf(want, sizeof(want), "%u:%u", ma, mi);
	for (line = strtok_r(mi_txt, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char dev[32], mnt[1024], fstype[64], source[1024];
		const char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %31s %*s %1023s", dev,
				    mnt) != 2 || strcmp(dev, want))
			continue;
		if (sscanf(dash + 3, "%63s %1023s", fstype, source) != 2)
			continue;
		add(o, "fstype", json_object_new_string(fstype));
		add(o, "mount_source", json_object_new_string(source));
		add(o, "mountpoint", json_object_new_string(mnt));
		break;
	}
	free(mi_txt);
}

struct json_object *vbt_facts_storage(const char *sysroot, const char *path)
{
	struct json_object *o, *devs;
	struct stat st;
	char id[32];
	dev_t dev;

	if (!path || stat(path, &st))
		return NULL;
	o = json_object_new_object();
	devs = json_object_new_array();
	add(o, "path", json_object_new_string(path));
	add(o, "type", json_object_new_string(S_ISBLK(st.st_mode) ? "block" :
					      S_ISREG(st.st_mode) ? "file" :
					      "other"));
	dev = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
	snprintf(id, sizeof(id), "%u:%u", major(dev), minor(dev));
	add(o, "dev", json_object_new_string(id));
	if (S_ISREG(st.st_mode)) {
		add(o, "size", json_object_new_int64(st.st_size));
		add(o, "allocated", json_object_new_int64(st.st_blocks * 512LL));
		mount_of(major(dev), minor(dev), o);
	}
	/* major 0: tmpfs, overlay, FUSE...: no block device underneath */
	if (major(dev))
		json_object_array_add(devs, describe_dev(sysroot, major(dev),
							 minor(dev), 0));
	add(o, "block_devices", devs);
	return o;
}

/* ---- QEMU processes ------------------------------------------------------- */

int64_t vbt_facts_image_offset(const char *const *argv, int argc,
			       const struct vbt_drive *d)
{
	for (int i = 0; i + 1 < argc; i++) {
		bool blockdev = !strcmp(argv[i], "-blockdev");
		const char *want = blockdev ? d->node : d->drive, *name, *off;
		long long v = -1;
		json_object *o;
		bool match;
		char *end;

		if ((!blockdev && strcmp(argv[i], "-drive")) || !want)
			continue;
		o = vbt_qemu_opt_json(argv[i + 1], blockdev ? "driver" : NULL,
				      blockdev, NULL, 0);
		name = vbt_qjson_str(o, blockdev ? "node-name" : "id");
		off = vbt_qjson_str(o, "offset");
		/* name and off point into o: use them before it goes */
		match = name && !strcmp(name, want);
		if (match && off) {
			errno = 0;
			v = strtoll(off, &end, 0);
			if (errno || end == off || *end || v < 0)
				v = -1;
		}
		json_object_put(o);
		if (match)
			return v;
	}
	return -1;
}

static struct json_object *drive_json(const struct vbt_vm *vm,
				      const struct vbt_drive *d,
				      const char *const *argv, int argc)
{
	struct json_object *o = json_object_new_object();
	int64_t off = vbt_facts_image_offset(argv, argc, d);

	add(o, "id", jstr(d->id));
	add(o, "drive", jstr(d->drive));
	add(o, "node", jstr(d->node));
	add(o, "image", jstr(d->image));
	add(o, "format", jstr(d->format));
	add(o, "protocol", jstr(d->protocol));
	add(o, "filters", jstr(d->filters));
	add(o, "device_driver", jstr(d->device_driver));
	add(o, "serial", jstr(d->serial));
	add(o, "target", jstr(d->target));
	add(o, "bus", jstr(d->bus));
	add(o, "aio", json_object_new_string(vbt_aio_name(d->aio)));
	add(o, "aio_confirmed", json_object_new_boolean(d->aio_confirmed));
	add(o, "cache", jstr(d->cache));
	add(o, "direct", json_object_new_boolean(d->direct));
	add(o, "direct_confirmed", json_object_new_boolean(d->direct_confirmed));
	add(o, "no_flush", json_object_new_boolean(d->no_flush));
	add(o, "write_cache", d->write_cache < 0 ? NULL :
	    json_object_new_boolean(d->write_cache));
	add(o, "werror", jstr(d->werror));
	add(o, "rerror", jstr(d->rerror));
	add(o, "discard", jstr(d->discard));
	add(o, "logical_block_size", d->logical_block_size ?
	    json_object_new_int(d->logical_block_size) : NULL);
	add(o, "physical_block_size", d->physical_block_size ?
	    json_object_new_int(d->physical_block_size) : NULL);
	add(o, "image_offset", off >= 0 ? json_object_new_int64(off) : NULL);
	if (d->image && d->image[0] == '/')
		add(o, "storage", vbt_facts_storage("/sys", d->image));
	(void)vm;
	return o;
}

/* argv from /proc/PID/cmdline, each argument redacted. */
static struct json_object *argv_json(struct vbt_redactions *r, int pid,
				     char ***argv_out, int *argc_out)
{
	struct json_object *a = json_object_new_array();
	char path[64], where[64], *buf, **argv = NULL;
	const char *prev = NULL;
	size_t len = 0;
	int argc = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	snprintf(where, sizeof(where), "qemu pid %d command line", pid);
	buf = read_proc(path, VBT_QEMU_MAX_CMDLINE, &len);
	for (size_t pos = 0; buf && pos < len;) {
		const char *arg = buf + pos;
		char *red = vbt_redact_arg(r, prev, arg, where), **p;

		pos += strlen(arg) + 1;
		p = realloc(argv, (argc + 1) * sizeof(*argv));
		if (!red || !p) {
			free(red);
			break;
		}
		argv = p;
		argv[argc++] = red;
		json_object_array_add(a, json_object_new_string(red));
		prev = arg[0] == '-' ? arg : NULL;
	}
	free(buf);
	*argv_out = argv;
	*argc_out = argc;
	return a;
}

static struct json_object *libvirt_xml(struct vbt_redactions *r,
				       const struct vbt_vm *vm)
{
	char where[128], *xml, *red;
	struct json_object *o;
	size_t len;

	xml = vbt_libvirt_live_xml(vm, &len);
	if (!xml)
		return NULL;
	snprintf(where, sizeof(where), "libvirt XML of %s", vm->name);
	red = vbt_redact_xml(r, xml, len, where);
	free(xml);
	if (!red)
		return json_object_new_string("(unparsable XML left out)");
	o = json_object_new_string(red);
	free(red);
	return o;
}

static struct json_object *vm_json(struct vbt_redactions *r,
				   const struct vbt_vm *vm)
{
	struct json_object *o = json_object_new_object();
	struct json_object *drives = json_object_new_array();
	char exe[64], ver[160];
	char **argv = NULL;
	int argc = 0;

	add(o, "pid", json_object_new_int(vm->pid));
	add(o, "name", jstr(vm->name));
	add(o, "verified", json_object_new_boolean(vm->verified));
	if (!vm->verified)
		add(o, "unverified_why", jstr(vm->unverified_why));
	add(o, "uuid", jstr(vm->uuid));
	add(o, "binary", jstr(vm->binary));
	snprintf(exe, sizeof(exe), "/proc/%d/exe", vm->pid);
	if (!vbt_qemu_version(exe, ver, sizeof(ver)) ||
	    (vm->binary && !vbt_qemu_version(vm->binary, ver, sizeof(ver))))
		add(o, "qemu_version", json_object_new_string(ver));
	else
		add(o, "qemu_version", NULL);
	add(o, "inspected", json_object_new_boolean(vm->inspected));
	add(o, "aio_ring", json_object_new_boolean(vm->has_aio_ring));
	add(o, "argv", argv_json(r, vm->pid, &argv, &argc));
	for (int i = 0; i < vm->ndrives; i++)
		json_object_array_add(drives, drive_json(vm, &vm->drives[i],
			(const char *const *)argv, argc));
	add(o, "drives", drives);
	add(o, "libvirt_xml", libvirt_xml(r, vm));
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return o;
}

static bool facts_has_pid(struct json_object *qemu, int pid)
{
	size_t n = json_object_array_length(qemu);

	for (size_t i = 0; i < n; i++) {
		struct json_object *v, *e = json_object_array_get_idx(qemu, i);

		if (json_object_object_get_ex(e, "pid", &v) &&
		    json_object_get_int(v) == pid)
			return true;
	}
	return false;
}

void vbt_facts_add_vms(struct json_object *facts, struct vbt_redactions *r)
{
	struct json_object *qemu;
	struct vbt_vmtrack t;

	if (!json_object_object_get_ex(facts, "qemu", &qemu) || !qemu) {
		qemu = json_object_new_array();
		add(facts, "qemu", qemu);
	}
	vbt_vmtrack_init(&t, NULL, NULL);
	vbt_vmtrack_scan(&t);
	for (int i = 0; i < t.nvms; i++)
		if (!facts_has_pid(qemu, t.vms[i].pid))
			json_object_array_add(qemu, vm_json(r, &t.vms[i]));
	vbt_vmtrack_free(&t);
}

/* ---- the whole --------------------------------------------------------- */

/* The guest's PCI address of a disk, to pair it with QEMU's addr=. */
static void disk_extra(struct json_object *dj, const char *name)
{
	char link[PATH_MAX], real[PATH_MAX];
	const char *p, *pci = NULL;

	snprintf(link, sizeof(link), "/sys/block/%s/device", name);
	if (!realpath(link, real))
		return;
	add(dj, "device_path", json_object_new_string(real));
	/* the last "DDDD:BB:SS.F" component is the PCI function */
	for (p = strtok(real, "/"); p; p = strtok(NULL, "/"))
		if (strlen(p) == 12 && p[4] == ':' && p[7] == ':' &&
		    p[10] == '.')
			pci = p;
	add(dj, "pci", jstr(pci));
}

static struct json_object *disks_json(void)
{
	struct json_object *a = json_object_new_array();
	struct vbt_disk_facts *f = NULL;
	int n = vbt_disk_facts_scan("/sys", &f);

	for (int i = 0; i < n; i++) {
		struct json_object *dj = vbt_disk_facts_json(&f[i]);

		if (!dj)
			continue;
		disk_extra(dj, f[i].name);
		json_object_array_add(a, dj);
	}
	if (n > 0)
		vbt_disk_facts_free(f, n);
	return a;
}

struct json_object *vbt_facts_collect(enum vbt_side side,
				      struct vbt_redactions *r)
{
	struct json_object *o = json_object_new_object(), *k;
	struct utsname u;
	char ts[48], *cmdline;
	struct timespec now;

	if (!o)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &now);
	vbt_format_rfc3339(now.tv_sec * 1000000000ULL + now.tv_nsec, ts,
			   sizeof(ts));
	add(o, "v", json_object_new_int(VBT_FACTS_VERSION));
	add(o, "side", json_object_new_string(side == VBT_SIDE_HOST ? "host" :
					      "guest"));
	add(o, "collected", json_object_new_string(ts));
	k = json_object_new_object();
	if (!uname(&u)) {
		add(k, "release", json_object_new_string(u.release));
		add(k, "version", json_object_new_string(u.version));
		add(k, "machine", json_object_new_string(u.machine));
		add(o, "arch", json_object_new_string(u.machine));
	}
	add(o, "kernel", k);
	cmdline = read_proc("/proc/cmdline", 65536, NULL);
	if (cmdline) {
		char *red;

		strip_nl(cmdline);
		red = vbt_redact_words(r, cmdline, "kernel command line");
		add(o, "boot_cmdline", jstr(red));
		free(red);
		free(cmdline);
	}
	add(o, "disks", disks_json());
	if (side == VBT_SIDE_HOST)
		vbt_facts_add_vms(o, r);
	return o;
}
