#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Stuck I/O inside real guests (Debian 6.1 and 6.12 kernels under QEMU): the
# host holds reads of vda (fuse_eio --delay) instead of failing them, and
# vblktrace live --stuck 2 must report the held request once, by its issuer,
# and again when it ends; a request held below the threshold and a tracer
# with --stuck 0 report nothing; one still held when the tracer stops is in
# its summary.  Ground truth is the guest kernel's: its ftrace
# block_rq_issue/block_rq_complete of vda (which request took how long) and
# its hung-task lines.  One boot per kernel serves every assertion.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"
VBT=$VBT_ROOT/build/vblktrace

KERNELS=${VBT_GUEST_KERNELS:-6.1 6.12}
PER_KERNEL=13
tap_plan $(( $(echo $KERNELS | wc -w) * PER_KERNEL ))

# Reads at 8 MiB held 4.5 s, at 16 MiB 1 s, at 24 MiB 5 s, at 40 MiB 3 s,
# a write at 32 MiB 4 s; each once.
VDA="size=64M,cache=none,aio=threads,fault=fuse-eio:delay:read:8M:4k:4500+delay:read:16M:4k:1000+delay:read:24M:4k:5000+delay:write:32M:4k:4000+delay:read:40M:4k:3000+once"

check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then tap_ok "$name"; else tap_fail "$name" "$DIAG"; fi
}

# issue/complete pairs of the guest's ftrace record, one per request:
# "SECTOR NR_SECTORS SECONDS" (complete minus issue, the kernel's clock).
kernel_latency() {
	awk '/ block_rq_(issue|complete): / {
		ts = ""; for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^block_rq_/) { ts = $i; break }
		sub(/:$/, "", ts)
		s = $0; sub(/.*\) /, "", s); split(s, f, " ")
		key = f[1] " " f[3]
		if ($0 ~ /block_rq_issue:/) start[key] = ts
		else if (key in start) { printf "%s %.3f\n", key, ts - start[key]; delete start[key] }
	}' "$1"
}

