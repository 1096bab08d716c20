/* SPDX-License-Identifier: GPL-2.0 */
/* The syslog sink of 'vblktrace watch': one human line per alert record. */
#ifndef VBT_SINK_SYSLOG_H
#define VBT_SINK_SYSLOG_H

#include "sink/alert.h"

void vbt_sink_syslog_open(void);
/* Errors at LOG_ERR, repeats at LOG_WARNING, recoveries at LOG_NOTICE. */
void vbt_sink_syslog_alert(const struct vbt_alert *a, uint64_t interval_ns);
void vbt_sink_syslog_line(int priority, const char *text);
void vbt_sink_syslog_close(void);

#endif
