#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Completions missed right after the ready line: per round, vblktrace
# --all starts on a loop device over tmpfs, and as soon as it says it is
# attached ("Ctrl-C to stop") dd reads 16000 blocks with O_DIRECT.  Prints
# the kernel's count of completed requests (diskstats), how often the
# completion program ran (bpf_stats run_cnt), the device's events shown
# and lost, and the first sector shown: a first sector above 0 means the
# program was attached but not yet run for the reads before it.  The
# anchor is the kernel's own count; bpftrace cannot be one here: it prints
# "Attaching" before it attaches.  Not in 'make bench': it exists to show
# a fault not understood yet (on this 6.18 host some rounds' program runs
# start 50-400 ms after the ready line; a minimal libbpf loader attaching
# the same tracepoint never showed it).
#
#   bench/attach_gap.sh [ROUNDS]        (default 10)
set -eu
. "$(dirname "$0")/lib.sh"
rounds=${1:-10}
bench_need dd jq bpftool
bench_setup 64
dev=${LOOP#/dev/}
stat_sum() { awk '{print $1 + $5 + $12 + $16}' "/sys/block/$dev/stat"; }
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
trap 'sysctl -qw kernel.bpf_stats_enabled=$stats_was; bench_cleanup' EXIT

# one LABEL CMD...: start CMD, wait for its ready line, read, stop.
one() {
	local label=$1 pid k0 k1 runs shown first
	shift
	"$@" >"$BENCH_DIR/out" 2>"$BENCH_DIR/err" &
	pid=$!
	until grep -q 'Ctrl-C' "$BENCH_DIR/err" 2>/dev/null; do
		kill -0 $pid 2>/dev/null || { cat "$BENCH_DIR/err" >&2; return 1; }
		sleep 0.01
	done
	k0=$(stat_sum)
	dd if="$LOOP" of=/dev/null bs=4k count=16000 iflag=direct 2>/dev/null
	k1=$(stat_sum)
	sleep 0.3
	runs=$(for i in $(pid_progs $pid); do
		bpftool -j prog show id "$i" |
			jq -r 'select(.name == "btf_rq_complete") | .run_cnt // 0'
	done)
	kill -INT $pid
	wait $pid || true
	shown=$(jq -r "select(.kind == \"block\" and .dev == \"$dev\") | .sector" \
		"$BENCH_DIR/out" | sort -n | tee "$BENCH_DIR/sec" | wc -l)
	first=$(head -1 "$BENCH_DIR/sec")
	printf '%-10s kernel %6d  program runs %6s  shown %6s  first sector %s\n' \
		"$label" $((k1 - k0)) "${runs:--}" "${shown:-0}" "${first:--}"
}

for r in $(seq "$rounds"); do
	printf 'round %2d: ' "$r"
	one vblktrace "$VBT" --side guest -j -a -d "$dev" --stuck 0
done
