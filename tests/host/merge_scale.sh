#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'vblktrace merge' at scale, held to the merge it replaced: merge reads
# compact events (decode/compact.h), streams recordings and writes its JSON
# as it goes; the vblktrace of the last commit before that (REF below,
# built once from git into /tmp) held every event whole and printed one
# json-c tree.  On the same recordings both must give the same bytes, in
# every format, for every origin merge knows (bench/merge_gen.sh mix),
# plain recordings and bundles, either argument order, a narrow window.
# The page and the trace read compact events too (the page reads again,
# in full, only the events it lists): the same bytes from bundles and from
# standard input, and a million events drawn in little memory.
# Then the limits: a million events per side are accepted in < 1.5 GiB,
# one more is refused, and an endless line, a file past 1 GiB, a cut
# last line and a recording of both sides fail fast with a message.
set -u
VBT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$VBT_ROOT/tests/lib/tap.sh"

VBT=$VBT_ROOT/build/vblktrace
GEN=$VBT_ROOT/bench/merge_gen.sh
REF=${VBT_MERGE_REF:-8674b9c614f6a0b7d822c89389998987f3bb6596}
REF_DIR=/tmp/vbt-merge-ref-$REF
tap_plan 20

W=$(mktemp -d /var/tmp/vbt-merge-scale.XXXXXX)
trap 'rm -rf "$W" "$REF_DIR.$$"' EXIT

# The reference binary, built once per revision (the build cache makes
# it a matter of seconds).
if [ ! -x "$REF_DIR/build/vblktrace" ]; then
	mkdir -p "$REF_DIR.$$" &&
		git -C "$VBT_ROOT" archive "$REF" | tar -x -C "$REF_DIR.$$" &&
		make -C "$REF_DIR.$$" -j2 build/vblktrace >"$W/ref-build.log" 2>&1 &&
		{ mv -T "$REF_DIR.$$" "$REF_DIR" 2>/dev/null || [ -x "$REF_DIR/build/vblktrace" ]; }
fi
if [ ! -x "$REF_DIR/build/vblktrace" ]; then
	tap_harness_fail "fixture: the reference vblktrace ($REF) builds" \
		"$(tail -20 "$W/ref-build.log" 2>/dev/null)"
	tap_fail_rest "no reference binary"
	tap_done
	exit 1
fi
REFBIN=$REF_DIR/build/vblktrace

# same NAME ARGS...: both binaries, same exit status and the same bytes.
same() {
	local name=$1 rc1 rc2
	shift
	"$REFBIN" merge "$@" >"$W/ref.out" 2>"$W/ref.err"
	rc1=$?
	"$VBT" merge "$@" >"$W/new.out" 2>"$W/new.err"
	rc2=$?
	if [ $rc1 = 0 ] && [ $rc2 = 0 ] && [ -s "$W/ref.out" ] &&
	   cmp -s "$W/ref.out" "$W/new.out"; then
		tap_ok "$name: the same $(wc -c <"$W/new.out") bytes as before"
	else
		tap_fail "$name: the same output as before" "exit $rc1 before, $rc2 now" \
			"$(head -c 600 "$W/ref.err" "$W/new.err")" \
			"$(cmp "$W/ref.out" "$W/new.out" 2>&1)" \
			"$(diff "$W/ref.out" "$W/new.out" 2>&1 | head -20)"
	fi
}

sh "$GEN" guest 20000 >"$W/g20k"
sh "$GEN" host 20000 >"$W/h20k"
same "bench recordings, 20k + 20k, JSON" -f json "$W/g20k" "$W/h20k"

sh "$GEN" guest 30000 mix >"$W/gm"
sh "$GEN" host 30000 mix >"$W/hm"
# the mix must give every origin merge can prove from plain recordings
"$VBT" merge -f json "$W/gm" "$W/hm" >"$W/mix.json" 2>&1
if jq -e '.origins | .["host-syscall"] > 0 and .["qemu-internal"] > 0 and
	  .guest > 0 and .unknown > 0' "$W/mix.json" >/dev/null 2>&1; then
	tap_ok "mixed recordings give host-syscall, qemu-internal, guest and unknown: $(jq -c .origins "$W/mix.json")"
else
	tap_fail "mixed recordings give every origin" "$(head -c 600 "$W/mix.json")"
