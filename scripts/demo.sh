#!/bin/sh
# make demo: an installer's mkfs.xfs failure, reproduced and explained.
#
# A Debian guest's vda is a cache=none,aio=native drive whose writes fail
# (QEMU blkdebug), and vdb's image lives on a full host tmpfs.  Inside the
# guest, vblktrace live watches mkfs.xfs fail; on this host, vblktrace host
# watches the same QEMU.  Both views are printed, then what they mean.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kernel=${VBT_DEMO_KERNEL:-6.12}
out=$(mktemp -d /tmp/vblktrace-demo.XXXXXX)

cat <<MSG
vblktrace demo: booting a Debian $kernel guest under QEMU (TCG); this takes
a minute the first time (the kernel is downloaded and an initramfs built).
  vda: 512 MiB, cache=none,aio=native, writes at sectors 0 and 1048320 fail (EIO)
  vdb:  64 MiB, cache=none,aio=io_uring, image on a 3 MiB host tmpfs (ENOSPC)
MSG

"$top/scripts/guest/run.sh" --kernel "$kernel" --name demo-vm --timeout 300 --show \
	--script "$top/scripts/demo/guest.sh" --out "$out" \
	--disk "size=512M,cache=none,aio=native,werror=report,rerror=report,syntax=blockdev,fault=blkdebug:pwritev:sector=0:errno=EIO+pwritev:sector=1048320:errno=EIO" \
	--disk "size=64M,cache=none,aio=io_uring,werror=report,rerror=report,syntax=blockdev,fault=enospc:3M" \
	--host-hook-ready \
	--host-hook "'$top/build/vblktrace' host --no-color >\"\$RIG_OUT/host.txt\" 2>&1 & \
		while ! grep -q 'Ctrl-C' \"\$RIG_OUT/host.txt\" 2>/dev/null; do sleep 0.1; done; \
		touch \"\$HOOK_READY\"; wait" |
	grep -v '^\[ *[0-9.]*\] \(virtio\|vd[a-z]\|random\|Run\|Freeing\|Write protecting\)' || true

echo
echo "=== host: vblktrace host (the same QEMU, seen from the hypervisor) ==="
cat "$out/host.txt" 2>/dev/null || echo "(no host trace: see $out)"

cat <<'MSG'

=== what it means ===
Inside the guest, mkfs.xfs only learns "pwrite failed: Input/output error".
vblktrace live names the request behind each failed pwrite64 (vda WRITE,
sector, virtio status IOERR: the host said no) and that mkfs.xfs issued it.
On the host, vblktrace host shows the two drives' aio and cache modes:
  - vdb's failures are QEMU io_uring completions with the real errno,
    ENOSPC: the host filesystem under the image is full.
  - vda's failures have no failing host syscall at all: QEMU itself failed
    them (here blkdebug; in the field a backend, a policy or an aio mode
    the host cannot do, like cache=none,io=native on some hosts).
MSG
echo "(all outputs are in $out)"
