// SPDX-License-Identifier: GPL-2.0
/*
 * Redaction of secrets from command lines, kernel command lines and libvirt
 * XML before they enter a bundle.  See redact.h for what is a secret.
 * Structured input is parsed with the real parsers (json-c for JSON
 * options, libxml2 for XML); QEMU's key=value,key=value syntax (with ",,"
 * for a literal comma) is split here, keeping the raw bytes of everything
 * that is not redacted.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "redact/redact.h"
#include "util/json.h"

struct sb {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->s, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void sb_str(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static char *sb_done(struct sb *b)
{
	if (b->oom) {
		free(b->s);
		return NULL;
	}
	if (!b->s)
		return strdup("");
	return b->s;
}

void vbt_redact_init(struct vbt_redactions *r)
{
	memset(r, 0, sizeof(*r));
}

void vbt_redact_free(struct vbt_redactions *r)
{
	for (int i = 0; i < r->nwhat; i++)
		free(r->what[i]);
	for (int i = 0; i < r->nvalues; i++)
		free(r->values[i]);
	memset(r, 0, sizeof(*r));
}

void vbt_redact_note(struct vbt_redactions *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	for (int i = 0; i < r->nwhat; i++) {
		if (!strcmp(r->what[i], s)) {
			free(s);
			return;
		}
	}
	if (r->nwhat == VBT_REDACT_MAX) {
		free(s);
		return;
	}
	r->what[r->nwhat++] = s;
}

void vbt_redact_value(struct vbt_redactions *r, const char *v, size_t len)
{
	char *s;

	size_t blank = 0;

	if (len < VBT_REDACT_MIN_SCRUB || !strcmp(v, VBT_REDACTED))
		return;
	/* Layout (the indentation around XML elements) is no secret, and
	 * scrubbing it would cut through every JSON and XML file. */
	while (blank < len && isspace((unsigned char)v[blank]))
		blank++;
	if (blank == len)
		return;
	for (int i = 0; i < r->nvalues; i++)
		if (strlen(r->values[i]) == len && !memcmp(r->values[i], v, len))
			return;
	if (r->nvalues == VBT_REDACT_MAX)
		return;
	s = strndup(v, len);
	if (s)
		r->values[r->nvalues++] = s;
}

static bool has_word(const char *k, size_t len, const char *w)
{
	size_t wl = strlen(w);

	for (size_t i = 0; i + wl <= len; i++)
		if (!strncasecmp(k + i, w, wl))
			return true;
	return false;
}

static bool ends_with(const char *k, size_t len, const char *w)
{
	size_t wl = strlen(w);

	return len >= wl && !strncasecmp(k + len - wl, w, wl);
}

static bool is_word(const char *k, size_t len, const char *w)
{
	return strlen(w) == len && !strncasecmp(k, w, len);
}

bool vbt_redact_key_is_secret(const char *key, size_t len, bool in_secret_obj)
{
	const char *dot = NULL;

	/* "file.password": the last component decides */
	for (size_t i = 0; i < len; i++)
		if (key[i] == '.')
			dot = key + i;
	if (dot) {
		len -= dot + 1 - key;
		key = dot + 1;
	}
	/* password-secret=ID, key-secret=ID, keyid=ID name a secret object */
	if (ends_with(key, len, "-secret") || ends_with(key, len, "_secret") ||
	    is_word(key, len, "keyid"))
		return false;
	if (in_secret_obj && (is_word(key, len, "data") ||
			      is_word(key, len, "iv")))
		return true;
	return is_word(key, len, "key") || is_word(key, len, "secret") ||
	       is_word(key, len, "pass") || is_word(key, len, "pw") ||
	       is_word(key, len, "auth") || is_word(key, len, "sig") ||
	       has_word(key, len, "password") || has_word(key, len, "passwd") ||
	       has_word(key, len, "passphrase") || has_word(key, len, "token") ||
	       has_word(key, len, "cookie") || has_word(key, len, "signature") ||
	       has_word(key, len, "credential") ||
	       has_word(key, len, "authorization") ||
	       has_word(key, len, "apikey") || has_word(key, len, "api_key") ||
	       has_word(key, len, "api-key") || has_word(key, len, "private");
}

