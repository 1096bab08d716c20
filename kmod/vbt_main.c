// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace: failed block requests for guests where eBPF cannot be used,
 * delivered as the same records as the BPF programs, and a virtio-blk
 * inspector in debugfs.
 *
 * /dev/vblktrace is read with read() and poll(), not mmap(): a record is a
 * failed request, so there are few of them and copying them costs nothing
 * measurable, while read() hands out whole records only, lets the module
 * put the exact drop count into the stream where the gap is, and keeps
 * userspace away from the ring's indices (nothing to trust, no memory
 * ordering protocol to share with the tool).
 *
 * One reader at a time: a second open() gets -EBUSY.  The reader's file
 * holds a reference on the module, and everything a reader set up is torn
 * down when its file is released, however the reader went away.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vbt.h"

static unsigned int ring_kb = 256;
module_param(ring_kb, uint, 0444);
MODULE_PARM_DESC(ring_kb, "size of each CPU's event ring in KiB (default 256)");

#define VBT_BOUNCE	(64 * 1024)

/*
 * A reader's state.  Threads of one process may share the file: @lock
 * makes VBT_IOC_START test-and-set @started once, and gives one read() at
 * a time the bounce buffer (two copying out of it at once would hand each
 * other's records to userspace, torn).
 */
struct vbt_reader {
	struct mutex lock;
	char *bounce;		/* under lock */
	bool started;		/* under lock */
	u64 delivered;		/* under lock */
};

static atomic_t busy = ATOMIC_INIT(0);
static struct dentry *vbt_debugfs;

static int vbt_open(struct inode *inode, struct file *file)
{
	struct vbt_reader *rd;

	if (atomic_cmpxchg(&busy, 0, 1))
		return -EBUSY;
	rd = kzalloc(sizeof(*rd), GFP_KERNEL);
	if (rd)
		rd->bounce = kvmalloc(VBT_BOUNCE, GFP_KERNEL);
	if (!rd || !rd->bounce) {
		kfree(rd);
		atomic_set(&busy, 0);
		return -ENOMEM;
	}
	mutex_init(&rd->lock);
	file->private_data = rd;
	return stream_open(inode, file);
}

static int vbt_release(struct inode *inode, struct file *file)
{
	struct vbt_reader *rd = file->private_data;

	if (rd->started) {
		vbt_trace_stop();
		vbt_ring_reset();
	}
	kvfree(rd->bounce);
	mutex_destroy(&rd->lock);
	kfree(rd);
	atomic_set(&busy, 0);
	return 0;
}

static ssize_t vbt_read(struct file *file, char __user *buf, size_t len,
			loff_t *ppos)
{
	struct vbt_reader *rd = file->private_data;
	ssize_t ret;
	size_t n;

	if (len < sizeof(struct vbt_block))
		return -EINVAL;
	for (;;) {
		if (mutex_lock_interruptible(&rd->lock))
			return -ERESTARTSYS;
		if (!rd->started) {
			ret = -EPROTO;
			goto out_unlock;
		}
		n = vbt_ring_read(rd->bounce, min_t(size_t, len, VBT_BOUNCE));
		if (n)
			break;
		mutex_unlock(&rd->lock);
		/* Wait without the lock: another thread may read meanwhile. */
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(vbt_ring_wait,
					       vbt_ring_readable());
		if (ret)
			return ret;
	}
	if (copy_to_user(buf, rd->bounce, n)) {
		ret = -EFAULT;
		goto out_unlock;
	}
	rd->delivered += n;
	ret = n;
out_unlock:
	mutex_unlock(&rd->lock);
	return ret;
}

static __poll_t vbt_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &vbt_ring_wait, wait);
	return vbt_ring_readable() ? EPOLLIN | EPOLLRDNORM : 0;
}

static long vbt_start(struct vbt_reader *rd, void __user *arg)
{
	struct vbt_kmod_start st;
	struct vbt_filter f = { 0 };

	if (copy_from_user(&st, arg, sizeof(st)))
		return -EFAULT;
	if (st.abi != VBT_ABI_VERSION) {
		pr_warn_ratelimited("%s[%d] speaks event ABI %u but this module speaks %u: refused; use a vblktrace and a module built from the same include/vblktrace/abi.h\n",
				    current->comm, task_tgid_nr(current),
				    st.abi, VBT_ABI_VERSION);
		return -EPROTO;
	}
	if (st.ndevs > VBT_KMOD_MAX_DEVS || st.flags & ~VBT_KMOD_ALL)
		return -EINVAL;
	f.all = st.flags & VBT_KMOD_ALL;
	f.pid = st.pid;
	f.ndevs = st.ndevs;
	memcpy(f.devs, st.devs, sizeof(f.devs));
	/* Two threads starting at once: one starts, the other gets EBUSY. */
	mutex_lock(&rd->lock);
	if (rd->started) {
		mutex_unlock(&rd->lock);
		return -EBUSY;
	}
	vbt_ring_reset();
	vbt_trace_start(&f);
	rd->started = true;
	mutex_unlock(&rd->lock);
	return 0;
}

