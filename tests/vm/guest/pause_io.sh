#!/bin/sh
# Runs inside the guest for host_vm_state: write 6 MiB to vda, whose host
# image sits on a 3 MiB tmpfs and whose error policy is werror=stop.  The
# host pauses this VM at the first ENOSPC; once the host hook has grown the
# tmpfs and resumed it, QEMU resubmits the write and dd finishes.  Then it
# idles while the host deletes vdb's backend.
OUT=${1:-/out}
dd if=/dev/zero of=/dev/vda bs=64k count=96 oflag=direct 2>"$OUT/dd.err"
echo $? >"$OUT/dd.status"
# The host hook removes vdb's drive now; nothing here touches vdb.
sleep 8
