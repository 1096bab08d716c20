#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The redaction corpus through the real binary.  A process holding the
# hostile QEMU command line of tests/unit/corpus/redact/qemu.args (every
# secret value contains S3KRIT), believed as a VM (a QEMU-named root-owned
# binary, libvirt's pid file names it, its libvirt XML has cookies, a
# query= and CDATA secrets): the host bundle's every member, report text,
# JSON and HTML of it, the metrics endpoint and the 0600 textfile of
# 'watch' must hold no secret, while showing the VM and "<redacted>".
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"

VBT=$VBT_ROOT/build/vblktrace
HOLDER=$VBT_ROOT/build/tests/helpers/argv_holder
CORPUS=$VBT_ROOT/tests/unit/corpus/redact
W=$FX_DIR/redact
mkdir -p "$W/bin"
tap_plan 7
if [ "$(id -u)" != 0 ] || [ ! -x "$HOLDER" ]; then
	tap_skip_rest "needs root and build/tests/helpers/argv_holder (make helpers)"
	tap_done
	exit
fi
# secrets FILE...: the lines of FILE(s) holding a secret
secrets() { grep -a -o '.\{0,40\}S3KRIT.\{0,20\}' "$@" 2>/dev/null | head -5; }

N=redact-$$
args=(-name "guest=$N,debug-threads=on")
while IFS=$'\t' read -r opt arg; do
	case $opt in '#'* | '') continue ;; esac
	args+=("$opt" "$arg")
done <"$CORPUS/qemu.args"
cp "$HOLDER" "$W/bin/qemu-system-x86_64"
chmod 0755 "$W" "$W/bin"
(exec -a qemu-system-x86_64 "$W/bin/qemu-system-x86_64" "${args[@]}") &
QPID=$!
fx_defer "kill $QPID 2>/dev/null"
LV=/run/libvirt/qemu
mkdir -p "$LV"
sed "s/<name>web</<name>$N</" "$CORPUS/cookies.xml" >"$LV/$N.xml"
echo "$QPID" >"$LV/$N.pid"
fx_defer "rm -f $LV/$N.xml $LV/$N.pid"
n=$(tr '\0' '\n' </proc/$QPID/cmdline | grep -c S3KRIT)
[ "$n" -ge 20 ] || tap_diag "the holder's command line has only $n secrets"

# --- the bundle and what report makes of it -----------------------------------
printf '{"v":1,"ts":"2026-11-22T04:51:19.863367077Z","mono_ns":2002764807989,"side":"host","kind":"syscall","errno":28,"err":"ENOSPC","pid":%d,"tid":%d,"comm":"qemu-system-x86","syscall":"pwritev","fd":3,"path":"/i","offset":0,"len":4096,"seq":1}\n' \
	"$QPID" "$QPID" >"$W/host.jsonl"
"$VBT" bundle --side host --from "$W/host.jsonl" -o "$W/b.tar.gz" >"$W/bundle.out" 2>&1
mkdir -p "$W/b"
tar -xzf "$W/b.tar.gz" -C "$W/b"
if jq -e --argjson p "$QPID" '[.qemu[] | select(.pid == $p and .verified == true and (.libvirt_xml | type) == "string")] | length == 1' \
	"$W/b/facts.json" >/dev/null && grep -q '<redacted>' "$W/b/facts.json"; then
	tap_ok "bundle facts hold the VM, its argv and libvirt XML, redacted"
else
	tap_fail "bundle facts hold the VM, argv and XML" "$(cat "$W/bundle.out")" "$(jq -c --argjson p "$QPID" '.qemu[]? | select(.pid == $p) | keys' "$W/b/facts.json")"
fi
leak=$(secrets "$W"/b/*)
[ -z "$leak" ] && tap_ok "no secret in any bundle member ($(ls "$W/b" | tr '\n' ' '))" ||
	tap_fail "no secret in any bundle member" "$leak"
"$VBT" report "$W/b.tar.gz" >"$W/r.txt" 2>&1
"$VBT" report --format json "$W/b.tar.gz" >"$W/r.json" 2>&1
"$VBT" report --format html "$W/b.tar.gz" >"$W/r.html" 2>&1
leak=$(secrets "$W"/r.*)
[ -z "$leak" ] && [ -s "$W/r.json" ] && tap_ok "no secret in report text, JSON or HTML" ||
	tap_fail "no secret in report outputs" "$leak"

# --- watch: metrics and the textfile -----------------------------------------
mkdir -p "$W/tf"
"$VBT" watch --metrics 127.0.0.1:0 --textfile "$W/tf" >"$W/w.out" 2>"$W/w.err" &
WPID=$!
fx_defer "kill $WPID 2>/dev/null"
port=
for _ in $(seq 100); do
	port=$(sed -n 's#.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*#\1#p' "$W/w.err")
	[ -n "$port" ] && grep -q "$N" "$W/tf/vblktrace.prom" 2>/dev/null && break
	sleep 0.1
done
curl -s "127.0.0.1:$port/metrics" >"$W/metrics.txt"
if grep -q "vm=\"$N\"" "$W/metrics.txt" && grep -q "vm=\"$N\"" "$W/tf/vblktrace.prom"; then
	tap_ok "metrics and textfile list the VM's drives ($(grep -c "vm=\"$N\"" "$W/metrics.txt") series)"
else
	tap_fail "metrics and textfile list the VM's drives" "$(tail -3 "$W/w.err")" "$(grep drive_info "$W/metrics.txt" | head -3)"
fi
leak=$(secrets "$W/metrics.txt" "$W/tf/vblktrace.prom" "$W/w.err")
[ -z "$leak" ] && tap_ok "no secret in metrics, textfile or watch's messages" ||
	tap_fail "no secret in metrics, textfile or watch's messages" "$leak"
[ "$(stat -c %a "$W/tf/vblktrace.prom")" = 600 ] && tap_ok "textfile is mode 0600" ||
	tap_fail "textfile is mode 0600" "$(stat -c %a "$W/tf/vblktrace.prom")"
kill "$WPID"
wait "$WPID"
leak=$(secrets "$W/w.out")
[ -z "$leak" ] && tap_ok "no secret in watch's records" || tap_fail "no secret in watch's records" "$leak"
tap_done
