#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The unit tests' QEMU command lines are ones real QEMU 7.2 accepts (or
# refuses exactly as tests/unit/corpus/qemu-verdicts.txt records): each is
# launched by scripts/capture-corpus.sh check; the domain XML files go
# through libvirt 9.0's schema.  These results are about the test inputs,
# so they count as harness.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TAP_HARNESS=1
. "$ROOT/tests/lib/tap.sh"

files=$(ls "$ROOT"/tests/unit/corpus/qemu/*.cmdline "$ROOT"/tests/unit/corpus/doctor/*.cmdline \
	"$ROOT"/tests/unit/corpus/doctor/*.argv "$ROOT"/tests/unit/corpus/doctor/*.xml)
tap_plan $(echo "$files" | wc -l)
err=$(mktemp)
trap 'rm -f "$err"' EXIT
for f in $files; do
	out=$(bash "$ROOT/scripts/capture-corpus.sh" check "$f" 2>"$err")
	case $out in
	"ok "*) tap_ok "real QEMU/libvirt: ${out#ok }" ;;
	*) tap_fail "real QEMU/libvirt on ${f#"$ROOT"/}" "$out" "$(cat "$err")" ;;
	esac
done
tap_done
