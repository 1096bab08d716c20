#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vblktrace host against real QEMU guests hitting real host errors: ENOSPC
# on a full tmpfs and EIO from a FUSE file (written 2-8 MiB into the disk), under each aio mode, several
# cache modes, libvirt-shaped -blockdev JSON and legacy -drive.  Every
# failed QEMU I/O must name the VM, drive, image, aio and cache mode, the
# real errno, and the offset of the guest sector that failed (raw images:
# offset = sector * 512, checked against the guest kernel's own record, for
# the injected read faults as for the writes).  Host block device errors
# are checked against this host's own ftrace record.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/truth.sh"
VBT=$VBT_ROOT/build/vblktrace
KERNEL=${VBT_HOST_KERNEL:-6.1}

# name | disk spec | kind | errno | cache | direct
SCENARIOS="threads-none-blockdev|aio=threads,cache=none,syntax=blockdev,fault=enospc:3M|syscall|ENOSPC|none|true
io_uring-writeback-legacy|aio=io_uring,cache=writeback,syntax=legacy,fault=enospc:3M|io_uring|ENOSPC|writeback|false
threads-writethrough-fuse|aio=threads,cache=writethrough,syntax=blockdev,fault=fuse-eio:write:4194304:65536+read:8388608:4096|syscall|EIO|writethrough|false
io_uring-directsync-fuse|aio=io_uring,cache=directsync,syntax=legacy,fault=fuse-eio:write:4194304:65536|io_uring|EIO|directsync|true"
n=$(echo "$SCENARIOS" | wc -l)
tap_plan $((n * 4 + 3 + 3))

HOOK='"$VBT" host -j >"$RIG_OUT/host.jsonl" 2>"$RIG_OUT/host.err" &
while ! grep -q "Ctrl-C" "$RIG_OUT/host.err" 2>/dev/null; do sleep 0.1; done
touch "$HOOK_READY"; wait'
export VBT

run_guest() {
	# $1 name, $2 disk spec (64 MiB, werror/rerror report)
	"$VBT_ROOT/scripts/guest/run.sh" --kernel "$KERNEL" --name "$1" \
		--timeout 180 --script "$VBT_ROOT/tests/vm/guest/host_io.sh" \
		--out "$FX_DIR/$1" --disk "size=64M,werror=report,rerror=report,$2" \
		--host-hook-ready --host-hook "$HOOK" >"$FX_DIR/$1.rig" 2>&1 </dev/null
}

