#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A QEMU started with -object secret (plain and JSON), a LUKS drive that
# names its key by key-secret=, an -iscsi password and URL credentials: a
# host bundle recorded next to it holds none of the secret values (every
# byte searched, compressed and uncompressed), says what it redacted by
# name, and still describes the VM and its drive.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"

VBT=$VBT_ROOT/build/vblktrace
SECRETS="SECRETVALUE-$$ JSONSECRET-$$ ISCSIPASS-$$ URLPASS-$$"
tap_plan 7

if [ "$(id -u)" != 0 ] || ! command -v qemu-system-x86_64 >/dev/null ||
   ! command -v qemu-img >/dev/null; then
	tap_skip_rest "needs root, qemu-system-x86_64 and qemu-img" "secrets"
	tap_done
	exit
fi

W=$FX_DIR/secrets
mkdir -p "$W"
NAME=vbt-secret-$$
set -- $SECRETS
# qemu-img times its key derivation by CPU time; on a machine this busy it
# can fail with "Unable to get accurate CPU usage": try a few times.
luks_ok=0
for _ in 1 2 3 4 5; do
	qemu-img create -q -f luks --object "secret,id=sec0,data=$1" \
		-o key-secret=sec0 "$W/disk.luks" 16M 2>"$W/qemu-img.err" && { luks_ok=1; break; }
	sleep 1
done
if [ $luks_ok = 0 ]; then
	tap_harness_fail "fixture: qemu-img creates a LUKS image" "$(cat "$W/qemu-img.err")"
	tap_fail_rest "not run: no LUKS image"
	tap_done
	exit 1
fi

# -S: the guest never runs; the drives are open all the same.
qemu-system-x86_64 -S -accel tcg -nodefaults -display none -m 64 \
	-monitor none -serial none -name "guest=$NAME" \
	-object "secret,id=sec0,data=$1" \
	-object "{\"qom-type\":\"secret\",\"id\":\"sec1\",\"data\":\"$2\"}" \
	-blockdev "{\"driver\":\"file\",\"filename\":\"$W/disk.luks\",\"node-name\":\"f0\"}" \
	-blockdev '{"driver":"luks","file":"f0","key-secret":"sec0","node-name":"l0"}' \
	-device virtio-blk-pci,drive=l0,id=virtio-disk0,serial=SECSER \
	-iscsi "user=u,password=$3,initiator-name=iqn.2026-11.org.vbt:t" \
	-fw_cfg "name=opt/vbt/url,string=https://user:$4@example.org/x.img" \
	>"$W/qemu.log" 2>&1 &
QPID=$!
fx_defer "kill $QPID"
for _ in $(seq 50); do
	grep -q "$NAME" "/proc/$QPID/cmdline" 2>/dev/null && break
	sleep 0.1
done

B=$W/host.tar.gz
"$VBT" bundle --side host -t 2 -o "$B" >"$W/out" 2>"$W/err"
rc=$?
if [ $rc = 0 ] && [ -s "$B" ] && [ "$(stat -c %a "$B")" = 600 ]; then
	tap_ok "host bundle written, mode 0600"
else
	tap_fail "host bundle written, mode 0600" "exit $rc" "$(tail -5 "$W/err")" "$(cat "$W/qemu.log")"
	tap_fail_rest "not run: no bundle"
	tap_done
	exit 1
fi

leaks=""
gzip -dc "$B" >"$W/host.tar"
mkdir -p "$W/x" && tar -xf "$W/host.tar" -C "$W/x"
for s in $SECRETS; do
	for f in "$B" "$W/host.tar" "$W"/x/*; do
		grep -aqF "$s" "$f" && leaks="$leaks $s in $(basename "$f");"
	done
done
if [ -z "$leaks" ]; then
	tap_ok "no secret value anywhere in the bundle (every byte, packed and unpacked)"
else
	tap_fail "no secret value anywhere in the bundle" "$leaks"
fi

if jq -e --arg n "$NAME" '.qemu[] | select(.name == $n) | .drives[] |
	select(.id == "virtio-disk0" and .format == "luks" and .serial == "SECSER")' \
	"$W/x/facts.json" >/dev/null; then
	tap_ok "facts still describe the VM and its LUKS drive"
else
	tap_fail "facts still describe the VM and its LUKS drive" \
		"$(jq -c '.qemu[] | {name, drives: [.drives[].id]}' "$W/x/facts.json")"
fi

argv=$(jq -r --arg n "$NAME" '.qemu[] | select(.name == $n) | .argv | join(" ")' "$W/x/facts.json")
case $argv in
*"data=<redacted>"*"\"data\":\"<redacted>\""*"key-secret\":\"sec0"*"password=<redacted>"*"https://<redacted>@example.org"*)
	tap_ok "argv keeps its shape: <redacted> in place of each value, key-secret=sec0 kept" ;;
*)
	tap_fail "argv keeps its shape with <redacted> in place" "$argv" ;;
esac

red=$(jq -r '.redacted[]' "$W/x/MANIFEST.json")
n_red=$(printf '%s\n' "$red" | grep -c "qemu pid $QPID")
if [ "$n_red" -ge 4 ] && ! printf '%s' "$red" | grep -qF -e "${1}" -e "${3}"; then
	tap_ok "MANIFEST.json names $n_red redactions, no values"
else
	tap_fail "MANIFEST.json names the redactions, no values" "$red"
fi

"$VBT" report "$B" >"$W/report.txt" 2>&1 && grep -q "host side, bundle" "$W/report.txt" &&
	tap_ok "report reads the bundle" || tap_fail "report reads the bundle" "$(cat "$W/report.txt")"

"$VBT" report --format json "$B" >"$W/report.json" 2>&1
leaks=""
for s in $SECRETS; do
	grep -qF "$s" "$W/report.json" "$W/report.txt" && leaks="$leaks $s"
done
[ -z "$leaks" ] && tap_ok "nor in the report rendered from it" ||
	tap_fail "nor in the report rendered from it" "$leaks"
tap_done
