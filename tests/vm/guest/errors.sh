#!/bin/sh
# Runs inside the guest (busybox sh): the scene of the seeds and its
# siblings, traced by vblktrace live while the kernel records its own view.
#   vda: mkfs.xfs on a cache=none,aio=native drive with write EIO
#   vdb: a read error      vdc: a flush error
#   vdd: host ENOSPC under werror=report
OUT=${1:-/out}
T=/sys/kernel/tracing

echo 'error != 0' > $T/events/block/block_rq_complete/filter
echo 1 > $T/events/block/block_rq_complete/enable

# ready FILE WHAT: wait (30 s at most) for a tracer's "Ctrl-C to stop".
ready()
{
	i=0
	while ! grep -q 'Ctrl-C' "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 300 ] && { echo "vblktrace ($2) did not start"; cat "$1"; return 1; }
		sleep 0.1
	done
}

vblktrace live --side guest -j -o "$OUT/events.jsonl" >/dev/null 2>"$OUT/vbt.err" &
VP=$!
ready "$OUT/vbt.err" json
vblktrace --side guest --no-color -t 600 >"$OUT/live.txt" 2>&1 &
TP=$!
ready "$OUT/live.txt" text
# Every completion, checked at exit against the disks' own counters (-v
# prints each disk's figures).
vblktrace live --side guest -a -v -j >"$OUT/all.jsonl" 2>"$OUT/all.err" &
AP=$!
ready "$OUT/all.err" --all

mkfs.xfs -f /dev/vda >"$OUT/mkfs.out" 2>&1
echo $? >"$OUT/mkfs.rc"
dd if=/dev/vdb of=/dev/null bs=4k count=1 skip=4 iflag=direct 2>"$OUT/read.err"
echo $? >"$OUT/read.rc"
dd if=/dev/zero of=/dev/vdc bs=4k count=1 conv=fsync 2>"$OUT/flush.err"
echo $? >"$OUT/flush.rc"
dd if=/dev/zero of=/dev/vdd bs=64k count=128 oflag=direct 2>"$OUT/enospc.err"
echo $? >"$OUT/enospc.rc"
# Writes that succeed, with O_DSYNC on a write-back disk without FUA: the
# flush machinery completes each data part, then ends the request again.
xfs_io -d -c "pwrite -V 1 -D -b 4096 4096000 32768" /dev/vda >/dev/null 2>&1

sleep 1
kill -INT $VP $TP $AP
wait $VP
echo $? >"$OUT/vbt.rc"
wait $TP
wait $AP
echo 0 > $T/events/block/block_rq_complete/enable
cat $T/trace >"$OUT/trace.txt"
dmesg >"$OUT/dmesg.txt"
vblktrace disks -j >"$OUT/disks.jsonl" 2>&1
for d in vda vdb vdc vdd; do
	echo "$d $(cat /sys/block/$d/dev) $(cat /sys/block/$d/queue/write_cache)" \
		"$(cat /sys/block/$d/queue/logical_block_size)"
done >"$OUT/sysfs.txt"
