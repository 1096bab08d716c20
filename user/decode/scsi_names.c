// SPDX-License-Identifier: GPL-2.0
/* Names of SCSI numbers (scsi_names.h). */
#include <stdio.h>
#include <strings.h>

#include "decode/event.h"
#include "decode/scsi_names.h"

bool vbt_sense_parse(const uint8_t *buf, size_t len, struct vbt_sense *s)
{
	uint8_t code;

	s->key = s->asc = s->ascq = -1;
	s->deferred = s->descriptor = false;
	if (!buf || len < 4)
		return false;
	code = buf[0] & 0x7f;
	switch (code) {
	case 0x70:
	case 0x71:
		if (len < 14)
			return false;
		s->key = buf[2] & 0x0f;
		/* Additional length 0: the codes were not sent. */
		if (buf[7] >= 6) {
			s->asc = buf[12];
			s->ascq = buf[13];
		}
		s->deferred = code == 0x71;
		return true;
	case 0x72:
	case 0x73:
		s->key = buf[1] & 0x0f;
		s->asc = buf[2];
		s->ascq = buf[3];
		s->deferred = code == 0x73;
		s->descriptor = true;
		return true;
	default:
		return false;
	}
}

/* The kernel's snstext[] words, so lines and events read alike. */
static const char *const sense_keys[16] = {
	"No Sense", "Recovered Error", "Not Ready", "Medium Error",
	"Hardware Error", "Illegal Request", "Unit Attention", "Data Protect",
	"Blank Check", "Vendor Specific", "Copy Aborted", "Aborted Command",
	"Equal", "Volume Overflow", "Miscompare", "Completed",
};

const char *vbt_sense_key_name(int key)
{
	return key >= 0 && key < 16 ? sense_keys[key] : "";
}

int vbt_sense_key_from_name(const char *name, size_t len)
{
	for (int i = 0; i < 16; i++)
		if (len == __builtin_strlen(sense_keys[i]) &&
		    !strncasecmp(name, sense_keys[i], len))
			return i;
	return -1;
}

struct asc_entry {
	uint8_t asc;
	uint8_t ascq;
	const char *text;
};

/* SPC-4 Annex D, the codes a virtual or real disk commonly returns. */
static const struct asc_entry ascs[] = {
	{ 0x00, 0x00, "No additional sense information" },
	{ 0x00, 0x06, "I/O process terminated" },
	{ 0x00, 0x16, "Operation in progress" },
	{ 0x02, 0x00, "No seek complete" },
	{ 0x03, 0x00, "Peripheral device write fault" },
	{ 0x04, 0x00, "Logical unit not ready, cause not reportable" },
	{ 0x04, 0x01, "Logical unit is in process of becoming ready" },
	{ 0x04, 0x02, "Logical unit not ready, initializing command required" },
	{ 0x04, 0x03, "Logical unit not ready, manual intervention required" },
	{ 0x04, 0x04, "Logical unit not ready, format in progress" },
	{ 0x04, 0x0a, "Logical unit not accessible, asymmetric access state transition" },
	{ 0x04, 0x0b, "Logical unit not accessible, target port in standby state" },
	{ 0x04, 0x0c, "Logical unit not accessible, target port in unavailable state" },
	{ 0x05, 0x00, "Logical unit does not respond to selection" },
	{ 0x08, 0x00, "Logical unit communication failure" },
	{ 0x08, 0x01, "Logical unit communication time-out" },
	{ 0x0c, 0x00, "Write error" },
	{ 0x0c, 0x02, "Write error - auto reallocation failed" },
	{ 0x0c, 0x03, "Write error - recommend reassignment" },
	{ 0x10, 0x01, "Logical block guard check failed" },
	{ 0x10, 0x02, "Logical block application tag check failed" },
	{ 0x10, 0x03, "Logical block reference tag check failed" },
	{ 0x11, 0x00, "Unrecovered read error" },
	{ 0x11, 0x01, "Read retries exhausted" },
	{ 0x11, 0x02, "Error too long to correct" },
	{ 0x11, 0x04, "Unrecovered read error - auto reallocate failed" },
	{ 0x11, 0x0b, "Unrecovered read error - recommend reassignment" },
	{ 0x11, 0x0c, "Unrecovered read error - recommend rewrite the data" },
	{ 0x14, 0x01, "Record not found" },
	{ 0x1a, 0x00, "Parameter list length error" },
	{ 0x20, 0x00, "Invalid command operation code" },
	{ 0x21, 0x00, "Logical block address out of range" },
	{ 0x24, 0x00, "Invalid field in cdb" },
	{ 0x25, 0x00, "Logical unit not supported" },
	{ 0x26, 0x00, "Invalid field in parameter list" },
	{ 0x27, 0x00, "Write protected" },
	{ 0x27, 0x07, "Space allocation failed write protect" },
	{ 0x28, 0x00, "Not ready to ready change, medium may have changed" },
	{ 0x29, 0x00, "Power on, reset, or bus device reset occurred" },
	{ 0x29, 0x01, "Power on occurred" },
	{ 0x29, 0x02, "Scsi bus reset occurred" },
	{ 0x29, 0x03, "Bus device reset function occurred" },
	{ 0x29, 0x04, "Device internal reset" },
	{ 0x2a, 0x01, "Mode parameters changed" },
	{ 0x2a, 0x09, "Capacity data has changed" },
	{ 0x2a, 0x10, "Timestamp changed" },
	{ 0x2f, 0x00, "Commands cleared by another initiator" },
	{ 0x31, 0x00, "Medium format corrupted" },
	{ 0x38, 0x07, "Thin provisioning soft threshold reached" },
	{ 0x3a, 0x00, "Medium not present" },
	{ 0x3f, 0x0e, "Reported luns data has changed" },
	{ 0x44, 0x00, "Internal target failure" },
	{ 0x47, 0x00, "Scsi parity error" },
	{ 0x4b, 0x00, "Data phase error" },
	{ 0x4e, 0x00, "Overlapped commands attempted" },
	{ 0x55, 0x03, "Insufficient resources" },
	{ 0x5d, 0x00, "Failure prediction threshold exceeded" },
};

