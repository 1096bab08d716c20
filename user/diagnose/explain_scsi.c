// SPDX-License-Identifier: GPL-2.0
/*
 * explain: the SCSI midlayer's lines about an sd disk (virtio-scsi under
 * QEMU's scsi-hd, or any other HBA).  A failed command is logged by
 * scsi_print_result()/scsi_print_sense() (drivers/scsi/scsi_logging.c):
 *   sd 0:0:0:0: [sda] tag#95 FAILED Result: hostbyte=DID_OK driverbyte=DRIVER_OK cmd_age=0s
 *   sd 0:0:0:0: [sda] tag#95 Sense Key : Medium Error [current]
 *   sd 0:0:0:0: [sda] tag#95 Add. Sense: Unrecovered read error
 *   sd 0:0:0:0: [sda] tag#95 CDB: Read(10) 28 00 00 00 00 40 00 00 08 00
 * followed by the block layer's "critical medium error, dev sda, ...".
 * Error handling (scsi_error.c) adds aborts, resets and offlining.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/scsi_names.h"
#include "diagnose/explain.h"

/* "sd H:C:T:L: [sdX] " -> address and disk; the rest after it. */
static const char *sd_prefix(const char *line, struct ex_hit *h)
{
	const char *p = strstr(line, "sd ");
	unsigned int hh, c, t;
	unsigned long long l;
	char disk[32] = "";
	int n = 0;

	while (p && sscanf(p, "sd %u:%u:%u:%llu: %n", &hh, &c, &t, &l, &n) < 4)
		p = strstr(p + 3, "sd ");
	if (!p || !n)
		return NULL;
	p += n;
	/* %n is only written when the whole pattern matched: "[sda" alone
	 * must not reuse the previous offset. */
	n = 0;
	if (sscanf(p, "[%31[^]]] %n", disk, &n) == 1 && n)
		p += n;
	else
		disk[0] = 0;
	if (!strncmp(p, "tag#", 4)) {
		p += 4;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == ' ')
			p++;
	}
	if (h) {
		char addr[64];

		snprintf(addr, sizeof(addr), "%u:%u:%u:%llu", hh, c, t, l);
		ex_fstr(h, "scsi_address", addr);
		if (disk[0])
			ex_fstr(h, "dev", disk);
	}
	return p;
}

static const char *const virt_note =
	"For a virtio-scsi disk the status and sense come from QEMU's scsi-hd, "
	"which turns the host errno of the failed read or write into sense "
	"data (only under rerror/werror=report); `vblktrace live` in the guest "
	"shows the same per request, `vblktrace host` the host syscall.";

static bool m_result(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	const char *p = sd_prefix(line, NULL), *q;
	char hb[40], db[40];

	if (!p || strncmp(p, "FAILED Result: ", 15))
		return false;
	q = strstr(p, "hostbyte=");
	if (!q || sscanf(q, "hostbyte=%39s driverbyte=%39s", hb, db) != 2)
		return false;
	ex_set(h, "scsi-result", "guest-kernel", "error");
	sd_prefix(line, h);
	ex_fstr(h, "host_byte", hb);
	ex_fstr(h, "driver_byte", db);
	ex_summary(h, "SCSI command failed: %s, %s", hb, db);
	if (!strcmp(hb, "DID_OK"))
		ex_detail(h, "The command reached the device and the device "
			  "answered with an error status (usually CHECK "
			  "CONDITION): the Sense Key and Add. Sense lines that "
			  "follow say what it was. %s", virt_note);
	else if (!strcmp(hb, "DID_TIME_OUT"))
		ex_detail(h, "The command did not complete before the SCSI "
			  "timeout (/sys/block/DEV/device/timeout, 30 s by "
			  "default): the host's backend stalled or QEMU could "
			  "not finish the request. Error handling (abort, "
			  "reset) follows. ");
	else if (!strcmp(hb, "DID_NO_CONNECT") ||
		 !strcmp(hb, "DID_BAD_TARGET"))
		ex_detail(h, "The target is gone (hot-unplugged device or a "
			  "deleted drive): I/O to it fails at once. ");
	else
		ex_detail(h, "The host adapter (for virtio-scsi: the "
			  "virtio_scsi driver's response from QEMU) reported "
			  "%s. ", hb);
	return true;
}

static bool m_sense_key(const char *line, struct ex_ctx *ctx,
			struct ex_hit *h)
{
	const char *p = sd_prefix(line, NULL), *e;
	char kind[32] = "";
	int key;

