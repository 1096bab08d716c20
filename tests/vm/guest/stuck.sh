#!/bin/sh
# Runs inside the guest (busybox sh): reads of vda that the host holds
# (fuse_eio --delay) instead of failing, traced by vblktrace live with
# --stuck 2 while the kernel records its own view (ftrace block_rq_issue
# and block_rq_complete of vda, its hung-task lines with a 1 s timeout).
#   vda 8 MiB:  held 4.5 s: reported stuck, then ended
#   vda 16 MiB: held 1 s, below the threshold: never reported
#   vda 24 MiB: held 5 s, still in flight when the tracers stop
#   vda 32 MiB: a write held 4 s, written through the page cache and
#               fsync'ed after that
#   vda 40 MiB: held 3 s while vda's iostats is off
OUT=${1:-/out}
T=/sys/kernel/tracing
vda=$(cat /sys/block/vda/dev)
major=${vda%%:*}
minor=${vda##*:}

echo "dev == $(((major << 20) | minor))" >$T/events/block/block_rq_issue/filter
echo "dev == $(((major << 20) | minor))" >$T/events/block/block_rq_complete/filter
echo 1 >$T/events/block/block_rq_issue/enable
echo 1 >$T/events/block/block_rq_complete/enable
# The kernel's own word for a task blocked on I/O (explain reads it).
echo 1 >/proc/sys/kernel/hung_task_timeout_secs ||
	echo "no hung task detector"

start() { # NAME ARGS...: a tracer whose stderr is NAME.err
	name=$1
	shift
	"$@" 2>"$OUT/$name.err" &
	eval "${name}_pid=\$!"
	i=0
	while ! grep -q 'Ctrl-C' "$OUT/$name.err" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 300 ] && { echo "vblktrace ($name) did not start"; break; }
		sleep 0.1
	done
}
start vbt vblktrace live --side guest -j --stuck 2 -o "$OUT/events.jsonl"
start off vblktrace live --side guest -j --stuck 0 -o "$OUT/off.jsonl"
start raw env VBLKTRACE_ATTACH=raw_tp vblktrace live --side guest -j --stuck 2 \
	-o "$OUT/raw.jsonl"
start txt vblktrace live --side guest --no-color --stuck 2 >"$OUT/live.txt"
# Ends left to the scan: the account it gives when it could not watch one.
start gone env VBLKTRACE_STUCK_END=scan vblktrace live --side guest -j \
	--stuck 2 -o "$OUT/gone.jsonl"
VBLKTRACE_STUCK_END=bogus vblktrace live -t 1 >/dev/null 2>"$OUT/bogus.err"
echo $? >"$OUT/bogus.rc"

dd if=/dev/vda of=/dev/null bs=4k count=1 skip=2048 iflag=direct 2>"$OUT/dd1.err" &
echo $! >"$OUT/dd1.pid"
wait $!
dd if=/dev/vda of=/dev/null bs=4k count=1 skip=4096 iflag=direct 2>"$OUT/dd2.err" &
echo $! >"$OUT/dd2.pid"
wait $!
# iostats off (and no scheduler): no start stamp at allocation, only the
# block statistics' stamp at issue.
sched=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/block/vda/queue/scheduler)
echo none >/sys/block/vda/queue/scheduler
echo 0 >/sys/block/vda/queue/iostats
cat /sys/block/vda/queue/scheduler /sys/block/vda/queue/iostats >"$OUT/queue.txt"
dd if=/dev/vda of=/dev/null bs=4k count=1 skip=10240 iflag=direct 2>"$OUT/dd5.err" &
echo $! >"$OUT/dd5.pid"
wait $!
echo 1 >/sys/block/vda/queue/iostats
echo "$sched" >/sys/block/vda/queue/scheduler
dd if=/dev/vda of=/dev/null bs=4k count=1 skip=6144 iflag=direct 2>"$OUT/dd3.err" &
echo $! >"$OUT/dd3.pid"
dd3=$!
# Past the threshold and a scan, well before the host answers it.
sleep 3.5
kill -INT $vbt_pid $off_pid $raw_pid $txt_pid $gone_pid
wait $vbt_pid
echo $? >"$OUT/vbt.rc"
wait $off_pid $raw_pid $txt_pid $gone_pid
# fsync waits for writeback in plain D state, no timeout (direct I/O and
# submit_bio_wait wake every half hung_task_timeout_secs on purpose, page
# cache reads wait killable): the hung-task report.
dd if=/dev/zero of=/dev/vda bs=4k count=1 seek=8192 conv=fsync 2>"$OUT/dd4.err" &
dd4=$!
wait $dd3
wait $dd4
echo 0 >$T/events/block/block_rq_issue/enable
echo 0 >$T/events/block/block_rq_complete/enable
cat $T/trace >"$OUT/trace.txt"
dmesg >"$OUT/dmesg.txt"
