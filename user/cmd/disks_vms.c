// SPDX-License-Identifier: GPL-2.0
/*
 * The host half of 'vblktrace disks': each QEMU process with its drives,
 * their aio and cache modes as configured and as /proc confirms them, and
 * whether this kernel lets vblktrace see the failures of each aio mode.
 */
#include <stdlib.h>

#include <json-c/json.h>

#include "cmd/disks_vms.h"
#include "source/source.h"
#include "system/qemu/qemu.h"
#include "system/vmtrack.h"
#include "util/json.h"

static void print_drive_json(const struct vbt_vm *vm,
			     const struct vbt_drive *d, int aio_visible)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "v", json_object_new_int(1));
	vbt_json_add_str(o, "kind", "vm_drive");
	vbt_json_add_str(o, "vm", vbt_vm_label(vm));
	json_object_object_add(o, "pid", json_object_new_int(vm->pid));
	if (vm->backend) {
		/* A disk served by another process (vhost-user). */
		vbt_json_add_str(o, "backend", vm->backend);
		json_object_object_add(o, "backend_of",
				       json_object_new_int(vm->backend_of));
	}
	vbt_json_add_str(o, "drive", d->id ? d->id : d->drive);
	vbt_json_add_str(o, "node", d->node);
	vbt_json_add_str(o, "image", d->image);
	vbt_json_add_str(o, "format", d->format);
	vbt_json_add_str(o, "protocol", d->protocol);
	vbt_json_add_str(o, "filters", d->filters);
	vbt_json_add_str(o, "device", d->device_driver);
	vbt_json_add_str(o, "serial", d->serial);
	vbt_json_add_str(o, "target", d->target);
	vbt_json_add_str(o, "aio", d->aio == VBT_AIO_UNKNOWN ? NULL :
			 vbt_aio_name(d->aio));
	if (d->aio == VBT_AIO_NATIVE && vm->inspected)
		json_object_object_add(o, "aio_ring_seen",
				       json_object_new_boolean(d->aio_confirmed));
	vbt_json_add_str(o, "cache", d->cache);
	json_object_object_add(o, "direct", json_object_new_boolean(d->direct));
	if (d->fd_direct >= 0)
		json_object_object_add(o, "direct_confirmed",
				       json_object_new_boolean(d->fd_direct == 1));
	vbt_json_add_str(o, "werror", d->werror);
	vbt_json_add_str(o, "rerror", d->rerror);
	if (d->aio == VBT_AIO_NATIVE && aio_visible >= 0)
		json_object_object_add(o, "failures_visible",
				       json_object_new_boolean(aio_visible));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int vbt_disks_print_vms(bool json, FILE *out)
{
	struct vbt_vm *vms = NULL;
	int n = 0, visible;
	char how[64] = "";
	bool native = false;

	if (vbt_qemu_scan("/proc", &vms, &n) < 0 || n == 0) {
		free(vms);
		return 0;
	}
	vbt_vhost_scan("/proc", &vms, &n);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < vms[i].ndrives; j++)
			native |= vms[i].drives[j].aio == VBT_AIO_NATIVE;
	visible = native ? vbt_bpf_probe_aio(how, sizeof(how)) : -1;

	if (!json)
		fprintf(out, "\nQEMU processes on this host:\n");
	for (int i = 0; i < n; i++) {
		if (!json)
			vbt_vm_describe(&vms[i], out);
		for (int j = 0; json && j < vms[i].ndrives; j++)
			print_drive_json(&vms[i], &vms[i].drives[j], visible);
	}
	if (!json && native) {
		if (visible > 0)
			fprintf(out, "aio=native failures: visible (%s)\n", how);
		else if (visible == 0)
			fprintf(out, "aio=native failures: NOT observable on this "
				"kernel: QEMU reaps Linux AIO completions from "
				"the ring in userspace and neither fentry nor "
				"kprobe can attach to aio_complete_rw; host block "
				"device errors and io_submit failures remain "
				"visible\n");
		else
			fprintf(out, "aio=native failures: whether they are "
				"visible needs CAP_BPF to find out\n");
	}
	for (int i = 0; i < n; i++)
		vbt_vm_free(&vms[i]);
	free(vms);
	return n;
}