static long vbt_errors(void __user *arg)
{
	struct vbt_kmod_errcount *buf;
	struct vbt_kmod_errors req;
	long ret = 0;
	int n;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	req.n = min_t(u32, req.n, 64 * VBT_OP_MAX);
	buf = kcalloc(req.n ?: 1, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	n = vbt_errors_copy(buf, req.n);
	if (copy_to_user(u64_to_user_ptr(req.ptr), buf, n * sizeof(*buf)))
		ret = -EFAULT;
	req.n = n;
	if (!ret && copy_to_user(arg, &req, sizeof(req)))
		ret = -EFAULT;
	kfree(buf);
	return ret;
}

static long vbt_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vbt_reader *rd = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct vbt_kmod_stats st = { 0 };

	switch (cmd) {
	case VBT_IOC_ABI_VERSION:
		return put_user((u32)VBT_ABI_VERSION, (u32 __user *)uarg);
	case VBT_IOC_START:
		return vbt_start(rd, uarg);
	case VBT_IOC_STATS:
		st.dropped = vbt_ring_dropped();
		mutex_lock(&rd->lock);
		st.delivered = rd->delivered;
		mutex_unlock(&rd->lock);
		st.failed = vbt_trace_failed();
		st.ring_bytes = vbt_ring_bytes();
		st.io_start = vbt_trace_io_start();
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	case VBT_IOC_ERRORS:
		return vbt_errors(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vbt_fops = {
	.owner = THIS_MODULE,
	.open = vbt_open,
	.release = vbt_release,
	.read = vbt_read,
	.poll = vbt_poll,
	.unlocked_ioctl = vbt_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice vbt_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vblktrace",
	.fops = &vbt_fops,
	.mode = 0600,
};

/* /sys/kernel/debug/vblktrace/stats: the event source's own counters. */
static int stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "abi %u\n", VBT_ABI_VERSION);
	seq_printf(m, "ring_bytes_per_cpu %u\n", vbt_ring_bytes());
	seq_printf(m, "reader %d\n", atomic_read(&busy));
	seq_printf(m, "dropped %llu\n", vbt_ring_dropped());
	seq_printf(m, "failed_requests %llu\n", vbt_trace_failed());
	seq_printf(m, "issuer_at %s\n", vbt_trace_io_start() ?
		   "block_io_start" : "block_rq_insert/block_rq_issue");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int __init vbt_init(void)
{
	int ret;

	ret = vbt_ring_init(ring_kb * 1024);
	if (ret)
		return ret;
	ret = vbt_trace_init();
	if (ret)
		goto out_ring;
	vbt_debugfs = debugfs_create_dir("vblktrace", NULL);
	debugfs_create_file("stats", 0400, vbt_debugfs, NULL, &stats_fops);
	ret = vbt_inspect_init(vbt_debugfs);
	if (ret)
		goto out_debugfs;
	ret = misc_register(&vbt_misc);
	if (ret)
		goto out_inspect;
	pr_info("ABI %u, %u KiB ring per CPU, issuers at %s\n",
		VBT_ABI_VERSION, vbt_ring_bytes() / 1024,
		vbt_trace_io_start() ? "block_io_start" :
		"block_rq_insert/block_rq_issue");
	return 0;

out_inspect:
	vbt_inspect_exit();
out_debugfs:
	debugfs_remove_recursive(vbt_debugfs);
	vbt_trace_exit();
out_ring:
	vbt_ring_exit();
	return ret;
}

/*
 * No reader exists (its file pins the module).  The init ladder in
 * reverse: no new readers, no disk inspector (vbt_inspect_exit() removes
 * its directories, waiting for readers inside them, before it frees the
 * disks), no stats file, no probe (unregister +
 * tracepoint_synchronize_unregister() in vbt_trace_exit()), then free
 * what the probes wrote into.
 */
static void __exit vbt_exit(void)
{
	misc_deregister(&vbt_misc);
	vbt_inspect_exit();
	debugfs_remove_recursive(vbt_debugfs);
	vbt_trace_exit();
	vbt_ring_exit();
}

module_init(vbt_init);
module_exit(vbt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vblktrace: failed block requests and a virtio-blk inspector");
MODULE_AUTHOR("vblktrace developers");
