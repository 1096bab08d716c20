/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's option syntax, the one parser for it: QemuOpts / keyval strings
 * ("key=value,key2=value2", ",," a literal comma, an implied first key)
 * and JSON options, with the helpers that read either spelling of a value
 * ("on" or true).  Used by the QEMU model, the doctor and the correlation
 * of bundles alike.
 */
#ifndef VBT_QEMU_OPTS_H
#define VBT_QEMU_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define VBT_QOPTS_MAX_PAIRS	4096	/* key=value pairs in one option */

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
/* A JSON option ('{...}', QEMU's leniency: single quotes too): an object. */
json_object *vbt_qjson_parse(const char *s, char *err, size_t errlen);

/*
 * One option argument as QEMU reads it, JSON ('{' first) or QemuOpts with
 * @implied_key for a first element without '=' ("driver" for -device and
 * -blockdev), as a JSON object.  @nest: dotted keys become nested objects,
 * as -blockdev's keyval does; -device keeps them flat.  Every caller that
 * reads -device, -blockdev or -drive goes through here or vbt_qopts_parse,
 * so ",," means the same everywhere.  NULL with a message in @err.
 */
json_object *vbt_qemu_opt_json(const char *arg, const char *implied_key,
			       bool nest, char *err, size_t errlen);

#endif
