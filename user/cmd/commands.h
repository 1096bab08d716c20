/* SPDX-License-Identifier: GPL-2.0 */
/* One entry point per vblktrace command; each returns an exit status. */
#ifndef VBT_COMMANDS_H
#define VBT_COMMANDS_H

int cmd_live(int argc, char **argv);
int cmd_host(int argc, char **argv);
int cmd_watch(int argc, char **argv);

struct vbt_session;
/* The host view on a parsed session (live on a hypervisor runs it too). */
int vbt_host_run(struct vbt_session *s);
int cmd_disks(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_explain(int argc, char **argv);

#endif
