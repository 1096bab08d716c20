// SPDX-License-Identifier: GPL-2.0
/*
 * vblktrace doctor: configuration diagnosis of a VM's disks, from libvirt
 * XML, a pasted QEMU command line, a running QEMU or all of them; with
 * --to, what breaks a live migration to another configuration.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "diagnose/doctor.h"
#include "opts.h"

static void usage(void)
{
	printf("Usage: vblktrace doctor [--xml F | --cmdline F | --pid PID | --all] "
	       "[--to F] [-j]\n"
	       "Diagnose the block configuration of a VM: every finding has a "
	       "severity, the\ndrive it concerns, what it means, what you will "
	       "see and what to do.\n\n"
	       "  -x, --xml FILE       libvirt domain XML (virsh dumpxml, "
	       "/run/libvirt/qemu/VM.xml)\n"
	       "  -c, --cmdline FILE   QEMU command line: /proc/PID/cmdline "
	       "bytes, one argument\n"
	       "                       per line, or a shell-quoted line as "
	       "libvirt logs it ('-' = stdin)\n"
	       "  -p, --pid PID        a running QEMU (argv, /proc facts, "
	       "libvirt's live XML)\n"
	       "  -a, --all            every running QEMU on this host "
	       "(default without a source)\n"
	       "  -t, --to FILE        destination config (XML or command "
	       "line, or pid:N): what\n"
	       "                       breaks a live migration from the "
	       "source to it\n"
	       "  -j, --json           JSON Lines: one finding per line, then "
	       "a summary\n"
	       "      --strict         exit 1 if any finding is an error\n"
	       "      --no-probe       do not look at this host (sysfs, "
	       "O_DIRECT, io_uring)\n\n"
	       "Exit status: 0 diagnosis done (with or without findings); 1 "
	       "unreadable or\ninvalid input (or --strict and an error "
	       "finding); 2 usage error.\n");
}

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "vblktrace doctor: %s%s%s%s\n"
		"Try 'vblktrace doctor --help'.\n", what, arg ? ": '" : "",
		arg ? arg : "", arg ? "'" : "");
	return VBT_EXIT_USAGE;
}

struct src {
	enum { S_NONE, S_XML, S_CMDLINE, S_PID, S_ALL } kind;
	const char *arg;
	int pid;
};

static int load(struct dr_config *c, const struct src *s)
{
	char err[512] = "";
	int r;

	memset(c, 0, sizeof(*c));
	if (s->kind == S_PID)
		r = dr_config_from_pid(c, "/proc", s->pid, err, sizeof(err));
	else if (!strcmp(s->arg, "-") || !strcmp(s->arg, "/dev/stdin"))
		r = dr_config_from_file(c, "/dev/stdin", s->kind == S_XML, err,
					sizeof(err));
	else
		r = dr_config_from_file(c, s->arg, s->kind == S_XML, err,
					sizeof(err));
	if (r < 0) {
		fprintf(stderr, "vblktrace doctor: %s\n",
			err[0] ? err : "cannot read the configuration");
		dr_config_free(c);
		return VBT_EXIT_RUNTIME;
	}
	return 0;
}

static int parse_to(const char *arg, struct src *s)
{
	long pid;

	s->arg = arg;
	s->kind = S_CMDLINE;	/* XML is recognised by its '<' */
	if (!strncmp(arg, "pid:", 4)) {
		if (vbt_parse_int(arg + 4, 1, 1 << 22, &pid))
			return -1;
		s->kind = S_PID;
		s->pid = pid;
	}
	return 0;
}

static int emit(const struct dr_config *c, const struct dr_config *dst,
		const struct dr_report *r, bool json, bool strict)
{
	if (json)
		dr_print_json(stdout, c, dst, r);
	else
		dr_print_text(stdout, c, dst, r);
	if (strict)
		for (int i = 0; i < r->n; i++)
			if (r->f[i].sev == DR_ERROR)
				return VBT_EXIT_RUNTIME;
	return VBT_EXIT_OK;
}

static int run_all(const struct dr_env *env, bool json, bool strict)
{
	struct vbt_vm *vms;
	int n, rc = VBT_EXIT_OK;

	n = vbt_qemu_scan("/proc", &vms, &n);
	if (n < 0) {
		fprintf(stderr, "vblktrace doctor: cannot read /proc\n");
		return VBT_EXIT_RUNTIME;
	}
	if (!n && !json)
		printf("No running QEMU process found.\n");
	for (int i = 0; i < n; i++) {
		struct dr_config c;
		struct dr_report r = { 0 };
		struct src s = { .kind = S_PID, .pid = vms[i].pid };

		if (load(&c, &s) == 0) {
			dr_diagnose(&c, env, &r);
			if (emit(&c, NULL, &r, json, strict))
				rc = VBT_EXIT_RUNTIME;
			if (!json && i + 1 < n)
				printf("\n");
			dr_report_free(&r);
			dr_config_free(&c);
		}
		vbt_vm_free(&vms[i]);
	}
	free(vms);
	return rc;
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "xml", required_argument, NULL, 'x' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "to", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 'S' },
		{ "no-probe", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct src src = { S_NONE }, to = { S_NONE };
	bool json = false, strict = false, probe = true;
	struct dr_config c, dst;
	struct dr_report r = { 0 };
	struct dr_env env;
	long pid;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":x:c:p:at:jh", lopts,
				  NULL)) != -1) {
		if (strchr("xcpa", opt) && src.kind != S_NONE)
			return bad("give one of --xml, --cmdline, --pid, --all",
				   NULL);
		switch (opt) {
		case 'x':
			src = (struct src){ S_XML, optarg, 0 };
			break;
		case 'c':
			src = (struct src){ S_CMDLINE, optarg, 0 };
			break;
		case 'p':
			if (vbt_parse_int(optarg, 1, 1 << 22, &pid))
				return bad("bad pid", optarg);
			src = (struct src){ S_PID, optarg, (int)pid };
			break;
		case 'a':
			src.kind = S_ALL;
			break;
		case 't':
			if (parse_to(optarg, &to))
				return bad("bad --to", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'S':
			strict = true;
			break;
		case 'N':
			probe = false;
			break;
		case 'h':
			usage();
			return VBT_EXIT_OK;
		case ':':
			return bad("option needs a value", argv[optind - 1]);
		default:
			return bad("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad("unexpected argument", argv[optind]);
	if (to.kind != S_NONE && (src.kind == S_NONE || src.kind == S_ALL))
		return bad("--to needs a source: --xml, --cmdline or --pid",
			   NULL);
	dr_env_default(&env);
	if (!probe) {
		env.local = false;
		env.io_uring = -1;
	}
	if (src.kind == S_NONE || src.kind == S_ALL)
		return run_all(&env, json, strict);
	rc = load(&c, &src);
	if (rc)
		return rc;
	if (to.kind != S_NONE) {
		rc = load(&dst, &to);
		if (rc) {
			dr_config_free(&c);
			return rc;
		}
		dr_diagnose_migration(&c, &dst, &r);
		rc = emit(&c, &dst, &r, json, strict);
		dr_config_free(&dst);
	} else {
		dr_diagnose(&c, &env, &r);
		rc = emit(&c, NULL, &r, json, strict);
	}
	dr_report_free(&r);
	dr_config_free(&c);
	return rc;
}
