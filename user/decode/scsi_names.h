/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of SCSI numbers: the result's host and driver bytes and SAM
 * status, sense keys and additional sense codes (SPC-4 tables, worded as
 * the Linux kernel logs them), and the sense data format itself.
 */
#ifndef VBT_SCSI_NAMES_H
#define VBT_SCSI_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vbt_sense {
	int key;		/* sense key 0..15, -1 if none */
	int asc;		/* additional sense code, -1 if none */
	int ascq;
	bool deferred;		/* about an earlier command */
	bool descriptor;	/* descriptor format (0x72/0x73) */
};

/* Parse fixed (0x70/0x71) or descriptor (0x72/0x73) sense; false if none. */
bool vbt_sense_parse(const uint8_t *buf, size_t len, struct vbt_sense *s);
/* "Medium Error" as the kernel's "Sense Key : ..." line words it. */
const char *vbt_sense_key_name(int key);
/* "Unrecovered read error"; NULL for a code the table does not hold. */
const char *vbt_asc_name(int asc, int ascq);
/* DID_OK ... ("DID_0x42" style into buf for unknown ones). */
const char *vbt_scsi_host_byte(unsigned int hb, char *buf, size_t len);
/* DRIVER_OK, DRIVER_SENSE, ... */
const char *vbt_scsi_driver_byte(unsigned int db, char *buf, size_t len);
/* SAM status: GOOD, CHECK CONDITION, BUSY, ... */
const char *vbt_scsi_status_name(unsigned int st, char *buf, size_t len);
/* Sense key by its kernel words ("Medium Error", any case); -1 if none. */
int vbt_sense_key_from_name(const char *name, size_t len);
/*
 * What the host's error was, when the sense is one QEMU's scsi-disk makes
 * of an errno (scsi_sense_from_errno): "ENODATA" for Unrecovered read
 * error, ... ; NULL when it is not one of QEMU's.
 */
const char *vbt_scsi_qemu_errno(int key, int asc, int ascq);

struct vbt_scsi_info;
/*
 * One line for a command: "0:0:0:0 CHECK CONDITION, Medium Error:
 * Unrecovered read error (asc 0x11 ascq 0x00), hostbyte=DID_OK, 1 try".
 */
void vbt_scsi_describe(const struct vbt_scsi_info *si, char *buf, size_t len);

#endif
