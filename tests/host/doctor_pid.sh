#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vblktrace doctor against real QEMU 7.2 processes on this machine:
#  - a paused (-S) QEMU with cache=none,aio=native: doctor --pid finds the
#    drive and reports native-aio-eio and the unset PCI address;
#  - aio=native without cache.direct: QEMU 7.2 refuses to start; explain
#    recognises its message and doctor --cmdline flags the same argv.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
VBT=${VBT:-$VBT_ROOT/build/vblktrace}

tap_plan 8
if ! command -v qemu-system-x86_64 >/dev/null || ! command -v jq >/dev/null; then
	tap_skip_rest "needs qemu-system-x86_64 and jq" "doctor --pid"
	tap_done
	exit
fi
W=$(mktemp -d /tmp/vbt-doctor.XXXXXX)
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
truncate -s 64M "$W/disk.img"

# finding FILE RULE SUBJECT_PART SEVERITY: one such finding in JSON Lines
finding() {
	jq -e --arg r "$2" --arg s "$3" --arg v "$4" -s 'map(select(.kind ==
		"finding" and .rule == $r and (.subject | contains($s)) and
		.severity == $v)) | length == 1' "$1" >/dev/null
}

qemu-system-x86_64 -accel tcg -S -display none -nodefaults -machine pc \
	-name guest=vbt-doctor-test,debug-threads=on \
	-drive "file=$W/disk.img,format=raw,if=none,id=drive-virtio-disk0,cache=none,aio=native" \
	-device virtio-blk-pci,drive=drive-virtio-disk0,id=virtio-disk0 \
	2>"$W/qemu.err" &
QPID=$!
for _ in $(seq 50); do
	grep -q 'virtio-disk0' "/proc/$QPID/cmdline" 2>/dev/null && break
	sleep 0.1
done
"$VBT" doctor --pid "$QPID" -j >"$W/pid.jsonl" 2>"$W/pid.err"
rc=$?
tap_check "doctor --pid exits 0" test "$rc" -eq 0
if finding "$W/pid.jsonl" native-aio-eio virtio-disk0 info; then
	tap_ok "doctor --pid: native-aio-eio on virtio-disk0"
else
	tap_fail "doctor --pid: native-aio-eio on virtio-disk0" "$(cat "$W/pid.jsonl" "$W/pid.err")"
fi
if finding "$W/pid.jsonl" pci-address-unset virtio-disk0 warning; then
	tap_ok "doctor --pid: pci-address-unset on virtio-disk0"
else
	tap_fail "doctor --pid: pci-address-unset on virtio-disk0" "$(cat "$W/pid.jsonl")"
fi
tap_check "doctor --pid: summary names the VM" \
	jq -e -s '.[-1] | .kind == "summary" and .vm == "vbt-doctor-test" and .drives == 1' "$W/pid.jsonl"
kill "$QPID"; wait "$QPID" 2>/dev/null; QPID=

# aio=native without O_DIRECT: what does QEMU 7.2 do?  It refuses.
printf '%s\n' qemu-system-x86_64 -accel tcg -S -display none -nodefaults \
	-drive "file=$W/disk.img,format=raw,if=none,id=d0,aio=native" \
	-device virtio-blk-pci,drive=d0,id=virtio-disk0 >"$W/bad.argv"
timeout 20 $(tr '\n' ' ' <"$W/bad.argv") >"$W/bad.out" 2>"$W/bad.err" &
QPID=$!
wait "$QPID"
rc=$?
QPID=
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q 'requires cache.direct=on' "$W/bad.err"; then
	tap_harness_ok "QEMU refuses aio=native without cache.direct (exit $rc)"
else
	tap_harness_fail "QEMU refuses aio=native without cache.direct" "exit $rc" "$(cat "$W/bad.err")"
fi
"$VBT" explain -j "$W/bad.err" >"$W/explain.jsonl"
tap_check "explain recognises QEMU's refusal" \
	jq -e -s 'map(select(.pattern == "qemu-aio-native-no-direct")) | length == 1' "$W/explain.jsonl"
"$VBT" doctor --cmdline "$W/bad.argv" -j >"$W/cmd.jsonl"
if finding "$W/cmd.jsonl" aio-native-no-direct virtio-disk0 error; then
	tap_ok "doctor --cmdline: aio-native-no-direct on the same argv"
else
	tap_fail "doctor --cmdline: aio-native-no-direct" "$(cat "$W/cmd.jsonl")"
fi
"$VBT" doctor --cmdline "$W/bad.argv" --strict >/dev/null
rc=$?
tap_check "doctor --strict exits 1 on an error finding" test "$rc" -eq 1
tap_done
