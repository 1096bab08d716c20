#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The public contract holds for what the tool really writes: every JSON
# record of live, host (io_uring completions of a real fio under -p),
# watch's alert log, disks, bundle, report, merge, doctor and explain,
# written here from real block errors (a loop device over a full tmpfs),
# is valid against docs/events.schema.json (python3-jsonschema), and each
# run must have written the kinds it exists for; a bundle's MANIFEST.json
# and facts.json, with a real (paused) QEMU on the host, are valid against
# docs/bundle.schema.json.  The schema itself must refuse a real record
# with a field missing, added or misspelt.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"
. "$VBT_ROOT/tests/lib/vbt.sh"

SCHEMA=$VBT_ROOT/docs/events.schema.json
BUNDLE_SCHEMA=$VBT_ROOT/docs/bundle.schema.json
W=$FX_DIR/schema
mkdir -p "$W"
tap_plan 13

if [ "$(id -u)" != 0 ]; then
	tap_skip_rest "needs root for loop devices and BPF" "schema"
	tap_done
	exit
fi

# validate NAME "KIND=N-or-more ..." FILE...: valid, and at least N of each
# KIND (against $SCHEMA, or the schema in $VALIDATE_AGAINST).
validate() {
	local name=$1 want=$2 out k min got
	shift 2
	if ! out=$(/usr/bin/python3 "$VBT_ROOT/tests/lib/validate_json.py" \
		   "${VALIDATE_AGAINST:-$SCHEMA}" "$@" 2>&1); then
		tap_fail "$name" "$out"
		return
	fi
	for k in $want; do
		min=${k#*=}
		k=${k%=*}
		got=$(printf '%s\n' "$out" | tail -1 | tr ' ' '\n' |
		      sed -n "s/^$k=//p")
		if [ "${got:-0}" -lt "$min" ]; then
			tap_fail "$name" "wanted at least $min '$k' records" "$out"
			return
		fi
	done
	tap_ok "$name: $(printf '%s\n' "$out" | tail -1)"
}

fail_writes() {
	for off in 9000 9100 9200; do
		dd if=/dev/zero of="$1" bs=4k count=1 seek=$off oflag=direct 2>/dev/null
	done
}

loop=$(fx_enospc_loop 3M 64M) || { tap_fail "ENOSPC loop device" "fixture failed"; tap_done; exit 1; }

# A QEMU that never runs a CPU (-S) is all the host view needs to see a VM:
# a raw node at an offset, a serial with QEMU's ",," escape, a secret.
truncate -s 16M "$W/vm.img"
qemu-system-x86_64 -accel tcg -S -display none -nodefaults -machine pc \
	-name "guest=vbt-schema-$$,debug-threads=on" \
	-object secret,id=sec0,data=vbt-schema-secret \
	-blockdev '{"driver":"file","filename":"'"$W/vm.img"'","node-name":"f0","aio":"threads","cache":{"direct":true,"no-flush":false}}' \
	-blockdev '{"driver":"raw","file":"f0","node-name":"r0","offset":1048576,"size":4194304}' \
	-device virtio-blk-pci,drive=r0,id=virtio-disk0,serial=S1,,x \
	2>"$W/qemu.err" &
qemu_pid=$!
fx_defer "kill $qemu_pid"
for _ in $(seq 50); do
	grep -q virtio-disk0 "/proc/$qemu_pid/cmdline" 2>/dev/null && break
	sleep 0.1
done
fx_enospc_fill "$loop" >/dev/null
dev=$(basename "$loop")

# live, every completion: failed and successful block requests, syscalls.
vbt_start "$W/live" --side guest -j -a -d "$dev" -o "$W/live.jsonl" || true
fail_writes "$loop"
dd if="$loop" of=/dev/null bs=4k count=4 iflag=direct 2>/dev/null
sleep 0.5
vbt_stop "$W/live"
validate "live -j -a and its -o recording" "block=4 syscall=3" \
	"$W/live/out" "$W/live.jsonl"

# host: QEMU's view, here of fio's io_uring completions (-p: as if QEMU).
sh -c 'sleep 2; exec fio --name=s --filename='"$loop"' --ioengine=io_uring \
	--rw=write --bs=4k --direct=1 --offset=40m --size=32k --iodepth=4 \
	--thread --continue_on_error=all >/dev/null 2>&1' &
fio_pid=$!
vbt_start "$W/host" host -j -p "$fio_pid" -d "$dev" -o "$W/host.jsonl" || true
wait "$fio_pid"
fail_writes "$loop"
sleep 0.5
vbt_stop "$W/host"
validate "host -j: io_uring completions and host block requests" \
	"io_uring=1 block=3" "$W/host/out" "$W/host.jsonl"

# watch: alert records carrying events, a fold of repeats, and the end.
vbt_start "$W/watch" watch --log "$W/alerts.jsonl" --alert-interval 1 \
	-d "$dev" || true
fail_writes "$loop"
sleep 1.3
fail_writes "$loop"
sleep 2.5
vbt_stop "$W/watch"
validate "watch --log: alert records" "block=1 alert=1 stopped=1" \
	"$W/alerts.jsonl"

# watch --stuck: a read the FUSE backend holds 2.5 s, in flight and ended.
sloop=$(fx_fuse_eio_loop delay:read:8M:4k:2500) || sloop=/dev/null
vbt_start "$W/stuck" watch --log "$W/stuck.jsonl" --stuck 1 \
	-d "$(basename "$sloop")" || true
dd if="$sloop" of=/dev/null bs=4k count=1 skip=2048 iflag=direct 2>/dev/null
sleep 0.5
vbt_stop "$W/stuck"
validate "watch --log --stuck 1: a stuck request and its end" \
	"stuck=2 stopped=1" "$W/stuck.jsonl"

"$VBT" disks -j >"$W/disks.jsonl" 2>"$W/disks.err"
validate "disks -j (with a VM running)" "disk=1 vm_drive=1" "$W/disks.jsonl"

"$VBT" bundle --from "$W/live.jsonl" -o "$W/guest.tar.gz" >/dev/null 2>&1
"$VBT" bundle --side host --from "$W/host.jsonl" -o "$W/host.tar.gz" >/dev/null 2>&1
mkdir -p "$W/unpacked"
tar -xzf "$W/guest.tar.gz" -C "$W/unpacked" events.jsonl
"$VBT" report --format json "$W/guest.tar.gz" >"$W/report.json" 2>"$W/report.err"
"$VBT" report --format json "$W/host.jsonl" >"$W/report_host.json" 2>>"$W/report.err"
validate "bundle events.jsonl, report --format json of a bundle and a recording" \
	"block=4 report=2" "$W/unpacked/events.jsonl" "$W/report.json" \
	"$W/report_host.json"

"$VBT" merge --format json "$W/guest.tar.gz" "$W/host.tar.gz" \
	>"$W/merge.json" 2>"$W/merge.err"
if jq -e '.errors | length > 0' "$W/merge.json" >/dev/null 2>&1; then
	validate "merge --format json (every guest error with its origin)" \
		"merge=1" "$W/merge.json"
else
	tap_fail "merge --format json" "no joined error:" "$(head -c 2000 "$W/merge.json" "$W/merge.err")"
fi

# MANIFEST.json and facts.json of both bundles; the host's lists the QEMU
# above with the raw node's offset as QEMU was given it.
mkdir -p "$W/g" "$W/h"
tar -xzf "$W/guest.tar.gz" -C "$W/g" && tar -xzf "$W/host.tar.gz" -C "$W/h"
off=$(jq --argjson p "$qemu_pid" '.qemu[] | select(.pid == $p) |
	.drives[] | select(.id == "virtio-disk0") | .image_offset' "$W/h/facts.json")
if [ "$off" != 1048576 ]; then
	tap_fail "bundle facts: the paused QEMU's drive at offset 1048576" "got '$off'"
else
	VALIDATE_AGAINST="$BUNDLE_SCHEMA#/\$defs/manifest" validate \
		"MANIFEST.json of a guest and a host bundle" "" \
		"$W/g/MANIFEST.json" "$W/h/MANIFEST.json"
fi
VALIDATE_AGAINST="$BUNDLE_SCHEMA#/\$defs/facts" validate \
	"facts.json of a guest and a host bundle (real QEMU drives)" "" \
	"$W/g/facts.json" "$W/h/facts.json"

# doctor: aio=native without O_DIRECT is a finding QEMU itself refuses.
printf '%s\n' "qemu-system-x86_64 -name guest=s1 \\" \
	"  -blockdev '{\"driver\":\"file\",\"filename\":\"/v/s1.img\",\"aio\":\"native\",\"node-name\":\"f0\"}' \\" \
	"  -blockdev '{\"driver\":\"raw\",\"file\":\"f0\",\"node-name\":\"r0\"}' \\" \
	"  -device virtio-blk-pci,drive=r0,id=virtio-disk0,serial=a,,b" >"$W/cmdline"
"$VBT" doctor --no-probe -j -c "$W/cmdline" >"$W/doctor.jsonl" 2>"$W/doctor.err"
validate "doctor -j" "finding=1 summary=1" "$W/doctor.jsonl"

# explain: a guest kernel's line, QEMU's and a QMP event.
cat >"$W/log" <<'LOG'
[   12.345678] I/O error, dev vda, sector 2048 op 0x1:(WRITE) flags 0x8800 phys_seg 1 prio class 2
qemu-system-x86_64: -drive file=/x.img,if=none,id=d0,aio=native: aio=native was specified, but it requires cache.direct=on, which was not specified.
{"timestamp": {"seconds": 1700000000, "microseconds": 1}, "event": "BLOCK_IO_ERROR", "data": {"device": "", "nospace": true, "node-name": "r0", "reason": "No space left on device", "operation": "write", "action": "report"}}
LOG
"$VBT" explain -j "$W/log" >"$W/explain.jsonl" 2>"$W/explain.err"
validate "explain -j" "explanation=3 summary=1" "$W/explain.jsonl"

# What no run here writes (a vhost-user backend, a VM pausing, the kernel
# module's inspector) must be described all the same: every key a writer
# of user/ adds is in a schema.  Left out: system/qemu/, whose JSON trees
# are the model's own and never leave it, and report_perfetto.c, which
# speaks Chrome's trace-event format.
written_keys() {
	(cd "$VBT_ROOT" && find user -name '*.c' ! -path 'user/system/qemu/*' \
		! -name report_perfetto.c | sort | xargs grep -ohE \
		'(json_object_object_add|vbt_json_add_[a-z0-9]+|\<add|\<add_str|\<add_ts|\<ADD)\(([a-z_0-9]+, *)?"[a-z_0-9]+"' |
		sed 's/.*"\([a-z_0-9]*\)"$/\1/' | sort -u)
}
nkeys=$(written_keys | wc -l)
undescribed=$(written_keys | while read -r k; do
	grep -q "\"$k\"" "$SCHEMA" "$BUNDLE_SCHEMA" || echo "$k"
done)
if [ -z "$undescribed" ] && [ "$nkeys" -gt 100 ]; then
	tap_ok "every key the writers of user/ add ($nkeys) is in docs/*.schema.json"
else
	tap_fail "every key the writers add is in docs/*.schema.json" \
		"$nkeys keys found; not described:" "$undescribed"
fi

# The schema is no sieve: real records, each spoilt one way, are refused.
rec=$(jq -c 'select(.kind == "block" and .errno != 0)' "$W/live.jsonl" | head -1)
bad=0
for spoil in 'del(.seq)' '.bogus = 1' '.err = "eio"' '.op = "WRIT"' \
	     '.flags = ["SYNC","SYNC"]' '.kind = "blok"' '.ts = "yesterday"'; do
	printf '%s\n' "$rec" | jq -c "$spoil" >"$W/spoilt.jsonl"
	if /usr/bin/python3 "$VBT_ROOT/tests/lib/validate_json.py" "$SCHEMA" \
		"$W/spoilt.jsonl" >/dev/null 2>&1; then
		bad=$((bad + 1))
		echo "# accepted: $spoil"
	fi
done
for spoil in 'del(.members)' '.format_version = "1"' '.side = "both"'; do
	jq -c "$spoil" "$W/h/MANIFEST.json" >"$W/spoilt.json"
	if /usr/bin/python3 "$VBT_ROOT/tests/lib/validate_json.py" \
		"$BUNDLE_SCHEMA#/\$defs/manifest" "$W/spoilt.json" >/dev/null 2>&1; then
		bad=$((bad + 1))
		echo "# accepted in MANIFEST.json: $spoil"
	fi
done
if [ -n "$rec" ] && [ $bad = 0 ]; then
	tap_ok "a real block record spoilt 7 ways, a real MANIFEST.json 3 ways: each refused"
else
	tap_fail "the schemas refuse spoilt records" "$bad of 10 accepted; record: $rec"
fi
tap_done
