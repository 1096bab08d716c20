#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An impostor is not believed.  A real QEMU binary copied into a directory
# of "nobody" and run as nobody with "-name guest=prod-db-N", while
# libvirt's run directory says domain prod-db-N is another pid, does
# failing writes (its image on a full tmpfs, through QEMU's own block
# layer): the root daemon must show it as '"prod-db-N" (unverified, pid
# P)' in its alert record and --alert-exec environment, say why on stderr,
# and never read prod-db-N's libvirt XML into its facts.  A control QEMU
# run by root from /usr/bin whose libvirt pid file names it is believed
# and its XML is read, so the absence above means something.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"

VBT=$VBT_ROOT/build/vblktrace
W=$FX_DIR/impostor
mkdir -p "$W"
tap_plan 7
QEMU=$(command -v qemu-system-x86_64)
if [ "$(id -u)" != 0 ] || [ -z "$QEMU" ] || ! id nobody >/dev/null 2>&1; then
	tap_skip_rest "needs root, qemu-system-x86_64 and the user nobody"
	tap_done
	exit
fi

N=prod-db-$$
C=ctl-$$
LV=/run/libvirt/qemu
mkdir -p "$LV"
fx_defer "rm -f $LV/$N.xml $LV/$N.pid $LV/$C.xml $LV/$C.pid"
domstatus() {	# NAME PID MARKER
	cat <<EOF
<domstatus state='running' reason='booted' pid='$2'>
  <domain type='qemu' id='9'>
    <name>$1</name>
    <devices>
      <disk type='file' device='disk'>
        <driver name='qemu' type='raw' cache='none' io='threads'/>
        <source file='/var/lib/libvirt/images/$1.img'/>
        <target dev='vdq' bus='virtio'/>
        <serial>$3</serial>
        <alias name='virtio-disk0'/>
      </disk>
    </devices>
  </domain>
</domstatus>
EOF
}
# libvirt's word: domain $N is pid 1, not the impostor.
domstatus "$N" 1 "PRODXML$$" >"$LV/$N.xml"
echo 1 >"$LV/$N.pid"

# Both QEMUs write to images on a full tmpfs: ENOSPC.
MNT=$W/full
mkdir -p "$MNT"
mount -t tmpfs -o size=1M,mode=0777 "vbt-imp-$$" "$MNT" || { tap_skip_rest "no tmpfs"; tap_done; exit; }
fx_defer "umount $MNT || umount -l $MNT"
truncate -s 64M "$MNT/imp.img" "$MNT/ctl.img"
chown nobody "$MNT/imp.img"
dd if=/dev/zero of="$MNT/fill" bs=64k 2>/dev/null || true

# --- the daemon -------------------------------------------------------------
mkdir -p "$W/exec"
chmod 0777 "$W/exec"
cat >"$W/dump.sh" <<'EOF'
#!/bin/sh
env -0 >"$1/env.$$"
EOF
chmod +x "$W/dump.sh"
"$VBT" watch --log "$W/alerts.jsonl" --alert-interval 60 \
	--alert-exec "$W/dump.sh $W/exec" >"$W/stdout" 2>"$W/stderr" &
WPID=$!
fx_defer "kill $WPID 2>/dev/null"
for _ in $(seq 100); do
	grep -q 'Ctrl-C\|watching' "$W/stderr" 2>/dev/null && break
	sleep 0.1
done

