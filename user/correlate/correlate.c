// SPDX-License-Identifier: GPL-2.0
/* Guest <-> host correlation: disks, sectors, clocks, origins (correlate.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "correlate/correlate.h"
#include "correlate/host_index.h"
#include "decode/names.h"
#include "system/qemu/qemu_opts.h"
#include "util/json.h"

#define DEFAULT_WINDOW_NS	(2ULL * 1000000000ULL)
#define DEFAULT_COARSE_NS	(120ULL * 1000000000ULL)
#define MAX_HDRIVES		256

/* A QEMU drive as the host side knows it. */
struct hdrive {
	char vm[64];
	char id[64], drive[64], node[64];
	char image[256], format[16], aio[16], filters[64];
	char serial[64], target[32];
	int pci_slot;			/* -device addr=, or -1 */
	int64_t offset;			/* raw node offset=, or -1 */
	char host_devs[128];
};

struct gdisk {
	char name[32], serial[64];
	bool virtio;
	int pci_slot;
};

/* A drive's failed host I/O, sorted for the join (built when first used). */
struct dindex {
	bool built;
	struct vbt_hidx off;		/* with a byte range: by (offset, time) */
	struct vbt_hidx rangeless;	/* without one (fsync, ...): by time */
	struct vbt_hidx all;		/* every failed I/O on it: by time */
	struct vbt_hidx blocks;		/* failed block requests under it */
};

struct ctx {
	const struct vbt_crec *g, *h;
	struct dindex *di;		/* parallel to hd[] */
	struct vbt_hidx seqs;		/* host events by seq */
	char why[768];			/* the join being classified */
	bool oom;
	const struct vbt_input *hin;
	const struct vbt_corr_opts *o;
	struct hdrive *hd;
	int nhd;
	struct gdisk gd[VBT_CORR_MAX_DISKS];
	int ngd;
	int pair_of[VBT_CORR_MAX_DISKS];	/* gd index -> hd index, -1 */
	uint64_t hspan_start, hspan_end;	/* host wall, 0: unknown */
	uint32_t gd_id;				/* gdisk_index()'s last */
	bool gd_id_ok;
	int gd_of_id;
};

const char *vbt_origin_name(enum vbt_origin o)
{
	static const char *const names[] = {
		[VBT_ORIGIN_UNKNOWN] = "unknown",
		[VBT_ORIGIN_HOST_DEVICE] = "host-device",
		[VBT_ORIGIN_HOST_SYSCALL] = "host-syscall",
		[VBT_ORIGIN_QEMU_INTERNAL] = "qemu-internal",
		[VBT_ORIGIN_GUEST] = "guest",
	};

	return o < VBT_ORIGIN_MAX ? names[o] : "unknown";
}

static void cpy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* ---- operations ----------------------------------------------------------- */

enum opclass { OPC_READ, OPC_WRITE, OPC_FLUSH, OPC_DISCARD, OPC_ANY, OPC_NONE };

static enum opclass guest_class(const struct vbt_cev *ev)
{
	switch (ev->op) {
	case VBT_OP_READ:
		return OPC_READ;
	case VBT_OP_WRITE:
		return OPC_WRITE;
	case VBT_OP_FLUSH:
		return OPC_FLUSH;
	case VBT_OP_DISCARD:
	case VBT_OP_WRITE_ZEROES:
	case VBT_OP_SECURE_ERASE:
		return OPC_DISCARD;
	default:
		return OPC_NONE;
	}
}

static enum opclass host_class(const struct vbt_cev *ev)
{
	if (ev->kind == VBT_KIND_SYSCALL) {
		switch (ev->op) {
		case VBT_SYS_READ: case VBT_SYS_PREAD64: case VBT_SYS_READV:
		case VBT_SYS_PREADV: case VBT_SYS_PREADV2:
			return OPC_READ;
		case VBT_SYS_WRITE: case VBT_SYS_PWRITE64: case VBT_SYS_WRITEV:
		case VBT_SYS_PWRITEV: case VBT_SYS_PWRITEV2:
		case VBT_SYS_COPY_FILE_RANGE:
			return OPC_WRITE;
		case VBT_SYS_FSYNC: case VBT_SYS_FDATASYNC:
		case VBT_SYS_SYNC_FILE_RANGE:
			return OPC_FLUSH;
		case VBT_SYS_FALLOCATE: case VBT_SYS_IOCTL:
			return OPC_DISCARD;
		case VBT_SYS_IO_SUBMIT: case VBT_SYS_IO_URING_ENTER:
			return OPC_ANY;	/* submission failed: any request */
		default:
			return OPC_NONE;
		}
	}
	if (ev->kind == VBT_KIND_IO_URING) {
		switch (ev->op) {
		case 1: case 4: case 22:
			return OPC_READ;
		case 2: case 5: case 23:
			return OPC_WRITE;
		case 3: case 8:
			return OPC_FLUSH;
		case 17:
			return OPC_DISCARD;
		default:
			return OPC_NONE;
		}
	}
	if (ev->kind == VBT_KIND_AIO) {
		switch (ev->op) {
		case 0: case 7:
			return OPC_READ;
		case 1: case 8:
			return OPC_WRITE;
		case 2: case 3:
			return OPC_FLUSH;
		default:
			return OPC_NONE;
		}
	}
	return OPC_NONE;
}

bool vbt_ops_compatible(const struct vbt_cev *guest,
			const struct vbt_cev *host)
{
	enum opclass g = guest_class(guest), h = host_class(host);

	if (h == OPC_ANY)
		return g != OPC_NONE;
	/* QEMU may write zeroes with plain writes when it cannot punch. */
	if (g == OPC_DISCARD && h == OPC_WRITE)
		return true;
	return g == h && g != OPC_NONE;
}

/* Host byte range of an I/O event; false if it has none. */
static bool host_range(const struct vbt_cev *ev, uint64_t *off,
		       uint64_t *len)
{
	if ((ev->kind == VBT_KIND_SYSCALL && ev->off != UINT64_MAX) ||
	    ev->kind == VBT_KIND_IO_URING || ev->kind == VBT_KIND_AIO) {
		*off = ev->off;
		*len = ev->len;
		return true;
	}
	return false;
}

