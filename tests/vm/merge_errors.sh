#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One guest-rig run, two bundles: 'vblktrace bundle' inside the guest and on
# this host (the rig's host hook) at the same time; 'vblktrace merge' must
# give each guest error the origin the host side proves:
#   vda: a full tmpfs under aio=threads   -> host-syscall ENOSPC (pwritev)
#   vdb: a full tmpfs under aio=io_uring  -> host-syscall ENOSPC (io_uring)
#   vdc: blkdebug EIO, no host failure    -> qemu-internal
# and never join a guest error to a host event of another drive or offset.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"

VBT=$VBT_ROOT/build/vblktrace
KERNEL=${VBT_MERGE_KERNEL:-6.1}
SECTOR=2048
TAG=$$
tap_plan 13

if [ "$(id -u)" != 0 ] || [ ! -x "$VBT" ]; then
	tap_skip_rest "needs root and build/vblktrace" "merge"
	tap_done
	exit
fi

W=$FX_DIR/merge
mkdir -p "$W"
echo "BLKDEBUG_SECTOR=$SECTOR" >"$W/merge.env"
out=$W/run

"$VBT_ROOT/scripts/guest/run.sh" --kernel "$KERNEL" --timeout 240 \
	--script "$VBT_ROOT/tests/vm/merge/guest.sh" --out "$out" \
	--file "$W/merge.env:/rig/merge.env" \
	--disk "size=64M,aio=threads,cache=none,werror=report,serial=m-thr-$TAG,fault=enospc:3M" \
	--disk "size=64M,aio=io_uring,cache=none,werror=report,serial=m-uring-$TAG,fault=enospc:3M" \
	--disk "size=64M,cache=none,werror=report,serial=m-dbg-$TAG,fault=blkdebug:pwritev:sector=$SECTOR:errno=EIO" \
	--host-hook-ready \
	--host-hook "VBT='$VBT' sh '$VBT_ROOT/tests/vm/merge/host-hook.sh'" \
	>"$W/rig.log" 2>&1
rig=$?
G=$out/guest/guest.tar.gz
H=$out/host.tar.gz

if [ $rig != 0 ] || [ ! -s "$G" ] || [ ! -s "$H" ]; then
	tap_fail "guest and host bundles written in one rig run" \
		"rig exit $rig" "$(tail -15 "$W/rig.log")" \
		"$(cat "$out/guest/bundle.err" "$out/host-bundle.err" "$out/host-hook.log" 2>&1 | tail -15)"
	tap_skip_rest "no bundles"
	tap_done
	exit
fi
tap_ok "guest and host bundles written in one rig run"

if [ "$(stat -c %a "$G")" = 600 ] && [ "$(stat -c %a "$H")" = 600 ] &&
   [ "$(cat "$out/guest/bundle.rc")" = 0 ] && [ "$(cat "$out/host-bundle.rc")" = 0 ]; then
	tap_ok "both bundles are mode 0600 and both recorders exited 0"
else
	tap_fail "both bundles are mode 0600 and both recorders exited 0" \
		"$(stat -c '%a %n' "$G" "$H")" "$(cat "$out/guest/bundle.rc" "$out/host-bundle.rc")"
fi

"$VBT" merge --format json "$G" "$H" >"$W/merge.json" 2>"$W/merge.err"
mrc=$?
"$VBT" merge "$G" "$H" >"$W/merge.txt" 2>&1
tap_diag "$(head -40 "$W/merge.txt")"
if [ $mrc = 0 ] && jq -e . "$W/merge.json" >/dev/null; then
	tap_ok "merge exits 0 with JSON"
else
	tap_fail "merge exits 0 with JSON" "$(cat "$W/merge.err")"
fi

# Guest errors in the guest bundle = errors merge classified.
tar -xzf "$G" -O events.jsonl >"$W/guest-events.jsonl"
n_guest=$(jq -s '[.[] | select(.kind != "lost" and .errno != 0)] | length' "$W/guest-events.jsonl")
n_merged=$(jq '.errors | length' "$W/merge.json")
n_unknown=$(jq '[.errors[] | select(.origin == "unknown")] | length' "$W/merge.json")
if [ "$n_guest" -gt 0 ] && [ "$n_guest" = "$n_merged" ] && [ "$n_unknown" = 0 ]; then
	tap_ok "every guest error ($n_guest) is classified, none unknown"
else
	tap_fail "every guest error is classified" "guest $n_guest, merged $n_merged, unknown $n_unknown"
fi