fi
for fmt in json text perfetto html; do
	same "mixed recordings, 30k + 30k, $fmt" -f "$fmt" "$W/gm" "$W/hm"
done
same "host side given first" -f json "$W/hm" "$W/gm"
same "a 2 us window (fewer joins)" -f json -w 0.000002 "$W/gm" "$W/hm"
"$VBT" bundle --side guest --from "$W/gm" -o "$W/gm.tar.gz" >/dev/null 2>&1
"$VBT" bundle --side host --from "$W/hm" -o "$W/hm.tar.gz" >/dev/null 2>&1
# Bundles pair their disks by facts, which the merge before did not do
# (below): they are held to the same merge of the plain recordings.  The
# trace is the same; the page's list of failures, each read again from
# the archive's events.jsonl, is the same.
"$VBT" merge -f perfetto "$W/gm" "$W/hm" >"$W/plain.out" 2>&1
"$VBT" merge -f perfetto "$W/gm.tar.gz" "$W/hm.tar.gz" >"$W/bundle.out" 2>&1
if [ -s "$W/plain.out" ] && cmp -s "$W/plain.out" "$W/bundle.out"; then
	tap_ok "bundles, perfetto: the same $(wc -c <"$W/bundle.out") bytes as the plain recordings"
else
	tap_fail "bundles, perfetto: the same as the plain recordings" \
		"$(cmp "$W/plain.out" "$W/bundle.out" 2>&1)" "$(head -c 300 "$W/bundle.out")"
fi
failures() {
	"$VBT" merge -f html "$@" 2>&1 | sed -n '/<table id="failures">/,/<\/table>/p'
}
failures "$W/gm" "$W/hm" >"$W/plain.out"
failures "$W/gm.tar.gz" "$W/hm.tar.gz" >"$W/bundle.out"
rows=$(grep -c '<tr id="e-' "$W/bundle.out")
if [ "$rows" -ge 5000 ] && cmp -s "$W/plain.out" "$W/bundle.out"; then
	tap_ok "bundles, html: the same $rows failures listed as from the plain recordings"
else
	tap_fail "bundles, html: the same failures listed" "$rows rows" \
		"$(diff "$W/plain.out" "$W/bundle.out" 2>&1 | head -c 600)"
fi
# the page's events read again from standard input, held in memory
"$REFBIN" merge -f html - "$W/hm" <"$W/gm" >"$W/ref.out" 2>&1
"$VBT" merge -f html - "$W/hm" <"$W/gm" >"$W/new.out" 2>&1
if [ -s "$W/ref.out" ] && cmp -s "$W/ref.out" "$W/new.out"; then
	tap_ok "html, guest from standard input: the same $(wc -c <"$W/new.out") bytes as before"
else
	tap_fail "html, guest from standard input: the same output" "$(cmp "$W/ref.out" "$W/new.out" 2>&1)" \
		"$(head -c 300 "$W/new.out")"
fi
# Bundles carry this machine's disk facts (dozens of loop devices): the
# guest's failing disks still get their slots, so the bundles pair as the
# plain recordings do (the merge before gave every error 'unknown' once
# the facts listed more than 64 disks).
"$VBT" merge -f json "$W/gm.tar.gz" "$W/hm.tar.gz" >"$W/bundles.json" 2>"$W/bundles.err"
ndisks=$(tar -xzOf "$W/gm.tar.gz" --wildcards '*facts.json' 2>/dev/null | jq '.disks | length' 2>/dev/null)
if [ "$(jq -c .origins "$W/bundles.json" 2>/dev/null)" = "$(jq -c .origins "$W/mix.json")" ]; then
	tap_ok "bundles (facts of ${ndisks:-?} disks) pair as the plain recordings: $(jq -c .origins "$W/bundles.json")"
else
	tap_fail "bundles pair as the plain recordings" "bundles: $(jq -c .origins "$W/bundles.json" 2>&1)" \
		"plain: $(jq -c .origins "$W/mix.json")" "$(head -c 400 "$W/bundles.err")"
fi

