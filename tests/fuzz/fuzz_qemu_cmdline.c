// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a QEMU command line as /proc/PID/cmdline gives it
 * (NUL separated, the last word maybe unterminated), -drive/-blockdev/
 * -device option strings and JSON included, then libvirt's XML applied
 * over the model as the host view does: no crash, leak or undefined
 * behaviour, and an accepted model is self-consistent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "system/qemu/qemu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	const uint8_t *xml = memmem(data, size, "<dom", 4);
	size_t clen = xml ? (size_t)(xml - data) : size;
	struct vbt_vm vm;
	char err[256];

	if (vbt_qemu_parse_cmdline(buf, clen, &vm, err, sizeof(err)))
		return 0;
	if (vm.ndrives < 0 || (vm.ndrives && !vm.drives))
		abort();
	/* The rest of the input, from "<dom", as libvirt's live XML. */
	if (xml)
		vbt_libvirt_apply_xml(&vm, (const char *)xml,
				      size - clen, err, sizeof(err));
	vbt_vm_free(&vm);
	return 0;
}
