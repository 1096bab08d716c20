// SPDX-License-Identifier: GPL-2.0
/*
 * fuse_eio: a FUSE file system with one file, MOUNTPOINT/disk.img, backed by
 * a real file, whose reads and writes fail on chosen byte ranges.  It turns a
 * loop device or a QEMU drive into a disk with real, kernel-visible I/O
 * errors without dm-error or a loadable module (neither exists here).
 *
 *   fuse_eio --backing FILE [--fail OP:OFFSET:LEN[:ERRNO]]... [--once]
 *            [--log FILE] [-f] MOUNTPOINT
 *
 *            [--delay OP:OFFSET:LEN:MS]...
 *
 * OP is read, write (writes and fallocate), any, or fsync (every fsync fails;
 * OFFSET and LEN are ignored).  A --delay range does not fail: a request that
 * overlaps it is held MS milliseconds, then served (a backend that stalls,
 * for the guest's stuck-request tests).  A request fails with -ERRNO (default EIO)
 * when it overlaps a range; the whole request fails, nothing is transferred.
 * With --once each range fails only the first request that hits it.  --log
 * appends "REQ off=N len=N errno=N" per injected failure (REQ: read, write,
 * fallocate or fsync), one write(2) each, so the line is in the file before
 * the kernel sees the error; "REQ off=N len=N delay_ms=N" when a delay starts.
 *
 * O_DIRECT: the kernel's own FUSE O_DIRECT support is what makes QEMU
 * cache=none, losetup --direct-io=on and dd oflag=direct work; FUSE files
 * are FMODE_CAN_ODIRECT and O_DIRECT I/O goes straight to the daemon.  Tested
 * on 6.18: it works with and without FOPEN_DIRECT_IO.  Every open still gets
 * direct_io (FOPEN_DIRECT_IO) because buffered callers (a loop device without
 * --direct-io, dd without iflag=direct) otherwise go through the page cache:
 * without it a 4 KiB buffered read reached us as a 16 KiB readahead request,
 * and data cached by an earlier read would never hit a read range again.
 * With it each caller's request reaches us with its own offset and length.
 * libfuse 3.14 cannot set FOPEN_PARALLEL_DIRECT_WRITES (3.15+), so writes to
 * the file are serialized by the kernel's inode lock; the multi-threaded loop
 * still serves reads in parallel.
 */
#define FUSE_USE_VERSION 312
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* FUSE callbacks have fixed signatures; most ignore path and fi. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define IMG_PATH	"/disk.img"
#define MAX_RANGES	64

enum eio_op { OP_READ = 1, OP_WRITE = 2, OP_ANY = 3, OP_FSYNC = 4 };

struct eio_range {
	enum eio_op op;
	uint64_t off;
	uint64_t len;
	int err;
	unsigned int delay_ms;	/* a delay range: err is 0 */
	bool fired;
};

