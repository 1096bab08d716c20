// SPDX-License-Identifier: GPL-2.0
/*
 * Probing the kernel and our privileges.  Nothing here needs root: a
 * missing capability is reported by name with the command that fixes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/capability.h>
#include <unistd.h>
#include <linux/securebits.h>

#include <bpf/btf.h>

#include "source/probe.h"

#define TRACEFS "/sys/kernel/tracing"

bool vbt_probe_kernel_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

bool vbt_probe_btf_tracepoint(const char *category, const char *name)
{
	static struct btf *vmlinux;
	char type[128], path[256];
	struct stat st;

	/*
	 * tracefs answers in microseconds; parsing vmlinux BTF (which libbpf
	 * does again when it loads) takes tens of milliseconds, so it is only
	 * the fallback for when tracefs is not mounted or not readable.
	 */
	snprintf(path, sizeof(path), TRACEFS "/events/%s", category);
	if (!stat(path, &st)) {
		snprintf(path, sizeof(path), TRACEFS "/events/%s/%s", category,
			 name);
		return !stat(path, &st);
	}

	if (!vmlinux) {
		vmlinux = btf__load_vmlinux_btf();
		if (!vmlinux) {
			vmlinux = NULL;
			return false;
		}
	}
	snprintf(type, sizeof(type), "btf_trace_%s", name);
	return btf__find_by_name_kind(vmlinux, type, BTF_KIND_TYPEDEF) > 0;
}

int vbt_probe_tracefs_event_err(const char *category, const char *name)
{
	char path[256];
	int fd;

	/* open(), not access(): access() ignores our effective capabilities. */
	snprintf(path, sizeof(path), TRACEFS "/events/%s/%s/id", category,
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

bool vbt_probe_tracefs_event(const char *category, const char *name)
{
	return vbt_probe_tracefs_event_err(category, name) == 0;
}

const char *vbt_tracefs_why(int err)
{
	if (err == -EACCES || err == -EPERM)
		return "tracefs is not readable by this process (run as root "
		       "or add CAP_DAC_READ_SEARCH)";
	return "this kernel lacks the tracepoint";
}

int vbt_probe_mount_tracefs(void)
{
	struct stat st;

	if (stat(TRACEFS "/events", &st) == 0)
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL))
		return -errno;
	return 0;
}

static bool cap_effective(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	cap_get_flag(caps, cap, CAP_EFFECTIVE, &v);
	return v == CAP_SET;
}

int vbt_probe_bpf_privileges(char *err, size_t errlen)
{
	cap_t caps = cap_get_proc();
	bool admin, bpf, perfmon;

	if (!caps) {
		snprintf(err, errlen, "cannot read capabilities: %s",
			 strerror(errno));
		return -EPERM;
	}
	admin = cap_effective(caps, CAP_SYS_ADMIN);
	/* CAP_BPF and CAP_PERFMON exist since 5.8; older kernels want admin. */
	bpf = CAP_IS_SUPPORTED(CAP_BPF) && cap_effective(caps, CAP_BPF);
	perfmon = CAP_IS_SUPPORTED(CAP_PERFMON) &&
		  cap_effective(caps, CAP_PERFMON);
	cap_free(caps);

	if (admin || (bpf && perfmon))
		return 0;
	snprintf(err, errlen,
		 "missing capabilit%s %s%s%s: run as root (sudo vblktrace ...) "
		 "or grant them once with 'setcap cap_bpf,cap_perfmon+ep "
		 "/path/to/vblktrace'",
		 bpf || perfmon ? "y" : "ies",
		 bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "",
		 perfmon ? "" : "CAP_PERFMON");
	return -EPERM;
}

static bool in_list(const cap_value_t *list, int n, cap_value_t c)
{
	for (int i = 0; i < n; i++)
		if (list[i] == c)
			return true;
	return false;
}

/*
 * With CAP_SETPCAP (root): no capability outside @list can ever come back
 * to us or to a child.  The bounding set loses the rest; securebits make
 * uid 0 special no more at execve (NOROOT: an --alert-exec child of root
 * starts with nothing instead of the full set) and at setuid
 * (NO_SETUID_FIXUP), with no ambient raising, and locks them all.
 */
static void shrink_bounding_set(const cap_value_t *list, int n)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t cur = cap_get_proc();

	if (cur)
		cap_get_flag(cur, CAP_SETPCAP, CAP_EFFECTIVE, &v);
	cap_free(cur);
	if (v != CAP_SET)
		return;
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (!in_list(list, n, c) && CAP_IS_SUPPORTED(c))
			prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	prctl(PR_SET_SECUREBITS,
	      SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	      SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
	      SECBIT_KEEP_CAPS_LOCKED |
	      SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
	      0, 0, 0);
}

int vbt_drop_capabilities(const int *keep)
{
	cap_t caps = cap_init();
	int n = 0, held = 0, ret;
	cap_value_t list[16], have[16];

	if (!caps)
		return -errno;
	for (; keep && keep[n] >= 0 && n < 16; n++)
		list[n] = keep[n];
	if (n) {
		cap_t cur = cap_get_proc();

		/* Keep only what we hold now; asking for more would fail. */
		for (int i = 0; i < n; i++) {
			cap_flag_value_t v = CAP_CLEAR;

			if (cur)
				cap_get_flag(cur, list[i], CAP_PERMITTED, &v);
			if (v != CAP_SET)
				continue;
			have[held++] = list[i];
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &list[i], CAP_SET);
			cap_set_flag(caps, CAP_PERMITTED, 1, &list[i], CAP_SET);
		}
		cap_free(cur);
	}
	shrink_bounding_set(have, held);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* Inheritable stays empty (cap_init): nothing passes an execve. */
	ret = cap_set_proc(caps) ? -errno : 0;
	cap_free(caps);
	/* No execve (an --alert-exec child included) gains privileges: no
	 * setuid bits, no file capabilities. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) && !ret)
		ret = -errno;
	return ret;
}
