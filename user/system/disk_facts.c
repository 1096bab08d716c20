// SPDX-License-Identifier: GPL-2.0
/*
 * Per-disk facts from sysfs, and what they say about the host drive.
 *
 * Every file is read with a size bound and checked: sysfs trees handed to us
 * (tests, containers, odd drivers) may miss files or hold garbage, and an
 * unknown value is a fact too, never a reason to fail.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "system/disk_facts.h"

#define ATTR_MAX 4096

static const char *const feature_names[] = {
	[0] = "VIRTIO_BLK_F_BARRIER",
	[1] = "VIRTIO_BLK_F_SIZE_MAX",
	[2] = "VIRTIO_BLK_F_SEG_MAX",
	[4] = "VIRTIO_BLK_F_GEOMETRY",
	[5] = "VIRTIO_BLK_F_RO",
	[6] = "VIRTIO_BLK_F_BLK_SIZE",
	[7] = "VIRTIO_BLK_F_SCSI",
	[9] = "VIRTIO_BLK_F_FLUSH",
	[10] = "VIRTIO_BLK_F_TOPOLOGY",
	[11] = "VIRTIO_BLK_F_CONFIG_WCE",
	[12] = "VIRTIO_BLK_F_MQ",
	[13] = "VIRTIO_BLK_F_DISCARD",
	[14] = "VIRTIO_BLK_F_WRITE_ZEROES",
	[15] = "VIRTIO_BLK_F_LIFETIME",
	[16] = "VIRTIO_BLK_F_SECURE_ERASE",
	[17] = "VIRTIO_BLK_F_ZONED",
	[24] = "VIRTIO_F_NOTIFY_ON_EMPTY",
	[27] = "VIRTIO_F_ANY_LAYOUT",
	[28] = "VIRTIO_RING_F_INDIRECT_DESC",
	[29] = "VIRTIO_RING_F_EVENT_IDX",
	[32] = "VIRTIO_F_VERSION_1",
	[33] = "VIRTIO_F_ACCESS_PLATFORM",
	[34] = "VIRTIO_F_RING_PACKED",
	[35] = "VIRTIO_F_IN_ORDER",
	[36] = "VIRTIO_F_ORDER_PLATFORM",
	[37] = "VIRTIO_F_SR_IOV",
	[38] = "VIRTIO_F_NOTIFICATION_DATA",
	[39] = "VIRTIO_F_NOTIF_CONFIG_DATA",
	[40] = "VIRTIO_F_RING_RESET",
	[41] = "VIRTIO_F_ADMIN_VQ",
};

const char *vbt_virtio_feature_name(unsigned int bit)
{
	if (bit >= sizeof(feature_names) / sizeof(feature_names[0]))
		return NULL;
	return feature_names[bit];
}

const char *vbt_wcache_name(enum vbt_wcache w)
{
	switch (w) {
	case VBT_WCACHE_WRITE_BACK:
		return "write back";
	case VBT_WCACHE_WRITE_THROUGH:
		return "write through";
	default:
		return NULL;
	}
}

bool vbt_disk_has_feature(const struct vbt_disk_facts *f, unsigned int bit)
{
	if (!f->features_known || bit >= VBT_FEATURE_BITS)
		return false;
	return f->features[bit / 64] >> (bit % 64) & 1;
}

/* Replace what a terminal or a JSON consumer should not see with '?'. */
static void printable(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = 0;
}

/*
 * Read a regular file of at most len - 1 bytes, trailing white space cut.
 * Returns its length, or -errno: -EFBIG if longer, -EINVAL for a NUL
 * inside or something that is not a regular file.
 */
static int read_attr(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	size_t n = 0;
	struct stat st;
	char extra;
	ssize_t r;

	if (fd < 0)
		return -errno;
	/* A FIFO or a device node here must not hang or flood us. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	while (n + 1 < len) {
		r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		if (!r)
			break;
		n += r;
	}
	/* Larger than any attribute: garbage, not a value to cut short. */
	if (n + 1 == len && read(fd, &extra, 1) > 0) {
		close(fd);
		return -EFBIG;
	}
	close(fd);
	buf[n] = 0;
	if (memchr(buf, 0, n))
		return -EINVAL;
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = 0;
	return n;
}

