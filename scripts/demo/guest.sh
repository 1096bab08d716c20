#!/bin/sh
# The demo's guest side: an installer shell.  vblktrace live runs
# on the serial console while mkfs.xfs formats vda (cache=none,aio=native,
# failing writes), then dd writes to vdb, whose host image sits on a full
# filesystem.  mkfs's and dd's own lines are prefixed; vblktrace's start
# with a time of day.
OUT=${1:-/out}

echo
echo "=== guest: vblktrace live, then mkfs.xfs /dev/vda ==="
vblktrace --side guest --no-color 2>"$OUT/live.err" &
VP=$!
i=0
while ! grep -q 'Ctrl-C' "$OUT/live.err" 2>/dev/null && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
cat "$OUT/live.err"
mkfs.xfs -f /dev/vda 2>&1 | sed 's/^/[mkfs.xfs]  /'
echo
echo "=== guest: dd to /dev/vdb (its host image is on a full tmpfs) ==="
dd if=/dev/zero of=/dev/vdb bs=64k count=64 oflag=direct 2>&1 | sed 's/^/[dd]        /'
sleep 1
kill -INT $VP
wait $VP
echo
echo "=== guest: vblktrace disks -d vda ==="
vblktrace disks -d vda
