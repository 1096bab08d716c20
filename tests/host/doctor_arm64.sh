#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vblktrace doctor's ARM64 rules against real qemu-system-aarch64 7.2 and a
# real arm64 guest kernel:
#  - seed 000's libvirt 9 command line (tests/unit/corpus/doctor) starts,
#    with TCG and this machine's files in place of KVM and the host's; while
#    it runs, doctor --pid reads it as an aarch64 virt guest with AAVMF;
#  - seed 003's qemu-kvm command line (virt-2.12 for RHEL's virt-rhel7.6.0)
#    is refused for its IDE CD-ROM with the message doctor quotes, and
#    starts without it;
#  - the root-port ceiling: a disk behind the 16th root port exists for
#    the arm64 guest kernel on virt-3.0 and not on virt-2.12 (its PCI log
#    is the ground truth), and doctor says so for virt-2.12 only.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
VBT=${VBT:-$VBT_ROOT/build/vblktrace}
CORPUS=$VBT_ROOT/tests/unit/corpus/doctor
AAVMF=/usr/share/AAVMF

tap_plan 11
W=$(mktemp -d /tmp/vbt-doctor-arm64.XXXXXX)
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# finding FILE RULE SEVERITY: exactly one such finding in doctor's JSON Lines
finding() {
	jq -e --arg r "$2" --arg v "$3" -s 'map(select(.kind == "finding" and
		.rule == $r and .severity == $v)) | length == 1' "$1" >/dev/null
}
no_finding() {
	jq -e --arg r "$2" -s 'map(select(.kind == "finding" and
		.rule == $r)) | length == 0' "$1" >/dev/null
}

# argv_of FILE: the corpus argv as a bash array in ARGV (one per line).
argv_of() {
	mapfile -t ARGV <"$1"
}

# --- seed 000, libvirt 9: accepted, and doctor --pid reads it ---
truncate -s 64M "$W/lv.img" "$W/dvd.iso"
cp "$AAVMF/AAVMF_VARS.fd" "$W/VARS.fd"
sed -e "s|/dev/vg-libvirt/a-b-data-2|$W/lv.img|" \
	-e 's|"driver":"host_device"|"driver":"file"|' \
	-e "s|/var/lib/libvirt/qemu/nvram/a-b-data-2_VARS.fd|$W/VARS.fd|" \
	-e "s|/var/lib/libvirt/images/Fedora-Server-dvd-aarch64-37.iso|$W/dvd.iso|" \
	-e 's|^kvm$|tcg|' -e 's|^host$|max|' -e 's|^pty$|null|' \
	-e "s|^/usr/bin/qemu-system-aarch64$|$(command -v qemu-system-aarch64)|" \
	"$CORPUS/seed000-arm64.argv" >"$W/seed000.argv"
argv_of "$W/seed000.argv"
"${ARGV[@]}" -display none -monitor none 2>"$W/seed000.err" &
QPID=$!
for _ in $(seq 100); do
	grep -q 'a-b-data-2' "/proc/$QPID/cmdline" 2>/dev/null && break
	sleep 0.1
done
sleep 1
if kill -0 "$QPID" 2>/dev/null; then
	tap_ok "seed 000's libvirt 9 command line starts qemu-system-aarch64 (TCG)"
else
	tap_fail "seed 000's libvirt 9 command line starts qemu-system-aarch64 (TCG)" \
		"$(cat "$W/seed000.err")"
fi
"$VBT" doctor --no-probe --pid "$QPID" -j >"$W/pid.jsonl" 2>"$W/pid.err"
tap_check "doctor --pid: aarch64, virt-7.2, firmware AAVMF, no arm64 finding" \
	bash -c "jq -e -s '.[-1].kind == \"summary\"' '$W/pid.jsonl' >/dev/null &&
		grep -q 'machine virt-7.2 (aarch64)' <('$VBT' doctor --no-probe --pid $QPID) &&
		jq -e -s 'map(select(.kind == \"finding\" and (.rule | test(\"^(arm64|virt)-\")))) | length == 0' '$W/pid.jsonl'"
kill "$QPID" 2>/dev/null
wait "$QPID" 2>/dev/null
QPID=

# --- seed 003, qemu-kvm 2.12: refused for IDE, as doctor says ---
# TCG has no GICv3 ITS before virt-6.2 (KVM's in-kernel one has), and the
# root ports need MSI-X: GICv2 with its v2m frame stands in for it here.
qemu-img create -q -f qcow2 "$W/vm1.qcow2" 64M
cp "$AAVMF/AAVMF_VARS.fd" "$W/VARS3.fd"
sed -e "s|^/usr/libexec/qemu-kvm$|$(command -v qemu-system-aarch64)|" \
	-e 's|virt-rhel7.6.0,accel=kvm|virt-2.12,accel=tcg|' -e 's|gic-version=3|gic-version=2|' \
	-e "s|/usr/share/edk2.git/aarch64/QEMU_EFI-pflash.raw|$AAVMF/AAVMF_CODE.fd|" \
	-e "s|/var/lib/libvirt/qemu/nvram/kunpeng-vm1_VARS.fd|$W/VARS3.fd|" \
	-e "s|/var/lib/libvirt/images/kunpeng-vm1.qcow2|$W/vm1.qcow2|" \
	-e "s|/var/lib/libvirt/images/CentOS-7-aarch64-Everything-1810.iso|$W/dvd.iso|" \
	-e 's|^pty$|null|' -e 's|,cache=none,aio=native|,cache=none,aio=threads|' \
	"$CORPUS/seed003-kunpeng.argv" >"$W/seed003.argv"
