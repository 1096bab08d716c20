// SPDX-License-Identifier: GPL-2.0
/*
 * Names for the numbers in event records.  The blk_status_t table follows
 * the kernel's blk_errors[] (block/blk-core.c); status codes are only ever
 * appended there, so one table serves every kernel from 6.1 on.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vblktrace/abi.h"
#include "decode/event.h"
#include "decode/names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const op_names[VBT_OP_MAX] = {
	[VBT_OP_READ] = "READ",
	[VBT_OP_WRITE] = "WRITE",
	[VBT_OP_FLUSH] = "FLUSH",
	[VBT_OP_DISCARD] = "DISCARD",
	[VBT_OP_SECURE_ERASE] = "SECURE_ERASE",
	[VBT_OP_WRITE_ZEROES] = "WRITE_ZEROES",
	[VBT_OP_ZONE_OPEN] = "ZONE_OPEN",
	[VBT_OP_ZONE_CLOSE] = "ZONE_CLOSE",
	[VBT_OP_ZONE_FINISH] = "ZONE_FINISH",
	[VBT_OP_ZONE_APPEND] = "ZONE_APPEND",
	[VBT_OP_ZONE_RESET] = "ZONE_RESET",
	[VBT_OP_ZONE_RESET_ALL] = "ZONE_RESET_ALL",
	[VBT_OP_DRV_IN] = "DRV_IN",
	[VBT_OP_DRV_OUT] = "DRV_OUT",
	[VBT_OP_UNKNOWN] = "UNKNOWN",
};

const char *vbt_op_name(int op)
{
	if (op < 0 || op >= VBT_OP_MAX || !op_names[op])
		return "UNKNOWN";
	return op_names[op];
}

int vbt_op_from_name(const char *name)
{
	for (int i = 0; i < VBT_OP_MAX; i++)
		if (op_names[i] && !strcasecmp(name, op_names[i]))
			return i;
	return -1;
}

/*
 * The kernel's blk_fill_rwbs(): first letter F for a preflush, then the op
 * (W, R, D, DE for secure erase, F for flush, N for others), then F for
 * FUA, A for readahead, S for sync, M for meta.  Write zeroes is "N".
 */
int vbt_op_from_rwbs(const char *rwbs, uint32_t *flags)
{
	const char *p = rwbs;
	int op = VBT_OP_UNKNOWN;
	uint32_t f = 0;

	if (p[0] == 'F' && p[1] && p[1] != 'F' && p[1] != 'A' &&
	    p[1] != 'S' && p[1] != 'M') {
		f |= VBT_RQ_PREFLUSH;
		p++;
	} else if (p[0] == 'F' && p[1] == 'F') {
		/* "FF": preflush of an empty flush request */
		f |= VBT_RQ_PREFLUSH;
		p++;
	}
	switch (*p) {
	case 'W':
		op = VBT_OP_WRITE;
		p++;
		break;
	case 'R':
		op = VBT_OP_READ;
		p++;
		break;
	case 'D':
		op = VBT_OP_DISCARD;
		p++;
		if (*p == 'E') {
			op = VBT_OP_SECURE_ERASE;
			p++;
		}
		break;
	case 'F':
		op = VBT_OP_FLUSH;
		p++;
		break;
	case 'N':
		p++;
		break;
	default:
		return -1;
	}
	for (; *p; p++) {
		switch (*p) {
		case 'F':
			f |= VBT_RQ_FUA;
			break;
		case 'A':
			f |= VBT_RQ_RAHEAD;
			break;
		case 'S':
			f |= VBT_RQ_SYNC;
			break;
		case 'M':
			f |= VBT_RQ_META;
			break;
		default:
			return -1;
		}
	}
	if (flags)
		*flags = f;
	return op;
}

static const char *const flag_names[] = {
	"SYNC", "META", "PRIO", "NOMERGE", "IDLE", "INTEGRITY", "FUA",
	"PREFLUSH", "RAHEAD", "BACKGROUND", "NOWAIT", "FAILFAST_DEV",
	"FAILFAST_TRANSPORT", "FAILFAST_DRIVER", "NOUNMAP", "PASSTHROUGH",
	"QUIET", "FLUSH_SEQ",
};

int vbt_rq_flag_names(uint32_t flags, const char **names, int max)
{
	int n = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(flag_names) && n < max; i++)
		if (flags & (1U << i))
			names[n++] = flag_names[i];
	return n;
}

static const struct {
	const char *name;
	int err;
} blk_status[] = {
	[0] = { "OK", 0 },
	[1] = { "NOTSUPP", EOPNOTSUPP },
	[2] = { "TIMEOUT", ETIMEDOUT },
	[3] = { "NOSPC", ENOSPC },
	[4] = { "TRANSPORT", ENOLINK },
	[5] = { "TARGET", EREMOTEIO },
	[6] = { "RESV_CONFLICT", EBADE },	/* NEXUS before 6.5 */
	[7] = { "MEDIUM", ENODATA },
	[8] = { "PROTECTION", EILSEQ },
	[9] = { "RESOURCE", ENOMEM },
	[10] = { "IOERR", EIO },
	[11] = { "DM_REQUEUE", EREMCHG },
	[12] = { "AGAIN", EAGAIN },
	[13] = { "DEV_RESOURCE", EBUSY },
	[14] = { "ZONE_RESOURCE", EIO },
	[15] = { "ZONE_OPEN_RESOURCE", ETOOMANYREFS },
	[16] = { "ZONE_ACTIVE_RESOURCE", EOVERFLOW },
	[17] = { "OFFLINE", ENODEV },
	[18] = { "DURATION_LIMIT", ETIME },
	[19] = { "INVAL", EINVAL },
};

