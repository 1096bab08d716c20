#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A VM run by a real libvirtd, as on the seeds' hypervisors: libvirt 9.0
# starts QEMU (as its own unprivileged user, with -blockdev JSON and a
# <domstatus> in /run/libvirt/qemu) from a domain whose vda has
# cache='none' io='threads' error_policy='stop' and an image on a full
# tmpfs.  The guest writes; QEMU's write fails with ENOSPC and libvirt
# pauses the domain.  The test grows the tmpfs and resumes with virsh.
# Ground truth is libvirt's own word: virsh domstate --reason, domblkerror,
# the live domain XML (alias, driver attributes) and the pid file.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"
VBT=$VBT_ROOT/build/vblktrace
KERNEL=${VBT_HOST_KERNEL:-6.1}
ARCH=${GUEST_ARCH:-amd64}
NAME=vbt-libvirt-$$
URI=qemu:///system
VIRSH="virsh -q -c $URI"

tap_plan 8

# One libvirtd per host: use a running one, else start virtlogd and
# libvirtd (there is no systemd here) and stop what was started.
lv_up() {
	local d
	$VIRSH version >/dev/null 2>&1 && return 0
	command -v libvirtd >/dev/null || return 1
	for d in virtlogd libvirtd; do
		[ -s "/run/$d.pid" ] && kill -0 "$(cat "/run/$d.pid")" 2>/dev/null && continue
		# This test bed's /dev/kvm opens but runs no guest: libvirt
		# then finds its cached QEMU capabilities stale and probes
		# QEMU again on every start (50 s).  Its daemon gets a mount
		# namespace without /dev/kvm.
		unshare -m --propagation slave sh -c \
			"mount --bind /dev/null /dev/kvm 2>/dev/null; exec $d -d" || return 1
		fx_defer "kill \$(cat /run/$d.pid)"
	done
	for _ in $(seq 100); do
		$VIRSH version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# wait_for SECONDS CMD...: poll until CMD succeeds.
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# The domain's files: libvirt runs QEMU as libvirt-qemu, which must be
# able to reach them (it relabels the files, not their directories).
D=$(fx_mkdir libvirt)
chmod 711 "$FX_DIR" "$D"
KDIR=$("$VBT_ROOT/scripts/guest/kernel.sh" "$KERNEL") &&
	BASE=$("$VBT_ROOT/scripts/guest/initramfs.sh" base --kdir "$KDIR") &&
	"$VBT_ROOT/scripts/guest/initramfs.sh" overlay --out "$D/overlay.cpio" \
		--file "$VBT_ROOT/tests/vm/guest/libvirt_io.sh:/rig/script.sh" &&
	cp "$(ls "$KDIR"/boot/vmlinuz-* | head -n 1)" "$D/vmlinuz" &&
	cat "$BASE" "$D/overlay.cpio" >"$D/initrd" || {
	tap_harness on
	tap_fail_rest "no guest kernel or initramfs (scripts/guest/kernel.sh $KERNEL)"
	tap_done
	exit 1
}
mkdir "$D/full"
mount -t tmpfs -o size=3M,mode=0755 "vbt-lv-$$" "$D/full" && fx_defer "umount -l '$D/full'"
truncate -s 64M "$D/full/vda.img"
truncate -s 256M "$D/out.img"

# After the tmpfs is mounted: a daemon started here has its own mount
# namespace, a copy of the mounts made so far.
if ! lv_up; then
	tap_harness on
	tap_fail_rest "libvirtd is not running and could not be started (make deps)"
	tap_done
	exit 1
fi


if [ "$ARCH" = arm64 ]; then
	OS="<type arch='aarch64' machine='virt'>hvm</type>"
	CPU="<cpu mode='custom' match='exact'><model>max</model></cpu>"
	EMU=/usr/bin/qemu-system-aarch64 CONSOLE=ttyAMA0 FAST=
else
	OS="<type arch='x86_64' machine='pc'>hvm</type>"
	# ACPI on: without it the guest's poweroff only halts.
	CPU="<features><acpi/></features>"
	EMU=/usr/bin/qemu-system-x86_64 CONSOLE=ttyS0 FAST=" acpi=noirq"
fi
cat >"$D/dom.xml" <<EOF
<domain type='qemu'>
  <name>$NAME</name>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os>
    $OS
    <kernel>$D/vmlinuz</kernel>
    <initrd>$D/initrd</initrd>
    <cmdline>console=$CONSOLE quiet panic=-1$FAST</cmdline>
  </os>
  $CPU
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$EMU</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='none' io='threads' error_policy='stop'/>
      <source file='$D/full/vda.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$D/out.img'/>
      <target dev='vdb' bus='virtio'/>
      <serial>vbt-rig-out</serial>
    </disk>
    <serial type='file'><source path='$D/console.log'/></serial>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF

"$VBT" host -j >"$D/host.jsonl" 2>"$D/host.err" &
VP=$!
fx_defer "kill -INT $VP"
wait_for 30 grep -q Ctrl-C "$D/host.err"

paused_for_io() { $VIRSH domstate --reason "$NAME" | grep -q 'paused (I/O error)'; }
gone() { ! $VIRSH domstate "$NAME"; }
in_events() { [ "$(grep -c "$1" "$D/host.jsonl")" -ge "${2:-1}" ]; }

T0=$(date +%s)
$VIRSH create "$D/dom.xml" >"$D/create.log" 2>&1 && fx_defer "$VIRSH destroy $NAME"
QPID=$(cat "/run/libvirt/qemu/$NAME.pid" 2>/dev/null)
$VIRSH dumpxml "$NAME" >"$D/live.xml" 2>/dev/null
wait_for 120 paused_for_io
$VIRSH domstate --reason "$NAME" >"$D/state-paused" 2>&1
$VIRSH domblkerror "$NAME" >"$D/blkerror" 2>&1
"$VBT" disks -j >"$D/disks.jsonl" 2>"$D/disks.err"
wait_for 20 in_events '"state":"paused"'
mount -o remount,size=64M "$D/full"
$VIRSH resume "$NAME" >/dev/null 2>&1
wait_for 20 in_events '"state":"running"'
$VIRSH domstate --reason "$NAME" >"$D/state-running" 2>&1
T1=$(date +%s)
wait_for 120 gone
tap_diag "paused after $((T1 - T0)) s; the domain ended $(($(date +%s) - T1)) s after the resume"
kill -INT $VP
wait $VP
mkdir "$D/x"
tar -xf "$D/out.img" -C "$D/x" 2>/dev/null

ev=$D/host.jsonl
DIAG="$(cat "$D/create.log"); state: $(cat "$D/state-paused"); blkerror: $(cat "$D/blkerror"); console: $(tail -5 "$D/console.log" 2>/dev/null)"
tap_harness on
[ -n "$QPID" ] && grep -q 'paused (I/O error)' "$D/state-paused" && grep -q 'vda: no space' "$D/blkerror" &&
	tap_ok "libvirt ran $NAME (QEMU pid $QPID) and paused it for vda's ENOSPC (virsh domstate, domblkerror)" ||
	tap_fail "libvirt paused the domain for an I/O error" "$DIAG"
[ "$(cat "$D/x/out/dd.status" 2>/dev/null)" = 0 ] && grep -q running "$D/state-running" &&
	tap_ok "after the tmpfs grew and virsh resume, the guest's write finished" ||
	tap_fail "the guest's write finished after the resume" "dd: $(cat "$D/x/out/dd.status" "$D/x/out/dd.err" 2>&1)" \
		"state: $(cat "$D/state-running")"
tap_harness off

# libvirt's own view of vda: its alias and driver attributes.
alias=$(xmllint --xpath "string(//disk[target/@dev='vda']/alias/@name)" "$D/live.xml" 2>/dev/null)
fails=$(jq -c --arg n "$NAME" 'select(.errno == 28 and .vm == $n)' "$ev" 2>/dev/null)
DIAG="libvirt alias '$alias'; vblktrace: $(echo "$fails" | head -3); $(head -5 "$D/host.err")"
[ -n "$alias" ] && [ -n "$fails" ] &&
	echo "$fails" | jq -se --argjson p "${QPID:-0}" --arg a "$alias" \
		'all(.pid == $p and .drive == $a and .aio == "threads" and .cache == "none" and .werror == "stop" and (.image | endswith("/full/vda.img")))' >/dev/null &&
	tap_ok "each failed write is QEMU's (pid $QPID), for $NAME's drive $alias, aio threads, cache none, werror stop, as the domain says" ||
	tap_fail "the failed writes carry libvirt's VM, drive and modes" "$DIAG"

# The name came from libvirt's own files, which vouch for this pid.
[ -z "$(jq -r 'select(.vm != null) | .vm' "$ev" 2>/dev/null | grep -F "$NAME" | grep unverified)" ] &&
	! grep -q "unverified.*$NAME\|$NAME.*unverified" "$D/host.err" &&
	tap_ok "QEMU run by libvirt as libvirt-qemu is a verified VM (libvirt's pid file names it)" ||
	tap_fail "the libvirt VM is verified" "$(grep -h unverified "$ev" "$D/host.err" | head -3)"

paused=$(jq -c --arg n "$NAME" 'select(.vm == $n and .kind == "vm_state" and .state == "paused")' "$ev" 2>/dev/null)
first_err=$(echo "$fails" | jq -s '.[0].seq // empty' 2>/dev/null)
p_seq=$(echo "$paused" | jq -r '.seq' 2>/dev/null | head -1)
[ "$(echo "$paused" | grep -c .)" = 1 ] && [ -n "$first_err" ] && [ "$p_seq" -gt "$first_err" ] &&
	echo "$paused" | jq -e '.state_source == "libvirt" and .reason == "ioerror"' >/dev/null &&
	tap_ok "host: $NAME paused, reason ioerror from libvirt's <domstatus>, after the first ENOSPC (seq $first_err < $p_seq)" ||
	tap_fail "host reports the pause as libvirt does" "libvirt: $(cat "$D/state-paused")" "vblktrace: $paused" "first error seq: $first_err"

running=$(jq -c --arg n "$NAME" 'select(.vm == $n and .kind == "vm_state" and .state == "running")' "$ev" 2>/dev/null)
r_seq=$(echo "$running" | jq -r '.seq' 2>/dev/null | head -1)
[ "$(echo "$running" | grep -c .)" = 1 ] && [ "${r_seq:-0}" -gt "${p_seq:-0}" ] &&
	tap_ok "host: $NAME running again after virsh resume, once" ||
	tap_fail "host reports the resume" "libvirt: $(cat "$D/state-running")" "vblktrace: $running"

# disks -j while paused: vda of this VM, named as the guest names it.
row=$(jq -c --arg n "$NAME" 'select(.kind == "vm_drive" and .vm == $n)' "$D/disks.jsonl" 2>/dev/null)
echo "$row" | jq -se --arg a "$alias" 'any(.drive == $a and .target == "vda" and .aio == "threads" and .cache == "none")' >/dev/null &&
	tap_ok "disks -j lists $NAME's $alias as the guest's vda (libvirt's <target>), aio threads, cache none" ||
	tap_fail "disks -j lists the libvirt drive" "$row" "$(cat "$D/disks.err")"

out=$(/usr/bin/python3 "$VBT_ROOT/tests/lib/validate_json.py" "$VBT_ROOT/docs/events.schema.json" "$ev" 2>&1)
[ $? = 0 ] && echo "$out" | grep -q "vm_state=" &&
	tap_ok "every record is valid against docs/events.schema.json" ||
	tap_fail "the records are valid against docs/events.schema.json" "$out"
tap_done
