// SPDX-License-Identifier: GPL-2.0
/*
 * argv_holder: a process that only holds its command line, for tests that
 * need /proc/PID/cmdline to be a chosen (hostile) QEMU command line that a
 * real QEMU would refuse to start with.  Copied to a file named
 * qemu-system-x86_64, it has QEMU's comm and exe name too.  It ignores its
 * arguments and waits for a signal.
 */
#include <unistd.h>

int main(void)
{
	for (;;)
		pause();
}
