#!/bin/sh
# Runs inside the guest (busybox sh): failures under a virtio-scsi disk and
# under device-mapper stacks, traced by vblktrace live while the kernel
# records its own view (ftrace block_rq_complete, its sense lines).
#   sda: scsi-hd whose read at sector 64 fails with ENODATA on the host
#        (Medium Error), whose write at sector 128 fails with ENOSPC, and
#        whose read at 256 fails with EIO (Aborted Command: retried)
#   vda: dm-linear vbtlin = vda 2048.., and vbtlv = vbtlin 4096.. on top;
#        writes fail on the host at vda 2056 and 6152
#   vdb: partition vdb1 at 20480, vbtpart = vdb1 2048..; writes fail at
#        vdb 22536 (through vbtpart) and 24576 (to vdb1 itself).  (Not on
#        vda: a partition cannot be claimed while dm holds its whole disk.)
OUT=${1:-/out}
T=/sys/kernel/tracing

i=0
while [ ! -e /sys/block/sda ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "no sda after 10 s"; break; }
	sleep 0.1
done
# An MBR with one Linux partition at 20480, 20480 sectors long.
printf '\000\000\000\000\203\000\000\000\000\120\000\000\000\120\000\000' |
	dd of=/dev/vdb bs=1 seek=446 conv=notrunc 2>/dev/null
printf '\125\252' | dd of=/dev/vdb bs=1 seek=510 conv=notrunc 2>/dev/null
blockdev --rereadpt /dev/vdb || echo "no partition table re-read"
vda=$(cat /sys/block/vda/dev)
dmsetup create vbtlin --noudevsync --table "0 32768 linear $vda 2048" ||
	echo "dmsetup create vbtlin failed"
lin=$(cat /sys/block/dm-0/dev)
# Named and tagged as LVM names a logical volume lv of group vg0.
dmsetup create vg0-lv --uuid LVM-vbtrig0000vg0lv --noudevsync \
	--table "0 8192 linear $lin 4096" || echo "dmsetup create vg0-lv failed"
[ -e /dev/dm-1 ] || mknod /dev/dm-1 b "${lin%%:*}" 1
dmsetup create vbtpart --noudevsync --table "0 8192 linear $(cat /sys/block/vdb/vdb1/dev) 2048" ||
	echo "dmsetup create vbtpart failed"
[ -e /dev/dm-2 ] || mknod /dev/dm-2 b "${lin%%:*}" 2

echo 'error != 0' > $T/events/block/block_rq_complete/filter
echo 1 > $T/events/block/block_rq_complete/enable
# Every try of a SCSI command that failed, as the midlayer saw it.
echo 'result != 0' > $T/events/scsi/scsi_dispatch_cmd_done/filter
echo 1 > $T/events/scsi/scsi_dispatch_cmd_done/enable

vblktrace live --side guest -j -o "$OUT/events.jsonl" >/dev/null 2>"$OUT/vbt.err" &
VP=$!
i=0
while ! grep -q 'Ctrl-C' "$OUT/vbt.err" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "vblktrace did not start"; cat "$OUT/vbt.err"; break; }
	sleep 0.1
done
vblktrace --side guest --no-color -t 600 >"$OUT/live.txt" 2>&1 &
TP=$!
# The fallbacks: raw_tp sees the same; classic tracepoints say what not.
VBLKTRACE_ATTACH=raw_tp vblktrace live --side guest -j -o "$OUT/raw.jsonl" \
	>/dev/null 2>"$OUT/raw.err" &
RP=$!
VBLKTRACE_ATTACH=tracepoint vblktrace live --side guest -j >/dev/null 2>"$OUT/tp.err" &
CP=$!
for f in live.txt raw.err tp.err; do
	i=0
	while ! grep -q 'Ctrl-C' "$OUT/$f" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 300 ] && { echo "vblktrace ($f) did not start"; break; }
		sleep 0.1
	done
done

dd if=/dev/sda of=/dev/null bs=4k count=1 skip=8 iflag=direct 2>"$OUT/sread.err"
echo $? >"$OUT/sread.rc"
dd if=/dev/zero of=/dev/sda bs=4k count=1 seek=16 oflag=direct 2>"$OUT/swrite.err"
echo $? >"$OUT/swrite.rc"
dd if=/dev/sda of=/dev/null bs=4k count=1 skip=32 iflag=direct 2>"$OUT/sretry.err"
echo $? >"$OUT/sretry.rc"
dd if=/dev/zero of=/dev/dm-0 bs=4k count=1 seek=1 oflag=direct 2>"$OUT/dm.err"
echo $? >"$OUT/dm.rc"
dd if=/dev/zero of=/dev/dm-1 bs=4k count=1 seek=1 oflag=direct 2>"$OUT/dm2.err"
echo $? >"$OUT/dm2.rc"
dd if=/dev/zero of=/dev/dm-2 bs=4k count=1 seek=1 oflag=direct 2>"$OUT/dmp.err"
echo $? >"$OUT/dmp.rc"
dd if=/dev/zero of=/dev/vdb1 bs=4k count=1 seek=512 oflag=direct 2>"$OUT/part.err"
echo $? >"$OUT/part.rc"

sleep 1
kill -INT $VP $TP $RP $CP
wait $VP
echo $? >"$OUT/vbt.rc"
wait $TP $RP $CP
echo 0 > $T/events/block/block_rq_complete/enable
echo 0 > $T/events/scsi/scsi_dispatch_cmd_done/enable
cat $T/trace >"$OUT/trace.txt"
dmesg >"$OUT/dmesg.txt"
vblktrace disks >"$OUT/disks.txt" 2>&1
vblktrace disks -j >"$OUT/disks.jsonl" 2>&1
echo "scsi_disk $(cat /sys/class/scsi_disk/0:0:0:0/cache_type) FUA $(cat /sys/class/scsi_disk/0:0:0:0/FUA)" >"$OUT/scsi_disk.txt"
for d in sda vda vdb vdb/vdb1 dm-0 dm-1 dm-2; do
	echo "$d $(cat /sys/block/$d/dev)"
done >"$OUT/sysfs.txt"
