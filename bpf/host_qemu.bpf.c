// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * QEMU's asynchronous I/O paths on a hypervisor: failed io_uring
 * completions (aio=io_uring) and failed Linux AIO completions
 * (aio=native).  The thread pool (aio=threads) is syscall_fail.bpf.c.
 *
 * Completions carry only a result, so what was asked (fd, offset, length,
 * opcode) is remembered at submission, for the watched processes only:
 *   io_uring: io_uring_submit_req (io_uring_submit_sqe before 6.4), keyed
 *             by the request pointer, checked against user_data;
 *   AIO:      the io_submit syscall, keyed by the user iocb address that
 *             the kernel hands back in the completion (ki_res.obj).
 * QEMU reaps AIO completions from the ring in userspace, so the kernel's
 * aio_complete_rw is the only place they can be seen: fentry, else kprobe.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "maps.bpf.h"
#include "watch.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct submission {
	__u64 submit_ns;
	__u64 offset;
	__u64 user_data;
	__u32 len;
	__s32 fd;
	__u32 pid;
	__u32 tid;
	__u8 opcode;
	__u8 pad[7];
	char comm[VBT_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, __u64);
	__type(value, struct submission);
} uring_subs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, __u64);
	__type(value, struct submission);
} aio_subs SEC(".maps");

/* io_uring's read/write command overlays the start of struct io_kiocb. */
struct io_rw___vbt {
	struct kiocb kiocb;
	__u64 addr;
	__u32 len;
} __attribute__((preserve_access_index));

static __always_inline void fill_sub(struct submission *s)
{
	__u64 id = bpf_get_current_pid_tgid();

	s->submit_ns = bpf_ktime_get_ns();
	s->pid = id >> 32;
	s->tid = (__u32)id;
	bpf_get_current_comm(s->comm, sizeof(s->comm));
}

/* Only data and sync operations: a failed poll is not an I/O error. */
static __always_inline bool uring_io_op(__u8 op)
{
	return op == IORING_OP_READV || op == IORING_OP_WRITEV ||
	       op == IORING_OP_FSYNC || op == IORING_OP_READ_FIXED ||
	       op == IORING_OP_WRITE_FIXED || op == IORING_OP_SYNC_FILE_RANGE ||
	       op == IORING_OP_FALLOCATE || op == IORING_OP_READ ||
	       op == IORING_OP_WRITE;
}

