#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Start-up and stop: milliseconds from exec to attached, i.e. to
# vblktrace's "Ctrl-C to stop" line (bpftrace's "Attaching" line for the anchor), median of
# ROUNDS runs of each, interleaved.  VBT_BASE=older binary adds it.
#
#   bench/startup.sh [ROUNDS]        (default 7)
set -eu
. "$(dirname "$0")/lib.sh"
rounds=${1:-7}
bench_need
BENCH_DIR=$(mktemp -d /tmp/vbt-bench.XXXXXX)
trap 'rm -rf "$BENCH_DIR"' EXIT

# ready_ms PATTERN CMD...: "READY STOP": ms until CMD prints PATTERN, and
# ms from the SIGINT that then stops it until it has exited (detaching
# included: a stop the user waits for).
ready_ms() {
	local pat=$1 t0 t1 line pid fd
	shift
	t0=$(date +%s%N)
	coproc RUN { exec timeout 20 "$@" 2>&1; }
	pid=$RUN_PID
	exec {fd}<&"${RUN[0]}"
	while IFS= read -r line <&"$fd"; do
		case $line in *$pat*) break ;; esac
	done
	t1=$(date +%s%N)
	kill -INT "$pid" 2>/dev/null || true
	cat <&"$fd" >/dev/null
	exec {fd}<&-
	wait "$pid" 2>/dev/null || true
	echo "$(((t1 - t0) / 1000000)) $((($(date +%s%N) - t1) / 1000000))"
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
echo "start to attached, and SIGINT to exited, median of $rounds runs"
for t in $tracers; do
	printf '%-10s ready %6s ms   stop %6s ms   (runs: %s)\n' "$t" \
		"$(cut -d' ' -f1 <"$BENCH_DIR/$t" | median)" \
		"$(cut -d' ' -f2 <"$BENCH_DIR/$t" | median)" \
		"$(tr '\n' ',' <"$BENCH_DIR/$t")"
done
