// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus exposition of 'vblktrace watch': names and labels as
 * specified, escaping of hostile label values, the cardinality cap and
 * its overflow series, expiry, the textfile and the address parser.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "sink/metrics.h"

#define S 1000000000ULL

static struct vbt_io_labels labels(const char *vm)
{
	struct vbt_io_labels l = { .v = {
		"host", vm, "virtio-disk0", "loop0", "WRITE", "ENOSPC",
		"threads", "none",
	} };
	return l;
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, strlen(prefix)))
			n++;
	return n;
}

TEST(io_errors_counter_has_all_labels)
{
	struct vbt_metrics *m = vbt_metrics_new(0);
	struct vbt_io_labels l = labels("vm1");
	char *t;

	ASSERT_NE(NULL, m);
	vbt_metrics_io_error(m, &l, 1, S);
	vbt_metrics_io_error(m, &l, 2, S);
	t = vbt_metrics_render(m, NULL);
	ASSERT_NE(NULL, t);
	EXPECT_NE(NULL, strstr(t, "# TYPE vblktrace_io_errors_total counter\n"));
	EXPECT_NE(NULL, strstr(t, "vblktrace_io_errors_total{side=\"host\","
			"vm=\"vm1\",drive=\"virtio-disk0\",dev=\"loop0\","
			"op=\"WRITE\",errno=\"ENOSPC\",aio=\"threads\","
			"cache=\"none\"} 3\n"));
	EXPECT_NE(NULL, strstr(t, "vblktrace_lost_events_total 0\n"));
	EXPECT_NE(NULL, strstr(t, "vblktrace_build_info{version=\""));
	EXPECT_NE(NULL, strstr(t, "vblktrace_up 0\n"));
	free(t);
	vbt_metrics_set_up(m, true);
	vbt_metrics_lost(m, 7);
	t = vbt_metrics_render(m, NULL);
	EXPECT_NE(NULL, strstr(t, "vblktrace_up 1\n"));
	EXPECT_NE(NULL, strstr(t, "vblktrace_lost_events_total 7\n"));
	free(t);
	vbt_metrics_free(m);
}

TEST(label_values_are_escaped)
{
	char out[128];

	vbt_prom_escape("a\"b\\c\nd", out, sizeof(out));
	EXPECT_STREQ("a\\\"b\\\\c\\nd", out);
	/* Invalid UTF-8 becomes U+FFFD; valid multibyte stays. */
	vbt_prom_escape("x\xff" "y\xc3\xa9", out, sizeof(out));
	EXPECT_STREQ("x\xef\xbf\xbdy\xc3\xa9", out);
	/* Truncated sequence at the end, overlong encoding. */
	vbt_prom_escape("\xe2\x82", out, sizeof(out));
	EXPECT_STREQ("\xef\xbf\xbd\xef\xbf\xbd", out);
	vbt_prom_escape("\xc0\xaf", out, sizeof(out));
	EXPECT_STREQ("\xef\xbf\xbd\xef\xbf\xbd", out);
	EXPECT_EQ(8, vbt_prom_escape("ab\"\n\\", NULL, 0));
}

TEST(hostile_vm_name_stays_one_line)
{
	struct vbt_metrics *m = vbt_metrics_new(0);
	struct vbt_io_labels l = labels("evil\"} 99\nvblktrace_up 0 #$(x)");
	char *t;

	vbt_metrics_io_error(m, &l, 1, S);
	t = vbt_metrics_render(m, NULL);
	EXPECT_NE(NULL, strstr(t, "vm=\"evil\\\"} 99\\nvblktrace_up 0 #$(x)\""));
	EXPECT_EQ(1, count_lines(t, "vblktrace_up "));
	free(t);
	vbt_metrics_free(m);
}

TEST(cardinality_cap_overflows_into_one_series)
{
	struct vbt_metrics *m = vbt_metrics_new(5);
	char vm[16], *t;

	for (int i = 0; i < 20; i++) {
		struct vbt_io_labels l;

		snprintf(vm, sizeof(vm), "vm%d", i);
		l = labels(vm);
		vbt_metrics_io_error(m, &l, 1, S);
	}
	EXPECT_EQ(5, vbt_metrics_nseries(m));
	t = vbt_metrics_render(m, NULL);
	EXPECT_EQ(6, count_lines(t, "vblktrace_io_errors_total{"));
	EXPECT_NE(NULL, strstr(t, "vm=\"" VBT_METRICS_OVERFLOW "\""));
	EXPECT_NE(NULL, strstr(t, "cache=\"" VBT_METRICS_OVERFLOW "\"} 15\n"));
	free(t);
	vbt_metrics_free(m);
}

