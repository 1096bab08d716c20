// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's option syntax ("QemuOpts" / "keyval"): "key=value,key2=value2",
 * where ",," in a value is a literal comma and a first element without '='
 * is the value of an implied key (-name NAME, -device virtio-blk-pci,...).
 * A later element without '=' is a boolean flag ("readonly" = "on").
 * Keys never contain ',' or '='; dotted keys nest ("cache.direct=on").
 * Also JSON options, and the helpers that read either spelling.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "system/qemu/qemu_int.h"
#include "util/json.h"

char *vbt_qstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Read a value up to a single ',' (",," is an escaped comma). */
static char *opt_value(const char **pp)
{
	const char *p = *pp;
	size_t n = 0;
	char *v, *q;

	for (const char *s = p; *s; s++, n++) {
		if (*s == ',') {
			if (s[1] != ',')
				break;
			s++;
		}
	}
	v = malloc(n + 1);
	if (!v)
		return NULL;
	for (q = v; *p; p++) {
		if (*p == ',') {
			if (p[1] != ',')
				break;
			p++;
		}
		*q++ = *p;
	}
	*q = '\0';
	*pp = p;
	return v;
}

static int opts_push(struct vbt_qopts *o, char *key, char *val)
{
	struct vbt_qkv *kv;

	if (!key || !val)
		goto fail;
	if (o->n >= VBT_QOPTS_MAX_PAIRS) {
		errno = E2BIG;
		goto fail;
	}
	kv = realloc(o->kv, (o->n + 1) * sizeof(*kv));
	if (!kv)
		goto fail;
	o->kv = kv;
	o->kv[o->n].key = key;
	o->kv[o->n].val = val;
	o->n++;
	return 0;
fail:
	free(key);
	free(val);
	return -1;
}

int vbt_qopts_parse(const char *s, const char *implied_key,
		   struct vbt_qopts *o, char *err, size_t errlen)
{
	const char *p = s;
	bool first = true;

	memset(o, 0, sizeof(*o));
	while (p && *p) {
		size_t klen = strcspn(p, "=,");
		char *key, *val;

		if (klen == 0 && *p == ',') {	/* empty element */
			p++;
			first = false;
			continue;
		}
		errno = ENOMEM;
		if (p[klen] == '=') {
			key = strndup(p, klen);
			p += klen + 1;
			val = opt_value(&p);
		} else if (first && implied_key) {
			key = strdup(implied_key);
			val = opt_value(&p);
		} else {
			key = strndup(p, klen);
			val = strdup("on");
			p += klen;
		}
		if (opts_push(o, key, val) < 0) {
			vbt_seterr(err, errlen, 0, "option string: %s",
				   errno == E2BIG ? "too many keys" :
				   "out of memory");
			vbt_qopts_free(o);
			return errno == E2BIG ? -E2BIG : -ENOMEM;
		}
		if (*p == ',')
			p++;
		first = false;
	}
	return 0;
}

const char *vbt_qopts_get(const struct vbt_qopts *o, const char *key)
{
	for (int i = o->n - 1; i >= 0; i--)	/* QEMU: the last one wins */
		if (!strcmp(o->kv[i].key, key))
			return o->kv[i].val;
	return NULL;
}

void vbt_qopts_free(struct vbt_qopts *o)
{
	for (int i = 0; i < o->n; i++) {
		free(o->kv[i].key);
		free(o->kv[i].val);
	}
	free(o->kv);
	memset(o, 0, sizeof(*o));
}

/* Put @val at dotted @key under @root, creating objects on the way. */
static void crumple_one(json_object *root, const char *key, const char *val)
{
	char part[256];
	json_object *cur = root, *next;
	const char *dot;
	int depth = 0;

	while ((dot = strchr(key, '.'))) {
		size_t n = dot - key;

		if (!n || n >= sizeof(part) || ++depth > VBT_QEMU_MAX_DEPTH)
			return;
		memcpy(part, key, n);
		part[n] = '\0';
		if (!json_object_object_get_ex(cur, part, &next) ||
		    !json_object_is_type(next, json_type_object)) {
			/* A scalar here conflicts; the nested form wins. */
			next = json_object_new_object();
			if (!next)
				return;
			json_object_object_add(cur, part, next);
		}
		cur = next;
		key = dot + 1;
	}
	if (*key && strlen(key) < sizeof(part))
		json_object_object_add(cur, key, json_object_new_string(val));
}

json_object *vbt_qopts_crumple(const struct vbt_qopts *o,
			      bool (*skip)(const char *key))
{
	json_object *root = json_object_new_object();

	for (int i = 0; root && i < o->n; i++)
		if (!skip || !skip(o->kv[i].key))
			crumple_one(root, o->kv[i].key, o->kv[i].val);
	return root;
}

const char *vbt_qjson_str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_int:
	case json_type_boolean:
	case json_type_double:
		return json_object_get_string(v);
	default:
		return NULL;
	}
}

int vbt_qparse_bool(const char *s)
{
	static const char *const on[] = { "on", "true", "yes", "1" };
	static const char *const off[] = { "off", "false", "no", "0" };

	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		if (!strcmp(s, on[i]))
			return 1;
		if (!strcmp(s, off[i]))
			return 0;
	}
	return -1;
}

int vbt_qjson_bool(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !v)
		return -1;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	if (json_object_is_type(v, json_type_string))
		return vbt_qparse_bool(json_object_get_string(v));
	return -1;
}

unsigned int vbt_qparse_size(const char *s)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return 0;
	switch (*end) {
	case 'k': case 'K':
		v <<= 10;
		end++;
		break;
	case 'm': case 'M':
		v <<= 20;
		end++;
		break;
	case 'b': case 'B':
		end++;
		break;
	}
	if (*end || v > UINT_MAX)
		return 0;
	return v;
}

json_object *vbt_qjson_parse(const char *s, char *err, size_t errlen)
{
	char msg[128];
	json_object *o;

	o = vbt_json_parse(s, strlen(s), VBT_QEMU_MAX_DEPTH, 0, msg,
			   sizeof(msg));
	if (!o) {
		vbt_seterr(err, errlen, 0, "bad JSON: %s", msg);
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		vbt_seterr(err, errlen, 0, "JSON option is not an object");
		json_object_put(o);
		return NULL;
	}
	return o;
}

json_object *vbt_qemu_opt_json(const char *arg, const char *implied_key,
			       bool nest, char *err, size_t errlen)
{
	struct vbt_qopts o;
	json_object *j;

	arg += strspn(arg, " \t\n");
	if (*arg == '{')
		return vbt_qjson_parse(arg, err, errlen);
	if (vbt_qopts_parse(arg, implied_key, &o, err, errlen) < 0)
		return NULL;
	if (nest) {
		j = vbt_qopts_crumple(&o, NULL);
	} else {
		j = json_object_new_object();
		for (int i = 0; j && i < o.n; i++)
			if (o.kv[i].val)
				json_object_object_add(j, o.kv[i].key,
					json_object_new_string(o.kv[i].val));
	}
	vbt_qopts_free(&o);
	return j;
}