/* dir/file into path[PATH_MAX]; false (and "") when it does not fit. */
static bool join(char *path, const char *dir, const char *file)
{
	int n = snprintf(path, PATH_MAX, "%s/%s", dir, file);

	if (n < 0 || n >= PATH_MAX) {
		path[0] = 0;
		return false;
	}
	return true;
}

static int read_at(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];

	if (!join(path, dir, file))
		return -ENAMETOOLONG;
	return read_attr(path, buf, len);
}

/* Digits only, the whole string: anything else is not a number. */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v >= VBT_UNKNOWN)
		return -EINVAL;
	*out = v;
	return 0;
}

static uint64_t read_u64(const char *dir, const char *file)
{
	char buf[64];
	uint64_t v;

	if (read_at(dir, file, buf, sizeof(buf)) <= 0 || parse_u64(buf, &v))
		return VBT_UNKNOWN;
	return v;
}

static int read_tri(const char *dir, const char *file)
{
	uint64_t v = read_u64(dir, file);

	return v == 0 ? VBT_TRI_NO : v == 1 ? VBT_TRI_YES : VBT_TRI_UNKNOWN;
}

static uint64_t sectors_to_bytes(uint64_t sectors)
{
	if (sectors == VBT_UNKNOWN || sectors > VBT_UNKNOWN / 512 - 1)
		return VBT_UNKNOWN;
	return sectors * 512;
}

static void read_str(const char *dir, const char *file, char *dst, size_t len)
{
	char buf[ATTR_MAX];

	dst[0] = 0;
	if (read_at(dir, file, buf, sizeof(buf)) > 0)
		printable(dst, len, buf);
}

static enum vbt_wcache read_wcache(const char *dir, const char *file)
{
	char buf[64];

	if (read_at(dir, file, buf, sizeof(buf)) <= 0)
		return VBT_WCACHE_UNKNOWN;
	if (!strcmp(buf, "write back"))
		return VBT_WCACHE_WRITE_BACK;
	if (!strcmp(buf, "write through"))
		return VBT_WCACHE_WRITE_THROUGH;
	return VBT_WCACHE_UNKNOWN;
}

