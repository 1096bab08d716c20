/* SPDX-License-Identifier: GPL-2.0 */
/* 'vblktrace disks' on a hypervisor: the VMs, their drives and modes. */
#ifndef VBT_DISKS_VMS_H
#define VBT_DISKS_VMS_H

#include <stdbool.h>
#include <stdio.h>

/* Prints every QEMU process's drives; returns the number of VMs. */
int vbt_disks_print_vms(bool json, FILE *out);

#endif