for k in $KERNELS; do
	out=$FX_DIR/stuck-$k
	if ! "$VBT_ROOT/scripts/guest/run.sh" --kernel "$k" --timeout 240 \
		--script "$VBT_ROOT/tests/vm/guest/stuck.sh" --out "$out" \
		--disk "$VDA" >"$FX_DIR/rig-stuck-$k.log" 2>&1; then
		tap_fail "$k: guest rig failed" "$(tail -20 "$FX_DIR/rig-stuck-$k.log")"
		tap_fail_next $((PER_KERNEL - 1)) "$k: (not run: guest rig failed)"
		continue
	fi
	g=$out/guest
	ev=$g/events.jsonl
	kernel_latency "$g/trace.txt" >"$out/latency"
	# The kernel's word on which requests the host held: > 4 s and ~1 s.
	held=$(awk '$3 >= 4.4 && $3 < 4.9 {print $1, $2}' "$out/latency")
	short=$(awk '$3 >= 0.9 && $3 < 1.5 {print $1, $2}' "$out/latency")
	dd1=$(cat "$g/dd1.pid") dd3=$(cat "$g/dd3.pid")

	DIAG="fuse log: $(cat "$out"/fuse-eio-*.log); kernel: $(cat "$out/latency"); $(cat "$g"/dd*.err)"
	check "$k: harness: the host held exactly the five requests, the kernel saw 16384+8 take 4.5 s and 32768+8 1 s # harness" \
		bash -c "[ \$(grep -c delay_ms "$out"/fuse-eio-*.log) = 5 ] && [ '$held' = '16384 8' ] && [ '$short' = '32768 8' ]"

	DIAG="$(jq -c 'select(.kind == "stuck")' "$ev"); $(cat "$g/vbt.err")"
	check "$k: the held request is reported stuck once: vda READ at the sector the kernel issued, dd's pid, age 2..4.5 s" \
		jq -e -s --arg s "${held% *}" --argjson p "$dd1" '[.[] | select(.kind == "stuck" and .phase == "in_flight" and .sector == ($s | tonumber))] |
			length == 1 and (.[0] | .dev == "vda" and .op == "READ" and .nr_sectors == 8 and .comm == "dd" and .pid == $p and
				.issuer_known and .age_ns >= 2000000000 and .age_ns < 4500000000)' "$ev"

	check "$k: its end is reported once, naming the first report, with the whole latency (>= 4.5 s, within 0.5 s of the kernel's)" \
		jq -e -s --arg s "${held% *}" --argjson kl "$(awk -v s="${held% *}" '$1 == s {print $3}' "$out/latency")" \
			'([.[] | select(.kind == "stuck" and .phase == "in_flight" and .sector == ($s | tonumber))][0].seq) as $f |
			[.[] | select(.kind == "stuck" and .phase != "in_flight" and .sector == ($s | tonumber))] |
			length == 1 and (.[0] | .phase == "ended" and .status == "OK" and .stuck_seq == $f and .comm == "dd" and
				.lat_ns >= 4500000000 and (.lat_ns / 1e9 - $kl | fabs) < 0.5)' "$ev"

	check "$k: the request held 1 s (below --stuck 2) is never reported" \
		jq -e -s '[.[] | select(.kind == "stuck" and .sector == 32768)] | length == 0' "$ev"

	dd5=$(cat "$g/dd5.pid")
	DIAG="$(cat "$g/queue.txt"); $(jq -c 'select(.kind == "stuck")' "$ev")"
	check "$k: with vda's iostats off and scheduler none, a held read (81920+8) is still reported stuck, by dd, and ended" \
		bash -c "grep -q '\[none\]' '$g/queue.txt' && grep -qx 0 '$g/queue.txt' &&
			jq -e -s '[.[] | select(.kind == \"stuck\" and .sector == 81920)] | length == 2 and
				(.[0] | .phase == \"in_flight\" and .pid == $dd5 and .age_ns >= 2000000000 and .age_ns < 3000000000) and
				(.[1] | .phase == \"ended\" and .lat_ns >= 2900000000 and .lat_ns < 3500000000)' '$ev'"

	DIAG="$(cat "$g/off.err"); $(cat "$g/off.jsonl")"
	check "$k: --stuck 0 reports nothing stuck" \
		bash -c "grep -q Ctrl-C '$g/off.err' && grep -q 'summary after' '$g/off.err' &&
			! grep -q stuck '$g/off.err' &&
			jq -e -s '[.[] | select(.kind == \"stuck\")] | length == 0' '$g/off.jsonl'"

	DIAG="$(jq -c 'select(.kind == "stuck")' "$ev"); $(cat "$g/vbt.err")"
	check "$k: a request still held at exit is reported stuck (dd) and counted in the summary as still in flight" \
		bash -c "grep -q 'summary after .* 3 stuck (1 still in flight)' '$g/vbt.err' &&
			jq -e -s '[.[] | select(.kind == \"stuck\" and .sector == 49152)] | length == 1 and
				.[0].phase == \"in_flight\" and .[0].pid == $dd3' '$ev'"

	DIAG="$(cat "$g/live.txt")"
	check "$k: the text view shows it stuck, by dd, and then completed" \
		bash -c "grep -qE '^[0-9:.]+ vda +READ +16384\+8 4 KiB STUCK in flight for [2-4]\.[0-9]+ s  dd\[$dd1\]' '$g/live.txt' &&
			grep -qE '^[0-9:.]+ vda +READ +16384\+8 4 KiB was stuck \(#[0-9]+\): completed after 4\.[5-9][0-9] s  dd\[$dd1\]' '$g/live.txt' &&
			grep -q '3 stuck (1 still in flight)' '$g/live.txt'"

	proj='select(.kind == "stuck") | [.phase, .dev, .op, .sector, .nr_sectors, .pid, .comm, .status] | tostring'
	DIAG="$(cat "$g/raw.err"); $(diff <(jq -r "$proj" "$ev") <(jq -r "$proj" "$g/raw.jsonl"))"
	check "$k: raw_tp reports the same stuck records" \
		bash -c "grep -q 'via raw_tp' '$g/raw.err' && [ \$(jq -r '$proj' '$ev' | wc -l) = 5 ] &&
			diff -q <(jq -r '$proj' '$ev') <(jq -r '$proj' '$g/raw.jsonl')"

	DIAG="$(cat "$g/gone.err" "$g/bogus.err" "$g/bogus.rc"); $(jq -c 'select(.kind == "stuck")' "$g/gone.jsonl")"
	check "$k: with ends left to the scan (VBLKTRACE_STUCK_END=scan; anything else: exit 2), the end is 'gone', within a scan of the kernel's latency" \
		bash -c "[ \$(cat '$g/bogus.rc') = 2 ] && grep -q VBLKTRACE_STUCK_END '$g/bogus.err' &&
			jq -e -s --arg s '${held% *}' --argjson kl '$(awk -v s="${held% *}" '$1 == s {print $3}' "$out/latency")' \
			'([.[] | select(.kind == \"stuck\" and .phase == \"in_flight\" and .sector == (\$s | tonumber))] | length == 1) and
			 ([.[] | select(.kind == \"stuck\" and .phase == \"in_flight\" and .sector == (\$s | tonumber))][0].seq) as \$f |
			[.[] | select(.kind == \"stuck\" and .phase != \"in_flight\" and .sector == (\$s | tonumber))] |
			length == 1 and (.[0] | .phase == \"gone\" and .status == null and .stuck_seq == \$f and .dev == \"vda\" and
				.lat_ns / 1e9 >= \$kl - 0.1 and .lat_ns / 1e9 < \$kl + 1.0)' '$g/gone.jsonl'"

	# The guest kernel's hung-task lines for dd, and what explain makes of them.
	grep -E 'INFO: task dd:[0-9]+ blocked for more than|hung_task_timeout_secs' "$g/dmesg.txt" >"$out/hung.txt"
	"$VBT" explain -j "$out/hung.txt" >"$out/explain.json" 2>&1
	DIAG="$(cat "$out/hung.txt"); $(cat "$out/explain.json"); $(grep -i -A3 hung "$g/dmesg.txt")"
	check "$k: the kernel logged dd blocked; explain names the task and a host that stopped answering" \
		bash -c "grep -q 'INFO: task dd:' '$out/hung.txt' && grep -q 'disables this message' '$out/hung.txt' &&
			jq -e -s '[.[] | select(.pattern == \"hung-task\")] | length >= 1 and
				(.[0].fields.comm == \"dd\") and (.[0].explanation | test(\"host\"))' '$out/explain.json'"

	DIAG=$(/usr/bin/python3 "$VBT_ROOT/tests/lib/validate_json.py" "$VBT_ROOT/docs/events.schema.json" \
		"$ev" "$g/raw.jsonl" "$g/gone.jsonl" 2>&1 | grep -v Deprecat)
	check "$k: the stuck records are valid against docs/events.schema.json" \
		/usr/bin/python3 "$VBT_ROOT/tests/lib/validate_json.py" "$VBT_ROOT/docs/events.schema.json" "$ev" "$g/raw.jsonl" "$g/gone.jsonl"

	DIAG="$(cat "$g/vbt.rc") $(cat "$g/vbt.err")"
	check "$k: vblktrace exits 0 and said nothing of a failed scan" \
		bash -c "[ \$(cat '$g/vbt.rc') = 0 ] && ! grep -q 'scan failed\|cannot watch\|cannot see: stuck' '$g/vbt.err' '$g/raw.err'"
done
