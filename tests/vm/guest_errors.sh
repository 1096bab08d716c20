#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The scene of the seeds, inside real guests (Debian 6.1 and 6.12 kernels
# under QEMU): mkfs.xfs on a cache=none,aio=native drive whose writes fail,
# plus a read error, a flush error and host ENOSPC under werror=report.
# Ground truth is the guest kernel's own: its ftrace block_rq_complete
# record (error != 0) and its "I/O error, dev vda, sector N" lines.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/truth.sh"
VBT=$VBT_ROOT/build/vblktrace

KERNELS=${VBT_GUEST_KERNELS:-6.1 6.12}
PER_KERNEL=14
tap_plan $(( $(echo $KERNELS | wc -w) * PER_KERNEL ))

# mkfs.xfs on 512 MiB: the superblock at sector 0 and the zeroing of the
# last 128 KiB (sector 1048320) fail, as in the seed's bno 0x0 and the end.
VDA="size=512M,cache=none,aio=native,werror=report,rerror=report,fault=blkdebug:pwritev:sector=0:errno=EIO+pwritev:sector=1048320:errno=EIO"
VDB="size=64M,cache=writethrough,lbs=4096,pbs=4096,fault=blkdebug:read_aio:sector=32:iotype=read:errno=EIO"
VDC="size=64M,cache=writeback,fault=blkdebug:flush_to_disk:errno=EIO"
VDD="size=64M,aio=threads,cache=none,werror=report,fault=enospc:3M"

# ok_if NAME CONDITION-CMD... [-- DIAG]
check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then tap_ok "$name"; else tap_fail "$name" "$DIAG"; fi
}

# arm64: the 6.12 guest boots through UEFI (AAVMF) with its disks on
# pcie-root-ports, as libvirt sets up an aarch64 domain (the seed's).
uefi_for() {
	[ "${GUEST_ARCH:-amd64}" = arm64 ] && [ "$1" = 6.12 ] && echo --uefi
}

