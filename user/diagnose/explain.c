// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace explain: the line reader (any bytes, bounded lines), the
 * pattern dispatch and the output.  Unknown lines are passed over and
 * counted; lines longer than the limit are skipped and counted; bytes that
 * are not printable UTF-8 become '?' before any pattern sees them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/explain.h"
#include "util/text_safe.h"

/* ---- helpers for the pattern files ---- */

void ex_set(struct ex_hit *h, const char *id, const char *source,
	    const char *level)
{
	h->id = id;
	h->source = source;
	h->level = level;
	if (!h->fields)
		h->fields = json_object_new_object();
}

void ex_summary(struct ex_hit *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->summary, sizeof(h->summary), fmt, ap);
	va_end(ap);
}

void ex_detail(struct ex_hit *h, const char *fmt, ...)
{
	size_t n = strlen(h->detail);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->detail + n, sizeof(h->detail) - n, fmt, ap);
	va_end(ap);
}

void ex_fstr(struct ex_hit *h, const char *key, const char *val)
{
	if (h->fields && val)
		json_object_object_add(h->fields, key,
				       json_object_new_string(val));
}

void ex_fint(struct ex_hit *h, const char *key, long long val)
{
	if (h->fields)
		json_object_object_add(h->fields, key,
				       json_object_new_int64(val));
}

void ex_fbool(struct ex_hit *h, const char *key, bool val)
{
	if (h->fields)
		json_object_object_add(h->fields, key,
				       json_object_new_boolean(val));
}

const char *ex_after(const char *line, const char *prefix, const char *stops,
		     char *buf, size_t len)
{
	const char *p = strstr(line, prefix);
	size_t n;

	if (!p || !len)
		return NULL;
	p += strlen(prefix);
	n = strcspn(p, stops);
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

int ex_errno_from_text(const char *s)
{
	static const struct {
		const char *text;
		int err;
	} t[] = {
		{ "Input/output error", EIO },
		{ "No space left on device", ENOSPC },
		{ "Invalid argument", EINVAL },
		{ "Operation not supported", EOPNOTSUPP },
		{ "Permission denied", EACCES },
		{ "Operation not permitted", EPERM },
		{ "No such file or directory", ENOENT },
		{ "Read-only file system", EROFS },
		{ "Disk quota exceeded", EDQUOT },
		{ "No such device", ENODEV },
		{ "Function not implemented", ENOSYS },
		{ "Device or resource busy", EBUSY },
		{ "Connection timed out", ETIMEDOUT },
		{ "Broken pipe", EPIPE },
		{ "Remote I/O error", EREMOTEIO },
		{ "No data available", ENODATA },
	};

	for (size_t i = 0; s && i < sizeof(t) / sizeof(t[0]); i++)
		if (strstr(s, t[i].text))
			return t[i].err;
	return 0;
}

void ex_hit_clear(struct ex_hit *h)
{
	json_object_put(h->fields);
	memset(h, 0, sizeof(*h));
}

bool ex_explain_line(struct ex_ctx *ctx, const char *line, struct ex_hit *h)
{
	static const struct ex_pattern *const tables[] = {
		ex_scsi_patterns, ex_kernel_patterns, ex_qemu_patterns,
		ex_arm64_patterns, ex_hung_patterns,
	};

	memset(h, 0, sizeof(*h));
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (const struct ex_pattern *p = tables[t]; p->id; p++) {
			if (p->match(line, ctx, h)) {
				if (!h->id)
					ex_set(h, p->id, p->source, "info");
				return true;
			}
			ex_hit_clear(h);
		}
	}
	return false;
}

/* ---- reading ---- */

/* Replace what is not printable UTF-8 by '?', in place; returns length. */
static size_t sanitize(unsigned char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		s[--n] = '\0';
	/* never longer than its input: safe in place */
	vbt_text_safe_n((char *)s, n, (char *)s, n + 1,
			VBT_TS_REPLACE | VBT_TS_TAB);
	return n;
}

/* Text pasted from web pages has typographic quotes: make them ASCII. */
static void plain_quotes(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 &&
		    ((unsigned char)s[2] == 0x98 || (unsigned char)s[2] == 0x99 ||
		     (unsigned char)s[2] == 0x9c || (unsigned char)s[2] == 0x9d)) {
			*o++ = (unsigned char)s[2] >= 0x9c ? '"' : '\'';
			s += 2;
			continue;
		}
		*o++ = *s;
	}
	*o = '\0';
}

struct reader {
	FILE *in;
	char *buf;
	size_t cap;
};

/* Next line into r->buf.  Returns its length, -1 at EOF, -2 for a line
 * longer than the limit (consumed and dropped). */
