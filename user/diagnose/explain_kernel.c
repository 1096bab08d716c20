// SPDX-License-Identifier: GPL-2.0
/*
 * explain: guest kernel lines (block layer, buffer cache, XFS, ext4,
 * virtio_blk) and mkfs.xfs.  The block layer line is
 * block/blk-mq.c blk_print_req_error() since 5.3:
 *   "%s error, dev %s, sector %llu op 0x%x:(%s) flags 0x%x phys_seg %u
 *    prio class %u"
 * with a "blk_update_request: " prefix before 5.16, and without op/flags
 * ("print_req_error: I/O error, dev vda, sector N") before 5.3.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/names.h"
#include "diagnose/explain.h"

/* ---- request flags: bits 8..21 are the same from 4.10 to 6.12 ---- */

static const char *const flags_common[] = {
	"FAILFAST_DEV", "FAILFAST_TRANSPORT", "FAILFAST_DRIVER", "SYNC",
	"META", "PRIO", "NOMERGE", "IDLE", "INTEGRITY", "FUA", "PREFLUSH",
	"RAHEAD", "BACKGROUND", "NOWAIT",
};

/* From bit 22 on, per kernel (include/linux/blk_types.h; 6.1 and 6.12
 * read from Debian's headers, 5.x from 5.10). */
static const struct {
	const char *name;
	int maj, min;		/* first kernel with this layout */
	const char *bits[8];
} layouts[] = {
	{ "5.x", 5, 0, { "CGROUP_PUNT", "NOUNMAP", "HIPRI", "DRV", "SWAP" } },
	{ "6.1", 6, 0, { "CGROUP_PUNT", "POLLED", "ALLOC_CACHE", "SWAP", "DRV",
			 "NOUNMAP" } },
	{ "6.12", 6, 10, { "POLLED", "ALLOC_CACHE", "SWAP", "DRV",
			   "FS_PRIVATE", "ATOMIC", "NOUNMAP" } },
};

json_object *ex_req_flags(unsigned int flags, int maj, int min,
			  const char **layout)
{
	json_object *a = json_object_new_array();
	size_t l = sizeof(layouts) / sizeof(layouts[0]) - 1;	/* newest */

	if (maj) {
		for (l = 0; l + 1 < sizeof(layouts) / sizeof(layouts[0]); l++)
			if (maj < layouts[l + 1].maj ||
			    (maj == layouts[l + 1].maj &&
			     min < layouts[l + 1].min))
				break;
	}
	*layout = layouts[l].name;
	for (int b = 8; b < 32; b++) {
		const char *n = NULL;
		char buf[16];

		if (!(flags & (1U << b)))
			continue;
		if (b - 8 < (int)(sizeof(flags_common) / sizeof(flags_common[0])))
			n = flags_common[b - 8];
		else if (b - 22 < 8)
			n = layouts[l].bits[b - 22];
		if (!n) {
			snprintf(buf, sizeof(buf), "BIT%d", b);
			n = buf;
		}
		json_object_array_add(a, json_object_new_string(n));
	}
	return a;
}

static bool has_flag(json_object *a, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (!strcmp(json_object_get_string(
				json_object_array_get_idx(a, i)), name))
			return true;
	return false;
}

/* ---- "<status> error, dev X, sector N ..." ---- */

static const struct {
	const char *text;	/* blk_errors[].name */
	int status;		/* BLK_STS_* value for vbt_blk_status_name */
	const char *meaning;
} statuses[] = {
	{ "I/O", 10, "the device completed the request with a plain I/O "
	  "error" },
	{ "critical space allocation", 3, "the device ran out of space "
	  "(loop device over a full filesystem, dm-thin pool exhausted); "
	  "virtio-blk never reports this status, a host ENOSPC reaches a "
	  "virtio guest as a plain I/O error" },
	{ "critical medium", 7, "the medium reported an unrecoverable read or "
	  "write (bad sector)" },
	{ "timeout", 2, "the request did not complete in time and the driver "
	  "gave up (virtio-blk has no timeout by default; SCSI/NVMe do)" },
	{ "operation not supported", 1, "the device refused the operation "
	  "(virtio status VIRTIO_BLK_S_UNSUPP): typically DISCARD or "
	  "WRITE_ZEROES the backend cannot do" },
	{ "recoverable transport", 4, "the transport (FC, iSCSI, multipath "
	  "path) failed; another path may succeed" },
	{ "critical target", 5, "the storage target reported a failure" },
	{ "critical nexus", 6, "reservation/nexus failure (renamed "
	  "\"reservation conflict\" in 6.5)" },
	{ "reservation conflict", 6, "another initiator holds a SCSI "
	  "persistent reservation" },
	{ "protection", 8, "T10 PI / integrity check failed" },
	{ "kernel resource", 9, "the kernel ran out of memory for the "
	  "request" },
	{ "device resource", 13, "the device was busy" },
	{ "nonblocking retry", 12, "a RWF_NOWAIT request would have blocked" },
	{ "device offline", 17, "the device is offline" },
	{ "invalid", 19, "the request was invalid for the device" },
	{ "dm internal retry", 11, "device-mapper requeue (should not leak)" },
	{ "open zones exceeded", 15, "zoned device: too many open zones" },
	{ "active zones exceeded", 16, "zoned device: too many active zones" },
	{ "duration limit exceeded", 18, "command duration limit exceeded" },
};

