#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SCSI disks and stacked devices inside real guests (Debian 6.1 and 6.12
# kernels under QEMU): a virtio-scsi disk (QEMU scsi-hd over blkdebug)
# whose read fails with the host's ENODATA and write with ENOSPC, and
# writes through dm-linear stacks (one and two levels) over vda failing
# below.  Ground truth is the guest kernel's: its ftrace block_rq_complete
# record, its own "Sense Key : ..." / "Add. Sense: ..." / "CDB:" lines.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/truth.sh"

KERNELS=${VBT_GUEST_KERNELS:-6.1 6.12}
PER_KERNEL=13
tap_plan $(( $(echo $KERNELS | wc -w) * PER_KERNEL ))

# vda: dm-linear vbtlin = vda 2048.., vbtlv = vbtlin 4096..; writes at
# vbtlin 8 (vda 2056) and vbtlv 8 (vbtlin 4104, vda 6152) fail on the host.
VDA="size=64M,werror=report,rerror=report,fault=blkdebug:pwritev:sector=2056:errno=EIO+pwritev:sector=6152:errno=EIO"
# vdb: partition vdb1 at 20480: vbtpart = vdb1 2048.., its sector 8 is vdb
# 22536; vdb1's own sector 4096 is vdb 24576.
VDB="size=32M,werror=report,rerror=report,fault=blkdebug:pwritev:sector=22536:errno=EIO+pwritev:sector=24576:errno=EIO"
# sda: ENODATA becomes Medium Error / Unrecovered read error in QEMU's
# scsi-hd, ENOSPC Data Protect / Space allocation failed write protect,
# EIO Aborted Command / I/O process terminated, which the guest retries.
SDA="bus=scsi,size=64M,werror=report,rerror=report,fault=blkdebug:read_aio:sector=64:iotype=read:errno=61+pwritev:sector=128:errno=ENOSPC+read_aio:sector=256:iotype=read:errno=EIO"

check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then tap_ok "$name"; else tap_fail "$name" "$DIAG"; fi
}

