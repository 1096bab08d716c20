#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# doctor --to against real migrations: for each seed scenario a real QEMU
# source and an -incoming destination are started, doctor is asked first
# (with --pid of the running source, which it reads over the source's own
# QMP socket), then the migration runs and QEMU's own failure is the truth
# the prediction must match.
#  - same configuration (control): no error predicted, migration completes;
#  - seed 002: the destination's virtio-blk has discard/write-zeroes on
#    (a newer QEMU's default), the source's off: "Bad config data: i=0x10";
#  - a disk hot-plugged on the source, destination from the original
#    command line: "Unknown savevm section or instance '0000:00:0b.0/...'";
#  - seed 004: drive_del of a hot-plugged disk whose frontend stays: doctor
#    --pid flags the orphan (QEMU's query-block is the truth), and the
#    migration fails with "Unknown savevm section".
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"
VBT=$VBT_ROOT/build/vblktrace
QEMU=$(command -v qemu-system-x86_64)

tap_plan 12
W=$FX_DIR/migrate
mkdir -p "$W"
truncate -s 64M "$W/d0.img" "$W/d1.img"

# vm NAME ARGS...: a QEMU with its own QMP socket W/NAME.qmp (pc machine,
# SeaBIOS runs and assigns BARs, no disk is bootable: it idles).
vm() {
	local name=$1
	shift
	"$QEMU" -accel tcg -machine pc-i440fx-7.2 -m 128 -nodefaults -display none \
		-qmp "unix:$W/$name.qmp,server=on,wait=off" -name "guest=vbt-mig-$name" \
		-drive "if=none,id=d0,file=$W/d0.img,format=raw" "$@" \
		>"$W/$name.out" 2>"$W/$name.err" &
	echo $! >"$W/$name.pid"
	fx_defer "kill $! 2>/dev/null"
	for _ in $(seq 100); do [ -S "$W/$name.qmp" ] && return 0; sleep 0.1; done
	return 1
}
pid_of() { cat "$W/$1.pid"; }
# qmp NAME CMD-JSON...: one QMP session; prints the answers.
qmp() {
	local name=$1
	shift
	{
		echo '{"execute":"qmp_capabilities"}'
		for c; do echo "$c"; done
		sleep 0.3
	} | socat - "UNIX-CONNECT:$W/$name.qmp"
}
hmp() { qmp "$1" "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"$2\"}}"; }
# migrate SRC DST: wait until the source says completed or failed.
migrate() {
	local st=
	qmp "$1" "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"unix:$W/$2.mig\"}}" >/dev/null
	for _ in $(seq 100); do
		st=$(qmp "$1" '{"execute":"query-migrate"}' | grep -o '"status": "[a-z-]*"' | tail -1)
		case $st in *completed* | *failed*) break ;; esac
		sleep 0.2
	done
	sleep 0.5
	echo "$st"
}
stop_vms() {
	for v; do kill "$(pid_of "$v")" 2>/dev/null; wait "$(pid_of "$v")" 2>/dev/null; done
	rm -f "$W"/*.qmp "$W"/*.mig
}
# findings FILE RULE SUBJECT: the doctor -j records of that rule and subject
finding() { jq -c --arg r "$2" --arg s "$3" 'select(.kind == "finding" and .rule == $r and .subject == $s)' "$1"; }
errors() { jq -r 'select(.kind == "summary") | .errors' "$1"; }

DISK0="virtio-blk-pci,drive=d0,id=virtio-disk0,addr=0x9"

# ---- control: the same configuration on both sides ------------------------
vm src -device $DISK0 && vm dst -device $DISK0 -incoming "unix:$W/dst.mig" || tap_fail "QEMU pair starts" "$(cat "$W"/*.err)"
"$VBT" doctor -j --no-probe --pid "$(pid_of src)" --to "pid:$(pid_of dst)" >"$W/ctl.json" 2>"$W/ctl.doc.err"
st=$(migrate src dst)
live=$(jq -r 'select(.kind == "summary") | "\(.live) \(.destination_live)"' "$W/ctl.json")
[ "$(errors "$W/ctl.json")" = 0 ] && [ "$live" = "true true" ] && [[ $st == *completed* ]] &&
	! grep -q 'failed' "$W/dst.err" &&
	tap_ok "control: doctor predicts no error (both sides read live) and the migration completes" ||
	tap_fail "control: no error predicted and the migration completes" "doctor errors: $(errors "$W/ctl.json"), live: $live" \
		"migration: $st" "$(cat "$W/dst.err" "$W/ctl.doc.err")"
stop_vms src dst

# ---- seed 002: the virtio-blk config space grew on the destination ---------
truncate -s 64M "$W/d1.img"
OLD="discard=off,write-zeroes=off"
vm src -drive "if=none,id=d1,file=$W/d1.img,format=raw" -device "$DISK0,$OLD" \
	-device "virtio-blk-pci,drive=d1,id=virtio-disk1,addr=0xb,$OLD"
vm dst -drive "if=none,id=d1,file=$W/d1.img,format=raw" -device $DISK0 \
	-device virtio-blk-pci,drive=d1,id=virtio-disk1,addr=0xb -incoming "unix:$W/dst.mig"
sleep 1	# SeaBIOS assigns the I/O BARs
"$VBT" doctor -j --no-probe --pid "$(pid_of src)" --to "pid:$(pid_of dst)" >"$W/s2.json" 2>&1
st=$(migrate src dst)
f=$(finding "$W/s2.json" mig-virtio-blk-config virtio-disk1)
if grep -q "Bad config data: i=0x10 .* wmask: 80" "$W/dst.err" &&
   grep -q "error while loading state for instance 0x0 of device '0000:00:0b.0/virtio-blk'" "$W/dst.err"; then
	tap_ok "seed 002 reproduced: QEMU fails with Bad config data: i=0x10 on 0000:00:0b.0/virtio-blk"
else
	tap_fail "seed 002 reproduced by real QEMU" "migration: $st" "$(cat "$W/dst.err")"
fi
[ -n "$f" ] && echo "$f" | jq -e '.severity == "error" and (.see | contains("Bad config data: i=0x10")) and
	(.see | contains("wmask: 80")) and (.see | contains("0000:00:0b.0/virtio-blk"))' >/dev/null &&
	tap_ok "doctor --to predicted it: Bad config data: i=0x10, wmask 80, 0000:00:0b.0/virtio-blk" ||
	tap_fail "doctor --to predicts seed 002" "finding: $f" "$(jq -c 'select(.kind=="finding") | .rule' "$W/s2.json")"
"$VBT" explain "$W/dst.err" >"$W/s2.explain" 2>&1
grep -qi 'BAR0' "$W/s2.explain" && grep -q '0000:00:0b.0' "$W/s2.explain" &&
	tap_ok "explain decodes QEMU's own line: BAR0 of the device QEMU named" ||
	tap_fail "explain decodes QEMU's Bad config data line" "$(cat "$W/s2.explain")"
stop_vms src dst

# ---- a disk hot-plugged on the source --------------------------------------
vm src -device $DISK0
hmp src "drive_add 0 if=none,id=d1,file=$W/d1.img,format=raw" >/dev/null
qmp src '{"execute":"device_add","arguments":{"driver":"virtio-blk-pci","drive":"d1","id":"virtio-disk1","addr":"0xb"}}' >"$W/hp.qmp"
vm dst -device $DISK0 -incoming "unix:$W/dst.mig"
"$VBT" doctor -j --no-probe --pid "$(pid_of src)" --to "pid:$(pid_of dst)" >"$W/hp.json" 2>&1
st=$(migrate src dst)
grep -q "Unknown savevm section or instance '0000:00:0b.0/virtio-blk' 0" "$W/dst.err" &&
	tap_ok "hot-plug reproduced: Unknown savevm section or instance '0000:00:0b.0/virtio-blk'" ||
	tap_fail "hot-plug reproduced by real QEMU" "migration: $st" "$(cat "$W/hp.qmp" "$W/dst.err")"
f=$(finding "$W/hp.json" mig-device-missing virtio-disk1)
[ -n "$f" ] && echo "$f" | jq -e '.severity == "error" and (.see | contains("0000:00:0b.0/virtio-blk")) and
	(.todo | contains("hot-plugged")) and (.todo | contains("Remove") | not)' >/dev/null &&
	tap_ok "doctor --pid SRC --to predicted it and advises adding the hot-plugged disk, not removing it" ||
	tap_fail "doctor predicts the hot-plug failure with the right advice" "finding: $f" \
		"$(jq -c 'select(.kind=="summary")' "$W/hp.json")"
"$VBT" doctor -j --no-probe --cmdline <(tr '\0' '\n' </proc/"$(pid_of src)"/cmdline) \
	--to <(tr '\0' '\n' </proc/"$(pid_of dst)"/cmdline) >"$W/hp_argv.json" 2>&1
[ "$(finding "$W/hp_argv.json" mig-device-missing virtio-disk1)" = "" ] &&
	tap_ok "control: from the command lines alone (no live state) the hot-plugged disk is invisible" ||
	tap_fail "the command lines alone cannot show the hot-plugged disk" "$(cat "$W/hp_argv.json")"
stop_vms src dst

# ---- seed 004: drive_del while the guest still holds the frontend ----------
vm src -device $DISK0
hmp src "drive_add 0 if=none,id=d1,file=$W/d1.img,format=raw" >/dev/null
qmp src '{"execute":"device_add","arguments":{"driver":"virtio-blk-pci","drive":"d1","id":"virtio-disk1","addr":"0xb"}}' >/dev/null
hmp src "drive_del d1" >/dev/null
# QEMU's own view is the truth: virtio-disk1's block backend has no medium.
truth=$(qmp src '{"execute":"query-block"}' | grep '"return": \[' |
	jq -c '.return[] | select(.qdev | test("virtio-disk1")) | has("inserted")')
"$VBT" doctor -j --no-probe --pid "$(pid_of src)" >"$W/s4.json" 2>&1
f=$(finding "$W/s4.json" orphan-frontend virtio-disk1)
[ "$truth" = false ] && [ -n "$f" ] && echo "$f" | jq -e '.severity == "error"' >/dev/null &&
	[ -z "$(finding "$W/s4.json" orphan-frontend virtio-disk0)" ] &&
	tap_ok "doctor --pid flags virtio-disk1 (and only it) as a frontend whose drive was deleted" ||
	tap_fail "doctor --pid flags the orphan frontend" "query-block inserted: $truth" "finding: $f"
vm dst -device $DISK0 -incoming "unix:$W/dst.mig"
"$VBT" doctor -j --no-probe --pid "$(pid_of src)" --to "pid:$(pid_of dst)" >"$W/s4to.json" 2>&1
st=$(migrate src dst)
grep -q "Unknown savevm section or instance '0000:00:0b.0/virtio-blk' 0" "$W/dst.err" &&
	tap_ok "seed 004 reproduced: the orphan's section is unknown to the destination" ||
	tap_fail "seed 004 reproduced by real QEMU" "migration: $st" "$(cat "$W/dst.err")"
f=$(finding "$W/s4to.json" mig-device-missing virtio-disk1)
[ -n "$f" ] && echo "$f" | jq -e '.severity == "error" and (.todo | contains("device_del")) and
	(.see | contains("0000:00:0b.0/virtio-blk"))' >/dev/null &&
	tap_ok "doctor --to predicted it, advising to finish the unplug first" ||
	tap_fail "doctor --to predicts seed 004" "finding: $f"
stop_vms src dst

# ---- a monitor someone else holds: state unknown, said so -------------------
vm src -device $DISK0
exec 7<> >(socat - "UNIX-CONNECT:$W/src.qmp")
sleep 0.5
"$VBT" doctor -j --no-probe --pid "$(pid_of src)" >"$W/busy.json" 2>&1
exec 7>&-
grep -q '"kind":"summary"' "$W/busy.json" && jq -e 'select(.kind == "summary") | .live == false and (.live_note | test("did not answer"))' "$W/busy.json" >/dev/null &&
	tap_ok "a QMP monitor held by another client: live state reported unknown, not guessed" ||
	tap_fail "a busy QMP monitor gives an unknown live state" "$(cat "$W/busy.json")"
"$VBT" doctor -j --no-probe --pid "$(pid_of src)" >"$W/free.json" 2>&1
grep -q '"kind":"summary"' "$W/free.json" && jq -e 'select(.kind == "summary") | .live == true' "$W/free.json" >/dev/null &&
	tap_ok "once the other client left, the monitor answers" ||
	tap_fail "the freed monitor answers" "$(cat "$W/free.json")"
stop_vms src
tap_done
