#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A guest disk served by qemu-storage-daemon over vhost-user-blk, its image
# on a full tmpfs: the writes fail in the daemon, not in QEMU.  vblktrace
# host must find the daemon, attribute each failed write to the VM and to
# the vhost-user-blk device, with the daemon's own aio and cache settings,
# at the offsets of the sectors the guest kernel saw fail.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/truth.sh"
VBT=$VBT_ROOT/build/vblktrace
KERNEL=${VBT_HOST_KERNEL:-6.1}
NAME=vbt-vhost-$$
export VBT

tap_plan 6
out=$FX_DIR/vhost
HOOK='"$VBT" host -j >"$RIG_OUT/host.jsonl" 2>"$RIG_OUT/host.err" &
while ! grep -q "Ctrl-C" "$RIG_OUT/host.err" 2>/dev/null; do sleep 0.1; done
"$VBT" disks >"$RIG_OUT/disks.out" 2>&1
"$VBT" doctor --pid "$QEMU_PID" --no-probe >"$RIG_OUT/doctor.out" 2>&1
touch "$HOOK_READY"; wait'
"$VBT_ROOT/scripts/guest/run.sh" --kernel "$KERNEL" --name "$NAME" --timeout 180 \
	--script "$VBT_ROOT/tests/vm/guest/host_io.sh" --out "$out" \
	--disk "size=64M,backend=vhost-user,aio=threads,cache=none,fault=enospc:3M" \
	--host-hook-ready --host-hook "$HOOK" >"$FX_DIR/rig.log" 2>&1 </dev/null
rc=$?
image=$(awk -F'\t' '$2 == "vda" {print $4}' "$out/disks.txt" 2>/dev/null)
ev=$out/host.jsonl
grep -q 'Input/output error' "$out/guest/vda.write.err" 2>/dev/null && [ $rc = 0 ] &&
	tap_ok "the guest's writes to the vhost-user disk fail (the daemon's image is full)" ||
	tap_fail "the guest's writes fail" "rig exit $rc" "$(tail -8 "$FX_DIR/rig.log")"

daemon=$(pgrep -f "vu0.sock" | head -1)
truth_parse <"$out/guest/trace.txt" | awk '$4 == "WRITE" {print $2}' | sort -n >"$out/guest-sectors"
jq -r --arg i "$image" 'select(.image == $i and .errno != 0 and (.syscall // "" | test("write"))) |
	.offset / 512' "$ev" 2>/dev/null | sort -n >"$out/host-sectors"
[ -s "$out/guest-sectors" ] && diff -q "$out/guest-sectors" "$out/host-sectors" >/dev/null &&
	tap_ok "the daemon's failed writes are at the guest's failed sectors * 512 ($(wc -l <"$out/guest-sectors"))" ||
	tap_fail "the daemon's failed writes are at the guest's failed sectors * 512" \
		"guest (<) vs host (>): $(diff "$out/guest-sectors" "$out/host-sectors")" "$(head -3 "$ev")" "$(cat "$out/host.err")"

bad=$(jq -c --arg vm "$NAME" --arg i "$image" 'select(.image == $i and .errno != 0) |
	select(.vm != $vm or .drive != "virtio-disk0" or .err != "ENOSPC" or .aio != "threads" or
	.direct != true or .comm == "qemu-system-x86")' "$ev" 2>/dev/null)
[ -s "$ev" ] && [ -z "$bad" ] && grep -q "\"image\":\"$image\"" "$ev" &&
	tap_ok "each names VM $NAME, device virtio-disk0, ENOSPC, the daemon's aio=threads and O_DIRECT" ||
	tap_fail "each failed write names the VM, the device, the daemon's settings" "$bad" "$(head -2 "$ev")"

pids=$(jq -r --arg i "$image" 'select(.image == $i and .errno != 0) | .pid' "$ev" 2>/dev/null | sort -u)
grep -q "vhost-user backend qemu-storage-daemon" "$out/host.err" && [ -n "$pids" ] &&
	[ "$(echo "$pids" | wc -l)" = 1 ] &&
	[ "$(readlink "/proc/$pids/exe" 2>/dev/null || echo gone)" != "$(command -v qemu-system-x86_64)" ] &&
	tap_ok "the failures come from the daemon's pid ($pids), which the host view names as the VM's backend" ||
	tap_fail "the failures come from the daemon" "pids: $pids" "$(grep -i vhost "$out/host.err")"
grep -q "VM $NAME: vhost-user backend qemu-storage-daemon" "$out/disks.out" &&
	tap_ok "disks lists the vhost-user backend with the VM's drive" ||
	tap_fail "disks lists the vhost-user backend" "$(cat "$out/disks.out")"
grep -q "virtio-disk0 .*$image" "$out/doctor.out" &&
	tap_ok "doctor --pid of the QEMU shows the vhost-user disk with the daemon's image" ||
	tap_fail "doctor --pid shows the vhost-user disk" "$(cat "$out/doctor.out")"
tap_done