/*
 * A query-string key that may carry a credential: every key the options
 * call secret, and what URL signing and bearer schemes use (sig=,
 * X-Amz-Signature=, X-Amz-Security-Token=, client_secret=, session=...).
 * Query values are not references to secret objects, so "-secret" and
 * "_secret" count here too.
 */
static bool query_key_is_secret(const char *key, size_t len)
{
	return vbt_redact_key_is_secret(key, len, false) ||
	       has_word(key, len, "secret") || has_word(key, len, "sig") ||
	       has_word(key, len, "key") || has_word(key, len, "auth") ||
	       has_word(key, len, "pass") || has_word(key, len, "session") ||
	       has_word(key, len, "cred");
}

/* Where a URL's authority or query ends in free text. */
static bool url_stop(char c)
{
	return !c || strchr("\"'<> \t\n", c);
}

/*
 * A query string "k=v&k2=v2" (';' also separates) up to @end: the value
 * of every key that may carry a credential is redacted.
 */
static void redact_query(struct vbt_redactions *r, struct sb *b,
			 const char *q, const char *end, const char *where,
			 bool *changed)
{
	while (q < end) {
		const char *e = q, *eq = NULL;

		while (e < end && *e != '&' && *e != ';') {
			if (*e == '=' && !eq)
				eq = e;
			e++;
		}
		if (eq && query_key_is_secret(q, eq - q) && e > eq + 1) {
			sb_add(b, q, eq + 1 - q);
			vbt_redact_value(r, eq + 1, e - eq - 1);
			sb_str(b, VBT_REDACTED);
			vbt_redact_note(r, "%s: URL query %.*s", where,
					(int)(eq - q), q);
			*changed = true;
		} else {
			sb_add(b, q, e - q);
		}
		if (e < end)
			sb_add(b, e, 1);
		q = e + 1;
	}
}

/*
 * URLs in free text: userinfo ("scheme://user:pa,ss@host" -> "scheme://
 * <redacted>@host": the authority ends at '/', '?' or '#', and its last
 * '@' ends the userinfo, commas and all) and credential query keys.
 */
static void redact_urls(struct vbt_redactions *r, struct sb *b, const char *p,
			const char *where, bool *changed)
{
	const char *u;

	while ((u = strstr(p, "://"))) {
		const char *a = u + 3, *at = NULL, *q;

		for (q = a; !url_stop(*q) && !strchr("/?#", *q); q++)
			if (*q == '@')
				at = q;
		sb_add(b, p, a - p);
		if (at) {
			vbt_redact_value(r, a, at - a);
			sb_str(b, VBT_REDACTED);
			vbt_redact_note(r, "%s: URL userinfo", where);
			*changed = true;
			a = at;
		}
		while (!url_stop(*q) && *q != '?')
			q++;
		sb_add(b, a, q - a);
		if (*q == '?') {
			const char *end = q + 1;

			while (!url_stop(*end) && *end != '#')
				end++;
			sb_add(b, q, 1);
			redact_query(r, b, q + 1, end, where, changed);
			q = end;
		}
		p = q;
	}
	sb_str(b, p);
}

/* rbd:POOL/IMAGE[@SNAP][:KEY=VALUE]...: ':' separates, '\' escapes; a
 * value may hold anything else, commas included (mon_host=a,b). */
static char *redact_rbd(struct vbt_redactions *r, const char *s,
			const char *where, bool *changed)
{
	const char *p = strstr(s, "rbd:"), *q;
	struct sb o = { 0 };

	if (!p)
		return strdup(s);
	q = p + 4;
	sb_add(&o, s, q - s);
	while (*q) {
		const char *e = q, *eq = NULL;

		while (*e && *e != ':') {
			if (*e == '\\' && e[1])
				e++;
			else if (*e == '=' && !eq)
				eq = e;
			e++;
		}
		if (eq && vbt_redact_key_is_secret(q, eq - q, false)) {
			sb_add(&o, q, eq + 1 - q);
			vbt_redact_value(r, eq + 1, e - eq - 1);
			sb_str(&o, VBT_REDACTED);
			vbt_redact_note(r, "%s: rbd %.*s", where, (int)(eq - q),
					q);
			*changed = true;
		} else {
			sb_add(&o, q, e - q);
		}
		if (!*e)
			break;
		sb_add(&o, e, 1);
		q = e + 1;
	}
	return sb_done(&o);
}

static char *redact_json_text(struct vbt_redactions *r, const char *json,
			      const char *where, bool *changed);