static bool is_host_io_error(const struct vbt_cev *ev)
{
	return ev->err && (ev->kind == VBT_KIND_SYSCALL ||
			   ev->kind == VBT_KIND_IO_URING ||
			   ev->kind == VBT_KIND_AIO);
}

/* ---- what each side has ------------------------------------------------------ */

static int pci_slot_of(const char *addr)
{
	char *end;
	long v;

	if (!addr || !*addr)
		return -1;
	v = strtol(addr, &end, 0);
	if ((*end && *end != '.') || v < 0 || v > 31)
		return -1;
	return v;
}

/* -device's addr= for each drive, from the (redacted) argv in facts. */
static void device_slots(struct ctx *c, int first, struct json_object *argv)
{
	size_t n = argv ? json_object_array_length(argv) : 0;

	for (size_t i = 0; i + 1 < n; i++) {
		const char *opt = json_object_get_string(
					json_object_array_get_idx(argv, i));
		const char *a = json_object_get_string(
					json_object_array_get_idx(argv, i + 1));
		char drive[64] = "", id[64] = "", addr[16] = "";
		struct json_object *o;

		if (!opt || !a || strcmp(opt, "-device"))
			continue;
		/* QEMU's own syntax: ",," is a comma inside a value. */
		o = vbt_qemu_opt_json(a, "driver", false, NULL, 0);
		cpy(drive, sizeof(drive), vbt_qjson_str(o, "drive"));
		cpy(id, sizeof(id), vbt_qjson_str(o, "id"));
		cpy(addr, sizeof(addr), vbt_qjson_str(o, "addr"));
		json_object_put(o);
		for (int k = first; k < c->nhd; k++) {
			struct hdrive *d = &c->hd[k];

			if ((id[0] && !strcmp(d->id, id)) ||
			    (drive[0] && !strcmp(d->drive, drive)))
				d->pci_slot = pci_slot_of(addr);
		}
	}
}

static void storage_names(struct json_object *st, char *buf, size_t len)
{
	struct json_object *devs = vbt_jget(st, "block_devices");
	size_t n = devs ? json_object_array_length(devs) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(devs, i);

		/* the device itself and what it sits on, one level down */
		for (int lvl = 0; d && lvl < 4; lvl++) {
			const char *name = vbt_jstr(d, "name");
			struct json_object *under = vbt_jget(d, "under");
			size_t used = strlen(buf);

			if (name && used + strlen(name) + 2 < len)
				snprintf(buf + used, len - used, "%s%s",
					 used ? " " : "", name);
			d = under && json_object_array_length(under) ?
			    json_object_array_get_idx(under, 0) : NULL;
		}
	}
}

static struct hdrive *new_hdrive(struct ctx *c)
{
	struct hdrive *d;

	if (c->nhd == MAX_HDRIVES)
		return NULL;
	d = &c->hd[c->nhd++];
	memset(d, 0, sizeof(*d));
	d->pci_slot = -1;
	d->offset = -1;
	return d;
}

static void host_drives_from_facts(struct ctx *c, struct json_object *facts)
{
	struct json_object *qemu = vbt_jget(facts, "qemu");
	size_t nvm = qemu ? json_object_array_length(qemu) : 0;

	for (size_t v = 0; v < nvm; v++) {
		struct json_object *vm = json_object_array_get_idx(qemu, v);
		struct json_object *drives = vbt_jget(vm, "drives");
		size_t nd = drives ? json_object_array_length(drives) : 0;
		int first = c->nhd;

		for (size_t i = 0; i < nd; i++) {
			struct json_object *dj = json_object_array_get_idx(drives, i);
			struct json_object *off = vbt_jget(dj, "image_offset");
			struct hdrive *d = new_hdrive(c);

			if (!d)
				return;
			cpy(d->vm, sizeof(d->vm), vbt_jstr(vm, "name"));
			cpy(d->id, sizeof(d->id), vbt_jstr(dj, "id"));
			cpy(d->drive, sizeof(d->drive), vbt_jstr(dj, "drive"));
			cpy(d->node, sizeof(d->node), vbt_jstr(dj, "node"));
			cpy(d->image, sizeof(d->image), vbt_jstr(dj, "image"));
			cpy(d->format, sizeof(d->format), vbt_jstr(dj, "format"));
			cpy(d->aio, sizeof(d->aio), vbt_jstr(dj, "aio"));
			cpy(d->filters, sizeof(d->filters), vbt_jstr(dj, "filters"));
			cpy(d->serial, sizeof(d->serial), vbt_jstr(dj, "serial"));
			cpy(d->target, sizeof(d->target), vbt_jstr(dj, "target"));
			if (off && json_object_is_type(off, json_type_int))
				d->offset = json_object_get_int64(off);
			storage_names(vbt_jget(dj, "storage"), d->host_devs,
				      sizeof(d->host_devs));
		}
		device_slots(c, first, vbt_jget(vm, "argv"));
	}
}

/* Drives named by host events that facts do not list (plain recordings). */
static void host_drives_from_events(struct ctx *c)
{
	/* few distinct tuples: walk them, not the events */
	const struct vbt_crec *h = c->h;

	for (uint32_t i = 0; i < h->nhosts; i++) {
		const struct vbt_chost *hi = &h->hosts[i];
		const char *vm = vbt_crec_str(h, hi->vm);
		const char *drive = vbt_crec_str(h, hi->drive);
		struct hdrive *d;
		bool known = false;

		if (!drive[0])
			continue;
		for (int k = 0; k < c->nhd && !known; k++)
			known = !strcmp(c->hd[k].vm, vm) &&
				!strcmp(c->hd[k].id, drive);
		if (known || !(d = new_hdrive(c)))
			continue;
		cpy(d->vm, sizeof(d->vm), vm);
		cpy(d->id, sizeof(d->id), drive);
		cpy(d->node, sizeof(d->node), vbt_crec_str(h, hi->node));
		cpy(d->image, sizeof(d->image), vbt_crec_str(h, hi->image));
		cpy(d->format, sizeof(d->format), vbt_crec_str(h, hi->format));
		cpy(d->aio, sizeof(d->aio), vbt_crec_str(h, hi->aio));
	}
}

