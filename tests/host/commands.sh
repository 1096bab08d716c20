#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Commands and options end to end, each against something vblktrace did not
# produce: the QEMU processes this test starts (disks' VM listing, doctor
# --all, --side auto), real QEMU's own refusal of a configuration (doctor
# --xml), a real live migration between two QEMUs (doctor --to), the kernel's
# block_rq_complete record (watch on stdout, live -i) and the kernel version
# a real guest log states (explain --kernel).
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"
. "$VBT_ROOT/tests/lib/truth.sh"
. "$VBT_ROOT/tests/lib/vbt.sh"

tap_plan 9
W=$FX_DIR/commands
mkdir -p "$W"
QEMU=qemu-system-x86_64
TAG=wt$$
truncate -s 64M "$W/a.img" "$W/b.img"

# qemu_up PIDFILE LOG ARGS...: start QEMU paused (-S), wait until it runs.
qemu_up() {
	local pidf=$1 log=$2

	shift 2
	"$QEMU" -S -display none -nodefaults -accel tcg -m 64 "$@" >"$log" 2>&1 &
	echo $! >"$pidf"
	fx_defer "kill $(cat "$pidf")"
	for _ in $(seq 50); do
		[ -n "$(tr '\0' '\n' <"/proc/$(cat "$pidf")/cmdline" 2>/dev/null | grep -- -name)" ] &&
			grep -q . "/proc/$(cat "$pidf")/maps" 2>/dev/null && sleep 0.2 && return 0
		sleep 0.1
	done
	return 1
}

# ---- disks: the VM listing --------------------------------------------------
VM=$TAG-disks
qemu_up "$W/q1.pid" "$W/q1.log" -name "guest=$VM,debug-threads=on" \
	-drive "file=$W/a.img,format=raw,if=none,id=d0,cache=none,aio=native,werror=ignore" \
	-device virtio-blk-pci,drive=d0,id=virtio-disk0 \
	-drive "file=$W/b.img,format=raw,if=none,id=d1,cache=writeback,aio=threads" \
	-device virtio-blk-pci,drive=d1,id=virtio-disk1,serial=WTB1