/*
 * One value as QEMU reads it (commas unescaped): a "json:{...}" filename
 * is JSON and redacted as such (unparsable: redacted whole), then URLs
 * and rbd strings.
 */
static char *redact_text(struct vbt_redactions *r, const char *s,
			 const char *where, bool *changed)
{
	struct sb b = { 0 };
	char *t, *out;

	if (!strncmp(s, "json:", 5)) {
		char *j = redact_json_text(r, s + 5, where, changed);

		if (!j) {
			vbt_redact_value(r, s + 5, strlen(s + 5));
			vbt_redact_note(r, "%s: unparsable json: filename", where);
			*changed = true;
			return strdup(VBT_REDACTED);
		}
		if (asprintf(&out, "json:%s", j) < 0)
			out = NULL;
		free(j);
		return out;
	}
	redact_urls(r, &b, s, where, changed);
	t = sb_done(&b);
	if (!t)
		return NULL;
	out = redact_rbd(r, t, where, changed);
	free(t);
	return out;
}

static bool secret_type(const char *t, size_t len)
{
	return is_word(t, len, "secret") || is_word(t, len, "secret_keyring");
}

/* ---- JSON options (-blockdev '{...}', -object '{...}') ------------------ */

static void json_walk(struct vbt_redactions *r, struct json_object *o,
		      const char *where, bool *changed);

static void json_walk_obj(struct vbt_redactions *r, struct json_object *o,
			  const char *where, bool *changed)
{
	struct json_object *t = NULL, *idv = NULL;
	bool secret_obj = false;
	const char *id = "";

	if (json_object_object_get_ex(o, "qom-type", &t) &&
	    json_object_is_type(t, json_type_string))
		secret_obj = secret_type(json_object_get_string(t),
					 json_object_get_string_len(t));
	if (json_object_object_get_ex(o, "id", &idv) &&
	    json_object_is_type(idv, json_type_string))
		id = json_object_get_string(idv);
	json_object_object_foreach(o, key, val) {
		if (vbt_redact_key_is_secret(key, strlen(key), secret_obj)) {
			const char *v = json_object_get_string(val);

			if (v)
				vbt_redact_value(r, v, strlen(v));
			json_object_object_add(o, key,
					       json_object_new_string(VBT_REDACTED));
			if (secret_obj)
				vbt_redact_note(r, "%s: secret object id=%s: %s",
						where, id, key);
			else
				vbt_redact_note(r, "%s: %s", where, key);
			*changed = true;
			continue;
		}
		if (json_object_is_type(val, json_type_string)) {
			bool ch = false;
			char *red = redact_text(r, json_object_get_string(val),
						where, &ch);

			if (red && ch) {
				json_object_object_add(o, key,
						       json_object_new_string(red));
				*changed = true;
			}
			free(red);
			continue;
		}
		json_walk(r, val, where, changed);
	}
}

static void json_walk(struct vbt_redactions *r, struct json_object *o,
		      const char *where, bool *changed)
{
	if (json_object_is_type(o, json_type_object)) {
		json_walk_obj(r, o, where, changed);
	} else if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);

		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(o, i);

			if (json_object_is_type(e, json_type_string)) {
				bool ch = false;
				char *red = redact_text(r,
						json_object_get_string(e),
						where, &ch);

				if (red && ch) {
					json_object_array_put_idx(o, i,
						json_object_new_string(red));
					*changed = true;
				}
				free(red);
			} else {
				json_walk(r, e, where, changed);
			}
		}
	}
}

/* JSON text redacted, re-serialised if anything changed; NULL if it is
 * not exactly one JSON value. */
static char *redact_json_text(struct vbt_redactions *r, const char *json,
			      const char *where, bool *changed)
{
	char msg[128];
	struct json_object *o = vbt_json_parse_exact(json, strlen(json), 32,
						     msg, sizeof(msg));
	bool ch = false;
	char *out;

	if (!o)
		return NULL;
	json_walk(r, o, where, &ch);
	out = strdup(ch ? json_object_to_json_string_ext(o,
				JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE) : json);
	json_object_put(o);
	*changed |= ch;
	return out;
}

