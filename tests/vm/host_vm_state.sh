#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM's real run state in the host view, against QEMU's own word: a
# guest writes to a werror=stop drive whose image is on a full tmpfs, so
# QEMU pauses the VM; the host hook records QEMU's query-status (the
# truth), grows the tmpfs, resumes the VM with cont, then deletes another
# drive's backend with drive_del (seed 004).  vblktrace host must report
# the pause with its reason, the resume, and the removed backend, each
# once and in order with the failed I/O that caused the pause.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"
. "$VBT_ROOT/tests/lib/html_check.sh"
VBT=$VBT_ROOT/build/vblktrace
KERNEL=${VBT_HOST_KERNEL:-6.1}
NAME=vbt-pause-$$

tap_plan 9
OUT=$FX_DIR/pause
export VBT NAME

# The hook: trace, wait for the pause, take QEMU's word for it, resume,
# delete vdb's backend, take QEMU's word again.
HOOK='
# One QMP session; vblktrace may hold the monitor for a moment: retry.
qmp() { for _ in 1 2 3 4 5; do
	r=$({ echo "{\"execute\":\"qmp_capabilities\"}"; echo "$1"; sleep 1; } |
		socat - "UNIX-CONNECT:$QMP_SOCK" | grep "\"return\"" | tail -n 1)
	case $r in *return*) echo "$r"; return 0 ;; esac
	done; return 1; }
