// SPDX-License-Identifier: GPL-2.0
/* The JSON helpers every reader shares (json.h). */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "util/json.h"

struct json_tokener *vbt_json_tokener(int depth, int flags)
{
	struct json_tokener *tok = json_tokener_new_ex(depth);

	/* Trailing bytes are checked by vbt_json_parse_tok(), with a message. */
	if (tok)
		json_tokener_set_flags(tok, (flags & VBT_JSON_STRICT ?
					     JSON_TOKENER_STRICT : 0)
#ifdef JSON_TOKENER_ALLOW_TRAILING_CHARS
				       | JSON_TOKENER_ALLOW_TRAILING_CHARS
#endif
				       );
	return tok;
}

struct json_object *vbt_json_parse_tok(struct json_tokener *tok,
				       const char *buf, size_t len, char *err,
				       size_t errlen)
{
	struct json_object *o;
	enum json_tokener_error je;
	size_t end;

	if (len > INT_MAX) {
		snprintf(err, errlen, "JSON text too large");
		return NULL;
	}
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	je = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!o || je != json_tokener_success) {
		snprintf(err, errlen, "%s at byte %zu",
			 je == json_tokener_continue ? "truncated JSON" :
			 json_tokener_error_desc(je), end);
		json_object_put(o);
		return NULL;
	}
	while (end < len && strchr(" \t\r\n", buf[end]))
		end++;
	if (end != len) {
		snprintf(err, errlen, "trailing bytes after the JSON value at "
			 "byte %zu", end);
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *vbt_json_parse(const char *buf, size_t len, int depth,
				   int flags, char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (len > INT_MAX) {
		snprintf(err, errlen, "JSON text too large");
		return NULL;
	}
	tok = vbt_json_tokener(depth, flags);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o = vbt_json_parse_tok(tok, buf, len, err, errlen);
	json_tokener_free(tok);
	return o;
}

struct json_object *vbt_jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

const char *vbt_jstr(struct json_object *o, const char *key)
{
	struct json_object *v = vbt_jget(o, key);

	return v && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

/*
 * Keys are string literals (see json.h): json-c need not copy them, which
 * matters when every block completion is streamed.
 */
void vbt_json_add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add_ex(o, key, s ? json_object_new_string(s) : NULL,
				  JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

void vbt_json_add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add_ex(o, key, json_object_new_int64(v),
				  JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

void vbt_json_add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add_ex(o, key, json_object_new_uint64(v),
				  JSON_C_OBJECT_ADD_CONSTANT_KEY);
}