static char *redact_json_arg(struct vbt_redactions *r, const char *arg,
			     const char *where, bool *ok)
{
	char msg[128];
	struct json_object *o = vbt_json_parse_exact(arg, strlen(arg), 32, msg,
						     sizeof(msg));
	bool changed = false;
	char *out = NULL;

	*ok = o != NULL;
	if (!o)
		return NULL;
	json_walk(r, o, where, &changed);
	out = strdup(changed ? json_object_to_json_string_ext(o,
				JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE) : arg);
	json_object_put(o);
	return out;
}

/* ---- QEMU key=value,... -------------------------------------------------- */

/* End of the element starting at p: the next ',' not doubled. */
static const char *elem_end(const char *p)
{
	while (*p) {
		if (*p == ',') {
			if (p[1] != ',')
				return p;
			p++;
		}
		p++;
	}
	return p;
}

static char *unescape_commas(const char *v, size_t n)
{
	char *o = malloc(n + 1), *q = o;

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		*q++ = v[i];
		if (v[i] == ',' && i + 1 < n && v[i + 1] == ',')
			i++;
	}
	*q = '\0';
	return o;
}

static void escape_commas(struct sb *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ',')
			sb_str(b, ",,");
		else
			sb_add(b, s, 1);
	}
}

static bool kv_secret_object(const char *opt, const char *arg)
{
	const char *p = arg;

	if (!opt || strcmp(opt, "-object"))
		return false;
	while (*p) {
		const char *e = elem_end(p), *eq = memchr(p, '=', e - p);

		if (!eq && p == arg && secret_type(p, e - p))
			return true;
		if (eq && is_word(p, eq - p, "qom-type") &&
		    secret_type(eq + 1, e - eq - 1))
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

static void kv_id(const char *arg, char *id, size_t len)
{
	const char *p = arg;

	id[0] = 0;
	while (*p) {
		const char *e = elem_end(p);

		if (!strncmp(p, "id=", 3)) {
			snprintf(id, len, "%.*s", (int)(e - p - 3), p + 3);
			return;
		}
		p = *e ? e + 1 : e;
	}
}

static char *redact_kv_arg(struct vbt_redactions *r, const char *opt,
			   const char *arg, const char *where)
{
	bool secret_obj = kv_secret_object(opt, arg);
	struct sb b = { 0 };
	const char *p = arg;
	char id[64];

	kv_id(arg, id, sizeof(id));
	while (*p) {
		const char *e = elem_end(p), *eq = memchr(p, '=', e - p);

		if (eq && vbt_redact_key_is_secret(p, eq - p, secret_obj)) {
			sb_add(&b, p, eq + 1 - p);
			vbt_redact_value(r, eq + 1, e - eq - 1);
			sb_str(&b, VBT_REDACTED);
			if (secret_obj)
				vbt_redact_note(r, "%s: -object secret id=%s: "
						"%.*s", where, id,
						(int)(eq - p), p);
			else
				vbt_redact_note(r, "%s: %s %.*s", where,
						opt ? opt : "argument",
						(int)(eq - p), p);
		} else {
			/* The value as QEMU reads it: ",," is one comma. */
			const char *v = eq ? eq + 1 : p;
			char *el = unescape_commas(v, e - v), *red;
			bool ch = false;

			red = el ? redact_text(r, el, where, &ch) : NULL;
			sb_add(&b, p, v - p);
			if (red && ch)
				escape_commas(&b, red);
			else if (red)
				sb_add(&b, v, e - v);
			else
				b.oom = true;
			free(el);
			free(red);
		}
		if (*e)
			sb_add(&b, e, 1);
		p = *e ? e + 1 : e;
	}
	return sb_done(&b);
}

char *vbt_redact_arg(struct vbt_redactions *r, const char *opt,
		     const char *arg, const char *where)
{
	bool changed = false, ok;
	char *out;

	/* QEMU takes every option with one dash or two: --object is -object. */
	if (opt && opt[0] == '-' && opt[1] == '-')
		opt++;
	if (arg[0] == '-')
		return redact_text(r, arg, where, &changed);
	if (opt && !strcmp(opt, "-append"))
		return vbt_redact_words(r, arg, where);
	if (arg[0] == '{') {
		out = redact_json_arg(r, arg, where, &ok);
		if (ok)
			return out;
		/* QEMU would read it as JSON too: what we cannot parse may
		 * hold anything, so none of it is kept. */
		vbt_redact_value(r, arg, strlen(arg));
		vbt_redact_note(r, "%s: unparsable JSON %s argument", where,
				opt ? opt : "");
		return strdup(VBT_REDACTED);
	}
	return redact_kv_arg(r, opt, arg, where);
}

/* ---- kernel command line ------------------------------------------------- */

char *vbt_redact_words(struct vbt_redactions *r, const char *s,
		       const char *where)
{
	struct sb b = { 0 };
	const char *p = s;

	while (*p) {
		const char *w = p, *eq = NULL, *e;
		bool quoted = false;

		while (*p && isspace((unsigned char)*p))
			p++;
		sb_add(&b, w, p - w);
		if (!*p)
			break;
		w = p;
		for (e = p; *e && (quoted || !isspace((unsigned char)*e)); e++) {
			if (*e == '"')
				quoted = !quoted;
			else if (*e == '=' && !eq)
				eq = e;
		}
		if (eq && vbt_redact_key_is_secret(w, eq - w, false)) {
			sb_add(&b, w, eq + 1 - w);
			vbt_redact_value(r, eq + 1, e - eq - 1);
			sb_str(&b, VBT_REDACTED);
			vbt_redact_note(r, "%s: %.*s", where, (int)(eq - w), w);
		} else {
			char *word = strndup(w, e - w), *red;
			bool ch = false;

			red = word ? redact_text(r, word, where, &ch) : NULL;
			if (red)
				sb_str(&b, red);
			else
				b.oom = true;
			free(word);
			free(red);
		}
		p = e;
	}
	return sb_done(&b);
}

/* ---- libvirt XML ----------------------------------------------------------- */

/* Set a text or attribute node's value verbatim: xmlNodeSetContent()
 * would parse '&' in an attribute value as an entity reference. */
static void xml_set_value(xmlNodePtr n, const char *v)
{
	if (n->type == XML_ATTRIBUTE_NODE && n->parent)
		xmlSetProp(n->parent, n->name, BAD_CAST v);
	else
		xmlNodeSetContent(n, BAD_CAST v);
}

static void xml_redact_node_value(struct vbt_redactions *r, xmlNodePtr n)
{
	xmlChar *v = xmlNodeGetContent(n);

	if (v) {
		vbt_redact_value(r, (const char *)v, strlen((const char *)v));
		xmlFree(v);
	}
	xml_set_value(n, VBT_REDACTED);
}

static void xml_redact_all(struct vbt_redactions *r, xmlNodePtr n)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next)
		if (a->children)
			xml_redact_node_value(r, (xmlNodePtr)a);
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			xml_redact_all(r, c);
		else if ((c->type == XML_TEXT_NODE ||
			  c->type == XML_CDATA_SECTION_NODE) &&
			 !xmlIsBlankNode(c))
			xml_redact_node_value(r, c);
	}
}

