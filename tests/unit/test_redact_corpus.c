// SPDX-License-Identifier: GPL-2.0
/*
 * The adversarial redaction corpus (tests/unit/corpus/redact/) through
 * every sink that can carry a command line, an image name or libvirt XML:
 * the bundle's redacted arguments and XML (before and after the scrub
 * pass), the QEMU model's image names as events (JSON and text), alert
 * records (JSON, the --alert-exec environment, the syslog text) and
 * metrics (exposition and the textfile, which must be 0600).  Every
 * secret value in the corpus contains S3KRIT; no output may.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "decode/clock.h"
#include "enrich/host_enrich.h"
#include "redact/redact.h"
#include "sink/alert.h"
#include "sink/alert_format.h"
#include "sink/format.h"
#include "sink/metrics.h"
#include "sink/sink_exec.h"
#include "system/qemu/qemu.h"

#define MARK "S3KRIT"

static char *corpus(const char *name, size_t *len)
{
	char path[PATH_MAX], src[] = __FILE__, *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/corpus/redact/%s", dirname(src), name);
	f = fopen(path, "r");
	if (!f) {
		snprintf(path, sizeof(path), "tests/unit/corpus/redact/%s",
			 name);
		f = fopen(path, "r");
	}
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

/* Fails the test, naming the sink and the case, if @s shows a secret. */
#define NO_SECRET(s, sink, what) do {					\
	const char *_s = (s);						\
	if (_s && strstr(_s, MARK)) {					\
		TH_LOG("%s leaks a secret for %s: %s", sink, what, _s);	\
		_metadata->passed = 0;					\
	}								\
} while (0)

static int cases(char ***opt, char ***arg)
{
	char *text = corpus("qemu.args", NULL), *line, *save = NULL;
	int n = 0;

	*opt = calloc(64, sizeof(char *));
	*arg = calloc(64, sizeof(char *));
	for (line = strtok_r(text, "\n", &save); line && n < 64;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');

		if (line[0] == '#' || !tab)
			continue;
		(*opt)[n] = strndup(line, tab - line);
		(*arg)[n] = strdup(tab + 1);
		n++;
	}
	free(text);
	return n;
}

/* The bundle: every argument redacted on its own, then the scrub pass
 * over everything written together. */
TEST(bundle_arguments)
{
	struct vbt_redactions r;
	char **opt, **arg, all[65536] = "", *scrubbed;
	int n = cases(&opt, &arg);
	size_t len;

	ASSERT_LT(20, n);
	vbt_redact_init(&r);
	for (int i = 0; i < n; i++) {
		char *red = vbt_redact_arg(&r, opt[i], arg[i], "corpus");
		char *red0 = vbt_redact_arg(&r, NULL, opt[i], "corpus");

		ASSERT_NE(NULL, red);
		NO_SECRET(red, "bundle argument", arg[i]);
		snprintf(all + strlen(all), sizeof(all) - strlen(all),
			 "%s %s %s\n", red0, red, arg[i]);
		free(red);
		free(red0);
	}
	/* The scrub pass finds every remembered value, in raw, ",," and
	 * JSON-escaped spellings, in what else a bundle holds (here: the
	 * raw arguments themselves). */
	scrubbed = vbt_redact_scrub(&r, all, strlen(all), &len);
	ASSERT_NE(NULL, scrubbed);
	NO_SECRET(scrubbed, "bundle after the scrub pass", "all");
	EXPECT_LT(15, r.nwhat);
	free(scrubbed);
	vbt_redact_free(&r);
	for (int i = 0; i < n; i++) {
		free(opt[i]);
		free(arg[i]);
	}
	free(opt);
	free(arg);
}

TEST(bundle_xml_and_kernel_line)
{
	struct vbt_redactions r;
	size_t len;
	char *x = corpus("cookies.xml", &len), *red, *k;

	ASSERT_NE(NULL, x);
	vbt_redact_init(&r);
	red = vbt_redact_xml(&r, x, len, "cookies.xml");
	ASSERT_NE(NULL, red);
	NO_SECRET(red, "libvirt XML", "cookies.xml");
	EXPECT_NE(NULL, strstr(red, "x=1"));	/* harmless keys stay */
	free(red);
	free(x);
	/* The layout around redacted elements is no secret: scrubbing it
	 * cut through the JSON of a whole bundle's facts. */
	{
		static const char js[] = "{\"hints\":[\n        \"a b\"\n"
					 "      ],\n          \"x\":1}";
		char *sc = vbt_redact_scrub(&r, js, strlen(js), &len);

		ASSERT_NE(NULL, sc);
		EXPECT_STREQ(js, sc);
		free(sc);
	}
	/* Values behind an internal DTD entity: the document is left out. */
	x = corpus("entity.xml", &len);
	ASSERT_NE(NULL, x);
	EXPECT_EQ(NULL, vbt_redact_xml(&r, x, len, "entity.xml"));
	free(x);
	k = corpus("kernel.cmdline", NULL);
	ASSERT_NE(NULL, k);
	red = vbt_redact_words(&r, k, "kernel command line");
	NO_SECRET(red, "kernel command line", k);
	free(red);
	free(k);
	vbt_redact_free(&r);
}

