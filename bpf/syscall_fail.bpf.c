// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Syscalls that do file or block I/O and fail: the place where a block
 * error becomes the process's problem (mkfs.xfs's pwrite64 = -EIO) and,
 * on a hypervisor, where QEMU's thread pool learns the host's real errno.
 *
 * Only the exit of each syscall is traced: its arguments are still in the
 * task's saved user registers, so a successful call costs one compare and
 * nothing is stored per call (see sys_exit() at the end).  Only files and block devices are reported
 * (a socket's EAGAIN is not an I/O error).
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "maps.bpf.h"
#include "watch.bpf.h"
#include "syscall_nr.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define S_IFMT 00170000
#define S_IFREG 0100000
#define S_IFBLK 0060000

#define BLKDISCARD 0x1277
#define BLKSECDISCARD 0x127d
#define BLKZEROOUT 0x127f
#define MAX_IOV 16

static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *f = NULL;

	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline __u32 new_encode_dev(dev_t dev)
{
	/* kernel dev_t is already major << 20 | minor */
	return dev;
}

static __always_inline __u64 iov_len(const struct iovec *iov, long vlen)
{
	__u64 sum = 0;

	for (int i = 0; i < MAX_IOV; i++) {
		struct iovec v;

		if (i >= vlen)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		sum += v.iov_len;
	}
	return sum;
}

static __always_inline int on_exit(long ret, enum vbt_sys sys)
{
	struct task_struct *task;
	struct pt_regs *regs;
	struct vbt_syscall *e;
	struct file *file;
	__u64 id, a1, a2, a3, a4;
	__u32 tgid;
	umode_t mode;
	int fd;

	id = bpf_get_current_pid_tgid();
	tgid = id >> 32;
	if (!vbt_watched(tgid))
		return 0;

	task = bpf_get_current_task_btf();
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
	a1 = PT_REGS_PARM2_CORE_SYSCALL(regs);
	a2 = PT_REGS_PARM3_CORE_SYSCALL(regs);
	a3 = PT_REGS_PARM4_CORE_SYSCALL(regs);
	a4 = PT_REGS_PARM5_CORE_SYSCALL(regs);
	if (sys == VBT_SYS_COPY_FILE_RANGE)
		fd = a2; /* the writing side */
	if (sys == VBT_SYS_IO_SUBMIT) {
		/* io_submit(ctx, nr, iocbpp): name the first iocb's file */
		struct iocb *uiocb = NULL, cb = {};

		bpf_probe_read_user(&uiocb, sizeof(uiocb), (void *)a2);
		if (bpf_probe_read_user(&cb, sizeof(cb), uiocb))
			return 0;
		fd = cb.aio_fildes;
		a1 = cb.aio_lio_opcode;
		a2 = cb.aio_nbytes;
		a3 = cb.aio_offset;
	}

	file = fd_file(task, fd);
	if (!file)
		return 0;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFREG && (mode & S_IFMT) != S_IFBLK)
		return 0;
	if (sys == VBT_SYS_IOCTL && a1 != BLKDISCARD && a1 != BLKSECDISCARD &&
	    a1 != BLKZEROOUT)
		return 0;

	e = vbt_reserve(sizeof(*e));
	if (!e)
		return 0;
	vbt_fill_hdr(&e->hdr, VBT_KIND_SYSCALL, sizeof(*e), bpf_ktime_get_ns());
	e->hdr.err = ret;
	e->ret = ret;
	e->fd = fd;
	e->sys = sys;
	e->enter_ns = 0;
	e->arg = 0;
	e->offset = ~0ULL;
	e->len = 0;
	if ((mode & S_IFMT) == S_IFBLK) {
		e->ftype = VBT_FTYPE_BLK;
		e->bdev = new_encode_dev(BPF_CORE_READ(file, f_inode, i_rdev));
	} else {
		e->ftype = VBT_FTYPE_REG;
		e->bdev = new_encode_dev(
			BPF_CORE_READ(file, f_inode, i_sb, s_dev));
	}
	e->pad = 0;
	e->ino = BPF_CORE_READ(file, f_inode, i_ino);

	switch (sys) {
	case VBT_SYS_READ:
	case VBT_SYS_WRITE:
		e->len = a2;
		e->offset = BPF_CORE_READ(file, f_pos);
		break;
	case VBT_SYS_PREAD64:
	case VBT_SYS_PWRITE64:
		e->len = a2;
		e->offset = a3;
		break;
	case VBT_SYS_READV:
	case VBT_SYS_WRITEV:
		e->len = iov_len((const struct iovec *)a1, a2);
		e->offset = BPF_CORE_READ(file, f_pos);
		break;
	case VBT_SYS_PREADV:
	case VBT_SYS_PWRITEV:
	case VBT_SYS_PREADV2:
	case VBT_SYS_PWRITEV2:
		e->len = iov_len((const struct iovec *)a1, a2);
		e->offset = a3; /* pos_l: the whole offset on 64-bit */
		break;
	case VBT_SYS_SYNC_FILE_RANGE:
		e->offset = a1;
		e->len = a2;
		e->arg = a3;
		break;
	case VBT_SYS_FALLOCATE:
		e->arg = a1; /* mode */
		e->offset = a2;
		e->len = a3;
		break;
	case VBT_SYS_IOCTL: {
		__u64 range[2] = {};

		e->arg = a1;
		bpf_probe_read_user(range, sizeof(range), (void *)a2);
		e->offset = range[0];
		e->len = range[1];
		break;
	}
	case VBT_SYS_COPY_FILE_RANGE:
		e->len = a4;
		break;
	case VBT_SYS_IO_SUBMIT:
		e->arg = a1; /* IOCB_CMD_* of the first iocb */
		e->len = a2;
		e->offset = a3;
		break;
	default:
		break;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * The syscall this exit ends, by its number on this architecture
 * (syscall_nr.h comes from the target's <asm/unistd.h>), or -1.
 */
static __always_inline int vbt_sys_of(long nr)
{
	switch (nr) {
	case VBT_NR_read:
		return VBT_SYS_READ;
	case VBT_NR_write:
		return VBT_SYS_WRITE;
	case VBT_NR_pread64:
		return VBT_SYS_PREAD64;
	case VBT_NR_pwrite64:
		return VBT_SYS_PWRITE64;
	case VBT_NR_readv:
		return VBT_SYS_READV;
	case VBT_NR_writev:
		return VBT_SYS_WRITEV;
	case VBT_NR_preadv:
		return VBT_SYS_PREADV;
	case VBT_NR_pwritev:
		return VBT_SYS_PWRITEV;
	case VBT_NR_preadv2:
		return VBT_SYS_PREADV2;
	case VBT_NR_pwritev2:
		return VBT_SYS_PWRITEV2;
	case VBT_NR_fsync:
		return VBT_SYS_FSYNC;
	case VBT_NR_fdatasync:
		return VBT_SYS_FDATASYNC;
	case VBT_NR_sync_file_range:
		return VBT_SYS_SYNC_FILE_RANGE;
	case VBT_NR_fallocate:
		return VBT_SYS_FALLOCATE;
	case VBT_NR_ioctl:
		return VBT_SYS_IOCTL;
	case VBT_NR_copy_file_range:
		return VBT_SYS_COPY_FILE_RANGE;
	case VBT_NR_io_submit:
		return VBT_SYS_IO_SUBMIT;
	default:
		return -1;
	}
}

/*
 * A 32-bit task's syscalls have numbers of another table: the kernel's
 * own syscall events skip them too.
 */
static __always_inline bool vbt_compat_task(struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
	/* TS_COMPAT */
	return BPF_CORE_READ(task, thread_info.status) & 0x0002;
#elif defined(__TARGET_ARCH_arm64)
	/* TIF_32BIT */
	return BPF_CORE_READ(task, thread_info.flags) & (1UL << 22);
#else
	return false;
#endif
}

static __always_inline long vbt_syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(regs, syscallno);
#else
	return -1;
#endif
}

/*
 * One program at the raw sys_exit tracepoint rather than one per syscall
 * event: a syscall event's detach waits for an RCU grace period under the
 * kernel's event_mutex, so seventeen of them made every stop take 1.5 s,
 * and each event built a perf record for every successful read and write
 * on the machine before calling the program.  Here a success costs the
 * first compare.
 */
SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	int sys;

	if (ret >= 0 || ret == -11 /* EAGAIN */ || ret == -4 /* EINTR */)
		return 0;
	sys = vbt_sys_of(vbt_syscall_nr(regs));
	if (sys < 0 || vbt_compat_task(bpf_get_current_task_btf()))
		return 0;
	return on_exit(ret, sys);
}
