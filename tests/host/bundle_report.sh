#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Offline: 'vblktrace bundle --from' packs a recording; 'vblktrace report'
# reads it back as text, JSON, HTML (rendered in headless Chromium, whose
# own count of timeline marks and table rows must match the recording) and
# Perfetto trace JSON (validated with jq); corrupt, truncated, oversized and
# newer input is refused with a message and exit status 1.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"

VBT=$VBT_ROOT/build/vblktrace
W=$FX_DIR/report
mkdir -p "$W"
tap_plan 15

# ev SEC DEV OP SECTOR ERRNO LAT: one block event (errno 0: a success)
seq=0
ev() {
	seq=$((seq + 1))
	local st=IOERR err=EIO
	[ "$5" = 0 ] && st=OK err=OK
	printf '{"v":1,"ts":"2026-11-22T04:00:%02d.%09dZ","mono_ns":%d,"side":"guest","kind":"block","errno":%d,"err":"%s","pid":7,"tid":7,"comm":"fio","dev":"%s","major":254,"minor":0,"op":"%s","flags":["SYNC"],"sector":%d,"nr_sectors":8,"bytes":4096,"status":"%s","lat_ns":%d,"issuer_known":true,"virtio_status":"%s","seq":%d}\n' \
		"$1" $((seq * 1000)) $(($1 * 1000000000 + seq)) "$5" "$err" "$2" "$3" "$4" "$st" "$6" "$st" "$seq"
}
{
	for i in 1 2 3 4 5; do ev "$i" vda WRITE $((i * 8)) 5 2000000; done
	for i in 6 7 8; do ev "$i" vdb READ $((i * 8)) 5 900000; done
	for i in 1 2 3 4 5 6 7 8 9 10; do ev "$i" vda READ 0 0 $((i * 40000)); done
	seq=$((seq + 1))
	printf '{"v":1,"ts":"2026-11-22T04:00:09.000000000Z","mono_ns":9000000000,"side":"guest","kind":"syscall","errno":5,"err":"EIO","pid":7,"tid":7,"comm":"fio","syscall":"pwrite64","fd":3,"path":"/dev/vda","offset":4096,"len":4096,"cause":1,"seq":%d}\n' $seq
} >"$W/rec.jsonl"
N_BLOCK_ERR=8
N_ERR=9
N_EVENTS=$(wc -l <"$W/rec.jsonl")

B=$W/b.tar.gz
"$VBT" bundle --from "$W/rec.jsonl" -o "$B" >"$W/bundle.out" 2>&1
if [ $? = 0 ] && [ "$(stat -c %a "$B")" = 600 ] &&
   [ "$(tar -tzf "$B" | sort | tr '\n' ' ')" = "MANIFEST.json events.jsonl facts.json summary.txt " ]; then
	tap_ok "bundle --from: MANIFEST.json events.jsonl facts.json summary.txt, mode 0600"
else
	tap_fail "bundle --from writes the four members, mode 0600" "$(cat "$W/bundle.out")" "$(tar -tvzf "$B" 2>&1)"
fi
if tar -xzf "$B" -O events.jsonl | cmp -s - "$W/rec.jsonl" &&
   tar -xzf "$B" -O MANIFEST.json | jq -e '.format_version == 1 and .side == "guest" and
	.span.start.ts and .span.start.mono_ns and .span.end.ts and .errors == 9' >/dev/null; then
	tap_ok "events.jsonl is the recording; MANIFEST has version, side, wall+mono span"
else
	tap_fail "events.jsonl is the recording; MANIFEST complete" "$(tar -xzf "$B" -O MANIFEST.json)"
fi

"$VBT" report "$B" >"$W/report.txt" 2>&1
if [ $? = 0 ] && grep -qE '^  vda WRITE +5  EIO \(IOERR, virtio IOERR\)' "$W/report.txt" &&
   grep -q 'likely cause: the hypervisor failed this request' "$W/report.txt" &&
   grep -q "$N_ERR failed" "$W/report.txt"; then
	tap_ok "report: what failed, how often, likely cause"
else
	tap_fail "report: what failed, how often, likely cause" "$(cat "$W/report.txt")"
fi
tap_diag "$(head -12 "$W/report.txt")"

"$VBT" report --format json "$W/rec.jsonl" >"$W/report.json" 2>&1
if jq -e --argjson n $N_ERR '.errors == $n and (.groups | length) == 3 and
	(.groups | map(.count) | add) == $n and (.latency | map(.count) | add) == 18' \
	"$W/report.json" >/dev/null; then
	tap_ok "report --format json of the plain recording: counts and latency"
else
	tap_fail "report --format json: counts and latency" "$(head -c 600 "$W/report.json")"
fi

# -o writes what stdout shows, in every format, and nothing to stdout.
o_bad=
for f in text html json perfetto; do
	"$VBT" report --format $f "$B" >"$W/o-ref.$f" 2>/dev/null
	"$VBT" report --format $f -o "$W/o.$f" "$B" >"$W/o-stdout.$f" 2>"$W/o-err.$f" || o_bad="$o_bad $f:exit"
	[ -s "$W/o.$f" ] && cmp -s "$W/o.$f" "$W/o-ref.$f" && [ ! -s "$W/o-stdout.$f" ] ||
		o_bad="$o_bad $f"
done
if [ -z "$o_bad" ]; then
	tap_ok "report -o FILE holds what stdout shows (text, html, json, perfetto)"
else
	tap_fail "report -o FILE holds what stdout shows" "differs:$o_bad" "$(cat "$W"/o-err.* 2>/dev/null | head -5)"
fi

