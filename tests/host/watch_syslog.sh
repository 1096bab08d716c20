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
. "$VBT_ROOT/tests/lib/truth.sh"
VBT=$VBT_ROOT/build/vblktrace

tap_plan 3
D=$FX_DIR/syslog
mkdir -p "$D"
loop=$(fx_enospc_loop 3M 64M) && fx_enospc_fill "$loop" >/dev/null || {
	tap_harness_fail "fixture: a loop device over a full tmpfs"
	tap_fail_rest "no ENOSPC loop device"
	tap_done
	exit 1
}
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
truth_start "$loop"
dd if=/dev/zero of="$loop" bs=4k count=1 seek=9000 oflag=direct 2>/dev/null
# Wait for the record (not a fixed time): socat writes it as it arrives.
for _ in $(seq 100); do grep -qa "vblktrace\[" "$D/received" 2>/dev/null && break; sleep 0.1; done
truth_stop >"$D/truth"
wait $WP
rc=$?

[ $rc = 0 ] && tap_ok "watch --syslog ran and stopped with status 0" ||
	tap_fail "watch --syslog ran and stopped with status 0" "exit $rc" "$(cat "$D/err")"
# <priority>: facility daemon (3) * 8 + LOG_ERR (3) = 27
line=$(grep -a "vblktrace\[[0-9]*\]" "$D/received" 2>/dev/null | grep -a "$dev" | head -1)
case $line in
"<27>"*) tap_ok "an alert reached syslog at daemon.err from vblktrace[pid]" ;;
*) tap_fail "an alert reached syslog at daemon.err from vblktrace[pid]" \
	"received: $(cat -v "$D/received" 2>/dev/null | head -3)" ;;
esac
# The message, exactly, from the kernel's record of the one failed request.
read -r _ tsector _ top terrno <"$D/truth"
want="host disk $dev: $top failed with $( [ "$terrno" = 28 ] && echo ENOSPC || echo "errno $terrno") (block request on $dev sector $tsector"
# (The sector must end there: 72000 is a prefix of 72008.)
msg=${line#*]: }
if [ "$(wc -l <"$D/truth")" = 1 ] && [ "$msg" != "$line" ] &&
   [ "${msg#"$want"}" != "$msg" ] && case ${msg#"$want"} in [0-9]*) false ;; *) true ;; esac; then
	tap_ok "the syslog record is the kernel's failed request: $want ...)"
else
	tap_fail "the syslog record is the kernel's failed request" "want: $want ..." "got: $line" \
		"kernel: $(cat "$D/truth")"
fi
tap_done