TEST(idle_series_expire)
{
	struct vbt_metrics *m = vbt_metrics_new(0);
	struct vbt_io_labels a = labels("old"), b = labels("new");
	char *t;

	vbt_metrics_io_error(m, &a, 1, 10 * S);
	vbt_metrics_io_error(m, &b, 1, 100 * S);
	vbt_metrics_expire(m, 105 * S, 60 * S);
	EXPECT_EQ(1, vbt_metrics_nseries(m));
	t = vbt_metrics_render(m, NULL);
	EXPECT_EQ(NULL, strstr(t, "vm=\"old\""));
	EXPECT_NE(NULL, strstr(t, "vm=\"new\""));
	EXPECT_NE(NULL, strstr(t, "vblktrace_io_error_series_expired_total 1\n"));
	free(t);
	vbt_metrics_free(m);
}

TEST(drive_info_follows_the_vms)
{
	struct vbt_metrics *m = vbt_metrics_new(0);
	struct vbt_drive d = {
		.id = "virtio-disk1", .image = "/var/lib/a.img",
		.aio = VBT_AIO_IO_URING, .cache = "none", .fd_direct = 1,
	};
	struct vbt_vm vm = { .pid = 1, .name = "web", .drives = &d,
			     .ndrives = 1 };
	char *t;

	vbt_metrics_set_drives(m, &vm, 1);
	t = vbt_metrics_render(m, NULL);
	EXPECT_NE(NULL, strstr(t, "vblktrace_drive_info{vm=\"web\","
			"drive=\"virtio-disk1\",image=\"/var/lib/a.img\","
			"aio=\"io_uring\",cache=\"none\",direct=\"true\"} 1\n"));
	EXPECT_NE(NULL, strstr(t, "vblktrace_vms 1\n"));
	free(t);
	vbt_metrics_set_drives(m, NULL, 0);
	t = vbt_metrics_render(m, NULL);
	EXPECT_EQ(0, count_lines(t, "vblktrace_drive_info{"));
	free(t);
	vbt_metrics_free(m);
}

TEST(textfile_is_replaced_atomically)
{
	char dir[] = "/tmp/vbt-textfile.XXXXXX", path[256], buf[8192];
	struct vbt_metrics *m = vbt_metrics_new(0);
	struct vbt_io_labels l = labels("vm1");
	struct stat st;
	ssize_t n;
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	vbt_metrics_io_error(m, &l, 4, S);
	ASSERT_EQ(0, vbt_metrics_textfile_write(m, dir));
	snprintf(path, sizeof(path), "%s/vblktrace.prom", dir);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);	/* labels name images */
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_GT(n, 0);
	buf[n] = 0;
	EXPECT_NE(NULL, strstr(buf, "cache=\"none\"} 4\n"));
	/* No temporary file is left behind. */
	snprintf(path, sizeof(path), "%s/.vblktrace.prom.%d.tmp", dir,
		 (int)getpid());
	EXPECT_NE(0, access(path, F_OK));
	EXPECT_EQ(-ENOENT, vbt_metrics_textfile_write(m, "/nonexistent/dir"));
	snprintf(path, sizeof(path), "%s/vblktrace.prom", dir);
	unlink(path);
	rmdir(dir);
	vbt_metrics_free(m);
}

TEST(metrics_address_parsing)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	unsigned int len;
	char ip[64];

	ASSERT_EQ(0, vbt_metrics_parse_addr(":9877", &ss, &len));
	inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
	EXPECT_STREQ("127.0.0.1", ip);
	EXPECT_EQ(9877, ntohs(in4->sin_port));
	ASSERT_EQ(0, vbt_metrics_parse_addr("9877", &ss, &len));
	inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
	EXPECT_STREQ("127.0.0.1", ip);
	ASSERT_EQ(0, vbt_metrics_parse_addr("0.0.0.0:80", &ss, &len));
	ASSERT_EQ(0, vbt_metrics_parse_addr("[::1]:9877", &ss, &len));
	EXPECT_EQ(AF_INET6, ss.ss_family);
	EXPECT_EQ(-EINVAL, vbt_metrics_parse_addr("host:99999", &ss, &len));
	/* localhost is loopback, as a user types it; other names are not looked up. */
	ASSERT_EQ(0, vbt_metrics_parse_addr("localhost:9877", &ss, &len));
	inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
	EXPECT_STREQ("127.0.0.1", ip);
	EXPECT_EQ(9877, ntohs(in4->sin_port));
	EXPECT_EQ(-EINVAL, vbt_metrics_parse_addr("example.org:80", &ss, &len));
	EXPECT_EQ(-EINVAL, vbt_metrics_parse_addr("1.2.3.4:", &ss, &len));
	EXPECT_EQ(-EINVAL, vbt_metrics_parse_addr("[::1:80", &ss, &len));
}

TEST_HARNESS_MAIN
