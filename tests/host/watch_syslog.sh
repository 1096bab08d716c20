#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vblktrace watch --syslog: a real host block error (a loop device over a
# full tmpfs) becomes one syslog record at LOG_ERR from "vblktrace[PID]"
# naming the disk, op and errno.  /dev/log is a socket of the test's own,
# bind-mounted in a private mount namespace, so the system log is untouched.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"
VBT=$VBT_ROOT/build/vblktrace

tap_plan 3
D=$FX_DIR/syslog
mkdir -p "$D"
loop=$(fx_enospc_loop 3M 64M)
fx_enospc_fill "$loop" >/dev/null
dev=${loop#/dev/}

# A bind mount needs a mount point; without a syslog daemon there is none.
if [ ! -e /dev/log ]; then
	touch /dev/log
	fx_defer "rm -f /dev/log"
fi
socat -u UNIX-RECV:"$D/log" OPEN:"$D/received",creat,append &
SP=$!
fx_defer "kill $SP"
for _ in $(seq 50); do [ -S "$D/log" ] && break; sleep 0.1; done

unshare -m sh -c '
	mount --bind "$1/log" /dev/log || exit 1
	exec "$2" watch --syslog -d "$3" --log "$1/alerts.jsonl" -t 8 2>"$1/err"
' _ "$D" "$VBT" "$dev" &
WP=$!
for _ in $(seq 100); do grep -q 'Ctrl-C' "$D/err" 2>/dev/null && break; sleep 0.1; done
dd if=/dev/zero of="$loop" bs=4k count=1 seek=9000 oflag=direct 2>/dev/null
wait $WP
rc=$?
sleep 0.3

[ $rc = 0 ] && tap_ok "watch --syslog ran and stopped with status 0" ||
	tap_fail "watch --syslog ran and stopped with status 0" "exit $rc" "$(cat "$D/err")"
# <priority>: facility daemon (3) * 8 + LOG_ERR (3) = 27
line=$(grep -a "vblktrace\[[0-9]*\]" "$D/received" 2>/dev/null | grep -a "$dev" | head -1)
case $line in
"<27>"*) tap_ok "an alert reached syslog at daemon.err from vblktrace[pid]" ;;
*) tap_fail "an alert reached syslog at daemon.err from vblktrace[pid]" \
	"received: $(cat -v "$D/received" 2>/dev/null | head -3)" ;;
esac
echo "$line" | grep -qa "WRITE" && echo "$line" | grep -qa "ENOSPC" &&
	tap_ok "the syslog record names the disk, WRITE and ENOSPC" ||
	tap_fail "the syslog record names the disk, WRITE and ENOSPC" "$line"
tap_done