static struct gdisk *gdisk_get(struct ctx *c, const char *name)
{
	for (int i = 0; i < c->ngd; i++)
		if (!strcmp(c->gd[i].name, name))
			return &c->gd[i];
	if (c->ngd == VBT_CORR_MAX_DISKS)
		return NULL;
	memset(&c->gd[c->ngd], 0, sizeof(c->gd[0]));
	cpy(c->gd[c->ngd].name, sizeof(c->gd[0].name), name);
	c->gd[c->ngd].pci_slot = -1;
	return &c->gd[c->ngd++];
}

static void guest_disks(struct ctx *c, struct json_object *facts)
{
	struct json_object *disks = vbt_jget(facts, "disks");
	size_t n = disks ? json_object_array_length(disks) : 0;

	/*
	 * The disks with failed requests first: a guest can list more disks
	 * than there are slots (a host with 80 loop devices), and only
	 * those can be joined.
	 */
	for (size_t i = 0; i < c->g->n; i++) {
		const struct vbt_cev *ev = &c->g->ev[i];
		struct gdisk *g;

		if (ev->kind != VBT_KIND_BLOCK || !ev->disk)
			continue;
		g = gdisk_get(c, vbt_crec_str(c->g, ev->disk));
		if (g && ev->virtio_status != VBT_VIRTIO_NONE)
			g->virtio = true;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(disks, i);
		const char *name = vbt_jstr(d, "name"), *pci;
		struct json_object *v = vbt_jget(d, "virtio");
		struct gdisk *g;

		if (!name || !(g = gdisk_get(c, name)))
			continue;
		cpy(g->serial, sizeof(g->serial), vbt_jstr(d, "serial"));
		g->virtio |= v && json_object_get_boolean(v);
		pci = vbt_jstr(d, "pci");
		/* "0000:00:05.0" on bus 0: slot 5 */
		if (pci && strlen(pci) == 12 && !strncmp(pci + 5, "00:", 3))
			g->pci_slot = strtol(pci + 8, NULL, 16);
	}
}

/* ---- pairing ------------------------------------------------------------------- */

static bool mappable(const struct hdrive *d)
{
	return !strcmp(d->format, "raw");
}

static uint64_t guest_off(const struct hdrive *d, const struct vbt_cev *ev)
{
	return ev->off * 512 + (d->offset > 0 ? d->offset : 0);
}

