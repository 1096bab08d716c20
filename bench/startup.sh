#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Start-up: milliseconds from exec to attached, i.e. to vblktrace's "Ctrl-C
# to stop" line (bpftrace's "Attaching" line for the anchor), median of
# ROUNDS runs of each, interleaved.  VBT_BASE=older binary adds it.
#
#   bench/startup.sh [ROUNDS]        (default 7)
set -eu
. "$(dirname "$0")/lib.sh"
rounds=${1:-7}
bench_need
BENCH_DIR=$(mktemp -d /tmp/vbt-bench.XXXXXX)
trap 'rm -rf "$BENCH_DIR"' EXIT

# ready_ms PATTERN CMD...: ms until CMD prints PATTERN, then stop it.
ready_ms() {
	local pat=$1 t0 line
	shift
	t0=$(date +%s%N)
	coproc RUN { exec timeout 20 "$@" 2>&1; }
	while IFS= read -r line <&"${RUN[0]}"; do
		case $line in *$pat*) break ;; esac
	done
	echo $((($(date +%s%N) - t0) / 1000000))
	kill -INT "$RUN_PID" 2>/dev/null || true
	wait "$RUN_PID" 2>/dev/null || true
}

tracers=vblktrace
[ -n "${VBT_BASE:-}" ] && tracers="$tracers base"
[ "${BENCH_ANCHORS:-1}" = 1 ] && command -v bpftrace >/dev/null && tracers="$tracers bpftrace"
for r in $(seq "$rounds"); do
	for t in $tracers; do
		case $t in
		vblktrace) ready_ms 'Ctrl-C' "$VBT" --side guest ;;
		base) ready_ms 'Ctrl-C' "$VBT_BASE" --side guest ;;
		bpftrace) ready_ms 'Attaching' bpftrace -B line -e \
			'tracepoint:block:block_rq_complete /args->error != 0/ { @[args->dev] = count(); }' ;;
		esac >>"$BENCH_DIR/$t"
	done
done
echo "start to attached, median of $rounds runs"
for t in $tracers; do
	printf '%-10s %6s ms   (runs: %s)\n' "$t" "$(median <"$BENCH_DIR/$t")" "$(tr '\n' ' ' <"$BENCH_DIR/$t")"
done
