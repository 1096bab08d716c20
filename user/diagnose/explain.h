/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblktrace explain: recognise log lines of the guest kernel, QEMU (and its
 * QMP events), libvirt and mkfs.xfs, decode their numbers and say what they
 * mean.  Patterns live in a table (explain_kernel.c, explain_qemu.c); each
 * is a function that either leaves the line alone or fills a hit: decoded
 * fields (a json-c object, so text and JSON output share them) and prose.
 */
#ifndef VBT_EXPLAIN_H
#define VBT_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#define EX_MAX_LINE	(64 * 1024)	/* longer lines are skipped, counted */

struct ex_ctx {
	int kmajor, kminor;	/* guest kernel (flag layout); 0: unknown */
	bool kernel_forced;	/* --kernel given: ignore "Linux version" */
};

struct ex_hit {
	const char *id;		/* pattern id, e.g. "blk-error" */
	const char *source;	/* guest-kernel, qemu, qmp, libvirt, mkfs.xfs */
	const char *level;	/* error, warning, info */
	json_object *fields;	/* decoded fields (owned) */
	char summary[512];	/* one line */
	char detail[3072];	/* meaning, likely cause, what to do */
};

struct ex_pattern {
	const char *id;
	const char *source;
	bool (*match)(const char *line, struct ex_ctx *ctx, struct ex_hit *h);
};

extern const struct ex_pattern ex_kernel_patterns[];
extern const struct ex_pattern ex_qemu_patterns[];
extern const struct ex_pattern ex_scsi_patterns[];
extern const struct ex_pattern ex_arm64_patterns[];	/* explain_arm64.c */
extern const struct ex_pattern ex_hung_patterns[];	/* explain_hung.c */

/* Try every pattern; true and @h filled (free with ex_hit_clear) if one
 * recognised @line (NUL-terminated, no newline). */
bool ex_explain_line(struct ex_ctx *ctx, const char *line, struct ex_hit *h);
void ex_hit_clear(struct ex_hit *h);

struct ex_stats {
	long lines, recognised, unknown, skipped;	/* skipped: too long */
	json_object *by_pattern;			/* id -> count */
};

struct ex_opts {
	bool json;
	size_t max_line;	/* 0: EX_MAX_LINE */
	bool verbose;		/* text: also list the unknown lines */
};

/* Read @in line by line, explain to @out; any bytes are accepted. */
int ex_run(FILE *in, FILE *out, struct ex_ctx *ctx, const struct ex_opts *o,
	   struct ex_stats *st);
void ex_stats_free(struct ex_stats *st);

/* ---- helpers shared by the pattern files ---- */
void ex_set(struct ex_hit *h, const char *id, const char *source,
	    const char *level);
void ex_summary(struct ex_hit *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ex_detail(struct ex_hit *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ex_fstr(struct ex_hit *h, const char *key, const char *val);
void ex_fint(struct ex_hit *h, const char *key, long long val);
void ex_fbool(struct ex_hit *h, const char *key, bool val);
/* Copy the text after @prefix up to one of @stops into @buf; NULL if
 * @prefix is not in @line. */
const char *ex_after(const char *line, const char *prefix, const char *stops,
		     char *buf, size_t len);
/* "Input/output error" -> EIO; 0 if unknown. */
int ex_errno_from_text(const char *s);
/* Decode request flags (cmd_flags without the op) for kernel @maj.@min. */
json_object *ex_req_flags(unsigned int flags, int maj, int min,
			  const char **layout);

#endif /* VBT_EXPLAIN_H */