static bool event_on_drive(const struct vbt_crec *h, const struct vbt_cev *ev,
			   const struct hdrive *d)
{
	const struct vbt_chost *hi = vbt_crec_host(h, ev);
	const char *vm, *drive, *image;

	if (!hi)
		return false;
	vm = vbt_crec_str(h, hi->vm);
	drive = vbt_crec_str(h, hi->drive);
	image = vbt_crec_str(h, hi->image);
	if (d->vm[0] && vm[0] && strcmp(d->vm, vm))
		return false;
	if (drive[0] && d->id[0])
		return !strcmp(drive, d->id);
	return image[0] && !strcmp(image, d->image);
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static bool guest_virtio_error(const struct vbt_cev *ev)
{
	return ev->kind == VBT_KIND_BLOCK && ev->err && ev->reached_device &&
	       (ev->virtio_status == VBT_VIRTIO_IOERR ||
		ev->virtio_status == VBT_VIRTIO_UNSUPP);
}

static bool name_in(const char *list, const char *name);

static void hidx_add(struct ctx *c, struct vbt_hidx *x, uint64_t key,
		     uint64_t real_ns, uint64_t len, size_t k)
{
	if (vbt_hidx_add(x, key, real_ns, len, k))
		c->oom = true;
}

/* The sorted views of drive @d's failed host I/O (NULL without memory). */
static struct dindex *dindex(struct ctx *c, const struct hdrive *d)
{
	struct dindex *x = &c->di[d - c->hd];
	bool *on;

	if (x->built)
		return c->oom ? NULL : x;
	x->built = true;
	/* whether an event is on @d depends on its drive tuple only */
	on = calloc(c->h->nhosts + 1, sizeof(*on));
	if (!on) {
		c->oom = true;
		return NULL;
	}
	for (uint32_t t = 0; t < c->h->nhosts; t++) {
		struct vbt_cev probe = { .host = t + 1 };

		on[t + 1] = event_on_drive(c->h, &probe, d);
	}
	for (size_t k = 0; k < c->h->n; k++) {
		const struct vbt_cev *he = &c->h->ev[k];
		uint64_t off, len;

		if (he->kind == VBT_KIND_BLOCK && he->err &&
		    name_in(d->host_devs, vbt_crec_str(c->h, he->disk)))
			hidx_add(c, &x->blocks, 0, he->real_ns, 0, k);
		if (!is_host_io_error(he) || he->host > c->h->nhosts ||
		    !on[he->host])
			continue;
		hidx_add(c, &x->all, 0, he->real_ns, 0, k);
		if (host_range(he, &off, &len))
			hidx_add(c, &x->off, off, he->real_ns, len ? len : 1, k);
		else
			hidx_add(c, &x->rangeless, 0, he->real_ns, 0, k);
	}
	free(on);
	vbt_hidx_sort(&x->off);
	vbt_hidx_sort(&x->rangeless);
	vbt_hidx_sort(&x->all);
	vbt_hidx_sort(&x->blocks);
	return c->oom ? NULL : x;
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* Is there a failed host I/O on @x at exactly @off within @win of @t? */
static bool exact_near(const struct dindex *x, uint64_t off, uint64_t t,
		       uint64_t win)
{
	size_t p = vbt_hidx_lower(&x->off, off, sub0(t, win));

	return p < x->off.n && x->off.e[p].key == off &&
	       x->off.e[p].real_ns <= t + win;
}

/* Failed guest requests of disk @g that a failed host I/O on @d covers. */
static int evidence(struct ctx *c, const struct gdisk *g,
		    const struct hdrive *d)
{
	const struct dindex *x;
	int n = 0;

	if (!mappable(d) || !(x = dindex(c, d)))
		return 0;
	for (size_t i = 0; i < c->g->n; i++) {
		const struct vbt_cev *ge = &c->g->ev[i];

		if (!guest_virtio_error(ge) ||
		    strcmp(vbt_crec_str(c->g, ge->disk), g->name))
			continue;
		n += exact_near(x, guest_off(d, ge), ge->real_ns,
				c->o->coarse_ns);
	}
	return n;
}

static int pair_score(struct ctx *c, const struct gdisk *g,
		      const struct hdrive *d, const char **by)
{
	int ev;

	if (g->serial[0] && !strcmp(g->serial, d->serial)) {
		*by = "serial";
		return 1000;
	}
	if (d->target[0] && !strcmp(g->name, d->target)) {
		*by = "libvirt target";
		return 900;
	}
	ev = evidence(c, g, d);
	if (g->pci_slot >= 0 && g->pci_slot == d->pci_slot) {
		*by = "PCI slot";
		return 500 + ev;
	}
	if (ev) {
		*by = "failed offsets";
		return ev;
	}
	return 0;
}

static void pair_disks(struct ctx *c, struct vbt_correlation *out)
{
	char best_vm[64] = "";
	int vm_score = -1;

	/* The VM: --vm, else the one whose drives pair best. */
	for (int k = 0; k < c->nhd; k++) {
		int score = 0;

		if (c->o->vm && strcmp(c->hd[k].vm, c->o->vm))
			continue;
		for (int i = 0; i < c->nhd; i++) {
			const char *by;
			int best = 0;

			if (strcmp(c->hd[i].vm, c->hd[k].vm))
				continue;
			for (int g = 0; g < c->ngd; g++) {
				int s = pair_score(c, &c->gd[g], &c->hd[i], &by);

				if (s > best)
					best = s;
			}
			score += best;
		}
		if (score > vm_score) {
			vm_score = score;
			cpy(best_vm, sizeof(best_vm), c->hd[k].vm);
		}
	}
	cpy(out->vm, sizeof(out->vm), best_vm);
	for (int g = 0; g < c->ngd; g++) {
		struct vbt_disk_pair *p = &out->disks[out->ndisks++];
		const char *by = NULL, *best_by = NULL;
		int best = 0, bi = -1;

		c->pair_of[g] = -1;
		memset(p, 0, sizeof(*p));
		cpy(p->guest, sizeof(p->guest), c->gd[g].name);
		cpy(p->serial, sizeof(p->serial), c->gd[g].serial);
		p->virtio = c->gd[g].virtio;
		p->image_offset = -1;
		for (int i = 0; i < c->nhd; i++) {
			int s;

			if (strcmp(c->hd[i].vm, best_vm))
				continue;
			s = pair_score(c, &c->gd[g], &c->hd[i], &by);
			if (s > best) {
				best = s;
				bi = i;
				best_by = by;
			}
		}
		if (bi < 0)
			continue;
		c->pair_of[g] = bi;
		p->matched = true;
		cpy(p->by, sizeof(p->by), best_by);
		cpy(p->vm, sizeof(p->vm), c->hd[bi].vm);
		cpy(p->drive, sizeof(p->drive), c->hd[bi].id);
		cpy(p->node, sizeof(p->node), c->hd[bi].node);
		cpy(p->image, sizeof(p->image), c->hd[bi].image);
		cpy(p->format, sizeof(p->format), c->hd[bi].format);
		cpy(p->aio, sizeof(p->aio), c->hd[bi].aio);
		cpy(p->filters, sizeof(p->filters), c->hd[bi].filters);
		cpy(p->host_devs, sizeof(p->host_devs), c->hd[bi].host_devs);
		p->mappable = mappable(&c->hd[bi]);
		p->image_offset = c->hd[bi].offset;
	}
}

/* ---- clocks -------------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The guest disk of string id @disk; the last answer is kept. */
static int gdisk_index(struct ctx *c, uint32_t disk)
{
	const char *name = vbt_crec_str(c->g, disk);

	if (c->gd_id_ok && c->gd_id == disk)
		return c->gd_of_id;
	c->gd_of_id = -1;
	for (int i = 0; i < c->ngd && c->gd_of_id < 0; i++)
		if (!strcmp(c->gd[i].name, name))
			c->gd_of_id = i;
	c->gd_id = disk;
	c->gd_id_ok = true;
	return c->gd_of_id;
}

struct cand {
	size_t g;			/* guest event */
	int64_t d;			/* host wall - guest wall */
	size_t k;			/* host event */
};

#define CLOCK_TOL_NS	500000000LL	/* pairs agreeing on the offset */
#define MAX_CANDS	20000

static int cmp_cand_host(const void *a, const void *b);

/* Append guest event @i's candidates on @hd to @cs[@n..]; the new count. */
static int add_candidates(struct ctx *c, const struct hdrive *hd, size_t i,
			  struct cand *cs, int n, struct cand **grp,
			  size_t *gcap)
{
	const struct vbt_cev *ge = &c->g->ev[i];
	const struct dindex *x = dindex(c, hd);
	uint64_t goff = guest_off(hd, ge), win = c->o->coarse_ns;
	size_t m = 0, p;

	if (!x)
		return n;
	p = vbt_hidx_lower(&x->off, goff, sub0(ge->real_ns, win));
	for (; p < x->off.n && x->off.e[p].key == goff &&
	       x->off.e[p].real_ns <= ge->real_ns + win; p++) {
		const struct vbt_cev *he = &c->h->ev[x->off.e[p].k];

		if (!vbt_ops_compatible(ge, he))
			continue;
		if (m == *gcap) {
			size_t cap = *gcap ? *gcap * 2 : 16;
			struct cand *g2 = realloc(*grp, cap * sizeof(*g2));

			if (!g2) {
				c->oom = true;
				break;
			}
			*grp = g2;
			*gcap = cap;
		}
		(*grp)[m++] = (struct cand){ i, (int64_t)(he->real_ns -
							  ge->real_ns),
					     x->off.e[p].k };
	}
	if (m)	/* qsort(NULL, 0) is undefined */
		qsort(*grp, m, sizeof(**grp), cmp_cand_host);
	for (size_t j = 0; j < m && n < MAX_CANDS; j++)
		cs[n++] = (*grp)[j];
	return n;
}

static int cmp_cand_host(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->k < y->k ? -1 : x->k > y->k;
}

/*
 * Failed host I/O at exactly the guest request's offset: offset candidates,
 * grouped by guest event and, within a group, in host recording order.
 */
static int clock_candidates(struct ctx *c, struct cand *cs)
{
	struct cand *grp = NULL;
	size_t gcap = 0;
	int n = 0;

	for (size_t i = 0; i < c->g->n && n < MAX_CANDS; i++) {
		const struct vbt_cev *ge = &c->g->ev[i];
		int gi = guest_virtio_error(ge) ? gdisk_index(c, ge->disk) : -1;
		const struct hdrive *hd;

		if (gi < 0 || c->pair_of[gi] < 0)
			continue;
		hd = &c->hd[c->pair_of[gi]];
		if (!mappable(hd) || guest_class(ge) == OPC_FLUSH)
			continue;
		n = add_candidates(c, hd, i, cs, n, &grp, &gcap);
	}
	free(grp);
	return n;
}

/*
 * The true offset is the one most guest errors agree on: for every
 * candidate, count the guest errors with a candidate within CLOCK_TOL_NS
 * of it; take the best supported, then the median of each guest error's
 * candidate nearest to it.
 */
static int cmp_by_d(const void *a, const void *b, void *arg)
{
	const struct cand *cs = arg;
	int x = *(const int *)a, y = *(const int *)b;

	if (cs[x].d != cs[y].d)
		return cs[x].d < cs[y].d ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * support[i]: how many guest events have a candidate within CLOCK_TOL_NS of
 * candidate i.  A window slides over the candidates sorted by offset,
 * counting candidates per guest event: n log n, not n * n.
 */
static int *clock_support(const struct cand *cs, int n)
{
	int *order = calloc(n, sizeof(*order)), *grp = calloc(n, sizeof(*grp));
	int *cnt = calloc(n, sizeof(*cnt)), *support = calloc(n, sizeof(*support));
	int lo = 0, hi = 0, distinct = 0;

	if (!order || !grp || !cnt || !support) {
		free(support);
		support = NULL;
		goto out;
	}
	/* candidates are grouped by guest event, in order */
	for (int i = 1; i < n; i++)
		grp[i] = grp[i - 1] + (cs[i].g != cs[i - 1].g);
	for (int i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), cmp_by_d, (void *)cs);
	for (int i = 0; i < n; i++) {
		int64_t d = cs[order[i]].d;

		while (hi < n && cs[order[hi]].d - d <= CLOCK_TOL_NS)
			distinct += !cnt[grp[order[hi++]]]++;
		while (d - cs[order[lo]].d > CLOCK_TOL_NS)
			distinct -= !--cnt[grp[order[lo++]]];
		support[order[i]] = distinct;
	}
out:
	free(order);
	free(grp);
	free(cnt);
	return support;
}

static void align_clocks(struct ctx *c, struct vbt_correlation *out)
{
	struct cand *cs = calloc(MAX_CANDS, sizeof(*cs));
	int64_t *d = NULL, best_d = 0;
	int n = cs ? clock_candidates(c, cs) : 0, best = -1, m = 0;
	int *support = n ? clock_support(cs, n) : NULL;

	if (!support) {
		c->oom |= n > 0;
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		if (support[i] > best || (support[i] == best &&
					  llabs(cs[i].d) < llabs(best_d))) {
			best = support[i];
			best_d = cs[i].d;
		}
	}
	free(support);
	if (n)
		d = calloc(n, sizeof(*d));
	for (int i = 0; d && i < n;) {
		int k = i, pick = -1;

		for (; k < n && cs[k].g == cs[i].g; k++)
			if (llabs(cs[k].d - best_d) <= CLOCK_TOL_NS &&
			    (pick < 0 || llabs(cs[k].d - best_d) <
					 llabs(cs[pick].d - best_d)))
				pick = k;
		if (pick >= 0)
			d[m++] = cs[pick].d;
		i = k;
	}
	out->clock_pairs = m;
	if (m) {
		int64_t *dev = calloc(m, sizeof(*dev));

		qsort(d, m, sizeof(*d), cmp_i64);
		out->clock_offset_ns = d[m / 2];
		for (int i = 0; dev && i < m; i++)
			dev[i] = llabs(d[i] - out->clock_offset_ns);
		if (dev) {
			qsort(dev, m, sizeof(*dev), cmp_i64);
			out->clock_spread_ns = dev[m / 2];
		}
		free(dev);
		snprintf(out->clock_how, sizeof(out->clock_how),
			 "median of %d guest/host error pairs at the same "
			 "offset", m);
	} else {
		snprintf(out->clock_how, sizeof(out->clock_how),
			 "no pairs at the same offset: wall clocks taken as "
			 "they are");
	}
	free(d);
	free(cs);
}

/* ---- origins -------------------------------------------------------------------- */

/* The first host event with this seq, or -1. */
static long host_by_seq(struct ctx *c, uint64_t seq)
{
	size_t p;

	if (!c->seqs.e && c->h->n) {
		for (size_t k = 0; k < c->h->n; k++)
			hidx_add(c, &c->seqs, c->h->ev[k].seq, 0, 0, k);
		vbt_hidx_sort(&c->seqs);
	}
	p = vbt_hidx_lower(&c->seqs, seq, 0);
	return p < c->seqs.n && c->seqs.e[p].key == seq ? (long)c->seqs.e[p].k : -1;
}

static bool name_in(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; name[0] && (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

/*
 * A failed host block request under the image, nearest to @t (host wall)
 * within the window; of equally near ones, the first recorded.
 */
static long host_block_near(struct ctx *c, const struct hdrive *d, uint64_t t)
{
	const struct dindex *x = dindex(c, d);
	const struct vbt_hidx *b = x ? &x->blocks : NULL;
	uint64_t bd = UINT64_MAX;
	long best = -1;
	size_t p;

	if (!b)
		return -1;
	p = vbt_hidx_lower(b, 0, t);	/* first at or after t: lowest k */
	if (p < b->n && b->e[p].real_ns - t <= c->o->window_ns) {
		bd = b->e[p].real_ns - t;
		best = b->e[p].k;
	}
	if (p > 0 && t - b->e[p - 1].real_ns <= c->o->window_ns) {
		uint64_t dt = t - b->e[p - 1].real_ns;
		size_t q = vbt_hidx_lower(b, 0, b->e[p - 1].real_ns);

		if (dt < bd || (dt == bd && (long)b->e[q].k < best)) {
			bd = dt;
			best = b->e[q].k;
		}
	}
	return best;
}

static void describe_host(const struct vbt_crec *h, const struct vbt_cev *ev,
			  char *buf, size_t len)
{
	if (ev->kind == VBT_KIND_SYSCALL)
		snprintf(buf, len, "%s(%s, off %" PRIu64 ", %" PRIu64
			 " bytes) = -%s in %s[%u]", vbt_sys_name(ev->op),
			 vbt_crec_str(h, ev->path), ev->off == UINT64_MAX ? 0 :
			 ev->off, ev->len, vbt_errno_name(ev->err),
			 vbt_crec_str(h, ev->comm), ev->tid);
	else if (ev->kind == VBT_KIND_BLOCK)
		snprintf(buf, len, "host %s %s %" PRIu64 "+%u %s",
			 vbt_crec_str(h, ev->disk), vbt_op_name(ev->op), ev->off,
			 ev->nr_sectors, ev->status >= 0 ?
			 vbt_blk_status_name(ev->status) :
			 vbt_errno_name(ev->err));
	else
		snprintf(buf, len, "%s %s(%s, off %" PRIu64 ", %" PRIu64
			 " bytes) completed with -%s", vbt_kind_name(ev->kind),
			 vbt_async_op_name(ev->kind, ev->op),
			 vbt_crec_str(h, ev->path), ev->off, ev->len,
			 vbt_errno_name(ev->err));
}

struct best {
	uint64_t dt;
	long k;
};

/* A host I/O for guest @ge, @penalty further than its time says. */
static void consider(struct ctx *c, const struct vbt_cev *ge,
		     const struct vbt_hidx_ent *e, uint64_t t, uint64_t penalty,
		     struct best *b)
{
	uint64_t dt = absdiff(e->real_ns, t);

	if (dt > c->o->window_ns ||
	    !vbt_ops_compatible(ge, &c->h->ev[e->k]))
		return;
	dt += penalty;
	if (dt < b->dt || (dt == b->dt && (long)e->k < b->k)) {
		b->dt = dt;
		b->k = e->k;
	}
}

/* Every entry of a time view within the window around @t. */
static void window_scan(struct ctx *c, const struct vbt_cev *ge,
			const struct vbt_hidx *x, uint64_t t, struct best *b)
{
	uint64_t w = c->o->window_ns;

	for (size_t p = vbt_hidx_lower(x, 0, sub0(t, w));
	     p < x->n && x->e[p].real_ns <= t + w; p++)
		consider(c, ge, &x->e[p], t, 0, b);
}

/*
 * The failed host I/O behind a guest request, or -1: the nearest in time
 * within the window (for a raw image, overlapping the request's bytes, an
 * exact start first); of equally near ones, the first recorded.
 */
static long find_host(struct ctx *c, const struct hdrive *d,
		      const struct vbt_cev *ge, int64_t offset_ns)
{
	uint64_t goff = guest_off(d, ge), glen = ge->len;
	uint64_t t = ge->real_ns + offset_ns, w = c->o->window_ns;
	const struct dindex *x = dindex(c, d);
	struct best b = { UINT64_MAX, -1 };

	if (!x)
		return -1;
	if (mappable(d) && guest_class(ge) != OPC_FLUSH) {
		const struct vbt_hidx *o = &x->off;
		size_t p;

		if (!glen)
			glen = 512;
		/* ranges that overlap [goff, goff + glen), within the window */
		p = vbt_hidx_lower(o, sub0(goff, o->max_len ? o->max_len - 1 : 0),
				   sub0(t, w));
		while (p < o->n && o->e[p].key < goff + glen) {
			const struct vbt_hidx_ent *e = &o->e[p];

			if (e->real_ns < sub0(t, w)) {	/* into the window */
				p = vbt_hidx_lower(o, e->key, sub0(t, w));
				continue;
			}
			if (e->real_ns > t + w) {	/* next offset */
				p = vbt_hidx_lower(o, e->key + 1, sub0(t, w));
				continue;
			}
			/* an exact start beats any overlap */
			if (e->key + e->len > goff)
				consider(c, ge, e, t, e->key != goff ? w : 0, &b);
			p++;
		}
		window_scan(c, ge, &x->rangeless, t, &b);
	} else {
		window_scan(c, ge, &x->all, t, &b);
	}
	return b.k;
}

static bool host_covers(struct ctx *c, uint64_t t)
{
	if (!c->hspan_start || !c->hspan_end)
		return true;
	return t + c->o->window_ns >= c->hspan_start &&
	       t <= c->hspan_end + c->o->window_ns;
}

static void classify_block(struct ctx *c, struct vbt_correlation *out,
			   struct vbt_join *j)
{
	const struct vbt_cev *ge = &c->g->ev[j->guest];
	int gi = gdisk_index(c, ge->disk);
	const struct hdrive *d;
	char hd[400];
	long k, b;

	j->disk = gi;
	if (!ge->reached_device) {
		j->origin = VBT_ORIGIN_GUEST;
		snprintf(c->why, sizeof(c->why), "the request never reached "
			 "the device: the guest's block layer failed it");
		return;
	}
	if (!guest_virtio_error(ge)) {
		j->origin = VBT_ORIGIN_GUEST;
		snprintf(c->why, sizeof(c->why), "no virtio error: the guest's "
			 "own stack (%s) failed it",
			 gi >= 0 && c->gd[gi].virtio ? "above the virtio device" :
			 "not a virtio disk");
		return;
	}
	if (gi < 0 || c->pair_of[gi] < 0) {
		j->origin = VBT_ORIGIN_UNKNOWN;
		snprintf(c->why, sizeof(c->why), "virtio error, but no host "
			 "drive was paired with %s", vbt_crec_str(c->g, ge->disk));
		return;
	}
	d = &c->hd[c->pair_of[gi]];
	k = find_host(c, d, ge, out->clock_offset_ns);
	if (k >= 0) {
		const struct vbt_cev *he = &c->h->ev[k];

		j->host = k;
		j->host_err = he->err;
		j->delta_ns = (int64_t)(ge->real_ns + out->clock_offset_ns -
					he->real_ns);
		describe_host(c->h, he, hd, sizeof(hd));
		b = he->kind == VBT_KIND_SYSCALL && he->cause_seq ?
		    host_by_seq(c, he->cause_seq) : -1;
		if (b < 0)
			b = host_block_near(c, d, c->h->ev[k].real_ns);
		if (b >= 0) {
			char bd[200];

			j->origin = VBT_ORIGIN_HOST_DEVICE;
			j->host_block = b;
			describe_host(c->h, &c->h->ev[b], bd, sizeof(bd));
			snprintf(c->why, sizeof(c->why), "%.380s, because %.300s", hd,
				 bd);
		} else {
			j->origin = VBT_ORIGIN_HOST_SYSCALL;
			snprintf(c->why, sizeof(c->why), "%.400s", hd);
		}
		return;
	}
	b = host_block_near(c, d, ge->real_ns + out->clock_offset_ns);
	if (b >= 0) {
		j->origin = VBT_ORIGIN_HOST_DEVICE;
		j->host_block = b;
		j->host_err = c->h->ev[b].err;
		describe_host(c->h, &c->h->ev[b], hd, sizeof(hd));
		snprintf(c->why, sizeof(c->why), "%.300s under %.256s (QEMU's own I/O "
			 "was not seen)", hd, d->image);
		return;
	}
	if (!host_covers(c, ge->real_ns + out->clock_offset_ns)) {
		j->origin = VBT_ORIGIN_UNKNOWN;
		snprintf(c->why, sizeof(c->why), "the host recording does not "
			 "cover this time");
		return;
	}
	j->origin = VBT_ORIGIN_QEMU_INTERNAL;
	if (strstr(d->filters, "blkdebug"))
		snprintf(c->why, sizeof(c->why), "no host-side failure; drive "
			 "%s has a blkdebug filter: injected by QEMU", d->id);
	else if (!strcmp(d->aio, "native")) {
		j->low_confidence = true;
		snprintf(c->why, sizeof(c->why), "no host-side failure seen, "
			 "but aio=native completions are invisible on this "
			 "host kernel: a host failure is not ruled out");
	} else {
		snprintf(c->why, sizeof(c->why), "no host-side failure: QEMU "
			 "failed it itself (detached backend, error policy, "
			 "filter)");
	}
}

/*
 * A syscall takes the origin of the block failure it surfaced from: the
 * first block join (they all come first) of that guest seq.
 */
static void classify_other(struct ctx *c, struct vbt_correlation *out,
			   struct vbt_join *j, const struct vbt_hidx *by_seq)
{
	const struct vbt_cev *ev = &c->g->ev[j->guest];

	if (ev->kind == VBT_KIND_SYSCALL && ev->cause_seq) {
		size_t p = vbt_hidx_lower(by_seq, ev->cause_seq, 0);

		if (p < by_seq->n && by_seq->e[p].key == ev->cause_seq) {
			const struct vbt_join *cj = &out->joins[by_seq->e[p].k];

			j->origin = cj->origin;
			j->host = cj->host;
			j->host_block = cj->host_block;
			j->host_err = cj->host_err;
			j->disk = cj->disk;
			j->delta_ns = cj->delta_ns;
			j->low_confidence = cj->low_confidence;
			snprintf(c->why, sizeof(c->why), "surfaced from guest "
				 "event %" PRIu64 ": %.700s", ev->cause_seq,
				 cj->why);
			return;
		}
	}
	j->origin = VBT_ORIGIN_GUEST;
	snprintf(c->why, sizeof(c->why), "no failed block request behind it "
		 "in the guest recording");
}

static int cmp_join(const void *a, const void *b, void *arg)
{
	const struct vbt_crec *g = arg;
	const struct vbt_join *x = a, *y = b;
	uint64_t tx = g->ev[x->guest].real_ns, ty = g->ev[y->guest].real_ns;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x->guest < y->guest ? -1 : x->guest > y->guest;
}

static void host_span(struct ctx *c)
{
	struct json_object *span = vbt_jget(c->hin->manifest, "span");
	const char *s = vbt_jstr(vbt_jget(span, "start"), "ts");
	const char *e = vbt_jstr(vbt_jget(span, "end"), "ts");

	if (!s || !e || vbt_parse_rfc3339(s, &c->hspan_start) ||
	    vbt_parse_rfc3339(e, &c->hspan_end))
		c->hspan_start = c->hspan_end = 0;
}

static void ctx_free(struct ctx *c)
{
	for (int i = 0; c->di && i < MAX_HDRIVES; i++) {
		vbt_hidx_free(&c->di[i].off);
		vbt_hidx_free(&c->di[i].rangeless);
		vbt_hidx_free(&c->di[i].all);
		vbt_hidx_free(&c->di[i].blocks);
	}
	vbt_hidx_free(&c->seqs);
	free(c->di);
	free(c->hd);
	c->di = NULL;
	c->hd = NULL;
}

/*
 * The reasons, back to back in chunks that never move (a join points into
 * them): one allocation per MiB, not one per join.
 */
struct why_chunk {
	struct why_chunk *next;
	size_t used;
	char s[];
};

#define WHY_CHUNK	(1024 * 1024)

static char *keep_why(struct vbt_correlation *out, const char *why)
{
	struct why_chunk *k = out->why_mem;
	size_t n = strlen(why) + 1;

	if (!k || k->used + n > WHY_CHUNK) {
		k = malloc(sizeof(*k) + WHY_CHUNK);
		if (!k)
			return NULL;
		k->next = out->why_mem;
		k->used = 0;
		out->why_mem = k;
	}
	memcpy(k->s + k->used, why, n);
	k->used += n;
	return k->s + k->used - n;
}

/* @in's events, compact: its own, or made from its full recording. */
static const struct vbt_crec *compact_of(const struct vbt_input *in,
					 struct vbt_crec *tmp, bool *oom)
{
	memset(tmp, 0, sizeof(*tmp));
	if (in->crec.n || !in->rec.n)
		return &in->crec;
	if (vbt_crec_from_rec(tmp, &in->rec))
		*oom = true;
	return tmp;
}

/*
 * Failures that get an origin.  Not a loss count, nor the end of a stuck
 * request that failed: its own block record is joined.
 */
static bool joinable(int kind)
{
	return kind != VBT_KIND_LOST && kind != VBT_KIND_STUCK;
}

int vbt_correlate(const struct vbt_input *g, const struct vbt_input *h,
		  const struct vbt_corr_opts *o, struct vbt_correlation *out,
		  char *err, size_t errlen)
{
	struct vbt_corr_opts opts = *o;
	struct ctx c = { .hin = h, .o = &opts };
	struct vbt_hidx by_seq = { 0 };	/* block joins by guest seq */
	bool caused = false;
	struct vbt_crec gtmp, htmp;
	size_t nerr = 0;

	memset(out, 0, sizeof(*out));
	c.g = compact_of(g, &gtmp, &c.oom);
	c.h = compact_of(h, &htmp, &c.oom);
	if (c.oom) {
		vbt_crec_free(&gtmp);
		vbt_crec_free(&htmp);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!opts.window_ns)
		opts.window_ns = DEFAULT_WINDOW_NS;
	if (!opts.coarse_ns)
		opts.coarse_ns = DEFAULT_COARSE_NS;
	c.hd = calloc(MAX_HDRIVES, sizeof(*c.hd));
	c.di = calloc(MAX_HDRIVES, sizeof(*c.di));
	if (!c.hd || !c.di) {
		free(c.hd);
		free(c.di);
		vbt_crec_free(&gtmp);
		vbt_crec_free(&htmp);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	host_drives_from_facts(&c, h->facts);
	host_drives_from_events(&c);
	guest_disks(&c, g->facts);
	host_span(&c);
	if (opts.vm) {
		bool any = false;

		for (int i = 0; i < c.nhd; i++)
			any |= !strcmp(c.hd[i].vm, opts.vm);
		if (!any) {
			snprintf(err, errlen, "the host side has no VM named "
				 "'%s'", opts.vm);
			ctx_free(&c);
			vbt_crec_free(&gtmp);
			vbt_crec_free(&htmp);
			return -ENOENT;
		}
	}
	pair_disks(&c, out);
	align_clocks(&c, out);
	for (size_t i = 0; i < c.g->n; i++) {
		nerr += c.g->ev[i].err && joinable(c.g->ev[i].kind);
		caused |= c.g->ev[i].err && c.g->ev[i].cause_seq &&
			  c.g->ev[i].kind == VBT_KIND_SYSCALL;
	}
	out->joins = calloc(nerr + 1, sizeof(*out->joins));
	if (!out->joins)
		c.oom = true;
	/* Block failures first: syscalls take the origin of their cause. */
	for (int pass = 0; pass < 2 && !c.oom; pass++) {
		/* the index syscalls find their cause's join by (if any) */
		if (pass == 1 && caused) {
			for (size_t i = 0; i < out->njoins; i++)
				hidx_add(&c, &by_seq,
					 c.g->ev[out->joins[i].guest].seq,
					 0, 0, i);
			vbt_hidx_sort(&by_seq);
		}
		for (size_t i = 0; i < c.g->n; i++) {
			const struct vbt_cev *ev = &c.g->ev[i];
			struct vbt_join *j;

			if (!ev->err || !joinable(ev->kind) ||
			    (ev->kind == VBT_KIND_BLOCK) != (pass == 0))
				continue;
			j = &out->joins[out->njoins++];
			j->guest = i;
			j->host = j->host_block = -1;
			j->disk = -1;
			c.why[0] = 0;
			if (pass == 0)
				classify_block(&c, out, j);
			else
				classify_other(&c, out, j, &by_seq);
			/* as long as it is, not 768 bytes for each of 1M joins */
			j->why = keep_why(out, c.why);
			if (!j->why)
				c.oom = true;
			out->counts[j->origin]++;
		}
	}
	vbt_hidx_free(&by_seq);
	ctx_free(&c);
	if (c.oom) {
		vbt_crec_free(&gtmp);
		vbt_crec_free(&htmp);
		vbt_correlation_free(out);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 1; i < out->njoins; i++) {
		if (cmp_join(&out->joins[i - 1], &out->joins[i], (void *)c.g) > 0) {
			qsort_r(out->joins, out->njoins, sizeof(*out->joins),
				cmp_join, (void *)c.g);
			break;	/* else: in time order already */
		}
	}
	vbt_crec_free(&gtmp);
	vbt_crec_free(&htmp);
	return 0;
}

void vbt_correlation_free(struct vbt_correlation *c)
{
	struct why_chunk *k = c->why_mem, *next;

	for (; k; k = next) {
		next = k->next;
		free(k);
	}
	free(c->joins);
	memset(c, 0, sizeof(*c));
}
