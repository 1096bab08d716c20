/* SPDX-License-Identifier: GPL-2.0 */
/* A disk's facts as text: size, caches, limits, virtio features, hints. */
#ifndef VBT_DISK_TEXT_H
#define VBT_DISK_TEXT_H

#include <stdio.h>

#include "system/disk_facts.h"

void vbt_disk_facts_print(const struct vbt_disk_facts *f, FILE *out);

#endif