# ---- HTML in headless Chromium -------------------------------------------------
"$VBT" report --format html "$B" >"$W/r.html" 2>"$W/html.err"
if [ ! -s "$W/r.html" ] || ! grep -q '</html>' "$W/r.html"; then
	tap_fail "HTML is a whole page, self-contained" "$(stat -c %s "$W/r.html") bytes" "$(cat "$W/html.err")"
elif grep -qiE '(src|href)=|url\(|@import' "$W/r.html"; then
	tap_fail "HTML is self-contained (no src=, href=, url())" "$(grep -oiE '(src|href)=[^ ]*|url\([^)]*' "$W/r.html" | head)"
else
	tap_ok "HTML is self-contained (no src=, href=, url())"
fi
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	tap_skip "HTML renders in Chromium with the right counts" "no chromium (apt-get install chromium)"
	tap_skip "HTML screenshot" "no chromium (apt-get install chromium)"
else
	flags="--headless --no-sandbox --disable-gpu --disable-background-networking
		--disable-component-update --no-first-run"
	# shellcheck disable=SC2086
	timeout 120 "$CHROMIUM" $flags --user-data-dir="$(mktemp -d "$W/chr.XXXXXX")" \
		--dump-dom "file://$W/r.html" >"$W/dom.html" 2>"$W/chromium.err"
	got=$(grep -o '<p id="rendered"[^>]*>' "$W/dom.html" | head -1)
	want="data-marks=\"$N_BLOCK_ERR\" data-rows=\"3\" data-total=\"$N_ERR\""
	case $got in
	*"$want"*) tap_ok "Chromium renders $N_BLOCK_ERR timeline marks and 3 table rows totalling $N_ERR" ;;
	*) tap_fail "Chromium renders the timeline and the table with the right counts" \
		"want $want" "got: $got" "$(tail -5 "$W/chromium.err")" ;;
	esac
	# shellcheck disable=SC2086
	timeout 120 "$CHROMIUM" $flags --user-data-dir="$(mktemp -d "$W/chr.XXXXXX")" \
		--window-size=1100,900 --screenshot="$W/shot.png" "file://$W/r.html" \
		>/dev/null 2>>"$W/chromium.err"
	if [ "$(head -c 8 "$W/shot.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
	   [ "$(stat -c %s "$W/shot.png")" -gt 10000 ]; then
		tap_ok "HTML screenshot ($(stat -c %s "$W/shot.png") bytes PNG)"
		[ -n "${VBT_KEEP_SCREENSHOT:-}" ] && cp "$W/shot.png" "$VBT_KEEP_SCREENSHOT"
	else
		tap_fail "HTML screenshot" "$(tail -5 "$W/chromium.err")"
	fi
fi

# ---- Perfetto ---------------------------------------------------------------------
"$VBT" report --format perfetto "$B" >"$W/trace.json" 2>&1
if jq -e --argjson n "$N_EVENTS" '
	(.traceEvents | type == "array") and
	([.traceEvents[] | select(.ph != "M")] | length == $n) and
	all(.traceEvents[]; (.ph | IN("M","X","i")) and (.pid | type == "number") and
		(.tid | type == "number")) and
	all(.traceEvents[] | select(.ph != "M"); (.ts | type == "number") and .ts >= 0) and
	all(.traceEvents[] | select(.ph == "X"); .dur > 0) and
	([.traceEvents[] | select(.ph == "M" and .name == "thread_name") | .args.name] | sort == ["syscall","vda","vdb"])' \
	"$W/trace.json" >/dev/null; then
	tap_ok "report --format perfetto: valid trace events, one track per disk"
else
	tap_fail "report --format perfetto: valid trace events" "$(head -c 600 "$W/trace.json")"
fi

# ---- refusals --------------------------------------------------------------------------
# refuse NAME FILE PATTERN: exit 1 and a message matching PATTERN
refuse() {
	"$VBT" report "$2" >"$W/refuse.out" 2>"$W/refuse.err"
	local rc=$?
	if [ $rc = 1 ] && grep -qiE "$3" "$W/refuse.err"; then
		tap_ok "$1: exit 1, '$(head -1 "$W/refuse.err" | sed "s|$W/||")'"
	else
		tap_fail "$1: exit 1 with a message" "exit $rc" "$(cat "$W/refuse.err")"
	fi
}
head -c $(($(stat -c %s "$B") / 2)) "$B" >"$W/trunc.tar.gz"
refuse "truncated bundle" "$W/trunc.tar.gz" "truncated"
cp "$B" "$W/flip.tar.gz"
printf '\125' | dd of="$W/flip.tar.gz" bs=1 seek=300 conv=notrunc 2>/dev/null
refuse "corrupt bundle" "$W/flip.tar.gz" "corrupt|invalid|incorrect|check|not"
sed '3s/"v":1/"v":2/' "$W/rec.jsonl" >"$W/newer.jsonl"
refuse "recording of a newer format" "$W/newer.jsonl" "line 3: format version 2 is newer"
mkdir -p "$W/nb" && tar -xzf "$B" -C "$W/nb" &&
	jq '.format_version = 9' "$W/nb/MANIFEST.json" >"$W/nb/m" && mv "$W/nb/m" "$W/nb/MANIFEST.json" &&
	tar -czf "$W/newer.tar.gz" -C "$W/nb" MANIFEST.json events.jsonl facts.json summary.txt
refuse "bundle of a newer format (repacked with GNU tar)" "$W/newer.tar.gz" "newer than this vblktrace"
truncate -s 300M "$W/huge.jsonl"
refuse "oversized recording" "$W/huge.jsonl" "too large"
head -c 200 "$W/rec.jsonl" >"$W/cut.jsonl"
refuse "recording cut mid-line" "$W/cut.jsonl" "line 1: truncated"
tap_done
