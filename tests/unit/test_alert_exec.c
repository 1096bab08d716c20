// SPDX-License-Identifier: GPL-2.0
/*
 * --alert-exec: the command line is split without a shell, the record's
 * fields become VBLKTRACE_* variables verbatim, runs are bounded in number
 * and in time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <unistd.h>
#include <linux/securebits.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"

#include "decode/clock.h"
#include "sink/sink_exec.h"
#include "source/probe.h"

static int argc_of(char **v)
{
	int n = 0;

	while (v[n])
		n++;
	return n;
}

TEST(split_is_not_a_shell)
{
	char **v, err[128];

	ASSERT_EQ(0, vbt_split_argv("  /bin/notify  --to 'ops team' "
				    "\"a \\\"b\\\"\" $(rm -rf /) `id` x\\ y ;|&",
				    &v, err, sizeof(err)));
	ASSERT_EQ(10, argc_of(v));
	EXPECT_STREQ("/bin/notify", v[0]);
	EXPECT_STREQ("--to", v[1]);
	EXPECT_STREQ("ops team", v[2]);
	EXPECT_STREQ("a \"b\"", v[3]);
	EXPECT_STREQ("$(rm", v[4]);
	EXPECT_STREQ("-rf", v[5]);
	EXPECT_STREQ("`id`", v[7]);
	EXPECT_STREQ("x y", v[8]);
	EXPECT_STREQ(";|&", v[9]);
	vbt_strv_free(v);
	ASSERT_EQ(0, vbt_split_argv("a '$(x)' \"$HOME\"", &v, err, sizeof(err)));
	EXPECT_STREQ("$(x)", v[1]);
	EXPECT_STREQ("$HOME", v[2]);
	vbt_strv_free(v);
	EXPECT_EQ(-EINVAL, vbt_split_argv("a 'b", &v, err, sizeof(err)));
	EXPECT_EQ(-EINVAL, vbt_split_argv("   ", &v, err, sizeof(err)));
}

static const char *find(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

TEST(env_carries_every_field_verbatim)
{
	const char *vm = "evil\"'$(touch /tmp/x)`id`\nline2\\";
	struct json_object *o = json_object_new_object(), *flags;
	char **env;
	int n;

	json_object_object_add(o, "vm", json_object_new_string(vm));
	json_object_object_add(o, "errno", json_object_new_int(28));
	json_object_object_add(o, "direct", json_object_new_boolean(1));
	flags = json_object_new_array();
	json_object_array_add(flags, json_object_new_string("SYNC"));
	json_object_array_add(flags, json_object_new_string("FUA"));
	json_object_object_add(o, "flags", flags);
	json_object_object_add(o, "guest_sees", json_object_new_string(""));
	env = vbt_alert_env(o);
	ASSERT_NE(NULL, env);
	n = argc_of(env);
	EXPECT_EQ(5, n);
	EXPECT_STREQ(vm, find(env, "VBLKTRACE_VM"));
	EXPECT_STREQ("28", find(env, "VBLKTRACE_ERRNO"));
	EXPECT_STREQ("true", find(env, "VBLKTRACE_DIRECT"));
	EXPECT_STREQ("SYNC,FUA", find(env, "VBLKTRACE_FLAGS"));
	EXPECT_STREQ("", find(env, "VBLKTRACE_GUEST_SEES"));
	vbt_strv_free(env);
	json_object_put(o);
}

struct results {
	int n[VBT_EXEC_NRESULTS];
};

static void count(void *ctx, enum vbt_exec_result r)
{
	((struct results *)ctx)->n[r]++;
}

static void run_until_idle(struct vbt_sink_exec *x, int max_running,
			   int *peak)
{
	uint64_t end = vbt_mono_now() + 10000000000ULL;

	while (vbt_mono_now() < end) {
		int r = vbt_sink_exec_running(x);

		if (r > *peak)
			*peak = r;
		if (!r)
			break;
		usleep(20000);
		vbt_sink_exec_tick(x, vbt_mono_now());
	}
}

TEST(runs_are_bounded_in_number)
{
	struct json_object *o = json_object_new_object();
	struct vbt_sink_exec *x;
	struct results r = { 0 };
	char err[128];
	int peak = 0;

	json_object_object_add(o, "alert", json_object_new_string("error"));
	ASSERT_EQ(0, vbt_sink_exec_new("/bin/sleep 0.2", 5, 2, count, &r, &x,
				       err, sizeof(err)));
	for (int i = 0; i < 6; i++)
		vbt_sink_exec_alert(x, o);
	EXPECT_EQ(2, vbt_sink_exec_running(x));
	run_until_idle(x, 2, &peak);
	EXPECT_EQ(2, peak);
	EXPECT_EQ(6, r.n[VBT_EXEC_OK]);
	vbt_sink_exec_free(x);
	json_object_put(o);
}

TEST(runs_are_bounded_in_time)
{
	struct json_object *o = json_object_new_object();
	struct vbt_sink_exec *x;
	struct results r = { 0 };
	uint64_t t0 = vbt_mono_now();
	char err[128];
	int peak = 0;

	ASSERT_EQ(0, vbt_sink_exec_new("/bin/sleep 30", 0.3, 1, count, &r, &x,
				       err, sizeof(err)));
	vbt_sink_exec_alert(x, o);
	run_until_idle(x, 1, &peak);
	EXPECT_EQ(1, r.n[VBT_EXEC_TIMEOUT]);
	EXPECT_LT(vbt_mono_now() - t0, 5000000000ULL);
	vbt_sink_exec_free(x);
	json_object_put(o);
}

TEST(failures_are_counted)
{
	struct json_object *o = json_object_new_object();
	struct vbt_sink_exec *x;
	struct results r = { 0 };
	char err[128];
	int peak = 0;

	ASSERT_EQ(0, vbt_sink_exec_new("/bin/false", 5, 1, count, &r, &x,
				       err, sizeof(err)));
	vbt_sink_exec_alert(x, o);
	run_until_idle(x, 1, &peak);
	EXPECT_EQ(1, r.n[VBT_EXEC_FAILED]);
	vbt_sink_exec_free(x);
	ASSERT_EQ(0, vbt_sink_exec_new("/nonexistent/notify", 5, 1, count, &r,
				       &x, err, sizeof(err)));
	vbt_sink_exec_alert(x, o);
	run_until_idle(x, 1, &peak);
	EXPECT_EQ(2, r.n[VBT_EXEC_FAILED]);
	vbt_sink_exec_free(x);
	json_object_put(o);
}

/* A field of a /proc/PID/status copy ("CapEff", "Uid", ...), as hex or
 * as the first decimal number; -1 if absent. */