static void xml_walk(struct vbt_redactions *r, xmlNodePtr n, const char *where)
{
	for (; n; n = n->next) {
		const char *name = (const char *)n->name;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp(name, "auth") || !strcmp(name, "secret") ||
		    vbt_redact_key_is_secret(name, strlen(name), false)) {
			xml_redact_all(r, n);
			vbt_redact_note(r, "%s: <%s>", where, name);
			continue;
		}
		for (xmlAttrPtr a = n->properties; a; a = a->next) {
			const char *an = (const char *)a->name;
			xmlChar *v;

			if (vbt_redact_key_is_secret(an, strlen(an), false)) {
				xml_redact_node_value(r, (xmlNodePtr)a);
				vbt_redact_note(r, "%s: <%s %s=>", where, name,
						an);
				continue;
			}
			v = xmlNodeGetContent((xmlNodePtr)a);
			/* <source protocol='https' query='token=...'> */
			if (v && !strcmp(an, "query")) {
				struct sb q = { 0 };
				bool ch = false;
				const char *t = (const char *)v;

				redact_query(r, &q, t, t + strlen(t), where,
					     &ch);
				if (q.s && ch)
					xml_set_value((xmlNodePtr)a, q.s);
				free(sb_done(&q));
				xmlFree(v);
				continue;
			}
			if (v) {
				bool ch = false;
				char *red = redact_text(r, (const char *)v,
							where, &ch);

				if (red && ch)
					xml_set_value((xmlNodePtr)a, red);
				free(red);
				xmlFree(v);
			}
		}
		for (xmlNodePtr c = n->children; c; c = c->next) {
			if (c->type == XML_TEXT_NODE ||
			    c->type == XML_CDATA_SECTION_NODE) {
				bool ch = false;
				char *red = redact_text(r,
						(const char *)c->content, where,
						&ch);

				if (red && ch)
					xmlNodeSetContent(c, BAD_CAST red);
				free(red);
			}
		}
		xml_walk(r, n->children, where);
	}
}

