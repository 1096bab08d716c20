#!/bin/sh
# Runs inside the guest (busybox sh): software RAID built by mdadm over
# disks whose writes fail on the host, traced by vblktrace while the
# kernel records its own view (ftrace block_rq_complete and
# block_bio_remap, its md lines, /proc/mdstat).
#   md0: raid0 over vda + vdb, 64 KiB chunks; md0 sector 136 is vdb 8,
#        which fails: the write to md0 fails
#   md1: raid1 over vdc + vdd; vdd's sector 32 fails: md fails the leg,
#        the write to md1 succeeds on vdc
OUT=${1:-/out}
T=/sys/kernel/tracing
mkdir -p /run/mdadm
mdadm --build /dev/md0 --level=0 --chunk=64 --raid-devices=2 /dev/vda /dev/vdb \
	>"$OUT/mdadm.log" 2>&1 || echo "mdadm --build md0 failed"
# --assume-clean: no resync, which would hit vdd's bad sector before tracing.
mdadm --build /dev/md1 --assume-clean --level=1 --raid-devices=2 /dev/vdc /dev/vdd \
	>>"$OUT/mdadm.log" 2>&1 || echo "mdadm --build md1 failed"

echo 'error != 0' > $T/events/block/block_rq_complete/filter
echo 1 > $T/events/block/block_rq_complete/enable
echo 1 > $T/events/block/block_bio_remap/enable

vblktrace live --side guest -j -o "$OUT/events.jsonl" >/dev/null 2>"$OUT/vbt.err" &
VP=$!
vblktrace --side guest --no-color -t 600 >"$OUT/live.txt" 2>&1 &
TP=$!
for f in vbt.err live.txt; do
	i=0
	while ! grep -q 'Ctrl-C' "$OUT/$f" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 300 ] && { echo "vblktrace ($f) did not start"; break; }
		sleep 0.1
	done
done

dd if=/dev/zero of=/dev/md0 bs=4k count=1 seek=17 oflag=direct 2>"$OUT/md0.err"
echo $? >"$OUT/md0.rc"
dd if=/dev/zero of=/dev/md1 bs=4k count=1 seek=4 oflag=direct 2>"$OUT/md1.err"
echo $? >"$OUT/md1.rc"
sleep 1
cat /proc/mdstat >"$OUT/mdstat.txt"
vblktrace disks >"$OUT/disks.txt" 2>&1
vblktrace disks -j >"$OUT/disks.jsonl" 2>&1
kill -INT $VP $TP
wait $VP
wait $TP
echo 0 > $T/events/block/block_rq_complete/enable
echo 0 > $T/events/block/block_bio_remap/enable
cat $T/trace >"$OUT/trace.txt"
dmesg >"$OUT/dmesg.txt"