argv_of "$W/seed003.argv"
timeout 60 "${ARGV[@]}" -display none -monitor none >/dev/null 2>"$W/seed003.err"
rc=$?
qmsg=$(sed -n "s/.*-device ide-cd[^:]*: //p" "$W/seed003.err")
"$VBT" doctor --no-probe -j --cmdline "$CORPUS/seed003-kunpeng.argv" >"$W/seed003.jsonl"
tap_check "seed 003's IDE CD-ROM: qemu-system-aarch64 refuses it (exit $rc: $qmsg)" \
	bash -c "[ $rc = 1 ] && [ \"$qmsg\" = \"Bus 'ide.0' not found\" ]"
tap_check "doctor: virt-no-ide error quoting QEMU's own message" \
	jq -e --arg m "$qmsg" -s '($m | length > 0) and (map(select(.rule == "virt-no-ide" and
		.severity == "error" and (.see | contains($m)))) | length == 1)' "$W/seed003.jsonl"
# Without the CD-ROM (its -drive and -device arguments) it starts.
mapfile -t ARGV < <(awk '
	{ a[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			if ((a[i] == "-drive" || a[i] == "-device") &&
			    (a[i + 1] ~ /id=drive-ide0-0-0/ || a[i + 1] ~ /^ide-cd,/)) {
				i++
				continue
			}
			print a[i]
		}
	}' "$W/seed003.argv")
"${ARGV[@]}" -display none -monitor none >/dev/null 2>"$W/seed003b.err" &
QPID=$!
sleep 2
if kill -0 "$QPID" 2>/dev/null; then
	tap_ok "seed 003's command line without IDE starts (virt-2.12, 28 root ports, cortex-a57)"
else
	tap_fail "seed 003's command line without IDE starts" "$(cat "$W/seed003b.err")"
fi
"$VBT" doctor --no-probe --pid "$QPID" -j >"$W/pid3.jsonl" 2>&1
tap_check "doctor --pid on that QEMU: 28 root ports on virt-2.12 is an error" \
	finding "$W/pid3.jsonl" virt-root-port-ceiling error
kill "$QPID" 2>/dev/null
wait "$QPID" 2>/dev/null
QPID=
tap_check "doctor: 28 root ports on virt-rhel7.6.0 is an error (16 buses)" \
	finding "$W/seed003.jsonl" virt-root-port-ceiling error

# --- the ceiling, as an arm64 guest kernel enumerates it ---
kdir=$(GUEST_ARCH=arm64 "$VBT_ROOT/scripts/guest/kernel.sh" 6.1 2>"$W/kernel.err")
truncate -s 16M "$W/rp.img"
# boot_ports MACHINE: 16 root ports as libvirt lays them out, a virtio-blk
# disk behind the 16th; the guest kernel's PCI log in W/MACHINE.console and
# the argv in W/MACHINE.argv (for doctor).
boot_ports() {
	local m=$1 i slot fn mf args=()
	for ((i = 1; i <= 16; i++)); do
		slot=$(((i - 1) / 8 + 1)) fn=$(((i - 1) % 8)) mf=
		[ $fn = 0 ] && mf=,multifunction=on
		args+=(-device "pcie-root-port,port=$(printf 0x%x $((7 + i))),chassis=$i,id=pci.$i,bus=pcie.0,addr=$(printf 0x%x.0x%x $slot $fn)$mf")
	done
	args+=(-drive "file=$W/rp.img,format=raw,if=none,id=d0"
		-device virtio-blk-pci,bus=pci.16,addr=0x0,drive=d0,id=virtio-disk0)
	printf '%s\n' qemu-system-aarch64 -machine "$m" -cpu max -kernel \
		"$(ls "$kdir"/boot/vmlinuz-*)" "${args[@]}" >"$W/$m.argv"
	timeout 120 qemu-system-aarch64 -accel tcg -machine "$m" \
		-cpu max,pauth=off -m 512 -nodefaults -nographic -no-reboot \
		-kernel "$(ls "$kdir"/boot/vmlinuz-*)" \
		-append "console=ttyAMA0 panic=-1 rdinit=/vbt-none" \
		-serial "file:$W/$m.console" "${args[@]}" </dev/null >/dev/null 2>&1
}
if [ -z "$kdir" ]; then
	for t in 1 2 3 4; do tap_fail "root-port ceiling: no arm64 kernel" "$(cat "$W/kernel.err")"; done
else
	boot_ports virt-2.12
	boot_ports virt-3.0
	tap_check "virt-2.12: the disk behind root port 16 is not there (bus 0x10 out of the ECAM)" \
		bash -c "grep -q 'ECAM at .* for \[bus 00-0f\]' '$W/virt-2.12.console' &&
			grep -q 'busn_res: can not insert \[bus 10' '$W/virt-2.12.console' &&
			! grep -q 'pci 0000:10:00.0: \[1af4:' '$W/virt-2.12.console'"
	tap_check "virt-3.0: the disk behind root port 16 is there (bus 0x10 of 00-ff)" \
		bash -c "grep -q 'ECAM at .* for \[bus 00-ff\]' '$W/virt-3.0.console' &&
			grep -q 'pci 0000:10:00.0: \[1af4:' '$W/virt-3.0.console'"
	"$VBT" doctor --no-probe -j --cmdline "$W/virt-2.12.argv" >"$W/d212.jsonl"
	"$VBT" doctor --no-probe -j --cmdline "$W/virt-3.0.argv" >"$W/d30.jsonl"
	tap_check "doctor: the same 16 ports on virt-2.12 are an error" \
		finding "$W/d212.jsonl" virt-root-port-ceiling error
	tap_check "doctor: and on virt-3.0 no finding" \
		no_finding "$W/d30.jsonl" virt-root-port-ceiling
fi
tap_done
