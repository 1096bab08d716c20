#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One guest-rig run, two bundles: 'vblktrace bundle' inside the guest and on
# this host (the rig's host hook) at the same time; 'vblktrace merge' must
# give each guest error the origin the host side proves:
#   vda: a full tmpfs under aio=threads   -> host-syscall ENOSPC (pwritev)
#        (and rerror=ignore, which the guest's writes never meet, for
#        doctor to find on the recorded command line)
#   vdb: a full tmpfs under aio=io_uring  -> host-syscall ENOSPC (io_uring)
#   vdc: blkdebug EIO, no host failure    -> qemu-internal
#   vdd: a host loop device, full tmpfs   -> host-device ENOSPC
#   loop0 in the guest (its own tmpfs)    -> guest
# and never join a guest error to a host event of another drive or offset.
# The pair is then read as a developer would: the merged HTML page in
# headless Chromium (every failure of both recordings drawn and listed, the
# cause and join links drawn, the origins and the configuration behind
# them said; a screenshot kept in build/test-logs/) and the Perfetto trace
# (an arrow per cause link and per join, forward in time).
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"
. "$VBT_ROOT/tests/lib/html_check.sh"

VBT=$VBT_ROOT/build/vblktrace
KERNEL=${VBT_MERGE_KERNEL:-6.1}
SECTOR=2048
TAG=$$
# The guest's wall clock runs this far ahead of the host's (merge/guest.sh).
CLOCK_SHIFT=37
tap_plan 28

if [ "$(id -u)" != 0 ] || [ ! -x "$VBT" ]; then
	tap_skip_rest "needs root and build/vblktrace" "merge"
	tap_done
	exit
fi

W=$FX_DIR/merge
mkdir -p "$W"
hloop=$(fx_enospc_loop 3M 64M) || {
	tap_harness_fail "fixture: a host loop device over a full tmpfs"
	tap_fail_rest "no host loop device"
	tap_done
	exit 1
}
printf 'BLKDEBUG_SECTOR=%s\nCLOCK_SHIFT=%s\n' "$SECTOR" "$CLOCK_SHIFT" >"$W/merge.env"
out=$W/run

VM=vbt-merge-$TAG
"$VBT_ROOT/scripts/guest/run.sh" --kernel "$KERNEL" --timeout 240 --name "$VM" \
	--script "$VBT_ROOT/tests/vm/merge/guest.sh" --out "$out" \
	--file "$W/merge.env:/rig/merge.env" \
	--disk "size=64M,aio=threads,cache=none,werror=report,rerror=ignore,serial=m-thr-$TAG,fault=enospc:3M" \
	--disk "size=64M,aio=io_uring,cache=none,werror=report,serial=m-uring-$TAG,fault=enospc:3M" \
	--disk "size=64M,cache=none,werror=report,serial=m-dbg-$TAG,fault=blkdebug:pwritev:sector=$SECTOR:errno=EIO" \
	--disk "image=$hloop,aio=threads,cache=none,werror=report,serial=m-dev-$TAG" \
	--module loop \
	--host-hook-ready \
	--host-hook "VBT='$VBT' sh '$VBT_ROOT/tests/vm/merge/host-hook.sh'" \
	>"$W/rig.log" 2>&1
rig=$?
G=$out/guest/guest.tar.gz
H=$out/host.tar.gz

if [ $rig != 0 ] || [ ! -s "$G" ] || [ ! -s "$H" ]; then
	tap_harness_fail "guest and host bundles written in one rig run" \
		"rig exit $rig" "$(tail -15 "$W/rig.log")" \
		"$(cat "$out/guest/bundle.err" "$out/host-bundle.err" "$out/host-hook.log" 2>&1 | tail -15)"
	tap_fail_rest "no bundles: the guest rig failed"
	tap_done
	exit 1
