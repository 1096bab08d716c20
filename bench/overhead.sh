#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What vblktrace live costs a busy disk: fio 4k random reads (io_uring,
# QD32, O_DIRECT) on a loop device over tmpfs, untraced and traced runs
# interleaved so drift hits both alike.  Prints the median IOPS of each mode
# and the median of the per-round ratios traced/untraced (each round's runs
# are seconds apart, so a busy neighbour skews a round, not the result).
# Target: >= 0.98 in the default errors-only mode.
#
#   bench/overhead.sh [REPS] [SECONDS]     (defaults 5 and 5)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
VBT=$top/build/vblktrace
reps=${1:-5}
secs=${2:-5}

[ "$(id -u)" = 0 ] || { echo "overhead: run as root" >&2; exit 1; }
command -v fio >/dev/null || { echo "overhead: fio missing (make deps)" >&2; exit 1; }
[ -x "$VBT" ] || { echo "overhead: build first (make)" >&2; exit 1; }

dir=$(mktemp -d /tmp/vbt-bench.XXXXXX)
loop=
cleanup() {
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	umount "$dir" 2>/dev/null
	rmdir "$dir"
}
trap cleanup EXIT
mount -t tmpfs -o size=1100M tmpfs "$dir"
dd if=/dev/zero of="$dir/img" bs=1M count=1024 status=none
loop=$(losetup -f --show --direct-io=on "$dir/img")

run_fio() {
	fio --name=bench --filename="$loop" --rw=randread --bs=4k \
		--ioengine=io_uring --iodepth=32 --direct=1 --time_based \
		--runtime="$secs" --ramp_time=1 --output-format=json |
		jq '.jobs[0].read.iops | floor'
}

run_mode() {
	local pid iops
	: >"$dir/err"	# not the last round's ready line
	case $1 in
	untraced)
		run_fio
		return
		;;
	errors) "$VBT" --side guest -t 3600 >/dev/null 2>"$dir/err" & ;;
	all) "$VBT" --side guest -a -j -t 3600 >/dev/null 2>"$dir/err" & ;;
	esac
	pid=$!
	while ! grep -q 'Ctrl-C' "$dir/err" 2>/dev/null; do sleep 0.1; done
	iops=$(run_fio)
	kill -INT $pid
	wait $pid || true
	echo "$iops"
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

: >"$dir/untraced" ; : >"$dir/errors" ; : >"$dir/all"
for i in $(seq "$reps"); do
	for mode in untraced errors all; do
		run_mode $mode >>"$dir/$mode"
	done
	echo "round $i: untraced $(tail -1 "$dir/untraced") errors-only $(tail -1 "$dir/errors") --all $(tail -1 "$dir/all")" >&2
done
u=$(median <"$dir/untraced")
e=$(median <"$dir/errors")
a=$(median <"$dir/all")
re=$(paste "$dir/errors" "$dir/untraced" | awk '{printf "%.4f\n", $1 / $2}' | median)
ra=$(paste "$dir/all" "$dir/untraced" | awk '{printf "%.4f\n", $1 / $2}' | median)
echo "fio 4k randread io_uring QD32 direct, loop over tmpfs, ${reps}x${secs}s interleaved"
printf '%-22s %10s IOPS\n' untraced "$u"
printf '%-22s %10s IOPS  ratio %s (target >= 0.98)\n' "vblktrace (errors)" "$e" "$re"
printf '%-22s %10s IOPS  ratio %s\n' "vblktrace --all" "$a" "$ra"
