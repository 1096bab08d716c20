// SPDX-License-Identifier: GPL-2.0
/* --alert-exec: a command per alert record, no shell, bounded in time. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "decode/clock.h"
#include "sink/sink_exec.h"
#include "util/msg.h"
#include "util/shellwords.h"

#define KILL_GRACE_NS	2000000000ULL
#define CHILD_PATH	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct child {
	pid_t pid;
	uint64_t start;
	bool termed;
};

struct vbt_sink_exec {
	char **argv;
	uint64_t timeout_ns;
	int max_running;
	struct child *kids;
	int nkids;
	char **queue[VBT_EXEC_MAX_QUEUED];	/* env of waiting runs, FIFO */
	int qhead, qlen;
	vbt_exec_result_fn fn;
	void *ctx;
	uint64_t dropped;
	bool run_as;		/* --alert-user: run as uid/gid */
	uid_t uid;
	gid_t gid;
};

void vbt_strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static int strv_push(char ***v, int *n, char *s)
{
	char **nv;

	if (!s)
		return -ENOMEM;
	nv = realloc(*v, (*n + 2) * sizeof(*nv));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

int vbt_split_argv(const char *cmd, char ***argv, char *err, size_t errlen)
{
	size_t len = strlen(cmd);
	char *words = malloc(len + 1), msg[128], **v = NULL;
	ssize_t end;
	int n = 0, ret = 0;

	if (!words)
		return -ENOMEM;
	end = vbt_shell_split(cmd, len, words, msg, sizeof(msg));
	if (end < 0) {
		snprintf(err, errlen, "%s in '%s'", msg, cmd);
		ret = -EINVAL;
	}
	for (ssize_t i = 0; !ret && i < end; i += strlen(words + i) + 1)
		ret = strv_push(&v, &n, strdup(words + i));
	free(words);
	if (!ret && !n) {
		snprintf(err, errlen, "empty command");
		ret = -EINVAL;
	}
	if (ret) {
		vbt_strv_free(v);
		return ret;
	}
	*argv = v;
	return 0;
}

/* A field's value as the environment carries it. */
static char *env_value(struct json_object *v)
{
	size_t len = 0;
	char *s;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return strdup("");
	case json_type_string:
		return strdup(json_object_get_string(v));
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			len += strlen(json_object_get_string(
				json_object_array_get_idx(v, i))) + 1;
		s = calloc(1, len + 1);
		for (size_t i = 0; s && i < json_object_array_length(v); i++) {
			if (i)
				strcat(s, ",");
			strcat(s, json_object_get_string(
				json_object_array_get_idx(v, i)));
		}
		return s;
	default:
		return strdup(json_object_to_json_string_ext(v,
						JSON_C_TO_STRING_PLAIN));
	}
}

char **vbt_alert_env(struct json_object *rec)
{
	char **env = NULL;
	int n = 0;

	json_object_object_foreach(rec, key, val) {
		char *value = env_value(val), *s;
		size_t klen = strlen(key);

		if (!value)
			goto oom;
		s = malloc(sizeof("VBLKTRACE_") + klen + strlen(value) + 1);
		if (!s) {
			free(value);
			goto oom;
		}
		strcpy(s, "VBLKTRACE_");
		for (size_t i = 0; i < klen; i++)
			s[10 + i] = isalnum((unsigned char)key[i]) ?
				    toupper((unsigned char)key[i]) : '_';
		s[10 + klen] = '=';
		strcpy(s + 11 + klen, value);
		free(value);
		if (strv_push(&env, &n, s))
			goto oom;
	}
	if (!env)
		env = calloc(1, sizeof(*env));
	return env;
oom:
	vbt_strv_free(env);
	return NULL;
}

int vbt_sink_exec_new(const char *cmd, double timeout_s, int max_running,
		      vbt_exec_result_fn fn, void *ctx,
		      struct vbt_sink_exec **out, char *err, size_t errlen)
{
	struct vbt_sink_exec *x = calloc(1, sizeof(*x));
	int ret;

	if (!x)
		return -ENOMEM;
	ret = vbt_split_argv(cmd, &x->argv, err, errlen);
	if (ret) {
		free(x);
		return ret;
	}
	x->timeout_ns = (uint64_t)(timeout_s * 1e9);
	x->max_running = max_running > 0 ? max_running : 1;
	x->kids = calloc(x->max_running, sizeof(*x->kids));
	if (!x->kids) {
		vbt_sink_exec_free(x);
		return -ENOMEM;
	}
	x->fn = fn;
	x->ctx = ctx;
	*out = x;
	return 0;
}

static void result(struct vbt_sink_exec *x, enum vbt_exec_result r)
{
	if (x->fn)
		x->fn(x->ctx, r);
}

/*
 * In the child, before execve: no capability in any set, whatever the
 * parent still holds (raw capset: only async-signal-safe calls after
 * fork), as the configured user if there is one, and no_new_privs so a
 * setuid or file-capability binary gains nothing either.
 */
static void child_drop_privileges(const struct vbt_sink_exec *x)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (x->run_as) {
		if (setgroups(0, NULL) ||
		    setresgid(x->gid, x->gid, x->gid) ||
		    setresuid(x->uid, x->uid, x->uid))
			_exit(126);
	}
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(126);
}

