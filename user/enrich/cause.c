// SPDX-License-Identifier: GPL-2.0
/* Linking failing syscalls to the failed block requests behind them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enrich/cause.h"
#include "system/disks.h"

#define WRITEBACK_WINDOW_NS (30ULL * 1000000000ULL)

void vbt_cause_init(struct vbt_cause_tab *t, const char *sysroot)
{
	memset(t, 0, sizeof(*t));
	t->sysroot = sysroot;
}

void vbt_cause_note_block(struct vbt_cause_tab *t, const struct vbt_event *ev)
{
	if (ev->kind == VBT_KIND_BIO) {
		t->bios[t->bio_next] = *ev;
		t->bio_next = (t->bio_next + 1) % VBT_CAUSE_BIOS;
		if (t->bio_count < VBT_CAUSE_BIOS)
			t->bio_count++;
		return;
	}
	if (ev->kind != VBT_KIND_BLOCK || !ev->err)
		return;
	t->ring[t->next] = *ev;
	t->next = (t->next + 1) % VBT_CAUSE_RING;
	if (t->count < VBT_CAUSE_RING)
		t->count++;
}

static int read_u64(const char *path, uint64_t *v)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *end;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = 0;
	*v = strtoull(buf, &end, 10);
	return end == buf ? -EINVAL : 0;
}

int vbt_part_lookup(const char *sysroot, uint32_t dev, struct vbt_part *p)
{
	char path[256], disk[64];
	unsigned int ma, mi;
	uint64_t start = 0;
	FILE *f;

	p->dev = dev;
	p->disk = dev;
	p->start = 0;
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u/start", sysroot,
		 vbt_major(dev), vbt_minor(dev));
	if (read_u64(path, &start))
		return 0;	/* not a partition: the disk itself */
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u/../dev", sysroot,
		 vbt_major(dev), vbt_minor(dev));
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	if (!fgets(disk, sizeof(disk), f) ||
	    sscanf(disk, "%u:%u", &ma, &mi) != 2) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	p->disk = vbt_mkdev(ma, mi);
	p->start = start;
	return 0;
}

static const struct vbt_part *part_of(struct vbt_cause_tab *t, uint32_t dev)
{
	struct vbt_part *p;

	for (int i = 0; i < t->nparts; i++)
		if (t->parts[i].dev == dev)
			return &t->parts[i];
	p = &t->parts[t->nparts < 64 ? t->nparts++ : 63];
	vbt_part_lookup(t->sysroot, dev, p);
	return p;
}

static bool overlaps(const struct vbt_block_info *b, uint64_t sector,
		     uint64_t nr)
{
	uint64_t bend = b->sector + (b->nr_sectors ? b->nr_sectors : 1);

	return sector < bend && b->sector < sector + (nr ? nr : 1);
}

/* The newest failed FLUSH on b's disk up to 1 s before b completed. */
static const struct vbt_event *flush_before(const struct vbt_cause_tab *t,
					    const struct vbt_event *b)
{
	for (unsigned int i = 0; i < t->count; i++) {
		unsigned int idx = (t->next + VBT_CAUSE_RING - 1 - i) %
				   VBT_CAUSE_RING;
		const struct vbt_event *f = &t->ring[idx];

		if (f->mono_ns > b->mono_ns || f->blk.dev != b->blk.dev ||
		    f->blk.op != VBT_OP_FLUSH)
			continue;
		if (b->mono_ns - f->mono_ns > 1000000000ULL)
			break;
		return f;
	}
	return NULL;
}

static bool range_hit(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + (blen ? blen : 1) && b < a + (alen ? alen : 1);
}

static void add_link(struct vbt_event *ev, const struct vbt_event *b)
{
	struct vbt_chain_link *l;

	if (ev->sys.nchain >= VBT_CHAIN_MAX)
		return;
	l = &ev->sys.chain[ev->sys.nchain++];
	l->seq = b->seq;
	snprintf(l->disk, sizeof(l->disk), "%s", b->bio.disk);
	l->sector = b->bio.sector;
	l->nr_sectors = b->bio.nr_sectors;
	l->status = b->bio.status;
}