/* The text between the last ": " or "] " before @end and @end. */
static void status_text(const char *line, const char *end, char *buf,
			size_t len)
{
	const char *s = line;

	for (const char *p = line; p + 1 < end; p++)
		if ((p[0] == ':' || p[0] == ']') && p[1] == ' ')
			s = p + 2;
	snprintf(buf, len, "%.*s", (int)(end - s), s);
}

static void blk_detail(struct ex_hit *h, const char *dev, const char *op,
		       json_object *flags, int si, unsigned long long sector)
{
	bool vd = !strncmp(dev, "vd", 2), sd = !strncmp(dev, "sd", 2);

	ex_detail(h, "The block layer failed a %s request on %s at sector %llu "
		  "(byte %llu): %s. ", op ? op : "", dev, sector, sector * 512,
		  si >= 0 ? statuses[si].meaning : "unknown status");
	if (vd)
		ex_detail(h, "%s is a virtio-blk disk: the failure came back "
			  "from QEMU%s, so the cause is on the host (the image's "
			  "filesystem or device, QEMU's aio path, or an injected "
			  "fault); QEMU reported it because the drive's "
			  "werror/rerror policy is 'report'. ", dev,
			  si == 0 ? " as VIRTIO_BLK_S_IOERR" : "");
	if (sd)
		ex_detail(h, "%s is a SCSI disk: the SCSI status and sense of "
			  "the failed command are in the \"sd H:C:T:L: [%s] "
			  "... Sense Key\" and \"Add. Sense\" lines just before "
			  "this one; under virtio-scsi they are what QEMU's "
			  "scsi-hd made of the host's errno (Medium Error / "
			  "Unrecovered read error: ENODATA, Data Protect / "
			  "Space allocation failed: ENOSPC, Aborted Command / "
			  "I/O process terminated: EIO, retried by the "
			  "guest). ", dev, dev);
	if (flags && has_flag(flags, "RAHEAD"))
		ex_detail(h, "It was readahead: the kernel retries the read "
			  "synchronously, so an application may not see it. ");
	if (flags && (has_flag(flags, "FUA") || has_flag(flags, "PREFLUSH")))
		ex_detail(h, "FUA/PREFLUSH: a journal commit or a flush; the "
			  "filesystem will likely shut down or go read-only. ");
	if (flags && has_flag(flags, "SYNC") && has_flag(flags, "IDLE") &&
	    op && !strcmp(op, "WRITE"))
		ex_detail(h, "SYNC|IDLE is the mark of an O_DIRECT write (mkfs, "
			  "databases, dd oflag=direct). ");
	if (flags && has_flag(flags, "META"))
		ex_detail(h, "META: filesystem metadata. ");
	ex_detail(h, "The sector counts 512-byte units from the start of the "
		  "whole disk (a partition's start is included). Next: "
		  "`vblktrace live -d %s` in the guest shows the failing "
		  "request with the process and syscall, `vblktrace host` on "
		  "the hypervisor the host-side errno.", dev);
}

static bool m_blk_error(const char *line, struct ex_ctx *ctx,
			struct ex_hit *h)
{
	const char *p = strstr(line, " error, dev ");
	char st[80], dev[32], op[32];
	unsigned long long sector;
	unsigned int opc, flags, seg, prio;
	int si = -1, n;
	const char *q;