fi
tap_harness_ok "guest and host bundles written in one rig run"
# Kept as artifacts: a person can open the pair, and the report tests read it.
ART=$VBT_ROOT/build/test-logs/merge
mkdir -p "$ART" && cp "$G" "$ART/guest.tar.gz" && cp "$H" "$ART/host.tar.gz"

if [ "$(stat -c %a "$G")" = 600 ] && [ "$(stat -c %a "$H")" = 600 ] &&
   [ "$(cat "$out/guest/bundle.rc")" = 0 ] && [ "$(cat "$out/host-bundle.rc")" = 0 ]; then
	tap_ok "both bundles are mode 0600 and both recorders exited 0"
else
	tap_fail "both bundles are mode 0600 and both recorders exited 0" \
		"$(stat -c '%a %n' "$G" "$H")" "$(cat "$out/guest/bundle.rc" "$out/host-bundle.rc")"
fi

"$VBT" merge --format json "$G" "$H" >"$W/merge.json" 2>"$W/merge.err"
mrc=$?
"$VBT" merge "$G" "$H" >"$W/merge.txt" 2>&1
tap_diag "$(head -40 "$W/merge.txt")"
if [ $mrc = 0 ] && jq -e . "$W/merge.json" >/dev/null; then
	tap_ok "merge exits 0 with JSON"
else
	tap_fail "merge exits 0 with JSON" "$(cat "$W/merge.err")"
fi

# Guest errors in the guest bundle = errors merge classified.
tar -xzf "$G" -O events.jsonl >"$W/guest-events.jsonl"
n_guest=$(jq -s '[.[] | select(.kind != "lost" and .errno != 0)] | length' "$W/guest-events.jsonl")
n_merged=$(jq '.errors | length' "$W/merge.json")
n_unknown=$(jq '[.errors[] | select(.origin == "unknown")] | length' "$W/merge.json")
if [ "$n_guest" -gt 0 ] && [ "$n_guest" = "$n_merged" ] && [ "$n_unknown" = 0 ]; then
	tap_ok "every guest error ($n_guest) is classified, none unknown"
else
	tap_fail "every guest error is classified" "guest $n_guest, merged $n_merged, unknown $n_unknown"
fi

# disks paired by serial with the rig's drives
pairs=$(jq -r '.disks[] | select(.matched and .guest != "vde") | "\(.guest)=\(.drive)/\(.by)"' "$W/merge.json" | sort | tr '\n' ' ')
if [ "$pairs" = "vda=virtio-disk0/serial vdb=virtio-disk1/serial vdc=virtio-disk2/serial vdd=virtio-disk3/serial " ]; then
	tap_ok "disks paired by serial: $pairs"
else
	tap_fail "disks paired by serial" "got: $pairs"
fi

