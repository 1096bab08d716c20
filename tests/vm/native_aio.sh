#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The aio=native path: QEMU reaps Linux AIO completions from the ring in
# userspace, so only the kernel's aio_complete_rw sees a failure.  This
# host cannot attach there; the Debian guest kernels can (fentry, kprobe),
# so vblktrace host runs inside a guest against fio's libaio writes to a
# loop device over a full tmpfs, and must report each failed completion
# with its fd, offset and errno, equal to the guest kernel's own record.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/truth.sh"

KERNELS=${VBT_GUEST_KERNELS:-6.1 6.12}
tap_plan $(( $(echo $KERNELS | wc -w) * 3 ))
for k in $KERNELS; do
	out=$FX_DIR/native-$k
	if ! "$VBT_ROOT/scripts/guest/run.sh" --kernel "$k" --timeout 180 \
		--module loop --script "$VBT_ROOT/tests/vm/guest/native_aio.sh" \
		--out "$out" >"$out.rig" 2>&1 </dev/null; then
		tap_harness_fail "$k: guest rig ran" "$(tail -15 "$out.rig")"
		tap_fail "$k: (not run)"; tap_fail "$k: (not run)"
		continue
	fi
	g=$out/guest
	grep -q 'native AIO: fentry aio_complete_rw\|native AIO: kprobe aio_complete_rw' "$g/host.err" &&
		tap_ok "$k: native AIO completions attached ($(grep -o 'native AIO: [a-z]* aio_complete_rw' "$g/host.err"))" ||
		tap_fail "$k: native AIO completions attached" "$(cat "$g/host.err")"

	dev=$(tr : : <"$g/loop0.dev")
	truth_parse <"$g/trace.txt" | awk -v d="$dev" '$1 == d && $4 == "WRITE" {print $2 * 512, $5}' |
		sort -n >"$out/truth"
	jq -r 'select(.kind == "aio") | "\(.offset) \(.errno)"' "$g/host.jsonl" | sort -n >"$out/got"
	if [ -s "$out/truth" ] && diff -q "$out/truth" "$out/got" >/dev/null; then
		tap_ok "$k: each failed AIO completion at the offset and errno the kernel recorded ($(wc -l <"$out/got"))"
	else
		tap_fail "$k: each failed AIO completion at the offset and errno the kernel recorded" \
			"kernel (<) vs vblktrace (>): $(diff "$out/truth" "$out/got")" "$(cat "$g/host.err")"
	fi
	bad=$(jq -c 'select(.kind == "aio") | select(.comm != "fio" or .path != "/dev/loop0" or .len != 65536 or .opcode != 1)' "$g/host.jsonl")
	[ -z "$bad" ] && [ -s "$out/got" ] &&
		tap_ok "$k: the events name fio, /dev/loop0, PWRITE of 64 KiB" ||
		tap_fail "$k: the events name fio, /dev/loop0, PWRITE of 64 KiB" "$bad"
done
tap_done