static long long status_field(const char *file, const char *key, int base)
{
	char line[256];
	long long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen(file, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoll(line + n + 1, NULL, base);
	if (f)
		fclose(f);
	return v;
}

/* The alert command copies its own /proc/self/status; wait for the run
 * to end (the child reaped), not for a time. */
static void run_status_dump(struct __test_metadata *_metadata,
			    const char *file, const char *user)
{
	struct json_object *o = json_object_new_object();
	struct vbt_sink_exec *x;
	struct results r = { 0 };
	char cmd[256], err[128];

	snprintf(cmd, sizeof(cmd), "/bin/cp /proc/self/status %s", file);
	ASSERT_EQ(0, vbt_sink_exec_new(cmd, 10, 1, count, &r, &x, err,
				       sizeof(err)));
	if (user)
		ASSERT_EQ(0, vbt_sink_exec_set_user(x, user, err, sizeof(err)));
	vbt_sink_exec_alert(x, o);
	vbt_sink_exec_drain(x, vbt_mono_now() + 10000000000ULL);
	EXPECT_EQ(1, r.n[VBT_EXEC_OK]);
	vbt_sink_exec_free(x);
	json_object_put(o);
}

/* Measured before: a child of the root daemon had CapEff 000001ff...
 * Now every set is empty and no_new_privs is on, even when the daemon
 * itself still holds everything (no lock-down yet). */
TEST(child_starts_without_capabilities)
{
	char dir[] = "/tmp/vbt-exec.XXXXXX", file[64];

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/status", dir);
	ASSERT_NE(0, status_field("/proc/self/status", "CapEff", 16));
	run_status_dump(_metadata, file, NULL);
	EXPECT_EQ(0, status_field(file, "CapInh", 16));
	EXPECT_EQ(0, status_field(file, "CapPrm", 16));
	EXPECT_EQ(0, status_field(file, "CapEff", 16));
	EXPECT_EQ(0, status_field(file, "CapAmb", 16));
	EXPECT_EQ(1, status_field(file, "NoNewPrivs", 10));
	unlink(file);
	rmdir(dir);
}

/* The daemon after attaching: only what it keeps, bounding set shrunk,
 * securebits locked, no_new_privs; its alert child has nothing. */
TEST(lock_down_after_attach)
{
	static const int keep[] = { CAP_BPF, CAP_SYS_PTRACE, -1 };
	const long long want = 1LL << CAP_BPF | 1LL << CAP_SYS_PTRACE;
	char dir[] = "/tmp/vbt-exec.XXXXXX", file[64];
	int bits;

	ASSERT_EQ(0, getuid());	/* the daemon runs as root */
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/status", dir);
	ASSERT_EQ(0, vbt_drop_capabilities(keep));
	EXPECT_EQ(want, status_field("/proc/self/status", "CapEff", 16));
	EXPECT_EQ(want, status_field("/proc/self/status", "CapPrm", 16));
	EXPECT_EQ(want, status_field("/proc/self/status", "CapBnd", 16));
	EXPECT_EQ(0, status_field("/proc/self/status", "CapInh", 16));
	EXPECT_EQ(1, status_field("/proc/self/status", "NoNewPrivs", 10));
	bits = prctl(PR_GET_SECUREBITS);
	EXPECT_TRUE(bits & SECBIT_NOROOT);
	EXPECT_TRUE(bits & SECBIT_NOROOT_LOCKED);
	EXPECT_TRUE(bits & SECBIT_NO_SETUID_FIXUP_LOCKED);
	EXPECT_TRUE(bits & SECBIT_NO_CAP_AMBIENT_RAISE);
	/* Nothing outside the kept set can come back. */
	EXPECT_EQ(0, prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN));
	run_status_dump(_metadata, file, NULL);
	EXPECT_EQ(0, status_field(file, "CapPrm", 16));
	EXPECT_EQ(0, status_field(file, "CapEff", 16));
	EXPECT_EQ(want, status_field(file, "CapBnd", 16));
	unlink(file);
	rmdir(dir);
}