# origin_of DEV: the distinct "origin errno kind" of its failed block requests
origin_of() {
	jq -r --arg d "$1" '.errors[] | select(.kind == "block" and .dev == $d) |
		"\(.origin) \(.host_err // "-") \(.host.kind // "-") \(.host.syscall // .host.opcode // "-")"' \
		"$W/merge.json" | sort -u | tr '\n' ';'
}
check_origin() {
	local name=$1 dev=$2 want=$3 got
	got=$(origin_of "$dev")
	if [ "$got" = "$want;" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "want '$want;' got '$got'"
	fi
}
check_origin "aio=threads ENOSPC -> host-syscall ENOSPC (pwritev)" vda "host-syscall ENOSPC syscall pwritev"
check_origin "aio=io_uring ENOSPC -> host-syscall ENOSPC (io_uring)" vdb "host-syscall ENOSPC io_uring WRITEV"
check_origin "blkdebug -> qemu-internal" vdc "qemu-internal - - -"
# The host block device's own failed requests: each guest error on vdd is
# joined to a failed request on that loop device at its host offset.
hdev=${hloop#/dev/}
got=$(jq -r --arg d "$hdev" '.errors[] | select(.kind == "block" and .dev == "vdd") |
	"\(.origin) \(.host_err // "-") \(.host_block.dev // "-") \((.host_block.sector // -1) * 512 == .host_offset)"' \
	"$W/merge.json" | sort -u | tr '\n' ';')
if [ "$got" = "host-device ENOSPC $hdev true;" ]; then
	tap_ok "host loop device ENOSPC -> host-device, joined to $hdev's failed request at the offset"
else
	tap_fail "host loop device ENOSPC -> host-device" "want 'host-device ENOSPC $hdev true;' got '$got'"
fi
check_origin "the guest's own loop device -> guest" loop0 "guest - - -"

# No wrong joins: each joined host event is of the paired drive, of the
# rig's VM, and covers the guest request's host byte offset.
bad=$(jq -r '.vm as $vm | (.disks | map({key: .guest, value: .drive}) | from_entries) as $d |
	.errors[] | select(.host != null and .kind == "block") |
	select(.host.drive != $d[.dev] or .host.vm != $vm or
		.host.offset > .host_offset or .host.offset + .host.len <= .host_offset) |
	"\(.dev) \(.sector) -> \(.host.drive) \(.host.offset)"' "$W/merge.json")
nj=$(jq '[.errors[] | select(.host != null)] | length' "$W/merge.json")
if [ -z "$bad" ] && [ "$nj" -gt 0 ]; then
	tap_ok "none of $nj joins is to another drive, VM or offset"
else
	tap_fail "no guest error joined to the wrong host event" "$bad"
fi

# The offset written three times failed three times on the host: each
# guest request has its own host failure, none is shared.
shared=$(jq -r '[.errors[] | select(.kind == "block" and .host != null) |
	"\(.host.drive) \(.host.seq)"] | group_by(.) | map(select(length > 1)) | length' "$W/merge.json")
rep=$(jq '[.errors[] | select(.kind == "block" and .dev == "vda" and .sector == 7168)] | length' "$W/merge.json")
if [ "$shared" = 0 ] && [ "$rep" = 3 ]; then
	tap_ok "three failures at the same offset join three different host events"
else
	tap_fail "three failures at the same offset join three different host events" \
		"shared host events: $shared, vda failures at sector 7168: $rep"
fi

# The guest's own count of failed dd writes (one 64 KiB request each, plus
# the one blkdebug write on vdc) against the failed requests merge has.
nf() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
want="vda $(nf "$out/guest/vda.failed") vdb $(nf "$out/guest/vdb.failed") vdc $(($(cat "$out/guest/vdc.rc" 2>/dev/null || echo 0) != 0))"
want="$want vdd $(nf "$out/guest/vdd.failed") loop0 $(nf "$out/guest/loop0.failed")"
got=$(for d in vda vdb vdc vdd loop0; do
	printf '%s %s ' $d "$(jq --arg d $d '[.errors[] | select(.kind == "block" and .dev == $d)] | length' "$W/merge.json")"
done)
if [ "${want#vda 0 }" = "$want" ] && [ "${want%loop0 3}" != "$want" ] && [ "$got" = "$want " ]; then
	tap_ok "failed requests per disk equal the guest's own failure counts ($want)"
else
	tap_fail "failed requests per disk equal the guest's own failure counts" "guest: $want" "merge: $got"
fi

# Each failed dd write is one failed syscall, and it takes the origin of
# the block request behind it (its cause).
nsys=$(jq '[.errors[] | select(.kind == "syscall")] | length' "$W/merge.json")
badsys=$(jq -r '(.errors | map(select(.kind == "block")) | map({key: (.seq | tostring), value: .origin}) | from_entries) as $o |
	.errors[] | select(.kind == "syscall") |
	select(.cause == null or .origin != $o[.cause | tostring]) |
	"syscall seq \(.seq) cause \(.cause) origin \(.origin) vs block \($o[(.cause // 0) | tostring])"' "$W/merge.json")
nblk=$(jq '[.errors[] | select(.kind == "block")] | length' "$W/merge.json")
if [ "$nsys" -gt 0 ] && [ "$nsys" = "$nblk" ] && [ -z "$badsys" ]; then
	tap_ok "each of the $nsys failed syscalls has a cause and takes its block request's origin"
else
	tap_fail "failed syscalls take the origin of the block request behind them" \
		"$nsys syscalls for $nblk failed requests" "$badsys"
fi

# The clock offset against the known one: the host stamped the guest's
# VBT-CLOCK console lines on arrival, so host - guest is at most that
# (console latency only adds); merge's estimate from error pairs is that
# less the I/O latency between QEMU's failure and the guest's completion.
# (Nanoseconds since 1970 need 64-bit integers: shell arithmetic, not awk.)
known=
while read -r g h; do
	case "$g$h" in *[!0-9]*|'') continue ;; esac
	d=$((h - g))
	[ -z "$known" ] || [ "$d" -lt "$known" ] && known=$d
done <"$out/clock.marks"
# The guest's clock starts up to a few seconds behind (RTC seconds, boot).
if [ -n "$known" ] && [ $(( known / 1000000000 )) -ge $((-CLOCK_SHIFT - 1)) ] &&
   [ $(( known / 1000000000 )) -le $((-CLOCK_SHIFT + 5)) ]; then
	tap_harness_ok "the guest clock runs ${CLOCK_SHIFT} s ahead: host - guest = $known ns on the console"
else
	tap_harness_fail "the guest clock was shifted and stamped on the console" \
		"known '$known'" "$(cat "$out/clock.marks" 2>&1)"
fi
pairs=$(jq '.clock.pairs' "$W/merge.json")
est=$(jq '.clock.host_minus_guest_ns' "$W/merge.json")
err_ms=$(( ( ${known:-0} - est ) / 1000000 ))
if [ -n "$known" ] && [ "$pairs" -gt 10 ] && [ "$err_ms" -ge -20 ] && [ "$err_ms" -le 300 ]; then
	tap_ok "clock offset from $pairs pairs ($est ns) is the known one less ${err_ms} ms of latency"
else
	tap_fail "clock offset equals the known one (within 0..300 ms of latency)" \
		"known $known, merge $(jq -c .clock "$W/merge.json")"
fi

# Perfetto: guest and host as separate processes
"$VBT" merge --format perfetto "$G" "$H" >"$W/trace.json" 2>"$W/trace.err"
if jq -e '[.traceEvents[] | select(.ph == "M" and .name == "process_name") | .args.name] | sort == ["guest","host"]' "$W/trace.json" >/dev/null &&
   jq -e '[.traceEvents[] | select(.ph != "M") | .pid] | unique == [1,2]' "$W/trace.json" >/dev/null; then
	tap_ok "merge --format perfetto: guest and host tracks"
else
	tap_fail "merge --format perfetto: guest and host tracks" "$(head -c 400 "$W/trace.json")" "$(cat "$W/trace.err")"
fi

# The text format against the guest's own record: one line per failed
# request at the sector dd wrote, with the origin its disk must have.
{
	for d in vda vdb vdd loop0; do
		case $d in
		vda|vdb) o=host-syscall ;; vdd) o=host-device ;; *) o=guest ;;
		esac
		[ -f "$out/guest/$d.failed" ] &&
			awk -v d=$d -v o=$o '{ print d, $1 * 128, 128, o }' "$out/guest/$d.failed"
	done
	echo "vdc $SECTOR 8 qemu-internal"
} | sort >"$W/text.want"
awk '$1 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9.]+$/ && ($3 == "WRITE" || $3 == "READ") {
	split($4, s, "+"); print $2, s[1], s[2], $6 }' "$W/merge.txt" | sort >"$W/text.got"
