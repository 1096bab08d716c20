/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel module's virtio-blk inspector, read back from debugfs
 * (/sys/kernel/debug/vblktrace/<disk>/{features,config,queues,errors}, see
 * kmod/vbt_inspect.c) for 'vblktrace disks'.  Nothing is shown when the
 * module is not loaded or debugfs cannot be read.
 */
#ifndef VBT_KMOD_INSPECT_H
#define VBT_KMOD_INSPECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;

#define VBT_KMOD_DEBUGFS	"/sys/kernel/debug/vblktrace"
#define VBT_KMOD_MAX_FIELDS	40
#define VBT_KMOD_MAX_VQS	64

struct vbt_kmod_field {
	char name[40];
	uint64_t value;
	char feature[24];		/* "-": always valid */
	bool on;			/* its feature was negotiated */
};

struct vbt_kmod_vq {
	char name[32];
	unsigned int index, size, free, in_flight;
};

struct vbt_kmod_inspect {
	char negotiated[129];		/* bit string, as device/features */
	char offered[129];
	char negotiated_names[512];
	char offered_only[512];		/* offered but not negotiated */
	struct vbt_kmod_field fields[VBT_KMOD_MAX_FIELDS];
	int nfields;
	uint64_t size_features;		/* config size the offered features imply */
	uint64_t size_probed;		/* 0: unknown */
	uint64_t region_len;		/* virtio-pci device config region */
	uint64_t struct_size;		/* the kernel's struct virtio_blk_config */
	unsigned int virtqueues, hw_queues;
	struct vbt_kmod_vq vqs[VBT_KMOD_MAX_VQS];
	int nvqs;
	unsigned int hctx_in_flight[VBT_KMOD_MAX_VQS];
	int nhctx;
	struct {
		char op[24];
		uint64_t count;
	} errors[16];
	int nerrors;
	uint64_t errors_total;
};

/* Reads ROOT/DISK/...; 0, or -errno (-ENOENT: module not loaded). */
int vbt_kmod_inspect_read(const char *root, const char *disk,
			  struct vbt_kmod_inspect *out);

/* For 'vblktrace disks': indented text lines, or a "kmod" JSON member. */
void vbt_kmod_inspect_print(const char *disk, FILE *out);
void vbt_kmod_inspect_json_add(struct json_object *o, const char *disk);

#endif