	if (!p || strncmp(p, "Sense Key : ", 12))
		return false;
	p += 12;
	e = strchr(p, '[');
	if (!e)
		e = p + strlen(p);
	while (e > p && e[-1] == ' ')
		e--;
	key = vbt_sense_key_from_name(p, e - p);
	if (key < 0)
		return false;
	if (*e == ' ')
		sscanf(strchr(e, '[') ? strchr(e, '[') : e, "[%31[^]]", kind);
	ex_set(h, "scsi-sense-key", "guest-kernel",
	       key == 0x1 || key == 0x6 ? "warning" : "error");
	sd_prefix(line, h);
	ex_fstr(h, "sense_key", vbt_sense_key_name(key));
	ex_fint(h, "sense_key_code", key);
	if (kind[0])
		ex_fstr(h, "sense_kind", kind);
	ex_summary(h, "SCSI sense key %s (0x%x)%s%s", vbt_sense_key_name(key),
		   key, kind[0] ? ", " : "", kind);
	switch (key) {
	case 0x2:
		ex_detail(h, "NOT READY: the device cannot serve commands now "
			  "(no medium, becoming ready). ");
		break;
	case 0x3:
		ex_detail(h, "MEDIUM ERROR: the device could not read or write "
			  "the block; the kernel does not retry it. ");
		break;
	case 0x4:
		ex_detail(h, "HARDWARE ERROR: the target itself failed. ");
		break;
	case 0x5:
		ex_detail(h, "ILLEGAL REQUEST: the device refused the command "
			  "or a field of it (an unsupported opcode, an LBA out "
			  "of range). ");
		break;
	case 0x6:
		ex_detail(h, "UNIT ATTENTION: the device reports a change (a "
			  "reset, a resize, new LUNs); the command is retried. ");
		break;
	case 0x7:
		ex_detail(h, "DATA PROTECT: the device refused to write (write "
			  "protected, or out of space on a thin device). ");
		break;
	case 0xb:
		ex_detail(h, "ABORTED COMMAND: the device aborted the command; "
			  "the kernel retries it up to 5 times. ");
		break;
	default:
		break;
	}
	ex_detail(h, "%s", virt_note);
	return true;
}

/* Kernel words of an additional sense code -> its code, from the table. */
static bool asc_from_text(const char *t, int *asc, int *ascq)
{
	for (int a = 0; a < 0x100; a++)
		for (int q = 0; q < 0x100; q++) {
			const char *n = vbt_asc_name(a, q);

			if (n && !strcmp(n, t)) {
				*asc = a;
				*ascq = q;
				return true;
			}
		}
	return false;
}

static bool m_add_sense(const char *line, struct ex_ctx *ctx,
			struct ex_hit *h)
{
	const char *p = sd_prefix(line, NULL), *qemu = NULL;
	static const int keys[] = { 0x3, 0xb, 0x7, 0x5, 0x2, 0x4 };
	int asc = -1, ascq = -1;
	char text[160];

	if (!p || strncmp(p, "Add. Sense: ", 12))
		return false;
	snprintf(text, sizeof(text), "%s", p + 12);
	text[strcspn(text, "\r\n")] = 0;
	for (size_t n = strlen(text); n && text[n - 1] == ' '; n--)
		text[n - 1] = 0;
	ex_set(h, "scsi-add-sense", "guest-kernel", "error");
	sd_prefix(line, h);
	ex_fstr(h, "add_sense", text);
	if (asc_from_text(text, &asc, &ascq)) {
		ex_fint(h, "asc", asc);
		ex_fint(h, "ascq", ascq);
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !qemu;
		     i++)
			qemu = vbt_scsi_qemu_errno(keys[i], asc, ascq);
	}
	if (qemu)
		ex_fstr(h, "qemu_host_errno", qemu);
	ex_summary(h, "SCSI additional sense: %s%s", text,
		   asc >= 0 ? "" : " (code not in vblktrace's table)");
	if (qemu)
		ex_detail(h, "Under QEMU's scsi-hd (virtio-scsi) this is the "
			  "sense QEMU makes of a host %s from the image's read "
			  "or write (scsi_sense_from_errno): the failure is on "
			  "the host; `vblktrace host` shows the syscall. ",
			  qemu);
	else
		ex_detail(h, "The device's own explanation of the failure "
			  "(SPC additional sense code). ");
	return true;
}

