// SPDX-License-Identifier: GPL-2.0
/* The metrics registry of 'vblktrace watch' and its text exposition. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sink/alert.h"
#include "sink/metrics.h"
#include "vblktrace/abi.h"

static const char *const io_label_names[VBT_IOL_N] = {
	"side", "vm", "drive", "dev", "op", "errno", "aio", "cache",
};

enum { DI_VM, DI_DRIVE, DI_IMAGE, DI_AIO, DI_CACHE, DI_DIRECT, DI_N };
static const char *const drive_label_names[DI_N] = {
	"vm", "drive", "image", "aio", "cache", "direct",
};

static const char *const exec_names[VBT_EXEC_NRESULTS] = {
	"ok", "failed", "timeout", "dropped",
};

struct series {
	struct series *next;
	char *v[VBT_IOL_N];
	uint64_t count;
	uint64_t touched;
};

struct drive_series {
	char *v[DI_N];
};

/* Stuck requests of one disk: ever found, and in flight now. */
struct stuck_series {
	char dev[40];
	uint64_t total;
	uint64_t now;
};

#define STUCK_DISKS 64		/* then one __overflow__ series */

struct vbt_metrics {
	pthread_mutex_t lock;
	unsigned int max_series;
	struct series **buckets;
	unsigned int nbuckets;
	unsigned int nseries;
	struct series *overflow;	/* label sets past the cap */
	uint64_t lost;
	struct drive_series *drives;
	unsigned int ndrives;
	uint64_t drives_dropped;	/* drives past the cap, last refresh */
	unsigned int nvms;
	bool up;
	uint64_t alerts[VBT_ALERT_NTYPES];
	uint64_t exec[VBT_EXEC_NRESULTS];
	uint64_t expired;
	double start_time;
	uint64_t generation;
	struct stuck_series stuck[STUCK_DISKS + 1];
	unsigned int nstuck;
};

/* A growing output buffer; on ENOMEM it stops growing and says so. */
struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void buf_reserve(struct buf *b, size_t more)
{
	char *p;
	size_t cap;

	if (b->oom || b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void __attribute__((format(printf, 2, 3)))
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, n);
	if (b->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += n;
}

/* Length of a valid UTF-8 sequence at s, or 0 (overlong, surrogate, ...). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

size_t vbt_prom_escape(const char *in, char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

#define PUT(ch) do { if (o + 1 < len) out[o] = (ch); o++; } while (0)
	while (*s) {
		size_t n = utf8_len(s);

		if (*s == '\\' || *s == '"') {
			PUT('\\');
			PUT(*s);
		} else if (*s == '\n') {
			PUT('\\');
			PUT('n');
		} else if (!n) {
			PUT('\xef');	/* U+FFFD */
			PUT('\xbf');
			PUT('\xbd');
			s++;
			continue;
		} else {
			for (size_t i = 0; i < n; i++)
				PUT(s[i]);
			s += n;
			continue;
		}
		s++;
	}
#undef PUT
	if (len)
		out[o < len ? o : len - 1] = 0;
	return o;
}

static void put_escaped(struct buf *b, const char *v)
{
	size_t n = vbt_prom_escape(v ? v : "", NULL, 0);

	buf_reserve(b, n);
	if (b->oom)
		return;
	vbt_prom_escape(v ? v : "", b->p + b->len, b->cap - b->len);
	b->len += n;
}

static void put_labels(struct buf *b, const char *const *names,
		       char *const *vals, int n)
{
	bprintf(b, "{");
	for (int i = 0; i < n; i++) {
		bprintf(b, "%s%s=\"", i ? "," : "", names[i]);
		put_escaped(b, vals[i]);
		bprintf(b, "\"");
	}
	bprintf(b, "}");
}

