# SPDX-License-Identifier: GPL-2.0
# Shared by the benchmarks: a loop device over tmpfs (no real disk in the
# way, so the tracer's cost is the largest part of each I/O), fio, and the
# kernel's own BPF run-time statistics (exact, unlike IOPS on a busy host).
# Source it; it sets BENCH_DIR and LOOP and cleans up on exit.

BENCH_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VBT=${VBT:-$BENCH_TOP/build/vblktrace}
BENCH_DIR= LOOP= BENCH_PIDS=

bench_need() {
	[ "$(id -u)" = 0 ] || { echo "${0##*/}: run as root" >&2; exit 1; }
	[ -x "$VBT" ] || { echo "${0##*/}: build first (make)" >&2; exit 1; }
	for c in "$@"; do
		command -v "$c" >/dev/null ||
			{ echo "${0##*/}: $c missing (make deps)" >&2; exit 1; }
	done
}

bench_cleanup() {
	local p
	for p in $BENCH_PIDS; do
		kill -INT "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	[ -n "$BENCH_DIR" ] && { umount "$BENCH_DIR/mnt" 2>/dev/null; rm -rf "$BENCH_DIR"; }
	return 0
}

# bench_setup MIB: a loop device (direct I/O) over a MIB-sized tmpfs file.
bench_setup() {
	BENCH_DIR=$(mktemp -d /tmp/vbt-bench.XXXXXX)
	trap bench_cleanup EXIT
	mkdir "$BENCH_DIR/mnt"
	mount -t tmpfs -o size=$(($1 + 64))M vbt-bench "$BENCH_DIR/mnt"
	dd if=/dev/zero of="$BENCH_DIR/mnt/img" bs=1M count="$1" status=none
	LOOP=$(losetup -f --show --direct-io=on "$BENCH_DIR/mnt/img")
}

# fio_randread SECONDS: 4k random reads, io_uring QD32, O_DIRECT; prints
# "IOPS I/Os".
fio_randread() {
	fio --name=bench --filename="$LOOP" --rw=randread --bs=4k \
		--ioengine=io_uring --iodepth=32 --direct=1 --time_based \
		--runtime="$1" --output-format=json |
		jq -r '.jobs[0].read | "\(.iops | floor) \(.total_ios)"'
}

# pid_progs PID: ids of the BPF programs PID holds (its program and link fds;
# diffing the global list would also catch other tracers starting meanwhile).
pid_progs() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '$1 == "prog_id:" {print $2}' | sort -un
}

# prog_stats IDS...: "id name run_time_ns run_cnt" per program.
prog_stats() {
	local ids
	ids=$(printf '%s,' "$@")
	bpftool -j prog show | jq -r --argjson ids "[${ids%,}]" \
		'.[] | select(.id as $i | $ids | index($i)) |
		 "\(.id) \(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"'
}

# wait_progs PID: the programs PID holds, once their number has been
# stable for 0.3 s.
wait_progs() {
	local prev= cur n=0
	while [ $n -lt 200 ]; do
		kill -0 "$1" 2>/dev/null || break
		cur=$(pid_progs "$1" | tr '\n' ' ')
		[ -n "$cur" ] && [ "$cur" = "$prev" ] && { echo "$cur"; return; }
		prev=$cur
		sleep 0.3
		n=$((n + 1))
	done
	echo "${0##*/}: process $1 holds no BPF programs" >&2
	return 1
}

# tracer_start OUT CMD...: run CMD (stdout to OUT, stderr to
# $BENCH_DIR/err) until its "Ctrl-C to stop" line; sets TRACER_PID.  The
# error file is emptied before the fork: the child's redirection can come
# after the first look, which would find the last round's ready line.
tracer_start() {
	local out=$1
	shift
	: >"$BENCH_DIR/err"
	"$@" >"$out" 2>"$BENCH_DIR/err" &
	TRACER_PID=$!
	until grep -q 'Ctrl-C' "$BENCH_DIR/err"; do
		kill -0 $TRACER_PID 2>/dev/null || { cat "$BENCH_DIR/err" >&2; return 1; }
		sleep 0.01
	done
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