	if (!p || sscanf(p + 12, "%31[^, ], sector %llu", dev, &sector) != 2)
		return false;
	status_text(line, p, st, sizeof(st));
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (!strcmp(st, statuses[i].text))
			si = i;
	ex_set(h, "blk-error", "guest-kernel", si == 4 ? "warning" : "error");
	ex_fstr(h, "dev", dev);
	ex_fint(h, "sector", sector);
	ex_fint(h, "offset", sector * 512);
	ex_fstr(h, "status", si >= 0 ? vbt_blk_status_name(statuses[si].status)
		: st);
	if (si >= 0)
		ex_fstr(h, "errno", vbt_errno_name(
				vbt_blk_status_errno(statuses[si].status)));
	ex_fstr(h, "status_text", st);
	q = strstr(p, " op 0x");
	n = q ? sscanf(q, " op 0x%x:(%31[^)]) flags 0x%x phys_seg %u prio "
		       "class %u", &opc, op, &flags, &seg, &prio) : 0;
	if (n >= 2) {
		ex_fstr(h, "op", op);
		ex_fint(h, "op_code", opc);
	}
	if (n >= 3) {
		const char *layout;
		json_object *names = ex_req_flags(flags, ctx->kmajor,
						  ctx->kminor, &layout);
		char hex[16];

		snprintf(hex, sizeof(hex), "0x%x", flags);
		ex_fstr(h, "flags_raw", hex);
		json_object_object_add(h->fields, "flags", names);
		ex_fstr(h, "flags_layout", layout);
	}
	if (n >= 4)
		ex_fint(h, "phys_seg", seg);
	if (n >= 5) {
		static const char *const cls[] = { "NONE", "RT", "BE", "IDLE" };

		ex_fstr(h, "prio_class", prio < 4 ? cls[prio] : "?");
	}
	ex_fbool(h, "old_format", strstr(line, "blk_update_request:") ||
		 strstr(line, "print_req_error:") || strstr(line, "end_request:"));
	ex_summary(h, "%s error on %s: %s at sector %llu (byte offset %llu)",
		   si >= 0 ? vbt_blk_status_name(statuses[si].status) : st, dev,
		   n >= 2 ? op : "request", sector, sector * 512);
	blk_detail(h, dev, n >= 2 ? op : NULL, json_object_object_get(
			   h->fields, "flags"), si, sector);
	return true;
}

static bool m_buffer_io(const char *line, struct ex_ctx *ctx,
			struct ex_hit *h)
{
	const char *p = strstr(line, "Buffer I/O error on dev ");
	char dev[32], what[64] = "";
	unsigned long long blk;

	if (!p || sscanf(p + 24, "%31[^,], logical block %llu, %63[^\n]", dev,
			 &blk, what) < 2)
		return false;
	ex_set(h, "buffer-io-error", "guest-kernel", "error");
	ex_fstr(h, "dev", dev);
	ex_fint(h, "logical_block", blk);
	ex_fstr(h, "what", what);
	ex_summary(h, "buffer cache %s failed on %s, block %llu", strstr(what,
		   "read") ? "read" : "write", dev, blk);
	ex_detail(h, "A page-cache buffer of %s could not be %s. %s"
		  "The block number counts in the device's current soft block "
		  "size (often 4096 for a mounted filesystem, 512 or 1024 for "
		  "raw access), relative to %s; the matching \"I/O error, dev "
		  "..., sector N\" line just before it has the absolute sector.",
		  dev, strstr(what, "read") ? "read" : "written back",
		  strstr(what, "lost") ? "\"lost ... page write\": the data "
		  "of that write is gone, the application was (or will not "
		  "be) told; fsync() returns EIO once. " : "", dev);
	return true;
}