struct vbt_metrics *vbt_metrics_new(unsigned int max_series)
{
	struct vbt_metrics *m = calloc(1, sizeof(*m));
	struct timespec ts;

	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	m->max_series = max_series ? max_series : VBT_METRICS_MAX_SERIES;
	m->nbuckets = 1024;
	m->buckets = calloc(m->nbuckets, sizeof(*m->buckets));
	if (!m->buckets) {
		free(m);
		return NULL;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	m->start_time = ts.tv_sec + ts.tv_nsec / 1e9;
	return m;
}

static void series_free(struct series *s)
{
	for (int i = 0; i < VBT_IOL_N; i++)
		free(s->v[i]);
	free(s);
}

static void drives_clear(struct vbt_metrics *m)
{
	for (unsigned int i = 0; i < m->ndrives; i++)
		for (int j = 0; j < DI_N; j++)
			free(m->drives[i].v[j]);
	free(m->drives);
	m->drives = NULL;
	m->ndrives = 0;
}

void vbt_metrics_free(struct vbt_metrics *m)
{
	if (!m)
		return;
	for (unsigned int i = 0; i < m->nbuckets; i++) {
		struct series *s = m->buckets[i], *next;

		for (; s; s = next) {
			next = s->next;
			series_free(s);
		}
	}
	if (m->overflow)
		series_free(m->overflow);
	drives_clear(m);
	free(m->buckets);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static uint32_t labels_hash(const struct vbt_io_labels *l)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < VBT_IOL_N; i++) {
		for (const char *p = l->v[i] ? l->v[i] : ""; *p; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		h = (h ^ 0xff) * 16777619u;
	}
	return h;
}

static bool labels_eq(const struct series *s, const struct vbt_io_labels *l)
{
	for (int i = 0; i < VBT_IOL_N; i++)
		if (strcmp(s->v[i], l->v[i] ? l->v[i] : ""))
			return false;
	return true;
}

static struct series *series_new(const struct vbt_io_labels *l)
{
	struct series *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	for (int i = 0; i < VBT_IOL_N; i++) {
		s->v[i] = strdup(l->v[i] ? l->v[i] : "");
		if (!s->v[i]) {
			series_free(s);
			return NULL;
		}
	}
	return s;
}

static struct series *overflow_series(struct vbt_metrics *m, const char *side)
{
	struct vbt_io_labels l;

	if (m->overflow)
		return m->overflow;
	for (int i = 0; i < VBT_IOL_N; i++)
		l.v[i] = VBT_METRICS_OVERFLOW;
	l.v[VBT_IOL_SIDE] = side;
	m->overflow = series_new(&l);
	return m->overflow;
}

void vbt_metrics_io_error(struct vbt_metrics *m, const struct vbt_io_labels *l,
			  uint64_t n, uint64_t now)
{
	struct series **pp, *s;

	pthread_mutex_lock(&m->lock);
	pp = &m->buckets[labels_hash(l) % m->nbuckets];
	while (*pp && !labels_eq(*pp, l))
		pp = &(*pp)->next;
	s = *pp;
	if (!s && m->nseries < m->max_series) {
		s = *pp = series_new(l);
		if (s)
			m->nseries++;
	}
	if (!s)		/* the cap, or ENOMEM: counted all the same */
		s = overflow_series(m, l->v[VBT_IOL_SIDE]);
	if (s) {
		s->count += n;
		s->touched = now;
	}
	m->generation++;
	pthread_mutex_unlock(&m->lock);
}

void vbt_metrics_expire(struct vbt_metrics *m, uint64_t now, uint64_t ttl)
{
	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < m->nbuckets; i++) {
		struct series **pp = &m->buckets[i], *s;

		while ((s = *pp)) {
			if (now - s->touched < ttl) {
				pp = &s->next;
				continue;
			}
			*pp = s->next;
			series_free(s);
			m->nseries--;
			m->expired++;
			m->generation++;
		}
	}
	pthread_mutex_unlock(&m->lock);
}

void vbt_metrics_lost(struct vbt_metrics *m, uint64_t n)
{
	pthread_mutex_lock(&m->lock);
	m->lost += n;
	m->generation++;
	pthread_mutex_unlock(&m->lock);
}

void vbt_metrics_stuck(struct vbt_metrics *m, const char *dev, bool found)
{
	struct stuck_series *s = NULL;

	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < m->nstuck && !s; i++)
		if (!strcmp(m->stuck[i].dev, dev))
			s = &m->stuck[i];
	if (!s && m->nstuck < STUCK_DISKS) {
		s = &m->stuck[m->nstuck++];
		snprintf(s->dev, sizeof(s->dev), "%s", dev);
	}
	if (!s) {
		s = &m->stuck[STUCK_DISKS];
		snprintf(s->dev, sizeof(s->dev), "%s", VBT_METRICS_OVERFLOW);
	}
	if (found) {
		s->total++;
		s->now++;
	} else if (s->now) {
		s->now--;
	}
	m->generation++;
	pthread_mutex_unlock(&m->lock);
}

static char *dupstr(const char *s)
{
	return strdup(s ? s : "");
}