QPID=$(cat "$W/q1.pid")
"$VBT" disks -j >"$W/disks.jsonl" 2>"$W/disks.err"
got=$(jq -r --arg vm "$VM" 'select(.kind == "vm_drive" and .vm == $vm) |
	"\(.pid) \(.drive) \(.image) \(.aio) \(.cache) \(.direct) \(.werror) \(.serial)"' "$W/disks.jsonl")
want="$QPID virtio-disk0 $W/a.img native none true ignore null
$QPID virtio-disk1 $W/b.img threads writeback false enospc WTB1"
if [ "$got" = "$want" ]; then
	tap_ok "disks lists the VM's drives as QEMU was started (image, aio, cache, werror, serial)"
else
	tap_fail "disks lists the VM's drives as QEMU was started" "want:" "$want" "got:" "$got" \
		"$(cat "$W/disks.err")"
fi

# ---- doctor --all: the running VM's werror=ignore ----------------------------
"$VBT" doctor --all -j >"$W/all.jsonl" 2>"$W/all.err"
got=$(jq -r --arg vm "$VM" 'select(.kind == "finding" and .vm == $vm and .rule == "error-policy-ignore") |
	.subject' "$W/all.jsonl")
if [ "$got" = "virtio-disk0 ($W/a.img)" ]; then
	tap_ok "doctor --all finds werror=ignore on $VM's virtio-disk0, the drive started with it"
else
	tap_fail "doctor --all finds werror=ignore on the drive started with it" "got: $got" \
		"$(jq -c --arg vm "$VM" 'select(.vm == $vm) | [.rule, .subject]' "$W/all.jsonl")" "$(cat "$W/all.err")"
fi

# ---- doctor --xml against real QEMU's verdict ---------------------------------
# io='native' needs cache.direct: doctor calls it an error, QEMU refuses it;
# with cache='none' doctor is silent about it and QEMU starts.
xml() {	# xml CACHE: a libvirt domain with one virtio disk
	cat <<XML
<domain type='kvm'><name>$TAG-xml</name><memory unit='KiB'>65536</memory>
<os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw' cache='$1' io='native'/>
<source file='$W/a.img'/><target dev='vda' bus='virtio'/>
<address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></disk>
</devices></domain>
XML
}
verdicts=
for cache in writeback none; do
	xml $cache >"$W/dom-$cache.xml"
	"$VBT" doctor --xml "$W/dom-$cache.xml" --no-probe -j >"$W/xml-$cache.jsonl" 2>"$W/xml-$cache.err"
	d=$(jq -r 'select(.kind == "finding" and .rule == "aio-native-no-direct") | .severity' "$W/xml-$cache.jsonl")
	direct=$([ $cache = none ] && echo on || echo off)
	timeout 20 "$QEMU" -S -display none -nodefaults -accel tcg -machine none \
		-blockdev "driver=file,filename=$W/a.img,node-name=f,aio=native,cache.direct=$direct" \
		-blockdev driver=raw,file=f,node-name=r \
		-monitor "unix:$W/xml-$cache.mon,server=on,wait=off" >"$W/qemu-$cache.log" 2>&1 &
	qp=$!
	# Started = its monitor answers; refused = it exited.
	q=timeout
	for _ in $(seq 100); do
		if ! kill -0 $qp 2>/dev/null; then q=refuses; break; fi
		if echo "info status" | socat - "UNIX-CONNECT:$W/xml-$cache.mon" 2>/dev/null |
			grep -q 'VM status'; then
			q=starts; kill $qp; wait $qp 2>/dev/null; break
		fi
		sleep 0.1
	done
	verdicts="$verdicts $cache:doctor=${d:-none},qemu=$q"
done
if [ "$verdicts" = " writeback:doctor=error,qemu=refuses none:doctor=none,qemu=starts" ]; then
	tap_ok "doctor --xml: io=native with cache=writeback is an error exactly where QEMU refuses it"
else
	tap_fail "doctor --xml agrees with QEMU on io=native" "$verdicts" "$(cat "$W"/qemu-*.log)"
fi

# ---- doctor --to against a real migration -------------------------------------
# Two destinations: one with the disk at another PCI slot (the migration
# must fail, and doctor must say mig-pci-address), one identical (it must
# complete, and doctor must find nothing that breaks it).
mig() {	# mig NAME SRC_ADDR DST_ADDR: migrates; prints "completed" or "failed"
	local n=$1 s d

	# An image of its own: the other pair's source may still hold a lock.
	truncate -s 64M "$W/$n.img"

	qemu_up "$W/$n-src.pid" "$W/$n-src.log" -name "guest=$TAG-$n" \
		-drive "file=$W/$n.img,format=raw,if=none,id=d0,cache=writeback" \
		-device "virtio-blk-pci,drive=d0,id=virtio-disk0,addr=$2" \
		-monitor "unix:$W/$n.mon,server=on,wait=off"
	qemu_up "$W/$n-dst.pid" "$W/$n-dst.log" -name "guest=$TAG-$n" \
		-drive "file=$W/$n.img,format=raw,if=none,id=d0,cache=writeback" \
		-device "virtio-blk-pci,drive=d0,id=virtio-disk0,addr=$3" \
		-incoming "unix:$W/$n.mig"
	s=$(cat "$W/$n-src.pid") d=$(cat "$W/$n-dst.pid")
	"$VBT" doctor --pid "$s" --to "pid:$d" -j >"$W/$n-doctor.jsonl" 2>"$W/$n-doctor.err"
	echo "migrate unix:$W/$n.mig" | socat - "UNIX-CONNECT:$W/$n.mon" >/dev/null 2>&1
	for _ in $(seq 100); do	# until the destination loaded it or gave up
		kill -0 "$d" 2>/dev/null || { echo failed; return; }
		echo "info migrate" | socat - "UNIX-CONNECT:$W/$n.mon" 2>/dev/null |
			grep -q 'Migration status: completed' && { echo completed; return; }
		sleep 0.1
	done
	echo timeout
}
bad=$(mig slot 0x4 0x5)
good=$(mig same 0x4 0x4)
bad_d=$(jq -r 'select(.kind == "finding" and .severity == "error") | .rule' "$W/slot-doctor.jsonl" | sort -u | tr '\n' ' ')
good_d=$(jq -r 'select(.kind == "finding" and .severity == "error") | .rule' "$W/same-doctor.jsonl" | sort -u | tr '\n' ' ')
if [ "$bad" = failed ] && [ "$good" = completed ] && [ "$bad_d" = "mig-pci-address " ] && [ -z "$good_d" ]; then
	tap_ok "doctor --pid --to pid: predicts what a real migration does (slot 0x4->0x5 fails: mig-pci-address; same slot completes)"
else
	tap_fail "doctor --to predicts a real migration" "other slot: migration $bad, doctor errors '$bad_d'" \
		"same slot: migration $good, doctor errors '$good_d'" "$(tail -3 "$W/slot-dst.log")" \
		"$(cat "$W/slot-doctor.err" "$W/same-doctor.err")"
fi

# ---- --side auto: QEMU present or not, in a PID namespace of our own ----------
side_of() {	# side_of CMD: the view live chose, from its "tracing ..." line
	unshare -pf --mount-proc sh -c "$1" 2>&1 |
		sed -n 's/.*tracing \(failed block requests\|failed QEMU I\/O and host block requests\) on.*/\1/p' | head -1
}
s0=$(side_of "'$VBT' live --no-color -t 0.3 >/dev/null")
s1=$(side_of "'$QEMU' -S -display none -nodefaults -machine none -name guest=$TAG-side & q=\$!;
	sleep 1; '$VBT' live --no-color -t 0.3 >/dev/null; kill \$q")
if [ "$s0" = "failed block requests" ] && [ "$s1" = "failed QEMU I/O and host block requests" ]; then
	tap_ok "--side auto: the guest view without a QEMU process, the host view with one"
else
	tap_fail "--side auto follows the QEMU processes" "without QEMU: '$s0'" "with QEMU: '$s1'"
fi

# ---- watch on stdout, live -i: against the kernel's record --------------------
loop=$(fx_enospc_loop 3M 64M) && fx_enospc_fill "$loop" >/dev/null || {
	tap_harness_fail "fixture: a loop device over a full tmpfs"
	tap_fail_rest "no ENOSPC loop device"
	tap_done
	exit 1
}
dev=${loop#/dev/}
truth_start "$loop"
vbt_start "$W/watch" watch -d "$dev"
dd if=/dev/zero of="$loop" bs=4k count=1 seek=9100 oflag=direct 2>/dev/null
for _ in $(seq 50); do grep -q '"kind":"block"' "$W/watch/out" && break; sleep 0.1; done
vbt_stop "$W/watch"
truth_stop >"$W/watch/truth"
got=$(jq -r 'select(.kind == "block") | "\(.major):\(.minor) \(.sector) \(.nr_sectors) \(.op) \(.errno) \(.alert)"' "$W/watch/out")
want="$(cat "$W/watch/truth") error"
last=$(tail -n 1 "$W/watch/out" | jq -r '.kind + " " + (.alerts_error | tostring)')
if [ "$(wc -l <"$W/watch/truth")" = 1 ] && [ "$got" = "$want" ] && [ "$last" = "stopped 1" ]; then
	tap_ok "watch without --log: the error record on stdout is the kernel's failed request; a final record"
else
	tap_fail "watch records on stdout" "want: $want" "got: $got" "last: $last"
fi

truth_start "$loop"
vbt_start "$W/interval" live --side guest --no-color -d "$dev" -i 0.3
# Wait for the first periodic summary (before any failure), then fail twice.
for _ in $(seq 50); do grep -q '^--- so far' "$W/interval/out" && break; sleep 0.1; done
dd if=/dev/zero of="$loop" bs=4k count=1 seek=9200 oflag=direct 2>/dev/null
dd if=/dev/zero of="$loop" bs=4k count=1 seek=9300 oflag=direct 2>/dev/null
n=$(wc -l <"$W/interval/out")
for _ in $(seq 50); do	# a periodic summary after the failures
	tail -n +$((n + 1)) "$W/interval/out" | grep -q '^--- so far' && break
	sleep 0.1
done
vbt_stop "$W/interval"
truth_stop >"$W/interval/truth"
first=$(sed -n 's/^--- so far after [^:]*: \([0-9]*\) failed.*/\1/p' "$W/interval/out" | head -1)
after=$(sed -n 's/^--- so far after [^:]*: \([0-9]*\) failed.*/\1/p' "$W/interval/out" | tail -1)
blk=$(awk -v d="$dev" '$1 == d && $2 == "WRITE" { print $3; exit }' <(sed -n '/^--- so far/,$p' "$W/interval/out" | tail -n 4))
nt=$(wc -l <"$W/interval/truth")
if [ "$first" = 0 ] && [ "$nt" = 2 ] && [ "$after" = 4 ] && [ "$blk" = 2 ]; then
	tap_ok "live -i: periodic summaries on stdout, 0 failed before, then the kernel's 2 requests + 2 write()s"
else
	tap_fail "live -i prints periodic summaries with the kernel's counts" \
		"first '$first', last '$after', $dev WRITE '$blk', kernel $nt" "$(tail -8 "$W/interval/out")"
fi

# ---- explain --kernel: a real 6.1 guest log without its version line ------------
LOG=$VBT_ROOT/tests/unit/corpus/explain/guest-6.1-rig.dmesg
grep -v 'Linux version' "$LOG" >"$W/noversion.dmesg"
layout() {	# layout ARGS...: "layout op flags" of the first blk-error line
	"$VBT" explain -j "$@" | jq -r 'select(.pattern == "blk-error") |
		"\(.fields.flags_layout) \(.fields.op) \(.fields.flags | join("|"))"' | head -1
}
withv=$(layout "$LOG")
k61=$(layout -k 6.1 "$W/noversion.dmesg")
nok=$(layout "$W/noversion.dmesg")
if [ "${withv%% *}" = 6.1 ] && [ "$k61" = "$withv" ] && [ "$nok" != "$withv" ]; then
	tap_ok "explain --kernel 6.1 decodes a 6.1 guest's flags as its own version line does ($k61)"
else
	tap_fail "explain --kernel 6.1 decodes like the log's version line" \
		"with version line: $withv" "--kernel 6.1: $k61" "neither: $nok"
fi
if "$VBT" explain -k 6.x "$LOG" >/dev/null 2>"$W/k.err"; then
	tap_fail "explain --kernel 6.x is a usage error" "exit 0"
else
	rc=$?
	[ $rc = 2 ] && tap_ok "explain --kernel 6.x: usage error (2)" ||
		tap_fail "explain --kernel 6.x is a usage error" "exit $rc" "$(cat "$W/k.err")"
fi
tap_done
