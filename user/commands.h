/* SPDX-License-Identifier: GPL-2.0 */
/* One entry point per vblktrace command; each returns an exit status. */
#ifndef VBT_COMMANDS_H
#define VBT_COMMANDS_H

int cmd_live(int argc, char **argv);

#endif
