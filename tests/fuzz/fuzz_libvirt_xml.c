// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: libvirt XML (a <domain> as users paste it, or
 * libvirt's live <domstatus>), read by doctor and by the host view.
 */
#include <stdint.h>
#include <string.h>

#include "diagnose/doctor.h"
#include "system/qemu/qemu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dr_config c;
	struct vbt_vm vm;
	char err[256];

	memset(&c, 0, sizeof(c));
	dr_config_from_xml(&c, (const char *)data, size, err, sizeof(err));
	dr_config_free(&c);
	memset(&vm, 0, sizeof(vm));
	vbt_libvirt_apply_xml(&vm, (const char *)data, size, err, sizeof(err));
	vbt_vm_free(&vm);
	return 0;
}
