#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Software RAID (md) inside real guests (Debian 6.1 and 6.12 kernels under
# QEMU), built by mdadm over virtio disks whose writes fail on the host:
# raid0, whose failure reaches the writer, and raid1, whose mirror hides
# it while md fails the leg.  Ground truth is the guest kernel's: its
# ftrace block_rq_complete and block_bio_remap records, its md lines and
# /proc/mdstat.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/truth.sh"

KERNELS=${VBT_GUEST_KERNELS:-6.1 6.12}
PER_KERNEL=6
tap_plan $(( $(echo $KERNELS | wc -w) * PER_KERNEL ))

check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then tap_ok "$name"; else tap_fail "$name" "$DIAG"; fi
}

for k in $KERNELS; do
	out=$FX_DIR/md-$k
	if ! "$VBT_ROOT/scripts/guest/run.sh" --kernel "$k" --timeout 240 \
		--script "$VBT_ROOT/tests/vm/guest/md.sh" --out "$out" \
		--module md_mod --module raid0 --module raid1 --file /usr/sbin/mdadm \
		--disk "size=32M" \
		--disk "size=32M,werror=report,rerror=report,fault=blkdebug:pwritev:sector=8:errno=EIO" \
		--disk "size=32M" \
		--disk "size=32M,werror=report,rerror=report,fault=blkdebug:pwritev:sector=32:errno=EIO" \
		>"$FX_DIR/rig-md-$k.log" 2>&1; then
		tap_harness_fail "$k: guest rig failed" "$(tail -20 "$FX_DIR/rig-md-$k.log")"
		tap_fail_next $((PER_KERNEL - 1)) "$k: (not run: guest rig failed)"
		continue
	fi
	g=$out/guest
	ev=$g/events.jsonl

	truth_parse <"$g/trace.txt" | sort >"$out/truth"
	jq -r 'select(.kind == "block" and .errno != 0) | "\(.major):\(.minor) \(.sector) \(.nr_sectors) \(.op) \(.errno)"' "$ev" |
		sort >"$out/got"
	DIAG="kernel (<) vs vblktrace (>): $(diff "$out/truth" "$out/got"); $(cat "$g/vbt.err" "$g/mdadm.log")"
	check "$k: failed requests (vdb and vdd legs) equal the guest kernel's ftrace record" \
		bash -c "[ \$(wc -l <'$out/truth') = 2 ] && diff -q '$out/truth' '$out/got'"

	# The kernel's block_bio_remap records of the failed legs: "DEV_MAJ,MIN
	# RWBS SECTOR + N <- (MD_MAJ,MIN) MD_SECTOR".
	remap() {
		awk -v d="$1" '$0 ~ "block_bio_remap: " d " W" {
			s = $0; sub(/.*block_bio_remap: [0-9,]+ [A-Z]+ /, "", s)
			split(s, a, " "); m = s; sub(/.*\) /, "", m); print a[1], m }' "$g/trace.txt"
	}
	read -r b_sec md0_sec <<<"$(remap "$(jq -r 'select(.kind == "block" and .dev == "vdb") | "\(.major),\(.minor)"' "$ev" | head -1)")"
	DIAG="kernel remap: vdb ${b_sec:-?} <- md0 ${md0_sec:-?}; rc $(cat "$g/md0.rc"); $(jq -c 'select(.kind == "syscall" or .kind == "bio")' "$ev")"
	check "$k: raid0: write(/dev/md0) = -EIO is caused by vdb's failed WRITE via md0, at the sectors the kernel's remap names" \
		jq -e -s --argjson bs "${b_sec:--1}" --argjson ms "${md0_sec:--1}" \
			'(map(select(.kind == "block")) | map({key: (.seq | tostring), value: .}) | from_entries) as $b |
			[.[] | select(.kind == "syscall" and .path == "/dev/md0" and .errno == 5)] |
			length == 1 and ($b[(.[0].cause // 0) | tostring] | .dev == "vdb" and .sector == $bs and .op == "WRITE") and
			(.[0].cause_chain | length == 1 and .[0].dev == "md0" and .[0].sector == $ms)' "$ev"

	read -r d_sec md1_sec <<<"$(remap "$(jq -r 'select(.kind == "block" and .dev == "vdd") | "\(.major),\(.minor)"' "$ev" | head -1)")"
	DIAG="kernel remap: vdd ${d_sec:-?} <- md1 ${md1_sec:-?}; dd rc $(cat "$g/md1.rc"); $(grep 'md/raid1' "$g/dmesg.txt"); $(jq -c 'select(.dev == "vdd" or .dev == "md1" or .path == "/dev/md1")' "$ev")"
	check "$k: raid1: md1's write succeeds; vdd's failed leg is reported, sent down by md1 at the kernel's sector; md1 itself never fails" \
		bash -c "[ \$(cat '$g/md1.rc') = 0 ] && grep -q 'md/raid1:md1: Disk failure on vdd' '$g/dmesg.txt' &&
			jq -e -s --argjson ds '${d_sec:--1}' --argjson ms '${md1_sec:--1}' \
				'([.[] | select(.kind == \"block\" and .dev == \"vdd\" and .sector == \$ds and .comm == \"dd\")] | length == 1) and
				 ([.[] | select(.kind == \"bio\" and .dev == \"vdd\" and .from_dev == \"md1\" and .from_sector == \$ms)] | length == 1) and
				 ([.[] | select(.dev == \"md1\" or .path == \"/dev/md1\")] | length == 0)' '$ev'"

	# /proc/mdstat: "md1 : active raid1 vdd[1](F) vdc[0]" and "[2/1] [U_]".
	DIAG="$(cat "$g/mdstat.txt"); $(grep -A12 '^md' "$g/disks.txt")"
	check "$k: disks: md0 and md1 with their level and members; md1 degraded with vdd faulty, as /proc/mdstat says" \
		bash -c "grep -q 'md1 : active raid1 .*vdd\[[0-9]\](F)' '$g/mdstat.txt' && grep -q '\[2/1\] \[U_\]' '$g/mdstat.txt' &&
			grep -qx '  stack: md0 (raid0) -> vda + vdb' '$g/disks.txt' &&
			grep -qx '  stack: md1 (raid1) -> vdc + vdd' '$g/disks.txt' &&
			grep -qE '^  md: raid1 [a-z-]+, 1 of 2 members failed or missing \(degraded\): vdc in_sync, vdd faulty(,[a-z_]+)*\$' '$g/disks.txt' &&
			grep -qE '^  md: raid0 [a-z-]+, 2 members: vda in_sync, vdb in_sync\$' '$g/disks.txt'"

	DIAG=$(grep -E 'md[01]|vd[bd]' "$g/live.txt")
	check "$k: the live view shows md0's chain and vdd's failed leg" \
		bash -c "grep -qE 'dd\[[0-9]+\] write\(/dev/md0, off 69632, 4 KiB\) = -EIO  <- md0 $md0_sec\+8 -> vdb WRITE $b_sec\+8 IOERR \(virtio IOERR\)' '$g/live.txt' &&
			grep -qE ' vdd +WRITE +$d_sec\+8 4 KiB EIO \(IOERR\) bio +sent down by md1 at $md1_sec' '$g/live.txt'"

	DIAG=$(/usr/bin/python3 "$VBT_ROOT/tests/lib/validate_json.py" "$VBT_ROOT/docs/events.schema.json" "$ev" "$g/disks.jsonl" 2>&1)
	check "$k: events and disks -j (md_level, md_members) are valid against docs/events.schema.json" \
		bash -c "jq -e -s 'map(select(.kind == \"disk\" and .name == \"md1\")) | .[0] | .md_level == \"raid1\" and .md_degraded == 1 and
				(.md_members | map(\"\(.dev) \(.state | split(\",\") | .[0])\") == [\"vdc in_sync\", \"vdd faulty\"])' '$g/disks.jsonl' &&
			/usr/bin/python3 '$VBT_ROOT/tests/lib/validate_json.py' '$VBT_ROOT/docs/events.schema.json' '$ev' '$g/disks.jsonl'"
done
tap_done
