#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Offline: 'vblktrace bundle --from' packs a recording; 'vblktrace report'
# reads it back as text, JSON, HTML (rendered in headless Chromium: every
# failure of the recording drawn and listed, its cause links drawn, no
# console message, a screenshot kept) and Perfetto trace JSON (flow arrows
# checked against the recording's cause links with jq); corrupt, truncated,
# oversized and newer input is refused with a message and exit status 1.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"
. "$VBT_ROOT/tests/lib/fixtures.sh"
. "$VBT_ROOT/tests/lib/html_check.sh"

VBT=$VBT_ROOT/build/vblktrace
W=$FX_DIR/report
mkdir -p "$W"
tap_plan 20

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
elif grep -qiE '(src|href)="[^#]|url\(|@import|<script' "$W/r.html"; then
	tap_fail "HTML is self-contained: no script, no fetch, links only within the page" \
		"$(grep -oiE '(src|href)="[^#][^"]*|url\([^)]*|<script' "$W/r.html" | head)"
else
	tap_ok "HTML is self-contained: no script, no fetch, links only within the page"
fi
# Ground truth: the recording's own failures and cause links.
want_ids=$(jq -r 'select(.errno != 0) | "e-g-\(.seq)"' "$W/rec.jsonl" | LC_ALL=C sort | tr '\n' ' ')
want_links=$(jq -r 'select(.kind == "syscall" and .cause) | "e-g-\(.seq)~e-g-\(.cause)"' "$W/rec.jsonl" | LC_ALL=C sort | tr '\n' ' ')
if ! html_check "$W/r.html" "$W/page" 2>"$W/html_check.err"; then
	tap_fail "HTML renders in Chromium" "$(cat "$W/html_check.err")"
	tap_fail_rest "not run: Chromium did not render the page"
	tap_done
	exit 1
fi
P=$W/page.json
got_ids=$(jq -r '.timeline.refs[]' "$P" | LC_ALL=C sort | tr '\n' ' ')
got_rows=$(jq -r '.rows[]' "$P" | LC_ALL=C sort | tr '\n' ' ')
if [ "$got_ids" = "$want_ids" ] && [ "$got_rows" = "$want_ids" ] &&
   jq -e --argjson n $N_ERR '.timeline.marks == $n and .timeline.visible == $n' "$P" >/dev/null; then
	tap_ok "Chromium draws all $N_ERR failures (the syscall too) inside the timeline and lists each"
else
	tap_fail "every failure drawn and listed" "want $want_ids" "marks $got_ids" "rows  $got_rows" \
		"$(jq -c .timeline "$P")"
fi
got_lines=$(jq -r '.timeline.lines[]' "$P" | LC_ALL=C sort | tr '\n' ' ')
got_refs=$(jq -r '.row_refs[]' "$P" | LC_ALL=C sort | tr '\n' ' ')
if [ -n "$want_links" ] && [ "$got_lines" = "$want_links" ] && [ "$got_refs" = "$want_links" ] &&
   jq -e '.broken == [] and .links > 0' "$P" >/dev/null; then
	tap_ok "the failed syscall is linked to its request (line and row link); $(jq .links "$P") links, none broken"
else
	tap_fail "cause links drawn and listed, no broken link" "want $want_links" \
		"lines $got_lines" "refs $got_refs" "broken: $(jq -c .broken "$P")"
fi
if [ ! -s "$W/page.console" ] && jq -e '.plumbing == false' "$P" >/dev/null; then
	tap_ok "no console message (CSP, errors) and no test plumbing text in the page"
else
	tap_fail "no console message and no test plumbing text" "$(head -5 "$W/page.console")" \
		"plumbing text: $(jq .plumbing "$P")"
fi
# A guest bundle alone: the virtio IOERR failures are the hypervisor's, and
# the page says how to find out more (record the host, merge).
if jq -e '.classes == ["the hypervisor (host side not recorded)",
		"the hypervisor (host side not recorded)"] and
	(.summary | test("9 guest failures") and test("vblktrace merge")) and
	.ticks >= 3 and .latency_axes >= 2' "$P" >/dev/null; then
	tap_ok "summary: 9 failures in 2 classes (vda, vdb), origin the hypervisor, what to do; axes drawn"
else
	tap_fail "summary, classes and axes" "$(jq -c '{classes, ticks, latency_axes}' "$P")" \
		"$(jq -r .summary "$P" | head -12)"
fi
if html_png_ok "$W/page.png"; then
	mkdir -p "$VBT_ROOT/build/test-logs"
	cp "$W/page.png" "$VBT_ROOT/build/test-logs/bundle_report.png"
	tap_ok "HTML screenshot ($(stat -c %s "$W/page.png") bytes PNG, kept as build/test-logs/bundle_report.png)"
	[ -n "${VBT_KEEP_SCREENSHOT:-}" ] && cp "$W/page.png" "$VBT_KEEP_SCREENSHOT"
