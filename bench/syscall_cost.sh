#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What tracing failed syscalls costs the syscalls that succeed: dd copying
# /dev/zero to /dev/null 512 bytes at a time (two traced syscalls per
# block, none failing), untraced and under vblktrace interleaved.  Prints
# the median CPU seconds of each and the median per-round ratio to untraced.
# VBT_BASE=older binary adds it (e.g. one built from an earlier commit).
#
#   bench/syscall_cost.sh [ROUNDS] [BLOCKS]     (defaults 5 and 2000000)
set -eu
. "$(dirname "$0")/lib.sh"
rounds=${1:-5}
blocks=${2:-2000000}
bench_need dd
BENCH_DIR=$(mktemp -d /tmp/vbt-bench.XXXXXX)
trap 'bench_cleanup' EXIT

# dd's CPU seconds (user + system): on a shared machine, less noisy than
# its wall time, and the tracer's cost is system time.
dd_secs() {
	local TIMEFORMAT='%3U %3S'
	{ time dd if=/dev/zero of=/dev/null bs=512 count="$blocks" \
		status=none; } 2>&1 | awk '{printf "%.3f\n", $1 + $2}'
}

# traced BINARY: dd's time while BINARY traces the guest side.
traced() {
	local s
	tracer_start /dev/null "$1" --side guest -t 3600 || exit 1
	s=$(dd_secs)
	kill -INT $TRACER_PID
	wait $TRACER_PID || true
	echo "$s"
}

modes="untraced vblktrace"
[ -n "${VBT_BASE:-}" ] && modes="$modes base"
for m in $modes; do : >"$BENCH_DIR/$m"; done
for r in $(seq "$rounds"); do
	for m in $modes; do
		case $m in
		untraced) dd_secs ;;
		vblktrace) traced "$VBT" ;;
		base) traced "$VBT_BASE" ;;
		esac >>"$BENCH_DIR/$m"
	done
done
echo "dd /dev/zero -> /dev/null, $blocks x 512 B ($((2 * blocks)) syscalls), median of $rounds interleaved rounds"
for m in $modes; do
	ratio=
	[ "$m" != untraced ] && ratio="  time ratio $(paste "$BENCH_DIR/$m" "$BENCH_DIR/untraced" |
		awk '{printf "%.3f\n", $1 / $2}' | median)"
	printf '%-10s %7s s%s\n' "$m" "$(median <"$BENCH_DIR/$m")" "$ratio"
done
