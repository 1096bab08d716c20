#!/bin/sh
# Runs inside the guest for the host-side tests: write past the full host
# image (or into its failing range) on every test disk, read a failing
# range, and record the guest kernel's own view of what failed.
OUT=${1:-/out}
T=/sys/kernel/tracing

echo 'error != 0' > $T/events/block/block_rq_complete/filter
echo 1 > $T/events/block/block_rq_complete/enable
for d in $RIG_DISKS; do
	# 64 KiB direct writes from 2 MiB on: past a 3 MiB tmpfs, or into
	# the FUSE helper's failing range at 4 MiB.
	dd if=/dev/zero of=/dev/$d bs=64k count=96 seek=32 oflag=direct \
		2>"$OUT/$d.write.err"
	dd if=/dev/$d of=/dev/null bs=4k count=1 skip=2048 iflag=direct \
		2>"$OUT/$d.read.err"
done
echo 0 > $T/events/block/block_rq_complete/enable
cat $T/trace >"$OUT/trace.txt"