/* The newest failed bio matching; NULL if none. */
static const struct vbt_event *find_bio(struct vbt_cause_tab *t,
					const struct vbt_event *ev, bool remap,
					uint32_t dev, uint64_t sector,
					uint64_t nr, bool ranged)
{
	const struct vbt_event *any = NULL;

	for (unsigned int i = 0; i < t->bio_count; i++) {
		unsigned int idx = (t->bio_next + VBT_CAUSE_BIOS - 1 - i) %
				   VBT_CAUSE_BIOS;
		const struct vbt_event *b = &t->bios[idx];
		uint32_t bdev = remap ? b->bio.from_dev : b->bio.dev;
		uint64_t bsec = remap ? b->bio.from_sector : b->bio.sector;

		if (b->mono_ns > ev->mono_ns ||
		    ev->mono_ns - b->mono_ns > WRITEBACK_WINDOW_NS ||
		    bdev != dev || b->bio.remap != remap)
			continue;
		if (!ranged ||
		    range_hit(bsec, b->bio.nr_sectors, sector, nr))
			return b;
		if (!any)
			any = b;
	}
	return remap ? NULL : any;
}

/*
 * Down a stack: the file's device's failed bio, then each remap below it,
 * until a device that is not stacked.  Returns false if the file's device
 * has no failed bio; else dev, sector and nr name the place on the lowest
 * device, a partition mapped to its disk.
 */
static bool follow_stack(struct vbt_cause_tab *t, struct vbt_event *ev,
			 uint32_t *dev, uint64_t *sector, uint64_t *nr,
			 bool *ranged)
{
	const struct vbt_event *b;
	const struct vbt_part *p;

	b = find_bio(t, ev, false, *dev, *sector, *nr, *ranged);
	if (!b || !b->bio.stacked)
		return false;
	add_link(ev, b);
	*sector = b->bio.sector;
	*nr = b->bio.nr_sectors;
	*ranged = true;
	for (int depth = 0; depth < VBT_CHAIN_MAX; depth++) {
		b = find_bio(t, ev, true, *dev, *sector, *nr, true);
		if (!b)
			break;
		*dev = b->bio.dev;
		*sector = b->bio.sector;
		*nr = b->bio.nr_sectors;
		if (b->bio.stacked)
			add_link(ev, b);	/* the next stacked layer */
	}
	p = part_of(t, *dev);
	*dev = p->disk;
	*sector += p->start;
	return true;
}

bool vbt_cause_link(struct vbt_cause_tab *t, struct vbt_event *ev)
{
	const struct vbt_event *best = NULL;
	const struct vbt_part *part;
	int best_rank = 0;
	uint64_t sector = 0, nr = 0;
	bool ranged;

	uint32_t disk;

	if (ev->kind != VBT_KIND_SYSCALL || !t->count)
		return false;
	part = part_of(t, ev->sys.bdev);
	/* Offsets into a block device map to sectors; into a file, not. */
	ranged = ev->sys.ftype == VBT_FTYPE_BLK && ev->sys.offset != UINT64_MAX;
	if (ranged) {
		sector = ev->sys.offset / 512;
		nr = (ev->sys.len + 511) / 512;
	}
	disk = ev->sys.bdev;
	ev->sys.nchain = 0;
	if (!ev->sys.bdev ||
	    !follow_stack(t, ev, &disk, &sector, &nr, &ranged)) {
		disk = part->disk;
		sector += part->start;
	}

	/* Newest first, so ties go to the latest failure. */
	for (unsigned int i = 0; i < t->count; i++) {
		unsigned int idx = (t->next + VBT_CAUSE_RING - 1 - i) %
				   VBT_CAUSE_RING;
		const struct vbt_event *b = &t->ring[idx];
		bool same_disk = b->blk.dev == disk;
		bool same_tid = b->blk.issuer_known && b->tid == ev->tid;
		int rank = 0;

		if (b->mono_ns > ev->mono_ns || !same_disk)
			continue;
		if (same_tid && ranged && overlaps(&b->blk, sector, nr))
			rank = 6;
		else if (same_tid)
			rank = 4;
		else if (ev->mono_ns - b->mono_ns < WRITEBACK_WINDOW_NS)
			rank = 2;
		/* Within a rank, a request that reached the device wins. */
		if (rank && !b->blk.not_issued)
			rank++;
		if (rank > best_rank) {
			best_rank = rank;
			best = b;
			if (rank == 7)
				break;
		}
	}
	if (!best)
		return false;
	/*
	 * A request the block layer ended before the driver saw it (the
	 * data-less write of an fsync whose preflush failed) is not where
	 * the error happened: the FLUSH that failed on that disk just before
	 * it is, whoever issued it.
	 */
	if (best->blk.not_issued) {
		const struct vbt_event *flush = flush_before(t, best);

		if (flush)
			best = flush;
	}
	ev->sys.cause_seq = best->seq;
	ev->sys.cause = best->blk;
	return true;
}
