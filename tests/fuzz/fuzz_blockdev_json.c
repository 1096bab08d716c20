// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: one -blockdev (JSON or keyval) argument, and the
 * same bytes as -drive and -device, in a minimal QEMU argv: the option
 * and JSON parsers of the model see exactly the fuzzer's bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "system/qemu/qemu.h"

static void one(const char *opt, const uint8_t *data, size_t size)
{
	static const char head[] = "qemu-system-x86_64";
	size_t olen = strlen(opt) + 1, len = sizeof(head) + olen + size + 1;
	char *argv = malloc(len), err[256];
	struct vbt_vm vm;

	if (!argv)
		return;
	memcpy(argv, head, sizeof(head));
	memcpy(argv + sizeof(head), opt, olen);
	memcpy(argv + sizeof(head) + olen, data, size);
	argv[len - 1] = '\0';
	if (!vbt_qemu_parse_cmdline(argv, len, &vm, err, sizeof(err)))
		vbt_vm_free(&vm);
	free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memchr(data, '\0', size))
		return 0;	/* one argument: no NUL inside */
	one("-blockdev", data, size);
	one("-drive", data, size);
	one("-device", data, size);
	one("--object", data, size);
	return 0;
}
