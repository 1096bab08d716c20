// SPDX-License-Identifier: GPL-2.0
/*
 * Serving the metrics over HTTP with libmicrohttpd, from its own thread:
 * a scrape never waits for the tracing loop, and the tracing loop never
 * waits for a slow scraper (the registry lock is held only to render).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "sink/metrics.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct vbt_metrics_http {
	struct MHD_Daemon *d;
	struct vbt_metrics *m;
	char where[80];
};

int vbt_metrics_parse_addr(const char *addr, void *ss, unsigned int *socklen)
{
	struct sockaddr_in *in4 = ss;
	struct sockaddr_in6 *in6 = ss;
	char host[64];
	const char *colon, *port;
	long p;
	char *end;

	memset(ss, 0, sizeof(struct sockaddr_storage));
	colon = strrchr(addr, ':');
	port = colon ? colon + 1 : addr;
	if (colon && (size_t)(colon - addr) >= sizeof(host))
		return -EINVAL;
	snprintf(host, sizeof(host), "%.*s", colon ? (int)(colon - addr) : 0,
		 addr);
	errno = 0;
	p = strtol(port, &end, 10);
	if (!*port || *end || errno || p < 0 || p > 65535)
		return -EINVAL;
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 3 || host[n - 1] != ']')
			return -EINVAL;
		host[n - 1] = 0;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
		*socklen = sizeof(*in6);
		return inet_pton(AF_INET6, host + 1, &in6->sin6_addr) == 1 ?
		       0 : -EINVAL;
	}
	in4->sin_family = AF_INET;
	in4->sin_port = htons(p);
	*socklen = sizeof(*in4);
	/* The default bind is loopback: exposing it is a choice. */
	if (!host[0] || !strcmp(host, "localhost"))
		return inet_pton(AF_INET, "127.0.0.1", &in4->sin_addr) == 1 ?
		       0 : -EINVAL;
	return inet_pton(AF_INET, host, &in4->sin_addr) == 1 ? 0 : -EINVAL;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int code,
			     const char *type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **state)
{
	static const char index_html[] =
		"<html><head><title>vblktrace</title></head><body>"
		"<h1>vblktrace watch</h1><p><a href=\"/metrics\">Metrics</a>"
		"</p></body></html>\n";
	static char not_found[] = "not found\n";
	static char bad_method[] = "only GET and HEAD\n";
	struct vbt_metrics_http *h = cls;
	size_t len = 0;
	char *body;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     bad_method, strlen(bad_method),
			     MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html", (char *)index_html,
			     strlen(index_html), MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
			     strlen(not_found), MHD_RESPMEM_PERSISTENT);
	body = vbt_metrics_render(h->m, &len);
	if (!body)
		return MHD_NO;
	return reply(c, MHD_HTTP_OK, CONTENT_TYPE, body, len,
		     MHD_RESPMEM_MUST_FREE);
}

static void describe(struct vbt_metrics_http *h, const struct sockaddr *sa)
{
	const union MHD_DaemonInfo *di;
	char ip[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	if (di)
		port = di->port;
	if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
			  ip, sizeof(ip));
		snprintf(h->where, sizeof(h->where), "[%s]:%u", ip, port);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  ip, sizeof(ip));
		snprintf(h->where, sizeof(h->where), "%s:%u", ip, port);
	}
}

int vbt_metrics_http_start(struct vbt_metrics *m, const char *addr,
			   struct vbt_metrics_http **out, char *err,
			   size_t errlen)
{
	struct sockaddr_storage ss;
	struct vbt_metrics_http *h;
	unsigned int socklen, flags;
	sigset_t all, old;

	vbt_metrics_tls_unused();
	if (vbt_metrics_parse_addr(addr, &ss, &socklen)) {
		snprintf(err, errlen, "bad --metrics address '%s' (want "
			 "ADDR:PORT, :PORT or [ADDR6]:PORT)", addr);
		return -EINVAL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->m = m;
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* Signals are the tracing loop's business, not the server thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	errno = 0;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, 32u,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, 8u,
				MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				(size_t)64 * 1024,
				MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!h->d) {
		snprintf(err, errlen, "cannot serve metrics on %s: %s", addr,
			 errno ? strerror(errno) : "libmicrohttpd failed");
		free(h);
		return -EADDRINUSE;
	}
	describe(h, (struct sockaddr *)&ss);
	*out = h;
	return 0;
}

const char *vbt_metrics_http_where(const struct vbt_metrics_http *h)
{
	return h->where;
}

void vbt_metrics_http_stop(struct vbt_metrics_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