const char *vbt_asc_name(int asc, int ascq)
{
	for (size_t i = 0; i < sizeof(ascs) / sizeof(ascs[0]); i++)
		if (ascs[i].asc == asc && ascs[i].ascq == ascq)
			return ascs[i].text;
	return NULL;
}

static const char *const host_bytes[] = {
	"DID_OK", "DID_NO_CONNECT", "DID_BUS_BUSY", "DID_TIME_OUT",
	"DID_BAD_TARGET", "DID_ABORT", "DID_PARITY", "DID_ERROR",
	"DID_RESET", "DID_BAD_INTR", "DID_PASSTHROUGH", "DID_SOFT_ERROR",
	"DID_IMM_RETRY", "DID_REQUEUE", "DID_TRANSPORT_DISRUPTED",
	"DID_TRANSPORT_FAILFAST", "DID_TARGET_FAILURE", "DID_NEXUS_FAILURE",
	"DID_ALLOC_FAILURE", "DID_MEDIUM_ERROR", "DID_TRANSPORT_MARGINAL",
};

const char *vbt_scsi_host_byte(unsigned int hb, char *buf, size_t len)
{
	if (hb < sizeof(host_bytes) / sizeof(host_bytes[0]))
		return host_bytes[hb];
	snprintf(buf, len, "DID_0x%02x", hb & 0xff);
	return buf;
}

const char *vbt_scsi_driver_byte(unsigned int db, char *buf, size_t len)
{
	switch (db) {
	case 0x00:
		return "DRIVER_OK";
	case 0x08:
		return "DRIVER_SENSE";
	default:
		snprintf(buf, len, "DRIVER_0x%02x", db & 0xff);
		return buf;
	}
}

const char *vbt_scsi_status_name(unsigned int st, char *buf, size_t len)
{
	switch (st) {
	case 0x00: return "GOOD";
	case 0x02: return "CHECK CONDITION";
	case 0x04: return "CONDITION MET";
	case 0x08: return "BUSY";
	case 0x18: return "RESERVATION CONFLICT";
	case 0x28: return "TASK SET FULL";
	case 0x30: return "ACA ACTIVE";
	case 0x40: return "TASK ABORTED";
	default:
		snprintf(buf, len, "status 0x%02x", st & 0xff);
		return buf;
	}
}

const char *vbt_scsi_qemu_errno(int key, int asc, int ascq)
{
	/* QEMU hw/scsi/utils.c scsi_sense_from_errno(), inverted. */
	if (key == 0x3 && asc == 0x11 && ascq == 0x00)
		return "ENODATA";
	if (key == 0xb && asc == 0x00 && ascq == 0x06)
		return "EIO (or another errno QEMU has no sense for)";
	if (key == 0x7 && asc == 0x27 && ascq == 0x07)
		return "ENOSPC";
	if (key == 0x5 && asc == 0x24 && ascq == 0x00)
		return "EINVAL";
	if (key == 0x2 && asc == 0x3a && ascq == 0x00)
		return "ENOMEDIUM";
	if (key == 0x4 && asc == 0x44 && ascq == 0x00)
		return "ENOMEM or EREMOTEIO";
	return NULL;
}

void vbt_scsi_describe(const struct vbt_scsi_info *si, char *buf, size_t len)
{
	char hb[16], st[24], sense[160] = "";
	const char *asc;

	if (si->sense_key >= 0) {
		asc = vbt_asc_name(si->asc, si->ascq);
		if (si->asc >= 0)
			snprintf(sense, sizeof(sense),
				 ", %s%s: %s (asc 0x%02x ascq 0x%02x)",
				 si->deferred ? "deferred " : "",
				 vbt_sense_key_name(si->sense_key),
				 asc ? asc : "unknown code", si->asc, si->ascq);
		else
			snprintf(sense, sizeof(sense), ", %s",
				 vbt_sense_key_name(si->sense_key));
	}
	snprintf(buf, len, "%u:%u:%u:%llu %s%s, hostbyte=%s, %d %s",
		 si->host, si->channel, si->id, (unsigned long long)si->lun,
		 vbt_scsi_status_name(si->result & 0xff, st, sizeof(st)), sense,
		 vbt_scsi_host_byte((si->result >> 16) & 0xff, hb, sizeof(hb)),
		 si->tries, si->tries == 1 ? "try" : "tries");
}