tclock=$(sed -n 's/^Clock: host wall clock \(-*[0-9.]*\) s relative.*/\1/p' "$W/merge.txt")
cerr=$(awk -v t="${tclock:-x}" -v k="${known:-0}" 'BEGIN {
	if (t !~ /^-?[0-9.]+$/) { print "none"; exit }
	e = (k - t * 1e9) / 1e6; a = e < 0 ? -e : e
	if (a > 300) print "off by " e " ms" }')
if [ -s "$W/text.want" ] && cmp -s "$W/text.want" "$W/text.got" && [ -z "$cerr" ]; then
	tap_ok "text format: each failed request (dev, sector, origin) as the guest recorded it; clock ${tclock} s"
else
	tap_fail "text format: failed requests and origins as the guest recorded them" \
		"want (<) vs text (>):" "$(diff "$W/text.want" "$W/text.got")" "clock: '$tclock' ${cerr}"
fi

# --vm: naming the rig's VM (QEMU's -name, given by this test) changes
# nothing; naming another is refused.
vm=$VM
"$VBT" merge --format json --vm "$vm" "$G" "$H" >"$W/vm.json" 2>"$W/vm.err"
vrc=$?
"$VBT" merge --format json --vm "no-such-vm-$TAG" "$G" "$H" >"$W/novm.json" 2>"$W/novm.err"
nrc=$?
if [ $vrc = 0 ] && [ "$(jq -r .vm "$W/vm.json")" = "$vm" ] && cmp -s "$W/vm.json" "$W/merge.json" &&
   [ $nrc != 0 ] && grep -q "no-such-vm-$TAG" "$W/novm.err"; then
	tap_ok "--vm $vm joins as the default; --vm of another VM is refused"
