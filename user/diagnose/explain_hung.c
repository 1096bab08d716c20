// SPDX-License-Identifier: GPL-2.0
/*
 * explain: the guest kernel's hung-task report, the only thing a guest
 * logs when the host stops completing its virtio-blk requests (virtio-blk
 * has no request timeout, so no I/O error ever comes).  kernel/hung_task.c
 * check_hung_task() prints, for a task in D state not scheduled for
 * hung_task_timeout_secs (a 6.12 guest whose host held a write 4 s,
 * tests/vm/guest_stuck.sh; tests/unit/corpus/explain/guest-hung-task.dmesg):
 *   INFO: task dd:190 blocked for more than 1 seconds.
 *         Not tainted 6.12.117+deb12-cloud-amd64 #1 Debian 6.12.117-1~deb12u1
 *   "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
 *   task:dd              state:D stack:0     pid:190   tgid:190   ppid:140 ...
 * then the task's stack (io_schedule, folio_wait_writeback, ... say it waits
 * on block I/O).  Direct I/O and submit_bio_wait() wake every half timeout
 * on purpose and page cache reads wait killable, so it is mostly writeback,
 * fsync and journals that get reported.  SCSI timeouts and aborts are in explain_scsi.c, the block
 * layer's "timeout error, dev ..." in explain_kernel.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/explain.h"

static const char *const host_causes =
	"In a VM the usual reason is a block request the host never "
	"completed: virtio-blk has no request timeout, so the guest waits "
	"without an error and this report is all it says. On the host, look "
	"for a backend that stopped answering: an image on NFS, iSCSI or Ceph "
	"whose server or path is down (a hard NFS mount blocks QEMU's I/O "
	"forever), QEMU aio=native on a device that hangs, a drive throttled "
	"to a crawl (iops/bps limits, a block job), or a stopped QEMU or "
	"iothread (SIGSTOP, a debugger). A VM paused by werror=stop, "
	"rerror=stop or enospc after a host I/O error holds its requests too "
	"(virsh domstate --reason says \"paused (I/O error)\"; QMP "
	"query-block shows the drive's io-status). Next: `vblktrace live "
	"--stuck 5` in the guest names the requests in flight (disk, sector, "
	"issuer, age); `vblktrace host` on the hypervisor shows the QEMU "
	"I/O behind them.";

/* "INFO: task COMM:PID blocked for more than N seconds." */
static bool m_hung(const char *line, struct ex_ctx *ctx, struct ex_hit *h)
{
	const char *t = strstr(line, "INFO: task ");
	const char *b = t ? strstr(t, " blocked for more than ") : NULL;
	const char *colon = NULL;
	char comm[32];
	long pid, secs;
	size_t n;
	char *end;

	if (!b)
		return false;
	t += strlen("INFO: task ");
	/* The comm may hold ':' itself (kworker/u4:2): the pid is last. */
	for (const char *p = t; p < b; p++)
		if (*p == ':')
			colon = p;
	if (!colon || colon == t)
		return false;
	pid = strtol(colon + 1, &end, 10);
	if (end != b || pid <= 0)
		return false;
	secs = strtol(b + strlen(" blocked for more than "), &end, 10);
	if (strncmp(end, " seconds", 8) || secs < 0)
		return false;
	n = colon - t;
	if (n >= sizeof(comm))
		n = sizeof(comm) - 1;
	memcpy(comm, t, n);
	comm[n] = 0;
	ex_set(h, "hung-task", "guest-kernel", "warning");
	ex_fstr(h, "comm", comm);
	ex_fint(h, "pid", pid);
	ex_fint(h, "blocked_s", secs);
	ex_summary(h, "%s (pid %ld) has been blocked for over %ld s", comm, pid,
		   secs);
	ex_detail(h, "The kernel's hung-task detector found %s in "
		  "uninterruptible sleep (D state), not scheduled for more than "
		  "%ld s (hung_task_timeout_secs; 120 by default). The stack "
		  "printed after this line says what it waits for: io_schedule, "
		  "blk_mq_get_tag, folio_wait_bit, submit_bio_wait or a journal "
		  "(jbd2, xfs_log) mean block I/O. %s", comm, secs, host_causes);
	return true;
}

static bool m_hung_hint(const char *line, struct ex_ctx *ctx,
			struct ex_hit *h)
{
	if (!strstr(line, "/proc/sys/kernel/hung_task_timeout_secs\" "
		    "disables this message"))
		return false;
	ex_set(h, "hung-task-hint", "guest-kernel", "info");
	ex_summary(h, "part of a hung-task report");
	ex_detail(h, "The hung-task report's own footnote. Writing 0 there "
		  "only silences the report: the task stays blocked until its "
		  "I/O completes. See the \"INFO: task ... blocked for more "
		  "than\" line before it.");
	return true;
}

/* "task:dd              state:D stack:0     pid:181 ..." (sched_show_task) */
static bool m_task_state(const char *line, struct ex_ctx *ctx,
			 struct ex_hit *h)
{
	const char *t = strstr(line, "task:");
	const char *s = t ? strstr(t, " state:") : NULL;
	char comm[32], state;
	size_t n;

	if (!s || !strstr(s, " stack:") || !strstr(s, " pid:"))
		return false;
	state = s[strlen(" state:")];
	t += strlen("task:");
	n = s - t;
	while (n && t[n - 1] == ' ')
		n--;
	if (!n || n >= sizeof(comm) || !state)
		return false;
	memcpy(comm, t, n);
	comm[n] = 0;
	ex_set(h, "task-state", "guest-kernel", state == 'D' ? "warning" :
		"info");
	ex_fstr(h, "comm", comm);
	ex_fstr(h, "state", (char[2]){ state, 0 });
	ex_summary(h, "%s is in state %c%s", comm, state,
		   state == 'D' ? " (uninterruptible: waiting, usually on I/O)" :
		   "");
	ex_detail(h, "A task dump (hung-task report, sysrq-w or sysrq-t). "
		  "State D is uninterruptible sleep: if the stack below shows "
		  "block I/O, a request is outstanding that the device (in a VM: "
		  "the host) has not completed.");
	return true;
}

const struct ex_pattern ex_hung_patterns[] = {
	{ "hung-task", "guest-kernel", m_hung },
	{ "hung-task-hint", "guest-kernel", m_hung_hint },
	{ "task-state", "guest-kernel", m_task_state },
	{ NULL, NULL, NULL }
};
