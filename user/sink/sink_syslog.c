// SPDX-License-Identifier: GPL-2.0
/* Alert records to syslog (the journal reads /dev/log too). */
#include <syslog.h>

#include "sink/alert_format.h"
#include "sink/sink_syslog.h"

void vbt_sink_syslog_open(void)
{
	/* LOG_NDELAY: connect now, before capabilities are dropped. */
	openlog("vblktrace", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void vbt_sink_syslog_line(int priority, const char *text)
{
	syslog(priority, "%s", text);
}

void vbt_sink_syslog_alert(const struct vbt_alert *a, uint64_t interval_ns)
{
	static const int prio[VBT_ALERT_NTYPES] = {
		[VBT_ALERT_ERROR] = LOG_ERR,
		[VBT_ALERT_REPEAT] = LOG_WARNING,
		[VBT_ALERT_RECOVERED] = LOG_NOTICE,
	};
	char line[1024];

	/* The text escapes control characters: no forged log lines. */
	vbt_alert_text(a, interval_ns, line, sizeof(line));
	syslog(a->type < VBT_ALERT_NTYPES ? prio[a->type] : LOG_ERR, "%s",
	       line);
}

void vbt_sink_syslog_close(void)
{
	closelog();
}