static int drive_fill(struct drive_series *d, const struct vbt_vm *vm,
		      const struct vbt_drive *dr)
{
	int direct = dr->fd_direct >= 0 ? dr->fd_direct : dr->direct;

	d->v[DI_VM] = dupstr(vbt_vm_label(vm));
	d->v[DI_DRIVE] = dupstr(dr->id ? dr->id : dr->drive);
	d->v[DI_IMAGE] = dupstr(dr->image);
	d->v[DI_AIO] = dupstr(dr->aio == VBT_AIO_UNKNOWN ? "" :
			      vbt_aio_name(dr->aio));
	d->v[DI_CACHE] = dupstr(dr->cache);
	d->v[DI_DIRECT] = dupstr(direct ? "true" : "false");
	for (int i = 0; i < DI_N; i++)
		if (!d->v[i])
			return -ENOMEM;
	return 0;
}

void vbt_metrics_set_drives(struct vbt_metrics *m, const struct vbt_vm *vms,
			    int nvms)
{
	struct drive_series *d;
	unsigned int n = 0, want = 0, dropped;

	for (int i = 0; i < nvms; i++)
		want += vms[i].ndrives;
	dropped = want > m->max_series ? want - m->max_series : 0;
	want -= dropped;
	d = calloc(want ? want : 1, sizeof(*d));
	for (int i = 0; d && i < nvms; i++)
		for (int j = 0; j < vms[i].ndrives && n < want; j++)
			if (drive_fill(&d[n++], &vms[i], &vms[i].drives[j]))
				goto oom;
	pthread_mutex_lock(&m->lock);
	drives_clear(m);
	m->drives = d;
	m->ndrives = d ? n : 0;
	m->drives_dropped = dropped;
	m->nvms = nvms;
	m->generation++;
	pthread_mutex_unlock(&m->lock);
	return;
oom:
	for (unsigned int i = 0; i < n; i++)
		for (int j = 0; j < DI_N; j++)
			free(d[i].v[j]);
	free(d);
}

void vbt_metrics_set_up(struct vbt_metrics *m, bool up)
{
	pthread_mutex_lock(&m->lock);
	m->up = up;
	m->generation++;
	pthread_mutex_unlock(&m->lock);
}

void vbt_metrics_alert(struct vbt_metrics *m, int type)
{
	if (type < 0 || type >= VBT_ALERT_NTYPES)
		return;
	pthread_mutex_lock(&m->lock);
	m->alerts[type]++;
	m->generation++;
	pthread_mutex_unlock(&m->lock);
}

void vbt_metrics_exec(struct vbt_metrics *m, enum vbt_exec_result r)
{
	if (r >= VBT_EXEC_NRESULTS)
		return;
	pthread_mutex_lock(&m->lock);
	m->exec[r]++;
	m->generation++;
	pthread_mutex_unlock(&m->lock);
}

uint64_t vbt_metrics_generation(struct vbt_metrics *m)
{
	uint64_t g;

	pthread_mutex_lock(&m->lock);
	g = m->generation;
	pthread_mutex_unlock(&m->lock);
	return g;
}

unsigned int vbt_metrics_nseries(struct vbt_metrics *m)
{
	unsigned int n;

	pthread_mutex_lock(&m->lock);
	n = m->nseries;
	pthread_mutex_unlock(&m->lock);
	return n;
}

