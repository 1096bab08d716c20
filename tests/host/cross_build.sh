#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The aarch64 cross build on this x86-64 machine: 'make ARCH=arm64' gives a
# static aarch64 build/arm64/vblktrace whose BPF objects were compiled for
# arm64 (arm64 pt_regs in the syscall programs) against the BTF of the
# newest Debian cloud-arm64 kernel, cut out of that package's Image; and
# 'make kmod ARCH=arm64 KDIR=...' cross-builds the module.  The arm64 guest
# suite (tests/run.sh vm-arm64) runs these binaries; this checks what they
# are made of, against readelf, bpftool and the kernel package itself.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"

tap_plan 6
B=$VBT_ROOT/build/arm64
W=$FX_DIR/cross
mkdir -p "$W"
make -s -C "$VBT_ROOT" ARCH=arm64 >"$W/make.log" 2>&1 ||
	tap_fail "make ARCH=arm64" "$(tail -5 "$W/make.log")"

hdr=$(readelf -h "$B/vblktrace" 2>&1 | sed -n 's/^ *Machine: *//p')
interp=$(readelf -lW "$B/vblktrace" 2>/dev/null | grep -c 'program interpreter')
tap_check "build/arm64/vblktrace is an AArch64 executable without a loader (machine: $hdr)" \
	bash -c "[ '$hdr' = AArch64 ] && [ '$interp' = 0 ] &&
		file '$B/vblktrace' | grep -q 'ARM aarch64.*statically linked'"

# The syscall programs read arguments through arm64's pt_regs (libbpf's
# __TARGET_ARCH_arm64 flavour), the native build through x86's.
bpftool btf dump file "$B/bpf/syscall_fail.bpf.o" >"$W/arm64.btf.txt" 2>&1
bpftool btf dump file "$VBT_ROOT/build/bpf/syscall_fail.bpf.o" >"$W/x86.btf.txt" 2>&1
tap_check "arm64 syscall programs use arm64 pt_regs; the native ones do not" \
	bash -c "grep -q \"STRUCT 'pt_regs___arm64'\" '$W/arm64.btf.txt' &&
		grep -q \"STRUCT 'user_pt_regs'\" '$W/arm64.btf.txt' &&
		! grep -q \"user_pt_regs\" '$W/x86.btf.txt'"

# vmlinux.h's BTF is the newest cloud-arm64 kernel's, as its package ships it.
abi=$(GUEST_ARCH=arm64 "$VBT_ROOT/scripts/guest/kernel.sh" newest --abi 2>"$W/abi.err")
kdir=$(GUEST_ARCH=arm64 "$VBT_ROOT/scripts/guest/kernel.sh" newest 2>>"$W/abi.err")
sh "$VBT_ROOT/scripts/btf-from-image.sh" "$(ls "$kdir"/boot/vmlinuz-* | head -n 1)" \
	"$W/image.btf" 2>>"$W/abi.err"
tap_check "build/arm64/vmlinux.btf is the BTF of the newest cloud-arm64 kernel ($abi)" \
	bash -c "case '$abi' in *-cloud-arm64) ;; *) exit 1 ;; esac &&
		cmp -s '$W/image.btf' '$B/vmlinux.btf' &&
		grep -q 'struct user_pt_regs {' '$B/vmlinux.h'"
tap_check "btf-from-image refuses a file with no kernel BTF" \
	bash -c "! sh '$VBT_ROOT/scripts/btf-from-image.sh' '$B/vblktrace' '$W/none.btf' 2>'$W/none.err' &&
		grep -q 'no kernel BTF found' '$W/none.err' && [ ! -e '$W/none.btf' ]"

# make kmod ARCH=arm64, in a copy of the tree (kbuild writes next to the
# sources).
mkdir -p "$W/src"
(cd "$VBT_ROOT" && git ls-files -z Makefile Kbuild kmod include VERSION scripts |
	xargs -0 cp --parents -t "$W/src")
hdrs=$(GUEST_ARCH=arm64 "$VBT_ROOT/scripts/guest/kernel.sh" 6.12 --headers 2>>"$W/abi.err" | sed -n 2p)
habi=$(GUEST_ARCH=arm64 "$VBT_ROOT/scripts/guest/kernel.sh" 6.12 --abi)
make -C "$W/src" kmod ARCH=arm64 KDIR="$hdrs" >"$W/kmod.log" 2>&1
rc=$?
ko=$W/src/kmod/vblktrace.ko
tap_check "make kmod ARCH=arm64 KDIR=<6.12 cloud-arm64 headers>: an AArch64 module for $habi" \
	bash -c "[ $rc = 0 ] && readelf -h '$ko' | grep -q 'Machine: *AArch64' &&
		modinfo -F vermagic '$ko' | grep -q '^$habi .*aarch64'"
make -s -C "$W/src" ARCH=riscv VBT_DEPS_DONE=1 >"$W/riscv.log" 2>&1
rc=$?
tap_check "make ARCH=riscv is refused with a reason (exit $rc)" \
	bash -c "[ $rc != 0 ] && grep -q 'cross builds are for arm64 only' '$W/riscv.log'"
tap_done