# ---- limits -------------------------------------------------------------------------
# A million guest errors (a few host ones): accepted, every one joined or
# classified, in less than 1.5 GiB.
sh "$GEN" guest 1000001 >"$W/g1m1"
head -n 1000000 "$W/g1m1" >"$W/g1m"
sh "$GEN" host 1000 >"$W/h1k"
/usr/bin/time -f '%M' -o "$W/rss" "$VBT" merge "$W/g1m" "$W/h1k" >"$W/1m.out" 2>"$W/1m.err"
rc=$?
rss=$(tail -1 "$W/rss")
if [ $rc = 0 ] && grep -q '^Guest errors (1000000):' "$W/1m.out" &&
   grep -q '^Origins: .*host-syscall 1000,' "$W/1m.out" &&
   [ "$rss" -lt $((1536 * 1024)) ]; then
	tap_ok "1000000 guest errors accepted and merged, peak RSS $((rss / 1024)) MiB"
else
	tap_fail "1000000 guest errors accepted in < 1.5 GiB" "exit $rc, RSS ${rss} KiB" \
		"$(head -c 300 "$W/1m.err")" "$(tail -2 "$W/1m.out")"
fi
# The page and the trace of those: the old merge held every event whole
# (1.6 KiB each, and the trace a json-c tree of them: several GiB).
for fmt in html perfetto; do
	/usr/bin/time -f '%M' -o "$W/rss" "$VBT" merge -f $fmt "$W/g1m" "$W/h1k" \
		>"$W/1m.$fmt" 2>"$W/1m.err"
	rc=$?
	rss=$(tail -1 "$W/rss")
	case $fmt in
	html) grep -q 'data-marks="5000"' "$W/1m.$fmt"; ok=$? ;;
	*) ok=$(tail -c 200 "$W/1m.$fmt" | grep -c '"displayTimeUnit":"ms"}$'); [ "$ok" = 1 ]; ok=$? ;;
	esac
	if [ $rc = 0 ] && [ $ok = 0 ] && [ "$rss" -lt $((512 * 1024)) ]; then
		tap_ok "1000000 guest errors, $fmt: $(($(wc -c <"$W/1m.$fmt") / 1024)) KiB, peak RSS $((rss / 1024)) MiB (< 512)"
	else
		tap_fail "1000000 guest errors, $fmt in < 512 MiB" "exit $rc, RSS ${rss} KiB" \
			"$(head -c 300 "$W/1m.err")" "$(tail -c 200 "$W/1m.$fmt")"
	fi
	rm -f "$W/1m.$fmt"
done
rm -f "$W/g1m" "$W/1m.out"

# refuse NAME FILE PATTERN [SECONDS]: exit 1, the message, within the time.
refuse() {
	local t0 t1 rc
	t0=$(date +%s%N)
	"$VBT" merge "$2" "$W/h1k" >"$W/refuse.out" 2>"$W/refuse.err"
	rc=$?
	t1=$(date +%s%N)
	if [ $rc = 1 ] && grep -qE "$3" "$W/refuse.err" &&
	   [ $(((t1 - t0) / 1000000)) -le $((${4:-10} * 1000)) ]; then
		tap_ok "$1: exit 1 in $(((t1 - t0) / 1000000)) ms, '$(head -1 "$W/refuse.err" | sed "s|$W/||")'"
	else
		tap_fail "$1: exit 1 with a message" "exit $rc after $(((t1 - t0) / 1000000)) ms" \
			"$(head -c 400 "$W/refuse.err")"
	fi
}
refuse "1000001 events" "$W/g1m1" "g1m1: more than 1000000 events" 60
rm -f "$W/g1m1"
# one line that never ends: refused at 64 KiB, not read to its end
{ printf '{"v":1,"pad":"'; head -c 100000000 /dev/zero | tr '\0' x; } >"$W/endless"
refuse "an endless line (100 MB)" "$W/endless" "endless: line 1: line longer than 65536 bytes" 2
truncate -s 1100M "$W/huge"
refuse "a file past 1 GiB" "$W/huge" "huge: too large" 2
{ head -n 5 "$W/g20k"; head -n 1 "$W/g20k" | head -c 100; } >"$W/cut"
refuse "a cut last line" "$W/cut" "cut: line 6: truncated" 2
{ head -n 3 "$W/g20k"; head -n 3 "$W/h20k"; } >"$W/both"
refuse "a recording of both sides" "$W/both" "both: the recording mixes guest and host" 2
tap_done
