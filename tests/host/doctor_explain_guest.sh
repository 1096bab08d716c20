#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vblktrace explain on a real guest kernel log: boot a guest with the rig
# (scripts/guest/run.sh), inject EIO into the write that covers sector N of
# vda (the last 128 KiB, which mkfs.xfs zeroes), run mkfs.xfs, then explain
# the guest's dmesg and mkfs output: the explained sector and mkfs's bno
# must both be N.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
VBT=${VBT:-$VBT_ROOT/build/vblktrace}
N=1048320	# 512 MiB disk = 1048576 sectors; mkfs zeroes the last 256

tap_plan 7
if ! command -v jq >/dev/null || [ ! -x "$VBT" ]; then
	tap_skip_rest "needs jq and build/vblktrace" "explain guest log"
	tap_done
	exit
fi
W=$(mktemp -d /tmp/vbt-explain.XXXXXX)
trap 'rm -rf "$W"' EXIT
printf 'mkfs.xfs -f /dev/vda; echo "mkfs rc=$?"\n' >"$W/guest.sh"
if ! bash "$VBT_ROOT/scripts/guest/run.sh" --kernel 6.1 --script "$W/guest.sh" \
	--out "$W/run" --timeout 240 \
	--disk "size=512M,cache=none,aio=native,fault=blkdebug:pwritev:sector=$N:errno=EIO" \
	>"$W/rig.log" 2>&1; then
	tap_harness_fail "the guest rig ran" "$(tail -5 "$W/rig.log")"
	tap_fail_rest "not run: the guest rig failed" "explain guest log"
	tap_done
	exit 1
fi
tap_harness_ok "the guest rig ran"
tap_check "the guest's mkfs.xfs failed" grep -q 'mkfs rc=1' "$W/run/guest/guest.log"

"$VBT" explain -j "$W/run/dmesg.log" >"$W/dmesg.jsonl"
tap_check "explain exits 0 on dmesg.log" test $? -eq 0
got=$(jq -r 'select(.pattern == "blk-error") | .fields.sector' "$W/dmesg.jsonl" | head -1)
if [ "$got" = "$N" ]; then
	tap_ok "explained sector $got equals the injected sector"
else
	tap_fail "explained sector equals the injected sector" "got '$got', want $N" \
		"$(grep 'I/O error' "$W/run/dmesg.log")"
fi
tap_check "op WRITE, flags SYNC|IDLE in the 6.1 layout" jq -e -s \
	'map(select(.pattern == "blk-error"))[0].fields | .op == "WRITE" and
	 .flags == ["SYNC","IDLE"] and .flags_layout == "6.1" and .dev == "vda"' \
	"$W/dmesg.jsonl"

"$VBT" explain -j "$W/run/guest/guest.log" >"$W/mkfs.jsonl"
got=$(jq -r 'select(.pattern == "xfs-bwrite") | .fields.bno' "$W/mkfs.jsonl" | head -1)
if [ "$got" = "$N" ]; then
	tap_ok "mkfs.xfs bno decodes to the injected sector"
else
	tap_fail "mkfs.xfs bno decodes to the injected sector" "got '$got'" \
		"$(cat "$W/run/guest/guest.log")"
fi
tap_check "summary counts the recognised lines" jq -e -s \
	'.[-1] | .summary == true and .recognised >= 4 and .lines > .recognised' \
	"$W/dmesg.jsonl"
tap_done