static bool m_xfs(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	const char *p = strstr(line, "XFS (");
	char dev[32], fn[128];
	unsigned long long daddr;
	int len, err;
	const char *q;

	if (!p || sscanf(p + 5, "%31[^)]", dev) != 1)
		return false;
	ex_set(h, "xfs", "guest-kernel", "warning");
	ex_fstr(h, "dev", dev);
	q = strstr(p, "metadata I/O error in \"");
	if (q && sscanf(q + 23, "%127[^\"]\" at daddr 0x%llx len %d error %d",
			fn, &daddr, &len, &err) == 4) {
		h->level = "error";
		ex_fstr(h, "function", fn);
		ex_fint(h, "daddr", daddr);
		ex_fint(h, "offset", daddr * 512);
		ex_fint(h, "len_sectors", len);
		ex_fstr(h, "errno", vbt_errno_name(err));
		ex_summary(h, "XFS metadata I/O error on %s at daddr 0x%llx "
			   "(byte %llu), %d sectors, %s", dev, daddr,
			   daddr * 512, len, vbt_errno_name(err));
		ex_detail(h, "XFS could not read or write metadata. daddr is in "
			  "512-byte sectors from the start of %s. Repeated "
			  "write errors of metadata shut the filesystem down.",
			  dev);
		return true;
	}
	q = strstr(p, "log I/O error");
	if (q && sscanf(q + 13, " %d", &err) == 1) {
		h->level = "error";
		ex_fstr(h, "errno", vbt_errno_name(err));
		ex_summary(h, "XFS log write failed on %s (%s)", dev,
			   vbt_errno_name(err));
		ex_detail(h, "A write to the XFS journal failed; XFS shuts the "
			  "filesystem down to protect it. Find the block-layer "
			  "error just before this line.");
		return true;
	}
	if (strstr(p, "shut down") || strstr(p, "Shutting down") ||
	    strstr(p, "force_shutdown")) {
		h->level = "error";
		ex_summary(h, "XFS on %s shut down", dev);
		ex_detail(h, "After an unrecoverable I/O or corruption error XFS "
			  "refuses all further I/O (EIO to every application). "
			  "Unmount, fix the storage, run xfs_repair.");
		return true;
	}
	q = strchr(p, ')');
	ex_summary(h, "XFS message for %s:%s", dev, q ? q + 1 : "");
	ex_detail(h, "An XFS message; look for the block-layer \"I/O error, "
		  "dev ...\" line before it for the failing sector.");
	return true;
}

static bool m_ext4(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	const char *p = strstr(line, "EXT4-fs");
	const char *q;
	char dev[32] = "";
	unsigned int sts;
	unsigned long long ino, blk;

	if (!p)
		p = strstr(line, "Aborting journal on device ");
	if (!p)
		p = strstr(line, "JBD2: ");
	if (!p)
		return false;
	ex_set(h, "ext4", "guest-kernel", strstr(p, "error") ? "error" :
	       "warning");
	if (ex_after(p, "(device ", ")", dev, sizeof(dev)) ||
	    ex_after(p, "EXT4-fs (", ")", dev, sizeof(dev)) ||
	    ex_after(p, "on device ", ". \n", dev, sizeof(dev)))
		ex_fstr(h, "dev", dev);
	q = strstr(p, "I/O error ");
	if (q && sscanf(q, "I/O error %u writing to inode %llu starting block "
			"%llu", &sts, &ino, &blk) == 3) {
		h->level = "error";
		ex_fstr(h, "status", vbt_blk_status_name(sts));
		ex_fstr(h, "errno", vbt_errno_name(vbt_blk_status_errno(sts)));
		ex_fint(h, "inode", ino);
		ex_fint(h, "block", blk);
		ex_summary(h, "ext4 writeback of inode %llu failed on %s: "
			   "block %llu, status %s", ino, dev, blk,
			   vbt_blk_status_name(sts));
		ex_detail(h, "ext4_end_bio prints the raw blk_status_t (%u = "
			  "BLK_STS_%s). The block is in filesystem blocks "
			  "(usually 4096 bytes) from the start of %s. The data "
			  "of that write is lost; fsync() reports EIO.", sts,
			  vbt_blk_status_name(sts), dev);
		return true;
	}
	if (strstr(p, "Remounting filesystem read-only") ||
	    strstr(p, "Aborting journal")) {
		h->level = "error";
		ex_summary(h, "ext4 on %s: %s", dev, strstr(p, "Aborting") ?
			   "journal aborted" : "remounted read-only");
		ex_detail(h, "After an I/O error on metadata or the journal "
			  "ext4 (errors=remount-ro) stops writing: applications "
			  "get EROFS. Fix the storage, unmount, e2fsck.");
		return true;
	}
	ex_summary(h, "ext4/jbd2 message%s%s", dev[0] ? " for " : "", dev);
	ex_detail(h, "An ext4 message; look for the block-layer \"I/O error, "
		  "dev ...\" line before it for the failing sector.");
	return true;
}

static bool m_virtio_blk(const char *line, struct ex_ctx *ctx,
			 struct ex_hit *h)
{
	const char *p = strstr(line, "virtio_blk virtio");
	char dev[32], human[64];
	unsigned long long n;
	unsigned int bs, q1, q2, q3;
	const char *b;

