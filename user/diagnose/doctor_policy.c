// SPDX-License-Identifier: GPL-2.0
/*
 * doctor: the I/O error retry policy of seed 001 (openEuler's "disk I/O
 * suspension": werror=retry,rerror=retry with retry_interval and
 * retry_timeout; libvirt error_policy='retry').  QEMU holds a request that
 * failed on the host and resubmits it every interval until the timeout,
 * then completes it with the error.  It is a vendor extension: upstream
 * QEMU refuses 'retry' ("'retry' invalid write error action").
 */
#include <stdio.h>
#include <string.h>

#include "diagnose/doctor.h"

#define RETRY_INTERVAL_DEFAULT_MS	1000

static bool is_retry(const char *p)
{
	return p && !strcmp(p, "retry");
}

/*
 * Kernel vhost backends (vhost-scsi, vhost-blk): the host kernel does the
 * I/O in vhost worker threads, no QEMU syscall is there to see failing.
 */
static void vhost_kernel(const struct dr_config *c, struct dr_report *r)
{
	for (int i = 0; i < c->ndevs; i++) {
		const struct dr_dev *d = &c->devs[i];
		char t[200];

		if (!d->driver || (strncmp(d->driver, "vhost-scsi", 10) &&
				   strncmp(d->driver, "vhost-blk", 9)))
			continue;
		snprintf(t, sizeof(t), "%s (%s): a kernel vhost backend",
			 d->id ? d->id : d->driver, d->driver);
		dr_add(r, "vhost-kernel-backend", DR_INFO,
		       d->id ? d->id : d->driver, t,
		       "The host kernel serves this disk's requests itself "
		       "(vhost worker threads, the target's LIO backstore); "
		       "QEMU does no I/O for it.",
		       "vblktrace host shows no QEMU syscall, io_uring or AIO "
		       "failure for this disk; errors of the host block device "
		       "beneath it (block_rq_complete) are still shown.",
		       "For per-request host detail use a QEMU-served or "
		       "vhost-user disk; otherwise watch the backing device.");
	}
}

void dr_diagnose_policy(const struct dr_config *c, struct dr_report *r)
{
	vhost_kernel(c, r);
	for (int i = 0; i < c->vm.ndrives; i++) {
		const struct vbt_drive *d = &c->vm.drives[i];
		long iv = d->retry_interval_ms ? d->retry_interval_ms :
			  RETRY_INTERVAL_DEFAULT_MS;
		char name[160], t[400], timeout[64], see[600];

		if (!is_retry(d->werror) && !is_retry(d->rerror))
			continue;
		dr_drive_name(d, name, sizeof(name));
		if (d->retry_timeout_ms)
			snprintf(timeout, sizeof(timeout), "%ld ms",
				 d->retry_timeout_ms);
		else
			snprintf(timeout, sizeof(timeout), "no timeout given");
		snprintf(t, sizeof(t), "%s: %s%s%s retry: failed requests are "
			 "resubmitted every %ld ms (timeout: %s)", name,
			 is_retry(d->werror) ? "write" : "",
			 is_retry(d->werror) && is_retry(d->rerror) ? "/" : "",
			 is_retry(d->rerror) ? "read" : "", iv, timeout);
		snprintf(see, sizeof(see), "On a host I/O error the guest sees "
			 "no error at first: the request hangs while QEMU "
			 "retries it every %ld ms; %s. vblktrace host shows the "
			 "same failing host I/O repeating at that interval. A "
			 "hang longer than 120 s also shows as the guest's "
			 "\"task ... blocked for more than 120 seconds\".", iv,
			 d->retry_timeout_ms ? "after the timeout it fails with "
			 "an I/O error (as with report)" :
			 "without a timeout it may hang for as long as the "
			 "fault lasts");
		dr_add(r, "error-policy-retry", DR_WARNING, name, t,
		       "A vendor extension (openEuler's disk I/O suspension): "
		       "QEMU keeps a request that failed on the host and "
		       "resubmits it, so a short storage outage passes "
		       "unnoticed, a long one becomes a hang and then an error. "
		       "Upstream QEMU does not have it and refuses the "
		       "configuration (\"'retry' invalid write error action\", "
		       "\"Property '...retry_interval' not found\").",
		       see,
		       "Keep retry_timeout below the guest's own timeouts "
		       "(hung-task 120 s; a SCSI command timeout of 30 s on "
		       "virtio-scsi), and run a QEMU with the retry extension on "
		       "every host this VM may migrate to (doctor --to compares "
		       "the policies). Elsewhere use werror=stop: the VM pauses "
		       "and resumes with `virsh resume` after the fault is "
		       "fixed.");
	}
}
