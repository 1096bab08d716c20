#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'vblktrace merge' at scale: N failed guest writes on vda (virtio IOERR)
# and the N failed QEMU pwritev calls behind them (same byte offsets, the
# host clock 3 ms ahead), generated as recordings; prints the wall time and
# the peak RSS of the merge and checks that every guest error was joined to
# its own host call (origin host-syscall).  Nothing else joins the two
# sides; the anchor is the floor under any merge that reads recordings
# with json-c (a project rule): json-c alone parsing both files in two
# threads, same run (tests/helpers/json_floor; 'make helpers').
# VBT_BASE=older binary adds its figures.
#
#   bench/merge.sh [N...]        (default 20000 100000 1000000)
set -eu
. "$(dirname "$0")/lib.sh"
bench_need
BENCH_DIR=$(mktemp -d /var/tmp/vbt-merge.XXXXXX)
trap 'rm -rf "$BENCH_DIR"' EXIT

# gen SIDE N FILE: bench/merge_gen.sh's plain recordings.
gen() {
	sh "$(dirname "$0")/merge_gen.sh" "$1" "$2" >"$3"
}

# run LABEL BIN N: time, peak RSS, and the joins' check.
run() {
	local label=$1 bin=$2 n=$3 t0 t1 rss ok
	LAST_T=
	t0=$(date +%s%N)
	if /usr/bin/time -f '%M' -o "$BENCH_DIR/rss" "$bin" merge -f json \
		"$BENCH_DIR/g$n" "$BENCH_DIR/h$n" >"$BENCH_DIR/out" 2>"$BENCH_DIR/err"; then
		t1=$(date +%s%N)
		LAST_T=$(echo "($t1 - $t0) / 1000000000" | bc -l)
		rss=$(tail -1 "$BENCH_DIR/rss")
		# The counts close the document: its last bytes, not a grep over
		# a gigabyte made one line (that took minutes of a CPU).
		ok=$(tail -c 1000 "$BENCH_DIR/out" | tr -d ' \n' |
			grep -o '"origins":{[^}]*}' | tail -1 |
			grep -o '"host-syscall":[0-9]*' | cut -d: -f2)
		printf '%-10s %8d+%-8d %8.2f s  peak RSS %6d MiB  host-syscall joins: %s\n' \
			"$label" "$n" "$n" "$LAST_T" \
			$((rss / 1024)) "$ok"
	else
		printf '%-10s %8d+%-8d refused: %s\n' "$label" "$n" "$n" "$(head -c 200 "$BENCH_DIR/err")"
	fi
}

FLOOR=$BENCH_TOP/build/tests/helpers/json_floor
for n in ${@:-20000 100000 1000000}; do
	gen guest "$n" "$BENCH_DIR/g$n"
	gen host "$n" "$BENCH_DIR/h$n"
	run vblktrace "$VBT" "$n"
	if [ -n "$LAST_T" ] && [ -x "$FLOOR" ] &&
	   f=$("$FLOOR" "$BENCH_DIR/g$n" "$BENCH_DIR/h$n"); then
		printf '%-10s %8d+%-8d %8.2f s  (json-c parsing both files, 2 threads; merge = %.1fx this)\n' \
			"json-c" "$n" "$n" "$f" "$(echo "$LAST_T / $f" | bc -l)"
	else
		[ -x "$FLOOR" ] || echo "json-c floor: make helpers first"
	fi
	[ -z "${VBT_BASE:-}" ] || run base "$VBT_BASE" "$n"
	rm -f "$BENCH_DIR/g$n" "$BENCH_DIR/h$n"
done
