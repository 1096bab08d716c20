#!/bin/sh
# Runs inside the guest (busybox sh): records a guest bundle while failing
# writes hit three disks whose host side fails differently.
#   vda: host ENOSPC, aio=threads   vdb: host ENOSPC, aio=io_uring
#   vdc: blkdebug EIO at sector $BLKDEBUG_SECTOR (from the rig's --file)
OUT=${1:-/out}
. /rig/merge.env

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
dd if=/dev/zero of=/dev/vdc bs=4k count=1 seek=$((BLKDEBUG_SECTOR / 8)) \
	oflag=direct 2>"$OUT/vdc.err"
echo $? >"$OUT/vdc.rc"

sleep 1
kill -INT $VP
wait $VP
echo $? >"$OUT/bundle.rc"