for k in $KERNELS; do
	out=$FX_DIR/guest-$k
	if ! "$VBT_ROOT/scripts/guest/run.sh" --kernel "$k" --timeout 240 $(uefi_for "$k") \
		--script "$VBT_ROOT/tests/vm/guest/errors.sh" --out "$out" \
		--disk "$VDA" --disk "$VDB" --disk "$VDC" --disk "$VDD" \
		>"$FX_DIR/rig-$k.log" 2>&1; then
		tap_harness_fail "$k: guest rig failed" "$(tail -20 "$FX_DIR/rig-$k.log")"
		tap_fail_next $((PER_KERNEL - 1)) "$k: (not run: guest rig failed)"
		continue
	fi
	g=$out/guest
	ev=$g/events.jsonl
	vda=$(awk '$1 == "vda" {print $2}' "$g/sysfs.txt")

	DIAG=$(cat "$g/mkfs.out")
	check "$k: mkfs.xfs fails as in the seed (pwrite failed: Input/output error)" \
		grep -q 'pwrite failed: Input/output error' "$g/mkfs.out"

	truth_parse <"$g/trace.txt" | sort >"$out/truth"
	# jq holds numbers as doubles: print the flush's U64_MAX sector as is.
	jq -r 'select(.kind == "block" and .errno != 0) |
		"\(.major):\(.minor) \(if .sector >= 18446744073709551615 then "18446744073709551615" else .sector end) \(.nr_sectors) \(.op) \(.errno)"' "$ev" |
		sort >"$out/got"
	DIAG="kernel (<) vs vblktrace (>): $(diff "$out/truth" "$out/got")"
	check "$k: failed requests equal the guest kernel's ftrace record" \
		bash -c "[ -s '$out/truth' ] && diff -q '$out/truth' '$out/got'"

	# report on the real recording the guest made with -o: its groups add
	# up, per disk, op and errno, to the guest kernel's record.
	awk 'NR == FNR { name[$2] = $1; next } { print name[$1], $4, $5 }' \
		"$g/sysfs.txt" "$out/truth" | sort | uniq -c | awk '{ print $2, $3, $4, $1 }' >"$out/report.want"
	"$VBT" report --format json "$ev" >"$out/report.json" 2>"$out/report.err"
	jq -r '[.groups[] | select(.kind == "block")] | group_by([.what, .op, .errno]) | .[] |
		"\(.[0].what) \(.[0].op) \(.[0].errno) \(map(.count) | add)"' "$out/report.json" |
		sort >"$out/report.got"
	DIAG="kernel (<) vs report (>): $(diff "$out/report.want" "$out/report.got") $(cat "$out/report.err")"
	check "$k: report of the guest's own -o recording: failed requests per disk, op and errno as the kernel counted" \
		bash -c "[ -s '$out/report.want' ] && cmp -s '$out/report.want' '$out/report.got'"

	# Every "I/O error, dev vda, sector N op 0x..:(OP)" line (rate limited,
	# so a subset) names a request vblktrace reported.
	grep -o 'I/O error, dev vd[a-d], sector [0-9]* op 0x[0-9a-f]*:([A-Z_]*)' "$g/dmesg.txt" |
		awk '{gsub(/,/, ""); sub(/.*\(/, "", $NF); sub(/\)/, "", $NF); print $4, $6, $NF}' |
		sort -u >"$out/kmsg"
	jq -r 'select(.kind == "block" and .errno != 0) | "\(.dev) \(.sector) \(.op)"' "$ev" |
		sort -u >"$out/got-kmsg"
	# A request the kernel logged was not RQF_QUIET: its event must not
	# say QUIET (the bit moved in 6.11 and is anonymous in 6.12's BTF).
	jq -r 'select(.kind == "block" and .errno != 0 and ((.flags // []) | index("QUIET"))) | "\(.dev) \(.sector) \(.op)"' "$ev" |
		sort -u >"$out/got-quiet"
	DIAG="kernel lines not reported: $(comm -23 "$out/kmsg" "$out/got-kmsg"); logged but marked QUIET: $(comm -12 "$out/kmsg" "$out/got-quiet")"
	check "$k: every kernel 'I/O error, dev vdX, sector N' line is a reported request, none marked QUIET" \
		bash -c "[ -s '$out/kmsg' ] && [ -z \"\$(comm -23 '$out/kmsg' '$out/got-kmsg')\" ] &&
			[ -z \"\$(comm -12 '$out/kmsg' '$out/got-quiet')\" ]"

	DIAG=$(jq -c 'select(.kind == "block" and .dev == "vda" and .errno != 0) | [.comm, .issuer_known]' "$ev")
	check "$k: mkfs.xfs is the issuer of every failed vda request" \
		bash -c "[ -n \"\$(jq -r 'select(.kind == \"block\" and .dev == \"vda\") | .comm' '$ev')\" ] &&
			[ -z \"\$(jq -r 'select(.kind == \"block\" and .dev == \"vda\" and .errno != 0 and (.comm != \"mkfs.xfs\" or .issuer_known != true)) | .seq' '$ev')\" ]"

	# The data-less write whose preflush failed never reached the device:
	# it must say so instead of showing a stale status byte.
	DIAG=$(jq -c 'select(.kind == "block" and .errno != 0) | [.dev, .op, .nr_sectors, .virtio_status, .virtio_status_derived, .reached_device]' "$ev")
	check "$k: virtio status IOERR read from the request; unsent requests say so" \
		bash -c "[ -z \"\$(jq -r 'select(.kind == \"block\" and .errno != 0 and .reached_device != false and
			(.virtio_status != \"IOERR\" or .virtio_status_derived == true)) | .seq' '$ev')\" ] &&
			jq -e -s 'map(select(.kind == \"block\" and .dev == \"vdc\" and .op == \"WRITE\" and .reached_device == false and .virtio_status == null)) | length == 1' '$ev'"

	# Each "pwrite failed" line of mkfs is one failing pwrite: one syscall
	# event, linked to a failed vda request that covers its offset.
	n_mkfs=$(grep -c 'pwrite failed' "$g/mkfs.out")
	jq -s -r '(map(select(.kind == "block")) | map({key: (.seq | tostring), value: .}) | from_entries) as $b |
		.[] | select(.kind == "syscall" and .comm == "mkfs.xfs" and .errno == 5) |
		($b[(.cause // 0) | tostring]) as $c |
		"\(.syscall) \(.path) \(($c.sector // -1) <= (.offset / 512) and (.offset / 512) < (($c.sector // -1) + ($c.nr_sectors // 0)))"' \
		"$ev" >"$out/links"
	n_links=$(grep -c 'true$' "$out/links")
	n_sys=$(wc -l <"$out/links")
	DIAG="mkfs printed $n_mkfs 'pwrite failed', vblktrace: $n_sys syscall events, $n_links linked: $(cat "$out/links")"
	check "$k: each failed mkfs pwrite is a syscall event linked to its block event" \
		bash -c "[ $n_mkfs -gt 0 ] && [ $n_sys -eq $n_mkfs ] && [ $n_links -eq $n_mkfs ]"

	# --all against the guest kernel's own counters: no disk shows more
	# completions than it counted (the flush machinery's steps, RQF_FLUSH_SEQ,
	# a bit that moved in 6.11, are told apart), and what it shows fewer of
	# is vblktrace's own writes, lost, or reported unseen.
	DIAG="$(grep -h 'disks. counters\|unseen\|did not' "$g/all.err")"
	line=$(grep "completions by the disks' counters" "$g/all.err")
	printf '%s\n' "${line#*counters: }" | tr ';' '\n' |
		sed -n 's/^ *\(vd[a-z]\): kernel \([0-9]*\), shown \([0-9]*\)$/\1 \2 \3/p' >"$out/all.disks"
	own=$(printf '%s' "$line" | sed -n "s/.*vblktrace's own \([0-9]*\), lost \([0-9]*\).*/\1/p")
	lost=$(printf '%s' "$line" | sed -n "s/.*vblktrace's own \([0-9]*\), lost \([0-9]*\).*/\2/p")
	unseen=$(jq -s '[.[] | select(.kind == "lost" and .cause == "unseen") | .count] | add // 0' "$g/all.jsonl")
	gap=$(awk '{ s += $2 - $3 } END { print s + 0 }' "$out/all.disks")
	over=$(awk '$3 > $2' "$out/all.disks")
	DIAG="$DIAG; own $own lost $lost unseen $unseen gap $gap; shown more than counted: $over"
	figs=$(awk '{ printf "%s%s %s/%s", (NR > 1 ? ", " : ""), $1, $3, $2 }' "$out/all.disks")
	nseq=$(grep -c '"FLUSH_SEQ"' "$g/all.jsonl")
	check "$k: --all: shown/counted $figs; own ${own:-?} + lost ${lost:-?} + unseen $unseen cover the rest; $nseq flush steps told apart" \
		bash -c "grep -q '^vda ' '$out/all.disks' && [ -z '$over' ] && [ -n '$own' ] &&
			[ $gap -eq \$(( ${own:-0} + ${lost:-0} + $unseen )) ]"

	DIAG=$(grep 'mkfs.xfs' "$g/live.txt" | head -5)
	check "$k: the live view shows mkfs.xfs pwrite64(/dev/vda, ...) = -EIO <- vda WRITE" \
		grep -qE 'mkfs\.xfs\[[0-9]+\] pwrite64\(/dev/vda, off [0-9]+, [0-9]+ [KM]?i?B\) = -EIO  <- vda WRITE [0-9]+\+[0-9]+ IOERR \(virtio IOERR\)' "$g/live.txt"

	DIAG="$(cat "$g/read.err"); $(grep ' READ ' "$out/got")"
	# As many dd READ EIO events on vdb as the kernel recorded failed reads.
	vdb=$(awk '$1 == "vdb" {print $2}' "$g/sysfs.txt")
	nread=$(awk -v d="$vdb" '$1 == d && $4 == "READ" && $5 == 5' "$out/truth" | wc -l)
	check "$k: read error: dd fails and each of the kernel's vdb READ EIO failures is traced, issued by dd" \
		bash -c "[ \$(cat '$g/read.rc') != 0 ] && [ $nread -gt 0 ] &&
			jq -e -s --argjson n $nread 'map(select(.kind == \"block\" and .dev == \"vdb\" and .op == \"READ\" and .errno == 5 and .comm == \"dd\")) | length == \$n' '$ev'"

	DIAG="$(cat "$g/flush.err"); $(jq -c 'select(.dev == "vdc" or .kind == "syscall" and .comm == "dd")' "$ev")"
	# The kernel recorded the flush's failure; dd's one failed fsync is
	# linked to exactly that FLUSH event (its cause is the FLUSH's seq).
	vdc=$(awk '$1 == "vdc" {print $2}' "$g/sysfs.txt")
	nflush=$(awk -v d="$vdc" '$1 == d && $4 == "FLUSH" && $5 == 5' "$out/truth" | wc -l)
	check "$k: flush error: the kernel's one FLUSH failure, and dd's fsync caused by that event" \
		jq -e -s --argjson n "$nflush" '(map(select(.kind == "block" and .dev == "vdc" and .op == "FLUSH" and .errno == 5))) as $f |
			(map(select(.kind == "syscall" and .syscall == "fsync" and .comm == "dd" and .errno == 5))) as $s |
			$n == 1 and ($f | length) == 1 and ($s | length) == 1 and $s[0].cause == $f[0].seq' "$ev"

	DIAG="$(cat "$g/enospc.err"); $(jq -c 'select(.dev == "vdd")' "$ev")"
	vdd=$(awk '$1 == "vdd" {print $2}' "$g/sysfs.txt")
	nvdd=$(awk -v d="$vdd" '$1 == d && $4 == "WRITE"' "$out/truth" | wc -l)
	check "$k: host ENOSPC under werror=report reaches the guest as WRITE IOERR, each of the kernel's $nvdd" \
		jq -e -s --argjson n "$nvdd" '$n > 0 and (map(select(.kind == "block" and .dev == "vdd" and .op == "WRITE" and .status == "IOERR" and .virtio_status == "IOERR")) | length == $n)' "$ev"

	DIAG=$(cat "$g/vbt.err")
	check "$k: vblktrace attached with tp_btf, exited 0, lost nothing" \
		bash -c "grep -q 'via tp_btf' '$g/vbt.err' && [ \$(cat '$g/vbt.rc') = 0 ] &&
			[ \$(jq -s '[.[] | select(.kind == \"lost\")] | length' '$ev') = 0 ]"

	# disks -j, field by field, against the guest's sysfs (read by the
	# guest script, not by vblktrace) and the drives QEMU was given.
	awk '{ printf "%s %s %s %s %s\n", $1, $2, $3, $4, $5 }' "$g/sysfs.txt" | sort >"$out/disks.want"
	jq -r 'select(.kind == "disk" and (.name | test("^vd[a-d]$"))) |
		"\(.name) \(.major):\(.minor) \(.cache_type) \(.logical_block_size)"' "$g/disks.jsonl" |
		sort >"$out/disks.got"
	DIAG="sysfs (<) vs disks -j (>): $(diff "$out/disks.want" "$out/disks.got")"
	check "$k: disks -j: dev, cache type, block size of vda..vdd as sysfs says; none 'write back', writethrough 'write through', lbs 4096" \
		bash -c "cmp -s '$out/disks.want' '$out/disks.got' &&
			grep -qx 'vda [0-9:]* write back 512' '$out/disks.got' &&
			grep -qx 'vdb [0-9:]* write through 4096' '$out/disks.got'"
done
tap_done