static struct {
	int backing_fd;
	int log_fd;
	bool once;
	unsigned int nr;
	struct eio_range ranges[MAX_RANGES];
	pthread_mutex_t lock;
} g = {
	.backing_fd = -1,
	.log_fd = -1,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static void log_failure(const char *what, uint64_t off, uint64_t len, int err,
			unsigned int delay_ms)
{
	char line[128];
	int n;

	if (g.log_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%s off=%llu len=%llu %s=%d\n",
		     what, (unsigned long long)off, (unsigned long long)len,
		     delay_ms ? "delay_ms" : "errno",
		     delay_ms ? (int)delay_ms : err);
	/* One O_APPEND write per line: lines from parallel threads never mix. */
	if (write(g.log_fd, line, n) != n)
		return;
}

static bool range_hits(const struct eio_range *r, enum eio_op op,
		       uint64_t off, uint64_t len)
{
	if (op == OP_FSYNC)
		return r->op == OP_FSYNC;
	if (r->op == OP_FSYNC || !(r->op & op))
		return false;
	return off < r->off + r->len && r->off < off + len;
}

/*
 * Returns the errno to fail this request with, or 0 after holding it as
 * long as a delay range says.  The lock makes the --once bookkeeping exact
 * when the multi-threaded loop runs requests concurrently: a range fires
 * for exactly one request.  The delay is slept outside the lock, so other
 * requests go on meanwhile.
 */
static int should_fail(const char *what, enum eio_op op, uint64_t off,
		       uint64_t len)
{
	unsigned int i, delay_ms = 0;
	int err = 0;

	pthread_mutex_lock(&g.lock);
	for (i = 0; i < g.nr; i++) {
		struct eio_range *r = &g.ranges[i];

		if ((g.once && r->fired) || !range_hits(r, op, off, len))
			continue;
		r->fired = true;
		err = r->err;
		delay_ms = r->delay_ms;
		log_failure(what, off, len, err, delay_ms);
		break;
	}
	pthread_mutex_unlock(&g.lock);
	if (delay_ms) {
		struct timespec ts = { delay_ms / 1000,
				       (delay_ms % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	return err;
}

static int eio_getattr(const char *path, struct stat *st,
		       struct fuse_file_info *fi)
{
	if (strcmp(path, "/") == 0) {
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (strcmp(path, IMG_PATH) != 0)
		return -ENOENT;
	if (fstat(g.backing_fd, st) < 0)
		return -errno;
	st->st_mode = S_IFREG | 0644;
	st->st_nlink = 1;
	return 0;
}

static int eio_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		       off_t offset, struct fuse_file_info *fi,
		       enum fuse_readdir_flags flags)
{
	if (strcmp(path, "/") != 0)
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, IMG_PATH + 1, NULL, 0, 0);
	return 0;
}

static int eio_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, IMG_PATH) != 0)
		return -ENOENT;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	if ((fi->flags & O_TRUNC) && ftruncate(g.backing_fd, 0) < 0)
		return -errno;
	return 0;
}

static int eio_read(const char *path, char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	size_t done = 0;
	int err = should_fail("read", OP_READ, off, size);

	if (err)
		return -err;
	while (done < size) {
		ssize_t n = pread(g.backing_fd, buf + done, size - done,
				  off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (int)done : -errno;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

static int eio_write(const char *path, const char *buf, size_t size,
		     off_t off, struct fuse_file_info *fi)
{
	size_t done = 0;
	int err = should_fail("write", OP_WRITE, off, size);

	if (err)
		return -err;
	while (done < size) {
		ssize_t n = pwrite(g.backing_fd, buf + done, size - done,
				   off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (int)done : -errno;
		done += n;
	}
	return done;
}

static int eio_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	int err = should_fail("fsync", OP_FSYNC, 0, 0);

	if (err)
		return -err;
	if ((datasync ? fdatasync(g.backing_fd) : fsync(g.backing_fd)) < 0)
		return -errno;
	return 0;
}

static int eio_fallocate(const char *path, int mode, off_t off, off_t len,
			 struct fuse_file_info *fi)
{
	int err = should_fail("fallocate", OP_WRITE, off, len);

	if (err)
		return -err;
	if (fallocate(g.backing_fd, mode, off, len) < 0)
		return -errno;
	return 0;
}

static int eio_truncate(const char *path, off_t size,
			struct fuse_file_info *fi)
{
	if (ftruncate(g.backing_fd, size) < 0)
		return -errno;
	return 0;
}

static int eio_statfs(const char *path, struct statvfs *st)
{
	if (fstatvfs(g.backing_fd, st) < 0)
		return -errno;
	return 0;
}

/* QEMU's raw driver asks SEEK_DATA/SEEK_HOLE for block status. */
static off_t eio_lseek(const char *path, off_t off, int whence,
		       struct fuse_file_info *fi)
{
	off_t ret = lseek(g.backing_fd, off, whence);

	return ret < 0 ? -errno : ret;
}

static void *eio_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* Size changes of the backing file must show at once. */
	cfg->attr_timeout = 0;
	cfg->entry_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	return NULL;
}

static const struct fuse_operations eio_ops = {
	.init		= eio_init,
	.getattr	= eio_getattr,
	.readdir	= eio_readdir,
	.open		= eio_open,
	.read		= eio_read,
	.write		= eio_write,
	.fsync		= eio_fsync,
	.fallocate	= eio_fallocate,
	.truncate	= eio_truncate,
	.statfs		= eio_statfs,
	.lseek		= eio_lseek,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: fuse_eio --backing FILE [--fail OP:OFFSET:LEN[:ERRNO]]...\n"
		"                [--delay OP:OFFSET:LEN:MS]... [--once] [--log FILE]\n"
		"                [-f] MOUNTPOINT\n"
		"  serves MOUNTPOINT/disk.img backed by FILE\n"
		"  OP: read | write (and fallocate) | any | fsync (OFFSET:LEN ignored)\n"
		"  OFFSET, LEN: bytes, suffix k/m/g allowed; ERRNO: number or\n"
		"  EIO/ENOSPC/EROFS/EDQUOT/EPERM/ENOMEM/EAGAIN/ETIMEDOUT (default EIO)\n"
		"  --delay: hold a request that overlaps the range MS milliseconds\n"
		"  (1 to 600000), then serve it\n"
		"  --once: each range fires only for the first request that hits it\n"
		"  --log FILE: append 'REQ off=N len=N errno=N' per injected failure\n"
		"  -f: stay in the foreground\n");
}

static void die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "fuse_eio: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(2);
}