/* --alert-user: the command runs as that user, with nothing either. */
TEST(child_runs_as_the_configured_user)
{
	char dir[] = "/tmp/vbt-exec.XXXXXX", file[64];
	struct passwd *pw = getpwnam("nobody");
	struct vbt_sink_exec *x;
	char err[128];

	ASSERT_NE(NULL, pw);
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, chmod(dir, 0777));	/* nobody writes the copy */
	snprintf(file, sizeof(file), "%s/status", dir);
	run_status_dump(_metadata, file, "nobody");
	EXPECT_EQ(pw->pw_uid, status_field(file, "Uid", 10));
	EXPECT_EQ(pw->pw_gid, status_field(file, "Gid", 10));
	EXPECT_EQ(0, status_field(file, "CapEff", 16));
	EXPECT_EQ(0, status_field(file, "CapPrm", 16));
	ASSERT_EQ(0, vbt_sink_exec_new("/bin/true", 1, 1, NULL, NULL, &x, err,
				       sizeof(err)));
	EXPECT_EQ(-EINVAL, vbt_sink_exec_set_user(x, "root", err,
						  sizeof(err)));
	EXPECT_EQ(-ENOENT, vbt_sink_exec_set_user(x, "no-such-user-vbt", err,
						  sizeof(err)));
	vbt_sink_exec_free(x);
	unlink(file);
	rmdir(dir);
}

TEST_HARNESS_MAIN
