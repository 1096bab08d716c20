/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages to the user on stderr, each starting with "vblktrace CMD:" so a
 * line in a log says which command wrote it, as coreutils and git do.
 */
#ifndef VBT_MSG_H
#define VBT_MSG_H

/* "vblktrace live", "vblktrace report", ...: set once by main(). */
extern const char *vbt_prog;
extern const char *vbt_cmd;

void vbt_set_command(const char *cmd);

/* "vblktrace CMD: " + the message (which ends with its own newline). */
void vbt_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A usage error: the message (no newline needed), then the line
 * "Try 'vblktrace CMD --help'."; returns VBT_EXIT_USAGE.
 */
int vbt_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
