/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the files of system/qemu/; not part of the API. */
#ifndef VBT_QEMU_INT_H
#define VBT_QEMU_INT_H

#include <stdarg.h>
#include <sys/types.h>
#include <json-c/json.h>
#include "system/qemu/qemu.h"

#define VBT_QOPTS_MAX_PAIRS	4096	/* key=value pairs in one option */
#define VBT_QEMU_MAX_NODES	8192	/* -blockdev nodes kept */
#define VBT_QEMU_MAX_DEPTH	32	/* node chain / JSON nesting */

/* One QemuOpts / keyval option string, split: "a=1,b=x,,y" -> a:1 b:"x,y". */
struct vbt_qkv {
	char *key;
	char *val;
};

struct vbt_qopts {
	struct vbt_qkv *kv;
	int n;
};

int vbt_qopts_parse(const char *s, const char *implied_key,
		   struct vbt_qopts *o, char *err, size_t errlen);
const char *vbt_qopts_get(const struct vbt_qopts *o, const char *key);
void vbt_qopts_free(struct vbt_qopts *o);
/* Nest dotted keys ("cache.direct=on" -> {"cache":{"direct":"on"}}),
 * leaving out keys for which @skip returns true. */
json_object *vbt_qopts_crumple(const struct vbt_qopts *o,
			      bool (*skip)(const char *key));

/* JSON helpers that accept QEMU's two spellings: JSON types or keyval text. */
const char *vbt_qjson_str(json_object *o, const char *key);
int vbt_qjson_bool(json_object *o, const char *key);	/* -1 absent/bad */
int vbt_qparse_bool(const char *s);			/* -1 if not a bool */
unsigned int vbt_qparse_size(const char *s);		/* 0 if bad */
json_object *vbt_qjson_parse(const char *s, char *err, size_t errlen);

void vbt_qseterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
char *vbt_qstrdup(const char *s);	/* NULL-safe strdup, NULL on ENOMEM */
/* A credential-free copy of an image name (URL userinfo, rbd options). */
char *vbt_qemu_image_sanitize(const char *s);

/* A whole small file (/proc): bytes read, -errno, or -E2BIG past @cap. */
ssize_t vbt_qemu_read_file(const char *path, char **out, size_t cap);

struct vbt_drive *vbt_vm_add_drive(struct vbt_vm *vm);	/* NULL if capped */
void vbt_drive_finish(struct vbt_drive *d);		/* derive 'cache' */
enum vbt_aio vbt_aio_parse(const char *s);

#endif /* VBT_QEMU_INT_H */
