/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the files of system/qemu/; not part of the API. */
#ifndef VBT_QEMU_INT_H
#define VBT_QEMU_INT_H

#include <sys/types.h>
#include <json-c/json.h>

#include "system/qemu/qemu.h"
#include "system/qemu/qemu_opts.h"
#include "util/errmsg.h"

#define VBT_QEMU_MAX_NODES	8192	/* -blockdev nodes kept */
#define VBT_QEMU_MAX_DEPTH	32	/* node chain / JSON nesting */

char *vbt_qstrdup(const char *s);	/* NULL-safe strdup, NULL on ENOMEM */
/* A credential-free copy of an image name (URL userinfo, rbd options). */
char *vbt_qemu_image_sanitize(const char *s);

/*
 * Model every process under @procroot that @match accepts (by its pid
 * directory name) and append it to the arrays; returns how many, -errno.
 */
int vbt_proc_scan(const char *procroot,
		  bool (*match)(const char *procroot, const char *pid),
		  struct vbt_vm **vms, int *nvms);
/* A whole small file (/proc): bytes read, -errno, or -E2BIG past @cap. */
ssize_t vbt_qemu_read_file(const char *path, char **out, size_t cap);

void vbt_drive_finish(struct vbt_drive *d);		/* derive 'cache' */
enum vbt_aio vbt_aio_parse(const char *s);

#endif /* VBT_QEMU_INT_H */