while IFS='|' read -r name spec kind err cache direct; do
	out=$FX_DIR/$name
	if ! run_guest "$name" "$spec"; then
		tap_harness_fail "$name: guest rig ran" "$(tail -15 "$FX_DIR/$name.rig")"
		tap_fail "$name: (not run)"; tap_fail "$name: (not run)"; tap_fail "$name: (not run)"
		continue
	fi
	tap_harness_ok "$name: guest rig ran"
	aio=${spec#aio=}; aio=${aio%%,*}
	image=$(awk -F'\t' '$2 == "vda" {print $4}' "$out/disks.txt")
	ev=$out/host.jsonl

	# The guest kernel's failed writes and reads (sectors) vs QEMU's
	# failed ones; the FUSE scenarios inject read faults too, and the
	# guest's record must hold them (a read fault nobody hit proves nothing).
	truth_parse <"$out/guest/trace.txt" | awk '$4 == "WRITE" || $4 == "READ" {print $4, $2}' |
		sort -k2n -k1 >"$out/guest-sectors"
	# io_uring opcodes: READV 1, WRITEV 2, READ_FIXED 4, WRITE_FIXED 5, READ 22, WRITE 23.
	jq -r --arg i "$image" 'select(.image == $i and .errno != 0) |
		if .kind == "io_uring" then
			(if (.opcode | IN(2, 5, 23)) then "WRITE" elif (.opcode | IN(1, 4, 22)) then "READ" else empty end)
		else
			(if (.syscall // "" | test("write")) then "WRITE" elif (.syscall // "" | test("read")) then "READ" else empty end)
		end + " \(.offset / 512)"' "$ev" | sort -k2n -k1 >"$out/host-sectors"
	reads_ok=1
	case $spec in *read:*)
		grep -q '^READ ' "$out/guest-sectors" || reads_ok=0 ;;
	esac
	if [ -s "$out/guest-sectors" ] && [ $reads_ok = 1 ] &&
	   diff -q "$out/guest-sectors" "$out/host-sectors" >/dev/null; then
		tap_ok "$name: QEMU's failed writes and reads are at the guest's failed sectors * 512 ($(grep -c . "$out/guest-sectors"))"
	else
		tap_fail "$name: QEMU's failed writes and reads are at the guest's failed sectors * 512" \
			"injected read fault seen by the guest: $reads_ok" \
			"guest (<) vs host (>): $(diff "$out/guest-sectors" "$out/host-sectors")" "$(head -3 "$ev")"
	fi

	bad=$(jq -c --arg vm "$name" --arg i "$image" --arg k "$kind" --arg e "$err" \
		--arg a "$aio" --arg c "$cache" --argjson d "$direct" '
		select(.image == $i) | select(.vm != $vm or .drive != "virtio-disk0" or
			.kind != $k or .err != $e or .aio != $a or .cache != $c or
			.direct != $d or .format != "raw" or .guest_sees != "IOERR")' "$ev")
	if [ -s "$ev" ] && [ -z "$bad" ] && grep -q "\"image\":\"$image\"" "$ev"; then
		tap_ok "$name: each event names vm, virtio-disk0, image, $kind $err, aio=$aio cache=$cache direct=$direct, guest sees IOERR"
	else
		tap_fail "$name: each event names vm, drive, image, errno, aio, cache, direct" "$bad" "$(head -3 "$ev")" "$(cat "$out/host.err")"
	fi

	# Nothing attributed to a drive it does not belong to.
	stray=$(jq -c --arg vm "$name" --arg i "$image" 'select(.vm == $vm and .image != $i)' "$ev")
	[ -z "$stray" ] && tap_ok "$name: no event attributed to another drive" ||
		tap_fail "$name: no event attributed to another drive" "$stray"
done <<EOS
$SCENARIOS
EOS

# aio=native: completions are reaped from the ring in userspace; this
# kernel allows no fentry/kprobe on aio_complete_rw, and vblktrace says so.
out=$FX_DIR/native
if run_guest native "aio=native,cache=none,syntax=blockdev,fault=enospc:3M"; then
	tap_harness_ok "native: guest rig ran"
	grep -q 'Input/output error' "$out/guest/vda.write.err" &&
		tap_ok "native: the guest sees the host's ENOSPC as an I/O error" ||
		tap_fail "native: the guest sees the host's ENOSPC as an I/O error" "$(cat "$out/guest/vda.write.err")"
	# Which message is right depends on this kernel, asked without
	# vblktrace: kprobes need kprobe_events, fentry needs bpftrace's kfunc.
	if [ -e /sys/kernel/tracing/kprobe_events ] ||
	   timeout 20 bpftrace -e 'kfunc:aio_complete_rw { exit(); } interval:ms:1 { exit(); }' \
		>/dev/null 2>&1; then
		want='native AIO: \(fentry\|kprobe\) aio_complete_rw'
	else
		want='native AIO completions: QEMU reaps them'
	fi
	if grep -q "$want" "$out/host.err"; then
		tap_ok "native: vblktrace host says what this kernel allows ($(grep -o "$want" "$out/host.err" | head -1))"
	else
		tap_fail "native: vblktrace host says what this kernel allows" "want: $want" "$(cat "$out/host.err")"
	fi
else
	tap_harness_fail "native: guest rig ran" "$(tail -15 "$FX_DIR/native.rig")"
	tap_fail "native: (not run)"; tap_fail "native: (not run)"
fi
# A host block device under the VM (host_device on a loop over a full
# tmpfs): its own failed requests are attributed to the VM and drive that
# use it, next to QEMU's failed syscalls at the same place.
loop=$(fx_enospc_loop 3M 64M)
out=$FX_DIR/hostdev
truth_start "$loop"
if run_guest hostdev "image=$loop,aio=threads,cache=none,syntax=blockdev"; then
	truth_stop | sort >"$out/truth"
	dev=${loop#/dev/}
	blk=$(jq -r --arg d "$dev" 'select(.kind == "block" and .dev == $d and .errno != 0 and
		.vm == "hostdev" and .drive == "virtio-disk0" and .image == "/dev/\($d)") | .sector' \
		"$out/host.jsonl" | sort -n)
	sys=$(jq -r 'select(.kind == "syscall" and .vm == "hostdev" and .errno != 0) | .offset / 512' \
		"$out/host.jsonl" | sort -n)
	[ -n "$blk" ] && tap_ok "host device errors on $dev name VM hostdev, virtio-disk0" ||
		tap_fail "host device errors on $dev name VM hostdev, virtio-disk0" "$(head -5 "$out/host.jsonl")"
	[ -n "$blk" ] && [ "$blk" = "$sys" ] &&
		tap_ok "each failed host device request is at the offset QEMU's pwritev failed at" ||
		tap_fail "each failed host device request is at the offset QEMU's pwritev failed at" \
			"block sectors: $blk" "syscall offsets/512: $sys"
	jq -r --arg d "$dev" 'select(.kind == "block" and .dev == $d and .errno != 0) |
		"\(.major):\(.minor) \(.sector) \(.nr_sectors) \(.op) \(.errno)"' "$out/host.jsonl" |
		sort >"$out/got"
	if [ -s "$out/truth" ] && cmp -s "$out/truth" "$out/got"; then
		tap_ok "host device failed requests equal this kernel's record ($(wc -l <"$out/truth"))"
	else
		tap_fail "host device failed requests equal this kernel's record" \
			"kernel (<) vs vblktrace host (>):" "$(diff "$out/truth" "$out/got")"
	fi
else
	truth_stop >/dev/null
	tap_harness_fail "hostdev: guest rig ran" "$(tail -15 "$FX_DIR/hostdev.rig")"
	tap_fail "hostdev: (not run)"; tap_fail "hostdev: (not run)"
fi
tap_done
