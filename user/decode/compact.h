/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording held compactly, for what joins a million events (merge):
 * struct vbt_event is ~1.2 KiB because it can hold any record, while a
 * join needs ~80 bytes of it.  Each event keeps its keys and numbers;
 * its strings (comm, disk, path) are ids into one table that stores
 * every distinct string once, and the QEMU drive an event belongs to
 * (vm, drive, node, image, format, aio, cache) is one id of a table of
 * such tuples.  Event i here is event i of the full recording.  What
 * the trace (perfetto) draws of an event is here too.
 */
#ifndef VBT_COMPACT_H
#define VBT_COMPACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/recording.h"

/* Distinct strings, each stored once; id 0 is "". */
struct vbt_strtab {
	char *buf;			/* NUL-terminated strings, back to back */
	size_t len, cap;
	uint64_t *off;			/* id -> offset in buf */
	uint32_t n, cap_ids;
	uint32_t *slot;			/* open addressing: id + 1, 0 empty */
	uint32_t nslot;			/* a power of two */
};

/* What host enrichment said of an event: string ids. */
struct vbt_chost {
	uint32_t vm, drive, node, image, format, aio, cache;
};

struct vbt_cev {
	uint64_t seq;
	uint64_t real_ns;		/* "ts" */
	/* block: sector; syscall: offset (UINT64_MAX: none); async: offset */
	uint64_t off;
	/* block: bytes; syscall, async: len; lost: records lost */
	uint64_t len;
	uint64_t lat_ns;		/* block: latency, 0 if unknown */
	uint64_t cause_seq;		/* syscall: the block event behind it */
	uint32_t pid, tid;
	uint32_t nr_sectors;		/* block */
	uint32_t comm, disk, path;	/* string ids (disk: block "dev") */
	uint32_t host;			/* index into hosts[] + 1; 0: none */
	int16_t err;
	/* block: enum vbt_op; syscall: enum vbt_sys; async: opcode */
	int16_t op;
	int16_t status;			/* block: blk_status_t, -1 unknown */
	uint8_t kind;			/* enum vbt_kind (< 256) */
	uint8_t virtio_status;		/* VBT_VIRTIO_* */
	bool reached_device;
};

struct vbt_crec {
	struct vbt_cev *ev;
	size_t n, cap;
	struct vbt_strtab str;
	struct vbt_chost *hosts;
	uint32_t nhosts, cap_hosts;
	uint32_t *host_slot;		/* open addressing over hosts[] */
	uint32_t nhost_slot;
	/* set before the first add: keep where each event's line is */
	bool lines;
	uint64_t *line_off;
	uint32_t *line_len;
	size_t cap_lines;
};

/* Append @re; 0 or -ENOMEM. */
int vbt_crec_add(struct vbt_crec *c, const struct vbt_rec_event *re);
/* The compact form of a whole recording. */
int vbt_crec_from_rec(struct vbt_crec *c, const struct vbt_recording *r);
void vbt_crec_free(struct vbt_crec *c);
/*
 * The index of the event numbered @seq (a cause link's target), or -1:
 * what vbt_rec_index() finds, but where its scan would run, a binary
 * search over *@by_seq (built on first need; the caller frees it).
 */
long vbt_crec_index(const struct vbt_crec *c, uint32_t **by_seq,
		    uint64_t seq);

static inline const char *vbt_crec_str(const struct vbt_crec *c, uint32_t id)
{
	return id < c->str.n ? c->str.buf + c->str.off[id] : "";
}

/* The host tuple of @e, or NULL if enrichment said nothing of it. */
static inline const struct vbt_chost *vbt_crec_host(const struct vbt_crec *c,
						    const struct vbt_cev *e)
{
	return e->host && e->host <= c->nhosts ? &c->hosts[e->host - 1] :
	       NULL;
}

#endif
