#!/bin/sh
# Runs inside the guest (busybox sh): records a guest bundle while failing
# writes hit three disks whose host side fails differently.
#   vda: host ENOSPC, aio=threads   vdb: host ENOSPC, aio=io_uring
#   vdc: blkdebug EIO at sector $BLKDEBUG_SECTOR (from the rig's --file)
#   vdd: a host loop device over a full tmpfs (the host's block layer fails)
#   loop0: the guest's own loop device over its own full tmpfs (no virtio)
OUT=${1:-/out}
. /rig/merge.env

# loop0 is filled before recording starts: only the later writes fail.
mkdir -p /mnt/full
mount -t tmpfs -o size=1M vbt-full /mnt/full
truncate -s 64M /mnt/full/img
losetup /dev/loop0 /mnt/full/img
dd if=/dev/zero of=/dev/loop0 bs=64k count=32 2>/dev/null
sync

# The guest's wall clock is set CLOCK_SHIFT seconds ahead of the host's, so
# merge has a real offset to find; the host hook stamps each VBT-CLOCK line
# with its own clock as it reaches the console: the known offset.
now=$(date +%s)
date -s "$(date -d "@$((now + CLOCK_SHIFT))" '+%Y-%m-%d %H:%M:%S')" >/dev/null
for _ in 1 2 3 4 5; do
	adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 }
		END { printf "VBT-CLOCK %d%06d000\n", s, u }'
	sleep 0.2
done

vblktrace bundle --side guest --no-color -o "$OUT/guest.tar.gz" \
	>"$OUT/bundle.out" 2>"$OUT/bundle.err" &
VP=$!
i=0
while ! grep -q 'Ctrl-C' "$OUT/bundle.err" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "vblktrace bundle did not start"; cat "$OUT/bundle.err"; break; }
	sleep 0.1
done

# One 64 KiB write per block until the tmpfs is full and beyond, then the
# same failing offset twice more: repeated offsets must not cross-join.
fill() {
	for i in $(seq 0 60) 56 56; do
		dd if=/dev/zero of=/dev/$1 bs=64k count=1 seek=$i oflag=direct \
			2>>"$OUT/$1.err" || echo "$i" >>"$OUT/$1.failed"
	done
}
fill vda
fill vdb
fill vdd
for i in 100 101 102; do
	dd if=/dev/zero of=/dev/loop0 bs=64k count=1 seek=$i oflag=direct \
		2>>"$OUT/loop0.err" || echo "$i" >>"$OUT/loop0.failed"
done
dd if=/dev/zero of=/dev/vdc bs=4k count=1 seek=$((BLKDEBUG_SECTOR / 8)) \
	oflag=direct 2>"$OUT/vdc.err"
echo $? >"$OUT/vdc.rc"

sleep 1
kill -INT $VP
wait $VP
echo $? >"$OUT/bundle.rc"
