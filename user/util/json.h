/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON helpers the readers and writers share, over json-c: parsing a
 * whole buffer with a depth limit and a message that says where it went
 * wrong, NULL-safe getters for walking what came in (recordings, bundles,
 * facts.json, QEMU's JSON options), and setters for what goes out.  Input
 * is hostile: nothing here trusts a type.
 */
#ifndef VBT_UTIL_JSON_H
#define VBT_UTIL_JSON_H

#include <stddef.h>
#include <stdint.h>

struct json_object;
struct json_tokener;

/* RFC 8259 only: no single quotes, no comments, no bare words. */
#define VBT_JSON_STRICT	1

/*
 * Parse exactly one JSON value that covers all of @buf (trailing white
 * space allowed), at most @depth levels deep.  NULL with a message in
 * @err otherwise ("unexpected character at byte 12").
 */
struct json_object *vbt_json_parse(const char *buf, size_t len, int depth,
				   int flags, char *err, size_t errlen);

/*
 * The same with one tokener for many texts (a recording's lines): json-c
 * allocates a tokener's stack and buffer once, not per line.  Release
 * with json_tokener_free().
 */
struct json_tokener *vbt_json_tokener(int depth, int flags);
struct json_object *vbt_json_parse_tok(struct json_tokener *tok,
				       const char *buf, size_t len, char *err,
				       size_t errlen);

static inline struct json_object *
vbt_json_parse_exact(const char *buf, size_t len, int depth, char *err,
		     size_t errlen)
{
	return vbt_json_parse(buf, len, depth, VBT_JSON_STRICT, err, errlen);
}

/* @key of object @o, or NULL (no object, no such key, or JSON null). */
struct json_object *vbt_jget(struct json_object *o, const char *key);
/* @key of @o if it is a string, else NULL: a number is not a name. */
const char *vbt_jstr(struct json_object *o, const char *key);

/*
 * Writing a record: @s as a JSON string, or null for NULL.  @key must be a
 * string literal (it is not copied).
 */
void vbt_json_add_str(struct json_object *o, const char *key, const char *s);
void vbt_json_add_int(struct json_object *o, const char *key, int64_t v);
void vbt_json_add_u64(struct json_object *o, const char *key, uint64_t v);

#endif
