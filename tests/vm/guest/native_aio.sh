#!/bin/sh
# Runs inside the guest, whose kernel allows fentry/kprobe: the native-AIO
# path of vblktrace host.  fio submits Linux AIO (libaio, O_DIRECT) to a
# loop device over a full tmpfs; the completions fail with ENOSPC inside
# the kernel, where only aio_complete_rw sees them.
OUT=${1:-/out}
T=/sys/kernel/tracing

mkdir -p /mnt/full
mount -t tmpfs -o size=3M vbt-full /mnt/full
truncate -s 64M /mnt/full/img
losetup /dev/loop0 /mnt/full/img
dd if=/dev/zero of=/dev/loop0 bs=64k count=64 oflag=direct 2>/dev/null
cat /sys/block/loop0/dev >"$OUT/loop0.dev"

echo 'error != 0' >$T/events/block/block_rq_complete/filter
echo 1 >$T/events/block/block_rq_complete/enable

# fio waits before its first I/O so the tracer can attach to its pid.
fio --name=aio --filename=/dev/loop0 --ioengine=libaio --direct=1 \
	--rw=write --bs=64k --offset=8M --size=1M --iodepth=4 --thread \
	--startdelay=8 --output="$OUT/fio.out" >/dev/null 2>&1 &
FP=$!
echo $FP >"$OUT/fio.pid"
vblktrace host -j -p $FP >"$OUT/host.jsonl" 2>"$OUT/host.err" &
VP=$!
wait $FP
sleep 1
kill -INT $VP
wait $VP
echo 0 >$T/events/block/block_rq_complete/enable
cat $T/trace >"$OUT/trace.txt"