	if (!p)
		return false;
	ex_set(h, "virtio-blk", "guest-kernel", "info");
	b = strchr(p, '[');
	if (b && sscanf(b, "[%31[^]]] %llu %u-byte logical blocks (%63[^)])",
			dev, &n, &bs, human) == 4) {
		ex_fstr(h, "dev", dev);
		ex_fint(h, "blocks", n);
		ex_fint(h, "logical_block_size", bs);
		ex_fint(h, "bytes", n * bs);
		ex_summary(h, "%s: %llu bytes in %u-byte logical blocks", dev,
			   n * bs, bs);
		ex_detail(h, "virtio_blk found the disk; capacity comes from "
			  "QEMU's virtio config (%llu sectors of 512 bytes).",
			  n * bs / 512);
		return true;
	}
	if (b && sscanf(b, "[%31[^]]] %u-byte physical blocks", dev, &bs) == 2) {
		ex_fstr(h, "dev", dev);
		ex_fint(h, "physical_block_size", bs);
		ex_summary(h, "%s: %u-byte physical blocks", dev, bs);
		return true;
	}
	b = strchr(p + 17, ':');
	if (b && sscanf(b, ": %u/%u/%u default/read/poll queues", &q1, &q2,
			&q3) == 3) {
		ex_fint(h, "queues", q1);
		ex_summary(h, "virtio-blk with %u request queue%s", q1,
			   q1 == 1 ? "" : "s");
		ex_detail(h, "The number of virtqueues QEMU offered (num-queues) "
			  "and the guest used.");
		return true;
	}
	ex_summary(h, "virtio_blk message");
	return true;
}

static bool m_kernel_version(const char *line, struct ex_ctx *ctx,
			     struct ex_hit *h)
{
	const char *p = strstr(line, "Linux version ");
	int maj, min;

	if (!p || sscanf(p + 14, "%d.%d", &maj, &min) != 2)
		return false;
	if (!ctx->kernel_forced) {
		ctx->kmajor = maj;
		ctx->kminor = min;
	}
	ex_set(h, "kernel-version", "guest-kernel", "info");
	ex_fint(h, "major", maj);
	ex_fint(h, "minor", min);
	ex_summary(h, "guest kernel %d.%d: request flags decoded with its "
		   "layout", maj, min);
	return true;
}

/* ---- mkfs.xfs ---- */

static const struct {
	const char *name;
	const char *what;
} xfs_bufs[] = {
	{ "xfs_sb", "the superblock (AG 0's is the primary at bno 0; each "
	  "AG starts with a secondary copy)" },
	{ "xfs_agf", "an allocation group's free-space header (AG start + 1 "
	  "sector)" },
	{ "xfs_agi", "an allocation group's inode header (AG start + 2 "
	  "sectors)" },
	{ "xfs_agfl", "an allocation group's free list (AG start + 3 "
	  "sectors)" },
	{ "xfs_bnobt", "a free-space B+tree block (by block number)" },
	{ "xfs_cntbt", "a free-space B+tree block (by size)" },
	{ "xfs_allocbt", "a free-space B+tree block" },
	{ "xfs_inobt", "an inode B+tree block" },
	{ "xfs_finobt", "a free-inode B+tree block" },
	{ "xfs_rmapbt", "a reverse-mapping B+tree block" },
	{ "xfs_refcountbt", "a reference-count B+tree block" },
	{ "xfs_inode", "an inode cluster (the root directory's inodes)" },
};

static bool m_xfs_bwrite(const char *line, struct ex_ctx *ctx,
			 struct ex_hit *h)
{
	const char *p = strstr(line, "write failed on ");
	char name[64];
	unsigned long long bno, len = 0;
	int err = 0, n;
	const char *what = NULL;

