/* SPDX-License-Identifier: GPL-2.0 */
/*
 * systemd's readiness protocol (sd_notify(3)) for a Type=notify service:
 * one datagram per state change to the socket named by $NOTIFY_SOCKET.
 * Debian ships no static libsystemd, and the protocol is a few lines.
 */
#ifndef VBT_SD_NOTIFY_H
#define VBT_SD_NOTIFY_H

/*
 * Take $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace) and
 * remove it from the environment, so no child (--alert-exec) can speak for
 * us.  Call before privileges are dropped.  Without it, nothing happens.
 */
void vbt_sd_notify_init(void);
/* Send "READY=1", "STOPPING=1", ...; errors are ignored, as sd_notify's. */
void vbt_sd_notify(const char *state);

#endif
