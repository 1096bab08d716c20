/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decoded event every stage after the source works with.  Sources hand
 * raw ABI records to vbt_event_decode(); enrichment fills the host fields;
 * sinks only read.
 */
#ifndef VBT_EVENT_H
#define VBT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vblktrace/abi.h"

enum vbt_side { VBT_SIDE_GUEST, VBT_SIDE_HOST };

/*
 * Kinds no kernel source emits: what the host view learns of a VM itself,
 * after the ABI's kinds.  VM_STATE: it paused (an I/O error under
 * werror/rerror=stop or enospc) or resumed; BACKEND_REMOVED: a drive's
 * image was closed while the VM still runs (drive_del).
 */
#define VBT_KIND_VM_STATE		64
#define VBT_KIND_BACKEND_REMOVED	65

struct vbt_vmstate_info {
	char state[16];			/* running, paused, ... (QEMU's words) */
	char reason[32];		/* io-error, ioerror, user, ...; "" */
	char source[16];		/* libvirt, qmp, proc */
};

/* The SCSI command behind a request (kind SCSI, or joined to a block event). */
struct vbt_scsi_info {
	bool known;			/* a SCSI record was joined */
	uint32_t host, channel, id;	/* address H:C:T:L */
	uint64_t lun;
	uint32_t result;		/* driver<<24 | host<<16 | msg<<8 | status */
	int opcode;			/* CDB byte 0 */
	int sense_key;			/* -1: no sense */
	int asc, ascq;			/* -1: none */
	bool deferred;
	int tries;			/* failed tries seen for this request */
};

struct vbt_block_info {
	uint32_t dev;			/* kernel dev_t */
	char disk[VBT_DISK_NAME_LEN + 1];
	int op;				/* enum vbt_op */
	uint32_t flags;			/* VBT_RQ_* */
	uint64_t sector;
	uint32_t nr_sectors;
	uint32_t bytes;
	int status;			/* blk_status_t, -1 if unknown */
	int virtio_status;		/* VBT_VIRTIO_* */
	bool virtio_derived;		/* derived from status, not read */
	bool issuer_known;
	bool not_issued;		/* failed before reaching the driver */
	uint64_t lat_ns;		/* 0 if unknown */
	struct vbt_scsi_info scsi;	/* an sd disk's command, by enrichment */
};

/* A failed bio of a stacked device, or one remapped down from it. */
struct vbt_bio_info {
	uint32_t dev;
	char disk[VBT_DISK_NAME_LEN + 1];	/* by enrichment */
	int op;				/* enum vbt_op */
	uint64_t sector;
	uint32_t nr_sectors;
	uint32_t bytes;
	int status;			/* blk_status_t */
	bool stacked;			/* dev is bio-based (dm, md) */
	bool remap;			/* from_* valid */
	uint32_t from_dev;
	char from_disk[VBT_DISK_NAME_LEN + 1];	/* by enrichment */
	uint64_t from_sector;
};

/*
 * A request in flight past the stuck threshold (phase FOUND), or its end
 * (ENDED, or GONE when a scan found it ended).  pid/tid/comm of the event
 * are the issuer's.
 */
struct vbt_stuck_info {
	uint32_t dev;
	char disk[VBT_DISK_NAME_LEN + 1];
	int op;				/* enum vbt_op */
	uint64_t sector;
	uint32_t nr_sectors;
	uint32_t bytes;
	int phase;			/* VBT_STUCK_* */
	int status;			/* ENDED: blk_status_t; else -1 */
	uint64_t start_ns;		/* entered the block layer */
	uint64_t age_ns;		/* FOUND: age; end: whole latency */
	uint32_t slot;			/* with start_ns: the same request */
	uint64_t found_seq;		/* end: seq of its FOUND event; 0 if
					 * not seen (by the session) */
	bool issuer_known;
};

/* One layer of a stacked failure, top first (vbt_sys_info.chain). */
struct vbt_chain_link {
	uint64_t seq;			/* the bio or block event */
	char disk[VBT_DISK_NAME_LEN + 1];
	uint64_t sector;
	uint32_t nr_sectors;
	int status;
};

#define VBT_CHAIN_MAX 6

struct vbt_sys_info {
	int sys;			/* enum vbt_sys */
	int fd;
	uint64_t offset;		/* UINT64_MAX: none */
	uint64_t len;
	uint64_t arg;
	int64_t ret;
	uint64_t enter_ns;
	uint32_t bdev;			/* dev_t the file lives on */
	uint64_t ino;
	int ftype;			/* VBT_FTYPE_* */
	char path[256];			/* fd's path, filled by enrichment */
	char disk[VBT_DISK_NAME_LEN + 1];	/* bdev's name, by enrichment */
	uint64_t cause_seq;		/* seq of the block event behind it */
	struct vbt_block_info cause;	/* that event, when cause_seq != 0 */
	/* Stacked devices from the file's down to the cause's, top first. */
	int nchain;
	struct vbt_chain_link chain[VBT_CHAIN_MAX];
};

struct vbt_async_info {
	int opcode;
	int fd;
	uint64_t offset;
	uint32_t len;
	int res;
	uint64_t submit_ns;
	uint64_t user_data;
	uint32_t bdev;
	uint64_t ino;
	char path[256];
	char disk[VBT_DISK_NAME_LEN + 1];	/* bdev's name, by enrichment */
};

/* Host enrichment: which VM and drive an event belongs to. */
struct vbt_host_info {
	bool known;
	char vm[64];
	char drive[64];
	char node[64];
	char image[256];
	char format[16];
	char aio[16];
	char cache[16];
	int direct;			/* -1 unknown */
	char werror[16];
	char rerror[16];
	bool aio_confirmed;		/* native: the AIO ring was seen */
	char guest_sees[48];		/* what the error policy makes of it */
	uint64_t retry_of;		/* seq of the failure QEMU resubmitted
					 * after the VM resumed; 0 if none */
};

struct vbt_event {
	uint64_t seq;			/* assigned by the reader, from 1 */
	int kind;			/* enum vbt_kind */
	enum vbt_side side;
	uint64_t mono_ns;
	uint32_t pid;
	uint32_t tid;
	uint32_t cpu;
	char comm[VBT_COMM_LEN + 1];
	int err;			/* positive errno, 0 on success */
	union {
		struct vbt_block_info blk;
		struct vbt_sys_info sys;
		struct vbt_async_info async;
		uint64_t lost;
		struct vbt_vmstate_info vmstate;
		struct vbt_scsi_info scsi;	/* kind SCSI; dev/sector in blk */
		struct vbt_bio_info bio;
		struct vbt_stuck_info stuck;
	};
	/*
	 * kind LOST: completions the disk counted that never reached our
	 * programs (sink/audit.c), not records the ring had no room for.
	 */
	bool lost_unseen;
	/* kind SCSI: the request it belongs to. */
	uint32_t scsi_dev;
	uint64_t scsi_sector;
	struct vbt_host_info host;
};

/*
 * Decode one raw record.  Returns 0, or -EINVAL for a record that is too
 * short, of an unknown kind or of another ABI version (msg says which).
 */
int vbt_event_decode(const void *data, size_t size, struct vbt_event *ev,
		     char *msg, size_t msglen);
/* The disk of a request, or the one a file lives on (once enriched). */
const char *vbt_event_disk(const struct vbt_event *ev);

#endif