/* The QEMU model of each case: its image names as events, alerts and
 * metrics carry them. */
TEST(model_sinks)
{
	char **opt, **arg, dir[] = "/tmp/vbt-redact.XXXXXX", path[128];
	int n = cases(&opt, &arg), drives = 0;
	struct vbt_clock clock = { 0 };
	struct vbt_fmt fmt = { .clock = &clock };
	struct vbt_metrics *m = vbt_metrics_new(0);
	struct stat st;

	ASSERT_NE(NULL, mkdtemp(dir));
	for (int i = 0; i < n; i++) {
		char argv[8192], err[256];
		size_t len = 0;
		struct vbt_vm vm;

		len += sprintf(argv + len, "qemu-system-x86_64") + 1;
		len += sprintf(argv + len, "-name") + 1;
		len += sprintf(argv + len, "guest=vm%d", i) + 1;
		len += sprintf(argv + len, "%s", opt[i]) + 1;
		len += snprintf(argv + len, sizeof(argv) - len, "%s", arg[i]) + 1;
		if (vbt_qemu_parse_cmdline(argv, len, &vm, err, sizeof(err)))
			continue;	/* refused: nothing of it is shown */
		vm.verified = true;
		for (int j = 0; j < vm.ndrives; j++) {
			struct vbt_drive *d = &vm.drives[j];
			struct vbt_alert_key key;
			struct vbt_alert a = { .type = VBT_ALERT_ERROR,
					       .key = &key, .events = 1,
					       .total = 1 };
			struct vbt_event ev;
			struct json_object *rec;
			char line[2048], *js, **env;

			drives++;
			NO_SECRET(d->image, "model image", arg[i]);
			memset(&ev, 0, sizeof(ev));
			ev.kind = VBT_KIND_SYSCALL;
			ev.side = VBT_SIDE_HOST;
			ev.err = ENOSPC;
			ev.sys.sys = VBT_SYS_PWRITEV;
			snprintf(ev.sys.path, sizeof(ev.sys.path), "%s",
				 d->image ? d->image : "");
			vbt_host_fill(&ev.host, &vm, d);
			js = vbt_format_json(&ev, &fmt);
			NO_SECRET(js, "event JSON", arg[i]);
			free(js);
			vbt_format_text(&ev, &fmt, line, sizeof(line));
			NO_SECRET(line, "event text", arg[i]);
			vbt_alert_key_of(&ev, NULL, &key);
			a.ev = &ev;
			js = vbt_alert_json_line(&a, &fmt, 10000000000ULL);
			NO_SECRET(js, "alert JSON", arg[i]);
			free(js);
			rec = vbt_alert_json(&a, &fmt, 10000000000ULL);
			env = vbt_alert_env(rec);
			for (char **e = env; e && *e; e++)
				NO_SECRET(*e, "--alert-exec environment",
					  arg[i]);
			vbt_strv_free(env);
			json_object_put(rec);
			vbt_alert_text(&a, 10000000000ULL, line, sizeof(line));
			NO_SECRET(line, "syslog/alert text", arg[i]);
		}
		vbt_metrics_set_drives(m, &vm, 1);
		{
			char *t = vbt_metrics_render(m, NULL);

			NO_SECRET(t, "metrics", arg[i]);
			free(t);
		}
		ASSERT_EQ(0, vbt_metrics_textfile_write(m, dir));
		snprintf(path, sizeof(path), "%s/vblktrace.prom", dir);
		{
			size_t l;
			FILE *f = fopen(path, "r");
			char buf[65536];

			ASSERT_NE(NULL, f);
			l = fread(buf, 1, sizeof(buf) - 1, f);
			buf[l] = 0;
			fclose(f);
			NO_SECRET(buf, "metrics textfile", arg[i]);
		}
		vbt_vm_free(&vm);
	}
	EXPECT_LT(10, drives);	/* the corpus reached the sinks */
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	unlink(path);
	rmdir(dir);
	vbt_metrics_free(m);
	for (int i = 0; i < n; i++) {
		free(opt[i]);
		free(arg[i]);
	}
	free(opt);
	free(arg);
}

TEST_HARNESS_MAIN
