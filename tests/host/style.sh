#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Kernel coding style for the code that runs in the kernel: bpf/, kmod/ and
# the shared ABI header pass checkpatch.pl --no-tree, and bpf/ is formatted
# with the kernel's .clang-format (both from Debian's linux-source).
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TAP_HARNESS=1
. "$VBT_ROOT/tests/lib/tap.sh"
cd "$VBT_ROOT" || exit 1

tap_plan 2
if out=$(make -s checkpatch 2>&1); then
	tap_ok "checkpatch.pl --no-tree: bpf/, kmod/, include/vblktrace/abi.h"
else
	tap_fail "checkpatch.pl --no-tree: bpf/, kmod/, include/vblktrace/abi.h" "$out"
fi
out=$(make -s format-check 2>&1)
[ -z "$out" ] && tap_ok "bpf/ matches the kernel's .clang-format" ||
	tap_fail "bpf/ matches the kernel's .clang-format" "files to reformat:" "$out"
tap_done