static bool has_foreign_nodes(xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type == XML_ENTITY_REF_NODE || n->type == XML_ENTITY_NODE ||
		    n->type == XML_ENTITY_DECL || n->type == XML_DTD_NODE ||
		    n->type == XML_XINCLUDE_START)
			return true;
		if (n->type == XML_ELEMENT_NODE) {
			for (xmlAttrPtr a = n->properties; a; a = a->next)
				if (has_foreign_nodes(a->children))
					return true;
			if (has_foreign_nodes(n->children))
				return true;
		}
	}
	return false;
}

char *vbt_redact_xml(struct vbt_redactions *r, const char *xml, size_t len,
		     const char *where)
{
	xmlDocPtr doc;
	xmlChar *out = NULL;
	char *ret = NULL;
	int n = 0;

	if (len > 16 * 1024 * 1024)
		return NULL;
	/* No network, no DTD, no entity expansion: the text as it is. */
	doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	if (!doc)
		return NULL;
	/*
	 * libvirt writes no DTD.  An internal subset can declare entities
	 * whose text (a password) the walk below would never see as the
	 * content of <secret>: such a document is left out whole, as is
	 * one with entity references or nodes we do not walk.
	 */
	if (doc->intSubset || doc->extSubset || has_foreign_nodes(doc->children)) {
		vbt_redact_note(r, "%s: XML with a DTD or entities left out",
				where);
		xmlFreeDoc(doc);
		return NULL;
	}
	xml_walk(r, xmlDocGetRootElement(doc), where);
	xmlDocDumpMemory(doc, &out, &n);
	if (out)
		ret = strndup((const char *)out, n);
	xmlFree(out);
	xmlFreeDoc(doc);
	return ret;
}

/* ---- the last pass ------------------------------------------------------- */

static char *replace_all(const char *buf, size_t len, const char *v,
			 size_t vlen, size_t *outlen)
{
	struct sb b = { 0 };
	const char *p = buf, *end = buf + len, *hit;

	while (p < end && (hit = memmem(p, end - p, v, vlen))) {
		sb_add(&b, p, hit - p);
		sb_str(&b, VBT_REDACTED);
		p = hit + vlen;
	}
	sb_add(&b, p, end - p);
	*outlen = b.len;
	return sb_done(&b);
}

/* Replace one spelling of a secret; frees cur. */
static char *scrub_form(char *cur, size_t *n, const char *v, size_t vlen)
{
	char *next;

	if (!cur || vlen < VBT_REDACT_MIN_SCRUB)
		return cur;
	next = replace_all(cur, *n, v, vlen, n);
	free(cur);
	return next;
}

char *vbt_redact_scrub(const struct vbt_redactions *r, const char *buf,
		       size_t len, size_t *outlen)
{
	char *cur = malloc(len + 1);
	size_t n = len;

	if (!cur)
		return NULL;
	memcpy(cur, buf, len);
	cur[len] = 0;
	for (int i = 0; i < r->nvalues && cur; i++) {
		const char *v = r->values[i];
		struct json_object *js = json_object_new_string(v);
		const char *q;
		size_t ql;

		cur = scrub_form(cur, &n, v, strlen(v));
		/* In a QEMU option string a comma is written ",,". */
		if (strchr(v, ',')) {
			struct sb e = { 0 };

			escape_commas(&e, v);
			if (e.s)
				cur = scrub_form(cur, &n, e.s, e.len);
			free(sb_done(&e));
		}
		if (!js)
			continue;
		/* JSON members hold the value escaped ("a\"b", "c\\d"). */
		q = json_object_to_json_string_ext(js, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
		ql = strlen(q);
		if (ql >= 2 && (ql - 2 != strlen(v) || memcmp(q + 1, v, ql - 2)))
			cur = scrub_form(cur, &n, q + 1, ql - 2);
		json_object_put(js);
	}
	if (!cur)
		return NULL;
	*outlen = n;
	return cur;
}