else
	tap_fail "--vm NAME" "qemu -name: '$vm'; exit $vrc: $(head -c 300 "$W/vm.err")" \
		"no such vm: exit $nrc: $(cat "$W/novm.err")" "$(diff <(jq -S . "$W/merge.json") <(jq -S . "$W/vm.json") | head -5)"
fi

# --window: after alignment only guest/host pairs within the window join.
# The default run's deltas say which must stay joined in a narrow window.
wns=$(jq '[.errors[] | select(.delta_ns != null) | (if .delta_ns < 0 then -.delta_ns else .delta_ns end)] |
	sort | .[length / 2 | floor] // 0' "$W/merge.json")
wsec=$(awk -v n="$wns" 'BEGIN { printf "%.9f", (n + 1000) / 1e9 }')
"$VBT" merge --format json -w "$wsec" "$G" "$H" >"$W/win.json" 2>"$W/win.err"
want_j=$(jq --argjson w "$wns" '[.errors[] | select(.delta_ns != null and
	(if .delta_ns < 0 then -.delta_ns else .delta_ns end) <= $w + 1000)] | length' "$W/merge.json")
got_j=$(jq '[.errors[] | select(.delta_ns != null)] | length' "$W/win.json")
all_j=$(jq '[.errors[] | select(.delta_ns != null)] | length' "$W/merge.json")
if [ -n "$got_j" ] && [ "$got_j" = "$want_j" ] && [ "$want_j" -lt "$all_j" ] && [ "$want_j" -gt 0 ]; then
	tap_ok "--window $wsec: $got_j of $all_j joins, those within the window"
else
	tap_fail "--window narrows the joins" "window $wsec s: got ${got_j:-none}, want $want_j of $all_j" "$(cat "$W/win.err")"
fi