else
	tap_fail "HTML screenshot" "$(tail -5 "$W/page.log")"
fi

# Strings from a guest are hostile: a disk name, a comm and a path made of
# markup must show as text, never as elements, and run no script.
{
	printf '%s\n' '{"v":1,"ts":"2026-11-22T04:00:01.000000000Z","mono_ns":1000000000,"side":"guest","kind":"block","errno":5,"err":"EIO","pid":7,"tid":7,"comm":"<b>x","dev":"<img src=x>","major":254,"minor":0,"op":"WRITE","flags":["SYNC"],"sector":8,"nr_sectors":8,"bytes":4096,"status":"IOERR","lat_ns":2000,"issuer_known":true,"virtio_status":"IOERR","seq":1}'
	printf '%s\n' '{"v":1,"ts":"2026-11-22T04:00:02.000000000Z","mono_ns":2000000000,"side":"guest","kind":"syscall","errno":5,"err":"EIO","pid":7,"tid":7,"comm":"a\"><script>","syscall":"pwrite64","fd":3,"path":"/dev/\"><script>alert(1)</script>","offset":4096,"len":4096,"cause":1,"seq":2}'
} >"$W/hostile.jsonl"
"$VBT" report --format html "$W/hostile.jsonl" >"$W/hostile.html" 2>"$W/hostile.err"
hrc=$?
if [ $hrc = 0 ] && ! grep -qE '<script|<img|<b>x' "$W/hostile.html" &&
   html_check "$W/hostile.html" "$W/hostile" 2>>"$W/hostile.err" && [ ! -s "$W/hostile.console" ] &&
   jq -e '(.summary | contains("on <img src=x>")) and .timeline.marks == 2 and .broken == []' \
	"$W/hostile.json" >/dev/null; then
	tap_ok "markup in a disk name, comm and path shows as text: no element, no script, no console message"
else
	tap_fail "hostile strings are escaped" "exit $hrc" "$(grep -oE '<script[^>]*>|<img[^>]*>|<b>x' "$W/hostile.html" | head -3)" \
		"$(head -3 "$W/hostile.console" 2>/dev/null)" "$(cat "$W/hostile.err")"
fi

# ---- Perfetto ---------------------------------------------------------------------
"$VBT" report --format perfetto "$B" >"$W/trace.json" 2>&1
if jq -e --argjson n "$N_EVENTS" '
	(.traceEvents | type == "array") and
	([.traceEvents[] | select(.ph | IN("X"))] | length == $n) and
	all(.traceEvents[]; (.ph | IN("M","X","s","f","C")) and (.pid | type == "number") and
		(.tid | type == "number")) and
	all(.traceEvents[] | select(.ph != "M"); (.ts | type == "number") and .ts >= 0) and
	all(.traceEvents[] | select(.ph == "X"); .dur > 0) and
	([.traceEvents[] | select(.ph == "M" and .name == "thread_name") | .args.name] | sort == ["syscall","vda","vdb"])' \
	"$W/trace.json" >/dev/null; then
	tap_ok "report --format perfetto: valid trace events, one slice per event, one track per disk"
else
	tap_fail "report --format perfetto: valid trace events" "$(head -c 600 "$W/trace.json")"
fi
want=$(jq -s -c '[.[] | select(.kind == "syscall" and .cause) | ["guest:\(.cause)", "guest:\(.seq)"]]' "$W/rec.jsonl")
bad=$(jq -r --argjson want "$want" --argjson forward true -f "$VBT_ROOT/tests/lib/perfetto_flows.jq" "$W/trace.json"
	jq -r --argjson events "$(jq -s . "$W/rec.jsonl")" --arg track guest \
		-f "$VBT_ROOT/tests/lib/perfetto_times.jq" "$W/trace.json")
# failures/s of vda: 5 write failures, one a second, then none
rate=$(jq -c '[.traceEvents[] | select(.ph == "C" and .name == "failures/s vda") | .args["failures/s"]]' "$W/trace.json")
if [ "$want" != "[]" ] && [ -z "$bad" ] && [ "$(jq 'length' <<<"$want")" = "$(jq '[.traceEvents[] | select(.ph == "s")] | length' "$W/trace.json")" ] &&
   jq -e 'length >= 2 and max > 0 and last == 0' <<<"$rate" >/dev/null; then
	tap_ok "perfetto: every slice ends at its event's time; an arrow per cause link of the recording ($want), inside both slices; failure-rate counter $rate"
else
	tap_fail "perfetto: flow arrows and counters" "want $want" "$bad" "rate $rate"
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
# Past the reader's limit (1 GiB since it streams): sparse, refused by size.
truncate -s 1100M "$W/huge.jsonl"
refuse "oversized recording" "$W/huge.jsonl" "too large"
head -c 200 "$W/rec.jsonl" >"$W/cut.jsonl"
refuse "recording cut mid-line" "$W/cut.jsonl" "line 1: truncated"
tap_done
