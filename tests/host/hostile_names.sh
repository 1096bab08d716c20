#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Terminal escapes in names never reach a terminal raw.  A real process
# whose comm is an ESC sequence ("\e[2J\e]0;X\a": clear the screen, retitle
# the terminal) does failing direct writes to a loop device on a full
# tmpfs; live's text output, the recording turned into a bundle and read by
# report and merge, and a bundle whose disk, VM and path names hold escapes
# must show them escaped (\x1b...), never as the bytes themselves.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"
. "$VBT_ROOT/tests/lib/vbt.sh"

tap_plan 7
W=$FX_DIR/hostile
mkdir -p "$W"
ESC=$(printf '\033')
# no_raw NAME FILE: FILE holds no ESC, BEL or other C0 control but \n and \t
no_raw() {
	if [ ! -s "$2" ]; then
		tap_fail "$1" "empty output"
	elif LC_ALL=C grep -q '[^[:print:]	]' "$2"; then
		tap_fail "$1" "raw control bytes:" "$(LC_ALL=C grep -n '[^[:print:]	]' "$2" | cat -v | head -5)"
	else
		tap_ok "$1"
	fi
}

loop=$(fx_enospc_loop 3M 64M) || { tap_skip_rest "no ENOSPC loop device"; tap_done; exit; }
fx_enospc_fill "$loop" >/dev/null

# The kernel sets comm from the executable's name (15 bytes at most).
evil="$ESC[2J$ESC]0;X$(printf '\a')"
mkdir -p "$W/bin"
cp /bin/dd "$W/bin/$evil"
vbt_start "$W/live" --side guest -d "${loop#/dev/}" -o "$W/live/rec.jsonl" ||
	{ tap_skip_rest "vblktrace did not start"; tap_done; exit; }
for off in 9000 9100; do
	"$W/bin/$evil" if=/dev/zero of="$loop" bs=4k count=1 seek=$off \
		oflag=direct 2>/dev/null
done
vbt_stop "$W/live"

# Ground truth for the name: what the kernel called the process.
n=$(jq -r --arg c "$evil" 'select(.kind == "block" and .errno != 0 and
	.comm == $c) | .comm' "$W/live/rec.jsonl" | grep -c .)
if [ "$n" -ge 2 ]; then
	tap_ok "the recording names the real comm ($n failed requests)"
else
	tap_fail "the recording names the real comm" "$(head -3 "$W/live/rec.jsonl")" "$(cat "$W/live/err")"
fi
no_raw "live text: no raw escape from the comm" "$W/live/out"
if grep -qF '\x1b[2J\x1b]0;X\x07[' "$W/live/out"; then
	tap_ok "live text shows the comm escaped"
else
	tap_fail "live text shows the comm escaped" "$(cat -v "$W/live/out" | head -5)"
fi

# A bundle from that recording, with hostile names also in disk, path
# and host fields (what a bundle from someone else may hold).
jq -c --arg e "$evil" '(.dev |= (if . then . + $e else . end)) |
	(if .kind == "block" then . else . end)' "$W/live/rec.jsonl" >"$W/g.jsonl"
printf '{"v":1,"ts":"2026-11-22T04:00:09.000000000Z","mono_ns":9000000000,"side":"guest","kind":"syscall","errno":5,"err":"EIO","pid":7,"tid":7,"comm":"%s","syscall":"pwrite64","fd":3,"path":"/dev/vda%s","offset":4096,"len":4096}\n' \
	'\u001b[2J' '\u001b]0;Y\u0007\u009b31m' >>"$W/g.jsonl"
"$VBT" bundle --from "$W/g.jsonl" -o "$W/g.tar.gz" >"$W/bundle.out" 2>&1
"$VBT" report "$W/g.tar.gz" >"$W/report.txt" 2>&1
no_raw "report text: no raw escape from a bundle" "$W/report.txt"
"$VBT" report --format html "$W/g.tar.gz" >"$W/report.html" 2>&1
no_raw "report html: no raw control byte" "$W/report.html"
printf '{"v":1,"ts":"2026-11-22T04:00:09.100000000Z","mono_ns":2002764807989,"side":"host","kind":"syscall","errno":28,"err":"ENOSPC","pid":4974,"tid":4978,"comm":"%s","syscall":"pwritev","fd":13,"path":"/i%s","offset":3145728,"len":65536,"seq":1,"vm":"%s","drive":"virtio-disk0","node":"n","image":"/i","format":"raw","aio":"threads","cache":"none","direct":true,"werror":"report","rerror":"report","guest_sees":"IOERR"}\n' \
	'w\u001b[2J' '\u001b]0;Z\u0007' 'prod\u001b[31m' >"$W/h.jsonl"
"$VBT" bundle --from "$W/h.jsonl" -o "$W/h.tar.gz" >>"$W/bundle.out" 2>&1
"$VBT" merge "$W/g.tar.gz" "$W/h.tar.gz" >"$W/merge.txt" 2>&1
no_raw "merge text: no raw escape" "$W/merge.txt"
if grep -qF '\x1b' "$W/report.txt" && grep -qF '\x1b' "$W/merge.txt"; then
	tap_ok "report and merge show the names escaped"
else
	tap_fail "report and merge show the names escaped" "$(cat -v "$W/report.txt")" "$(cat -v "$W/merge.txt")"
fi
tap_done