static __always_inline __u32 iov_bytes(const struct iovec *iov, __u32 n)
{
	__u64 sum = 0;

	for (int i = 0; i < 16; i++) {
		struct iovec v;

		if (i >= n || bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		sum += v.iov_len;
	}
	return sum;
}

static __always_inline int on_uring_submit(struct io_kiocb *req)
{
	struct io_rw___vbt *rw = (void *)req;
	struct submission s = {};
	__u64 key = (__u64)req;

	if (!vbt_watched(bpf_get_current_pid_tgid() >> 32))
		return 0;
	s.opcode = BPF_CORE_READ(req, opcode);
	if (!uring_io_op(s.opcode))
		return 0;
	fill_sub(&s);
	s.fd = BPF_CORE_READ(req, cqe.fd);
	s.user_data = BPF_CORE_READ(req, cqe.user_data);
	if (s.opcode != IORING_OP_FSYNC) {
		s.offset = BPF_CORE_READ(rw, kiocb.ki_pos);
		s.len = BPF_CORE_READ(rw, len);
		/* For READV/WRITEV len counts iovecs: sum their bytes. */
		if (s.opcode == IORING_OP_READV || s.opcode == IORING_OP_WRITEV)
			s.len = iov_bytes(
				(const struct iovec *)BPF_CORE_READ(rw, addr),
				s.len);
	}
	bpf_map_update_elem(&uring_subs, &key, &s, BPF_ANY);
	return 0;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(btf_uring_submit, struct io_kiocb *req)
{
	return on_uring_submit(req);
}

SEC("raw_tp/io_uring_submit_req")
int BPF_PROG(raw_uring_submit, struct io_kiocb *req)
{
	return on_uring_submit(req);
}

/* Linux 6.1 names it io_uring_submit_sqe(req, force_nonblock). */
SEC("tp_btf/io_uring_submit_sqe")
int BPF_PROG(btf_uring_submit_sqe, struct io_kiocb *req)
{
	return on_uring_submit(req);
}

static __always_inline void fill_async(struct vbt_async *e,
				       const struct submission *s, int kind,
				       __s32 res, __u64 now)
{
	vbt_fill_hdr(&e->hdr, kind, sizeof(*e), now);
	/* The completion may run anywhere: name the submitter. */
	e->hdr.pid = s->pid;
	e->hdr.tid = s->tid;
	__builtin_memcpy(e->hdr.comm, s->comm, sizeof(e->hdr.comm));
	e->hdr.err = res;
	e->submit_ns = s->submit_ns;
	e->offset = s->offset;
	e->user_data = s->user_data;
	e->len = s->len;
	e->fd = s->fd;
	e->res = res;
	e->opcode = s->opcode;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	e->bdev = 0;
	e->ino = 0;
}

SEC("tracepoint/io_uring/io_uring_complete")
int tp_uring_complete(struct trace_event_raw_io_uring_complete *ctx)
{
	__u64 key = (__u64)ctx->req;
	struct submission *s;
	struct vbt_async *e;
	int res = ctx->res;

	if (res >= 0 || res == -125 /* ECANCELED */)
		return 0;
	s = bpf_map_lookup_elem(&uring_subs, &key);
	if (!s || s->user_data != ctx->user_data)
		return 0; /* not a watched process, or not I/O */
	e = vbt_reserve(sizeof(*e));
	if (e) {
		fill_async(e, s, VBT_KIND_IO_URING, res, bpf_ktime_get_ns());
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&uring_subs, &key);
	return 0;
}

/* io_submit(ctx, nr, iocbpp): remember each watched iocb by its address. */
SEC("tracepoint/syscalls/sys_enter_io_submit")
int tp_io_submit(struct syscall_trace_enter *ctx)
{
	struct iocb **iocbpp = (struct iocb **)ctx->args[2];
	long nr = ctx->args[1];
	struct submission s = {};

	if (!vbt_watched(bpf_get_current_pid_tgid() >> 32))
		return 0;
	fill_sub(&s);
	for (int i = 0; i < 64; i++) {
		struct iocb *uiocb, cb;
		__u64 key;

		if (i >= nr)
			break;
		if (bpf_probe_read_user(&uiocb, sizeof(uiocb), &iocbpp[i]) ||
		    bpf_probe_read_user(&cb, sizeof(cb), uiocb))
			break;
		key = (__u64)uiocb;
		s.fd = cb.aio_fildes;
		s.offset = cb.aio_offset;
		s.len = cb.aio_nbytes;
		s.opcode = cb.aio_lio_opcode;
		s.user_data = cb.aio_data;
		bpf_map_update_elem(&aio_subs, &key, &s, BPF_ANY);
	}
	return 0;
}

static __always_inline int on_aio_complete(struct kiocb *kiocb, long res)
{
	struct aio_kiocb *req;
	struct submission *s;
	struct vbt_async *e;
	struct file *file;
	__u64 key;

	if (res >= 0)
		return 0;
	req = container_of(kiocb, struct aio_kiocb, rw);
	key = BPF_CORE_READ(req, ki_res.obj);
	s = bpf_map_lookup_elem(&aio_subs, &key);
	if (!s)
		return 0;
	e = vbt_reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_async(e, s, VBT_KIND_AIO, res, bpf_ktime_get_ns());
	file = BPF_CORE_READ(kiocb, ki_filp);
	e->ino = BPF_CORE_READ(file, f_inode, i_ino);
	/* A block device file: the device itself, not bdevfs. */
	if ((BPF_CORE_READ(file, f_inode, i_mode) & 00170000) == 0060000)
		e->bdev = BPF_CORE_READ(file, f_inode, i_rdev);
	else
		e->bdev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("fentry/aio_complete_rw")
int BPF_PROG(fentry_aio_complete, struct kiocb *kiocb, long res)
{
	return on_aio_complete(kiocb, res);
}

SEC("kprobe/aio_complete_rw")
int BPF_KPROBE(kprobe_aio_complete, struct kiocb *kiocb, long res)
{
	return on_aio_complete(kiocb, res);
}