const char *vbt_blk_status_name(int status)
{
	static __thread char buf[16];

	if (status >= 0 && status < (int)ARRAY_SIZE(blk_status))
		return blk_status[status].name;
	snprintf(buf, sizeof(buf), "STS_%d", status);
	return buf;
}

int vbt_blk_status_errno(int status)
{
	/* The kernel maps anything it does not know to -EIO. */
	if (status >= 0 && status < (int)ARRAY_SIZE(blk_status))
		return blk_status[status].err;
	return EIO;
}

const char *vbt_virtio_status_name(int vs)
{
	switch (vs) {
	case VBT_VIRTIO_OK:
		return "OK";
	case VBT_VIRTIO_IOERR:
		return "IOERR";
	case VBT_VIRTIO_UNSUPP:
		return "UNSUPP";
	case VBT_VIRTIO_NONE:
		return NULL;
	default:
		return "UNKNOWN";
	}
}

#define E(x) [x] = #x
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
	E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ENOSTR),
	E(ENODATA), E(ETIME), E(ENOSR), E(EREMOTE), E(ENOLINK), E(EPROTO),
	E(EBADMSG), E(EOVERFLOW), E(EILSEQ), E(EUSERS), E(ENOTSOCK),
	E(EOPNOTSUPP), E(ETIMEDOUT), E(ECONNREFUSED), E(EALREADY),
	E(EINPROGRESS), E(ESTALE), E(EDQUOT), E(ECANCELED), E(EREMOTEIO),
	E(EBADE), E(EREMCHG), E(ETOOMANYREFS), E(EMEDIUMTYPE), E(ENOMEDIUM),
	E(EKEYEXPIRED), E(EHWPOISON), E(ENOTCONN), E(ESHUTDOWN),
	E(ECONNRESET), E(EHOSTDOWN), E(EHOSTUNREACH),
};
#undef E

const char *vbt_errno_name(int err)
{
	static __thread char buf[16];

	err = vbt_errno_abs(err);
	if (err > 0 && err < (int)ARRAY_SIZE(errno_names) && errno_names[err])
		return errno_names[err];
	if (err == 0)
		return "OK";
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

int vbt_errno_abs(long long err)
{
	if (err == LLONG_MIN || err < -(long long)INT_MAX)
		return INT_MAX;
	if (err < 0)
		return (int)-err;
	return err > INT_MAX ? INT_MAX : (int)err;
}

int vbt_errno_from_name(const char *name)
{
	for (unsigned int i = 1; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i] && !strcmp(name, errno_names[i]))
			return i;
	return -1;
}

static const char *const sys_names[VBT_SYS_MAX] = {
	[VBT_SYS_UNKNOWN] = "unknown",
	[VBT_SYS_READ] = "read",
	[VBT_SYS_WRITE] = "write",
	[VBT_SYS_PREAD64] = "pread64",
	[VBT_SYS_PWRITE64] = "pwrite64",
	[VBT_SYS_READV] = "readv",
	[VBT_SYS_WRITEV] = "writev",
	[VBT_SYS_PREADV] = "preadv",
	[VBT_SYS_PWRITEV] = "pwritev",
	[VBT_SYS_PREADV2] = "preadv2",
	[VBT_SYS_PWRITEV2] = "pwritev2",
	[VBT_SYS_FSYNC] = "fsync",
	[VBT_SYS_FDATASYNC] = "fdatasync",
	[VBT_SYS_SYNC_FILE_RANGE] = "sync_file_range",
	[VBT_SYS_FALLOCATE] = "fallocate",
	[VBT_SYS_IOCTL] = "ioctl",
	[VBT_SYS_COPY_FILE_RANGE] = "copy_file_range",
	[VBT_SYS_IO_SUBMIT] = "io_submit",
	[VBT_SYS_IO_URING_ENTER] = "io_uring_enter",
};

const char *vbt_sys_name(int sys)
{
	if (sys <= 0 || sys >= VBT_SYS_MAX)
		return "unknown";
	return sys_names[sys];
}

const char *vbt_kind_name(int kind)
{
	switch (kind) {
	case VBT_KIND_BLOCK:
		return "block";
	case VBT_KIND_SYSCALL:
		return "syscall";
	case VBT_KIND_IO_URING:
		return "io_uring";
	case VBT_KIND_AIO:
		return "aio";
	case VBT_KIND_LOST:
		return "lost";
	case VBT_KIND_SCSI:
		return "scsi";
	case VBT_KIND_BIO:
		return "bio";
	case VBT_KIND_STUCK:
		return "stuck";
	case VBT_KIND_VM_STATE:
		return "vm_state";
	case VBT_KIND_BACKEND_REMOVED:
		return "backend_removed";
	default:
		return "unknown";
	}
}

const char *vbt_async_op_name(int kind, int opcode)
{
	static const char *const uring[] = {
		[1] = "READV", [2] = "WRITEV", [3] = "FSYNC", [4] = "READ_FIXED",
		[5] = "WRITE_FIXED", [8] = "SYNC_FILE_RANGE", [17] = "FALLOCATE",
		[22] = "READ", [23] = "WRITE",
	};
	static const char *const iocb[] = {
		[0] = "PREAD", [1] = "PWRITE", [2] = "FSYNC", [3] = "FDSYNC",
		[5] = "POLL", [6] = "NOOP", [7] = "PREADV", [8] = "PWRITEV",
	};

	if (kind == VBT_KIND_IO_URING && opcode >= 0 &&
	    opcode < (int)ARRAY_SIZE(uring) && uring[opcode])
		return uring[opcode];
	if (kind == VBT_KIND_AIO && opcode >= 0 &&
	    opcode < (int)ARRAY_SIZE(iocb) && iocb[opcode])
		return iocb[opcode];
	return "OP?";
}
