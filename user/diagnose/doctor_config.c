// SPDX-License-Identifier: GPL-2.0
/*
 * Configurations for vblktrace doctor.  The drives come from the shared
 * QEMU/libvirt model (system/qemu/); this file adds what that model leaves
 * out: machine type, vCPUs, -incoming, and every PCI device with its bus,
 * slot and config-space properties.  -device strings are split with the
 * model's own QemuOpts/JSON helpers, never a second parser.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diagnose/doctor.h"
#include "system/qemu/qemu_opts.h"
#include "util/shellwords.h"

#define DR_MAX_INPUT	(16 * 1024 * 1024)

/* Device properties that change what the guest (and the migration stream)
 * sees of a device: virtio config space size and contents, queue layout,
 * PCI BARs.  Everything else (bootindex, serial, iothread) is left out. */
static const char *const config_props[] = {
	"num-queues", "num_queues", "queue-size", "seg-max-adjust", "discard",
	"write-zeroes", "max-discard-sectors", "max-write-zeroes-sectors",
	"report-discard-granularity", "config-wce", "packed", "event_idx",
	"indirect_desc", "logical_block_size", "physical_block_size",
	"min_io_size", "opt_io_size", "disable-legacy", "disable-modern",
	"vectors", "ats", "iommu_platform", "scsi", "mq", NULL
};