static void head(struct buf *b, const char *name, const char *type,
		 const char *help)
{
	bprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void render_io_errors(struct vbt_metrics *m, struct buf *b)
{
	head(b, "vblktrace_io_errors_total", "counter",
	     "Failed I/Os seen (host side: QEMU syscalls, io_uring and AIO "
	     "completions, host block requests).");
	for (unsigned int i = 0; i < m->nbuckets; i++)
		for (struct series *s = m->buckets[i]; s; s = s->next) {
			bprintf(b, "vblktrace_io_errors_total");
			put_labels(b, io_label_names, s->v, VBT_IOL_N);
			bprintf(b, " %llu\n", (unsigned long long)s->count);
		}
	if (m->overflow) {
		bprintf(b, "vblktrace_io_errors_total");
		put_labels(b, io_label_names, m->overflow->v, VBT_IOL_N);
		bprintf(b, " %llu\n", (unsigned long long)m->overflow->count);
	}
	head(b, "vblktrace_io_error_series", "gauge",
	     "Label sets of vblktrace_io_errors_total (capped; the rest share "
	     "the " VBT_METRICS_OVERFLOW " series).");
	bprintf(b, "vblktrace_io_error_series %u\n", m->nseries);
	head(b, "vblktrace_io_error_series_expired_total", "counter",
	     "Series dropped after no increment for the TTL.");
	bprintf(b, "vblktrace_io_error_series_expired_total %llu\n",
		(unsigned long long)m->expired);
}

static void render_drives(struct vbt_metrics *m, struct buf *b)
{
	head(b, "vblktrace_drive_info", "gauge",
	     "One series per drive of every QEMU process being watched.");
	for (unsigned int i = 0; i < m->ndrives; i++) {
		bprintf(b, "vblktrace_drive_info");
		put_labels(b, drive_label_names, m->drives[i].v, DI_N);
		bprintf(b, " 1\n");
	}
	head(b, "vblktrace_drive_info_dropped", "gauge",
	     "Drives not exported because of the series cap.");
	bprintf(b, "vblktrace_drive_info_dropped %llu\n",
		(unsigned long long)m->drives_dropped);
	head(b, "vblktrace_vms", "gauge", "QEMU processes being watched.");
	bprintf(b, "vblktrace_vms %u\n", m->nvms);
}

static void render_stuck(struct vbt_metrics *m, struct buf *b)
{
	static const char *const name[] = { "dev" };
	const struct stuck_series *over = &m->stuck[STUCK_DISKS];

	head(b, "vblktrace_stuck_requests_total", "counter",
	     "Requests seen in flight past --stuck SEC, by disk.");
	for (unsigned int i = 0; i <= STUCK_DISKS; i++) {
		const struct stuck_series *s = &m->stuck[i];
		char *v = (char *)s->dev;

		if (i < m->nstuck || (s == over && s->total)) {
			bprintf(b, "vblktrace_stuck_requests_total");
			put_labels(b, name, &v, 1);
			bprintf(b, " %llu\n", (unsigned long long)s->total);
		}
	}
	head(b, "vblktrace_stuck_requests", "gauge",
	     "Requests in flight past --stuck SEC now, by disk.");
	for (unsigned int i = 0; i <= STUCK_DISKS; i++) {
		const struct stuck_series *s = &m->stuck[i];
		char *v = (char *)s->dev;

		if (i < m->nstuck || (s == over && s->total)) {
			bprintf(b, "vblktrace_stuck_requests");
			put_labels(b, name, &v, 1);
			bprintf(b, " %llu\n", (unsigned long long)s->now);
		}
	}
}

static void render_alerts(struct vbt_metrics *m, struct buf *b)
{
	head(b, "vblktrace_alerts_total", "counter",
	     "Alert records sent, by type (error, repeat, recovered).");
	for (int i = 0; i < VBT_ALERT_NTYPES; i++)
		bprintf(b, "vblktrace_alerts_total{type=\"%s\"} %llu\n",
			vbt_alert_type_name(i),
			(unsigned long long)m->alerts[i]);
	head(b, "vblktrace_alert_exec_total", "counter",
	     "--alert-exec runs, by result (ok, failed, timeout, dropped).");
	for (int i = 0; i < VBT_EXEC_NRESULTS; i++)
		bprintf(b, "vblktrace_alert_exec_total{result=\"%s\"} %llu\n",
			exec_names[i], (unsigned long long)m->exec[i]);
}

char *vbt_metrics_render(struct vbt_metrics *m, size_t *len)
{
	struct buf b = { 0 };

	pthread_mutex_lock(&m->lock);
	render_io_errors(m, &b);
	head(&b, "vblktrace_lost_events_total", "counter",
	     "Events the kernel side could not deliver.");
	bprintf(&b, "vblktrace_lost_events_total %llu\n",
		(unsigned long long)m->lost);
	render_drives(m, &b);
	render_stuck(m, &b);
	render_alerts(m, &b);
	head(&b, "vblktrace_build_info", "gauge",
	     "Version of the running vblktrace.");
	bprintf(&b, "vblktrace_build_info{version=\"%s\",revision=\"%s\","
		"abi=\"%d\"} 1\n", VBT_VERSION, VBT_GIT_REV, VBT_ABI_VERSION);
	head(&b, "vblktrace_start_time_seconds", "gauge",
	     "When the daemon started, seconds since the epoch.");
	bprintf(&b, "vblktrace_start_time_seconds %.3f\n", m->start_time);
	head(&b, "vblktrace_up", "gauge",
	     "1 while the tracer is attached and events flow.");
	bprintf(&b, "vblktrace_up %d\n", m->up ? 1 : 0);
	pthread_mutex_unlock(&m->lock);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.p;
}
