#!/bin/bash
# bench/watch.sh: what 'vblktrace watch' costs on a hypervisor.
#
#   bench/watch.sh [IDLE_SECONDS] [ERRORS]      (default 15 s, 2000 errors)
#
# 1. Idle CPU with 20 idle QEMU processes (paused: -S, each with a drive):
#    the daemon's own CPU time over IDLE_SECONDS, next to 'vblktrace host'
#    (the same tracing without alerting and metrics) in the same setup.
# 2. Cost per error event: one QEMU fails ERRORS writes with a real host
#    ENOSPC (HMP qemu-io on a full tmpfs); the daemon's CPU time for the
#    burst, minus its idle rate, per error it counted.  Same for 'host'.
# CPU time is utime+stime from /proc/PID/stat, threads included.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
VBT=${VBT:-$REPO/build/vblktrace}
IDLE=${1:-15}
ERRORS=${2:-2000}
NQEMU=20
HZ=$(getconf CLK_TCK)

[ "$(id -u)" = 0 ] || { echo "watch.sh: needs root" >&2; exit 1; }
[ -x "$VBT" ] || { echo "watch.sh: no $VBT; run make" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "watch.sh: no qemu-system-x86_64" >&2; exit 1; }

D=$(mktemp -d "${TMPDIR:-/tmp}/bench-watch.XXXXXX")
QPIDS="" TPID="" MNT=$D/full
cleanup() {
	[ -z "$TPID" ] || { kill "$TPID" 2>/dev/null; wait "$TPID" 2>/dev/null; } || true
	for p in $QPIDS; do kill "$p" 2>/dev/null || true; done
	for p in $QPIDS; do wait "$p" 2>/dev/null || true; done
	umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	rm -rf "$D"
}
trap cleanup EXIT

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

start_tracer() {	# start_tracer NAME ARGS...
	local name=$1
	shift
	"$VBT" "$@" >/dev/null 2>"$D/$name.err" &
	TPID=$!
	for _ in $(seq 200); do
		grep -q 'Ctrl-C to stop' "$D/$name.err" 2>/dev/null && return 0
		kill -0 "$TPID" 2>/dev/null || break
		sleep 0.1
	done
	echo "watch.sh: $name did not start: $(cat "$D/$name.err")" >&2
	exit 1
}

stop_tracer() {
	kill -INT "$TPID"
	wait "$TPID" || true
	TPID=""
}

mkdir -p "$MNT"
mount -t tmpfs -o size=1M bench-watch-full "$MNT"
dd if=/dev/zero of="$MNT/fill" bs=64k 2>/dev/null || true
for i in $(seq "$NQEMU"); do
	truncate -s 64M "$D/idle-$i.img"
	qemu-system-x86_64 -S -nodefaults -display none -machine none -accel tcg \
		-monitor none -name "guest=bench-idle-$i,debug-threads=on" \
		-drive "file=$D/idle-$i.img,if=none,id=d0,format=raw,cache=none,aio=io_uring" \
		-drive "file=$D/idle-$i.img,if=none,id=d1,format=raw,readonly=on,aio=threads" \
		2>>"$D/qemu-idle.log" &
	QPIDS="$QPIDS $!"
done
sleep 2

idle_cpu() {	# idle_cpu NAME ARGS... -> "% of one CPU"
	local name=$1 t0 t1
	shift
	start_tracer "$name" "$@"
	sleep 2		# past start-up and the first /proc scans
	t0=$(ticks "$TPID")
	sleep "$IDLE"
	t1=$(ticks "$TPID")
	stop_tracer
	echo "scale=3; ($t1 - $t0) * 100 / $HZ / $IDLE" | bc
}

# One QEMU failing $ERRORS writes; prints QEMU's own count of failures.
burst() {
	local name=$1
	truncate -s 256M "$MNT/$name.img"
	for i in $(seq "$ERRORS"); do
		echo "qemu-io d0 \"write -P 1 $((i * 65536)) 4k\""
	done >"$D/$name.cmds"
	{ sleep 2; cat "$D/$name.cmds"; sleep 0.5; echo quit; } |
		qemu-system-x86_64 -S -nodefaults -display none -machine none -accel tcg \
		-monitor stdio -name "guest=$name,debug-threads=on" \
		-drive "file=$MNT/$name.img,if=none,id=d0,format=raw,cache=none,aio=threads" \
		>"$D/$name.out" 2>&1 || true
	rm -f "$MNT/$name.img"
	grep -c 'write failed: No space left' "$D/$name.out" || true
}

# -> "us per error"; $1 idle % of one CPU.
error_cost() {	# error_cost IDLE_PCT NAME ARGS...
	local idle=$1 name=$2 t0 t1 s0 s1 failed
	shift 2
	start_tracer "$name" "$@"
	sleep 2
	t0=$(ticks "$TPID")
	s0=$(date +%s.%N)
	failed=$(burst "bench-burst-$name")
	sleep 1.5	# the events are drained
	t1=$(ticks "$TPID")
	s1=$(date +%s.%N)
	stop_tracer
	echo "$failed $(echo "scale=2; (($t1 - $t0) / $HZ - $idle / 100 * ($s1 - $s0)) * 1000000 / $failed" | bc)"
}

echo "vblktrace watch benchmark: $NQEMU idle QEMU processes (paused, 2 drives each), $(nproc) CPUs"
host_idle=$(idle_cpu host host)
watch_idle=$(idle_cpu watch watch --metrics 127.0.0.1:0 --log "$D/alerts.jsonl" --alert-interval 5)
printf 'idle CPU over %ss:   host %6s %%   watch %6s %%   (of one CPU)\n' "$IDLE" "$host_idle" "$watch_idle"

set -- $(error_cost "$host_idle" host host)
host_n=$1 host_us=$2
set -- $(error_cost "$watch_idle" watch watch --metrics 127.0.0.1:0 --log "$D/alerts.jsonl" --alert-interval 5)
watch_n=$1 watch_us=$2
printf 'per error event:     host %6s us   watch %6s us   (%s and %s real ENOSPC writes)\n' \
	"$host_us" "$watch_us" "$host_n" "$watch_n"
[ "$(echo "$host_us > 0" | bc)" = 1 ] &&
	printf 'watch / host:        %s x per error\n' "$(echo "scale=2; $watch_us / $host_us" | bc)"