static void child(const struct vbt_sink_exec *x, char **envp,
		  const sigset_t *none)
{
	int fd;

	/* Its own process group, so a time limit kills what it started. */
	setpgid(0, 0);
	/* Our ignored SIGPIPE and blocked signals are not the child's. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, none, NULL);
	/* stdin empty, stdout to our stderr: stdout carries JSON Lines. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(2, 1) < 0)
		_exit(126);
	closefrom(3);
	child_drop_privileges(x);
	execvpe(x->argv[0], x->argv, envp);
	dprintf(2, "%s: --alert-exec %s: %s\n", vbt_prog, x->argv[0],
		strerrorname_np(errno) ?: "cannot execute");
	_exit(127);
}

static int spawn(struct vbt_sink_exec *x, char **env)
{
	sigset_t none;
	char **envp;
	pid_t pid;
	int n = 0;

	while (env[n])
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	if (!envp)
		return -ENOMEM;
	memcpy(envp, env, n * sizeof(*envp));
	envp[n] = CHILD_PATH;
	sigemptyset(&none);
	pid = fork();
	if (pid == 0)
		child(x, envp, &none);
	free(envp);
	if (pid < 0) {
		int e = errno;

		vbt_msg("--alert-exec %s: %s\n", x->argv[0], strerror(e));
		return -e;
	}
	/* Also here: the child may not have run setpgid yet when a time
	 * limit hits. */
	setpgid(pid, pid);
	x->kids[x->nkids].pid = pid;
	x->kids[x->nkids].start = vbt_mono_now();
	x->kids[x->nkids].termed = false;
	x->nkids++;
	return 0;
}

int vbt_sink_exec_set_user(struct vbt_sink_exec *x, const char *user,
			   char *err, size_t errlen)
{
	/* /etc/passwd itself: NSS (getpwnam) needs shared libraries a
	 * static binary does not have. */
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw = NULL;

	while (f && (pw = fgetpwent(f)))
		if (!strcmp(pw->pw_name, user))
			break;
	if (f)
		fclose(f);
	if (!pw) {
		snprintf(err, errlen, "no such user in /etc/passwd: '%s'", user);
		return -ENOENT;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "'%s' is root: name an unprivileged user",
			 user);
		return -EINVAL;
	}
	x->uid = pw->pw_uid;
	x->gid = pw->pw_gid;
	x->run_as = true;
	return 0;
}

static void start_queued(struct vbt_sink_exec *x)
{
	while (x->qlen && x->nkids < x->max_running) {
		char **env = x->queue[x->qhead];

		x->qhead = (x->qhead + 1) % VBT_EXEC_MAX_QUEUED;
		x->qlen--;
		if (spawn(x, env))
			result(x, VBT_EXEC_FAILED);
		vbt_strv_free(env);
	}
}

void vbt_sink_exec_alert(struct vbt_sink_exec *x, struct json_object *rec)
{
	char **env = vbt_alert_env(rec);

	if (!env || x->qlen == VBT_EXEC_MAX_QUEUED) {
		if (!x->dropped++ || !(x->dropped % 100))
			vbt_msg("--alert-exec: %d runs "
				"queued, %llu alert(s) not run\n", x->qlen,
				(unsigned long long)x->dropped);
		vbt_strv_free(env);
		result(x, VBT_EXEC_DROPPED);
		return;
	}
	x->queue[(x->qhead + x->qlen) % VBT_EXEC_MAX_QUEUED] = env;
	x->qlen++;
	start_queued(x);
}

static void reap(struct vbt_sink_exec *x, int i, int status)
{
	struct child *c = &x->kids[i];

	if (c->termed)
		result(x, VBT_EXEC_TIMEOUT);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		result(x, VBT_EXEC_OK);
	else
		result(x, VBT_EXEC_FAILED);
	x->kids[i] = x->kids[--x->nkids];
}

void vbt_sink_exec_tick(struct vbt_sink_exec *x, uint64_t now)
{
	for (int i = 0; i < x->nkids;) {
		struct child *c = &x->kids[i];
		/* @now may predate a run started during this tick. */
		uint64_t ran = now > c->start ? now - c->start : 0;
		int status;
		pid_t r = waitpid(c->pid, &status, WNOHANG);

		if (r == c->pid || (r < 0 && errno == ECHILD)) {
			reap(x, i, r == c->pid ? status : 0);
			continue;
		}
		if (!c->termed && ran >= x->timeout_ns) {
			vbt_msg("--alert-exec %s (pid %d) "
				"ran out of time; stopping it\n", x->argv[0],
				(int)c->pid);
			kill(-c->pid, SIGTERM);
			c->termed = true;
		} else if (c->termed && ran >= x->timeout_ns + KILL_GRACE_NS) {
			kill(-c->pid, SIGKILL);
		}
		i++;
	}
	start_queued(x);
}

void vbt_sink_exec_drain(struct vbt_sink_exec *x, uint64_t deadline)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	uint64_t now;

	while (x->nkids || x->qlen) {
		now = vbt_mono_now();
		if (now >= deadline)
			break;
		vbt_sink_exec_tick(x, now);
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < x->nkids; i++)
		kill(-x->kids[i].pid, SIGKILL);
	while (x->nkids) {
		int status = 0;
		pid_t r = waitpid(x->kids[0].pid, &status, 0);

		if (r < 0 && errno == EINTR)
			continue;
		x->kids[0].termed = true;
		reap(x, 0, status);
	}
	while (x->qlen) {
		vbt_strv_free(x->queue[x->qhead]);
		x->qhead = (x->qhead + 1) % VBT_EXEC_MAX_QUEUED;
		x->qlen--;
		result(x, VBT_EXEC_DROPPED);
	}
}

int vbt_sink_exec_running(const struct vbt_sink_exec *x)
{
	return x->nkids;
}

void vbt_sink_exec_free(struct vbt_sink_exec *x)
{
	if (!x)
		return;
	vbt_sink_exec_drain(x, 0);
	vbt_strv_free(x->argv);
	free(x->kids);
	free(x);
}
