#!/bin/sh
# make demo: an installer's mkfs.xfs failure, reproduced and explained.
#
# A Debian guest's vda is a cache=none,aio=native drive whose writes fail
# (QEMU blkdebug), and vdb's image lives on a full host tmpfs.  Inside the
# guest, vblktrace live watches mkfs.xfs fail; on this host, vblktrace host
# watches the same QEMU.  Both views are printed, then what they mean.
#
# GUEST_ARCH=arm64 (make demo GUEST_ARCH=arm64) is the seed's own platform:
# an aarch64 guest of the 'virt' machine booted through UEFI (AAVMF) with
# its disks on pcie-root-ports as libvirt lays them out, running the static
# aarch64 build/arm64/vblktrace inside, traced from this host by the native
# build/vblktrace.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kernel=${VBT_DEMO_KERNEL:-6.12}
arch=${GUEST_ARCH:-amd64}
out=$(mktemp -d /tmp/vblktrace-demo.XXXXXX)
case $arch in
amd64) machine="an amd64 pc guest" rig_args="" ;;
arm64) machine="an aarch64 virt guest (UEFI, qemu-system-aarch64)" rig_args=--uefi ;;
*) echo "demo: unknown GUEST_ARCH '$arch' (amd64 or arm64)" >&2; exit 2 ;;
esac
export GUEST_ARCH=$arch

cat <<MSG
vblktrace demo: booting a Debian $kernel kernel in $machine under QEMU (TCG);
this takes a minute the first time (the kernel is downloaded and an
initramfs built).
  vda: 512 MiB, cache=none,aio=native, writes at sectors 0 and 1048320 fail (EIO)
  vdb:  64 MiB, cache=none,aio=io_uring, image on a 3 MiB host tmpfs (ENOSPC)
MSG

"$top/scripts/guest/run.sh" --kernel "$kernel" --name demo-vm --timeout 300 --show $rig_args \
	--script "$top/scripts/demo/guest.sh" --out "$out" \
	--disk "size=512M,cache=none,aio=native,werror=report,rerror=report,syntax=blockdev,fault=blkdebug:pwritev:sector=0:errno=EIO+pwritev:sector=1048320:errno=EIO" \
	--disk "size=64M,cache=none,aio=io_uring,werror=report,rerror=report,syntax=blockdev,fault=enospc:3M" \
	--host-hook-ready \
	--host-hook "'$top/build/vblktrace' host --no-color >\"\$RIG_OUT/host.txt\" 2>&1 & \
		while ! grep -q 'Ctrl-C' \"\$RIG_OUT/host.txt\" 2>/dev/null; do sleep 0.1; done; \
		touch \"\$HOOK_READY\"; wait" |
	sed 's/\x1b\[[0-9;=]*[A-Za-z]//g' |	# UEFI's screen clearing
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