static long next_line(struct reader *r)
{
	size_t n = 0;
	bool too_long = false, any = false;
	int c;

	while ((c = getc(r->in)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (n < r->cap)
			r->buf[n++] = c;
		else
			too_long = true;
	}
	if (!any)
		return -1;
	if (too_long)
		return -2;
	r->buf[n] = '\0';
	return n;
}

/* ---- output ---- */

static void print_fields_text(FILE *out, json_object *f)
{
	int col = 0;

	json_object_object_foreach(f, k, v) {
		const char *s = json_object_get_string(v);
		int w = strlen(k) + strlen(s ? s : "") + 2;

		if (col && col + w > 76) {
			fputc('\n', out);
			col = 0;
		}
		col += fprintf(out, "%s%s=%s", col ? " " : "    ", k,
			       s ? s : "null");
	}
	if (col)
		fputc('\n', out);
}

static void print_wrapped(FILE *out, const char *s)
{
	int col = 0;

	while (*s) {
		size_t w = strcspn(s, " \n");

		if (col && col + 1 + (int)w > 78) {
			fputc('\n', out);
			col = 0;
		}
		col += fprintf(out, "%s%.*s", col ? " " : "    ", (int)w, s);
		s += w;
		if (*s == '\n') {
			fputc('\n', out);
			col = 0;
		}
		s += strspn(s, " \n");
	}
	if (col)
		fputc('\n', out);
}

static void emit(FILE *out, const struct ex_opts *o, long lineno,
		 const char *line, const struct ex_hit *h)
{
	if (o->json) {
		json_object *j = json_object_new_object();
		char text[1024];

		snprintf(text, sizeof(text), "%s", line);
		json_object_object_add(j, "v", json_object_new_int(1));
		json_object_object_add(j, "kind",
				       json_object_new_string("explanation"));
		json_object_object_add(j, "line", json_object_new_int64(lineno));
		json_object_object_add(j, "pattern",
				       json_object_new_string(h->id));
		json_object_object_add(j, "source",
				       json_object_new_string(h->source));
		json_object_object_add(j, "level",
				       json_object_new_string(h->level));
		json_object_object_add(j, "text", json_object_new_string(text));
		json_object_object_add(j, "fields", json_object_get(h->fields));
		json_object_object_add(j, "summary",
				       json_object_new_string(h->summary));
		json_object_object_add(j, "explanation",
				       json_object_new_string(h->detail));
		fprintf(out, "%s\n", json_object_to_json_string_ext(j,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
		return;
	}
	fprintf(out, "line %ld [%s %s] %s\n  %.200s%s\n", lineno, h->source,
		h->id, h->summary, line, strlen(line) > 200 ? "..." : "");
	if (json_object_object_length(h->fields))
		print_fields_text(out, h->fields);
	if (h->detail[0])
		print_wrapped(out, h->detail);
	fputc('\n', out);
}

static void summary(FILE *out, const struct ex_opts *o,
		    const struct ex_stats *st)
{
	if (o->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "v", json_object_new_int(1));
		json_object_object_add(j, "kind",
				       json_object_new_string("summary"));
		json_object_object_add(j, "summary", json_object_new_boolean(1));
		json_object_object_add(j, "lines", json_object_new_int64(st->lines));
		json_object_object_add(j, "recognised",
				       json_object_new_int64(st->recognised));
		json_object_object_add(j, "unknown",
				       json_object_new_int64(st->unknown));
		json_object_object_add(j, "skipped",
				       json_object_new_int64(st->skipped));
		json_object_object_add(j, "patterns",
				       json_object_get(st->by_pattern));
		fprintf(out, "%s\n", json_object_to_json_string_ext(j,
			JSON_C_TO_STRING_PLAIN));
		json_object_put(j);
		return;
	}
	fprintf(out, "%ld line%s: %ld recognised, %ld unknown (passed over)",
		st->lines, st->lines == 1 ? "" : "s", st->recognised,
		st->unknown);
	if (st->skipped)
		fprintf(out, ", %ld skipped (longer than the line limit)",
			st->skipped);
	fputc('\n', out);
	if (st->recognised) {
		fprintf(out, "  by pattern:");
		json_object_object_foreach(st->by_pattern, k, v)
			fprintf(out, " %s=%d", k, json_object_get_int(v));
		fputc('\n', out);
	}
}

int ex_run(FILE *in, FILE *out, struct ex_ctx *ctx, const struct ex_opts *o,
	   struct ex_stats *st)
{
	struct reader r = { in, NULL, o->max_line ? o->max_line : EX_MAX_LINE };
	struct ex_hit h;
	long len;

	memset(st, 0, sizeof(*st));
	st->by_pattern = json_object_new_object();
	r.buf = malloc(r.cap + 1);
	if (!r.buf || !st->by_pattern)
		return -ENOMEM;
	while ((len = next_line(&r)) != -1) {
		json_object *cnt;

		st->lines++;
		if (len == -2) {
			st->skipped++;
			continue;
		}
		sanitize((unsigned char *)r.buf, len);
		plain_quotes(r.buf);
		if (!ex_explain_line(ctx, r.buf, &h)) {
			st->unknown++;
			if (o->verbose && !o->json && r.buf[0])
				fprintf(out, "line %ld: not recognised\n",
					st->lines);
			continue;
		}
		st->recognised++;
		if (json_object_object_get_ex(st->by_pattern, h.id, &cnt))
			json_object_set_int(cnt, json_object_get_int(cnt) + 1);
		else
			json_object_object_add(st->by_pattern, h.id,
					       json_object_new_int(1));
		emit(out, o, st->lines, r.buf, &h);
		ex_hit_clear(&h);
	}
	summary(out, o, st);
	free(r.buf);
	return ferror(in) ? -EIO : 0;
}

void ex_stats_free(struct ex_stats *st)
{
	json_object_put(st->by_pattern);
	st->by_pattern = NULL;
}