static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return false;
	}
	if (shift && end[1])
		return false;
	if (v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

static int parse_errno(const char *s)
{
	static const struct { const char *name; int err; } names[] = {
		{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EROFS", EROFS },
		{ "EDQUOT", EDQUOT }, { "EPERM", EPERM }, { "ENOMEM", ENOMEM },
		{ "EAGAIN", EAGAIN }, { "ETIMEDOUT", ETIMEDOUT },
	};
	uint64_t v;
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].err;
	if (!parse_size(s, &v) || v == 0 || v > 4095)
		return -1;
	return v;
}

static enum eio_op parse_op(const char *s)
{
	if (strcmp(s, "read") == 0)
		return OP_READ;
	if (strcmp(s, "write") == 0)
		return OP_WRITE;
	if (strcmp(s, "any") == 0)
		return OP_ANY;
	if (strcmp(s, "fsync") == 0)
		return OP_FSYNC;
	return 0;
}

static void add_range(const char *spec)
{
	char buf[256], *field[5], *save = NULL, *tok;
	struct eio_range *r;
	unsigned int n = 0;

	if (g.nr == MAX_RANGES)
		die_usage("too many --fail ranges (max 64): %s", spec);
	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		die_usage("--fail spec too long: %s", spec);
	for (tok = strtok_r(buf, ":", &save); tok && n < 5;
	     tok = strtok_r(NULL, ":", &save))
		field[n++] = tok;
	if (n < 3 || n > 4)
		die_usage("--fail wants OP:OFFSET:LEN[:ERRNO], got '%s'", spec);
	r = &g.ranges[g.nr];
	r->op = parse_op(field[0]);
	if (!r->op)
		die_usage("--fail: OP must be read|write|any|fsync: '%s'", spec);
	if (!parse_size(field[1], &r->off))
		die_usage("--fail: bad OFFSET in '%s'", spec);
	if (!parse_size(field[2], &r->len) ||
	    (r->len == 0 && r->op != OP_FSYNC))
		die_usage("--fail: bad or zero LEN in '%s'", spec);
	if (r->off + r->len < r->off)
		die_usage("--fail: range overflows in '%s'", spec);
	r->err = n == 4 ? parse_errno(field[3]) : EIO;
	if (r->err < 0)
		die_usage("--fail: bad ERRNO in '%s'", spec);
	g.nr++;
}

static void add_delay(const char *spec)
{
	char buf[256], *colon;
	uint64_t ms;

	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		die_usage("--delay spec too long: %s", spec);
	colon = strrchr(buf, ':');
	if (!colon)
		die_usage("--delay wants OP:OFFSET:LEN:MS, got '%s'", spec);
	*colon = 0;
	if (!parse_size(colon + 1, &ms) || ms == 0 || ms > 600000)
		die_usage("--delay: MS must be 1 to 600000 in '%s'", spec);
	/* OP:OFFSET:LEN left: an ERRNO field would be taken for MS. */
	if (strchr(strchr(buf, ':') ? strchr(buf, ':') + 1 : buf, ':') !=
	    strrchr(buf, ':') || !strchr(buf, ':'))
		die_usage("--delay wants OP:OFFSET:LEN:MS, got '%s'", spec);
	add_range(buf);
	if (g.ranges[g.nr - 1].op == OP_FSYNC)
		die_usage("--delay: OP must be read|write|any: '%s'", spec);
	g.ranges[g.nr - 1].err = 0;
	g.ranges[g.nr - 1].delay_ms = ms;
}

struct cli {
	const char *backing;
	const char *log;
	const char *mountpoint;
	bool foreground;
};

static void parse_cli(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {
		{ "backing", required_argument, NULL, 'b' },
		{ "fail", required_argument, NULL, 'F' },
		{ "delay", required_argument, NULL, 'D' },
		{ "once", no_argument, NULL, 'o' },
		{ "log", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			cli->backing = optarg;
			break;
		case 'F':
			add_range(optarg);
			break;
		case 'D':
			add_delay(optarg);
			break;
		case 'o':
			g.once = true;
			break;
		case 'l':
			cli->log = optarg;
			break;
		case 'f':
			cli->foreground = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (!cli->backing)
		die_usage("%s", "--backing FILE is required");
	if (optind != argc - 1)
		die_usage("%s", "exactly one MOUNTPOINT is required");
	cli->mountpoint = argv[optind];
}

/*
 * Files are opened before fuse_daemonize(), which changes to "/", so
 * relative paths work and open errors reach the caller's terminal.
 */
static void open_files(const struct cli *cli)
{
	g.backing_fd = open(cli->backing, O_RDWR | O_CLOEXEC);
	if (g.backing_fd < 0) {
		fprintf(stderr, "fuse_eio: open %s: %s\n", cli->backing,
			strerror(errno));
		exit(1);
	}
	if (!cli->log)
		return;
	g.log_fd = open(cli->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			0644);
	if (g.log_fd < 0) {
		fprintf(stderr, "fuse_eio: open %s: %s\n", cli->log,
			strerror(errno));
		exit(1);
	}
}

static int serve(const struct cli *cli)
{
	char *fargv[] = { "fuse_eio", "-o", NULL, NULL };
	struct fuse_args args;
	struct fuse_loop_config *lcfg;
	struct fuse *fuse;
	int ret = 1;

	/* Root's loop workers and QEMU must reach the file too. */
	fargv[2] = geteuid() == 0 ?
		"fsname=fuse_eio,subtype=fuse_eio,allow_other" :
		"fsname=fuse_eio,subtype=fuse_eio";
	args = (struct fuse_args)FUSE_ARGS_INIT(3, fargv);
	fuse = fuse_new(&args, &eio_ops, sizeof(eio_ops), NULL);
	if (!fuse)
		return 1;
	if (fuse_mount(fuse, cli->mountpoint) != 0)
		goto out_destroy;
	/* Mounted before the parent exits: callers may use it at once. */
	if (fuse_daemonize(cli->foreground) != 0)
		goto out_unmount;
	if (fuse_set_signal_handlers(fuse_get_session(fuse)) != 0)
		goto out_unmount;
	lcfg = fuse_loop_cfg_create();
	fuse_loop_cfg_set_max_threads(lcfg, 16);
	/* > 0: stopped by SIGTERM/SIGINT/SIGHUP, the normal way to end. */
	ret = fuse_loop_mt(fuse, lcfg) < 0;
	fuse_loop_cfg_destroy(lcfg);
	fuse_remove_signal_handlers(fuse_get_session(fuse));
out_unmount:
	fuse_unmount(fuse);
out_destroy:
	fuse_destroy(fuse);
	fuse_opt_free_args(&args);
	return ret;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };

	parse_cli(argc, argv, &cli);
	open_files(&cli);
	return serve(&cli);
}