await() { for _ in $(seq 600); do [ "$(grep "\"vm\":\"$NAME\"" "$RIG_OUT/host.jsonl" 2>/dev/null | grep -c "$1")" -ge "${2:-1}" ] && return 0; sleep 0.1; done; return 1; }
"$VBT" host -j >"$RIG_OUT/host.jsonl" 2>"$RIG_OUT/host.err" &
VP=$!
while ! grep -q "Ctrl-C" "$RIG_OUT/host.err" 2>/dev/null; do sleep 0.1; done
touch "$HOOK_READY"
await "\"state\":\"paused\"" || echo "no paused event" >&2
qmp "{\"execute\":\"query-status\"}" >"$RIG_OUT/qmp-paused.json"
# Resume with the image still full: QEMU resubmits the write, which fails
# again, and the VM pauses again.
qmp "{\"execute\":\"cont\"}" >/dev/null
await "\"state\":\"paused\"" 2 || echo "no second paused event" >&2
img=$(awk -F"\t" "\$2 == \"vda\" {print \$4}" "$RIG_OUT/disks.txt")
mount -o remount,size=64M "$(dirname "$img")"
qmp "{\"execute\":\"cont\"}" >/dev/null
await "\"state\":\"running\"" 2 || echo "no second running event" >&2
qmp "{\"execute\":\"query-status\"}" >"$RIG_OUT/qmp-running.json"
qmp "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"drive_del drive-virtio-disk1\"}}" >/dev/null
qmp "{\"execute\":\"query-block\"}" >"$RIG_OUT/qmp-block.json"
await "\"kind\":\"backend_removed\"" || echo "no backend_removed event" >&2
wait $VP'

"$VBT_ROOT/scripts/guest/run.sh" --kernel "$KERNEL" --name "$NAME" --timeout 240 \
	--script "$VBT_ROOT/tests/vm/guest/pause_io.sh" --out "$OUT" --qmp \
	--disk "size=64M,aio=threads,cache=none,werror=stop,rerror=report,syntax=legacy,fault=enospc:3M" \
	--disk "size=16M,syntax=legacy" \
	--host-hook-ready --host-hook "$HOOK" >"$FX_DIR/rig.log" 2>&1 </dev/null
rc=$?
ev=$OUT/host.jsonl
[ $rc = 0 ] && [ "$(cat "$OUT/guest/dd.status" 2>/dev/null)" = 0 ] &&
	tap_ok "the guest's write stalled on ENOSPC, and finished once the host grew the image's tmpfs and resumed" ||
	tap_fail "the guest's write finished after the resume" "rig exit $rc, dd status $(cat "$OUT/guest/dd.status" 2>/dev/null)" \
		"$(tail -5 "$FX_DIR/rig.log")" "$(cat "$OUT/host-hook.log" 2>/dev/null)"

# QEMU's own word: io-error while paused, running after cont.
truth=$(jq -r '.return.status' "$OUT/qmp-paused.json" 2>/dev/null)
paused=$(jq -c --arg n "$NAME" 'select(.vm == $n and .kind == "vm_state" and .state == "paused")' "$ev" 2>/dev/null)
[ "$truth" = io-error ] && [ "$(echo "$paused" | grep -c .)" = 2 ] &&
	echo "$paused" | jq -se --arg n "$NAME" 'all(.vm == $n and .reason == "io-error" and .state_source == "qmp")' >/dev/null &&
	tap_ok "host: VM $NAME paused (io-error) as QEMU's query-status says, once per pause (2)" ||
	tap_fail "host reports the pause as QEMU does" "QEMU: $truth" "vblktrace: $paused" "$(cat "$OUT/host.err")"

# The pause follows the failed write that caused it.
first_err=$(jq -s --arg n "$NAME" '[.[] | select(.errno == 28 and .vm == $n)] | .[0].seq // empty' "$ev" 2>/dev/null)
pause_seq=$(echo "$paused" | jq -r '.seq' 2>/dev/null | head -1)
[ -n "$first_err" ] && [ -n "$pause_seq" ] && [ "$first_err" -lt "$pause_seq" ] &&
	tap_ok "the pause comes after QEMU's first failed write (ENOSPC, seq $first_err < $pause_seq)" ||
	tap_fail "the pause follows the ENOSPC write" "first ENOSPC seq '$first_err', pause seq '$pause_seq'"

truth=$(jq -r '.return.status' "$OUT/qmp-running.json" 2>/dev/null)
running=$(jq -c --arg n "$NAME" 'select(.vm == $n and .kind == "vm_state" and .state == "running")' "$ev" 2>/dev/null)
r_seq=$(echo "$running" | jq -r '.seq' 2>/dev/null | head -1)
[ "$truth" = running ] && [ "$(echo "$running" | grep -c .)" = 2 ] && [ -n "$r_seq" ] && [ "$r_seq" -gt "${pause_seq:-0}" ] &&
	tap_ok "host: VM resumed (running), once per resume (2), after the pause" ||
	tap_fail "host reports the resume" "QEMU: $truth" "vblktrace: $running"

# The write QEMU resubmitted after the first resume is joined to the first.
first=$(jq -c --arg n "$NAME" 'select(.errno == 28 and .vm == $n)' "$ev" 2>/dev/null | head -1)
retry=$(jq -c --arg n "$NAME" 'select(.errno == 28 and .vm == $n and .retry_of != null)' "$ev" 2>/dev/null | head -1)
[ -n "$first" ] && [ -n "$retry" ] &&
	[ "$(echo "$retry" | jq .retry_of)" = "$(echo "$first" | jq .seq)" ] &&
	[ "$(echo "$retry" | jq .offset)" = "$(echo "$first" | jq .offset)" ] &&
	[ -z "$(echo "$first" | jq -r '.retry_of // empty')" ] &&
	tap_ok "the write QEMU resubmitted after the resume is joined to its first failure (same offset)" ||
	tap_fail "the resubmitted write is joined to its first failure" "first: $first" "retry: $retry"

# drive_del: QEMU's query-block shows virtio-disk1 without a medium.
gone=$(jq -c '.return[] | select(.qdev | test("virtio-disk1")) | has("inserted")' "$OUT/qmp-block.json" 2>/dev/null)
removed=$(jq -c --arg n "$NAME" 'select(.vm == $n and .kind == "backend_removed")' "$ev" 2>/dev/null)
[ "$gone" = false ] && [ "$(echo "$removed" | grep -c .)" = 1 ] &&
	echo "$removed" | jq -e --arg n "$NAME" '.vm == $n and .drive == "virtio-disk1"' >/dev/null &&
	tap_ok "host: virtio-disk1's backend removed while the VM runs, reported once (QEMU: no medium)" ||
	tap_fail "host reports the removed backend" "QEMU inserted: $gone" "vblktrace: $removed"
[ -z "$(jq -c --arg n "$NAME" 'select(.vm == $n and .kind == "backend_removed" and .drive == "virtio-disk0")' "$ev" 2>/dev/null)" ] &&
	tap_ok "no removed backend is reported for virtio-disk0, which kept its image" ||
	tap_fail "virtio-disk0 kept its backend" "$(grep backend_removed "$ev")"
# The records hold to the public contract.
out=$(/usr/bin/python3 "$VBT_ROOT/tests/lib/validate_json.py" "$VBT_ROOT/docs/events.schema.json" "$ev" 2>&1)
[ $? = 0 ] && echo "$out" | grep -q "vm_state=" && echo "$out" | grep -q "backend_removed=" &&
	tap_ok "every record, vm_state and backend_removed included, is valid against docs/events.schema.json" ||
	tap_fail "the records are valid against docs/events.schema.json" "$out"

# The report page of that recording shows each pause where it was: a band
# for the VM (the host may run others) from each paused event to the
# running one after it, with its reason.
"$VBT" report --format html "$ev" -o "$OUT/report.html" 2>"$OUT/report.err"
want=$(jq -s -c --arg n "$NAME" '[.[] | select(.vm == $n and .kind == "vm_state")] as $s |
	[range(0; $s | length) as $i | select($s[$i].state == "paused") |
	 ($s[$i + 1:] | map(select(.state == "running")) | .[0]) as $r | select($r != null) |
	 "(\($s[$i].reason)) from \($s[$i].ts[11:26]) to \($r.ts[11:26])"]' "$ev" 2>/dev/null)
if html_check "$OUT/report.html" "$OUT/page" 2>>"$OUT/report.err" &&
   [ "$(jq length <<<"$want" 2>/dev/null)" = 2 ] &&
   jq -e --arg n "$NAME" --argjson want "$want" '[.pauses[] | select(.vm == $n and .visible) |
	.title | sub("^VM [^ ]* paused "; "")] == $want' "$OUT/page.json" >/dev/null &&
   [ ! -s "$OUT/page.console" ]; then
	tap_ok "report --format html draws both pauses where the recording has them: $want"
else
	tap_fail "the report page draws the pauses" "want $want" \
		"$(jq -c .pauses "$OUT/page.json" 2>/dev/null)" "$(cat "$OUT/report.err")"
fi
tap_done
