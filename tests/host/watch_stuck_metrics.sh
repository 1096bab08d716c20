#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# watch --stuck on the Prometheus endpoint: a loop device whose FUSE
# backend holds one read for 3 s (tests/helpers/fuse_eio --delay) hangs a
# dd; while it hangs the gauge vblktrace_stuck_requests of that disk is 1,
# once dd is back it is 0 and the counter stays 1.  Ground truth: the
# FUSE helper's log of the request it held, and dd's own wall time.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"
. "$VBT_ROOT/tests/lib/vbt.sh"

tap_plan 4
W=$(fx_mkdir stuck-metrics)

loop=$(fx_fuse_eio_loop delay:read:8M:4k:3000) || {
	tap_harness on
	tap_fail_rest "fixture: a FUSE loop device holding one read (make helpers)"
	tap_done
	exit 1
}
dev=$(basename "$loop")
port=$((20000 + RANDOM % 30000))
while ss -ltn "sport = :$port" | grep -q LISTEN; do port=$((port + 1)); done

if ! vbt_start "$W/watch" watch --stuck 1 --metrics "127.0.0.1:$port" \
	--log "$W/log.jsonl" -d "$dev"; then
	tap_fail_rest "vblktrace watch --stuck 1 --metrics starts" "$(cat "$W/watch/err")"
	tap_done
	exit 1
fi
scrape() { curl -s "http://127.0.0.1:$port/metrics"; }
value() { scrape | awk -v m="$1{dev=\"$dev\"}" '$1 == m { print $2 }'; }

t0=$(date +%s%N)
dd if="$loop" of=/dev/null bs=4k count=1 skip=2048 iflag=direct 2>/dev/null &
DD=$!
# Stuck after 1 s; the gauge says so while dd still waits.
during=''
for _ in $(seq 25); do
	sleep 0.1
	during=$(value vblktrace_stuck_requests)
	[ "$during" = 1 ] && break
done
kill -0 $DD 2>/dev/null && dd_waiting=1 || dd_waiting=0
wait $DD
t1=$(date +%s%N)
sleep 0.5
after_now=$(value vblktrace_stuck_requests)
after_total=$(value vblktrace_stuck_requests_total)
scrape >"$W/metrics.txt"
vbt_stop "$W/watch"

held=$(grep -c 'delay' "$(fx_fuse_log "$loop")" 2>/dev/null)
dd_ms=$(((t1 - t0) / 1000000))
tap_harness on
[ "${held:-0}" -ge 1 ] && [ "$dd_ms" -ge 2900 ] &&
	tap_ok "the FUSE backend held dd's read (log: $held), dd waited $dd_ms ms" ||
	tap_fail "the FUSE backend held one read" "log: $(cat "$(fx_fuse_log "$loop")" 2>&1 | tail -3)" "dd: $dd_ms ms"
tap_harness off
[ "$during" = 1 ] && [ "$dd_waiting" = 1 ] &&
	tap_ok "while dd waits: vblktrace_stuck_requests{dev=\"$dev\"} 1" ||
	tap_fail "the gauge is 1 while the request hangs" "gauge: '$during', dd waiting: $dd_waiting" \
		"$(grep stuck "$W/metrics.txt")" "$(cat "$W/watch/err")"
[ "$after_now" = 0 ] && [ "$after_total" = 1 ] &&
	tap_ok "after dd returned: the gauge is 0, vblktrace_stuck_requests_total 1" ||
	tap_fail "the gauge falls back to 0, the counter stays 1" "gauge '$after_now', counter '$after_total'" \
		"$(grep stuck "$W/metrics.txt")"
# The log holds the same request: found, then ended, on this disk.
jq -e -s --arg d "$dev" '[.[] | select(.kind == "stuck")] | length == 2 and all(.dev == $d) and
	.[0].phase == "in_flight" and .[1].phase != "in_flight"' "$W/log.jsonl" >/dev/null 2>&1 &&
	tap_ok "the watch log has the stuck read of $dev and its end" ||
	tap_fail "the watch log has the stuck read and its end" "$(grep stuck "$W/log.jsonl")"
tap_done