static bool m_cdb(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	const char *p = sd_prefix(line, NULL), *hex;
	unsigned int b[16];
	char name[40];
	int n;

	if (!p || strncmp(p, "CDB: ", 5))
		return false;
	p += 5;
	/* "Read(10) 28 00 ...": the name may hold digits; the bytes follow. */
	hex = strchr(p, ')');
	hex = hex ? hex + 1 : strchr(p, ' ');
	if (!hex || hex - p >= (int)sizeof(name))
		return false;
	snprintf(name, sizeof(name), "%.*s", (int)(hex - p), p);
	n = 1 + sscanf(hex, "%x %x %x %x %x %x %x %x %x %x", &b[0], &b[1],
		       &b[2], &b[3], &b[4], &b[5], &b[6], &b[7], &b[8], &b[9]);
	if (n < 2)
		return false;
	ex_set(h, "scsi-cdb", "guest-kernel", "info");
	sd_prefix(line, h);
	ex_fstr(h, "command", name);
	ex_fint(h, "opcode", b[0]);
	/* READ(10)/WRITE(10): LBA in bytes 2..5, blocks in 7..8. */
	if (n >= 10 && (b[0] == 0x28 || b[0] == 0x2a)) {
		unsigned long long lba = (unsigned long long)b[2] << 24 |
					 b[3] << 16 | b[4] << 8 | b[5];

		ex_fint(h, "lba", lba);
		ex_fint(h, "blocks", b[7] << 8 | b[8]);
		ex_summary(h, "the failed command: %s of %u blocks at LBA %llu",
			   name, b[7] << 8 | b[8], lba);
	} else {
		ex_summary(h, "the failed command: %s (opcode 0x%02x)", name,
			   b[0]);
	}
	ex_detail(h, "The command descriptor block of the failed command. The "
		  "LBA counts logical blocks (/sys/block/DEV/queue/"
		  "logical_block_size), the block layer's sector 512 bytes.");
	return true;
}

/* Error handling: what the midlayer did about a command or a device. */
static const struct {
	const char *text;
	const char *level;
	const char *meaning;
} eh_lines[] = {
	{ "timing out command, waited", "error", "a command exceeded its "
	  "retries' total time and is failed" },
	{ "abort scheduled", "warning", "a command timed out; the midlayer "
	  "asks the HBA (virtio-scsi: QEMU) to abort it" },
	{ "aborting command", "warning", "error handling aborts a timed-out "
	  "command" },
	{ "Device offlined - not ready after error recovery", "error",
	  "error recovery failed: the disk is offline and every I/O to it "
	  "fails until it is re-added" },
	{ "rejecting I/O to offline device", "error", "the disk was taken "
	  "offline by error handling; this I/O failed at once" },
	{ "Power-on or device reset occurred", "info", "UNIT ATTENTION after "
	  "a reset or at first contact: harmless at boot" },
	{ "device reset", "warning", "error handling resets the LUN (for "
	  "virtio-scsi QEMU drains the LUN's requests)" },
	{ "Capacity data has changed", "info", "the disk was resized on the "
	  "host (block_resize)" },
};

static bool m_eh(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	const char *p = sd_prefix(line, NULL);

	if (!p && !(p = strstr(line, "scsi host")))
		return false;
	for (size_t i = 0; i < sizeof(eh_lines) / sizeof(eh_lines[0]); i++) {
		if (!strstr(p, eh_lines[i].text))
			continue;
		ex_set(h, "scsi-eh", "guest-kernel", eh_lines[i].level);
		sd_prefix(line, h);
		ex_fstr(h, "event", eh_lines[i].text);
		ex_summary(h, "SCSI error handling: %s", eh_lines[i].meaning);
		ex_detail(h, "Lines from the SCSI midlayer's error handler "
			  "(scsi_error.c). Commands that time out are aborted, "
			  "then the LUN, target and host are reset; a device "
			  "that still fails is offlined. Under QEMU a stalled "
			  "host backend (an NFS image, a full thin pool under "
			  "werror=stop) is the usual reason.");
		return true;
	}
	return false;
}

const struct ex_pattern ex_scsi_patterns[] = {
	{ "scsi-result", "guest-kernel", m_result },
	{ "scsi-sense-key", "guest-kernel", m_sense_key },
	{ "scsi-add-sense", "guest-kernel", m_add_sense },
	{ "scsi-cdb", "guest-kernel", m_cdb },
	{ "scsi-eh", "guest-kernel", m_eh },
	{ NULL, NULL, NULL }
};
