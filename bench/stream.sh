#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Streaming every completion: 'vblktrace --all -j' writing to a file on the
# root disk (so its own writeback is there to be traced) while fio does 4k
# random reads at full rate on a loop device over tmpfs.  Per round: the
# untraced IOPS, the traced IOPS, the kernel's count of completed requests
# on the loop device (/sys/block/DEV/stat), the device's events the tool
# delivered, what it says it lost (and of that, how many completions the
# kernel never ran its program for: "unseen", docs/commands.md), and its
# CPU time per event.  Exact means delivered == the kernel's count and
# nothing lost.  Anchor in the
# same rounds: bpftrace printing every completion.  VBT_BASE=older binary
# adds it to each round.
#
#   bench/stream.sh [SECONDS] [ROUNDS]        (defaults 5 and 3)
set -eu
. "$(dirname "$0")/lib.sh"
secs=${1:-5}
rounds=${2:-3}
bench_need fio jq
bench_setup 1024
out=$(mktemp /var/tmp/vbt-stream.XXXXXX)
trap 'rm -f "$out"; bench_cleanup' EXIT
dev=${LOOP#/dev/}
devt=$(( $(stat -c '0x%t' "$LOOP") << 20 | $(stat -c '0x%T' "$LOOP") ))

# stream LABEL CMD...: run CMD into $out around one fio run.
stream() {
	local label=$1 pid fio ios iops got lost cpu0 cpu1 k0 k1
	shift
	: >"$BENCH_DIR/err"	# not the last round's ready line
	: >"$out"
	"$@" >"$out" 2>"$BENCH_DIR/err" &
	pid=$!
	BENCH_PIDS="$BENCH_PIDS $pid"
	until grep -Eq 'Ctrl-C|Attaching' "$BENCH_DIR/err" "$out" 2>/dev/null; do
		kill -0 $pid 2>/dev/null || { cat "$BENCH_DIR/err" >&2; return 1; }
		sleep 0.05
	done
	sleep 0.2
	cpu0=$(awk '{print $14 + $15}' /proc/$pid/stat)
	k0=$(awk '{print $1 + $5}' /sys/block/$dev/stat)
	fio=$(fio_randread "$secs")
	k1=$(awk '{print $1 + $5}' /sys/block/$dev/stat)
	cpu1=$(awk '{print $14 + $15}' /proc/$pid/stat)
	kill -INT $pid
	wait $pid || true
	cp "$BENCH_DIR/err" "$BENCH_DIR/$label.err.$(date +%s)"
	[ -z "${BENCH_KEEP:-}" ] || cp "$BENCH_DIR/err" "$BENCH_KEEP.$label.err"
	iops=${fio% *}
	ios=$((k1 - k0))	# the kernel's own count (diskstats), not fio's
	case $label in
	bpftrace) got=$(grep -c "^$devt " "$out" || true); lost=$(grep -o 'Lost [0-9]*' "$BENCH_DIR/err" "$out" | awk '{s += $2} END {print s + 0}') ;;
	*) got=$(grep -c "\"dev\":\"$dev\"" "$out" || true)
	   lost=$(grep -o '[0-9]\+ lost in the kernel' "$BENCH_DIR/err" | tail -1 | cut -d' ' -f1)
	   # of which the disks counted but the kernel never ran our program for
	   lost="$lost/unseen:$(grep -o '"count":[0-9]*,"cause":"unseen"' "$out" |
		   grep -o '[0-9][0-9]*' | awk '{s += $1} END {print s + 0}')" ;;
	esac
	echo "$iops $ios $got ${lost:-?} $(( (cpu1 - cpu0) * 1000000000 / $(getconf CLK_TCK) / (got > 0 ? got : 1) ))" >>"$BENCH_DIR/$label"
}

tracers=vblktrace
[ -n "${VBT_BASE:-}" ] && tracers="$tracers base"
[ "${BENCH_ANCHORS:-1}" = 1 ] && command -v bpftrace >/dev/null && tracers="$tracers bpftrace"
for r in $(seq "$rounds"); do
	fio_randread "$secs" | cut -d' ' -f1 >>"$BENCH_DIR/untraced"
	for t in $tracers; do
		case $t in
		vblktrace) stream $t "$VBT" --side guest -a -j -t 3600 ;;
		base) stream $t "$VBT_BASE" --side guest -a -j -t 3600 ;;
		bpftrace) stream $t bpftrace -e 'tracepoint:block:block_rq_complete {
			printf("%d %llu\n", args->dev, args->sector); }' ;;
		esac
	done
done
u=$(median <"$BENCH_DIR/untraced")
echo "--all -j to a file on the root disk while fio 4k randread io_uring QD32 runs on loop/tmpfs; $rounds rounds x ${secs}s"
printf '%-10s %9s IOPS\n' untraced "$u"
for t in $tracers; do
	paste "$BENCH_DIR/$t" "$BENCH_DIR/untraced" | awk -v t="$t" '
		{ printf "  %-10s round %d: %8d IOPS (%.3f of untraced)  kernel %d I/Os, delivered %d, lost %s, %d ns CPU per event\n", t, NR, $1, $1 / $6, $2, $3, $4, $5 }'
	paste "$BENCH_DIR/$t" "$BENCH_DIR/untraced" | awk '{print $1 / $6}' | median |
		xargs printf '%-10s median ratio %.3f of untraced\n' "$t"
	# The steadier figure on a shared machine: the tracer's own CPU time.
	awk '{print $5}' "$BENCH_DIR/$t" | median |
		awk -v t="$t" '{printf "%-10s median %.2f CPU s per 1M events\n", t, $1 / 1000}'
done