	if (!p || !strstr(p, " bno 0x"))
		return false;
	n = sscanf(p + 16, "%63s bno 0x%llx/0x%llx, err=%d", name, &bno, &len,
		   &err);
	if (n < 2)
		return false;
	for (size_t i = 0; i < sizeof(xfs_bufs) / sizeof(xfs_bufs[0]); i++)
		if (!strcmp(name, xfs_bufs[i].name))
			what = xfs_bufs[i].what;
	ex_set(h, "xfs-bwrite", "mkfs.xfs", "error");
	ex_fstr(h, "buffer", name);
	ex_fint(h, "bno", bno);
	ex_fint(h, "offset", bno * 512);
	if (n >= 3) {
		ex_fint(h, "len_sectors", len);
		ex_fint(h, "bytes", len * 512);
	}
	if (n >= 4)
		ex_fstr(h, "errno", vbt_errno_name(err));
	ex_summary(h, "mkfs.xfs could not write %s: %llu bytes at byte offset "
		   "%llu (sector %llu)%s%s", name, len * 512, bno * 512, bno,
		   n >= 4 ? ", " : "", n >= 4 ? vbt_errno_name(err) : "");
	ex_detail(h, "bno is the buffer's disk address in 512-byte sectors "
		  "from the start of the device mkfs.xfs was given, /0x%llx "
		  "its length in sectors (%llu bytes). ", len, len * 512);
	if (what)
		ex_detail(h, "The buffer is %s. ", what);
	else if (!strcmp(name, "(unknown)"))
		ex_detail(h, "\"(unknown)\" is a buffer without a verifier: "
			  "mkfs's zeroing writes%s. ", len == 0x100 ?
			  " - 0x100 sectors = 128 KiB is what mkfs.xfs zeroes "
			  "at the start of the device and at its very end (to "
			  "wipe old signatures and the backup GPT); if bno + "
			  "0x100 equals the device size in sectors, this is the "
			  "tail" : " or the log");
	ex_detail(h, "If the device is a partition, add its start sector "
		  "(/sys/class/block/vda2/start) to compare with the kernel's "
		  "\"I/O error, dev vda, sector N\". mkfs.xfs writes with "
		  "O_DIRECT, so `vblktrace live` in the guest shows the failing "
		  "pwrite64 with offset %llu and the block request behind it.",
		  bno * 512);
	return true;
}

static bool m_mkfs(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	const char *p;
	int e;

	p = strstr(line, "pwrite failed: ");
	if (!p)
		p = strstr(line, "pwrite64 failed: ");
	if (!p)
		p = strstr(line, "read failed: ");
	if (p) {
		bool rd = *p == 'r';

		e = ex_errno_from_text(strchr(p, ':') + 2);
		ex_set(h, "mkfs-io", "mkfs.xfs", "error");
		ex_fstr(h, "syscall", rd ? "pread" : "pwrite");
		if (e)
			ex_fstr(h, "errno", vbt_errno_name(e));
		ex_summary(h, "a %s by mkfs failed with %s", rd ? "read" : "write",
			   e ? vbt_errno_name(e) : strchr(p, ':') + 2);
		ex_detail(h, "The syscall itself failed; the next "
			  "\"libxfs_bwrite: write failed on ... bno\" line says "
			  "where. %s", e == EIO ? "EIO from a virtio disk means "
			  "QEMU completed the request with an error: look on "
			  "the host (`vblktrace host`), and for cache=none + "
			  "io=native try io=threads." : "");
		return true;
	}
	if (strstr(line, "Releasing dirty buffer to free list!") ||
	    strstr(line, "found dirty buffer (bulk) on free list!")) {
		ex_set(h, "mkfs-dirty-buffer", "mkfs.xfs", "warning");
		ex_summary(h, "mkfs.xfs dropped a buffer it could not write");
		ex_detail(h, "A consequence of the write error before it, not a "
			  "separate problem.");
		return true;
	}
	if (strstr(line, "Lost a write to the data device")) {
		ex_set(h, "mkfs-failed", "mkfs.xfs", "error");
		ex_summary(h, "mkfs.xfs finished with a lost write");
		ex_detail(h, "A write failed earlier, so the new filesystem is "
			  "incomplete: mkfs exits with status 1. Do not use it.");
		return true;
	}
	if (strstr(line, "data size check failed") ||
	    strstr(line, "filesystem failed to initialize")) {
		ex_set(h, "mkfs-failed", "mkfs.xfs", "error");
		ex_summary(h, "mkfs.xfs gave up");
		ex_detail(h, "mkfs.xfs reads the last sector back to check the "
			  "device size; with I/O errors it cannot, and no "
			  "filesystem was made.");
		return true;
	}
	return false;
}

const struct ex_pattern ex_kernel_patterns[] = {
	{ "blk-error", "guest-kernel", m_blk_error },
	{ "buffer-io-error", "guest-kernel", m_buffer_io },
	{ "xfs-bwrite", "mkfs.xfs", m_xfs_bwrite },
	{ "mkfs", "mkfs.xfs", m_mkfs },
	{ "xfs", "guest-kernel", m_xfs },
	{ "ext4", "guest-kernel", m_ext4 },
	{ "virtio-blk", "guest-kernel", m_virtio_blk },
	{ "kernel-version", "guest-kernel", m_kernel_version },
	{ NULL, NULL, NULL }
};
