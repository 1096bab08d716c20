#!/bin/sh
# Runs inside the guest for host_libvirt: write 6 MiB to vda, whose host
# image sits on a 3 MiB tmpfs and whose libvirt error_policy is 'stop'.
# libvirt's QEMU pauses this VM at the first ENOSPC; once the test has grown
# the tmpfs and resumed the domain with virsh, QEMU resubmits the write and
# dd finishes.
OUT=${1:-/out}
dd if=/dev/zero of=/dev/vda bs=64k count=96 oflag=direct 2>"$OUT/dd.err"
echo $? >"$OUT/dd.status"
# Run on a while: the host sees the resumed VM before it powers off.
sleep 3