for k in $KERNELS; do
	out=$FX_DIR/stacks-$k
	if ! "$VBT_ROOT/scripts/guest/run.sh" --kernel "$k" --timeout 240 \
		--script "$VBT_ROOT/tests/vm/guest/stacks.sh" --out "$out" \
		--module virtio_scsi --module sd_mod --module dm_mod \
		--file /usr/sbin/dmsetup --disk "$VDA" --disk "$VDB" --disk "$SDA" \
		>"$FX_DIR/rig-stacks-$k.log" 2>&1; then
		tap_fail "$k: guest rig failed" "$(tail -20 "$FX_DIR/rig-stacks-$k.log")"
		tap_fail_next $((PER_KERNEL - 1)) "$k: (not run: guest rig failed)"
		continue
	fi
	g=$out/guest
	ev=$g/events.jsonl

	truth_parse <"$g/trace.txt" | sort >"$out/truth"
	jq -r 'select(.kind == "block" and .errno != 0) | "\(.major):\(.minor) \(.sector) \(.nr_sectors) \(.op) \(.errno)"' "$ev" |
		sort >"$out/got"
	DIAG="kernel (<) vs vblktrace (>): $(diff "$out/truth" "$out/got"); $(cat "$g/vbt.err")"
	check "$k: failed requests (sda and vda) equal the guest kernel's ftrace record" \
		bash -c "[ \$(wc -l <'$out/truth') = 7 ] && diff -q '$out/truth' '$out/got'"

	# The kernel's own sense lines, per tag: "KEY|ADD. SENSE|CDB opcode".
	awk '/sd [0-9:]+: \[sda\] tag#[0-9]+ Sense Key : /{t=$0; sub(/.*tag#/, "", t); sub(/ .*/, "", t);
			k=$0; sub(/.*Sense Key : /, "", k); sub(/ \[.*/, "", k); key[t]=k}
		/sd [0-9:]+: \[sda\] tag#[0-9]+ Add\. Sense: /{t=$0; sub(/.*tag#/, "", t); sub(/ .*/, "", t);
			a=$0; sub(/.*Add\. Sense: /, "", a); sub(/ +$/, "", a); add[t]=a}
		/sd [0-9:]+: \[sda\] tag#[0-9]+ CDB: /{t=$0; sub(/.*tag#/, "", t); sub(/ .*/, "", t);
			c=$0; sub(/.*CDB: [^)]*\) /, "", c); sub(/ .*/, "", c); print key[t] "|" add[t] "|" c}' \
		"$g/dmesg.txt" | sort >"$out/kernel-sense"
	jq -r 'select(.kind == "block" and .dev == "sda" and .errno != 0) | "\(.scsi.sense_key)|\(.scsi.asc_text)|\(.scsi.opcode)"' "$ev" |
		awk -F'|' '{printf "%s|%s|%02x\n", $1, $2, $3}' | sort >"$out/got-sense"
	DIAG="kernel (<) vs vblktrace (>): $(diff "$out/kernel-sense" "$out/got-sense")"
	check "$k: sda sense key, additional sense and opcode are what the guest kernel logged" \
		bash -c "[ \$(wc -l <'$out/kernel-sense') = 3 ] && diff -q '$out/kernel-sense' '$out/got-sense'"

	# Tries: the kernel's scsi_dispatch_cmd_done record (result != 0) of
	# each failed command, by LBA (512-byte blocks: LBA = sector).
	grep -o 'scsi_dispatch_cmd_done: host_no=0 channel=0 id=0 lun=0 .* lba=[0-9]*' "$g/trace.txt" |
		sed 's/.*lba=//' | sort -n | uniq -c | awk '{print $2, $1}' >"$out/kernel-tries"
	jq -r 'select(.kind == "block" and .dev == "sda") | "\(.sector) \(.scsi.tries)"' "$ev" | sort -n >"$out/got-tries"
	DIAG="kernel (<) vs vblktrace (>): $(diff "$out/kernel-tries" "$out/got-tries"); $(jq -c 'select(.kind == "block" and .dev == "sda") | .scsi' "$ev")"
	check "$k: sda results: 0:0:0:0, DID_OK, CHECK CONDITION, tries as the kernel's scsi trace counts them" \
		bash -c "diff -q '$out/kernel-tries' '$out/got-tries' && grep -q '^256 [2-9]' '$out/got-tries' &&
			jq -e -s '[.[] | select(.kind == \"block\" and .dev == \"sda\")] | length == 3 and
				all(.scsi.address == \"0:0:0:0\" and .scsi.host_byte == \"DID_OK\" and
				    .scsi.status == \"CHECK CONDITION\" and .virtio_status == null)' '$ev'"

	# Issuers: dd for every failed request, with block_io_start (6.5+)
	# and without it, where SCSI ends a failed request in two steps (a
	# zero-byte success completion first) and the issuer must survive it.
	DIAG=$(jq -c 'select(.kind == "block") | [.dev, .comm, .issuer_known]' "$ev")
	check "$k: dd is the issuer of every failed request" \
		jq -e -s '[.[] | select(.kind == "block")] | length == 7 and all(.comm == "dd" and .issuer_known)' "$ev"

	DIAG=$(jq -c 'select(.kind == "syscall" or .kind == "bio")' "$ev")
	check "$k: dm-linear: write(/dev/dm-0) = -EIO is caused by vda 2056+8 via dm-0 8+8" \
		jq -e -s '(map(select(.kind == "block")) | map({key: (.seq | tostring), value: .}) | from_entries) as $b |
			[.[] | select(.kind == "syscall" and .path == "/dev/dm-0" and .errno == 5)] |
			length == 1 and ($b[(.[0].cause // 0) | tostring] | .dev == "vda" and .sector == 2056 and .nr_sectors == 8) and
			(.[0].cause_chain | length == 1 and .[0].dev == "dm-0" and .[0].sector == 8 and .[0].status == "IOERR")' "$ev"

	check "$k: two levels: write(/dev/dm-1) is caused by vda 6152+8 via dm-1 8 and dm-0 4104" \
		jq -e -s '(map(select(.kind == "block")) | map({key: (.seq | tostring), value: .}) | from_entries) as $b |
			[.[] | select(.kind == "syscall" and .path == "/dev/dm-1" and .errno == 5)] |
			length == 1 and ($b[(.[0].cause // 0) | tostring] | .dev == "vda" and .sector == 6152) and
			([.[0].cause_chain[] | "\(.dev) \(.sector)"] == ["dm-1 8", "dm-0 4104"])' "$ev"

	# Partition offsets: dm over vdb1, and vdb1 itself.
	check "$k: partitions: write(/dev/dm-2) over vdb1 is caused by vdb 22536 via dm-2 8; write(/dev/vdb1) by vdb 24576" \
		jq -e -s '(map(select(.kind == "block")) | map({key: (.seq | tostring), value: .}) | from_entries) as $b |
			([.[] | select(.kind == "syscall" and .path == "/dev/dm-2" and .errno == 5)] |
			 length == 1 and ($b[(.[0].cause // 0) | tostring] | .dev == "vdb" and .sector == 22536) and
			 ([.[0].cause_chain[] | "\(.dev) \(.sector)"] == ["dm-2 8"])) and
			([.[] | select(.kind == "syscall" and .path == "/dev/vdb1" and .errno == 5)] |
			 length == 1 and ($b[(.[0].cause // 0) | tostring] | .dev == "vdb" and .sector == 24576) and
			 .[0].cause_chain == null)' "$ev"

	check "$k: each stacked layer's failed bio and the bios sent down are events" \
		jq -e -s '[.[] | select(.kind == "bio") | "\(.dev) \(.sector) \(.stacked) \(.from_dev // "-") \(.from_sector // "-")"] | sort ==
			["dm-0 4104 true dm-1 8", "dm-0 8 true - -", "dm-1 8 true - -", "dm-2 8 true - -", "vda 2056 false dm-0 8", "vda 6152 false dm-0 4104", "vdb1 2056 false dm-2 8"]' "$ev"

	DIAG="$(grep -E 'dm-|sda' "$g/live.txt")"
	check "$k: the live view shows the chain and the sense" \
		bash -c "grep -qE 'dd\[[0-9]+\] write\(/dev/dm-1, off 4096, 4 KiB\) = -EIO  <- dm-1 8\+8 -> dm-0 4104\+8 -> vda WRITE 6152\+8 IOERR \(virtio IOERR\)' '$g/live.txt' &&
			grep -qE '^[0-9:.]+ sda +READ +64\+8 4 KiB ENODATA \(MEDIUM\) .*\[scsi 0:0:0:0 CHECK CONDITION, Medium Error: Unrecovered read error \(asc 0x11 ascq 0x00\)' '$g/live.txt' &&
			grep -qE 'dd\[[0-9]+\] write\(/dev/sda, off 65536, 4 KiB\) = -ENOSPC  <- sda WRITE 128\+8 NOSPC \(Data Protect: Space allocation failed write protect\)' '$g/live.txt'"

	# raw_tp (forced) reports the same; classic tracepoints say what they
	# cannot see.
	proj='select(.kind != "syscall" or .errno != 0) | [.kind, .dev, .sector, .scsi.sense_key, .scsi.asc_text, .scsi.tries, .from_dev, .from_sector, ([.cause_chain[]? | .dev, .sector])] | tostring'
	DIAG="$(cat "$g/vbt.err" "$g/raw.err" "$g/tp.err"); $(diff <(jq -r "$proj" "$ev") <(jq -r "$proj" "$g/raw.jsonl"))"
	check "$k: tp_btf by default; raw_tp sees the same SCSI and stack records; tracepoint says it cannot" \
		bash -c "grep -q 'tp_btf scsi_dispatch_cmd_done block_bio_remap' '$g/vbt.err' &&
			grep -q 'raw_tp scsi_dispatch_cmd_done block_bio_remap' '$g/raw.err' &&
			[ -s '$g/raw.jsonl' ] && diff -q <(jq -r '$proj' '$ev') <(jq -r '$proj' '$g/raw.jsonl') &&
			grep -q 'cannot see: .*SCSI result and sense, the bios of stacked devices: no classic tracepoint carries them' '$g/tp.err'"

	# The recording read back: each layer a group, sda's cause its sense.
	"$VBT_ROOT/build/vblktrace" report --format json "$ev" >"$out/report.json" 2>&1
	DIAG=$(cat "$out/report.json")
	check "$k: report of the recording: a group per stacked layer, sda's likely cause is its sense" \
		bash -c "jq -e '([.groups[] | select(.kind == \"bio\") | .what] | sort == [\"dm-0 bio\", \"dm-1 bio\", \"dm-2 bio\", \"vda bio\", \"vdb1 bio\"]) and
				([.groups[] | select(.kind == \"block\" and .what == \"sda\") | .likely_cause] |
				 any(test(\"Medium Error: Unrecovered read error; under QEMU.s scsi-hd that is a host ENODATA\")))' '$out/report.json' &&
			/usr/bin/python3 '$VBT_ROOT/tests/lib/validate_json.py' '$VBT_ROOT/docs/events.schema.json' '$out/report.json'"

	DIAG="$(cat "$g/scsi_disk.txt"); $(cat "$g/disks.txt")"
	wce=$(awk '{print $2, $3}' "$g/scsi_disk.txt")
	fua=$(awk '{print $NF == 1 ? "yes" : "no"}' "$g/scsi_disk.txt")
	check "$k: disks: sda is 0:0:0:0 QEMU scsi-hd on virtio_scsi, WCE and FUA as sd says; the stacks from sysfs" \
		bash -c "grep -q '  scsi 0:0:0:0  QEMU scsi-hd: QEMU QEMU HARDDISK rev .* host adapter virtio_scsi' '$g/disks.txt' &&
			[ '$wce' = 'write back' ] && grep -qx '  scsi cache_type: $wce (WCE on)  FUA: $fua' '$g/disks.txt' &&
			grep -qx '  stack: dm-1 (vg0/lv) -> dm-0 (vbtlin) -> vda' '$g/disks.txt' &&
			grep -qx '  stack: dm-0 (vbtlin) -> vda' '$g/disks.txt' &&
			grep -qx '  stack: dm-2 (vbtpart) -> vdb1 -> vdb' '$g/disks.txt'"

	# explain on the guest's own log: every SCSI line of the failures is
	# recognised, and an sda error is not called a virtio one.
	grep -E 'sd [0-9:]+: \[sda\] tag#[0-9]+ (FAILED|Sense Key|Add\. Sense|CDB)|error, dev sda' "$g/dmesg.txt" >"$out/scsi-lines"
	"$VBT_ROOT/build/vblktrace" explain --json "$out/scsi-lines" >"$out/explain.jsonl" 2>&1
	DIAG="$(cat "$out/explain.jsonl"); $(/usr/bin/python3 "$VBT_ROOT/tests/lib/validate_json.py" \
		"$VBT_ROOT/docs/events.schema.json" "$ev" "$g/disks.jsonl" "$out/explain.jsonl" 2>&1)"
	check "$k: explain recognises the guest's SCSI lines; no VIRTIO_BLK status for sda" \
		bash -c "[ \$(wc -l <'$out/scsi-lines') = 15 ] &&
			jq -e -s '[.[] | select(.kind == \"explanation\")] | length == 15 and
				([.[] | select(.kind == \"explanation\") | .pattern] | sort | unique == [\"blk-error\", \"scsi-add-sense\", \"scsi-cdb\", \"scsi-result\", \"scsi-sense-key\"]) and
				all(.[]; tostring | test(\"VIRTIO_BLK\") | not)' '$out/explain.jsonl' &&
			/usr/bin/python3 '$VBT_ROOT/tests/lib/validate_json.py' '$VBT_ROOT/docs/events.schema.json' '$ev' '$g/disks.jsonl' '$out/explain.jsonl'"
done
tap_done