# start_qemu NAME BINARY IMAGE FIFO [setpriv args]: a stopped QEMU whose
# monitor reads FIFO; its pid in QPID.
start_qemu() {
	local name=$1 bin=$2 img=$3 fifo=$4
	shift 4
	mkfifo "$fifo"
	"$@" "$bin" -S -nodefaults -display none -machine none -accel tcg \
		-monitor stdio -name "guest=$name,debug-threads=on" \
		-drive "file=$img,if=none,id=d0,format=raw,cache=none,aio=threads" \
		<"$fifo" >"$fifo.out" 2>&1 &
	QPID=$!
	fx_defer "kill $QPID 2>/dev/null"
}
# wait_for FILE PATTERN: until FILE has a line matching PATTERN (20 s)
wait_for() {
	for _ in $(seq 200); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# The impostor: QEMU copied into nobody's directory, run as nobody.
mkdir -p "$W/imp"
cp "$QEMU" "$W/imp/qemu-system-x86_64"
chown -R nobody "$W/imp"
chmod 0755 "$W" "$FX_DIR"
# (QEMU finds its accelerator modules next to its binary, or here.)
start_qemu "$N" "$W/imp/qemu-system-x86_64" "$MNT/imp.img" "$W/imp.mon" \
	env QEMU_MODULE_DIR=/usr/lib/x86_64-linux-gnu/qemu setpriv --reuid=nobody --regid=nogroup --clear-groups --
IPID=$QPID
exec 7>"$W/imp.mon"
wait_for "$W/stderr" "pid $IPID" ||
	tap_diag "watch never listed pid $IPID:" "$(cat "$W/stderr")"
for i in 1 2 3; do echo "qemu-io d0 \"write -P 1 $((i * 65536)) 4k\"" >&7; done
wait_for "$W/alerts.jsonl" "unverified, pid $IPID"
rec=$(grep -m1 "pid $IPID" "$W/alerts.jsonl")
want="\"$N\" (unverified, pid $IPID)"
if [ "$(printf '%s' "$rec" | jq -r .vm)" = "$want" ]; then
	tap_ok "alert record names the impostor $want"
else
	tap_fail "alert record names the impostor as unverified" "record: ${rec:-none}" "$(tail -5 "$W/stderr")"
fi
if grep -q "VM \"$N\" (unverified, pid $IPID) is not believed: its executable is not a root-owned file" "$W/stderr"; then
	tap_ok "watch says why the name is not believed"
else
	tap_fail "watch says why the name is not believed" "$(cat "$W/stderr")"
fi
got=
for _ in $(seq 100); do
	got=$(cat "$W"/exec/env.* 2>/dev/null | tr '\0' '\n' | grep '^VBLKTRACE_VM=' | head -1)
	[ -n "$got" ] && break
	sleep 0.1
done
if [ "$got" = "VBLKTRACE_VM=$want" ]; then
	tap_ok "--alert-exec gets the unverified name"
else
	tap_fail "--alert-exec gets the unverified name" "got: $got"
fi

# The control: root's QEMU from /usr/bin, libvirt's pid file names it.
start_qemu "$C" "$QEMU" "$MNT/ctl.img" "$W/ctl.mon"
CPID=$QPID
exec 8>"$W/ctl.mon"
domstatus "$C" "$CPID" "CTLXML$$" >"$LV/$C.xml"
echo "$CPID" >"$LV/$C.pid"
wait_for "$W/stderr" "pid $CPID"
# A host-side recording, so the bundle's facts list this host's QEMUs.
printf '{"v":1,"ts":"2026-11-22T04:51:19.863367077Z","mono_ns":2002764807989,"side":"host","kind":"syscall","errno":28,"err":"ENOSPC","pid":1,"tid":1,"comm":"x","syscall":"pwritev","fd":3,"path":"/i","offset":0,"len":4096,"seq":1}\n' >"$W/host.jsonl"
"$VBT" bundle --side host --from "$W/host.jsonl" -o "$W/b.tar.gz" >"$W/bundle.out" 2>&1
tar -xzf "$W/b.tar.gz" -O facts.json >"$W/facts.json" 2>/dev/null
if jq -e --argjson p "$IPID" '[.. | objects | select(.pid? == $p and .verified? == false)] | length == 1' \
	"$W/facts.json" >/dev/null && ! grep -q "PRODXML$$" "$W/facts.json"; then
	tap_ok "bundle facts: impostor unverified, prod-db's libvirt XML not read"
else
	tap_fail "bundle facts: impostor unverified, no libvirt XML" "$(jq -c --argjson p "$IPID" '.. | objects | select(.pid? == $p)' "$W/facts.json" | head -c 600)"
fi
if jq -e --argjson p "$CPID" '[.. | objects | select(.pid? == $p and .verified? == true)] | length == 1' \
	"$W/facts.json" >/dev/null && grep -q "CTLXML$$" "$W/facts.json"; then
	tap_ok "control: root's QEMU named by libvirt's pid file is believed, its XML read"
else
	tap_fail "control: root's QEMU believed, XML read" "$(jq -c --argjson p "$CPID" '.. | objects | select(.pid? == $p)' "$W/facts.json" | head -c 600)"
fi
for i in 1 2; do echo "qemu-io d0 \"write -P 1 $((i * 65536)) 4k\"" >&8; done
wait_for "$W/alerts.jsonl" "\"vm\":\"$C\""
if grep -q "\"vm\":\"$C\"" "$W/alerts.jsonl"; then
	tap_ok "control's alert names it plainly ($C)"
else
	tap_fail "control's alert names it plainly" "$(cat "$W/alerts.jsonl")"
fi
"$VBT" doctor --pid "$IPID" >"$W/doctor.txt" 2>&1
if grep -q "unverified, pid $IPID" "$W/doctor.txt" && ! grep -q vdq "$W/doctor.txt"; then
	tap_ok "doctor --pid: unverified, no libvirt XML applied"
else
	tap_fail "doctor --pid: unverified, no libvirt XML applied" "$(cat "$W/doctor.txt")"
fi
echo quit >&7
echo quit >&8
exec 7>&- 8>&-
tap_done