static bool sched_name_ok(const char *s, size_t n)
{
	if (!n || n >= 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/* "none [mq-deadline] kyber" -> "mq-deadline"; a lone "none" is kept. */
static void read_scheduler(const char *qdir, char *dst, size_t len)
{
	char buf[512], *open_b, *close_b;

	dst[0] = 0;
	if (read_at(qdir, "scheduler", buf, sizeof(buf)) <= 0)
		return;
	open_b = strchr(buf, '[');
	if (open_b) {
		close_b = strchr(open_b, ']');
		if (close_b && sched_name_ok(open_b + 1, close_b - open_b - 1))
			snprintf(dst, len, "%.*s", (int)(close_b - open_b - 1),
				 open_b + 1);
		return;
	}
	if (sched_name_ok(buf, strlen(buf)))
		snprintf(dst, len, "%.31s", buf);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* blk-mq disks have one mq/N directory per hardware queue. */
static uint64_t count_hw_queues(const char *ddir)
{
	char path[PATH_MAX];
	struct dirent *de;
	uint64_t n = 0;
	DIR *d;

	if (!join(path, ddir, "mq"))
		return VBT_UNKNOWN;
	d = opendir(path);
	if (!d)
		return VBT_UNKNOWN;
	while ((de = readdir(d)))
		if (all_digits(de->d_name))
			n++;
	closedir(d);
	return n;
}

/*
 * "0010...": one character per bit, bit 0 first (virtio.c features_show).
 * Anything but '0' and '1' makes the whole string unknown.
 */
static void parse_features(struct vbt_disk_facts *f, const char *s, size_t n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '0' && s[i] != '1')
			return;
	memset(f->features, 0, sizeof(f->features));
	for (size_t i = 0; i < n && i < VBT_FEATURE_BITS; i++)
		if (s[i] == '1')
			f->features[i / 64] |= 1ULL << (i % 64);
	snprintf(f->features_raw, sizeof(f->features_raw), "%.*s",
		 (int)(n < VBT_FEATURE_BITS ? n : VBT_FEATURE_BITS), s);
	f->features_known = true;
}

static void read_features(struct vbt_disk_facts *f, const char *ddir)
{
	char buf[ATTR_MAX];
	int n = read_at(ddir, "device/features", buf, sizeof(buf));

	if (n > 0)
		parse_features(f, buf, n);
}

/* Virtual disks have no device/driver link: name the driver by the name. */
static void guess_driver(struct vbt_disk_facts *f, const char *ddir)
{
	static const struct { const char *prefix, *driver; } known[] = {
		{ "loop", "loop" }, { "zram", "zram" }, { "nbd", "nbd" },
		{ "dm-", "device-mapper" }, { "md", "md" }, { "ram", "brd" },
		{ "nullb", "null_blk" }, { "rbd", "rbd" }, { "ublkb", "ublk" },
	};
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	if (f->id.driver[0]) {
		printable(f->driver, sizeof(f->driver), f->id.driver);
		return;
	}
	/* NVMe namespaces: the driver is bound to the controller's parent. */
	n = join(path, ddir, "device/device/driver") ?
	    readlink(path, link, sizeof(link) - 1) : -1;
	if (n > 0) {
		link[n] = 0;
		printable(f->driver, sizeof(f->driver),
			  strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
		return;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		size_t len = strlen(known[i].prefix);

		if (!strncmp(f->id.name, known[i].prefix, len) &&
		    isdigit((unsigned char)f->id.name[len])) {
			snprintf(f->driver, sizeof(f->driver), "%s",
				 known[i].driver);
			return;
		}
	}
}

static int add_part(struct vbt_disk_facts *f, const char *ddir,
		    const char *name)
{
	char pdir[PATH_MAX], buf[64];
	struct vbt_part_facts *p, *tmp;
	unsigned int ma, mi;
	char end;

	if (!join(pdir, ddir, name))
		return 0;
	if (read_at(pdir, "partition", buf, sizeof(buf)) <= 0)
		return 0;
	tmp = realloc(f->parts, (f->nparts + 1) * sizeof(*f->parts));
	if (!tmp)
		return -ENOMEM;
	f->parts = tmp;
	p = &f->parts[f->nparts++];
	memset(p, 0, sizeof(*p));
	printable(p->name, sizeof(p->name), name);
	if (read_at(pdir, "dev", buf, sizeof(buf)) > 0 &&
	    sscanf(buf, "%u:%u%c", &ma, &mi, &end) == 2 && ma < 4096 &&
	    mi <= 0xfffff) {
		p->major = ma;
		p->minor = mi;
		p->dev_known = true;
	}
	p->start = read_u64(pdir, "start");
	p->size = sectors_to_bytes(read_u64(pdir, "size"));
	return 0;
}

static int cmp_part(const void *a, const void *b)
{
	return strverscmp(((const struct vbt_part_facts *)a)->name,
			  ((const struct vbt_part_facts *)b)->name);
}

static int read_parts(struct vbt_disk_facts *f, const char *ddir)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = opendir(ddir);
	if (!d)
		return 0;
	/* Bounded: a hostile tree could hold any number of entries. */
	while ((de = readdir(d)) && f->nparts < 4096 && !ret) {
		if (de->d_name[0] == '.' || de->d_type == DT_REG ||
		    de->d_type == DT_LNK)
			continue;
		ret = add_part(f, ddir, de->d_name);
	}
	closedir(d);
	if (f->nparts > 1)
		qsort(f->parts, f->nparts, sizeof(*f->parts), cmp_part);
	return ret;
}

static void read_queue(struct vbt_disk_facts *f, const char *ddir)
{
	char q[PATH_MAX];

	join(q, ddir, "queue");
	f->wcache = read_wcache(q, "write_cache");
	f->rotational = read_tri(q, "rotational");
	f->logical_block_size = read_u64(q, "logical_block_size");
	f->physical_block_size = read_u64(q, "physical_block_size");
	f->minimum_io_size = read_u64(q, "minimum_io_size");
	f->optimal_io_size = read_u64(q, "optimal_io_size");
	f->discard_max_bytes = read_u64(q, "discard_max_bytes");
	f->discard_granularity = read_u64(q, "discard_granularity");
	f->write_zeroes_max_bytes = read_u64(q, "write_zeroes_max_bytes");
	f->nr_requests = read_u64(q, "nr_requests");
	read_scheduler(q, f->scheduler, sizeof(f->scheduler));
}

static void hint(struct vbt_disk_facts *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void hint(struct vbt_disk_facts *f, const char *fmt, ...)
{
	va_list ap;

	if (f->nhints == VBT_MAX_HINTS)
		return;
	va_start(ap, fmt);
	vsnprintf(f->hints[f->nhints++], sizeof(f->hints[0]), fmt, ap);
	va_end(ap);
}

static bool has(const struct vbt_disk_facts *f, unsigned int bit)
{
	return vbt_disk_has_feature(f, bit);
}

/*
 * The write cache mode as QEMU sets it: cache=none|writeback|unsafe mean
 * write-cache=on, cache=writethrough|directsync mean write-cache=off.  The
 * guest driver takes it from the config space (CONFIG_WCE) or, without it,
 * from FLUSH alone (virtblk_get_cache_mode).
 */
static void hint_wcache(struct vbt_disk_facts *f)
{
	if (f->wcache == VBT_WCACHE_WRITE_BACK)
		hint(f, "write back: the host drive has a writeback cache (QEMU "
		     "cache=none, writeback or unsafe; write-cache=on); the guest "
		     "sends flushes");
	else if (f->wcache == VBT_WCACHE_WRITE_THROUGH)
		hint(f, "write through: the host drive has write-cache=off (QEMU "
		     "cache=writethrough or directsync); the guest sends no "
		     "flushes");
	if (f->dev_wcache != VBT_WCACHE_UNKNOWN && f->wcache != f->dev_wcache)
		hint(f, "the device says %s but queue/write_cache says %s: "
		     "someone in the guest overrode queue/write_cache",
		     vbt_wcache_name(f->dev_wcache),
		     vbt_wcache_name(f->wcache) ?: "unknown");
	if (!f->features_known)
		return;
	if (has(f, VBT_VIRTIO_BLK_F_CONFIG_WCE))
		hint(f, "CONFIG_WCE: the guest may switch the mode in "
		     "/sys/block/%s/cache_type, so the mode can be the guest's "
		     "choice", f->name);
	else if (!has(f, VBT_VIRTIO_BLK_F_FLUSH))
		hint(f, "no FLUSH and no CONFIG_WCE: the device promises no "
		     "volatile cache (QEMU: config-wce=off with write-cache=off)");
}

static void hint_geometry(struct vbt_disk_facts *f)
{
	uint64_t lbs = f->logical_block_size, pbs = f->physical_block_size;

	if (has(f, VBT_VIRTIO_BLK_F_BLK_SIZE) && lbs != VBT_UNKNOWN && lbs != 512)
		hint(f, "logical block size %llu: the host drive set "
		     "logical_block_size=%llu", (unsigned long long)lbs,
		     (unsigned long long)lbs);
	if (has(f, VBT_VIRTIO_BLK_F_TOPOLOGY) && pbs != VBT_UNKNOWN &&
	    lbs != VBT_UNKNOWN && pbs != lbs)
		hint(f, "physical block size %llu: the host drive set "
		     "physical_block_size=%llu", (unsigned long long)pbs,
		     (unsigned long long)pbs);
	if (has(f, VBT_VIRTIO_BLK_F_TOPOLOGY) &&
	    ((f->minimum_io_size != VBT_UNKNOWN && pbs != VBT_UNKNOWN &&
	      f->minimum_io_size > pbs) ||
	     (f->optimal_io_size != VBT_UNKNOWN && f->optimal_io_size)))
		hint(f, "I/O size hints (minimum %llu, optimal %llu): the host "
		     "drive set min_io_size/opt_io_size",
		     (unsigned long long)f->minimum_io_size,
		     (unsigned long long)f->optimal_io_size);
}

/*
 * QEMU's virtio-blk offers DISCARD and WRITE_ZEROES by the device
 * properties discard= and write-zeroes= (on since machine type 4.0); the
 * drive's discard=ignore|unmap decides only what the host does with them.
 */
static void hint_features(struct vbt_disk_facts *f)
{
	if (!has(f, VBT_VIRTIO_BLK_F_DISCARD))
		hint(f, "no DISCARD feature: the guest cannot discard (fstrim "
		     "fails); the device has discard=off, a machine type "
		     "before 4.0 or an old QEMU");
	else
		hint(f, "DISCARD: the guest may discard; whether host space is "
		     "freed is the drive's discard=unmap (discard=ignore drops "
		     "them)");
	if (!has(f, VBT_VIRTIO_BLK_F_WRITE_ZEROES))
		hint(f, "no WRITE_ZEROES feature: the device has write-zeroes=off, "
		     "a machine type before 4.0 or an old QEMU; the guest writes "
		     "zero pages instead");
	if (has(f, VBT_VIRTIO_BLK_F_MQ) && f->hw_queues != VBT_UNKNOWN)
		hint(f, "MQ: %llu hardware queues (QEMU num-queues >= %llu; the "
		     "default since 5.2 is one per vCPU)",
		     (unsigned long long)f->hw_queues,
		     (unsigned long long)f->hw_queues);
	else if (!has(f, VBT_VIRTIO_BLK_F_MQ))
		hint(f, "no MQ feature: one request queue (QEMU num-queues=1 or "
		     "a machine type before 5.2)");
	if (has(f, VBT_VIRTIO_BLK_F_RO))
		hint(f, "RO feature: the host drive is read-only (QEMU "
		     "readonly=on or a read-only image)");
	if (has(f, VBT_VIRTIO_BLK_F_ZONED))
		hint(f, "ZONED: a zoned host block device is passed through");
	if (has(f, VBT_VIRTIO_F_ACCESS_PLATFORM))
		hint(f, "ACCESS_PLATFORM: DMA goes through the platform IOMMU "
		     "(QEMU iommu_platform=on: vIOMMU or confidential guest)");
	if (has(f, VBT_VIRTIO_F_RING_PACKED))
		hint(f, "RING_PACKED: packed virtqueues (QEMU packed=on)");
	if (!has(f, VBT_VIRTIO_F_VERSION_1))
		hint(f, "no VERSION_1: a legacy virtio device (QEMU "
		     "disable-modern=on)");
	else if (!has(f, VBT_VIRTIO_BLK_F_GEOMETRY))
		hint(f, "no GEOMETRY feature: QEMU's virtio-blk and "
		     "vhost-user-blk always offer it, so another VMM or backend "
		     "serves this disk");
}

static void build_hints(struct vbt_disk_facts *f)
{
	if (f->id.virtio) {
		hint_wcache(f);
		if (!f->features_known) {
			hint(f, "negotiated features unknown (device/features "
			     "missing or unreadable)");
			return;
		}
		hint_geometry(f);
		hint_features(f);
		return;
	}
	if (f->backing_file[0])
		hint(f, "loop device over %s, direct I/O %s", f->backing_file,
		     f->loop_dio == VBT_TRI_YES ? "on" :
		     f->loop_dio == VBT_TRI_NO ?
		     "off (writes go through the page cache of the backing file)" :
		     "unknown");
}

/* Returns 0, or -ENOMEM: a fact that cannot be read is unknown, no error. */
static int collect(const char *sysroot, const struct vbt_disk *id,
		   struct vbt_disk_facts *f)
{
	char ddir[PATH_MAX], ldir[PATH_MAX];

	memset(f, 0, sizeof(*f));
	f->id = *id;
	printable(f->name, sizeof(f->name), id->name);
	f->size = f->logical_block_size = f->physical_block_size = VBT_UNKNOWN;
	f->minimum_io_size = f->optimal_io_size = VBT_UNKNOWN;
	f->discard_max_bytes = f->discard_granularity = VBT_UNKNOWN;
	f->write_zeroes_max_bytes = f->hw_queues = f->nr_requests = VBT_UNKNOWN;
	f->rotational = f->read_only = f->loop_dio = VBT_TRI_UNKNOWN;
	/* A path too long to read leaves every fact unknown. */
	if ((size_t)snprintf(ddir, sizeof(ddir), "%s/block/%s", sysroot,
			     id->name) >= sizeof(ddir))
		return 0;
	guess_driver(f, ddir);
	f->size = sectors_to_bytes(read_u64(ddir, "size"));
	read_str(ddir, "device/model", f->model, sizeof(f->model));
	read_str(ddir, "serial", f->serial, sizeof(f->serial));
	if (!f->serial[0])
		read_str(ddir, "device/serial", f->serial, sizeof(f->serial));
	f->read_only = read_tri(ddir, "ro");
	read_queue(f, ddir);
	f->hw_queues = count_hw_queues(ddir);

	join(ldir, ddir, "loop");
	read_str(ldir, "backing_file", f->backing_file, sizeof(f->backing_file));
	f->loop_dio = read_tri(ldir, "dio");

	if (id->virtio) {
		f->dev_wcache = read_wcache(ddir, "cache_type");
		read_features(f, ddir);
	}
	vbt_disk_stack_facts(f, sysroot, ddir);
	build_hints(f);
	return read_parts(f, ddir);
}

void vbt_disk_facts_fini(struct vbt_disk_facts *f)
{
	free(f->parts);
	f->parts = NULL;
	f->nparts = 0;
}

void vbt_disk_facts_free(struct vbt_disk_facts *f, int n)
{
	for (int i = 0; i < n; i++)
		vbt_disk_facts_fini(&f[i]);
	free(f);
}

static int cmp_disk(const void *a, const void *b)
{
	return strverscmp(((const struct vbt_disk *)a)->name,
			  ((const struct vbt_disk *)b)->name);
}

int vbt_disk_facts_scan(const char *sysroot, struct vbt_disk_facts **out)
{
	struct vbt_disk_facts *facts;
	struct vbt_disk *ids;
	int n, ret = 0;

	n = vbt_disks_scan(sysroot, &ids);
	if (n < 0)
		return n;
	if (n > 1)
		qsort(ids, n, sizeof(*ids), cmp_disk);
	facts = calloc(n ? n : 1, sizeof(*facts));
	if (!facts) {
		free(ids);
		return -ENOMEM;
	}
	for (int i = 0; i < n && !ret; i++)
		ret = collect(sysroot, &ids[i], &facts[i]);
	free(ids);
	if (ret) {
		vbt_disk_facts_free(facts, n);
		return ret;
	}
	*out = facts;
	return n;
}

int vbt_disk_facts_get(const char *sysroot, const char *name,
		       struct vbt_disk_facts *f)
{
	struct vbt_disk *ids;
	int n, ret = -ENOENT;

	memset(f, 0, sizeof(*f));
	n = vbt_disks_scan(sysroot, &ids);
	if (n < 0)
		return -ENOENT;
	for (int i = 0; i < n; i++) {
		if (strcmp(ids[i].name, name))
			continue;
		ret = collect(sysroot, &ids[i], f);
		if (ret)
			vbt_disk_facts_fini(f);
		break;
	}
	free(ids);
	return ret;
}
