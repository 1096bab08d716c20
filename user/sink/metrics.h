/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus metrics of 'vblktrace watch': a small thread-safe registry
 * (the HTTP server renders it from its own thread) and its text exposition
 * (format 0.0.4).  Label cardinality is bounded: past the cap, new label
 * sets share one overflow series, so no error is ever uncounted; series
 * not incremented for a TTL are dropped, so VMs that come and go do not
 * grow the registry.
 */
#ifndef VBT_METRICS_H
#define VBT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "system/qemu/qemu.h"

#define VBT_METRICS_OVERFLOW	"__overflow__"
#define VBT_METRICS_MAX_SERIES	1000

enum vbt_io_label {
	VBT_IOL_SIDE, VBT_IOL_VM, VBT_IOL_DRIVE, VBT_IOL_DEV, VBT_IOL_OP,
	VBT_IOL_ERRNO, VBT_IOL_AIO, VBT_IOL_CACHE, VBT_IOL_N,
};

/* Values of the labels of vblktrace_io_errors_total, in that order. */
struct vbt_io_labels {
	const char *v[VBT_IOL_N];
};

enum vbt_exec_result {
	VBT_EXEC_OK, VBT_EXEC_FAILED, VBT_EXEC_TIMEOUT, VBT_EXEC_DROPPED,
	VBT_EXEC_NRESULTS,
};

struct vbt_metrics;

/* max_series: cap of io_errors and drive_info series each (0: default). */
struct vbt_metrics *vbt_metrics_new(unsigned int max_series);
void vbt_metrics_free(struct vbt_metrics *m);

void vbt_metrics_io_error(struct vbt_metrics *m, const struct vbt_io_labels *l,
			  uint64_t n, uint64_t now);
void vbt_metrics_lost(struct vbt_metrics *m, uint64_t n);
/* A request of @dev found stuck (@found), or the end of one found before. */
void vbt_metrics_stuck(struct vbt_metrics *m, const char *dev, bool found);
/* Replace the drive_info series by the drives of these VMs. */
void vbt_metrics_set_drives(struct vbt_metrics *m, const struct vbt_vm *vms,
			    int nvms);
void vbt_metrics_set_up(struct vbt_metrics *m, bool up);
void vbt_metrics_alert(struct vbt_metrics *m, int alert_type);
void vbt_metrics_exec(struct vbt_metrics *m, enum vbt_exec_result r);
/* Drop io_errors series not incremented since now - ttl. */
void vbt_metrics_expire(struct vbt_metrics *m, uint64_t now, uint64_t ttl);
/* Bumped by every change: the textfile is rewritten only when it moved. */
uint64_t vbt_metrics_generation(struct vbt_metrics *m);
unsigned int vbt_metrics_nseries(struct vbt_metrics *m);

/* The exposition text, malloc'd (NUL terminated); NULL on ENOMEM. */
char *vbt_metrics_render(struct vbt_metrics *m, size_t *len);

/*
 * A label value as the exposition format wants it: backslash, double quote
 * and newline escaped, invalid UTF-8 replaced by U+FFFD.  Returns the
 * length it needs (without the NUL), like snprintf.
 */
size_t vbt_prom_escape(const char *in, char *out, size_t len);

/* HTTP server (libmicrohttpd) on ADDR:PORT, :PORT, PORT or [V6]:PORT. */
struct vbt_metrics_http;
int vbt_metrics_http_start(struct vbt_metrics *m, const char *addr,
			   struct vbt_metrics_http **out, char *err,
			   size_t errlen);
/* "127.0.0.1:9877": where it really listens (port 0 picks one). */
const char *vbt_metrics_http_where(const struct vbt_metrics_http *h);
void vbt_metrics_http_stop(struct vbt_metrics_http *h);
/* Parse the address; 0 or -EINVAL. */
int vbt_metrics_parse_addr(const char *addr, void *sockaddr_storage,
			   unsigned int *socklen);

/* Links metrics_p11.c (p11-kit stand-ins for the static GnuTLS); no-op. */
void vbt_metrics_tls_unused(void);

/* DIR/vblktrace.prom, written to a temporary file and renamed. */
int vbt_metrics_textfile_write(struct vbt_metrics *m, const char *dir);

#endif