static bool in_list(const char *const *l, const char *s)
{
	for (; s && *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void set_str(char **dst, const char *v)
{
	if (!v)
		return;
	free(*dst);
	*dst = strdup(v);
}

/* ---- pasted command lines ---- */

static bool env_word(const char *w)
{
	const char *eq = strchr(w, '=');

	if (!eq || eq == w || (*w >= '0' && *w <= '9'))
		return false;
	for (const char *p = w; p < eq; p++)
		if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

static bool qemu_word(const char *w)
{
	const char *b = strrchr(w, '/');

	b = b ? b + 1 : w;
	return !strncmp(b, "qemu-system-", 12) || !strcmp(b, "qemu-kvm");
}

/* One argument per line: every line that starts with '-' is an option
 * alone on its line (a shell-quoted paste has "-opt value" lines). */
static bool one_per_line(const char *buf, size_t len)
{
	int lines = 0;

	for (size_t i = 0; i < len;) {
		size_t e = i;

		while (e < len && buf[e] != '\n')
			e++;
		if (e > i) {
			lines++;
			if (buf[e - 1] == '\\')
				return false;
			if (buf[i] == '-' && memchr(buf + i, ' ', e - i))
				return false;
		}
		i = e + 1;
	}
	return lines > 1;
}

int dr_split_cmdline(const char *buf, size_t len, char **argv,
		     size_t *outlen, char *err, size_t errlen)
{
	char *out = malloc(len + 2), *start;
	size_t o = 0, skip = 0;
	ssize_t n;

	if (!out)
		return -ENOMEM;
	if (memchr(buf, '\0', len)) {
		/* /proc/PID/cmdline ends each word with NUL; a file cut short
		 * or edited may not: end the last word, or every reader's
		 * strlen() runs off the buffer. */
		memcpy(out, buf, len);
		if (buf[len - 1] != '\0')
			out[len++] = '\0';
		*argv = out;
		*outlen = len;
		return 0;
	}
	if (one_per_line(buf, len)) {
		for (size_t i = 0; i < len; i++) {
			if (buf[i] == '\r')
				continue;
			if (buf[i] == '\n') {
				if (o && out[o - 1] != '\0')
					out[o++] = '\0';
				continue;
			}
			out[o++] = buf[i];
		}
		if (o && out[o - 1] != '\0')
			out[o++] = '\0';
	} else {
		n = vbt_shell_split(buf, len, out, err, errlen);
		if (n < 0) {
			free(out);
			return n;
		}
		o = n;
	}
	/* Start at the QEMU binary if the paste names one, else after any
	 * leading VAR=value words (libvirt logs the environment first). */
	for (size_t i = 0; i < o; i += strlen(out + i) + 1) {
		if (qemu_word(out + i)) {
			skip = i;
			break;
		}
		if (env_word(out + i) && skip == i)
			skip = i + strlen(out + i) + 1;
	}
	start = out + skip;
	memmove(out, start, o - skip);
	*argv = out;
	*outlen = o - skip;
	return 0;
}

/* ---- PCI devices of a command line ---- */

static int parse_slot(const char *addr, int *slot, int *fn)
{
	char *end;
	unsigned long s, f = 0;

	if (!addr || !*addr)
		return -1;
	s = strtoul(addr, &end, 16);
	if (*end == '.')
		f = strtoul(end + 1, &end, 16);
	if (*end || s > 31 || f > 7)
		return -1;
	*slot = s;
	*fn = f;
	return 0;
}

static const char *norm_bool(const char *v)
{
	int b = vbt_qparse_bool(v);

	return b < 0 ? v : b ? "on" : "off";
}

static void add_prop(struct dr_dev *d, const char *key, const char *val)
{
	char k[64];

	if (!val || d->nprops >= DR_MAX_PROPS || strlen(key) >= sizeof(k))
		return;
	snprintf(k, sizeof(k), "%s", key);
	/* QEMU takes both spellings of the block size properties. */
	if (!strcmp(k, "logical-block-size"))
		snprintf(k, sizeof(k), "logical_block_size");
	if (!strcmp(k, "physical-block-size"))
		snprintf(k, sizeof(k), "physical_block_size");
	if (!in_list(config_props, k))
		return;
	for (int i = 0; i < d->nprops; i++)
		if (!strcmp(d->props[i].key, k))
			return;
	d->props[d->nprops].key = strdup(k);
	d->props[d->nprops].val = strdup(norm_bool(val));
	d->nprops++;
}

static bool is_root_port(const char *drv)
{
	return drv && (!strcmp(drv, "pcie-root-port") ||
		       !strcmp(drv, "ioh3420"));
}

static void add_device_arg(struct dr_config *c, const char *val)
{
	json_object *j = vbt_qemu_opt_json(val, "driver", false, NULL, 0);
	struct dr_dev *d;

	if (!j)
		return;
	d = dr_add_dev(c);
	if (d) {
		d->driver = xstrdup(vbt_qjson_str(j, "driver"));
		d->id = xstrdup(vbt_qjson_str(j, "id"));
		d->bus = xstrdup(vbt_qjson_str(j, "bus"));
		d->drive = xstrdup(vbt_qjson_str(j, "drive"));
		parse_slot(vbt_qjson_str(j, "addr"), &d->slot, &d->fn);
		d->root_port = is_root_port(d->driver);
		d->port_hotplug_off =
			vbt_qparse_bool(vbt_qjson_str(j, "hotplug")) == 0;
		json_object_object_foreach(j, k, v) {
			(void)v;
			add_prop(d, k, vbt_qjson_str(j, k));
		}
	}
	json_object_put(j);
}

static void set_machine(struct dr_config *c, const char *val)
{
	struct vbt_qopts o;
	const char *t;

	if (vbt_qopts_parse(val, "type", &o, NULL, 0) < 0)
		return;
	t = vbt_qopts_get(&o, "type");
	if (t && strcmp(t, "none")) {
		free(c->machine);
		c->machine = strdup(t);
	}
	set_str(&c->accel, vbt_qopts_get(&o, "accel"));
	if (vbt_qopts_get(&o, "highmem"))
		c->highmem_off = !vbt_qparse_bool(vbt_qopts_get(&o, "highmem"));
	/* -machine pflash0=NODE: libvirt's -blockdev firmware. */
	if (vbt_qopts_get(&o, "pflash0") && !c->firmware) {
		const struct vbt_drive *d = NULL;

		for (int i = 0; i < c->vm.ndrives && !d; i++)
			if (c->vm.drives[i].node &&
			    !strcmp(c->vm.drives[i].node,
				    vbt_qopts_get(&o, "pflash0")))
				d = &c->vm.drives[i];
		set_str(&c->firmware, d && d->image ? d->image :
			vbt_qopts_get(&o, "pflash0"));
	}
	vbt_qopts_free(&o);
}

static void set_smp(struct dr_config *c, const char *val)
{
	struct vbt_qopts o;
	const char *v;
	long n = 1;

	if (vbt_qopts_parse(val, "cpus", &o, NULL, 0) < 0)
		return;
	v = vbt_qopts_get(&o, "cpus");
	if (v) {
		n = strtol(v, NULL, 10);
	} else {
		static const char *const parts[] = {
			"sockets", "dies", "clusters", "cores", "threads"
		};

		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			if (vbt_qopts_get(&o, parts[i]))
				n *= strtol(vbt_qopts_get(&o, parts[i]), NULL,
					    10);
	}
	if (n > 0 && n < 100000)
		c->vcpus = n;
	vbt_qopts_free(&o);
}

/* The target of a distribution's qemu-kvm (RHEL, openEuler: one binary per
 * host architecture) from its machine type, which only that target has;
 * a pasted command line may come from another machine than this one. */
static const char *arch_of_machine(const char *m)
{
	if (!m)
		return NULL;
	if (!strncmp(m, "virt", 4))
		return "aarch64";
	if (!strncmp(m, "pc", 2) || strstr(m, "q35") || strstr(m, "i440fx"))
		return "x86_64";
	if (!strncmp(m, "s390-ccw-virtio", 15))
		return "s390x";
	if (!strncmp(m, "pseries", 7))
		return "ppc64";
	return NULL;
}

static void arch_from_binary(struct dr_config *c, const char *bin)
{
	const char *b = bin ? strrchr(bin, '/') : NULL, *a;

	b = b ? b + 1 : bin;
	if (!b || c->arch)
		return;
	if (!strncmp(b, "qemu-system-", 12)) {
		c->arch = strndup(b + 12, strcspn(b + 12, " "));
	} else if (!strcmp(b, "qemu-kvm")) {
		a = arch_of_machine(c->machine);
#if defined(__aarch64__)
		a = a ? a : "aarch64";
#elif defined(__x86_64__)
		a = a ? a : "x86_64";
#endif
		c->arch = a ? strdup(a) : NULL;
	}
}

static void note_ide(struct dr_config *c, const char *what)
{
	if (!c->ide++)
		set_str(&c->ide_first, what);
}

/* -cpu MODEL[,feature...] */
static void set_cpu(struct dr_config *c, const char *val)
{
	free(c->cpu);
	c->cpu = strndup(val, strcspn(val, ","));
}

/* -drive: firmware in pflash unit 0, or a disk put on IDE by hand. */
static void drive_extras(struct dr_config *c, const char *val)
{
	struct vbt_qopts o;
	const char *iface, *unit;

	if (vbt_qopts_parse(val, NULL, &o, NULL, 0) < 0)
		return;
	iface = vbt_qopts_get(&o, "if");
	unit = vbt_qopts_get(&o, "unit");
	if (iface && !strcmp(iface, "pflash") && (!unit || !strcmp(unit, "0")))
		set_str(&c->firmware, vbt_qopts_get(&o, "file"));
	else if (iface && !strcmp(iface, "ide"))
		note_ide(c, vbt_qopts_get(&o, "id") ? vbt_qopts_get(&o, "id") :
			 vbt_qopts_get(&o, "file"));
	vbt_qopts_free(&o);
}

/* -accel kvm, -machine accel=kvm, -enable-kvm */
static void set_accel(struct dr_config *c, const char *val)
{
	struct vbt_qopts o;

	if (vbt_qopts_parse(val, "accel", &o, NULL, 0) < 0)
		return;
	set_str(&c->accel, vbt_qopts_get(&o, "accel"));
	vbt_qopts_free(&o);
}

static void argv_extras(struct dr_config *c, const char *buf, size_t len)
{
	const char *argv0 = len ? buf : NULL;

	for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
		const char *o = buf + i, *val;
		size_t next = i + strlen(o) + 1;

		if (o[0] != '-')
			continue;
		o += o[1] == '-' ? 2 : 1;
		if (!strcmp(o, "incoming")) {
			c->incoming = true;
			continue;
		}
		if (!strcmp(o, "enable-kvm")) {
			set_str(&c->accel, "kvm");
			continue;
		}
		if (strcmp(o, "device") && strcmp(o, "machine") &&
		    strcmp(o, "M") && strcmp(o, "smp") && strcmp(o, "cpu") &&
		    strcmp(o, "accel") && strcmp(o, "bios") &&
		    strcmp(o, "drive") && strcmp(o, "kernel") &&
		    strcmp(o, "pflash"))
			continue;
		if (next >= len)
			break;
		val = buf + next;
		i = next;
		if (!strcmp(o, "device"))
			add_device_arg(c, val);
		else if (!strcmp(o, "smp"))
			set_smp(c, val);
		else if (!strcmp(o, "cpu"))
			set_cpu(c, val);
		else if (!strcmp(o, "accel"))
			set_accel(c, val);
		else if (!strcmp(o, "bios") || !strcmp(o, "pflash"))
			set_str(&c->firmware, val);
		else if (!strcmp(o, "drive"))
			drive_extras(c, val);
		else if (!strcmp(o, "kernel"))
			c->direct_kernel = true;
		else
			set_machine(c, val);
	}
	for (int k = 0; k < c->ndevs; k++)
		if (c->devs[k].driver && !strncmp(c->devs[k].driver, "ide-", 4))
			note_ide(c, c->devs[k].id ? c->devs[k].id :
				 c->devs[k].driver);
	arch_from_binary(c, c->vm.binary ? c->vm.binary : argv0);
}

int dr_config_from_cmdline(struct dr_config *c, const char *buf, size_t len,
			   char *err, size_t errlen)
{
	size_t alen;
	char *argv;
	int r;

	r = dr_split_cmdline(buf, len, &argv, &alen, err, errlen);
	if (r)
		return r;
	r = vbt_qemu_parse_cmdline(argv, alen, &c->vm, err, errlen);
	if (r == 0) {
		argv_extras(c, argv, alen);
		if (!c->vcpus)	/* QEMU's default -smp */
			c->vcpus = 1;
	}
	free(argv);
	return r;
}

/* ---- files and processes ---- */

static ssize_t slurp(const char *path, char **out, char *err, size_t errlen)
{
	/* Non-blocking until we know what it is: a FIFO or device given in
	 * place of a file must not hang or wake anything.  Only stdin (the
	 * user's own '-') may be a pipe. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	bool is_stdin = !strcmp(path, "/dev/stdin");
	size_t cap = 65536, len = 0;
	char *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) || (!S_ISREG(st.st_mode) && !is_stdin)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		close(fd);
		return -errno;
	}
	buf = malloc(cap + 1);
	while (buf && (n = read(fd, buf + len, cap - len)) > 0) {
		len += n;
		if (len == cap) {
			char *nb;

			if (cap >= DR_MAX_INPUT) {
				snprintf(err, errlen, "%s: larger than %d bytes",
					 path, DR_MAX_INPUT);
				free(buf);
				close(fd);
				return -E2BIG;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	close(fd);
	if (!buf)
		return -ENOMEM;
	buf[len] = '\0';
	*out = buf;
	return len;
}

int dr_config_from_file(struct dr_config *c, const char *path, bool xml,
			char *err, size_t errlen)
{
	char *buf = NULL;
	ssize_t len = slurp(path, &buf, err, errlen);
	const char *p;
	int r;

	if (len < 0)
		return len;
	p = buf + strspn(buf, " \t\r\n");
	if (!*p) {
		snprintf(err, errlen, "%s: empty file", path);
		free(buf);
		return -EINVAL;
	}
	if (xml || *p == '<')
		r = dr_config_from_xml(c, buf, len, err, errlen);
	else
		r = dr_config_from_cmdline(c, buf, len, err, errlen);
	if (r == 0 && asprintf(&c->origin, "%s %s", *p == '<' || xml ?
			       "libvirt XML" : "command line", path) < 0)
		c->origin = NULL;
	free(buf);
	return r;
}

/*
 * Disks this QEMU hands to a vhost-user daemon have no drive in QEMU: take
 * them, with the daemon's image, aio and cache, from the daemon.
 */
static void add_vhost_drives(struct dr_config *c, const char *procroot)
{
	struct vbt_vm *all = malloc(sizeof(*all));
	int n = 1;

	if (!all)
		return;
	all[0] = c->vm;
	vbt_vhost_scan(procroot, &all, &n);
	c->vm = all[0];
	for (int i = 1; i < n; i++) {
		for (int j = 0; all[i].backend_of == c->vm.pid &&
		     j < all[i].ndrives; j++) {
			struct vbt_drive *d;

			if (!all[i].drives[j].device_driver)
				continue;	/* not exported to this VM */
			d = vbt_vm_add_drive(&c->vm);
			if (!d)
				break;
			*d = all[i].drives[j];
			memset(&all[i].drives[j], 0, sizeof(*d));
		}
		vbt_vm_free(&all[i]);
	}
	free(all);
}

int dr_config_from_pid(struct dr_config *c, const char *procroot, int pid,
		       char *err, size_t errlen)
{
	char path[512], *buf = NULL, lerr[256];
	ssize_t len;
	int r = vbt_qemu_inspect(procroot, pid, &c->vm, err, errlen);

	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%d/cmdline", procroot, pid);
	len = slurp(path, &buf, lerr, sizeof(lerr));
	if (len > 0)
		argv_extras(c, buf, len);
	free(buf);
	if (!c->vcpus)
		c->vcpus = 1;
	/* vbt_qemu_inspect merged libvirt's live XML into the model; the
	 * doctor also reads what only it needs from the same file. */
	if (!c->vm.libvirt_err) {
		size_t xlen;
		char *xml = vbt_libvirt_live_xml(&c->vm, &xlen);

		if (xml)
			dr_xml_extras(c, xml, xlen, false);
		free(xml);
	}
	add_vhost_drives(c, procroot);
	dr_config_apply_live(c, procroot, pid);
	if (asprintf(&c->origin, "pid %d%s%s", pid, c->vm.name ? " " : "",
		     c->vm.name ? vbt_vm_label(&c->vm) : "") < 0)
		c->origin = NULL;
	return 0;
}