# Arrows: the guest recording's own cause links (syscall <- request), the
# host's, and each join merge reported (host event -> guest request).
tar -xzf "$H" -O events.jsonl >"$W/host-events.jsonl"
want=$(jq -n -c --slurpfile g "$W/guest-events.jsonl" --slurpfile h "$W/host-events.jsonl" \
	--slurpfile m "$W/merge.json" '
	[($g[] | select(.kind == "syscall" and .cause) | ["guest:\(.cause)", "guest:\(.seq)"]),
	 ($h[] | select(.kind == "syscall" and .cause) | ["host:\(.cause)", "host:\(.seq)"]),
	 ($m[0].errors[] | select(.kind == "block" and (.host // .host_block) != null) |
		["host:\((.host // .host_block).seq)", "guest:\(.seq)"])]')
bad=$(jq -r --argjson want "$want" --argjson forward true -f "$VBT_ROOT/tests/lib/perfetto_flows.jq" "$W/trace.json")
nwant=$(jq length <<<"$want")
if [ "$nwant" -gt 30 ] && [ -z "$bad" ] &&
   jq -e '[.traceEvents[] | select(.ph == "C" and (.name | startswith("failures/s vd")))] | length > 0' "$W/trace.json" >/dev/null; then
	tap_ok "perfetto: $nwant arrows (cause links and joins) inside their slices, forward in time; failure-rate counters; $(jq -r '.traceEvents[] | select(.name == "process_labels") | .args.labels' "$W/trace.json")"
else
	tap_fail "perfetto: an arrow per cause link and join" "wanted $nwant" "$(head -5 <<<"$bad")"
fi

# The slices sit where the recordings put the events; the host track's
# shift is the clock offset merge estimated, moved by no more than the
# largest guest/host disagreement merge measured (plus the 1 us a slice
# without duration is drawn wide).
bad=$( (jq -r --argjson events "$(jq -s . "$W/guest-events.jsonl")" --arg track guest \
	-f "$VBT_ROOT/tests/lib/perfetto_times.jq" "$W/trace.json"
	jq -r --argjson events "$(jq -s . "$W/host-events.jsonl")" --arg track host \
	-f "$VBT_ROOT/tests/lib/perfetto_times.jq" "$W/trace.json") | head -5)
label=$(jq -r '.traceEvents[] | select(.name == "process_labels") | .args.labels' "$W/trace.json")
read -r S E M <<<"$(sed -E 's/.*shifted by (-?[0-9]+) ns \(estimated offset \+?(-?[0-9]+) ns, moved \+?(-?[0-9]+) ns.*/\1 \2 \3/' <<<"$label")"
maxd=$(jq '[.errors[] | select(.delta_ns != null) | .delta_ns | fabs] | max' "$W/merge.json")
if [ -z "$bad" ] && [ "$E" = "$(jq .clock.host_minus_guest_ns "$W/merge.json")" ] &&
   [ $((S)) = $((-E + M)) ] && [ "${M#-}" -le $((maxd + 2000)) ]; then
	tap_ok "perfetto: every slice ends where its recording says; host shifted by $S ns = -(offset $E) + $M (largest disagreement $maxd ns)"
else
	tap_fail "perfetto: slices at the recordings' times, host shift near the offset" "$bad" "$label" "largest |delta| $maxd"
fi

# ---- the merged page in Chromium --------------------------------------------------
"$VBT" merge --format html "$G" "$H" -o "$W/merge.html" 2>"$W/html.err"
hrc=$?
if [ $hrc != 0 ] || ! html_check "$W/merge.html" "$W/page" 2>"$W/html_check.err"; then
	tap_fail "merge --format html renders in Chromium" "exit $hrc" "$(cat "$W/html.err" "$W/html_check.err")"
	tap_skip_rest "no page"
	tap_done
	exit
fi
P=$W/page.json
# Ground truth: both recordings' failures, their cause links, merge's joins.
# The page draws and lists at most 5000 failures (a busy host records more):
# then all of the guest's, the host events joined to them, and a sample.
ids=$(jq -n -c --slurpfile g "$W/guest-events.jsonl" --slurpfile h "$W/host-events.jsonl" '
	[($g[] | select(.errno != 0 and .kind != "lost") | "e-g-\(.seq)"),
	 ($h[] | select(.errno != 0 and .kind != "lost") | "e-h-\(.seq)")] | sort')
must=$(jq -n -c --slurpfile g "$W/guest-events.jsonl" --slurpfile m "$W/merge.json" '
	[($g[] | select(.errno != 0 and .kind != "lost") | "e-g-\(.seq)"),
	 ($m[0].errors[] | (.host, .host_block) | select(. != null) | "e-h-\(.seq)")] | unique')
n=$(jq length <<<"$ids")
if jq -e --argjson ids "$ids" --argjson must "$must" '
	(.timeline.refs | sort) as $shown |
	(.rows | sort) == $shown and .timeline.visible == .timeline.marks and
	($must - $shown) == [] and
	(if ($ids | length) <= 5000 then $shown == $ids
	 else ($shown | length) <= 5000 and (.note | test("failures are drawn")) end)' "$P" >/dev/null; then
	tap_ok "merged page: $(jq '.timeline.marks' "$P") of $n failures drawn inside one timeline and listed, all $(jq length <<<"$must") of the guest's and their host events among them"
else
	tap_fail "merged page: every failure (or, past 5000, the guest's and their host events) drawn and listed" \
		"want $n, must $(jq -c '.[0:20]' <<<"$must")" "$(jq -c '.timeline | {marks, visible}' "$P")" "$(jq -r .note "$P")"
fi
shown=$(jq -c '.timeline.refs' "$P")
lines=$(jq -n -r --slurpfile g "$W/guest-events.jsonl" --slurpfile h "$W/host-events.jsonl" \
	--slurpfile m "$W/merge.json" --argjson shown "$shown" '
	($g[] | select(.kind == "syscall" and .cause) | ["e-g-\(.seq)", "e-g-\(.cause)"]),
	($h[] | select(.kind == "syscall" and .cause) | ["e-h-\(.seq)", "e-h-\(.cause)"]),
	($m[0].errors[] | select(.kind == "block" and (.host // .host_block) != null) |
		["e-g-\(.seq)", "e-h-\((.host // .host_block).seq)"]) |
	select(. - $shown == []) | join("~")' | LC_ALL=C sort | tr '\n' ' ')
got=$(jq -r '.timeline.lines[]' "$P" | LC_ALL=C sort | tr '\n' ' ')
refs=$(jq -n -r --slurpfile g "$W/guest-events.jsonl" --slurpfile h "$W/host-events.jsonl" \
	--slurpfile m "$W/merge.json" --argjson shown "$shown" '
	($g[] | select(.kind == "syscall" and .cause) | ["e-g-\(.seq)", "e-g-\(.cause)"]),
	($h[] | select(.kind == "syscall" and .cause) | ["e-h-\(.seq)", "e-h-\(.cause)"]),
	($m[0].errors[] | select(.host != null) | ["e-g-\(.seq)", "e-h-\(.host.seq)"]),
	($m[0].errors[] | select(.host_block != null and .host_block.seq != .host.seq) |
		["e-g-\(.seq)", "e-h-\(.host_block.seq)"]) |
	select(. - $shown == []) | join("~")' | LC_ALL=C sort | tr '\n' ' ')
if [ "$got" = "$lines" ] && [ "$(jq -r '.row_refs[]' "$P" | LC_ALL=C sort | tr '\n' ' ')" = "$refs" ] &&
   [ "$(wc -w <<<"$lines")" -ge 61 ] &&
   jq -e '.broken == [] and .["timeline-zoom"].marks == .["timeline-zoom"].visible' "$P" >/dev/null; then
	tap_ok "merged page: $(wc -w <<<"$got") lines (syscall -> request -> host event) and $(wc -w <<<"$refs") row links, as merge and the recordings say; none broken"
else
	tap_fail "merged page: links as merge and the recordings say" "lines want $lines" "lines got  $got" \
		"refs want $refs" "refs got $(jq -r '.row_refs[]' "$P" | LC_ALL=C sort | tr '\n' ' ')" "broken $(jq -c .broken "$P" | head -c 400)"
fi
if [ ! -s "$W/page.console" ] && jq -e '.plumbing == false' "$P" >/dev/null; then
	tap_ok "merged page: no console message, no test plumbing text"
else
	tap_fail "merged page: no console message, no test plumbing text" "$(head -5 "$W/page.console")"
fi
# The summary names each class's origin and the configuration the rig set.
sum=$(jq -r .summary "$P")
# (vdd's failures are the host loop device's, loop0's the guest's own.)
if jq -e '.classes == ["host-syscall", "host-syscall", "host-device", "guest", "qemu-internal"]' "$P" >/dev/null &&
   grep -q 'on vda, EIO (on the host: ENOSPC from pwritev()' <<<"$sum" &&
   grep -q 'on vdb, EIO (on the host: ENOSPC from io_uring WRITEV' <<<"$sum" &&
   grep -q 'aio=threads, cache=none, werror=report' <<<"$sum" &&
   grep -q 'aio=io_uring, cache=none, werror=report' <<<"$sum" &&
   grep -q '(tmpfs) is full' <<<"$sum" && grep -q 'blkdebug filter' <<<"$sum" &&
   grep -q 'What to change: Free space on' <<<"$sum" &&
   jq -e '.class_findings[0] | any(test("^doctor: rerror=ignore: failed I/O is reported as success"))' "$P" >/dev/null; then
	tap_ok "merged page says what happened: vda, vdb host-syscall ENOSPC on tmpfs (threads, io_uring), vdc qemu-internal blkdebug, what to change, and doctor's finding on vda's rerror=ignore"
else
	tap_fail "merged page says what happened and why" "$(jq -c .classes "$P")" "$sum"
fi
# Each bundle alone: every failure of its recording drawn; the guest's
# page says its virtio errors come from the hypervisor and how to find
# out more, the host's names the drives' ENOSPC.
single=ok
for side in guest host; do
	b=$G; [ $side = host ] && b=$H
	"$VBT" report --format html "$b" -o "$W/$side.html" 2>>"$W/html.err" &&
		html_check "$W/$side.html" "$W/$side" 2>>"$W/html.err" || { single="$side: no page"; break; }
	n=$(jq -s '[.[] | select(.errno != 0 and .kind != "lost")] | length' "$W/$side-events.jsonl")
	jq -e --argjson n "$n" '.timeline.visible == .timeline.marks and
		(.rows | sort) == (.timeline.refs | sort) and .broken == [] and
		(if $n <= 5000 then .timeline.marks == $n
		 else .timeline.marks <= 5000 and (.note | test("failures are drawn")) end)' \
		"$W/$side.json" >/dev/null &&
		[ ! -s "$W/$side.console" ] || { single="$side: $(jq -c '.timeline | {marks, visible}' "$W/$side.json"), want $n"; break; }
done
if [ "$single" = ok ] &&
   jq -e '.classes == ["the hypervisor (host side not recorded)", "the hypervisor (host side not recorded)",
	"the hypervisor (host side not recorded)", "guest", "the hypervisor (host side not recorded)"] and
	(.summary | test("vblktrace merge"))' "$W/guest.json" >/dev/null &&
   jq -e --arg vm "$VM" '(.summary | test("on \($vm)/virtio-disk0, ENOSPC \\(pwritev\\(\\)\\)")) and
	(.summary | test("on \($vm)/virtio-disk1, ENOSPC \\(io_uring WRITEV\\)"))' "$W/host.json" >/dev/null; then
	tap_ok "each bundle alone: all failures (past 5000 an even sample) drawn and listed; the guest page points at the hypervisor and merge, the host page at each drive's ENOSPC"
else
	tap_fail "each bundle alone renders and says what its side can" "$single" \
		"$(jq -c .classes "$W/guest.json" 2>/dev/null)" "$(jq -r .summary "$W/host.json" 2>/dev/null | head -20)"
fi
if html_png_ok "$W/page.png"; then
	cp "$W/page.png" "$ART/merge_report.png" && cp "$W/merge.html" "$ART/merge_report.html"
	tap_ok "merged page screenshot kept: build/test-logs/merge/merge_report.png ($(stat -c %s "$W/page.png") bytes)"
else
	tap_fail "merged page screenshot" "$(tail -5 "$W/page.log")"
fi
tap_done