# disks paired by serial with the rig's drives
pairs=$(jq -r '.disks[] | select(.matched and .guest != "vdd") | "\(.guest)=\(.drive)/\(.by)"' "$W/merge.json" | sort | tr '\n' ' ')
if [ "$pairs" = "vda=virtio-disk0/serial vdb=virtio-disk1/serial vdc=virtio-disk2/serial " ]; then
	tap_ok "disks paired by serial: $pairs"
else
	tap_fail "disks paired by serial" "got: $pairs"
fi

# origin_of DEV: the distinct "origin errno kind" of its failed block requests
origin_of() {
	jq -r --arg d "$1" '.errors[] | select(.kind == "block" and .dev == $d) |
		"\(.origin) \(.host_err // "-") \(.host.kind // "-") \(.host.syscall // .host.opcode // "-")"' \
		"$W/merge.json" | sort -u | tr '\n' ';'
}
check_origin() {
	local name=$1 dev=$2 want=$3 got
	got=$(origin_of "$dev")
	if [ "$got" = "$want;" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "want '$want;' got '$got'"
	fi
}
check_origin "aio=threads ENOSPC -> host-syscall ENOSPC (pwritev)" vda "host-syscall ENOSPC syscall pwritev"
check_origin "aio=io_uring ENOSPC -> host-syscall ENOSPC (io_uring)" vdb "host-syscall ENOSPC io_uring WRITEV"
check_origin "blkdebug -> qemu-internal" vdc "qemu-internal - - -"

# No wrong joins: each joined host event is of the paired drive, of the
# rig's VM, and covers the guest request's host byte offset.
bad=$(jq -r '.vm as $vm | (.disks | map({key: .guest, value: .drive}) | from_entries) as $d |
	.errors[] | select(.host != null and .kind == "block") |
	select(.host.drive != $d[.dev] or .host.vm != $vm or
		.host.offset > .host_offset or .host.offset + .host.len <= .host_offset) |
	"\(.dev) \(.sector) -> \(.host.drive) \(.host.offset)"' "$W/merge.json")
nj=$(jq '[.errors[] | select(.host != null)] | length' "$W/merge.json")
if [ -z "$bad" ] && [ "$nj" -gt 0 ]; then
	tap_ok "none of $nj joins is to another drive, VM or offset"
else
	tap_fail "no guest error joined to the wrong host event" "$bad"
fi

# The offset written three times failed three times on the host: each
# guest request has its own host failure, none is shared.
shared=$(jq -r '[.errors[] | select(.kind == "block" and .host != null) |
	"\(.host.drive) \(.host.seq)"] | group_by(.) | map(select(length > 1)) | length' "$W/merge.json")
rep=$(jq '[.errors[] | select(.kind == "block" and .dev == "vda" and .sector == 7168)] | length' "$W/merge.json")
if [ "$shared" = 0 ] && [ "$rep" = 3 ]; then
	tap_ok "three failures at the same offset join three different host events"
else
	tap_fail "three failures at the same offset join three different host events" \
		"shared host events: $shared, vda failures at sector 7168: $rep"
fi

# the syscalls dd saw take the origin of their block request
nsys=$(jq '[.errors[] | select(.kind == "syscall" and .cause != null and .origin == "guest")] | length' "$W/merge.json")
if [ "$nsys" = 0 ]; then
	tap_ok "failed syscalls take the origin of the block request behind them"
else
	tap_fail "failed syscalls take the origin of the block request behind them" "$nsys classified guest"
fi

# the clock offset was estimated from pairs
pairs=$(jq '.clock.pairs' "$W/merge.json")
if [ "$pairs" -gt 10 ]; then
	tap_ok "clocks aligned from $pairs pairs ($(jq -r '.clock.host_minus_guest_ns' "$W/merge.json") ns)"
else
	tap_fail "clocks aligned from matched pairs" "$(jq -c .clock "$W/merge.json")"
fi

# Perfetto: guest and host as separate processes
"$VBT" merge --format perfetto "$G" "$H" >"$W/trace.json" 2>"$W/trace.err"
if jq -e '[.traceEvents[] | select(.ph == "M" and .name == "process_name") | .args.name] | sort == ["guest","host"]' "$W/trace.json" >/dev/null &&
   jq -e '[.traceEvents[] | select(.ph != "M") | .pid] | unique == [1,2]' "$W/trace.json" >/dev/null; then
	tap_ok "merge --format perfetto: guest and host tracks"
else
	tap_fail "merge --format perfetto: guest and host tracks" "$(head -c 400 "$W/trace.json")" "$(cat "$W/trace.err")"
fi
tap_done
